"""`fielddesk demo-data --size N [--seed S]`."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.cli.helpers import cli


def _count(home: Path, table: str) -> int:
    conn = sqlite3.connect(home / "fielddesk.sqlite3")
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


def test_generates_counts_as_json_into_the_data_dir(capsys, tmp_path: Path) -> None:
    home = tmp_path / "demo"
    r = cli(capsys, "demo-data", "--size", "60", "--seed", "5", "--data-dir", home, "--json")
    assert r.code == 0, r.err
    body = r.json()
    assert body["data"]["enterprise"] == 60 and body["data"]["contact"] == 90
    assert body["count"] == sum(body["data"].values()) and body["seed"] == 5
    assert _count(home, "meeting_note") == 120
    assert _count(home, "outbox") == 0
    r = cli(capsys, "--data-dir", home, "search", "有限公司", "--json")
    assert r.code == 0 and r.json()["count"] > 0


def test_text_output_and_regenerating_a_demo_profile(capsys, _fielddesk_home: Path) -> None:
    r = cli(capsys, "demo-data", "--size", "30")
    assert r.code == 0, r.err
    assert "企业：30" in r.out and "不会同步" in r.out
    again = cli(capsys, "demo-data", "--size", "20", "--seed", "2")
    assert again.code == 0, again.err
    assert _count(_fielddesk_home, "enterprise") == 20


def test_refuses_a_profile_with_real_records(capsys, _fielddesk_home: Path) -> None:
    r = cli(capsys, "enterprise", "add", "--name", "许继集团有限公司", "--json")
    assert r.code == 0, r.err
    r = cli(capsys, "demo-data", "--size", "10", "--json")
    assert r.code == 2
    error = r.error()
    assert error["code"] == "demo_not_empty" and "演示数据" in error["message"]
    assert _count(_fielddesk_home, "enterprise") == 1
    assert _count(_fielddesk_home, "outbox") == 1


def test_size_out_of_range_exits_2_and_creates_nothing(capsys, tmp_path: Path) -> None:
    home = tmp_path / "none"
    for size in ("0", "200001"):
        r = cli(capsys, "demo-data", "--size", size, "--data-dir", home, "--json")
        assert r.code == 2
        assert r.error()["field"] == "size" and "200000" in r.error()["message"]
    assert not (home / "fielddesk.sqlite3").exists()
    r = cli(capsys, "demo-data", "--data-dir", home)
    assert r.code == 2 and "--size" in r.err

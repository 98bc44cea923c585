"""`fielddesk report …`: files written and read back, JSON figures, bad input exits 2 writing nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from app import paths
from app.reports import fonts
from app.storage.db import open_database
from app.storage.records import RecordStore
from tests.unit.reports.data import build_trip
from tests.unit.reports.helpers import docx_text, pdf_text

from .helpers import cli


@pytest.fixture
def profile(_fielddesk_home: Path) -> Iterator[dict[str, Any]]:
    db = open_database(paths.database_path(_fielddesk_home))
    ids = build_trip(RecordStore(db.conn, user="tester"))
    db.conn.close()
    yield ids


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def test_trip_pdf_and_docx(capsys: Any, profile: dict[str, Any], out_dir: Path) -> None:
    trip_id = profile["trip"]["id"]
    r = cli(capsys, "report", "trip", trip_id, "--out", out_dir / "trip.pdf")
    assert r.code == 0, r.err
    assert "已生成" in r.out
    assert "意向投资总额5.00亿元" in pdf_text(out_dir / "trip.pdf")
    r = cli(capsys, "report", "trip", trip_id, "--out", out_dir / "trip.docx", "--json")
    assert r.code == 0 and r.json()["warnings"] == []
    assert "一、基本情况" in docx_text(out_dir / "trip.docx")


def test_trip_save_sections(capsys: Any, profile: dict[str, Any], out_dir: Path) -> None:
    trip_id = profile["trip"]["id"]
    r = cli(capsys, "report", "trip", trip_id, "--out", out_dir / "t.pdf", "--save-sections", "--json")
    assert r.code == 0 and r.json()["saved_sections"] == ["next_steps", "problems"]
    shown = cli(capsys, "trip", "show", trip_id, "--json").json()
    assert "报送项目用地需求" in shown["next_steps"]
    assert "未能成行" in shown["problems"]


def test_itinerary(capsys: Any, profile: dict[str, Any], out_dir: Path) -> None:
    r = cli(capsys, "report", "itinerary", profile["trip"]["id"], "--out", out_dir / "i.pdf")
    assert r.code == 0, r.err
    assert "15:30（东京时间）" in pdf_text(out_dir / "i.pdf")


def test_ledger_xlsx_with_filter(capsys: Any, profile: dict[str, Any], out_dir: Path) -> None:
    r = cli(capsys, "report", "ledger", "--stage", "在谈", "--out", out_dir / "l.xlsx")
    assert r.code == 0, r.err
    names = [row[1] for row in load_workbook(out_dir / "l.xlsx").active.iter_rows(min_row=4, values_only=True)]
    assert names == ["智能电网装备产业园"]
    r = cli(capsys, "report", "ledger", "--out", out_dir / "l.pdf")
    assert r.code == 0 and "储能电池生产基地" in pdf_text(out_dir / "l.pdf")


def test_summary_json_text_and_files(capsys: Any, profile: dict[str, Any], out_dir: Path) -> None:
    r = cli(capsys, "report", "summary", "--from", "2025-09-01", "--to", "2025-09-30", "--json")
    assert r.code == 0, r.err
    data = r.json()
    assert data["leads_captured"] == {"count": 1, "investment_wan": 50000}
    assert data["negotiating"] == {"count": 1, "investment_wan": 80000}
    assert data["performance_rate"] is None
    assert data["visits"] == 2 and data["trips"] == 1
    r = cli(capsys, "report", "summary", "--from", "2025/9/1", "--to", "2025年9月30日")
    assert r.code == 0 and "捕捉项目线索：1 个，5.00 亿元" in r.out
    r = cli(capsys, "report", "summary", "--from", "2025-09-01", "--to", "2025-09-30",
            "--out", out_dir / "s.pdf")
    assert r.code == 0 and "在谈项目1个，投资总额8.00亿元" in pdf_text(out_dir / "s.pdf")
    r = cli(capsys, "report", "summary", "--from", "2025-09-01", "--to", "2025-09-30",
            "--out", out_dir / "s.docx")
    assert r.code == 0 and "在谈项目1个，投资总额8.00亿元" in docx_text(out_dir / "s.docx")


@pytest.mark.parametrize("args, field", [
    (["report", "trip", "00000000-0000-4000-8000-000000000000", "--out", "{out}/x.pdf"], "trip_id"),
    (["report", "trip", "not-a-uuid", "--out", "{out}/x.pdf"], "trip_id"),
    (["report", "trip", "{trip}", "--out", "{out}/x.txt"], "out"),
    (["report", "itinerary", "{trip}", "--out", "{out}/x.docx"], "out"),
    (["report", "ledger", "--out", "{out}/x.csv"], "out"),
    (["report", "ledger", "--stage", "签了", "--out", "{out}/x.pdf"], "stage"),
    (["report", "ledger", "--from", "2025-02-30", "--out", "{out}/x.pdf"], "from"),
    (["report", "summary", "--from", "2025-09-01", "--to", "2025-09-3x"], "to"),
    (["report", "summary", "--from", "2025-09-30", "--to", "2025-09-01"], "to"),
    (["report", "summary", "--from", "2025-09-01", "--to", "2025-09-30", "--out", "{out}/x.xlsx"], "out"),
    (["report", "trip", "{trip}", "--out", "{out}/missing/x.pdf"], "out"),
])
def test_bad_input_exits_2_and_writes_nothing(
    capsys: Any, profile: dict[str, Any], out_dir: Path, args: list[str], field: str
) -> None:
    argv = [a.format(out=out_dir, trip=profile["trip"]["id"]) for a in args] + ["--json"]
    r = cli(capsys, *argv)
    assert r.code == 2, r.err
    assert r.error()["field"] == field
    assert r.error()["message"]
    assert list(out_dir.iterdir()) == []


def test_missing_glyph_warned_on_stderr(capsys: Any, profile: dict[str, Any], out_dir: Path,
                                        _fielddesk_home: Path) -> None:
    db = open_database(paths.database_path(_fielddesk_home))
    RecordStore(db.conn).update("enterprise", profile["e2"]["id"], {"name": "上海䶮储能有限公司"})
    db.conn.close()
    fonts.candidate_files = []
    fonts.reset_fallbacks()
    try:
        r = cli(capsys, "report", "trip", profile["trip"]["id"], "--out", out_dir / "t.pdf")
    finally:
        fonts.candidate_files = None
        fonts.reset_fallbacks()
    assert r.code == 0
    assert "警告" in r.err and "䶮" in r.err
    assert "上海〓储能有限公司" in pdf_text(out_dir / "t.pdf")

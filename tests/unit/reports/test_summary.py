"""Period summary from the database: tombstones ignored, figures in PDF and Word in 亿元."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.domain.errors import ValidationError
from app.reports import blocks
from app.reports.summary import compute, title_for, write_summary
from app.storage.ids import blob

from .helpers import docx_text, pdf_text


def _lead(store: Any, name: str, wan: int, stages: list[tuple[str, str]], **extra: Any) -> dict[str, Any]:
    lead = store.create("lead", {"name": name, "investment_wan": wan, **extra})
    for stage, day in stages:
        store.create("lead_stage_change", {"lead_id": lead["id"], "stage": stage, "date": day})
    return lead


@pytest.fixture
def dataset(store: Any) -> dict[str, Any]:
    a = _lead(store, "甲项目", 30000, [("clue", "2025-09-02"), ("signed", "2025-09-10")],
              industry_chain="新能源", funds_arrived_wan=12000, foreign_contracted_wan_usd=500,
              foreign_arrived_wan_usd=120)
    b = _lead(store, "乙项目", 5000, [("negotiating", "2025-08-01"), ("registered", "2025-09-20"),
                                      ("terminated", "2025-09-25")], industry_chain="新材料")
    c = _lead(store, "丙项目", 12345, [("clue", "2025-09-05"), ("signed", "2025-09-06")])
    # c's signing was a mistake: tombstoned, so c is only a clue.
    wrong = store.list("lead_stage_change", {"lead_id": c["id"], "stage": "signed"})[0]
    store.delete("lead_stage_change", wrong["id"])
    d = _lead(store, "丁项目", 99999, [("signed", "2025-09-03")])
    store.delete("lead", d["id"], cascade=True)
    # A lead tombstoned on the server whose changes are still live locally: still ignored.
    e = _lead(store, "戊项目", 77777, [("signed", "2025-09-03")])
    store.conn.execute("UPDATE lead SET deleted = 1 WHERE id = ?", (blob(e["id"]),))
    trip = store.create("trip", {"title": "九月小分队", "start_date": "2025-09-28",
                                 "end_date": "2025-10-02"})
    ent = store.create("enterprise", {"name": "某企业"})
    store.create("visit", {"trip_id": trip["id"], "enterprise_id": ent["id"],
                           "scheduled_at": "2025-09-29 10:00", "status": "done"})
    store.create("visit", {"enterprise_id": ent["id"], "scheduled_at": "2025-09-29 11:00"})
    return {"a": a, "b": b, "c": c}


def test_compute_from_database(store: Any, dataset: dict[str, Any]) -> None:
    f = compute(store.conn, "2025-09-01", "2025-09-30")
    assert f["leads_captured"] == {"count": 2, "investment_wan": 42345}  # 甲 丙
    assert f["negotiating"] == {"count": 0, "investment_wan": 0}
    # 乙 skipped 签约: reaching 注册 on 09-20 reaches 签约 on that date too.
    assert f["signed"] == {"count": 2, "investment_wan": 35000}  # 甲 乙
    assert f["signed_100m"] == {"count": 1, "investment_wan": 30000}  # 甲
    assert f["registered"] == {"count": 1, "investment_wan": 5000}  # 乙, though terminated later
    assert f["performance_rate"] == 0.5  # 乙 of 甲 乙
    assert f["start_rate"] == 0.0
    assert f["funds_arrival_rate"] == 0.3429  # 12000 / 35000
    assert f["foreign"] == {"contracted_wan_usd": 500, "arrived_wan_usd": 120}
    assert f["visits"] == 1 and f["trips"] == 1
    assert [g["key"] for g in f["by_industry_chain"]] == ["", "新材料", "新能源"]


def test_pdf_and_docx_show_yi(store: Any, dataset: dict[str, Any], tmp_path: Path) -> None:
    pdf = tmp_path / "summary.pdf"
    write_summary(store.conn, "2025-09-01", "2025-09-30", pdf)
    text = pdf_text(pdf)
    for expected in ("招商引资工作月报", "2025年9月1日—2025年9月30日", "一、总体情况",
                     "捕捉项目线索2个，投资总额4.23亿元", "履约率50.00%", "资金到位率34.29%",
                     "合同外资500万美元", "新材料", "新能源", "（未填写）",
                     "本期完成企业走访1次，开展小分队外出招商1批次"):
        assert expected in text, expected
    docx = tmp_path / "summary.docx"
    write_summary(store.conn, "2025-09-01", "2025-09-30", docx)
    text = docx_text(docx)
    assert "捕捉项目线索2个，投资总额4.23亿元" in text and "履约率50.00%" in text


def test_titles() -> None:
    assert title_for("2025-09-01", "2025-09-07") == "招商引资工作周报"
    assert title_for("2025-02-01", "2025-02-28") == "招商引资工作月报"
    assert title_for("2025-01-01", "2025-03-31") == "招商引资工作情况汇总"


def test_bad_range_names_the_field(store: Any, tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as info:
        compute(store.conn, "2025-09-01", "2025-13-01")
    assert info.value.field == "to"
    with pytest.raises(ValidationError) as info:
        compute(store.conn, "2025-09-30", "2025-09-01")
    assert info.value.field == "to"


def test_failed_write_leaves_no_file(store: Any, tmp_path: Path, monkeypatch: Any) -> None:
    folder = tmp_path / "out"
    folder.mkdir()

    def broken(doc: Any, path: Path, *_cancel: Any) -> tuple[list[str], int]:
        path.write_bytes(b"%PDF-1.4 partial")
        raise OSError("disk full")

    monkeypatch.setattr("app.reports.pdf.render_pdf", broken)
    with pytest.raises(OSError):
        write_summary(store.conn, "2025-09-01", "2025-09-30", folder / "summary.pdf")
    assert list(folder.iterdir()) == []
    assert blocks.write_atomic  # the one place that renames into place

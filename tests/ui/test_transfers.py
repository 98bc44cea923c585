"""Import, export and trip reports run in the background from the window's menus."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def test_export_then_reimport_enterprises(window: Any, profile: Any, answers: Any,
                                          qtbot: Any, tmp_path: Path) -> None:
    profile.store.create("enterprise", {"name": "许继集团有限公司", "industry_chain": "高端装备",
                                        "region": "中原"})
    profile.store.create("enterprise", {"name": "隆基绿能科技股份有限公司",
                                        "industry_chain": "新能源"})
    out = tmp_path / "企业名单.xlsx"
    from app.ui import transfers

    task = transfers.export_table(window, profile, "enterprises", out)
    with qtbot.waitSignal(task.done, timeout=20000):
        pass
    assert out.exists() and out.stat().st_size > 0
    assert any("已导出 2 条" in q for q in answers.asked)

    task = window.import_file("enterprises", out)
    with qtbot.waitSignal(task.done, timeout=20000):
        pass
    assert any("导入完成" in q and "未变 2" in q for q in answers.asked)
    assert profile.store.count("enterprise") == 2


def test_bad_import_file_writes_nothing(window: Any, profile: Any, answers: Any, qtbot: Any,
                                        tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("企业名称,统一社会信用代码\n许继集团有限公司,91411000174253487X\n", encoding="utf-8")
    task = window.import_file("enterprises", bad)
    with qtbot.waitSignal(task.failed, timeout=20000):
        pass
    assert any("校验位错误" in q for q in answers.asked), answers.asked
    assert profile.store.count("enterprise") == 0


def test_itinerary_pdf_for_the_selected_trip(window: Any, profile: Any, answers: Any,
                                             qtbot: Any, tmp_path: Path) -> None:
    enterprise = profile.store.create("enterprise", {"name": "深圳市汇川技术股份有限公司"})
    trip = profile.store.create("trip", {"title": "粤港澳大湾区招商小分队",
                                         "start_date": "2025-09-01", "end_date": "2025-09-02"})
    profile.store.create("visit", {"trip_id": trip["id"], "enterprise_id": enterprise["id"],
                                   "scheduled_at": "2025-09-01T10:00"})
    trips = window.show_view("trips")
    trips.show_trip(trip["id"])
    out = tmp_path / "行程单.pdf"
    task = window.trip_report(itinerary=True, path=out)
    with qtbot.waitSignal(task.done, timeout=30000):
        pass
    assert out.read_bytes().startswith(b"%PDF")

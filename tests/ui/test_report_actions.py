"""Report actions of the 行程 and 项目 views and the 报表 menu: written in the background,
read back (pypdf, python-docx, openpyxl), then handed to the (recorded) system viewer."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QPushButton

from app.reports import fonts
from app.reports.ledger import today_home
from app.ui import strings, tasks

from ..unit.reports.helpers import docx_text, pdf_text


class SaveAs:
    """Stands in for the save dialog: answers with queued paths, records what it was offered."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.answers: list[str] = []
        self.offered: list[tuple[str, Path, str]] = []

    def __call__(self, _parent: Any, title: str, default: Path, filters: str) -> Path | None:
        self.offered.append((title, default, filters))
        return self.folder / self.answers.pop(0) if self.answers else None


@pytest.fixture
def save_as(window: Any, tmp_path: Path) -> SaveAs:
    folder = tmp_path / "reports"
    folder.mkdir()
    fake = SaveAs(folder)
    window.reports.ask_path = fake
    return fake


@pytest.fixture
def no_system_fallback() -> Iterator[None]:
    fonts.candidate_files = []
    fonts.reset_fallbacks()
    yield
    fonts.candidate_files = None
    fonts.reset_fallbacks()


def _button(view: Any, text: str) -> QPushButton:
    (button,) = [b for b in view.findChildren(QPushButton) if b.text() == text]
    return button


def _written(qtbot: Any, window: Any, trigger: Any) -> Any:
    """Run `trigger` and wait until the report is written and handed to the viewer."""
    with qtbot.waitSignal(window.reports.report_opened, timeout=30000) as blocker:
        trigger()
    return blocker.args[0]


def _trip(profile: Any) -> dict[str, Any]:
    store = profile.store
    e = store.create("enterprise", {"name": "深圳市汇川技术股份有限公司", "address": "深圳市龙华区观澜街道"})
    c = store.create("contact", {"enterprise_id": e["id"], "name": "李娜", "title": "投资总监",
                                 "mobile": "13912345678"})
    trip = store.create("trip", {"title": "粤港澳大湾区招商小分队", "start_date": "2025-09-01",
                                 "end_date": "2025-09-02", "leader": "张建国",
                                 "destinations": ["深圳", "东莞"], "status": "finished"})
    store.create("visit", {"trip_id": trip["id"], "enterprise_id": e["id"], "contact_ids": [c["id"]],
                           "scheduled_at": "2025-09-01T10:00", "status": "done",
                           "purpose": "对接伺服系统生产基地", "outcome": "达成初步投资意向"})
    return {"trip": trip, "enterprise": e}


def test_trip_view_writes_itinerary_and_trip_report(window: Any, profile: Any, qtbot: Any,
                                                    save_as: SaveAs, opened_files: list[Path]) -> None:
    ids = _trip(profile)
    view = window.show_view("trips")
    view.show_trip(ids["trip"]["id"])

    save_as.answers.append("行程单.pdf")
    result = _written(qtbot, window, _button(view, strings.ACTION_ITINERARY).click)
    title, default, filters = save_as.offered[-1]
    assert title == "保存行程单" and default.name == "行程单_粤港澳大湾区招商小分队_2025-09-01.pdf"
    assert filters == strings.FILE_FILTER_PDF
    text = pdf_text(result.path)
    for expected in ("行程单", "粤港澳大湾区招商小分队", "深圳市汇川技术股份有限公司", "李娜",
                     "13912345678", "对接伺服系统生产基地"):
        assert expected in text, expected

    save_as.answers += ["出差报告.pdf", "出差报告.docx"]
    report = _button(view, strings.ACTION_TRIP_REPORT)
    result = _written(qtbot, window, report.click)
    assert save_as.offered[-1][1].name == "出差报告_粤港澳大湾区招商小分队_2025-09-01.pdf"
    text = pdf_text(result.path)
    for expected in ("出差招商工作情况报告", "一、基本情况", "张建国", "深圳市汇川技术股份有限公司",
                     "达成初步投资意向"):
        assert expected in text, expected
    result = _written(qtbot, window, report.click)
    text = docx_text(result.path)
    assert "一、基本情况" in text and "深圳市汇川技术股份有限公司" in text
    assert opened_files == [save_as.folder / n for n in ("行程单.pdf", "出差报告.pdf", "出差报告.docx")]


def test_leads_view_ledger_of_the_current_filter(window: Any, profile: Any, qtbot: Any,
                                                 save_as: SaveAs, opened_files: list[Path]) -> None:
    from openpyxl import load_workbook

    store = profile.store
    for name, wan, stage in (("储能电池生产基地", 250000, "negotiating"),
                             ("伺服电机扩产项目", 8000, "negotiating"),
                             ("智能电网装备产业园", 1234567, "signed")):
        lead = store.create("lead", {"name": name, "investment_wan": wan, "industry_chain": "新能源"})
        store.create("lead_stage_change", {"lead_id": lead["id"], "stage": stage, "date": "2025-09-02"})
    view = window.show_view("leads")
    view.stage.setCurrentIndex(view.stage.findData("negotiating"))
    view.filter.setText("储能")

    save_as.answers += ["台账.xlsx", "台账.pdf"]
    ledger = _button(view, strings.LEAD_LEDGER)
    result = _written(qtbot, window, ledger.click)
    assert save_as.offered[-1][1].name == f"招商项目台账_{today_home()}.xlsx"
    ws = load_workbook(result.path).active
    header = [c.value for c in ws[3]]
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    assert [r[header.index("项目名称")] for r in rows] == ["储能电池生产基地"]
    assert rows[0][header.index("计划总投资（万元）")] == 250000
    assert ws.cell(row=4, column=header.index("计划总投资（万元）") + 1).number_format == "#,##0"
    assert "阶段：在谈" in ws["A2"].value and "项目名称含“储能”" in ws["A2"].value

    result = _written(qtbot, window, ledger.click)
    text = pdf_text(result.path)
    assert "储能电池生产基地" in text and "250,000" in text and "共1个项目" in text
    assert "伺服电机扩产项目" not in text and "智能电网装备产业园" not in text
    assert len(opened_files) == 2

    # The 报表 menu lists what the 项目 view shows, too.
    view.filter.clear()
    save_as.answers.append("台账2.xlsx")
    result = _written(qtbot, window, window.action_ledger.trigger)
    names = [r[1] for r in load_workbook(result.path).active.iter_rows(min_row=4, values_only=True)]
    assert sorted(names) == ["伺服电机扩产项目", "储能电池生产基地"]


def test_summary_from_the_reports_menu(window: Any, profile: Any, qtbot: Any, save_as: SaveAs,
                                       opened_files: list[Path]) -> None:
    store = profile.store
    for name, wan, changes in (("甲项目", 30000, [("clue", "2025-09-02"), ("signed", "2025-09-10")]),
                               ("乙项目", 5000, [("negotiating", "2025-08-01")])):
        lead = store.create("lead", {"name": name, "investment_wan": wan, "industry_chain": "新材料"})
        for stage, day in changes:
            store.create("lead_stage_change", {"lead_id": lead["id"], "stage": stage, "date": day})
    asked: list[Any] = []
    window.reports.ask_range = lambda parent: asked.append(parent) or ("2025-09-01", "2025-09-30")

    save_as.answers += ["月报.pdf", "月报.docx"]
    result = _written(qtbot, window, window.action_summary.trigger)
    assert asked == [window]
    assert save_as.offered[-1][1].name == "招商引资工作月报_2025-09-01至2025-09-30.pdf"
    text = pdf_text(result.path)
    for expected in ("招商引资工作月报", "2025年9月1日—2025年9月30日", "捕捉项目线索1个，投资总额3.00亿元",
                     "签约项目1个", "新材料"):
        assert expected in text, expected
    result = _written(qtbot, window, window.action_summary.trigger)
    assert "捕捉项目线索1个，投资总额3.00亿元" in docx_text(result.path)
    assert [p.suffix for p in opened_files] == [".pdf", ".docx"]


def test_summary_range_dialog_spans() -> None:
    import datetime as dt

    from app.ui.report_actions import SummaryRangeDialog

    dialog = SummaryRangeDialog(None, dt.date(2025, 9, 17))
    assert dialog.values() == ("2025-09-01", "2025-09-17")
    dialog.set_span("week")
    assert dialog.values() == ("2025-09-15", "2025-09-17")
    dialog.set_span("last_month")
    assert dialog.values() == ("2025-08-01", "2025-08-31")
    dialog.deleteLater()


def test_progress_shows_after_half_a_second_and_cancel_leaves_no_file(
    window: Any, profile: Any, qtbot: Any, save_as: SaveAs, opened_files: list[Path]
) -> None:
    for i in range(5):
        profile.store.create("lead", {"name": f"测试项目{i}", "investment_wan": 100 + i})
    # Hold the db lane so the report waits its turn long enough for the progress dialog.
    gate = threading.Event()
    tasks.lanes().db.submit(gate.wait, 20)
    save_as.answers.append("台账.pdf")
    messages: list[str] = []
    window.reports.status_message.connect(messages.append)
    task = window.ledger()
    qtbot.wait(150)
    assert task.dialog is None  # nothing flashes up for a quick report
    qtbot.waitUntil(lambda: task.dialog is not None and task.dialog.isVisible(), timeout=3000)
    assert task.dialog.labelText() == "正在生成招商项目台账…"
    _button(task.dialog, strings.CANCEL).click()  # what the user presses
    with qtbot.waitSignal(task.done, timeout=30000):
        gate.set()
    assert messages == [strings.REPORT_CANCELLED]
    assert not (save_as.folder / "台账.pdf").exists() and opened_files == []
    assert not list(save_as.folder.glob(".fielddesk-*"))


def test_uncovered_characters_are_marked_and_warned_before_opening(
    window: Any, profile: Any, qtbot: Any, save_as: SaveAs, answers: Any,
    opened_files: list[Path], no_system_fallback: None
) -> None:
    e = profile.store.create("enterprise", {"name": "刘䶮🚀新能源有限公司"})
    profile.store.create("lead", {"name": "储能项目", "enterprise_id": e["id"], "investment_wan": 10})
    save_as.answers.append("台账.pdf")
    result = _written(qtbot, window, window.action_ledger.trigger)
    assert "刘〓〓新能源有限公司" in pdf_text(result.path)
    (warning,) = [a for a in answers.asked if "U+4DAE" in a]
    assert "U+1F680" in warning and "〓" in warning
    assert opened_files == [result.path]


def test_dialog_cancelled_writes_nothing(window: Any, profile: Any, save_as: SaveAs,
                                         opened_files: list[Path]) -> None:
    assert window.ledger() is None  # the save dialog was closed
    window.reports.ask_range = lambda _parent: None
    assert window.reports.summary() is None
    assert opened_files == [] and not list(save_as.folder.iterdir())


def test_save_dialog_adds_the_chosen_formats_suffix(monkeypatch: pytest.MonkeyPatch,
                                                    tmp_path: Path) -> None:
    from PySide6.QtWidgets import QFileDialog

    from app.ui import report_actions

    replies = [(str(tmp_path / "周报"), "Word 文档 (*.docx)"),
               (str(tmp_path / "周报.pdf"), "Word 文档 (*.docx)"),  # a typed suffix wins
               ("", "")]
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a: replies.pop(0))
    ask = report_actions.ask_save_path
    assert ask(None, "t", tmp_path / "x.pdf", strings.FILE_FILTER_REPORT) == tmp_path / "周报.docx"
    assert ask(None, "t", tmp_path / "x.pdf", strings.FILE_FILTER_REPORT) == tmp_path / "周报.pdf"
    assert ask(None, "t", tmp_path / "x.pdf", strings.FILE_FILTER_REPORT) is None
    assert report_actions.file_stem("行程单", "赴深圳/东莞 招商", "2025-09-01") == \
        "行程单_赴深圳东莞招商_2025-09-01"

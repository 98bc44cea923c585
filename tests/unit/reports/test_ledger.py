"""招商项目台账: .xlsx read back with openpyxl (values and formats), landscape PDF, filters."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from app.domain.enums import ListKind
from app.domain.errors import ValidationError
from app.reports.ledger import write_ledger
from app.storage.report_data import LedgerFilter

from .helpers import pdf_pages, pdf_reader, pdf_text


@pytest.fixture
def leads(store: Any) -> dict[str, Any]:
    for unit in ("许昌县", "禹州市"):
        if not store.list_has(ListKind.UNIT, unit):
            store.create("list_item", {"kind": "unit", "value": unit})
    e = store.create("enterprise", {"name": "许继集团有限公司", "industry_chain": "高端装备"})
    a = store.create("lead", {"name": "智能电网装备产业园", "enterprise_id": e["id"],
                              "industry_chain": "高端装备", "investment_wan": 1234567,
                              "funds_arrived_wan": 20000, "unit": "许昌县", "source": "小分队招商",
                              "responsible": "王伟", "high_energy": True,
                              "notes": "项目分两期建设，一期建设智能电网装备生产线及配套研发中心" * 2})
    for stage, day in (("clue", "2025-03-01"), ("signed", "2025-05-20"), ("started", "2025-08-08")):
        store.create("lead_stage_change", {"lead_id": a["id"], "stage": stage, "date": day})
    b = store.create("lead", {"name": "储能电池生产基地", "industry_chain": "新能源",
                              "investment_wan": 50000, "unit": "禹州市"})
    store.create("lead_stage_change", {"lead_id": b["id"], "stage": "negotiating", "date": "2025-09-02"})
    gone = store.create("lead", {"name": "已删除项目", "investment_wan": 1})
    store.delete("lead", gone["id"])
    return {"a": a, "b": b}


def test_xlsx_values_and_formats(store: Any, leads: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "ledger.xlsx"
    write_ledger(store.conn, LedgerFilter(), out, today="2025-09-30")
    wb = load_workbook(out)
    ws = wb.active
    assert ws["A1"].value == "招商项目台账"
    assert "共2个项目" in ws["A2"].value and "计划总投资128.46亿元" in ws["A2"].value
    header = [c.value for c in ws[3]]
    assert header[:6] == ["序号", "项目名称", "企业名称", "产业链", "项目来源", "计划总投资（万元）"]
    assert all(c.font.b for c in ws[3])
    assert ws["C3"].fill.fgColor.rgb.endswith("E6E6E6") and ws["C3"].border.left.style == "thin"
    rows = {r[1]: r for r in ws.iter_rows(min_row=4, values_only=True)}
    assert set(rows) == {"智能电网装备产业园", "储能电池生产基地"}
    a = rows["智能电网装备产业园"]
    col = {name: i for i, name in enumerate(header)}
    assert a[col["计划总投资（万元）"]] == 1234567
    assert a[col["企业名称"]] == "许继集团有限公司"
    assert a[col["当前阶段"]] == "开工"
    assert a[col["签约日期"]] == dt.datetime(2025, 5, 20)
    assert a[col["开工日期"]] == dt.datetime(2025, 8, 8)
    assert a[col["到位资金（万元）"]] == 20000
    assert a[col["两高"]] == "是"
    money = ws.cell(row=4, column=col["计划总投资（万元）"] + 1)
    assert money.number_format == "#,##0"
    assert ws.freeze_panes == "A4"
    assert ws.auto_filter.ref == f"A3:Q{ws.max_row}"
    # Stored with Excel's padding: 26.71 is what Excel shows as a width of 26 characters.
    assert 26 <= ws.column_dimensions["B"].width < 27
    assert ws.page_setup.orientation == "landscape"
    # fitToWidth may be left out: 1 is its default in the file format (ECMA-376 §18.3.1.64).
    assert (ws.page_setup.fitToWidth or 1) == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.print_title_rows == "$3:$3"
    assert ws.page_setup.paperSize == 9 and "&P" in ws.oddFooter.center.text


def test_filters(store: Any, leads: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "ledger.xlsx"
    write_ledger(store.conn, LedgerFilter(stage="negotiating"), out, today="2025-09-30")
    names = [r[1] for r in load_workbook(out).active.iter_rows(min_row=4, values_only=True)]
    assert names == ["储能电池生产基地"]
    write_ledger(store.conn, LedgerFilter(unit="许昌县", date_from="2025-05-01",
                                          date_to="2025-05-31"), out, today="2025-09-30")
    ws = load_workbook(out).active
    assert [r[1] for r in ws.iter_rows(min_row=4, values_only=True)] == ["智能电网装备产业园"]
    assert "责任单位：许昌县" in ws["A2"].value


def test_pdf_is_landscape_with_every_lead(store: Any, leads: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "ledger.pdf"
    write_ledger(store.conn, LedgerFilter(), out, today="2025-09-30")
    box = pdf_reader(out).pages[0].mediabox
    assert float(box.width) > float(box.height)
    text = pdf_text(out)
    for expected in ("招商项目台账", "截至2025年9月30日", "智能电网装备产业园", "1,234,567",
                     "2025-05-20", "储能电池生产基地", "许昌县",
                     "".join(("项目分两期建设，一期建设智能电网装备生产线及配套研发中心" * 2).split())):
        assert expected in text, expected
    assert "已删除项目" not in text


def test_long_ledger_repeats_header(store: Any, tmp_path: Path) -> None:
    for i in range(90):
        lead = store.create("lead", {"name": f"测试项目{i:03d}", "investment_wan": 1000 + i})
        store.create("lead_stage_change", {"lead_id": lead["id"], "stage": "clue", "date": "2025-09-01"})
    out = tmp_path / "ledger.pdf"
    write_ledger(store.conn, LedgerFilter(), out, today="2025-09-30")
    pages = pdf_pages(out)
    assert len(pages) >= 2
    for page in pages:
        assert "序号项目名称企业名称" in page
    assert "测试项目089" in "".join(pages)


def test_wrong_extension_writes_nothing(store: Any, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(ValidationError) as info:
        write_ledger(store.conn, LedgerFilter(), folder / "ledger.docx")
    assert info.value.field == "out"
    assert list(folder.iterdir()) == []


def test_name_filter_and_cancel(store: Any, leads: dict[str, Any], tmp_path: Path) -> None:
    import threading

    from app.reports.blocks import ReportCancelled

    out = tmp_path / "ledger.xlsx"
    write_ledger(store.conn, LedgerFilter(text="电网"), out, today="2025-09-30")
    ws = load_workbook(out).active
    assert [r[1] for r in ws.iter_rows(min_row=4, values_only=True)] == ["智能电网装备产业园"]
    assert "项目名称含“电网”" in ws["A2"].value
    cancel = threading.Event()
    cancel.set()
    for name in ("cancelled.pdf", "cancelled.xlsx"):
        with pytest.raises(ReportCancelled):
            write_ledger(store.conn, LedgerFilter(), tmp_path / name, cancel=cancel)
        assert not (tmp_path / name).exists()

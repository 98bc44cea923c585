"""Exports: CSV with BOM, formatted xlsx, and the round trip export → import changes nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest

from app.reports.export import write_table
from app.storage.importer import run_import
from app.storage.importer.export_rows import enterprise_table, lead_table
from tests.unit.importer.sheets import (
    ENTERPRISE_HEADER,
    LEAD_HEADER,
    USCC_XJ,
    USCC_YT,
    enterprise_row,
    lead_row,
    xlsx,
)

TODAY = "2025-09-30"


@pytest.fixture
def filled(store, tmp_path):
    xlsx(tmp_path / "e.xlsx", [
        ENTERPRISE_HEADER,
        enterprise_row(企业名称="许继集团有限公司", 统一社会信用代码=USCC_XJ, 产业链="高端装备",
                       企业标签="上市公司、链主企业", 联系人="王强", 职务="总经理", 手机="13812345678",
                       备注="多行\n备注"),
        enterprise_row(企业名称="许继集团有限公司", 统一社会信用代码=USCC_XJ, 联系人="李娜"),
        enterprise_row(企业名称="宇通客车（郑州）有限公司", 统一社会信用代码=USCC_YT, 重点区域="中原"),
        enterprise_row(企业名称="Foxconn 富士康", 所在城市="郑州市"),
    ])
    run_import(store, "enterprises", tmp_path / "e.xlsx")
    xlsx(tmp_path / "l.xlsx", [
        LEAD_HEADER,
        lead_row(**{"项目名称": "储能电池项目", "企业名称": "许继集团有限公司", "计划总投资（万元）": 1234567,
                    "当前阶段": "签约", "线索日期": "2025-03-01", "签约日期": "2025-06-30",
                    "实际到位资金（万元）": 800, "是否两高": "是", "责任单位": "经开区"}),
        lead_row(**{"项目名称": "智能网联客车", "企业名称": "宇通客车（郑州）有限公司", "当前阶段": "终止",
                    "在谈日期": "2025-02-01", "终止日期": "2025-05-01"}),
        lead_row(**{"项目名称": "无主项目", "合同外资（万美元）": 300}),
    ])
    run_import(store, "leads", tmp_path / "l.xlsx", today=TODAY)
    return store


@pytest.mark.parametrize("kind", ["enterprises", "leads"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_reimports_unchanged(filled, tmp_path, kind, fmt):
    table = (enterprise_table if kind == "enterprises" else lead_table)(filled.conn)
    out = write_table(table, tmp_path / f"out.{fmt}", fmt)
    s = run_import(filled, kind, out, today="2026-01-01").summary()
    assert s["created"] == {} and s["updated"] == {}, s
    assert s["warnings"] == [] and s["ignored_columns"] == []
    assert sum(s["unchanged"].values()) > 0


def test_csv_has_bom_and_import_headers(filled, tmp_path):
    out = write_table(enterprise_table(filled.conn), tmp_path / "e.csv", "csv")
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    first = data[3:].decode("utf-8").splitlines()[0]
    assert first.split(",") == ENTERPRISE_HEADER
    # One row per contact; an enterprise without contacts still has its row.
    assert len(enterprise_table(filled.conn).rows) == 4


def test_xlsx_formats(filled, tmp_path):
    out = write_table(lead_table(filled.conn), tmp_path / "l.xlsx", "xlsx")
    ws = openpyxl.load_workbook(out).active
    headers = [c.value for c in ws[1]]
    assert headers[:7] == ["项目名称", "企业名称", "统一社会信用代码", "产业链", "项目来源",
                           "计划总投资（万元）", "当前阶段"]
    assert "终止日期" in headers and "实际到位外资（万美元）" in headers
    assert all(c.font.b for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:{ws.cell(1, len(headers)).column_letter}4"
    assert ws.column_dimensions["A"].width >= 10
    rows = {r[0].value: r for r in ws.iter_rows(min_row=2)}
    money = rows["储能电池项目"][headers.index("计划总投资（万元）")]
    assert money.value == 1234567 and money.number_format == "#,##0"
    signed = rows["储能电池项目"][headers.index("签约日期")]
    assert signed.is_date and signed.value == dt.datetime(2025, 6, 30)
    assert rows["储能电池项目"][headers.index("当前阶段")].value == "签约"
    assert rows["储能电池项目"][headers.index("是否两高")].value == "是"
    assert rows["智能网联客车"][headers.index("终止日期")].value == dt.datetime(2025, 5, 1)


def test_filters(filled, tmp_path):
    assert len(enterprise_table(filled.conn, {"region": "中原"}).rows) == 1
    assert len(enterprise_table(filled.conn, {"tag": "链主企业"}).rows) == 2
    assert [r[0] for r in lead_table(filled.conn, {"stage": "terminated"}).rows] == ["智能网联客车"]
    assert [r[0] for r in lead_table(filled.conn, {"unit": "经开区"}).rows] == ["储能电池项目"]


def test_text_starting_with_equals_stays_text_in_xlsx(store, tmp_path):
    store.create("enterprise", {"name": "=甲公司", "notes": "=1+2"})
    out = write_table(enterprise_table(store.conn), tmp_path / "e.xlsx", "xlsx")
    ws = openpyxl.load_workbook(out, data_only=True).active
    assert ws["A2"].value == "=甲公司" and ws["M2"].value == "=1+2"
    s = run_import(store, "enterprises", out).summary()
    assert s["unchanged"] == {"enterprise": 1}


def test_formula_like_text_is_quoted_in_csv_and_imports_back_unchanged(store, tmp_path):
    store.create("enterprise", {"name": "=甲公司", "notes": '=HYPERLINK("http://x","点我")',
                                "address": "-1号楼", "tags": ["上市公司"]})
    out = write_table(enterprise_table(store.conn), tmp_path / "e.csv", "csv")
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    row = dict(zip(rows[0], rows[1], strict=True))
    # A spreadsheet would run these as formulas; the apostrophe keeps them text.
    assert row["企业名称"] == "'=甲公司"
    assert row["备注"] == "'=HYPERLINK(\"http://x\",\"点我\")"
    assert row["地址"] == "'-1号楼" and row["企业标签"] == "上市公司"
    s = run_import(store, "enterprises", out).summary()
    assert s["unchanged"] == {"enterprise": 1}
    e = store.list("enterprise")[0]
    assert (e["name"], e["notes"], e["address"]) == ("=甲公司", '=HYPERLINK("http://x","点我")',
                                                     "-1号楼")

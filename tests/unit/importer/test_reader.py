"""Reading files: the fast .xlsx reader agrees with openpyxl; CSV encodings; .xls; sheets."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from app.domain.errors import ValidationError
from app.storage.importer import reader, xlsx
from app.storage.importer.reader import decode_text, read_sheet


def _trim(rows):
    out = []
    for number, cells in rows:
        cells = list(cells)
        while cells and cells[-1] is None:
            cells.pop()
        out.append((number, cells))
    while out and not out[-1][1]:
        out.pop()
    return out


def _messy_book(path, *, write_only=False, date1904=False):
    book = openpyxl.Workbook(write_only=write_only)
    ws = book.create_sheet("名单") if write_only else book.active
    if not write_only:
        ws.title = "名单"
    book.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904 if date1904 else book.epoch
    rows = [
        ["2025年重点企业名单"],
        [],
        ["企业名称", "金额", "日期", "是否", "手机", "比例", "说明"],
        ["许继集团", 12500, dt.datetime(2025, 6, 30), True, 13812345678, 0.125, "１２３"],
        ["宇通", 1.25, dt.datetime(2025, 1, 5, 14, 30), False, "13912345678", -3, None],
        [None, None, None, None, None, None, "=A4&A5"],
        ["中原", 10 ** 12, dt.date(1900, 2, 1), None, "", None, "  空格  "],
    ]
    for r in rows:
        ws.append(r)
    if not write_only:
        ws.merge_cells("A1:G1")
        ws["B4"].number_format = "#,##0"
        ws["C5"].number_format = 'yyyy"年"m"月"d"日"'
        ws["F4"].number_format = "0.00%"
        ws.cell(10, 3, "隔行")  # a gap of blank rows, then a sparse row
        ws.cell(11, 1, CellRichText([TextBlock(InlineFont(b=True), "粗体"), "正文"]))
    book.save(path)
    return path


@pytest.mark.parametrize("write_only", [False, True])
@pytest.mark.parametrize("date1904", [False, True])
def test_fast_xlsx_reader_agrees_with_openpyxl(tmp_path, write_only, date1904):
    path = _messy_book(tmp_path / "a.xlsx", write_only=write_only, date1904=date1904)
    fast = read_sheet(path)
    slow = reader._read_xlsx_openpyxl(path, None)
    assert fast.name == slow.name == "名单"
    assert _trim(fast.rows) == _trim(slow.rows)
    by_row = dict(fast.rows)
    if not write_only:  # merged cells give every cell of the area the top-left value
        assert by_row[1] == ["2025年重点企业名单"] * 7
    assert by_row[4][:5] == ["许继集团", 12500, dt.date(2025, 6, 30), True, 13812345678]
    assert by_row[5][2] == dt.datetime(2025, 1, 5, 14, 30)
    assert by_row[6][6] is None  # a formula without a cached value reads as empty (data_only)
    if not write_only:
        assert by_row[11][0] == "粗体正文" and by_row[8] == [] and by_row[10][2] == "隔行"


def test_date_format_detection():
    assert xlsx.is_date_format('yyyy"年"m"月"d"日"')
    assert xlsx.is_date_format("m/d/yy h:mm")
    assert not xlsx.is_date_format("#,##0")
    assert not xlsx.is_date_format('#,##0 "万元"')
    assert not xlsx.is_date_format("0.00%")
    assert not xlsx.is_date_format("[Red]0.00")


def test_unknown_sheet_lists_nothing_written(tmp_path):
    path = _messy_book(tmp_path / "a.xlsx")
    with pytest.raises(ValidationError) as exc:
        read_sheet(path, "二月")
    assert exc.value.code == "sheet_missing" and exc.value.params["value"] == "二月"
    assert read_sheet(path, " 名单 ").name == "名单"


def test_broken_xlsx_is_unreadable(tmp_path):
    path = tmp_path / "a.xlsx"
    path.write_bytes(b"not a zip")
    with pytest.raises(ValidationError) as exc:
        read_sheet(path)
    assert exc.value.code == "file_unreadable"


def test_decode_text_detects_utf8_bom_and_gbk():
    text = "企业名称,手机\n许继,138"
    assert decode_text(text.encode("utf-8")) == text
    assert decode_text(b"\xef\xbb\xbf" + text.encode("utf-8")) == text
    assert decode_text(text.encode("gbk")) == text
    assert decode_text("䶮".encode("gb18030")) == "䶮"


def test_csv_rows_blank_cells_and_tab_separated(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text('标题\n\n企业名称,备注\n许继,"多行\n备注"\n宇通,\n', encoding="utf-8")
    rows = read_sheet(path).rows
    assert rows == [(1, ["标题"]), (2, []), (3, ["企业名称", "备注"]), (4, ["许继", "多行\n备注"]),
                    (5, ["宇通", None])]
    tsv = tmp_path / "b.csv"
    tsv.write_text("企业名称\t备注\n许继\t有,逗号\n", encoding="utf-8")
    assert read_sheet(tsv).rows[1] == (2, ["许继", "有,逗号"])


def test_xls_dates_and_numbers(tmp_path):
    pytest.importorskip("xlwt", reason="xlwt (dev extra) writes the .xls fixture")
    from tests.unit.importer.sheets import xls

    path = xls(tmp_path / "a.xls", [["企业名称", "日期", "手机", "金额"],
                                     ["许继", dt.date(2025, 6, 30), 13812345678, 1.25]], title="名单")
    rows = read_sheet(path).rows
    assert rows[2] == (3, ["许继", dt.date(2025, 6, 30), 13812345678, 1.25])

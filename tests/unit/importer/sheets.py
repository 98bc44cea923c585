"""Building deliberately messy spreadsheets for import tests."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from tests.factories import make_uscc

# Valid codes for the enterprises the tests use.
USCC_XJ = make_uscc("91411000174280000")
USCC_YT = make_uscc("91410100170060000")
USCC_ZM = make_uscc("91410000706784000")

ENTERPRISE_HEADER = ["企业名称", "统一社会信用代码", "产业链", "所在省份", "所在城市", "重点区域",
                     "企业标签", "地址", "网址", "联系人", "职务", "手机", "备注"]
LEAD_HEADER = ["项目名称", "企业名称", "统一社会信用代码", "产业链", "项目来源", "计划总投资（万元）",
               "当前阶段", "线索日期", "在谈日期", "签约日期", "注册日期", "开工日期", "投产日期",
               "终止日期", "实际到位资金（万元）", "合同外资（万美元）", "实际到位外资（万美元）",
               "责任单位", "责任人", "是否两高", "备注"]


def xlsx(path: Path, rows: list[list[Any]], *, title: str | None = None,
         subtitle: str | None = None, sheet: str = "Sheet1", extra_sheets: tuple[str, ...] = ()) -> Path:
    """An .xlsx whose header sits below a merged title row (and maybe a subtitle row)."""
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    width = max(len(r) for r in rows)
    if title:
        ws.append([title])
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=width)
    if subtitle:
        ws.append([subtitle])
    for r in rows:
        ws.append(r)
    for name in extra_sheets:
        book.create_sheet(name).append(["别的表"])
    book.save(path)
    return path


def csv_file(path: Path, rows: list[list[Any]], *, encoding: str = "utf-8") -> Path:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(
        [["" if c is None else c for c in r] for r in rows])
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def xls(path: Path, rows: list[list[Any]], *, title: str | None = None) -> Path:
    import datetime as dt

    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("台账")
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    offset = 0
    if title:
        ws.write_merge(0, 0, 0, len(rows[0]) - 1, title)
        offset = 1
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, dt.date):
                ws.write(r + offset, c, value, date_style)
            else:
                ws.write(r + offset, c, value)
    book.save(str(path))
    return path


def enterprise_row(**values: Any) -> list[Any]:
    """A row in ENTERPRISE_HEADER order from Chinese column names."""
    return [values.get(h) for h in ENTERPRISE_HEADER]


def lead_row(**values: Any) -> list[Any]:
    return [values.get(h) for h in LEAD_HEADER]

"""Trip report and itinerary: read back from PDF and Word, sections, fonts, layout rules."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from docx import Document as read_docx
from docx.oxml.ns import qn
from docx.shared import Mm

from app.reports.trip_report import write_itinerary, write_trip_report
from app.reports.trip_text import propose_sections
from app.storage.report_data import load_trip

from .data import LONG_OUTCOME, build_trip
from .helpers import docx_text, pdf_fonts, pdf_pages, pdf_reader, pdf_text


@pytest.fixture
def trip(store: Any) -> dict[str, Any]:
    return build_trip(store)


def test_trip_pdf_sections_and_figures(store: Any, trip: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "trip.pdf"
    result = write_trip_report(store.conn, trip["trip"]["id"], out)
    assert result.warnings == []
    text = pdf_text(out)
    for expected in (
        "出差招商工作情况报告", "（赴长三角招商小分队）",
        "一、基本情况", "2025年9月1日至2025年9月3日", "由张建国带队", "历时3天",
        "共走访企业2家", "开展洽谈2场（次）",
        "二、主要成效", "新增项目线索1个", "意向投资总额5.00亿元", "储能电池生产基地", "50,000",
        "强烈意向1家", "有意向1家", "智能电网装备产业园", "线索→在谈",
        "三、存在问题", "四、下步打算", "附件1：走访企业明细", "附件2：跟进事项",
        "许继集团有限公司", "赵刚（副总经理）", "达成初步合作意向", "10:00（东京时间）",
        "报送项目用地需求", "王伟", "2025年9月30日", "寄送产业政策汇编", "已完成",
    ):
        assert expected in text, expected
    # The long outcome wraps inside its cell (continuing in further rows, maybe on the next
    # page): every character is printed, none clipped.
    assert "".join(LONG_OUTCOME.split()) in _without_page_furniture(text)


def test_trip_pdf_page_format(store: Any, trip: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "trip.pdf"
    result = write_trip_report(store.conn, trip["trip"]["id"], out)
    reader = pdf_reader(out)
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 portrait
    pages = pdf_pages(out)
    assert result.pages == len(pages)
    for n, page in enumerate(pages, 1):
        assert f"—{n}—" in page
    # The bundled font is embedded as a subset (the "ABCDEF+" tag), nothing else carries text.
    assert any(name.endswith("WenQuanYiMicroHei-0") and "+" in name for name in pdf_fonts(out))


def test_table_header_repeats_on_every_page(store: Any, tmp_path: Path) -> None:
    ids = build_trip(store, extra_visits=40)
    out = tmp_path / "long.pdf"
    write_trip_report(store.conn, ids["trip"]["id"], out)
    pages = pdf_pages(out)
    attachment_pages = [p for p in pages if "第40次回访" in p or "第20次回访" in p]
    assert len(pages) >= 4
    # Every page that continues the visit table starts it with the header row again.
    visit_pages = [p for p in pages[pages.index(next(p for p in pages if "附件1" in p)):]
                   if "回访" in p]
    assert len(visit_pages) >= 2 and attachment_pages
    for page in visit_pages:
        assert "日期时间企业名称会见人员拜访结果" in page


def test_trip_docx(store: Any, trip: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "trip.docx"
    write_trip_report(store.conn, trip["trip"]["id"], out)
    text = docx_text(out)
    for expected in ("出差招商工作情况报告", "一、基本情况", "意向投资总额5.00亿元", "（一）新增项目线索",
                     "三、存在问题", "许继集团有限公司", "报送项目用地需求", "2025年9月30日"):
        assert expected in text, expected
    doc = read_docx(str(out))
    section = doc.sections[0]
    assert abs(section.top_margin - Mm(37)) < Mm(0.1)
    assert abs(section.left_margin - Mm(28)) < Mm(0.1)
    assert abs(section.right_margin - Mm(26)) < Mm(0.1)
    assert abs(section.bottom_margin - Mm(35)) < Mm(0.1)
    rfonts = doc.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert rfonts.get(qn("w:eastAsia")) == "仿宋"
    title_run = doc.paragraphs[0].runs[0]
    assert title_run.font.size.pt == 22
    assert title_run.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "宋体"
    # Header rows repeat on every page; the footer numbers pages with a PAGE field.
    for table in doc.tables:
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    heading = next(p for p in doc.paragraphs if p.text == "三、存在问题")
    assert heading.paragraph_format.keep_with_next
    grid = doc.tables[0]._tbl.tblGrid.findall(qn("w:gridCol"))
    assert len({g.get(qn("w:w")) for g in grid}) > 1  # proportional, not the even default
    footer_xml = section.footer._element.xml
    assert "PAGE" in footer_xml and "—" in footer_xml


def test_sections_proposed_from_notes_and_follow_ups(store: Any, trip: dict[str, Any]) -> None:
    proposed = propose_sections(load_trip(store.conn, trip["trip"]["id"]))
    assert "东京精密机械株式会社未能成行（已取消）" in proposed["problems"]
    assert "企业担心用电成本偏高" in proposed["problems"]
    assert "报送项目用地需求（责任人：王伟；完成时限：2025年9月30日）" in proposed["next_steps"]
    assert "寄送产业政策汇编" not in proposed["next_steps"]  # done already


def test_saved_sections_win(store: Any, trip: dict[str, Any], tmp_path: Path) -> None:
    store.update("trip", trip["trip"]["id"], {"problems": "土地指标紧张。", "next_steps": "月底前回访。"})
    out = tmp_path / "trip.pdf"
    write_trip_report(store.conn, trip["trip"]["id"], out)
    text = pdf_text(out)
    assert "土地指标紧张。" in text and "月底前回访。" in text
    assert "未能成行" not in text


def test_itinerary(store: Any, trip: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "itinerary.pdf"
    write_itinerary(store.conn, trip["trip"]["id"], out)
    text = pdf_text(out)
    for expected in (
        "赴长三角招商小分队行程单", "2025年9月1日（星期一）", "2025年9月3日（星期三）",
        "09:30", "许继集团有限公司", "许昌市许继大道1298号", "赵刚（副总经理）13800138000",
        "洽谈智能电网装备项目", "上海市嘉定区安亭镇墨玉南路888号", "钱敏（投资总监）13912345678",
        "15:30（东京时间）", "東京都港区芝公園4-2-8", "考察精密减速器产线",
    ):
        assert expected in text, expected
    assert "10:00（东京时间）" not in text  # the cancelled visit is not on the itinerary


def test_outcome_longer_than_a_page_continues(store: Any, tmp_path: Path) -> None:
    ids = build_trip(store)
    huge = LONG_OUTCOME * 12  # about 1,700 characters: taller than an A4 page in a cell
    visit = store.list("visit", {"enterprise_id": ids["e2"]["id"]})[0]
    store.update("visit", visit["id"], {"outcome": huge})
    out = tmp_path / "trip.pdf"
    write_trip_report(store.conn, ids["trip"]["id"], out)
    assert "".join(huge.split()) in _without_page_furniture(pdf_text(out))


def _without_page_furniture(text: str) -> str:
    """Continuation rows may cross a page: drop page numbers and repeated header rows."""
    return re.sub(r"—\d+—", "", text).replace("日期时间企业名称会见人员拜访结果", "")

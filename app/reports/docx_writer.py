"""Render a report Document to Word (.docx) that WPS 文字 and Word open with Chinese fonts."""

from __future__ import annotations

from pathlib import Path

from docx import Document as new_docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from app.reports.blocks import Document, Heading, PageBreak, Para, Subtitle, Table, Title

# East-Asian font names as Chinese offices have them (Windows ships all four); w:eastAsia
# must name them or WPS/Word fall back to a Latin font's CJK substitute.
BODY_FONT = "仿宋"
TITLE_FONT = "宋体"
H1_FONT = "黑体"
H2_FONT = "楷体"
LATIN_FONT = "Times New Roman"
_ALIGN = {"LEFT": WD_ALIGN_PARAGRAPH.LEFT, "CENTER": WD_ALIGN_PARAGRAPH.CENTER,
          "RIGHT": WD_ALIGN_PARAGRAPH.RIGHT}


def _set_fonts(run_or_style: object, east_asia: str, size: float | None = None) -> None:
    font = run_or_style.font  # type: ignore[attr-defined]
    font.name = LATIN_FONT
    if size is not None:
        font.size = Pt(size)
    rpr = run_or_style.element.get_or_add_rPr()  # type: ignore[attr-defined]
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    rfonts.set(qn("w:eastAsia"), east_asia)
    rfonts.set(qn("w:ascii"), LATIN_FONT)
    rfonts.set(qn("w:hAnsi"), LATIN_FONT)


def _page_field(paragraph: object) -> None:
    """"— PAGE —" as a field, so Word and WPS number every page themselves."""
    from app.domain.messages import report_text

    before, after = report_text("page_number", page="\0").split("\0")
    p = paragraph  # type: ignore[assignment]
    run = p.add_run(before)  # type: ignore[attr-defined]
    _set_fonts(run, TITLE_FONT, 14)
    run = p.add_run()  # type: ignore[attr-defined]
    _set_fonts(run, TITLE_FONT, 14)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {text} "
        run._r.append(el)
    run = p.add_run(after)  # type: ignore[attr-defined]
    _set_fonts(run, TITLE_FONT, 14)


def _repeat_header(row: object) -> None:
    trpr = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    trpr.append(el)


def render_docx(doc: Document, path: Path) -> None:
    """Write `doc` to `path` (the caller makes that atomic)."""
    d = new_docx()
    section = d.sections[0]
    if doc.landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
        section.top_margin = section.bottom_margin = Mm(20)
        section.left_margin = section.right_margin = Mm(15)
    else:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(20)
    d.core_properties.title = doc.title
    d.core_properties.author = "FieldDesk"

    normal = d.styles["Normal"]
    _set_fonts(normal, BODY_FONT, 16)
    pf = normal.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(28.9)
    pf.space_before = pf.space_after = Pt(0)

    # Odd pages number at the right, even pages at the left (GB/T 9704).
    d.settings.odd_and_even_pages_header_footer = True
    odd = section.footer.paragraphs[0]
    odd.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _page_field(odd)
    even = section.even_page_footer.paragraphs[0]
    even.alignment = WD_ALIGN_PARAGRAPH.LEFT
    _page_field(even)

    for block in doc.blocks:
        if isinstance(block, Title):
            p = d.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.paragraph_format.line_spacing = Pt(36)
            _set_fonts(p.add_run(block.text), TITLE_FONT, 22)
        elif isinstance(block, Subtitle):
            p = d.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.paragraph_format.space_after = Pt(16)
            _set_fonts(p.add_run(block.text), H2_FONT, 16)
        elif isinstance(block, Heading):
            p = d.add_paragraph()
            p.paragraph_format.first_line_indent = Pt(32)
            p.paragraph_format.keep_with_next = True  # never the last line of a page
            _set_fonts(p.add_run(block.text), H1_FONT if block.level == 1 else H2_FONT, 16)
        elif isinstance(block, Para):
            for line in block.text.split("\n"):
                if not line.strip():
                    continue
                p = d.add_paragraph()
                if block.indent:
                    p.paragraph_format.first_line_indent = Pt(32)
                _set_fonts(p.add_run(line), BODY_FONT, 16)
        elif isinstance(block, Table):
            _table(d, block, doc)
        elif isinstance(block, PageBreak):
            d.add_page_break()
    d.save(str(path))


def _table(d: object, block: Table, doc: Document) -> None:
    total = sum(c.width for c in block.columns)
    text_mm = (297 - 30) if doc.landscape else (210 - 28 - 26)
    t = d.add_table(rows=1, cols=len(block.columns))  # type: ignore[attr-defined]
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    widths = [Mm(text_mm * c.width / total) for c in block.columns]
    # Word reads the cell widths, LibreOffice and WPS the grid: set both.
    for column, width in zip(t.columns, widths, strict=True):
        column.width = width
    size = block.font_size

    def fill(cell: object, text: str, align: str, width: int) -> None:
        cell.width = width  # type: ignore[attr-defined]
        p = cell.paragraphs[0]  # type: ignore[attr-defined]
        p.alignment = _ALIGN[align]
        p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        p.paragraph_format.first_line_indent = Pt(0)
        lines = (text or "").split("\n")
        for j, line in enumerate(lines):
            run = p.add_run(line)
            _set_fonts(run, BODY_FONT, size)
            if j < len(lines) - 1:
                run.add_break()

    header = t.rows[0]
    _repeat_header(header)
    for i, c in enumerate(block.columns):
        fill(header.cells[i], c.header, "CENTER", widths[i])
    for row in block.rows:
        cells = t.add_row().cells
        for i, c in enumerate(block.columns):
            fill(cells[i], row[i], c.align, widths[i])

"""Render a report Document to PDF with reportlab, laid out in the spirit of GB/T 9704."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Paragraph,
    SimpleDocTemplate,
)
from reportlab.platypus import (
    PageBreak as RLPageBreak,
)

from app.domain.messages import report_text
from app.reports import fonts
from app.reports.blocks import (
    Document,
    Heading,
    PageBreak,
    Para,
    Subtitle,
    Table,
    Title,
    check_cancel,
)
from app.reports.linebreak import NO_LINE_START, wrap
from app.reports.paged_table import PADDING_X, PagedTable, TableSpec


def _extend_kinsoku() -> None:
    """WORKAROUND: reportlab's "cannot start a line" list has the Japanese marks but not the
    full-width Chinese ，；：？！ and closing quotes, so body text could start a line with "，".
    Both modules hold their own copy of the string."""
    import reportlab.lib.textsplit as textsplit
    import reportlab.platypus.paragraph as paragraph

    missing = "".join(ch for ch in NO_LINE_START if ch not in textsplit.ALL_CANNOT_START)
    textsplit.ALL_CANNOT_START += missing
    paragraph.ALL_CANNOT_START = textsplit.ALL_CANNOT_START  # type: ignore[attr-defined]


_extend_kinsoku()

# GB/T 9704: top 37 mm, left 28 mm, right 26 mm, bottom 35 mm (portrait). A landscape ledger
# needs the width for its columns, so it keeps narrower margins.
PORTRAIT_MARGINS = (37 * mm, 28 * mm, 26 * mm, 35 * mm)  # top, left, right, bottom
LANDSCAPE_MARGINS = (20 * mm, 15 * mm, 15 * mm, 20 * mm)
BODY_SIZE = 16.0
BODY_LEADING = 28.9  # 22 lines to the 225 mm text block, as the standard asks
TITLE_SIZE = 22.0
PAGE_NUMBER_SIZE = 14.0
_ALIGN = {"LEFT": TA_LEFT, "CENTER": TA_CENTER, "RIGHT": TA_RIGHT}


def _styles(font: str) -> dict[str, ParagraphStyle]:
    return {
        "title": ParagraphStyle("title", fontName=font, fontSize=TITLE_SIZE, leading=TITLE_SIZE * 1.5,
                                alignment=TA_CENTER, spaceAfter=6, wordWrap="CJK"),
        "subtitle": ParagraphStyle("subtitle", fontName=font, fontSize=BODY_SIZE,
                                   leading=BODY_LEADING, alignment=TA_CENTER, spaceAfter=BODY_SIZE,
                                   wordWrap="CJK"),
        "h1": ParagraphStyle("h1", fontName=font, fontSize=BODY_SIZE, leading=BODY_LEADING,
                             firstLineIndent=2 * BODY_SIZE, wordWrap="CJK"),
        "h2": ParagraphStyle("h2", fontName=font, fontSize=BODY_SIZE, leading=BODY_LEADING,
                             firstLineIndent=2 * BODY_SIZE, wordWrap="CJK"),
        "body": ParagraphStyle("body", fontName=font, fontSize=BODY_SIZE, leading=BODY_LEADING,
                               firstLineIndent=2 * BODY_SIZE, alignment=TA_JUSTIFY, wordWrap="CJK"),
        "body_flush": ParagraphStyle("body_flush", fontName=font, fontSize=BODY_SIZE,
                                     leading=BODY_LEADING, alignment=TA_LEFT, wordWrap="CJK"),
    }


class _Renderer:
    """One PDF build: styles, the glyph guard, and the page decoration."""

    def __init__(self, doc: Document, cancel: threading.Event | None = None) -> None:
        self.doc = doc
        self.cancel = cancel
        self.guard = fonts.GlyphGuard()
        self.font = fonts.FONT
        self.styles = _styles(self.font)
        self._cell_styles: dict[tuple[float, str], ParagraphStyle] = {}
        self.pagesize = landscape(A4) if doc.landscape else A4
        self.margins = LANDSCAPE_MARGINS if doc.landscape else PORTRAIT_MARGINS
        self.pages = 0

    @property
    def text_width(self) -> float:
        return float(self.pagesize[0] - self.margins[1] - self.margins[2])

    def build(self, path: Path) -> None:
        top, left, right, bottom = self.margins
        template = SimpleDocTemplate(
            str(path), pagesize=self.pagesize, topMargin=top, leftMargin=left,
            rightMargin=right, bottomMargin=bottom, title=self.doc.title, author="FieldDesk",
        )
        story = [f for block in self.doc.blocks for f in self._flowables(block)]
        template.build(story, onFirstPage=self._decorate, onLaterPages=self._decorate)

    def _flowables(self, block: Any) -> list[Any]:
        s = self.styles
        if isinstance(block, Title):
            return [Paragraph(self.guard.markup(block.text), s["title"])]
        if isinstance(block, Subtitle):
            return [Paragraph(self.guard.markup(block.text), s["subtitle"])]
        if isinstance(block, Heading):
            # A heading never ends a page alone; keepWithNext would instead push a whole
            # following table to the next page and leave half a page empty.
            return [CondPageBreak(BODY_LEADING * 3), Paragraph(self.guard.markup(block.text), s["h1" if block.level == 1 else "h2"])]
        if isinstance(block, Para):
            style = s["body"] if block.indent else s["body_flush"]
            return [Paragraph(self.guard.markup(line), style)
                    for line in block.text.split("\n") if line.strip()]
        if isinstance(block, Table):
            return [self._table(block)]
        if isinstance(block, PageBreak):
            return [RLPageBreak()]
        raise TypeError(type(block))

    def _cell_style(self, size: float, align: str) -> ParagraphStyle:
        key = (size, align)
        if key not in self._cell_styles:
            self._cell_styles[key] = ParagraphStyle(
                f"cell{size}{align}", fontName=self.font, fontSize=size, leading=size * 1.3,
                alignment=_ALIGN[align], wordWrap="CJK",
            )
        return self._cell_styles[key]

    def _table(self, table: Table) -> PagedTable:
        total = sum(c.width for c in table.columns)
        widths = [self.text_width * c.width / total for c in table.columns]
        size = table.font_size
        room = [w - 2 * PADDING_X - 0.5 for w in widths]
        styles = [self._cell_style(size, c.align) for c in table.columns]
        data: list[list[Any]] = [
            [self._cell_pieces(c.header, room[i], size, self._cell_style(size, "CENTER"), 99)[0]
             for i, c in enumerate(table.columns)]
        ]
        # A row may not be taller than a third of a frame: reportlab cannot split a row across
        # pages (its splitInRow loops on wrapped text), so longer cells continue in extra rows.
        frame = self.pagesize[1] - self.margins[0] - self.margins[3]
        max_lines = max(4, int((frame / 3 - 4) / (size * 1.3)))
        # Ledgers repeat most cell values (dates, units, chains, stages): wrap each once.
        known: dict[tuple[int, str], list[Any]] = {}
        for row in table.rows:
            pieces = []
            for i, text in enumerate(row):
                found = known.get((i, text or ""))
                if found is None:
                    found = self._cell_pieces(text or "", room[i], size, styles[i], max_lines)
                    if all(isinstance(p, str) for p in found):  # a Paragraph is drawn once
                        known[(i, text or "")] = found
                pieces.append(found)
            for n in range(max(len(p) for p in pieces)):
                data.append([p[n] if n < len(p) else "" for p in pieces])
        # Each page's slice is drawn under the header row, so the header repeats on every page.
        spec = TableSpec(header=data[0], rows=data[1:], col_widths=widths,
                         aligns=[c.align for c in table.columns], font=self.font, size=size,
                         leading=size * 1.3)
        paged = PagedTable(spec)
        paged.spaceBefore, paged.spaceAfter = 4, 8
        return paged

    def _cell_pieces(
        self, text: str, room: float, size: float, style: ParagraphStyle, max_lines: int
    ) -> list[Any]:
        """A cell as newline-wrapped plain text (fast, 禁则-aware) in pieces of at most
        `max_lines` lines; Paragraphs only when a fallback font must be switched in mid-text."""
        guard = self.guard
        if not guard.is_plain(text):
            markup = guard.markup(text)
            if "<font" in markup:
                # Pieces by characters: a full-width character is at most one em wide.
                step = max(1, int(room / size) * max_lines)
                return [Paragraph(guard.markup(text[i:i + step]), style)
                        for i in range(0, max(len(text), 1), step)]
            text = guard.plain(text)
        lines = wrap(text, room, self.font, size)
        return ["\n".join(lines[i:i + max_lines]) for i in range(0, len(lines), max_lines)]

    def _decorate(self, canvas: Any, doc: Any) -> None:
        """Page number "— n —" 7 mm below the text block: odd pages right, even pages left."""
        check_cancel(self.cancel)  # between pages: a cancelled build stops here
        page = canvas.getPageNumber()
        self.pages = max(self.pages, page)
        text = report_text("page_number", page=page)
        canvas.saveState()
        canvas.setFont(self.font, PAGE_NUMBER_SIZE)
        y = self.margins[3] - 7 * mm - PAGE_NUMBER_SIZE
        quad = PAGE_NUMBER_SIZE  # one character in from the edge of the text block
        if page % 2:
            canvas.drawRightString(self.pagesize[0] - self.margins[2] - quad, y, text)
        else:
            canvas.drawString(self.margins[1] + quad, y, text)
        canvas.restoreState()


def render_pdf(
    doc: Document, path: Path, cancel: threading.Event | None = None
) -> tuple[list[str], int]:
    """Write `doc` to `path` (the caller makes that atomic); returns (warnings, page count)."""
    renderer = _Renderer(doc, cancel)
    renderer.build(path)
    return renderer.guard.warnings(), renderer.pages

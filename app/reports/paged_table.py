"""A long ruled table that splits page by page in linear time, its header row on every page.

reportlab's Table.split builds a new Table of all remaining rows at every page break, and its
per-cell drawing makes a text object per string: a 10,000-row ledger (300 pages) took
minutes. Here cells are pre-wrapped text, so row heights are known up front; each page's rows
are found by bisecting prefix sums, and a page is drawn with one text object and one set of
rules. Paragraph cells (text needing a fallback font) are drawn as flowables.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

from reportlab.lib import colors
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Flowable, Paragraph

from app.reports.linebreak import text_width

PADDING_X = 3.0
PADDING_Y = 2.0
RULE = 0.5
HEADER_FILL = colors.HexColor("#E6E6E6")


class _TextOps:
    """PDF text operators for one table's strings, each string encoded once.

    WORKAROUND: PDFTextObject.textOut measures the string (to move a cursor we never use) and
    re-encodes it into font subsets on every call, 60 % of drawing a 10,000-row ledger. The
    subset a character goes to is fixed once assigned, so (subset, bytes) runs can be kept per
    string; the operators are those of PDFTextObject._formatText for a TrueType font.
    """

    def __init__(self, canvas: Any, font: str, size: float, leading: float) -> None:
        self.canvas, self.doc = canvas, canvas._doc
        self.font = pdfmetrics.getFont(font)
        self.select = f"{fp_str(size)} Tf {fp_str(leading)} TL"
        self.runs: dict[str, list[tuple[int, str]]] = {}
        self.names: dict[int, str] = {}

    def emit(self, code: list[str], current: int, x: float, y: float, line: str) -> int:
        """Append "draw `line` at (x, y)" to `code`; returns the subset now selected."""
        runs = self.runs.get(line)
        if runs is None:
            escape = self.canvas._escape
            runs = self.runs[line] = [(subset, f"({escape(chunk)}) Tj")
                                      for subset, chunk in self.font.splitString(line, self.doc)]
        code.append(f"1 0 0 1 {fp_str(x, y)} Tm")
        for subset, shown in runs:
            if subset != current:
                name = self.names.get(subset)
                if name is None:
                    name = self.names[subset] = self.font.getSubsetInternalName(subset, self.doc)
                code.append(f"{name} {self.select}")
                current = subset
            code.append(shown)
        return current


@dataclass
class TableSpec:
    """What every page of one table shares."""

    header: list[Any]
    rows: list[list[Any]]
    col_widths: list[float]
    aligns: list[str]  # LEFT, CENTER, RIGHT per column (the header is centred)
    font: str
    size: float
    leading: float
    # Encoded strings, kept for the document being drawn (set by PagedTable.text_ops).
    ops: _TextOps | None = field(default=None, repr=False, compare=False)


def _cell_height(cell: Any, width: float, leading: float) -> float:
    if isinstance(cell, Paragraph):
        return float(cell.wrap(width - 2 * PADDING_X, 1e6)[1])
    return leading * (cell.count("\n") + 1)


class PagedTable(Flowable):  # type: ignore[misc]
    """The rows from `start` on; splits into one _Page per frame."""

    def __init__(self, spec: TableSpec, start: int = 0,
                 heights: list[float] | None = None, prefix: list[float] | None = None) -> None:
        super().__init__()
        self.spec, self.start = spec, start
        if heights is None:
            heights = [self._row_height(r) for r in spec.rows]
        self.heights = heights
        self.header_height = self._row_height(spec.header)
        self.prefix = prefix if prefix is not None else [0.0, *accumulate(heights)]

    def _row_height(self, row: list[Any]) -> float:
        s = self.spec
        best = max(_cell_height(c, w, s.leading) for c, w in zip(row, s.col_widths, strict=True))
        return best + 2 * PADDING_Y

    def _page(self, end: int) -> _Page:
        return _Page(self, self.start, end)

    def text_ops(self, canvas: Any) -> _TextOps:
        """The string cache of this table in `canvas`'s document (shared by its pages)."""
        s = self.spec
        if s.ops is None or s.ops.canvas is not canvas:
            s.ops = _TextOps(canvas, s.font, s.size, s.leading)
        return s.ops

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = sum(self.spec.col_widths)
        self.height = self.header_height + self.prefix[-1] - self.prefix[self.start]
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Any]:
        room = avail_height - self.header_height + 1e-6
        # Rows start..end-1 fit when prefix[end] - prefix[start] <= room.
        end = bisect_right(self.prefix, self.prefix[self.start] + room, lo=self.start) - 1
        if end <= self.start:
            return []  # not even one row fits: the frame moves to the next page
        if end >= len(self.spec.rows):
            return [self._page(len(self.spec.rows))]
        rest = PagedTable(self.spec, start=end, heights=self.heights, prefix=self.prefix)
        return [self._page(end), rest]

    def draw(self) -> None:
        self._page(len(self.spec.rows)).draw_on_canvas(self.canv)


class _Page(Flowable):  # type: ignore[misc]
    """Rows start..end-1 of a PagedTable under its header row, drawn directly."""

    def __init__(self, table: PagedTable, start: int, end: int) -> None:
        super().__init__()
        self.table, self.start, self.end = table, start, end
        self.width = sum(table.spec.col_widths)
        self.height = table.header_height + table.prefix[end] - table.prefix[start]

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        self.draw_on_canvas(self.canv)

    def draw_on_canvas(self, canvas: Any) -> None:
        t, s = self.table, self.table.spec
        xs = [0.0, *accumulate(s.col_widths)]
        canvas.saveState()
        canvas.setFillColor(HEADER_FILL)
        canvas.rect(0, self.height - t.header_height, self.width, t.header_height, stroke=0, fill=1)
        canvas.setFillColor(colors.black)
        text = canvas.beginText()
        text.setFont(s.font, s.size, s.leading)
        ops, code = t.text_ops(canvas), text._code
        current = -1  # no subset selected yet in this text object
        rules = [(x, 0.0, x, self.height) for x in xs]
        top = self.height
        rows = [(s.header, t.header_height, ["CENTER"] * len(xs))]
        rows += [(s.rows[i], t.heights[i], s.aligns) for i in range(self.start, self.end)]
        for cells, h, aligns in rows:
            rules.append((0.0, top, self.width, top))
            bottom = top - h
            for col, cell in enumerate(cells):
                x0, width = xs[col], s.col_widths[col]
                if isinstance(cell, Paragraph):
                    _, ph = cell.wrap(width - 2 * PADDING_X, h)
                    cell.drawOn(canvas, x0 + PADDING_X, bottom + (h - ph) / 2)
                    continue
                if not cell:
                    continue
                lines = cell.split("\n")
                # Vertically centred; a line box is `leading` tall with the glyphs in its middle.
                y = bottom + (h + len(lines) * s.leading) / 2 - (s.leading + s.size * 0.76) / 2
                for line in lines:
                    if aligns[col] == "LEFT":
                        x = x0 + PADDING_X
                    else:
                        w = text_width(line, s.font, s.size)
                        x = x0 + width - PADDING_X - w if aligns[col] == "RIGHT" else x0 + (width - w) / 2
                    current = ops.emit(code, current, x, y, line)
                    y -= s.leading
            top = bottom
        rules.append((0.0, 0.0, self.width, 0.0))
        canvas.drawText(text)
        canvas.setLineWidth(RULE)
        canvas.lines(rules)
        canvas.restoreState()

"""A lean streaming .xlsx reader: cell values only, several times faster than openpyxl.

openpyxl's read-only mode builds a cell object per cell and parses the sheet twice when the
file has no <dimension>; on a 10,000-row list that was most of the import. This reads the
same values (tests compare it with openpyxl) and leaves formatting aside. Anything it does not
understand raises XlsxFormatError, and the caller falls back to openpyxl.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from typing import IO, Any
from xml.etree import ElementTree as ET

from app.storage.importer.reader import Row, normalise_cell

_BUILTIN_DATE_FORMATS = set(range(14, 23)) | set(range(27, 37)) | {45, 46, 47} | set(range(50, 59))
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')
_REF = re.compile(r"([A-Z]+)(\d+)")


class XlsxFormatError(Exception):
    """The file uses a part of the format this reader does not handle."""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _attr(el: ET.Element, name: str) -> str | None:
    """An attribute by local name, whatever its namespace (r:id, strict OOXML)."""
    for key, value in el.attrib.items():
        if _local(key) == name:
            return value
    return None


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def is_date_format(code: str) -> bool:
    """A custom number format shows a date when, outside quotes and [..], it has y, m, d or h."""
    bare = _QUOTED.sub("", code).lower()
    return any(ch in bare for ch in "ydh") or ("m" in bare and "0" not in bare)


class XlsxBook:
    """Sheet names and rows of one .xlsx file."""

    def __init__(self, zf: zipfile.ZipFile) -> None:
        self.zf = zf
        self.date1904 = False
        self.sheets: list[tuple[str, str]] = []  # (name, part path)
        self._load_workbook()
        self.strings = self._load_strings()
        self.date_styles = self._load_styles()

    def _xml(self, part: str) -> ET.Element:
        try:
            with self.zf.open(part) as f:
                return ET.parse(f).getroot()
        except KeyError as e:
            raise XlsxFormatError(f"missing part {part}") from e

    def _rels(self, part: str) -> dict[str, tuple[str, str]]:
        folder, name = posixpath.split(part)
        rels_part = posixpath.join(folder, "_rels", name + ".rels")
        out: dict[str, tuple[str, str]] = {}
        if rels_part not in self.zf.namelist():
            return out
        for rel in self._xml(rels_part):
            target = rel.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join(folder, target))
            out[rel.get("Id", "")] = (rel.get("Type", "").rsplit("/", 1)[-1], path)
        return out

    def _load_workbook(self) -> None:
        root_rels = self._rels("")
        book = next((p for t, p in root_rels.values() if t == "officeDocument"), "xl/workbook.xml")
        self.book_part = book
        root = self._xml(book)
        rels = self._rels(book)
        self.book_rels = rels
        for el in root.iter():
            tag = _local(el.tag)
            if tag == "workbookPr" and el.get("date1904") in ("1", "true"):
                self.date1904 = True
            elif tag == "sheet":
                rid = _attr(el, "id")
                if rid not in rels:
                    raise XlsxFormatError("sheet without a part")
                kind, path = rels[rid]
                if kind == "worksheet":
                    self.sheets.append((el.get("name", ""), path))

    def _part_of(self, kind: str) -> str | None:
        return next((p for t, p in self.book_rels.values() if t == kind), None)

    def _load_strings(self) -> list[str]:
        part = self._part_of("sharedStrings")
        if part is None or part not in self.zf.namelist():
            return []
        out: list[str] = []
        with self.zf.open(part) as f:
            for _, el in ET.iterparse(f):
                if _local(el.tag) == "si":
                    out.append(_text_of(el))
                    el.clear()
        return out

    def _load_styles(self) -> set[int]:
        part = self._part_of("styles")
        if part is None or part not in self.zf.namelist():
            return set()
        root = self._xml(part)
        custom: dict[int, str] = {}
        dates: set[int] = set()
        for el in root.iter():
            if _local(el.tag) == "numFmt":
                custom[int(el.get("numFmtId", "0"))] = el.get("formatCode", "")
        for el in root.iter():
            if _local(el.tag) == "cellXfs":
                for index, xf in enumerate(x for x in el if _local(x.tag) == "xf"):
                    fmt = int(xf.get("numFmtId", "0"))
                    if fmt in _BUILTIN_DATE_FORMATS or (fmt in custom and is_date_format(custom[fmt])):
                        dates.add(index)
        return dates

    def rows(self, part: str) -> list[Row]:
        out: list[Row] = []
        next_row = 1
        with self.zf.open(part) as f:
            events = ET.iterparse(f, events=("start", "end"))
            _, root = next(events)
            # Tags compared whole: one namespace per sheet (transitional or strict OOXML).
            ns = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
            tags = (ns + "row", ns + "c", ns + "v", ns + "is")
            merges: list[str] = []
            for event, el in events:
                if event != "end":
                    continue
                if el.tag == ns + "mergeCell":
                    merges.append(el.get("ref", ""))
                    continue
                if el.tag != tags[0]:
                    continue
                number = int(el.get("r") or next_row)
                next_row = number + 1
                # Rows missing from the file are blank rows: keep numbering as the sheet shows.
                while len(out) + 1 < number:
                    out.append((len(out) + 1, []))
                out.append((number, self._cells(el, tags)))
                el.clear()
                root.clear()  # drop the finished rows, so memory stays flat on large sheets
        fill_merged(out, [_range(ref) for ref in merges if ":" in ref])
        return out

    def _cells(self, row: ET.Element, tags: tuple[str, str, str, str]) -> list[Any]:
        cells: list[Any] = []
        for c in row.iter(tags[1]):
            ref = c.get("r")
            if ref:
                m = _REF.match(ref)
                if not m:
                    raise XlsxFormatError(f"bad cell reference {ref}")
                index = _column_index(m[1])
            else:
                index = len(cells)
            while len(cells) < index:
                cells.append(None)
            cells.append(self._value(c, tags))
        return cells

    def _value(self, c: ET.Element, tags: tuple[str, str, str, str]) -> Any:
        kind = c.get("t", "n")
        if kind == "inlineStr":
            node = c.find(tags[3])
            return _text_of(node) if node is not None else None
        v = c.findtext(tags[2])
        if not v:  # no value, or <v/> as a formula without a cached result is written
            return None
        if kind == "s":
            return self.strings[int(v)]
        if kind in ("str", "e"):
            return v if kind == "str" else None
        if kind == "b":
            return v.strip() in ("1", "true")
        if kind == "d":
            return normalise_cell(dt.datetime.fromisoformat(v.rstrip("Z")))
        number: float | int = float(v) if any(ch in v for ch in ".eE") else int(v)
        if int(c.get("s", "0")) in self.date_styles:
            return normalise_cell(_from_serial(float(number), self.date1904))
        return normalise_cell(number)


def _range(ref: str) -> tuple[int, int, int, int]:
    """"A5:B7" → (first row, last row, first column, last column), rows 1-based, columns 0-based."""
    start, end = ref.split(":", 1)
    m1, m2 = _REF.match(start), _REF.match(end)
    if not m1 or not m2:
        raise XlsxFormatError(f"bad merge range {ref}")
    return int(m1[2]), int(m2[2]), _column_index(m1[1]), _column_index(m2[1])


def fill_merged(rows: list[Row], ranges: list[tuple[int, int, int, int]]) -> None:
    """Give every cell of a merged area the value of its top-left cell.

    Lists merge 企业名称 down over the rows of one enterprise's contacts (or projects); a person
    sees the name on each of those rows, and so should the import.
    """
    for r1, r2, c1, c2 in ranges:
        if r1 > len(rows):
            continue
        top = rows[r1 - 1][1]
        value = top[c1] if c1 < len(top) else None
        if value is None:
            continue
        for r in range(r1, min(r2, len(rows)) + 1):
            cells = rows[r - 1][1]
            while len(cells) <= c2:
                cells.append(None)
            for c in range(c1, c2 + 1):
                cells[c] = value


def _text_of(node: ET.Element) -> str:
    """The text of a string item: its <t> and rich-text runs, without phonetic guides (<rPh>)."""
    parts: list[str] = []

    def walk(el: ET.Element) -> None:
        for child in el:
            tag = _local(child.tag)
            if tag == "t":
                parts.append(child.text or "")
            elif tag == "r":
                walk(child)
    walk(node)
    return "".join(parts)


def _from_serial(value: float, date1904: bool) -> dt.datetime:
    if date1904:
        base = dt.datetime(1904, 1, 1)
    elif value < 60:
        base = dt.datetime(1899, 12, 31)  # Excel's phantom 1900-02-29 comes after these
    else:
        base = dt.datetime(1899, 12, 30)
    # Serials carry float noise (14:30 is 0.6041666…); round to the millisecond as Excel does.
    return base + dt.timedelta(milliseconds=round(value * 86_400_000))


def open_book(source: IO[bytes] | str) -> XlsxBook:
    try:
        return XlsxBook(zipfile.ZipFile(source))
    except (ET.ParseError, ValueError, IndexError) as e:
        raise XlsxFormatError(str(e)) from e

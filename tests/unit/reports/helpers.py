"""Reading generated reports back: PDF text and fonts (pypdf), Word text (python-docx)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pypdf import PdfReader


def pdf_pages(path: Path) -> list[str]:
    """Each page's text with all white space removed (wrapping splits words anywhere)."""
    reader = PdfReader(str(path))
    return ["".join(page.extract_text().split()) for page in reader.pages]


def pdf_text(path: Path) -> str:
    return "".join(pdf_pages(path))


def pdf_fonts(path: Path) -> set[str]:
    reader = PdfReader(str(path))
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def pdf_reader(path: Path) -> Any:
    return PdfReader(str(path))


def docx_text(path: Path) -> str:
    """Body paragraphs and every table cell, white space removed."""
    from docx import Document

    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "".join("".join(parts).split())

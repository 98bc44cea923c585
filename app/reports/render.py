"""Write a report Document to the file type its name asks for, atomically."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from app.domain.errors import ValidationError
from app.reports.blocks import Document, ReportResult, check_cancel, write_atomic


def check_out_path(path: Path, allowed: Sequence[str]) -> str:
    """The lower-case suffix of `path`, or a ValidationError naming the `out` field."""
    suffix = Path(path).suffix.lower()
    if suffix not in allowed:
        raise ValidationError("out_format", "out", allowed="、".join(allowed))
    folder = Path(path).parent
    if str(folder) and not folder.is_dir():
        raise ValidationError("file_missing", "out", path=str(folder))
    return suffix


def write_document(
    doc: Document, path: Path, allowed: Sequence[str], cancel: threading.Event | None = None
) -> ReportResult:
    """Write `doc` as .pdf or .docx by suffix; ReportCancelled (and no file) once `cancel` is set."""
    suffix = check_out_path(path, allowed)
    result = ReportResult(Path(path))
    if suffix == ".pdf":
        from app.reports.pdf import render_pdf

        def write(tmp: Path) -> None:
            result.warnings, result.pages = render_pdf(doc, tmp, cancel)
    else:
        from app.reports.docx_writer import render_docx

        def write(tmp: Path) -> None:
            check_cancel(cancel)
            render_docx(doc, tmp)
    write_atomic(Path(path), write)
    return result

"""A report as a list of blocks (title, headings, paragraphs, tables) rendered to PDF and Word."""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Title:
    text: str


@dataclass(frozen=True)
class Subtitle:
    """A centred line under the title (period, trip name)."""

    text: str


@dataclass(frozen=True)
class Heading:
    """一、 (level 1) or （一） (level 2)."""

    text: str
    level: int = 1


@dataclass(frozen=True)
class Para:
    """A body paragraph; `indent` gives the two-character first-line indent of official text."""

    text: str
    indent: bool = True


@dataclass(frozen=True)
class Column:
    header: str
    width: float  # relative share of the text width
    align: str = "LEFT"  # LEFT, CENTER or RIGHT


@dataclass
class Table:
    columns: list[Column]
    rows: list[list[str]]
    font_size: float = 10.5


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Title | Subtitle | Heading | Para | Table | PageBreak


@dataclass
class Document:
    """What a report says, independent of the file format."""

    blocks: list[Block] = field(default_factory=list)
    landscape: bool = False
    title: str = ""

    def add(self, *blocks: Block) -> None:
        self.blocks.extend(blocks)


class ReportCancelled(Exception):
    """The user cancelled a report while it was being written; no file is left behind."""


def check_cancel(cancel: threading.Event | None) -> None:
    """Raise ReportCancelled once `cancel` is set (called between pages or row batches)."""
    if cancel is not None and cancel.is_set():
        raise ReportCancelled


@dataclass
class ReportResult:
    """A written report: where it is and what the caller should warn about."""

    path: Path
    warnings: list[str] = field(default_factory=list)
    pages: int | None = None


def write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Write through a temporary file beside `path`, then rename: a failure leaves no file."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp_name = tempfile.mkstemp(prefix=".fielddesk-", suffix=path.suffix, dir=folder)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise

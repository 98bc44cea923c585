"""PDF fonts: the bundled CJK font (embedded as a subset), a system fallback, a visible marker."""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Iterable
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from app.paths import resource_path

log = logging.getLogger(__name__)

FONT = "FieldDeskCJK"
# 〓 (geta mark) is what Chinese typesetting prints for a character it has no type for.
MISSING_MARK = "〓"

_lock = threading.Lock()
_fallbacks: list[tuple[str, set[int]]] | None = None  # (registered name, code points)
_covered: set[int] | None = None

# Font files worth trying for characters the bundled font lacks (CJK Ext-A and beyond). Only
# names known to carry CJK are opened: parsing every system font would cost seconds.
_CANDIDATE_NAMES = (
    "simsun.ttc", "simsunb.ttf", "simsun-extb.ttf", "msyh.ttc", "simhei.ttf", "mingliub.ttc",
    "NotoSansCJK-Regular.ttc", "NotoSerifCJK-Regular.ttc", "NotoSansCJKsc-Regular.otf",
    "SourceHanSansSC-Regular.otf", "wqy-zenhei.ttc", "HanaMinA.ttf", "HanaMinB.ttf",
    "ukai.ttc", "uming.ttc", "DroidSansFallbackFull.ttf", "unifont.ttf",
)
_FONT_DIRS = (
    Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts",
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
    Path.home() / ".local/share/fonts",
    Path("/Library/Fonts"),
    Path("/System/Library/Fonts"),
)
# Tests point this at their own files; None means "search the system".
candidate_files: list[Path] | None = None


def register() -> str:
    """Register the bundled font once per process; returns its name."""
    global _covered
    with _lock:
        if FONT not in pdfmetrics.getRegisteredFontNames():
            path = resource_path("fonts", "wqy-microhei.ttc")
            # subfontIndex=0: the .ttc holds two faces; reportlab always embeds a subset.
            font = TTFont(FONT, str(path), subfontIndex=0)
            pdfmetrics.registerFont(font)
        if _covered is None:
            face = pdfmetrics.getFont(FONT).face  # type: ignore[attr-defined]
            _covered = set(face.charToGlyph)
    return FONT


def _candidates() -> Iterable[Path]:
    if candidate_files is not None:
        yield from candidate_files
        return
    wanted = {n.lower() for n in _CANDIDATE_NAMES}
    for folder in _FONT_DIRS:
        if not folder.is_dir():
            continue
        for path in folder.rglob("*"):
            if path.name.lower() in wanted:
                yield path


def _load_fallbacks() -> list[tuple[str, set[int]]]:
    global _fallbacks
    with _lock:
        if _fallbacks is None:
            found: list[tuple[str, set[int]]] = []
            for i, path in enumerate(_candidates()):
                name = f"FieldDeskFallback{i}"
                try:
                    font = TTFont(name, str(path), subfontIndex=0)
                except (TTFError, OSError, ValueError) as e:  # CFF .otf and odd files
                    log.debug("Fallback font %s unusable: %s", path, type(e).__name__)
                    continue
                pdfmetrics.registerFont(font)
                found.append((name, set(font.face.charToGlyph)))
            _fallbacks = found
        return _fallbacks


def reset_fallbacks() -> None:
    """Forget the fallback search (tests change `candidate_files`)."""
    global _fallbacks
    with _lock:
        _fallbacks = None


_plain_chars: frozenset[str] | None = None


def _covered_chars() -> frozenset[str]:
    global _plain_chars
    with _lock:
        if _plain_chars is None:
            assert _covered is not None
            _plain_chars = frozenset(map(chr, _covered)) | {"\n", "\t"}
        return _plain_chars


class GlyphGuard:
    """Checks user text against the fonts of one report and collects what it could not show."""

    def __init__(self) -> None:
        register()
        assert _covered is not None
        self._covered = _covered
        # The same coverage as characters, so a whole string is checked in one C-level call.
        self._plain_chars = _covered_chars()
        self.missing: set[str] = set()
        self._choice: dict[str, str | None] = {}

    def is_plain(self, text: str) -> bool:
        """True when the bundled font has every character (the common, fast case)."""
        return self._plain_chars.issuperset(text)

    def _font_for(self, ch: str) -> str | None:
        if ch not in self._choice:
            cp = ord(ch)
            self._choice[ch] = next((n for n, cps in _load_fallbacks() if cp in cps), None)
        return self._choice[ch]

    def plain(self, text: str) -> str:
        """Text for a place without markup (canvas strings): uncovered characters marked."""
        if self.is_plain(text):
            return text
        out = []
        for ch in text:
            if ord(ch) in self._covered or ch in "\n\t":
                out.append(ch)
            else:
                self.missing.add(ch)
                out.append(MISSING_MARK)
        return "".join(out)

    def markup(self, text: str) -> str:
        """Paragraph markup: escaped, line breaks kept, fallback fonts or the marker."""
        if self.is_plain(text):
            return escape(text).replace("\n", "<br/>")
        parts = []
        for ch in text:
            if ord(ch) in self._covered or ch in "\n\t":
                parts.append("<br/>" if ch == "\n" else escape(ch))
                continue
            name = self._font_for(ch)
            if name is None:
                self.missing.add(ch)
                parts.append(MISSING_MARK)
            else:
                parts.append(f'<font face="{name}">{escape(ch)}</font>')
        return "".join(parts)

    def warnings(self) -> list[str]:
        from app.domain.messages import report_text

        if not self.missing:
            return []
        chars = "".join(sorted(self.missing))
        codes = "、".join(f"U+{ord(c):04X}" for c in sorted(self.missing))
        return [report_text("glyph_missing", chars=chars, codes=codes, mark=MISSING_MARK)]


if sys.platform == "win32":  # pragma: no cover - Windows keeps fonts in one folder
    _FONT_DIRS = (_FONT_DIRS[0],)

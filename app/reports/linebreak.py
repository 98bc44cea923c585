"""Breaking table-cell text into lines that fit, with Chinese line-breaking rules (禁则).

reportlab's Paragraph measures every character through Python for every wrap of every cell,
which made a 10,000-row ledger take minutes, and it lets "，" start a line. Cells are plain
strings with newlines instead: widths come from a per-character cache, and punctuation that
may not start a line pulls the character before it down (GB/T 15834 practice).
"""

from __future__ import annotations

from reportlab.pdfbase import pdfmetrics

# May not start a line: closing brackets and quotes, pause and stop marks.
NO_LINE_START = frozenset("，。、；：？！）」』】》〉”’%％…—·,.;:?!)]}〕〗")
# May not end a line: opening brackets and quotes.
NO_LINE_END = frozenset("（「『【《〈“‘([{〔〖")

_widths: dict[str, dict[str, float]] = {}


def _char_widths(font_name: str) -> dict[str, float]:
    """Advance widths in 1/1000 em by character, filled as characters are met."""
    if font_name not in _widths:
        _widths[font_name] = {}
    return _widths[font_name]


def text_width(text: str, font_name: str, size: float) -> float:
    cache = _char_widths(font_name)
    total = 0.0
    for ch in text:
        w = cache.get(ch)
        if w is None:
            w = cache[ch] = pdfmetrics.stringWidth(ch, font_name, 1000)
        total += w
    return total * size / 1000


def wrap(text: str, width: float, font_name: str, size: float) -> list[str]:
    """Lines of `text` no wider than `width` points (existing line breaks kept)."""
    cache = _char_widths(font_name)
    limit = width * 1000 / size
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line: list[str] = []
        used = 0.0
        for ch in paragraph:
            w = cache.get(ch)
            if w is None:
                w = cache[ch] = pdfmetrics.stringWidth(ch, font_name, 1000)
            if used + w > limit and line:
                carry: list[str] = []
                # 禁则: a no-start mark takes the previous character along to the new line,
                # and an opening bracket never ends a line.
                if ch in NO_LINE_START and len(line) > 1:
                    carry.append(line.pop())
                while len(line) > 1 and line[-1] in NO_LINE_END:
                    carry.insert(0, line.pop())
                lines.append("".join(line))
                line = carry
                used = sum(cache[c] for c in line)
            line.append(ch)
            used += w
        lines.append("".join(line))
    return lines

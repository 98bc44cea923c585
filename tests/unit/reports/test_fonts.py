"""Glyph coverage: generated wording always has glyphs; user text falls back or is marked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.domain import messages
from app.reports import fonts
from app.reports.trip_report import write_trip_report

from .data import build_trip
from .helpers import pdf_fonts, pdf_text

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


@pytest.fixture
def no_system_fallback() -> Iterator[None]:
    fonts.candidate_files = []
    fonts.reset_fallbacks()
    yield
    fonts.candidate_files = None
    fonts.reset_fallbacks()


def test_all_report_wording_has_glyphs() -> None:
    guard = fonts.GlyphGuard()
    texts: list[str] = [*messages.REPORT_TEXT.values(), *messages.REPORT_COLUMNS.values(),
                        *messages.SUMMARY_LABELS.values(), *messages.SUMMARY_GROUP_LABELS.values(),
                        *messages.ZONE_LABELS.values(), *messages.WEEKDAYS,
                        *(messages.enum_label(m) for m in messages.ENUM_LABELS),
                        fonts.MISSING_MARK, "0123456789,.%—（）"]
    missing = {ch for t in texts for ch in t if not guard.is_plain(ch)}
    assert not missing


def test_uncovered_character_is_marked_and_warned(
    store: Any, tmp_path: Path, no_system_fallback: None
) -> None:
    ids = build_trip(store)
    store.update("enterprise", ids["e1"]["id"], {"name": "刘䶮科技有限公司"})
    out = tmp_path / "trip.pdf"
    result = write_trip_report(store.conn, ids["trip"]["id"], out)
    assert "刘〓科技有限公司" in pdf_text(out)
    assert len(result.warnings) == 1
    assert "䶮" in result.warnings[0] and "U+4DAE" in result.warnings[0]


def test_second_font_used_when_it_has_the_glyph(store: Any, tmp_path: Path) -> None:
    if not DEJAVU.exists():
        pytest.skip("DejaVu Sans is not installed")
    # The bundled font has no Latin Extended-B; DejaVu Sans does: it stands in for a system
    # CJK font with Extension A (the mechanism is the same).
    fonts.candidate_files = [DEJAVU]
    fonts.reset_fallbacks()
    try:
        ids = build_trip(store)
        store.update("enterprise", ids["e1"]["id"], {"name": "Ələt许继集团"})
        out = tmp_path / "trip.pdf"
        result = write_trip_report(store.conn, ids["trip"]["id"], out)
    finally:
        fonts.candidate_files = None
        fonts.reset_fallbacks()
    assert result.warnings == []
    assert "Ələt许继集团" in pdf_text(out)
    assert any("DejaVuSans" in name and "+" in name for name in pdf_fonts(out))


def test_plain_text_marks_without_markup(no_system_fallback: None) -> None:
    guard = fonts.GlyphGuard()
    assert guard.plain("䶮A") == "〓A"
    assert guard.markup("a<b>&\n䶮") == "a&lt;b&gt;&amp;<br/>〓"
    assert guard.missing == {"䶮"}


def test_ledger_marks_emoji_and_extension_a_in_names(
    store: Any, tmp_path: Path, no_system_fallback: None
) -> None:
    from app.reports.ledger import write_ledger
    from app.storage.report_data import LedgerFilter

    e = store.create("enterprise", {"name": "龑䶮新能源🚀有限公司"})
    store.create("lead", {"name": "储能😀项目", "enterprise_id": e["id"], "investment_wan": 100})
    out = tmp_path / "ledger.pdf"
    result = write_ledger(store.conn, LedgerFilter(), out, today="2025-09-30")
    text = pdf_text(out)
    # Covered characters print; each uncovered one is a visible 〓, never a blank.
    assert "龑〓新能源〓有限公司" in text and "储能〓项目" in text
    assert len(result.warnings) == 1
    for code in ("U+4DAE", "U+1F680", "U+1F600"):
        assert code in result.warnings[0], code

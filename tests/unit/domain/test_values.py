"""Parsers for typed values: money, dates, phone numbers, text cleaning."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain import values
from app.domain.errors import ValidationError


@given(st.integers(min_value=0, max_value=values.MAX_MONEY))
def test_money_round_trips_through_text_forms(n):
    assert values.parse_money(n, "m") == (n, False)
    assert values.parse_money(f"{n:,}", "m") == (n, False)
    full_width = str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert values.parse_money(full_width, "m") == (n, False)


@given(st.decimals(min_value=0, max_value=1_000_000, places=2, allow_nan=False))
def test_money_fraction_rounds_half_up_when_allowed(d):
    amount, rounded = values.parse_money(str(d), "m", allow_fraction=True)
    assert amount == int((d + Decimal("0.5")).__floor__())
    assert rounded == (d != d.to_integral_value())


def test_money_fraction_refused_by_default_and_names_field():
    with pytest.raises(ValidationError) as e:
        values.parse_money("12.5", "investment_wan")
    assert (e.value.field, e.value.code) == ("investment_wan", "money_fraction")


def test_money_rejects_negative_and_garbage():
    for bad, code in (("-1", "money_negative"), ("abc", "money_format"), ("NaN", "money_format")):
        with pytest.raises(ValidationError) as e:
            values.parse_money(bad, "m")
        assert e.value.code == code


@pytest.mark.parametrize(
    "text", ["2025-09-05", "2025/9/5", "2025.9.5", "2025年9月5日", "20250905", "2025-09-05 00:00:00"]
)
def test_dates_in_common_forms(text):
    assert values.parse_date(text, "d") == "2025-09-05"


def test_impossible_date_is_refused():
    with pytest.raises(ValidationError) as e:
        values.parse_date("2025-02-30", "start_date")
    assert e.value.code == "date_invalid" and e.value.field == "start_date"


@pytest.mark.parametrize("text", ["13800138000", "+86 138 0013 8000", "86-138-0013-8000"])
def test_mobile_normalised(text):
    assert values.parse_mobile(text, "mobile") == "13800138000"


@pytest.mark.parametrize("text", ["12800138000", "1380013800", "0371-12345678"])
def test_bad_mobile_refused(text):
    with pytest.raises(ValidationError):
        values.parse_mobile(text, "mobile")


def test_clean_text_strips_nul_and_controls():
    assert values.clean_text("许继\x00集团\x07", "name", max_len=50) == "许继集团"
    assert values.clean_text("a\nb", "name", max_len=50) == "a b"
    assert values.clean_text("a\r\nb", "notes", max_len=50, multiline=True) == "a\nb"


def test_too_long_text_names_limit():
    with pytest.raises(ValidationError) as e:
        values.clean_text("长" * 201, "name", max_len=200)
    assert e.value.code == "too_long" and e.value.params["max"] == 200


def test_time_zone():
    assert values.parse_time_zone("Europe/Berlin", "time_zone") == "Europe/Berlin"
    with pytest.raises(ValidationError):
        values.parse_time_zone("Mars/Olympus", "time_zone")

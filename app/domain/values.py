"""Parsers for typed values: text, dates, money, phone numbers, e-mail, time zones.

Each parser takes what a person typed (or a spreadsheet held) and returns the stored form,
or raises ValidationError naming the field. Text is trimmed and stored as typed; NFKC is used
only where the value is a key, number, date or code.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from app.domain.errors import ValidationError

# C0/C1 control characters (and DEL), minus tab/newline handled per kind; NUL is among them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_LINE_BREAKS = re.compile(r"[\t\r\n\u2028\u2029]+")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def clean_text(value: object, field: str, *, max_len: int, multiline: bool = False) -> str:
    """Trim, strip control characters (NUL included) and enforce a length limit."""
    if not isinstance(value, str):
        if isinstance(value, bool) or value is None or isinstance(value, (list, dict)):
            raise ValidationError("type_text", field)
        value = str(value)
    value = _SURROGATE.sub("", _CONTROL.sub("", value))
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    else:
        value = _LINE_BREAKS.sub(" ", value)
    value = value.strip()
    if len(value) > max_len:
        raise ValidationError("too_long", field, max=max_len, length=len(value))
    return value


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def match_key(text: str) -> str:
    """The key two names are compared by: NFKC, no white space, lower case, （）→()."""
    return re.sub(r"\s+", "", nfkc(text)).lower()


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def parse_date(value: object, field: str) -> str:
    """A calendar date as ISO `YYYY-MM-DD`; accepts 2025/9/5, 2025.9.5, 2025年9月5日, 20250905."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if not isinstance(value, str):
        raise ValidationError("date_format", field)
    text = re.sub(r"\s+", "", nfkc(value))
    # Spreadsheet cells often carry a time part: "2025-09-05 00:00:00".
    text = re.sub(r"(\d)(T|)\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$", r"\1", text)
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            try:
                day = dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                raise ValidationError("date_invalid", field, value=value) from None
            if not 1900 <= day.year <= 2200:
                raise ValidationError("date_invalid", field, value=value)
            return day.isoformat()
    raise ValidationError("date_format", field, value=value)


_LOCAL_DT = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})[T ](\d{1,2}):(\d{2})(?::00)?$")


def parse_local_datetime(value: object, field: str) -> str:
    """A wall-clock date and time `YYYY-MM-DDTHH:MM` (its zone is a separate field)."""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M")
    if not isinstance(value, str):
        raise ValidationError("datetime_format", field)
    text = nfkc(value).strip()
    m = _LOCAL_DT.match(text)
    if not m:
        raise ValidationError("datetime_format", field, value=value)
    day = parse_date(m[1], field)
    hour, minute = int(m[2]), int(m[3])
    if hour > 23 or minute > 59:
        raise ValidationError("datetime_format", field, value=value)
    return f"{day}T{hour:02d}:{minute:02d}"


_ZONES: set[str] | None = None


def parse_time_zone(value: object, field: str) -> str:
    """An IANA time zone name such as Asia/Shanghai or Europe/Berlin."""
    global _ZONES
    if not isinstance(value, str) or not value.strip():
        raise ValidationError("time_zone", field)
    name = value.strip()
    if _ZONES is None:
        _ZONES = available_timezones()
    if name not in _ZONES:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError("time_zone", field, value=name) from None
    return name


MAX_MONEY = 100_000_000  # 1 万亿 in 万元: anything larger is a typing mistake


def parse_money(value: object, field: str, *, allow_fraction: bool = False) -> tuple[int, bool]:
    """Integer 万元/万美元 from a number or text ("1,234", "１２３４", "12.5").

    Returns (amount, rounded): a fraction is refused unless `allow_fraction`, when it is rounded
    half-up and reported so the caller can warn.
    """
    if isinstance(value, bool):
        raise ValidationError("money_format", field)
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, (str, Decimal)):
        text = re.sub(r"[\s,，]", "", nfkc(str(value)))
        text = text.removesuffix("万元").removesuffix("万美元").removesuffix("万")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValidationError("money_format", field, value=value) from None
        if not number.is_finite():
            raise ValidationError("money_format", field, value=value)
    else:
        raise ValidationError("money_format", field)
    return to_whole(number, field, allow_fraction=allow_fraction)


def to_whole(number: Decimal, field: str, *, allow_fraction: bool) -> tuple[int, bool]:
    """Round a Decimal amount half-up to an integer, enforcing range and the fraction rule."""
    whole = number.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    rounded = whole != number
    if rounded and not allow_fraction:
        raise ValidationError("money_fraction", field, value=str(number))
    if whole < 0:
        raise ValidationError("money_negative", field)
    if whole > MAX_MONEY:
        raise ValidationError("money_too_large", field, max=MAX_MONEY)
    return int(whole), rounded


_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def parse_mobile(value: object, field: str) -> str:
    """A mainland mobile number, stored as its 11 digits (+86, spaces and hyphens dropped)."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ValidationError("mobile", field)
    text = re.sub(r"[\s\-()（）]", "", nfkc(value))
    text = re.sub(r"^(\+?86)(?=1\d{10}$)", "", text)
    if not _MOBILE.match(text):
        raise ValidationError("mobile", field, value=value)
    return text


_PHONE = re.compile(r"^\+?[0-9][0-9\-\s()（）转#,]{4,39}$")


def parse_phone(value: object, field: str) -> str:
    """A landline or foreign number: digits with the usual separators, kept as typed."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    text = clean_text(value, field, max_len=40)
    if text and not _PHONE.match(nfkc(text)):
        raise ValidationError("phone", field, value=value)
    return text


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def parse_email(value: object, field: str) -> str:
    text = nfkc(clean_text(value, field, max_len=254))
    if text and not _EMAIL.match(text):
        raise ValidationError("email", field, value=value)
    return text


def parse_url(value: object, field: str) -> str:
    text = clean_text(value, field, max_len=500)
    if text and (" " in text or "." not in text):
        raise ValidationError("url", field, value=value)
    return text


_TRUE = {"1", "true", "yes", "y", "是", "√", "✓", "对", "有"}
_FALSE = {"0", "false", "no", "n", "否", "×", "无", "", "不是"}


def parse_bool(value: object, field: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = nfkc(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    raise ValidationError("bool", field, value=value)


def utc_now() -> str:
    """The current UTC time as ISO 8601 with milliseconds and a Z."""
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


SHANGHAI = ZoneInfo("Asia/Shanghai")


def today() -> str:
    """Today's calendar date in Asia/Shanghai."""
    return dt.datetime.now(SHANGHAI).date().isoformat()

"""Record timestamps on disk: milliseconds since the epoch, the ISO text everywhere else.

Every record carries `created_at` and `updated_at` as "2025-10-30T04:45:48.208Z" (24 bytes);
as an integer the same instant takes 6. Over the rows and indexes of "100,000 enterprises"
that was 36 MB (bench/README.md). The record tables declare both columns `UTC_MS`:

- writing: `ms(text)` turns the canonical text into the integer. Anything else (another
  precision, an offset) is stored as the text it is, so nothing is ever rewritten;
- reading: connections are opened with `detect_types=PARSE_DECLTYPES`, and the `UTC_MS`
  converter formats an integer back into exactly the text it came from.

Integers and canonical texts order the same way, so `ORDER BY updated_at` and the stage
order `(date, created_at, id)` are unchanged. A comparison with a parameter must bind
`ms(text)` (none does today).
"""

from __future__ import annotations

import calendar
import re
import sqlite3
import time
from typing import Any

SQL_TYPE = "UTC_MS"
COLUMNS = ("created_at", "updated_at")

_CANONICAL = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def ms(value: Any) -> Any:
    """Canonical UTC text → milliseconds since the epoch; any other value unchanged."""
    if isinstance(value, str) and len(value) == 24 and _CANONICAL.fullmatch(value):
        seconds = calendar.timegm((
            int(value[0:4]), int(value[5:7]), int(value[8:10]),
            int(value[11:13]), int(value[14:16]), int(value[17:19]), 0, 0, 0,
        ))
        return seconds * 1000 + int(value[20:23])
    return value


def text(value: int) -> str:
    """Milliseconds since the epoch → the canonical UTC text."""
    seconds, millis = divmod(value, 1000)
    t = time.gmtime(seconds)
    return "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ" % (  # noqa: UP031 (fastest here)
        t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec, millis,
    )


def _convert(value: bytes) -> str:
    # The converter sees the stored value as bytes: an INTEGER as its decimal digits; a
    # timestamp that was stored as text comes back as that text.
    if value.isdigit() or (value[:1] == b"-" and value[1:].isdigit()):
        return text(int(value))
    return value.decode("utf-8", "surrogateescape")


sqlite3.register_converter(SQL_TYPE, _convert)

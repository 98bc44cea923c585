"""Making echoed input safe to store and send: no NUL (PostgreSQL refuses it), no lone
surrogates (UTF-8 cannot encode them), bounded length."""

from __future__ import annotations

from typing import Any

MAX_ECHO = 500


def text(value: str, limit: int = MAX_ECHO) -> str:
    value = value.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")
    return value if len(value) <= limit else value[:limit] + "…"


def deep(value: Any) -> Any:
    """A copy of a JSON-like value with every string made safe."""
    if isinstance(value, str):
        return text(value)
    if isinstance(value, dict):
        return {text(str(k)): deep(v) for k, v in value.items()}
    if isinstance(value, list):
        return [deep(v) for v in value]
    return value

"""Factories for records used across tests."""

from __future__ import annotations

from typing import Any

from app.domain.uscc import check_character


def make_uscc(body17: str = "91410100MA40B9QC5") -> str:
    """A valid USCC whose first 17 characters are `body17`."""
    return body17 + check_character(body17)


def enterprise(store: Any, **fields: Any) -> dict[str, Any]:
    data = {"name": "许继集团有限公司", "industry_chain": "高端装备", "region": "中原"}
    data.update(fields)
    return store.create("enterprise", data)


def lead(store: Any, enterprise_id: str | None = None, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"name": "储能电池项目", "investment_wan": 50000}
    if enterprise_id:
        data["enterprise_id"] = enterprise_id
    data.update(fields)
    return store.create("lead", data)

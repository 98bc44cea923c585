"""The columns of the enterprise list and the lead ledger, and tolerant header matching."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app.domain.enums import Stage
from app.domain.values import nfkc


@dataclass(frozen=True)
class Column:
    """One known column: `key` says where its value goes, `labels[0]` is the canonical header.

    key: "enterprise.<field>", "contact.<field>", "lead.<field>", "stage" (当前阶段) or
    "date.<stage code>" (a dated stage column).
    money: "cny" or "usd" for amount columns, whose header may carry a unit.
    """

    key: str
    labels: tuple[str, ...]
    money: str | None = None

    @property
    def header(self) -> str:
        return self.labels[0]


C = Column

ENTERPRISE_COLUMNS: tuple[Column, ...] = (
    C("enterprise.name", ("企业名称", "企业", "公司名称", "单位名称", "客商名称", "企业全称")),
    C("enterprise.uscc", ("统一社会信用代码", "社会信用代码", "信用代码", "统一代码")),
    C("enterprise.industry_chain", ("产业链", "所属产业链", "产业链条")),
    C("enterprise.province", ("所在省份", "省份", "所在省")),
    C("enterprise.city", ("所在城市", "城市", "所在市")),
    C("enterprise.region", ("重点区域", "区域", "所在区域")),
    C("enterprise.tags", ("企业标签", "标签", "企业类型")),
    C("enterprise.address", ("地址", "企业地址", "详细地址", "注册地址")),
    C("enterprise.website", ("网址", "网站", "企业网址", "官网")),
    C("contact.name", ("联系人", "联系人姓名", "姓名")),
    C("contact.title", ("职务", "联系人职务", "职位")),
    C("contact.mobile", ("手机", "手机号", "手机号码", "联系人手机")),
    C("enterprise.notes", ("备注", "说明")),
)

# 终止日期 follows the pipeline: `terminated` may come after any stage.
STAGE_DATE_LABELS: dict[Stage, tuple[str, ...]] = {
    Stage.CLUE: ("线索日期", "线索时间", "入库日期"),
    Stage.NEGOTIATING: ("在谈日期", "在谈时间", "洽谈日期"),
    Stage.SIGNED: ("签约日期", "签约时间"),
    Stage.REGISTERED: ("注册日期", "注册时间", "履约日期"),
    Stage.STARTED: ("开工日期", "开工时间"),
    Stage.IN_PRODUCTION: ("投产日期", "投产时间"),
    Stage.TERMINATED: ("终止日期", "终止时间"),
}

LEAD_COLUMNS: tuple[Column, ...] = (
    C("lead.name", ("项目名称", "项目")),
    C("enterprise.name", ("企业名称", "投资方", "投资主体", "签约企业", "企业", "公司名称")),
    C("enterprise.uscc", ("统一社会信用代码", "社会信用代码", "信用代码")),
    C("lead.industry_chain", ("产业链", "所属产业链")),
    C("lead.source", ("项目来源", "来源", "招商方式")),
    C("lead.investment_wan", ("计划总投资", "计划投资", "总投资", "计划投资额", "总投资额",
                              "投资额"), money="cny"),
    C("stage", ("当前阶段", "阶段", "项目阶段", "项目状态")),
    *(C(f"date.{stage.value}", labels) for stage, labels in STAGE_DATE_LABELS.items()),
    C("lead.funds_arrived_wan", ("实际到位资金", "到位资金", "实际到位"), money="cny"),
    C("lead.foreign_contracted_wan_usd", ("合同外资",), money="usd"),
    C("lead.foreign_arrived_wan_usd", ("实际到位外资", "到位外资"), money="usd"),
    C("lead.unit", ("责任单位", "承接单位", "落地单位")),
    C("lead.responsible", ("责任人", "负责人")),
    C("lead.high_energy", ("是否两高", "两高", "两高项目")),
    C("lead.notes", ("备注", "说明")),
)

COLUMNS = {"enterprises": ENTERPRISE_COLUMNS, "leads": LEAD_COLUMNS}
# The column a header row must contain, per import kind.
KEY_COLUMN = {"enterprises": "enterprise.name", "leads": "lead.name"}

# Units a money header may carry, as the factor to 万元 (or 万美元).
UNITS: dict[str, dict[str, Decimal]] = {
    "cny": {"": Decimal(1), "万元": Decimal(1), "万": Decimal(1), "亿元": Decimal(10000),
            "亿": Decimal(10000)},
    "usd": {"": Decimal(1), "万美元": Decimal(1), "亿美元": Decimal(10000)},
}
_UNIT_SUFFIX = re.compile(r"^(?P<base>.+?)\((?:单位[:：]?)?(?P<unit>[^()]*)\)$")
_BARE_UNIT = re.compile(r"^(?P<base>.+?)(?P<unit>万美元|亿美元|万元|亿元)$")


@dataclass(frozen=True)
class HeaderMatch:
    """A header cell matched to a known column."""

    index: int  # 0-based position in the row
    column: Column
    text: str  # the header as the file shows it (used in row errors)
    factor: Decimal = Decimal(1)  # money columns: multiply to get 万元/万美元
    unit: str = ""


def header_key(text: str) -> tuple[str, str]:
    """(base, unit) of a header: NFKC (（）→(), full-width → half), no spaces or markers."""
    t = re.sub(r"[\s*＊:：]+", "", nfkc(text)).lower()
    m = _UNIT_SUFFIX.match(t) or _BARE_UNIT.match(t)
    if m:
        return m["base"], m["unit"]
    return t, ""


_LOOKUP: dict[str, dict[str, Column]] = {
    kind: {header_key(label)[0]: col for col in cols for label in col.labels}
    for kind, cols in COLUMNS.items()
}


@dataclass
class Header:
    """The header row found in a sheet."""

    row: int
    matches: list[HeaderMatch]
    ignored: list[str]
    bad_units: list[HeaderMatch]

    def __post_init__(self) -> None:
        # Column key → header text as the file shows it, shared by every row's messages.
        self.texts = {m.column.key: m.text for m in self.matches}

    def by_key(self) -> dict[str, HeaderMatch]:
        return {m.column.key: m for m in self.matches}


def match_header(kind: str, cells: list[Any], row: int) -> Header:
    """Match every cell of a candidate header row; the first of two same columns wins."""
    lookup = _LOOKUP[kind]
    matches: list[HeaderMatch] = []
    ignored: list[str] = []
    bad: list[HeaderMatch] = []
    seen: set[str] = set()
    for index, cell in enumerate(cells):
        if cell is None or not str(cell).strip():
            continue
        text = str(cell).strip()
        base, unit = header_key(text)
        # A parenthesised remark on a text column (联系人(姓名)) is ignored with the unit.
        col = lookup.get(base)
        if col is None or col.key in seen:
            ignored.append(text)
            continue
        seen.add(col.key)
        factor = Decimal(1)
        if col.money:
            if unit not in UNITS[col.money]:
                bad.append(HeaderMatch(index, col, text, unit=unit))
                continue
            factor = UNITS[col.money][unit]
        matches.append(HeaderMatch(index, col, text, factor, unit))
    return Header(row, matches, ignored, bad)


def _qualifies(kind: str, header: Header) -> bool:
    keys = {m.column.key for m in header.matches} | {m.column.key for m in header.bad_units}
    return KEY_COLUMN[kind] in keys and len(keys) >= 2


_UNIT_ONLY = re.compile(r"^[(（]?(?:单位[:：]?)?(万元|亿元|万美元|亿美元)[)）]?$")


def _combine(upper: Any, lower: Any, lower_known: bool) -> Any:
    """One header cell from two levels: the lower if it names a column; the upper with the
    lower's unit when the lower is only a unit (总投资 over （亿元）); else the upper."""
    if lower_known:
        return lower
    unit = _UNIT_ONLY.match(lower.strip()) if isinstance(lower, str) else None
    if unit and isinstance(upper, str):
        return f"{upper.strip()}（{unit[1]}）"
    return upper


def find_header(kind: str, rows: list[tuple[int, list[Any]]], scan: int = 15) -> Header | None:
    """The first row among the first `scan` that holds the key column and another known one.

    A two-level header (项目名称 merged down over two rows, 时间节点 over 签约日期/开工日期, or a
    row of units under the names) is read as one: where the lower row names a known column it
    wins, a lower unit joins the upper name, else the upper row stands.
    """
    for i, (number, cells) in enumerate(rows[:scan]):
        header = match_header(kind, cells, number)
        if not _qualifies(kind, header):
            continue
        if i + 1 < len(rows):
            lower_number, lower = rows[i + 1]
            lower_header = match_header(kind, lower, lower_number)
            units_only = any(isinstance(c, str) and c.strip() for c in lower) and all(
                c is None or (isinstance(c, str) and (not c.strip() or _UNIT_ONLY.match(c.strip())))
                for c in lower)
            if _qualifies(kind, lower_header) or units_only:
                known = {m.index for m in lower_header.matches} | {
                    m.index for m in lower_header.bad_units}
                width = max(len(cells), len(lower))
                combined = [
                    _combine(cells[c] if c < len(cells) else None,
                             lower[c] if c < len(lower) else None, c in known)
                    for c in range(width)
                ]
                return match_header(kind, combined, lower_number)
        return header
    return None


def canonical_headers(kind: str) -> list[str]:
    """The headers an export writes (money columns with their unit), in import order."""
    out = []
    for col in COLUMNS[kind]:
        if col.money == "cny":
            out.append(f"{col.header}（万元）")
        elif col.money == "usd":
            out.append(f"{col.header}（万美元）")
        else:
            out.append(col.header)
    return out

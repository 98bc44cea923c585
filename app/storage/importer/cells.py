"""Turning the cells of one spreadsheet row into cleaned field values, errors and warnings."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from app.domain import uscc, values
from app.domain.enums import ListKind, Stage
from app.domain.errors import ImportRowError, ValidationError
from app.domain.records import SPECS, FieldSpec, RecordSpec, parse_enum, validate_fields
from app.storage.importer.columns import Header, HeaderMatch

TAG_SEPARATORS = re.compile(r"[、,，;；]")
_AMOUNT_NOISE = re.compile(r"[\s,，]")
# A unit typed into the cell itself wins over the header's ("1.5亿" in a 万元 column).
_CELL_UNITS = (("亿美元", Decimal(10000)), ("万美元", Decimal(1)), ("亿元", Decimal(10000)),
               ("万元", Decimal(1)), ("亿", Decimal(10000)), ("万", Decimal(1)))
_PLACEHOLDER_ID = "00000000-0000-4000-8000-000000000000"


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class ListIndex:
    """The extensible lists, matched by NFKC key; with `extend`, unknown values are collected."""

    def __init__(self, known: dict[ListKind, list[str]], extend: bool) -> None:
        self._known = {k: {values.match_key(v): v for v in vs} for k, vs in known.items()}
        self.extend = extend
        self.added: list[tuple[ListKind, str, int]] = []  # (kind, value, first row)

    def resolve(self, kind: ListKind, text: str, row: int) -> str | None:
        """The stored spelling of `text`, or None when unknown (and not being extended)."""
        key = values.match_key(text)
        found = self._known.setdefault(kind, {}).get(key)
        if found is not None:
            return found
        if not self.extend:
            return None
        self._known[kind][key] = text
        self.added.append((kind, text, row))
        return text


@dataclass
class ParsedRow:
    """One data row: cleaned values by column key, and what went wrong or was adjusted."""

    number: int
    values: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)  # column key → header text
    errors: list[ImportRowError] = field(default_factory=list)
    warnings: list[ImportRowError] = field(default_factory=list)
    uscc_problem: str | None = None  # why the row's USCC is invalid (checked once matched)

    def get(self, key: str) -> Any:
        return self.values.get(key)

    def column(self, key: str) -> str:
        """The header text of a column (for messages); the canonical name if it is absent."""
        if key in self.headers:
            return self.headers[key]
        from app.storage.importer.columns import COLUMNS

        for cols in COLUMNS.values():
            for col in cols:
                if col.key == key:
                    return col.header
        return key

    def error(self, key: str, code: str, **params: Any) -> None:
        self.errors.append(ImportRowError(self.number, self.column(key), code, **params))

    def warn(self, key: str | None, code: str, **params: Any) -> None:
        column = self.column(key) if key else ""
        self.warnings.append(ImportRowError(self.number, column, code, **params))

    def fields(self, prefix: str) -> dict[str, Any]:
        """Cleaned values of one record type: {"name": …} from "enterprise.name" etc."""
        start = prefix + "."
        return {k[len(start):]: v for k, v in self.values.items() if k.startswith(start)}


def _placeholder(spec: RecordSpec) -> dict[str, Any]:
    """An existing record with its required fields filled, so one field validates alone."""
    out: dict[str, Any] = {f.name: f.empty() for f in spec.fields}
    for f in spec.fields:
        if f.required:
            out[f.name] = _PLACEHOLDER_ID if f.kind == "ref" else "x"
    return out


_PLACEHOLDERS = {name: _placeholder(spec) for name, spec in SPECS.items()}


def clean_one(spec: RecordSpec, name: str, value: Any) -> Any:
    """Validate one field with the domain's rules; raises ValidationError naming it."""
    cleaned = validate_fields(spec, {name: value}, existing=_PLACEHOLDERS[spec.type])
    return cleaned[name]


def parse_amount(value: Any, field_name: str, factor: Decimal) -> tuple[int, bool]:
    """An amount in 万元/万美元 from a cell, scaled by the header's unit; (amount, rounded)."""
    if isinstance(value, bool):
        raise ValidationError("money_format", field_name, value=value)
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    else:
        text = _AMOUNT_NOISE.sub("", values.nfkc(str(value)))
        for suffix, cell_factor in _CELL_UNITS:
            if text.endswith(suffix):
                text, factor = text[: -len(suffix)], cell_factor
                break
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValidationError("money_format", field_name, value=value) from None
        if not number.is_finite():
            raise ValidationError("money_format", field_name, value=value)
    return values.to_whole(number * factor, field_name, allow_fraction=True)


def _clean_list(f: FieldSpec, raw: Any, row: ParsedRow, key: str, lists: ListIndex) -> Any:
    assert f.list_kind is not None
    text = values.clean_text(raw, f.name, max_len=2000 if f.is_multi else 50)
    items = [t.strip() for t in TAG_SEPARATORS.split(text)] if f.is_multi else [text]
    out: list[str] = []
    for item in items:
        if not item:
            continue
        item = values.clean_text(item, f.name, max_len=50)
        found = lists.resolve(f.list_kind, item, row.number)
        if found is None:
            row.error(key, "list_unknown", value=item)
            return None
        if found not in out:
            out.append(found)
    if f.is_multi:
        return out or None
    return out[0] if out else None


def _clean_cell(match: HeaderMatch, raw: Any, row: ParsedRow, lists: ListIndex) -> Any:
    key = match.column.key
    if key == "stage":
        return parse_enum(Stage, raw, "stage")
    if key.startswith("date."):
        return values.parse_date(raw, "date")
    prefix, name = key.split(".", 1)
    spec = SPECS[prefix]
    f = spec.field(name)
    if f.kind == "money":
        amount, rounded = parse_amount(raw, name, match.factor)
        if rounded:
            row.warn(key, "money_rounded", value=str(raw).strip(), amount=amount)
        return amount
    if f.kind in ("list_value", "list_values"):
        return _clean_list(f, raw, row, key, lists)
    if f.kind == "uscc":
        # An invalid code is an error unless it is the code of an enterprise whose invalid code
        # was accepted explicitly (an export of it must re-import): the resolver decides.
        code = uscc.normalise(values.clean_text(raw, name, max_len=40))
        row.uscc_problem = uscc.problem(code)
        return code or None
    return _PLAIN


# Returned for plain fields (text, mobile, url, bool...): they are validated together, per
# record type, with one validate_fields call per row; a 10,000-row list makes that count.
_PLAIN = object()


def parse_row(header: Header, number: int, cells: list[Any], lists: ListIndex) -> ParsedRow | None:
    """Clean every known cell of a row; None for a blank row (skipped)."""
    if all(is_blank(c) for c in cells):
        return None
    row = ParsedRow(number, headers=header.texts)
    plain: dict[str, dict[str, tuple[Any, HeaderMatch]]] = {}
    for match in header.matches:
        raw = cells[match.index] if match.index < len(cells) else None
        if is_blank(raw):
            continue  # a blank cell keeps the existing value
        try:
            value = _clean_cell(match, raw, row, lists)
        except ValidationError as e:
            row.errors.append(ImportRowError(number, match.text, e.code, **e.params))
            continue
        if value is _PLAIN:
            prefix, name = match.column.key.split(".", 1)
            plain.setdefault(prefix, {})[name] = (raw, match)
        elif value is not None:
            row.values[match.column.key] = value
    for prefix, cells_of in plain.items():
        _clean_plain(SPECS[prefix], prefix, cells_of, row)
    if not row.values and not row.errors:
        return None  # only ignored columns were filled (序号): nothing to import
    return row


def _clean_plain(
    spec: RecordSpec, prefix: str, cells: dict[str, tuple[Any, HeaderMatch]], row: ParsedRow
) -> None:
    """Validate one record type's plain cells at once; on an error, field by field, so every
    bad cell of the row is reported, not only the first."""
    try:
        cleaned = validate_fields(spec, {n: raw for n, (raw, _) in cells.items()},
                                  existing=_PLACEHOLDERS[spec.type])
    except ValidationError:
        cleaned = {}
        for name, (raw, match) in cells.items():
            try:
                cleaned[name] = clean_one(spec, name, raw)
            except ValidationError as e:
                row.errors.append(ImportRowError(row.number, match.text, e.code, **e.params))
    for name, value in cleaned.items():
        if value is not None and name in cells:
            row.values[f"{prefix}.{name}"] = value

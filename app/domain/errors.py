"""Expected failures, each carrying a field and a machine-readable code."""

from __future__ import annotations

from enum import Enum
from typing import Any


class AppError(Exception):
    """An expected failure; `messages.render_error` turns it into Chinese text."""

    code = "error"

    def __init__(self, code: str | None = None, field: str | None = None, **params: Any) -> None:
        self.code = code or self.code
        self.field = field
        self.params = params
        super().__init__(f"{type(self).__name__}({self.code}, field={field}, {params})")

    def to_dict(self) -> dict[str, Any]:
        from app.domain.messages import render_error

        return {"field": self.field, "code": self.code, "message": render_error(self)}


class ValidationError(AppError):
    """Bad input; nothing is written."""

    code = "invalid"

    def __init__(
        self,
        code: str | None = None,
        field: str | None = None,
        *,
        record_type: str | None = None,
        **params: Any,
    ) -> None:
        self.record_type = record_type
        super().__init__(code, field, **params)


class NotFoundError(AppError):
    """A record that does not exist (or is in the recycle bin where a live one is needed)."""

    code = "not_found"


class StorageError(AppError):
    """The local database failed (disk full, locked, corrupt)."""

    code = "storage"


class ImportRowError:
    """One bad row of an import: row number (1-based as in the spreadsheet), column, code."""

    def __init__(self, row: int, column: str, code: str, **params: Any) -> None:
        self.row, self.column, self.code, self.params = row, column, code, params

    def to_dict(self) -> dict[str, Any]:
        from app.domain.messages import render_code

        return {
            "row": self.row,
            "column": self.column,
            "code": self.code,
            "message": render_code(self.code, self.column, **self.params),
        }


class ImportFailed(AppError):
    """An import with bad rows: nothing was written."""

    code = "import_rows"

    def __init__(self, rows: list[ImportRowError], field: str | None = "file") -> None:
        self.rows = rows
        super().__init__(self.code, field, count=len(rows))

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data["rows"] = [r.to_dict() for r in self.rows]
        return data


class SyncErrorKind(str, Enum):
    AUTH = "auth"
    NETWORK = "network"
    CONFLICT = "conflict"
    SERVER = "server"
    VERSION = "version"
    DEMO = "demo"


class SyncError(AppError):
    """The sync failed; `kind` says how the UI should react."""

    code = "sync"

    def __init__(self, kind: SyncErrorKind, code: str | None = None, **params: Any) -> None:
        self.kind = kind
        super().__init__(code or f"sync_{kind.value}", None, **params)


class ReportError(AppError):
    """A report could not be produced."""

    code = "report"

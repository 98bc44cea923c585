"""Server settings (pydantic-settings): database, limits, token lifetime, login throttle."""

from __future__ import annotations

import hashlib
from pathlib import Path

import platformdirs
from pydantic_settings import BaseSettings, SettingsConfigDict

import app

APP_NAME = "FieldDesk"


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(f"{APP_NAME}-server", appauthor=False))


class Settings(BaseSettings):
    """Every option with its default; env prefix FIELDDESK_SERVER_ (e.g. FIELDDESK_SERVER_DB)."""

    model_config = SettingsConfigDict(env_prefix="FIELDDESK_SERVER_", extra="ignore")

    db: str = ""  # SQLite path or PostgreSQL URL; empty = server.sqlite3 in the data dir
    data_dir: str = ""  # snapshots cache, default database, high-water file for PostgreSQL
    highwater_path: str = ""  # empty = beside a SQLite file, else in the data dir
    min_client_version: str = app.__version__
    token_ttl_seconds: int = 30 * 24 * 3600
    login_max_failures: int = 5
    login_window_seconds: int = 15 * 60
    max_body_bytes: int = 32 * 1024 * 1024  # on the wire (compressed or not)
    max_inflated_bytes: int = 64 * 1024 * 1024  # after gunzip: the decompression-bomb guard
    # A stale snapshot older than this is rebuilt in the background (it is served meanwhile).
    snapshot_max_age_seconds: int = 300
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536

    def data_path(self) -> Path:
        return Path(self.data_dir) if self.data_dir else default_data_dir()

    def database_url(self) -> str:
        return database_url(self.db or str(self.data_path() / "server.sqlite3"))

    def highwater_file(self) -> Path:
        """The high-water seq file kept outside the database (beside a SQLite file)."""
        if self.highwater_path:
            return Path(self.highwater_path)
        url = self.database_url()
        if url.startswith("sqlite"):
            return Path(url.split("///", 1)[1] + ".highwater.json")
        digest = hashlib.sha256(url.encode()).hexdigest()[:12]
        return self.data_path() / f"highwater-{digest}.json"

    def snapshot_dir(self) -> Path:
        url = self.database_url()
        digest = hashlib.sha256(url.encode()).hexdigest()[:12]
        return self.data_path() / "snapshots" / digest


def database_url(db: str) -> str:
    """A SQLAlchemy URL from a SQLite path or a PostgreSQL URL (psycopg 3 driver)."""
    if db.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + db.split("://", 1)[1]
    if db.startswith(("postgresql+", "sqlite:")):
        return db
    return "sqlite:///" + str(Path(db).expanduser().resolve())

"""The Alembic migrations build exactly the tables server/db.py declares."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from server import migrate
from server.config import database_url
from server.db import make_engine, metadata


def test_migrations_match_the_declared_tables(tmp_path: Path) -> None:
    engine = make_engine(database_url(str(tmp_path / "s.sqlite3")))
    try:
        migrate.upgrade(engine)
        migrate.upgrade(engine)  # idempotent
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), metadata)
        assert diff == []
    finally:
        engine.dispose()

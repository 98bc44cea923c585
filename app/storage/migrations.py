"""Numbered schema upgrades keyed on PRAGMA user_version; each runs in one transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from app.storage import schema
from app.storage.db import transaction, user_version


def _v1_records_and_sync(conn: sqlite3.Connection) -> None:
    """Record tables, their indexes, the sync bookkeeping tables and the seeded lists."""
    from app.storage import lists

    for sql in schema.all_record_tables_sql():
        conn.execute(sql)
    for sql in schema.INDEXES:
        conn.execute(sql)
    for sql in schema.SYNC_TABLES:
        conn.execute(sql)
    lists.seed(conn)


def _v2_search_and_drafts(conn: sqlite3.Connection) -> None:
    """The Chinese search index (built over existing rows) and autosaved drafts."""
    from app.storage import search

    search.create_schema(conn)
    search.rebuild(conn)
    conn.execute(
        """CREATE TABLE draft (
  key TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  record_id TEXT,
  data TEXT NOT NULL,
  saved_at TEXT NOT NULL
)"""
    )


def _v3_sync_bases_and_digests(conn: sqlite3.Connection) -> None:
    """Each change keeps the server copy it was based on (the base of a later three-way merge),
    and the digests of the synced copies are kept up to date so a no-op sync compares 16
    numbers per type instead of hashing every record."""
    conn.execute("ALTER TABLE outbox ADD COLUMN base TEXT")
    conn.execute(
        """CREATE TABLE sync_digest (
  type TEXT NOT NULL,
  bucket INTEGER NOT NULL,
  count INTEGER NOT NULL DEFAULT 0,
  digest INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (type, bucket)
) WITHOUT ROWID"""
    )
    from app.storage import sync_store

    sync_store.rebuild_digests(conn)


def _v4_enterprise_list_index(conn: sqlite3.Connection) -> None:
    """A covering index for the desktop enterprise list: its filters (name, city, chain,
    region, tag, visited) and default name order are answered from the index alone, so a
    filter keystroke over 100,000 enterprises never reads the wide table rows."""
    conn.execute(
        "CREATE INDEX IF NOT EXISTS enterprise_list ON enterprise(deleted, name_key, name, city,"
        " uscc, industry_chain, region, tags, id)"
    )


def _v5_lead_reached_dates(conn: sqlite3.Connection) -> None:
    """Each lead keeps the date it reached each pipeline stage (lead_stages.REACHED_COLUMNS),
    backfilled here from its live stage changes, so a period summary over 100,000 leads is
    a few aggregate queries instead of replaying every stage change in Python.

    A lead's changes are indexed in their full order (date, created_at, id) and cover the
    stage, so "the latest live change on or before a day" is one index probe.
    """
    from app.storage import lead_stages

    conn.execute("DROP INDEX IF EXISTS stage_change_lead")
    conn.execute(
        'CREATE INDEX stage_change_lead ON lead_stage_change(lead_id, deleted, "date",'
        " created_at, id, stage)"
    )
    lead_stages.add_columns(conn)
    lead_stages.refresh_all(conn)


def _v6_list_indexes(conn: sqlite3.Connection) -> None:
    """The enterprise list's indexes, measured on 100,000 enterprises:

    - filtered by industry chain or region and sorted by last update (the table's 最近更新
      order), every matching row was read and sorted: about 150 ms per filter change. With
      updated_at in those indexes the order comes from the index alone (5 ms), for ~5 MB;
    - filtered by industry chain (how bureaus organise 产业链招商) and sorted by name, the
      whole covering index was scanned for the chain's rows: about 20 ms. A (chain, name)
      index reads just them in order (5 ms), for 6 MB;
    - the covering index carried the name beside its name_key, though no filter reads it:
      without it the index is 4 MB smaller and a filtered scan reads a fifth less.
    """
    for name, column in (("enterprise_chain", "industry_chain"), ("enterprise_region", "region")):
        conn.execute(f"DROP INDEX IF EXISTS {name}")
        conn.execute(f"CREATE INDEX {name} ON enterprise({column}, deleted, updated_at)")
    conn.execute("CREATE INDEX IF NOT EXISTS enterprise_chain_name"
                 " ON enterprise(industry_chain, deleted, name_key)")
    conn.execute("DROP INDEX IF EXISTS enterprise_list")
    conn.execute(
        "CREATE INDEX enterprise_list ON enterprise(deleted, name_key, city, uscc,"
        " industry_chain, region, tags, id)"
    )


def _v7_compact_ids_and_times(conn: sqlite3.Connection) -> None:
    """Record ids and references as 16-byte BLOBs instead of 36-character text, created_at
    and updated_at as integer milliseconds instead of 24-character text (app/storage/ids.py,
    stamps.py): each table is copied into one that declares those columns `UUID` and
    `UTC_MS`, with its indexes made again. Profiles created at this version have them."""
    from app.domain.records import SPECS
    from app.storage import ids, stamps

    for spec in SPECS.values():
        t = spec.type
        columns = conn.execute(f"PRAGMA table_info({t})").fetchall()
        id_cols = set(schema.id_columns(spec))
        if all(c[2].upper() == ids.SQL_TYPE for c in columns if c[1] in id_cols):
            continue
        converted = {**{c: ids.SQL_TYPE for c in id_cols},
                     **{c: stamps.SQL_TYPE for c in stamps.COLUMNS}}
        convert = {**{c: "uuid_blob" for c in id_cols}, **{c: "utc_ms" for c in stamps.COLUMNS}}
        indexes = [r[0] for r in conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
            (t,),
        )]
        definitions = []
        for _, name, decl, notnull, default, pk in columns:
            d = f'"{name}" {converted.get(name, decl)}'
            d += " PRIMARY KEY" if pk else ""
            d += " NOT NULL" if notnull else ""
            d += f" DEFAULT {default}" if default is not None else ""
            definitions.append(d)
        values = ", ".join(
            f'{convert[c[1]]}("{c[1]}")' if c[1] in convert else f'"{c[1]}"' for c in columns
        )
        conn.execute(f"CREATE TABLE _v7_{t} ({', '.join(definitions)})")
        conn.execute(f"INSERT INTO _v7_{t} SELECT {values} FROM {t}")
        conn.execute(f"DROP TABLE {t}")
        conn.execute(f"ALTER TABLE _v7_{t} RENAME TO {t}")
        for sql in indexes:
            conn.execute(sql)


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    _v1_records_and_sync,
    _v2_search_and_drafts,
    _v3_sync_bases_and_digests,
    _v4_enterprise_list_index,
    _v5_lead_reached_dates,
    _v6_list_indexes,
    _v7_compact_ids_and_times,
]
SCHEMA_VERSION = len(MIGRATIONS)
_COPIES_TABLES = 7  # the migration that rewrites every record table


def migrate(conn: sqlite3.Connection, target: int = SCHEMA_VERSION) -> None:
    found = user_version(conn)
    for number in range(found + 1, target + 1):
        with transaction(conn):
            MIGRATIONS[number - 1](conn)
            conn.execute(f"PRAGMA user_version = {number}")
    if target >= 2:
        from app.storage import search

        # A new tokenizer or pinyin dictionary cannot replay old deletes: rebuild instead.
        search.ensure_current(conn)
    if 1 <= found < _COPIES_TABLES <= target:
        # v7 copied every record table: without this the file keeps the old tables' pages
        # as free space and grows (578 -> 673 MB on "100,000 enterprises") instead of
        # shrinking (-> 488 MB). The whole upgrade takes 12 s there, backup copy included.
        conn.execute("VACUUM")

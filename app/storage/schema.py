"""Table definitions derived from the record specs, plus the sync bookkeeping tables."""

from __future__ import annotations

from app.domain.records import SPECS, FieldSpec, RecordSpec
from app.storage import ids, stamps

_SQL_TYPES = {"money": "INTEGER", "bool": "INTEGER", "int": "INTEGER"}

# Columns kept beside the wire fields: derived values that make queries cheap. Leads also
# have reached_<stage> dates, added by migration v5 (app/storage/lead_stages.py).
DERIVED_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "enterprise": (("name_key", "TEXT"),),
    "lead": (("stage", "TEXT"), ("stage_date", "TEXT"), ("name_key", "TEXT")),
}

META_COLUMNS = (
    ("created_at", f"{stamps.SQL_TYPE} NOT NULL"),  # milliseconds: app/storage/stamps.py
    ("created_by", "TEXT NOT NULL"),
    ("updated_at", f"{stamps.SQL_TYPE} NOT NULL"),
    ("updated_by", "TEXT NOT NULL"),
    ("deleted", "INTEGER NOT NULL DEFAULT 0"),
    # The server's version as of the last pull; a record's version is its synced copy's
    # (records.synced_versions): acknowledged pushes do not rewrite the row for it.
    ("version", "INTEGER"),
)


def column_type(f: FieldSpec) -> str:
    """A field's declared type; a single reference holds an id as 16 bytes (app/storage/ids.py).
    A list of references stays a JSON array of id texts."""
    if f.kind == "ref":
        return ids.SQL_TYPE
    return _SQL_TYPES.get(f.kind, "TEXT")


def id_columns(spec: RecordSpec) -> tuple[str, ...]:
    """The columns of a record table that hold ids as 16-byte BLOBs."""
    return ("id", *(f.name for f in spec.fields if f.kind == "ref"))


def record_table_sql(spec: RecordSpec, fields: tuple[FieldSpec, ...] | None = None) -> str:
    cols = [f"id {ids.SQL_TYPE} PRIMARY KEY"]
    cols += [f"{f.name} {column_type(f)}" for f in (fields or spec.fields)]
    cols += [f"{name} {sql}" for name, sql in DERIVED_COLUMNS.get(spec.type, ())]
    cols += [f"{name} {sql}" for name, sql in META_COLUMNS]
    return f"CREATE TABLE {spec.type} (\n  " + ",\n  ".join(cols) + "\n)"


# Indexes for the lists and lookups the app runs; every one names its purpose.
INDEXES = (
    "CREATE INDEX enterprise_uscc ON enterprise(uscc) WHERE uscc IS NOT NULL",
    "CREATE INDEX enterprise_name_key ON enterprise(name_key)",
    "CREATE INDEX enterprise_updated ON enterprise(deleted, updated_at)",
    # enterprise_chain and enterprise_region gain updated_at in migration v6.
    "CREATE INDEX enterprise_chain ON enterprise(industry_chain, deleted)",
    "CREATE INDEX enterprise_region ON enterprise(region, deleted)",
    "CREATE INDEX contact_enterprise ON contact(enterprise_id)",
    "CREATE INDEX contact_mobile ON contact(mobile)",
    "CREATE INDEX visit_trip ON visit(trip_id, scheduled_at)",
    "CREATE INDEX visit_enterprise ON visit(enterprise_id)",
    "CREATE INDEX visit_scheduled ON visit(scheduled_at)",
    "CREATE INDEX meeting_note_visit ON meeting_note(visit_id)",
    "CREATE INDEX meeting_note_enterprise ON meeting_note(enterprise_id, date)",
    "CREATE INDEX lead_enterprise ON lead(enterprise_id)",
    "CREATE INDEX lead_stage ON lead(stage, deleted)",
    "CREATE INDEX lead_name_key ON lead(name_key)",
    "CREATE INDEX stage_change_lead ON lead_stage_change(lead_id, date)",
    "CREATE INDEX follow_up_lead ON follow_up(lead_id)",
    "CREATE INDEX follow_up_note ON follow_up(meeting_note_id)",
    "CREATE INDEX follow_up_due ON follow_up(done, due_date)",
    "CREATE INDEX list_item_kind ON list_item(kind, value)",
    "CREATE INDEX trip_dates ON trip(start_date, end_date)",
)

SYNC_TABLES = (
    # Local changes not yet acknowledged by the server. A change once sent (sent_at set) is
    # never altered; unsent changes of one record are coalesced.
    """CREATE TABLE outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  change_id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  record_id TEXT NOT NULL,
  base_version INTEGER,
  base_change_id TEXT,
  group_id TEXT,
  fields TEXT NOT NULL,
  created_at TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','conflict','quarantined','held')),
  sent_at TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  reply TEXT
)""",
    "CREATE INDEX outbox_record ON outbox(type, record_id)",
    "CREATE INDEX outbox_state ON outbox(state, seq)",
    # The record as last agreed with the server: the base of three-way merges and digests.
    """CREATE TABLE synced_copy (
  type TEXT NOT NULL,
  id TEXT NOT NULL,
  version INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  data TEXT NOT NULL,
  PRIMARY KEY (type, id)
) WITHOUT ROWID""",
    # Conflicts waiting for the user: field clashes, delete-vs-edit, duplicate enterprises.
    """CREATE TABLE conflict (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('fields','delete_edit','duplicate')),
  type TEXT NOT NULL,
  record_id TEXT NOT NULL,
  change_id TEXT,
  fields TEXT NOT NULL DEFAULT '[]',
  mine TEXT,
  theirs TEXT,
  base TEXT,
  duplicate_of TEXT,
  created_at TEXT NOT NULL,
  resolved_at TEXT,
  resolution TEXT
)""",
    "CREATE INDEX conflict_open ON conflict(resolved_at, created_at)",
    # Key/value state: sync cursor, epoch, server URL, user, last sync; profile flags.
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID",
)


def all_record_tables_sql() -> list[str]:
    return [record_table_sql(spec) for spec in SPECS.values()]

"""Local SQLite storage (sqlite-utils): schema, migrations, records, outbox, search."""

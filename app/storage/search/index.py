"""The search index: contentless FTS5 tables and a doc-id map, kept in step with each save.

- `search_text(body, title)`: pre-split text (see tokens.py) with positions, for 2+ character
  tokens, phrases and "title starts with" (^). Body is column 0: FTS5 writes a column marker
  for every entry outside column 0, and bodies hold most entries.
- `search_title`: the names again, alone: the name tiers ("starts with", "contains") then
  walk the short doclists of names, not those of every note that mentions the word.
- `search_char`: the distinct first characters of a document's tokens, no positions: a
  1-character query reads one short doclist. (A prefix index on search_text does the same
  at about twice the size, because it repeats every position.) `search_char_title` holds
  those of the name, plus the name's first character + "0" for the "starts with" tier.
- `search_pinyin` / `search_pinyin_head`: pinyin tokens of names (see pinyin.py), all of
  them / those starting at the first syllable; no positions, prefix indexes for 1–3 letters.
- `search_count`: documents per token and type, for the totals of 1-2 character queries
  (see counts.py).
- `search_doc(docid, uid)`: which record a row is. The docid's high bits hold the record type
  (so `--type` is a rowid range FTS5 seeks to); the low bits are handed out in rank order
  by `rebuild` (shorter names first, newer notes first), so the first rows FTS5 returns in
  rowid order are already the better ones. Records saved later are appended to their range.

Contentless tables keep no text, so removing a row means replaying the 'delete' command with
the tokens it was indexed with; they are regenerated from the old record, which is why the
index carries a version (`INDEX_VERSION`): a different tokenizer or pinyin table must
rebuild rather than replay (see `ensure_current`).
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from app.storage.db import transaction
from app.storage.search import counts, pinyin
from app.storage.search.tokens import CJK_RUN, char_tokens, head_char, index_text, prepare

INDEX_VERSION = f"8/{pinyin.table_version()}"
_META_KEY = "search_index_version"

TYPE_CODES = {"enterprise": 1, "contact": 2, "lead": 3, "meeting_note": 4}
CODE_TYPES = {code: name for name, code in TYPE_CODES.items()}
SHIFT = 40
ALL_RANGE = (1 << SHIFT, (max(TYPE_CODES.values()) + 1 << SHIFT) - 1)

# Fields read per type: the title (a name) and the body fields, in snippet order.
TITLE_FIELD = {"enterprise": "name", "contact": "name", "lead": "name", "meeting_note": None}
BODY_FIELDS = {
    "enterprise": ("uscc", "industry_chain", "tags", "address", "notes"),
    "contact": ("title", "mobile", "notes"),
    "lead": ("notes",),
    "meeting_note": ("content", "our_attendees", "their_attendees"),
}
PERSON_TYPES = frozenset({"contact"})
# Extra columns rebuild reads to order documents.
_ORDER_FIELD = {"meeting_note": "date"}

HEAD_MARK = "0"  # appended to a title's first character in search_char
_ONE_COLUMN = "tokens"
_TOKENIZE = "tokenize='unicode61 remove_diacritics 2'"
_FTS = (
    ("search_text", "body, title", ""),
    ("search_title", "tokens", ""),
    ("search_char", "tokens", ", detail=none"),
    ("search_char_title", "tokens", ", detail=none"),
    ("search_pinyin", "tokens", ", detail=none, prefix='1 2 3'"),
    ("search_pinyin_head", "tokens", ", detail=none, prefix='1 2 3'"),
)
SCHEMA = (
    *(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {name} USING fts5("
        f"{cols}, content='', columnsize=0{extra}, {_TOKENIZE})"
        for name, cols, extra in _FTS
    ),
    "CREATE TABLE IF NOT EXISTS search_doc (docid INTEGER PRIMARY KEY, uid BLOB NOT NULL)",
    "CREATE INDEX IF NOT EXISTS search_doc_uid ON search_doc(uid)",
    counts.SCHEMA,
    "CREATE TABLE IF NOT EXISTS search_meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID",
)
# Records whose rows changed but whose index entries have not caught up yet (see `queue`):
# `old` holds the indexed fields as the index has them (JSON), NULL when it has nothing.
# Written in the same transaction as the rows, so a crash never loses an index update.
QUEUE_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS search_queue (type TEXT NOT NULL, id TEXT NOT NULL, old TEXT,"
    " PRIMARY KEY (type, id)) WITHOUT ROWID"
)


def type_range(type_name: str | None) -> tuple[int, int]:
    if type_name is None:
        return ALL_RANGE
    code = TYPE_CODES[type_name]
    return code << SHIFT, ((code + 1) << SHIFT) - 1


def field_text(value: Any) -> str:
    """A field as text: lists (tags, attendees; JSON in a row) are joined with spaces."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return " ".join(str(v) for v in value)
    if isinstance(value, str) and value.startswith("["):
        try:
            items = json.loads(value)
        except ValueError:
            return value
        if isinstance(items, list):
            return " ".join(str(v) for v in items)
    return str(value)


@dataclass(frozen=True)
class Doc:
    """What one record contributes to the index: one value per FTS5 column."""

    body: str
    title: str
    title_marked: str  # for search_title: the title, then its head marker if it starts CJK
    chars: str  # of body and name
    title_chars: str
    pinyin: str
    pinyin_head: str


def make_doc(type_name: str, record: Mapping[str, Any]) -> Doc:
    title_field = TITLE_FIELD[type_name]
    name = field_text(record.get(title_field)) if title_field else ""
    body = prepare(*(field_text(record.get(f)) for f in BODY_FIELDS[type_name]))
    title = prepare(name)
    title_chars = char_tokens(title)
    chars = dict.fromkeys(char_tokens(body) + title_chars)
    first = head_char(title)
    if first:
        title_chars.append(first + HEAD_MARK)
    head = rest = ""
    if name:
        readings = pinyin.name_readings(name, person=type_name in PERSON_TYPES)
        head_tokens, rest_tokens = pinyin.tokens(readings)
        head, rest = " ".join(head_tokens), " ".join(rest_tokens)
    title_text = index_text(title)
    # The marker lets "starts with" skip to names starting with that character instead of
    # walking every name that holds the word (有限公司 is in almost every company name).
    # Only after a CJK character: a letter + "0" could be a word someone types.
    marked = f"{title_text} {first}{HEAD_MARK}" if first and CJK_RUN.match(first) else title_text
    return Doc(
        index_text(body), title_text, marked, " ".join(chars), " ".join(title_chars),
        f"{head} {rest}".strip(), head,
    )


def is_live(record: Mapping[str, Any] | None) -> bool:
    return record is not None and not record.get("deleted")


def indexed_fields(type_name: str) -> tuple[str, ...]:
    """The record fields `make_doc` reads: what an index entry is made of."""
    title_field = TITLE_FIELD[type_name]
    return ((title_field,) if title_field else ()) + BODY_FIELDS[type_name]


def create_schema(conn: sqlite3.Connection) -> None:
    for sql in SCHEMA:
        conn.execute(sql)
    conn.execute(QUEUE_SCHEMA)
    conn.execute(
        "INSERT OR REPLACE INTO search_meta (key, value) VALUES (?, ?)", (_META_KEY, INDEX_VERSION)
    )


def is_current(conn: sqlite3.Connection) -> bool:
    """Whether the index was built by this tokenizer version (or there is none yet: the
    migration that creates it builds it current)."""
    try:
        row = conn.execute("SELECT value FROM search_meta WHERE key = ?", (_META_KEY,)).fetchone()
    except sqlite3.OperationalError:
        return True
    return bool(row and row[0] == INDEX_VERSION)


def ensure_current(conn: sqlite3.Connection) -> bool:
    """Rebuild the index when it was built by another tokenizer version; True if it did."""
    if is_current(conn):
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'search_doc'").fetchone():
            # Profiles from before the queue get its table; a crash may have left work in it.
            conn.execute(QUEUE_SCHEMA)
            drain(conn)
        return False
    with transaction(conn):
        _drop(conn)
        rebuild(conn)
    return True


def index_record(
    conn: sqlite3.Connection,
    type_name: str,
    old: Mapping[str, Any] | None,
    new: Mapping[str, Any] | None,
) -> None:
    """Bring the index in line with one save; call inside the save's transaction.

    `old`/`new` are the record before and after (None for none); a tombstoned record
    (deleted=True) leaves the index, a restored one comes back.
    """
    if type_name not in TYPE_CODES:
        return
    record_id = (new or old or {}).get("id")
    queued = _take_queued(conn, type_name, record_id) if record_id else None
    if queued is not None:
        # The index still holds what the queue says, not `old`: replay from that.
        old = queued[0]
    old_doc = make_doc(type_name, old) if old is not None and is_live(old) else None
    new_doc = make_doc(type_name, new) if new is not None and is_live(new) else None
    if old_doc == new_doc:
        return  # nothing indexed changed (e.g. only the intent of a note)
    if record_id is None:
        return
    uid = uuid.UUID(record_id).bytes
    lo, hi = type_range(type_name)
    deleted = False
    if old_doc is not None:
        row = conn.execute(
            "SELECT docid FROM search_doc WHERE uid = ? AND docid BETWEEN ? AND ?", (uid, lo, hi)
        ).fetchone()
        if row is not None:
            _delete(conn, row[0], old_doc, count=new_doc is None)
            deleted = True
    if new_doc is not None:
        top = conn.execute(
            "SELECT max(docid) FROM search_doc WHERE docid BETWEEN ? AND ?", (lo, hi)
        ).fetchone()[0]
        docid = (top or lo) + 1
        _insert(conn, [(docid, uid, new_doc)], count=not deleted)
        if deleted:
            # An edit: only the tokens that came or went move their counts (most stay), so
            # a save touches a few rows of search_count instead of one per token.
            code, before = _counted(docid, old_doc)
            _, after = _counted(docid, new_doc)
            counts.apply(conn, [(code, after - before)], 1)
            counts.apply(conn, [(code, before - after)], -1)


def index_many(
    conn: sqlite3.Connection, type_name: str, records: Iterable[Mapping[str, Any]]
) -> int:
    """Index records just inserted in bulk (demo data, imports); returns how many.

    The records must not be in the index yet — an update of an indexed record goes through
    `index_record`, which knows the old values. Tombstoned records are skipped.
    """
    if type_name not in TYPE_CODES:
        return 0
    lo, hi = type_range(type_name)
    top = conn.execute(
        "SELECT max(docid) FROM search_doc WHERE docid BETWEEN ? AND ?", (lo, hi)
    ).fetchone()[0] or lo
    rows = []
    for record in records:
        if not is_live(record):
            continue
        uid = uuid.UUID(record["id"]).bytes
        if conn.execute(
            "SELECT 1 FROM search_doc WHERE uid = ? AND docid BETWEEN ? AND ?", (uid, lo, hi)
        ).fetchone():
            raise ValueError(f"{type_name} {record['id']} is already indexed")
        top += 1
        rows.append((top, uid, make_doc(type_name, record)))
    _insert(conn, rows)
    return len(rows)


def _take_queued(
    conn: sqlite3.Connection, type_name: str, record_id: str
) -> tuple[dict[str, Any] | None] | None:
    """Remove a record from the queue; (what the index holds for it,) if it was queued."""
    row = conn.execute(
        "SELECT old FROM search_queue WHERE type = ? AND id = ?", (type_name, record_id)
    ).fetchone()
    if row is None:
        return None
    conn.execute("DELETE FROM search_queue WHERE type = ? AND id = ?", (type_name, record_id))
    return (json.loads(row[0]) if row[0] is not None else None,)


def queue(
    conn: sqlite3.Connection, type_name: str,
    items: Iterable[tuple[str, Mapping[str, Any] | None]],
) -> None:
    """Note records whose rows this write changes, as (id, record before the write or None),
    so `drain` brings their index entries up to date soon after, off the write's hot path.

    Call inside the write's transaction: the note is as durable as the rows. A record
    already queued keeps its first note, since the index still holds that state.
    """
    if type_name not in TYPE_CODES:
        return
    names = indexed_fields(type_name)
    conn.executemany(
        "INSERT OR IGNORE INTO search_queue (type, id, old) VALUES (?, ?, ?)",
        [
            (type_name, rid, _JSON.encode({f: old.get(f) for f in names})
             if old is not None and is_live(old) else None)
            for rid, old in items
        ],
    )


_JSON = json.JSONEncoder(ensure_ascii=False)


def queued(conn: sqlite3.Connection) -> int:
    """How many records wait for their index entries."""
    return int(conn.execute("SELECT count(*) FROM search_queue").fetchone()[0])


def drain(conn: sqlite3.Connection, limit: int | None = None) -> int:
    """Bring the index up to date for (up to `limit`) queued records in one transaction (the
    caller's, if it is in one); returns how many it took from the queue."""
    with transaction(conn):
        rows = conn.execute(
            "SELECT type, id, old FROM search_queue LIMIT ?", (-1 if limit is None else limit,)
        ).fetchall()
        if not rows:
            return 0
        by_type: dict[str, list[tuple[str, str | None]]] = {}
        for type_name, rid, old in rows:
            by_type.setdefault(type_name, []).append((rid, old))
        for type_name, items in by_type.items():
            if type_name in TYPE_CODES:
                _reindex(conn, type_name, items)
        conn.executemany(
            "DELETE FROM search_queue WHERE type = ? AND id = ?", [(t, i) for t, i, _ in rows]
        )
    return len(rows)


def _reindex(
    conn: sqlite3.Connection, type_name: str, items: list[tuple[str, str | None]]
) -> None:
    """`index_record` for many records at once: from what the index holds (the queue's JSON)
    to what their rows hold now, one executemany per table."""
    names = ("id", *indexed_fields(type_name), "deleted")
    cols = ", ".join(f'"{f}"' for f in names)
    current = {
        row[0]: dict(zip(names, row, strict=True))
        for row in conn.execute(
            f"SELECT {cols} FROM {type_name} WHERE id IN (SELECT uuid_blob(value) FROM json_each(?))",
            (json.dumps([rid for rid, _ in items]),),
        )
    }
    lo, hi = type_range(type_name)
    changed: list[tuple[bytes, Doc | None, Doc | None]] = []
    for rid, old_json in items:
        new = current.get(rid)
        old_doc = make_doc(type_name, json.loads(old_json)) if old_json is not None else None
        new_doc = make_doc(type_name, new) if new is not None and not new["deleted"] else None
        if old_doc != new_doc:
            changed.append((uuid.UUID(rid).bytes, old_doc, new_doc))
    if not changed:
        return
    olds = [uid for uid, old_doc, _ in changed if old_doc is not None]
    docids: dict[bytes, int] = {}
    for start in range(0, len(olds), 500):
        chunk = olds[start:start + 500]
        docids.update(conn.execute(
            f"SELECT uid, docid FROM search_doc WHERE uid IN ({', '.join('?' for _ in chunk)})"
            " AND docid BETWEEN ? AND ?", (*chunk, lo, hi),
        ))
    removed: list[tuple[int, Doc, bool]] = []  # (docid, doc, count it out)
    added: list[tuple[bytes, Doc, bool]] = []  # (uid, doc, count it in)
    moved: list[tuple[int, set[str], set[str]]] = []  # an edit moves only changed counts
    for uid, old_doc, new_doc in changed:
        deleted = False
        if old_doc is not None and uid in docids:
            removed.append((docids[uid], old_doc, new_doc is None))
            deleted = True
        if new_doc is not None:
            added.append((uid, new_doc, not deleted))
            if deleted:
                assert old_doc is not None
                code, before = _counted(docids[uid], old_doc)
                moved.append((code, before, _counted(docids[uid], new_doc)[1]))
    _delete_many(conn, removed)
    if added:
        top = conn.execute(
            "SELECT max(docid) FROM search_doc WHERE docid BETWEEN ? AND ?", (lo, hi)
        ).fetchone()[0] or lo
        counted = [(top + n, uid, doc) for n, (uid, doc, c) in enumerate(added, start=1) if c]
        plain = [(top + n, uid, doc) for n, (uid, doc, c) in enumerate(added, start=1) if not c]
        _insert(conn, counted)
        _insert(conn, plain, count=False)
    if moved:
        counts.apply(conn, [(code, after - before) for code, before, after in moved], 1)
        counts.apply(conn, [(code, before - after) for code, before, after in moved], -1)


def rebuild(conn: sqlite3.Connection) -> None:
    """Re-create the index from the live records, numbering documents in rank order."""
    create_schema(conn)
    for name, _, _ in _FTS:
        conn.execute(f"INSERT INTO {name} ({name}) VALUES ('delete-all')")
    conn.execute("DELETE FROM search_doc")
    conn.execute("DELETE FROM search_count")
    conn.execute("DELETE FROM search_queue")  # every record is indexed from its row below
    for type_name in TYPE_CODES:
        title_field = TITLE_FIELD[type_name]
        fields = [f for f in (title_field, _ORDER_FIELD.get(type_name)) if f]
        fields += BODY_FIELDS[type_name]
        cols = ", ".join(f'"{f}"' for f in ["id", *fields])
        cur = conn.execute(f"SELECT {cols} FROM {type_name} WHERE deleted = 0")
        names = ["id", *fields]
        keyed = []
        for row in cur:
            record = dict(zip(names, row, strict=True))
            keyed.append((_rank_key(type_name, record), record["id"], record))
        keyed.sort(key=lambda item: (item[0], item[1]))
        lo, _ = type_range(type_name)
        _insert(
            conn,
            (
                (lo + n, uuid.UUID(rid).bytes, make_doc(type_name, record))
                for n, (_, rid, record) in enumerate(keyed, start=1)
            ),
        )
    optimize(conn)


def optimize(conn: sqlite3.Connection) -> None:
    """Merge each FTS5 table into one segment.

    A bulk build leaves several large segments on different levels; the small segments later
    saves add then climb the levels until one of their merges takes in a large one, and that
    save rewrites megabytes (seen: 0.3 s). One segment per table keeps every later merge
    among the small ones. Costs about 5 s on the 100,000-enterprise dataset.
    """
    for name, _, _ in _FTS:
        conn.execute(f"INSERT INTO {name} ({name}) VALUES ('optimize')")


def _rank_key(type_name: str, record: Mapping[str, Any]) -> tuple[Any, ...]:
    if type_name == "meeting_note":
        # Newest first: negate the date's ordinal-like digits.
        day = str(record.get("date") or "0000-00-00").replace("-", "")
        return (-int(day) if day.isdigit() else 0,)
    title_field = TITLE_FIELD[type_name]
    return (len(str(record.get(title_field) or "")) if title_field else 0,)


def _drop(conn: sqlite3.Connection) -> None:
    """Remove the search tables: an older index may have other columns or options."""
    for name, _, _ in _FTS:
        conn.execute(f"DROP TABLE IF EXISTS {name}")
    conn.execute("DROP TABLE IF EXISTS search_doc")
    conn.execute("DROP TABLE IF EXISTS search_count")


def _counted(docid: int, doc: Doc) -> tuple[int, set[str]]:
    return docid >> SHIFT, counts.doc_tokens(doc.chars, doc.body, doc.title)


def _insert(
    conn: sqlite3.Connection, rows: Iterable[tuple[int, bytes, Doc]], *, count: bool = True
) -> None:
    docs: list[tuple[int, bytes]] = []
    texts: list[tuple[int, str, str]] = []
    titles: list[tuple[int, str]] = []
    chars: list[tuple[int, str]] = []
    title_chars: list[tuple[int, str]] = []
    pys: list[tuple[int, str]] = []
    heads: list[tuple[int, str]] = []
    counted: list[tuple[int, set[str]]] = []
    for docid, uid, doc in rows:
        docs.append((docid, uid))
        if count:
            counted.append(_counted(docid, doc))
        texts.append((docid, doc.body, doc.title))
        # Empty values are left out: a contentless delete must replay exactly what went in.
        for target, value in ((titles, doc.title_marked), (chars, doc.chars),
                              (title_chars, doc.title_chars),
                              (pys, doc.pinyin), (heads, doc.pinyin_head)):
            if value:
                target.append((docid, value))
    conn.executemany("INSERT INTO search_doc (docid, uid) VALUES (?, ?)", docs)
    counts.apply(conn, counted, 1)
    conn.executemany("INSERT INTO search_text (rowid, body, title) VALUES (?, ?, ?)", texts)
    for table, values in (
        ("search_title", titles),
        ("search_char", chars),
        ("search_char_title", title_chars),
        ("search_pinyin", pys),
        ("search_pinyin_head", heads),
    ):
        conn.executemany(f"INSERT INTO {table} (rowid, {_ONE_COLUMN}) VALUES (?, ?)", values)


def _delete_many(conn: sqlite3.Connection, docs: list[tuple[int, Doc, bool]]) -> None:
    """`_delete` for many (docid, doc, count) at once, one executemany per table."""
    if not docs:
        return
    conn.executemany("DELETE FROM search_doc WHERE docid = ?", [(d,) for d, _, _ in docs])
    counts.apply(conn, [_counted(d, doc) for d, doc, count in docs if count], -1)
    conn.executemany(
        "INSERT INTO search_text (search_text, rowid, body, title) VALUES ('delete', ?, ?, ?)",
        [(d, doc.body, doc.title) for d, doc, _ in docs],
    )
    for table, attr in (
        ("search_title", "title_marked"),
        ("search_char", "chars"),
        ("search_char_title", "title_chars"),
        ("search_pinyin", "pinyin"),
        ("search_pinyin_head", "pinyin_head"),
    ):
        # Empty values were never inserted (see _insert).
        conn.executemany(
            f"INSERT INTO {table} ({table}, rowid, {_ONE_COLUMN}) VALUES ('delete', ?, ?)",
            [(d, getattr(doc, attr)) for d, doc, _ in docs if getattr(doc, attr)],
        )


def _delete(conn: sqlite3.Connection, docid: int, doc: Doc, *, count: bool = True) -> None:
    conn.execute("DELETE FROM search_doc WHERE docid = ?", (docid,))
    if count:
        counts.apply(conn, [_counted(docid, doc)], -1)
    conn.execute(
        "INSERT INTO search_text (search_text, rowid, body, title) VALUES ('delete', ?, ?, ?)",
        (docid, doc.body, doc.title),
    )
    for table, value in (
        ("search_title", doc.title_marked),
        ("search_char", doc.chars),
        ("search_char_title", doc.title_chars),
        ("search_pinyin", doc.pinyin),
        ("search_pinyin_head", doc.pinyin_head),
    ):
        if value:  # empty values were never inserted (see _insert)
            conn.execute(
                f"INSERT INTO {table} ({table}, rowid, {_ONE_COLUMN}) VALUES ('delete', ?, ?)",
                (docid, value),
            )

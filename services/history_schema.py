"""The history file's schema: its version, the ordered steps that bring an older file up to date, and the
full-text search index.

The version lives in ``PRAGMA user_version``. Files written before migrations existed have user_version 0
and their version (1) in a ``schema_version`` table; that table is kept at 1, because those older apps check
it and still read and write a migrated file (every later column has a default, and the search index is
kept in step by triggers, whichever app inserts a row). A file whose version is higher than this app's
SCHEMA_VERSION was written by a newer app: it is refused before anything is written to it.

Each step runs inside the caller's transaction, so a file is migrated completely or not at all.

Search: an FTS5 table with the trigram tokenizer (case-insensitive substring matching, like LIKE, but
indexed) over one document per entry, SEARCH_DOCUMENT below. Triggers keep it in step with `invocations`.
The index counts as trusted only while its triggers exist: a Python whose SQLite has no FTS5 drops them
(a trigger on a module it cannot load would make every save fail) and searches with LIKE over the same
document; the next start with FTS5 fills the index again.
"""

from __future__ import annotations

import contextlib
import functools
import sqlite3
from collections.abc import Callable

SCHEMA_VERSION = 3
LEGACY_VERSION = 1  # what the `schema_version` table keeps saying (apps before migrations read it)
SEARCH_TABLE = "invocations_search"
SEARCHED_CHARS = 65_536  # of each body and text: the first 64 K characters are searchable
_TRIGGERS = ("invocations_search_insert", "invocations_search_delete", "invocations_search_update")


def _body_text(column: str) -> str:
    # A body holding a NUL byte is binary (a picture, audio): not searchable text.
    return (
        f"CASE WHEN instr({column}, X'00') > 0 THEN '' "
        f"ELSE substr(CAST({column} AS TEXT), 1, {SEARCHED_CHARS}) END"
    )


def search_document(row: str = "") -> str:
    """The SQL expression for one entry's searchable text; `row` is a prefix such as "NEW." in a trigger.
    Fields are joined by newlines, and search terms never hold whitespace, so no match spans two fields."""
    p = row
    fields = [
        f"coalesce({p}endpoint_name, '')",
        f"coalesce({p}inference_component_name, '')",
        f"coalesce({p}connection_label, '')",
        f"coalesce({p}request_id, '')",
        f"coalesce({p}error_code, '')",
        f"coalesce({p}error_message, '')",
        _body_text(f"{p}request_body"),
        _body_text(f"{p}response_body"),
        f"substr(coalesce({p}text, ''), 1, {SEARCHED_CHARS})",
    ]
    return " || char(10) || ".join(fields)


def _create_v1(conn: sqlite3.Connection, schema_v1: str) -> None:
    for statement in schema_v1.split(";"):
        if statement.strip():
            conn.execute(statement)
    if conn.execute("SELECT version FROM schema_version").fetchone() is None:
        conn.execute("INSERT INTO schema_version (version) VALUES (?)", (LEGACY_VERSION,))


def _v2_star_and_filter_indexes(conn: sqlite3.Connection) -> None:
    """Starred entries, and indexes for the History page's filters (time, connection, starred)."""
    conn.execute("ALTER TABLE invocations ADD COLUMN starred INTEGER NOT NULL DEFAULT 0")
    conn.execute("CREATE INDEX IF NOT EXISTS invocations_by_time ON invocations (requested_at)")
    conn.execute("CREATE INDEX IF NOT EXISTS invocations_by_connection ON invocations (connection_label, id)")
    conn.execute("CREATE INDEX IF NOT EXISTS invocations_starred ON invocations (id) WHERE starred = 1")


def _v3_search_index(conn: sqlite3.Connection) -> None:
    """The full-text index (when this SQLite has FTS5), filled from every existing row."""
    if fts5_available():
        create_search_index(conn)


Migration = Callable[[sqlite3.Connection], None]


def migrations(schema_v1: str) -> list[tuple[int, Migration]]:
    """The steps in order: (the version a file has after it, the step)."""
    return [
        (1, functools.partial(_create_v1, schema_v1=schema_v1)),
        (2, _v2_star_and_filter_indexes),
        (3, _v3_search_index),
    ]


def file_version(conn: sqlite3.Connection) -> int:
    """The schema version of the open file: 0 for an empty file. The higher of ``PRAGMA user_version``
    and the legacy table's number (a newer app may have raised either)."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if not _has_table(conn, "invocations"):
        return version
    legacy = LEGACY_VERSION
    if _has_table(conn, "schema_version"):
        legacy = int(conn.execute("SELECT max(version) FROM schema_version").fetchone()[0] or LEGACY_VERSION)
    return max(version, legacy)


def migrate(conn: sqlite3.Connection, version: int, schema_v1: str) -> None:
    """Run every step above `version`, in order, and record the new version (inside the caller's
    transaction: PRAGMA user_version is transactional)."""
    for target, step in migrations(schema_v1):
        if target > version:
            step(conn)
            conn.execute(f"PRAGMA user_version = {int(target)}")


@functools.cache
def fts5_available() -> bool:
    """Whether this Python's SQLite has FTS5 with the trigram tokenizer (SQLite 3.34+)."""
    try:
        with contextlib.closing(sqlite3.connect(":memory:")) as conn:
            conn.execute("CREATE VIRTUAL TABLE probe USING fts5(doc, tokenize='trigram')")
        return True
    except sqlite3.Error:
        return False


def create_search_index(conn: sqlite3.Connection) -> None:
    """Create (or refill) the index and its triggers, and index every row there is."""
    conn.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {SEARCH_TABLE} USING fts5(doc, content='', tokenize='trigram')"
    )
    conn.execute(f"INSERT INTO {SEARCH_TABLE} ({SEARCH_TABLE}) VALUES ('delete-all')")
    conn.execute(f"INSERT INTO {SEARCH_TABLE} (rowid, doc) SELECT id, {search_document()} FROM invocations")
    insert, delete, update = _TRIGGERS
    conn.execute(
        f"CREATE TRIGGER IF NOT EXISTS {insert} AFTER INSERT ON invocations BEGIN "
        f"INSERT INTO {SEARCH_TABLE} (rowid, doc) VALUES (NEW.id, {search_document('NEW.')}); END"
    )
    conn.execute(
        f"CREATE TRIGGER IF NOT EXISTS {delete} AFTER DELETE ON invocations BEGIN {_unindex('OLD.')} END"
    )
    # Starring an entry changes no searched field: only updates of what is searched touch the index.
    searched = (
        "endpoint_name, inference_component_name, connection_label, request_id, error_code, error_message,"
        " request_body, response_body, text"
    )
    conn.execute(
        f"CREATE TRIGGER IF NOT EXISTS {update} AFTER UPDATE OF {searched} ON invocations BEGIN "
        f"{_unindex('OLD.')} "
        f"INSERT INTO {SEARCH_TABLE} (rowid, doc) VALUES (NEW.id, {search_document('NEW.')}); END"
    )


def _unindex(row: str) -> str:
    # The index keeps no copy of the text (contentless: half the file); removing a row's words takes
    # the exact text it was indexed with, which the trigger computes again from the old row.
    return (
        f"INSERT INTO {SEARCH_TABLE} ({SEARCH_TABLE}, rowid, doc) "
        f"VALUES ('delete', {row}id, {search_document(row)});"
    )


def sync_search_index(conn: sqlite3.Connection) -> bool:
    """Make the index trustworthy for this Python's SQLite (see the module docstring); True when searches
    can use it."""
    have_triggers = all(_has_trigger(conn, name) for name in _TRIGGERS)
    if fts5_available():
        if not have_triggers:
            create_search_index(conn)
        return True
    for name in _TRIGGERS:
        conn.execute(f"DROP TRIGGER IF EXISTS {name}")
    return False


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    query = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
    return conn.execute(query, (name,)).fetchone() is not None


def _has_trigger(conn: sqlite3.Connection, name: str) -> bool:
    query = "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = ?"
    return conn.execute(query, (name,)).fetchone() is not None

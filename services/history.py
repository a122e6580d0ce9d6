"""The SQLite history: every request and its result, saved when it completes, kept across restarts.

One file in the user's data directory (override with ``SMTI_HISTORY_PATH``), created with mode 0600 in a
0700 directory, in WAL mode so several Streamlit sessions and browser tabs can write at once. Each call opens
its own short-lived connection: nothing is shared between threads, and a writer waits (busy_timeout) instead
of failing with 'database is locked'. Credentials are never stored: an InvocationResult holds none, and
nothing else is saved.
"""

from __future__ import annotations

import builtins
import contextlib
import json
import os
import sqlite3
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from services import errors, history_schema
from services.errors import ModelError, ServiceError, StreamError
from services.history_schema import SCHEMA_VERSION
from services.parameters import OPTIONAL_PARAMETERS
from services.results import InvocationRequest, InvocationResult, Status, StreamStats

__all__ = ["SCHEMA_VERSION", "History", "HistoryEntry", "HistoryFilter", "HistoryVersionError"]

APP_DIR_NAME = "sagemaker-test-inference"
FILE_NAME = "history.sqlite3"
PATH_ENV = "SMTI_HISTORY_PATH"
MAX_STORED_BYTES = 1024 * 1024  # bodies and texts above 1 MiB keep their first MiB and their full size
BUSY_TIMEOUT_MS = 10_000
PREVIEW_BYTES = 4096  # list() returns this much of each body; get() returns everything stored
MIN_TERM = 3  # the index finds substrings of 3+ characters; shorter terms are matched by a scan
# Terms the index cannot take (or every term, without it): found in the same document, folded to lower
# case by Python (SQLite's LIKE and lower() fold ASCII only; the index folds every letter). The document
# goes in as bytes, so a body that is not UTF-8 cannot make the function fail.
_SCAN_DOCUMENT = f"instr(smti_fold(CAST(({history_schema.search_document('invocations.')}) AS BLOB)), ?) > 0"
_LARGE_COLUMNS = frozenset({"request_body", "response_body", "text", "partial_text"})

_REQUEST_OPTIONS = tuple(p.attribute for p in OPTIONAL_PARAMETERS)  # one TEXT column each

# Version 1, exactly as apps before migrations created it (they still open a migrated file: see _migrate).
_SCHEMA_V1 = f"""
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS invocations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    saved_at TEXT NOT NULL,
    connection_label TEXT NOT NULL,
    endpoint_name TEXT NOT NULL,
    request_body BLOB NOT NULL,
    request_body_size INTEGER NOT NULL,
    request_content_type TEXT NOT NULL,
    {", ".join(f"{name} TEXT" for name in _REQUEST_OPTIONS)},
    status TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    returned_at TEXT,
    execution_ms REAL,
    attempts INTEGER NOT NULL,
    request_id TEXT,
    invoked_variant TEXT,
    content_type TEXT,
    response_body BLOB NOT NULL,
    response_body_size INTEGER NOT NULL,
    response_custom_attributes TEXT,
    new_session_id TEXT,
    closed_session_id TEXT,
    streamed INTEGER NOT NULL,
    stream_format TEXT,
    time_to_first_byte_ms REAL,
    time_to_first_token_ms REAL,
    token_count INTEGER,
    stream_parts INTEGER,
    text TEXT NOT NULL,
    text_size INTEGER NOT NULL,
    error_class TEXT,
    error_code TEXT,
    error_message TEXT,
    error_hint TEXT,
    error_http_status INTEGER,
    error_request_id TEXT,
    original_status INTEGER,
    original_message TEXT,
    log_stream_arn TEXT,
    log_url TEXT,
    partial_text TEXT,
    extra TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS invocations_by_endpoint ON invocations (endpoint_name, id);
CREATE INDEX IF NOT EXISTS invocations_by_status ON invocations (status, id);
"""


def default_history_path() -> Path:
    """``$SMTI_HISTORY_PATH`` if set, else ``history.sqlite3`` in this app's folder of the user's data dir."""
    override = os.environ.get(PATH_ENV, "").strip()
    if override:
        return Path(override).expanduser()
    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or home / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = home / "Library" / "Application Support"
    else:
        xdg = os.environ.get("XDG_DATA_HOME", "")
        # The XDG spec says relative values are invalid and must be ignored.
        base = Path(xdg) if os.path.isabs(xdg) else home / ".local" / "share"
    return base / APP_DIR_NAME / FILE_NAME


@dataclass
class HistoryEntry:
    """One saved request and its result. Entries from ``list()`` hold previews of the bodies (``complete`` is
    False); ``get()`` returns everything stored. Bodies over 1 MiB were stored cut to their first MiB."""

    id: int
    saved_at: datetime
    connection_label: str
    request: InvocationRequest
    request_body_size: int
    status: Status
    requested_at: datetime
    returned_at: datetime | None
    execution_ms: float | None
    attempts: int
    request_id: str | None
    invoked_variant: str | None
    content_type: str | None
    body: bytes
    body_size: int
    custom_attributes: str | None
    new_session_id: str | None
    closed_session_id: str | None
    stream: StreamStats | None
    text: str
    text_size: int
    error: ServiceError | None
    extra: dict[str, str] = field(default_factory=dict)
    complete: bool = True
    starred: bool = False

    @property
    def endpoint_name(self) -> str:
        return self.request.endpoint_name

    @property
    def body_truncated(self) -> bool:
        """True when the response body here is shorter than the one received."""
        return len(self.body) < self.body_size

    @property
    def request_body_truncated(self) -> bool:
        return len(self.request.body) < self.request_body_size

    @property
    def text_truncated(self) -> bool:
        return len(self.text) < self.text_size

    def to_result(self) -> InvocationResult:
        """The result as it was shown when it completed (bodies as stored), with ``history_id`` set."""
        return InvocationResult(
            request=self.request,
            status=self.status,
            requested_at=self.requested_at,
            returned_at=self.returned_at,
            execution_ms=self.execution_ms,
            attempts=self.attempts,
            request_id=self.request_id,
            invoked_variant=self.invoked_variant,
            content_type=self.content_type,
            body=self.body,
            custom_attributes=self.custom_attributes,
            new_session_id=self.new_session_id,
            closed_session_id=self.closed_session_id,
            error=self.error,
            stream=self.stream,
            text=self.text,
            history_id=self.id,
            extra=dict(self.extra),
        )


class HistoryVersionError(RuntimeError):
    """The file was written by a newer version of this app; it is left untouched."""


@dataclass(frozen=True)
class HistoryFilter:
    """Which entries to list. Every field narrows; the defaults match everything.

    ``search``: whitespace-separated terms, each found (case-insensitive, as a substring) somewhere in the
    entry's endpoint, inference component, connection, request id, error, request body or output (the
    first 64 K characters of each text body; binary bodies are not searched). ``since``/``until`` bound the
    time the request was sent (``since`` included, ``until`` excluded)."""

    search: str = ""
    endpoint: str | None = None
    status: Status | str | None = None
    connection_label: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    starred: bool = False

    def terms(self) -> list[str]:
        return self.search.split()


class History:
    """The history store. Safe to share between threads: every call uses its own connection."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_history_path()
        self._create_private_file()
        with self._connection() as conn:
            # Read the version before writing anything: a newer app's file is left exactly as it is.
            conn.execute("BEGIN IMMEDIATE")  # two first starts at once must not both migrate
            version = _file_version(conn)
            if version > SCHEMA_VERSION:
                conn.execute("ROLLBACK")
                raise HistoryVersionError(
                    f"{self.path} was written by a newer version of this app (schema {version}); "
                    f"this version reads schema {SCHEMA_VERSION} and older. Nothing in the file was changed: "
                    f"update the app, or set {PATH_ENV} to another file."
                )
            _migrate(conn, version)
            self.search_index = _sync_search_index(conn)
            conn.execute("COMMIT")
            # WAL lets readers and one writer work at once; the mode is stored in the file itself.
            conn.execute("PRAGMA journal_mode=WAL")
            self._columns = [info["name"] for info in conn.execute("PRAGMA table_info(invocations)")]

    def save(self, result: InvocationResult, *, connection_label: str) -> int:
        """Store one completed result; returns its id and sets ``result.history_id`` to it."""
        row = _row_from_result(result, connection_label)
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        with self._connection() as conn:
            conn.execute("BEGIN IMMEDIATE")
            cursor = conn.execute(
                f"INSERT INTO invocations ({columns}) VALUES ({marks})", tuple(row.values())
            )
            conn.execute("COMMIT")
        new_id = cursor.lastrowid
        assert new_id is not None
        result.history_id = new_id
        return new_id

    def list(
        self,
        endpoint: str | None = None,
        status: Status | str | None = None,
        search: str | None = None,
        limit: int = 100,
        *,
        where: HistoryFilter | None = None,
        before_id: int | None = None,
    ) -> list[HistoryEntry]:
        """Entries newest first, at most ``limit``, matching ``where`` (or the shorthand ``endpoint``,
        ``status`` and ``search``), with previews of their bodies. ``before_id``: only entries older than
        that one (the next page after a page ending with it)."""
        if where is None:
            where = HistoryFilter(search=search or "", endpoint=endpoint, status=status)
        conditions, params = _filters(where)
        terms = where.terms()
        indexed = [t for t in terms if len(t) >= MIN_TERM] if self.search_index else []
        scanned = [t for t in terms if t not in indexed]
        if indexed:
            sql, params = _indexed_search(indexed, scanned, conditions, params, before_id, self._columns)
        else:
            if before_id is not None:
                conditions.append("id < ?")
                params.append(before_id)
            for term in scanned:
                conditions.append(_SCAN_DOCUMENT)
                params.append(term.lower())
            sql = f"SELECT {_preview_select(self._columns)} FROM invocations"
            if conditions:
                sql += " WHERE " + " AND ".join(conditions)
            sql += " ORDER BY id DESC"
        with self._connection() as conn:
            rows = conn.execute(sql + " LIMIT ?", [*params, max(0, limit)]).fetchall()
        return [_entry_from_row(row, complete=False) for row in rows]

    def iter_matching(self, where: HistoryFilter, *, batch: int = 200) -> Iterator[HistoryEntry]:
        """Every matching entry, complete (whole bodies as stored), newest first, read in batches."""
        before: int | None = None
        while True:
            page = self.list(where=where, limit=batch, before_id=before)
            for preview in page:
                entry = self.get(preview.id)
                if entry is not None:
                    yield entry
            if len(page) < batch:
                return
            before = page[-1].id

    def set_starred(self, entry_id: int, starred: bool = True) -> bool:
        """Star (or unstar) one entry; True when it exists."""
        with self._connection() as conn:
            cursor = conn.execute("UPDATE invocations SET starred = ? WHERE id = ?", (int(starred), entry_id))
        return cursor.rowcount > 0

    def endpoints(self) -> builtins.list[str]:
        """Every endpoint with a saved entry, sorted (read from an index: cheap on a large history)."""
        with self._connection() as conn:
            rows = conn.execute("SELECT DISTINCT endpoint_name FROM invocations ORDER BY 1").fetchall()
        return [row[0] for row in rows]

    def connection_labels(self) -> builtins.list[str]:
        """Every connection an entry was sent with, sorted."""
        with self._connection() as conn:
            rows = conn.execute("SELECT DISTINCT connection_label FROM invocations ORDER BY 1").fetchall()
        return [row[0] for row in rows]

    def get(self, entry_id: int) -> HistoryEntry | None:
        """One entry with everything stored, or None when there is no such id."""
        with self._connection() as conn:
            row = conn.execute("SELECT * FROM invocations WHERE id = ?", (entry_id,)).fetchone()
        return None if row is None else _entry_from_row(row, complete=True)

    def delete(self, entry_id: int) -> bool:
        """Remove one entry; True when it existed."""
        with self._connection() as conn:
            cursor = conn.execute("DELETE FROM invocations WHERE id = ?", (entry_id,))
        return cursor.rowcount > 0

    def clear(self) -> int:
        """Remove every entry; returns how many there were."""
        with self._connection() as conn:
            cursor = conn.execute("DELETE FROM invocations")
        return cursor.rowcount

    def count(self) -> int:
        with self._connection() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM invocations").fetchone()[0])

    def connection(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        """A fresh connection to the history file (autocommit; transactions explicit), for another store
        that keeps its own table in the same file (services.conversation_store)."""
        return self._connection()

    @contextlib.contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        """A fresh connection in autocommit mode (transactions are explicit), closed afterwards."""
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        try:
            conn.row_factory = sqlite3.Row
            conn.create_function("smti_fold", 1, _fold, deterministic=True)
            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            # Safe in WAL mode: a power cut can lose the last commits, never corrupt the file.
            conn.execute("PRAGMA synchronous=NORMAL")
            yield conn
        finally:
            conn.close()

    def _create_private_file(self) -> None:
        """Create the folder (0700) and the file (0600) ourselves, so SQLite never creates them with the
        umask's wider default; SQLite gives the -wal and -shm files the database file's mode."""
        folder = self.path.parent
        if not folder.exists():
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            if os.name == "posix":
                os.chmod(folder, 0o700)  # mkdir's mode is filtered by the umask; 0700 must hold exactly
        elif os.name == "posix" and folder.name == APP_DIR_NAME and folder.stat().st_mode & 0o077:
            # The app's own folder, made wider by hand or by an older version: narrowed again. A folder the
            # user chose for the file (SMTI_HISTORY_PATH in their home, /tmp) is theirs and keeps its mode;
            # the file itself (and SQLite's -wal and -shm beside it) is 0600 either way.
            os.chmod(folder, 0o700)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        os.close(fd)
        if os.name == "posix" and self.path.stat().st_mode & 0o077:
            os.chmod(self.path, 0o600)  # an older file made readable by others is narrowed again


def _stored(data: bytes) -> bytes:
    return data[:MAX_STORED_BYTES]


def _stored_text(text: str) -> str:
    return text[:MAX_STORED_BYTES]


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _utc_iso(moment: datetime) -> str:
    """A bound comparable with stored times (UTC, ISO 8601); a naive moment is taken as local time."""
    return moment.astimezone(UTC).isoformat()


def _filters(where: HistoryFilter) -> tuple[list[str], list[object]]:
    """SQL conditions (and their parameters) for every field of the filter but the search."""
    conditions: list[str] = []
    params: list[object] = []
    for sql, value in (
        ("endpoint_name = ?", where.endpoint),
        ("status = ?", str(where.status) if where.status else None),
        ("connection_label = ?", where.connection_label),
        ("requested_at >= ?", None if where.since is None else _utc_iso(where.since)),
        ("requested_at < ?", None if where.until is None else _utc_iso(where.until)),
    ):
        if value:
            conditions.append(sql)
            params.append(value)
    if where.starred:
        conditions.append("starred = 1")
    return conditions, params


def _fold(document: object) -> str:
    if isinstance(document, bytes):
        return document.decode("utf-8", "replace").lower()
    return str(document or "").lower()


def _indexed_search(
    terms: list[str],
    scanned: list[str],
    conditions: list[str],
    params: list[object],
    before_id: int | None,
    columns: list[str],
) -> tuple[str, list[object]]:
    """The query for a search through the index: its matches walked newest first, stopping at the page's
    end, so a word found in most rows answers at once. The other filters are applied as a set of ids
    collected from their own indexes (the `+` keeps SQLite from asking the index once per id, which is
    slower by orders of magnitude), so a rare filter does not make each match read its whole row. Terms
    too short for the index (`scanned`) are checked on the matches only."""
    table = history_schema.SEARCH_TABLE
    match = " AND ".join('"' + t.replace('"', '""') + '"' for t in terms)
    sql = (
        f"SELECT {_preview_select(columns)} FROM {table} JOIN invocations ON invocations.id = {table}.rowid"
        f" WHERE {table} MATCH ?"
    )
    values: list[object] = [match]
    if before_id is not None:
        sql += f" AND {table}.rowid < ?"
        values.append(before_id)
    if conditions:
        sql += f" AND +{table}.rowid IN (SELECT id FROM invocations WHERE {' AND '.join(conditions)})"
        values.extend(params)
    for term in scanned:
        sql += f" AND {_SCAN_DOCUMENT}"
        values.append(term.lower())
    return sql + f" ORDER BY {table}.rowid DESC", values


def _file_version(conn: sqlite3.Connection) -> int:
    return history_schema.file_version(conn)


def _migrate(conn: sqlite3.Connection, version: int) -> None:
    history_schema.migrate(conn, version, _SCHEMA_V1)


def _sync_search_index(conn: sqlite3.Connection) -> bool:
    return history_schema.sync_search_index(conn)


def _row_from_result(result: InvocationResult, connection_label: str) -> dict[str, object]:
    request = result.request
    stream = result.stream
    error = result.error
    model_error = error if isinstance(error, ModelError) else None
    row: dict[str, object] = {
        "saved_at": datetime.now(UTC).isoformat(),
        "connection_label": connection_label,
        "endpoint_name": request.endpoint_name,
        "request_body": _stored(request.body),
        "request_body_size": len(request.body),
        "request_content_type": request.content_type,
    }
    row.update({name: getattr(request, name) for name in _REQUEST_OPTIONS})
    row.update(
        {
            "status": str(result.status),
            "requested_at": _iso(result.requested_at),
            "returned_at": _iso(result.returned_at),
            "execution_ms": result.execution_ms,
            "attempts": result.attempts,
            "request_id": result.request_id,
            "invoked_variant": result.invoked_variant,
            "content_type": result.content_type,
            "response_body": _stored(result.body),
            "response_body_size": len(result.body),
            "response_custom_attributes": result.custom_attributes,
            "new_session_id": result.new_session_id,
            "closed_session_id": result.closed_session_id,
            "streamed": int(stream is not None),
            "stream_format": stream.format if stream else None,
            "time_to_first_byte_ms": stream.time_to_first_byte_ms if stream else None,
            "time_to_first_token_ms": stream.time_to_first_token_ms if stream else None,
            "token_count": stream.token_count if stream else None,
            "stream_parts": stream.parts if stream else None,
            "text": _stored_text(result.text),
            "text_size": len(result.text),
            "error_class": type(error).__name__ if error else None,
            "error_code": error.code if error else None,
            "error_message": error.message if error else None,
            "error_hint": error.hint if error else None,
            "error_http_status": error.http_status if error else None,
            "error_request_id": error.request_id if error else None,
            "original_status": model_error.original_status if model_error else None,
            "original_message": model_error.original_message if model_error else None,
            "log_stream_arn": model_error.log_stream_arn if model_error else None,
            "log_url": model_error.log_url if model_error else None,
            "partial_text": _stored_text(error.partial_text) if isinstance(error, StreamError) else None,
            "extra": json.dumps(result.extra),
        }
    )
    return row


def _preview_select(columns: list[str]) -> str:
    """Every column, with the bodies and texts cut to a preview (a listing can hold 100 x 1 MiB)."""
    return ", ".join(
        f"substr({name}, 1, {PREVIEW_BYTES}) AS {name}" if name in _LARGE_COLUMNS else name
        for name in columns
    )


def _error_classes() -> dict[str, type[ServiceError]]:
    return {
        name: value
        for name, value in vars(errors).items()
        if isinstance(value, type) and issubclass(value, ServiceError)
    }


def _error_from_row(row: sqlite3.Row) -> ServiceError | None:
    if row["error_class"] is None:
        return None
    cls = _error_classes().get(row["error_class"], ServiceError)
    common = {
        "message": row["error_message"] or "",
        "hint": row["error_hint"] or "",
        "code": row["error_code"] or "",
        "http_status": row["error_http_status"],
        "request_id": row["error_request_id"],
    }
    if issubclass(cls, ModelError):
        return cls(
            **common,
            original_status=row["original_status"],
            original_message=row["original_message"],
            log_stream_arn=row["log_stream_arn"],
            log_url=row["log_url"],
        )
    if issubclass(cls, StreamError):
        return cls(**common, partial_text=row["partial_text"] or "")
    return cls(**common)


def _bytes(value: object) -> bytes:
    # Bodies are stored as BLOBs; a TEXT value would only come from a row written by hand.
    if isinstance(value, str):
        return value.encode()
    return value if isinstance(value, bytes) else b""


def _entry_from_row(row: sqlite3.Row, *, complete: bool) -> HistoryEntry:
    request = InvocationRequest(
        endpoint_name=row["endpoint_name"],
        body=_bytes(row["request_body"]),
        content_type=row["request_content_type"],
        **{name: row[name] for name in _REQUEST_OPTIONS},
    )
    stream = None
    if row["streamed"]:
        stream = StreamStats(
            format=row["stream_format"] or "text",
            time_to_first_byte_ms=row["time_to_first_byte_ms"],
            time_to_first_token_ms=row["time_to_first_token_ms"],
            token_count=row["token_count"] or 0,
            parts=row["stream_parts"] or 0,
        )
    returned_at = row["returned_at"]
    return HistoryEntry(
        id=row["id"],
        saved_at=datetime.fromisoformat(row["saved_at"]),
        connection_label=row["connection_label"],
        request=request,
        request_body_size=row["request_body_size"],
        status=Status(row["status"]),
        requested_at=datetime.fromisoformat(row["requested_at"]),
        returned_at=None if returned_at is None else datetime.fromisoformat(returned_at),
        execution_ms=row["execution_ms"],
        attempts=row["attempts"],
        request_id=row["request_id"],
        invoked_variant=row["invoked_variant"],
        content_type=row["content_type"],
        body=_bytes(row["response_body"]),
        body_size=row["response_body_size"],
        custom_attributes=row["response_custom_attributes"],
        new_session_id=row["new_session_id"],
        closed_session_id=row["closed_session_id"],
        stream=stream,
        text=row["text"],
        text_size=row["text_size"],
        error=_error_from_row(row),
        extra=json.loads(row["extra"]),
        complete=complete,
        starred=bool(row["starred"]),
    )

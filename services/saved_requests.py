"""Requests saved under a name per endpoint, like a collection in Postman: kept in the history file, so they
survive restarts.

A table of its own beside `invocations` (created if missing), keyed by the target (endpoint, or "endpoint /
component") and the name, not by the connection: a local server's address changes with every start, and a
request saved for `my-endpoint` is as good under another profile.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime

from services.errors import ServiceError
from services.history import History

_SCHEMA = """
CREATE TABLE IF NOT EXISTS saved_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    target TEXT NOT NULL,
    name TEXT NOT NULL,
    body BLOB NOT NULL,
    content_type TEXT NOT NULL,
    as_file INTEGER NOT NULL DEFAULT 0,
    file_name TEXT NOT NULL DEFAULT '',
    options TEXT NOT NULL DEFAULT '{}',
    updated_at TEXT NOT NULL,
    UNIQUE (target, name)
)
"""
MAX_NAME = 80
MAX_PER_TARGET = 200


@dataclass(frozen=True)
class SavedRequest:
    """A request as the editor held it: its body (text or a file), content type and Advanced parameters."""

    name: str
    body: bytes
    content_type: str
    as_file: bool = False  # the body was a file (sent byte for byte), not the editor's text
    file_name: str = ""
    options: dict[str, str] = field(default_factory=dict)  # InvocationRequest field -> value
    id: int | None = None
    updated_at: datetime | None = None


class SavedRequests:
    """Thread-safe: every call opens its own connection."""

    def __init__(self, history: History) -> None:
        self._history = history
        with history.connection() as conn:
            conn.execute(_SCHEMA)

    def save(self, target: str, request: SavedRequest) -> int:
        """Keep `request` under its name for `target`, replacing one saved before under that name."""
        name = " ".join(request.name.split())[:MAX_NAME]
        if not name:
            raise ServiceError("Give the request a name to save it under.")
        with self._history.connection() as conn:
            count = conn.execute(
                "SELECT COUNT(*) FROM saved_requests WHERE target = ? AND name != ?", (target, name)
            ).fetchone()[0]
            if count >= MAX_PER_TARGET:
                raise ServiceError(f"{MAX_PER_TARGET} requests are saved for this endpoint: delete one.")
            conn.execute(
                """INSERT INTO saved_requests
                   (target, name, body, content_type, as_file, file_name, options, updated_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (target, name) DO UPDATE SET body = excluded.body,
                     content_type = excluded.content_type, as_file = excluded.as_file,
                     file_name = excluded.file_name, options = excluded.options,
                     updated_at = excluded.updated_at""",
                (
                    target,
                    name,
                    request.body,
                    request.content_type,
                    int(request.as_file),
                    request.file_name,
                    json.dumps(request.options),
                    datetime.now(UTC).isoformat(),
                ),
            )
            row = conn.execute(
                "SELECT id FROM saved_requests WHERE target = ? AND name = ?", (target, name)
            ).fetchone()
            return int(row[0])

    def list(self, target: str) -> list[SavedRequest]:
        """The requests saved for `target`, by name."""
        with self._history.connection() as conn:
            rows = conn.execute(
                "SELECT * FROM saved_requests WHERE target = ? ORDER BY name COLLATE NOCASE", (target,)
            ).fetchall()
        return [_from_row(row) for row in rows]

    def delete(self, saved_id: int) -> bool:
        with self._history.connection() as conn:
            return conn.execute("DELETE FROM saved_requests WHERE id = ?", (saved_id,)).rowcount > 0


def _from_row(row: sqlite3.Row) -> SavedRequest:
    try:
        options = json.loads(row["options"])
    except ValueError:
        options = {}
    if not isinstance(options, dict):
        options = {}
    return SavedRequest(
        name=row["name"],
        body=bytes(row["body"]),
        content_type=row["content_type"],
        as_file=bool(row["as_file"]),
        file_name=row["file_name"],
        options={str(k): str(v) for k, v in options.items()},
        id=int(row["id"]),
        updated_at=datetime.fromisoformat(row["updated_at"]),
    )

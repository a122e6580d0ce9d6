"""Stateful sessions (InvokeEndpoint's SessionId): ids the server hands out and later recognises."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta

SESSION_TTL = timedelta(minutes=20)


class SessionBook:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sessions: dict[str, tuple[str, datetime]] = {}

    def open(self, endpoint_name: str) -> tuple[str, datetime]:
        """A new session id on this endpoint and when it expires."""
        session_id = uuid.uuid4().hex
        expires = datetime.now(UTC) + SESSION_TTL
        with self._lock:
            self._sessions[session_id] = (endpoint_name, expires)
        return session_id, expires

    def is_open(self, session_id: str, endpoint_name: str) -> bool:
        with self._lock:
            found = self._sessions.get(session_id)
        return found is not None and found[0] == endpoint_name and found[1] > datetime.now(UTC)

    def clear(self) -> None:
        with self._lock:
            self._sessions.clear()

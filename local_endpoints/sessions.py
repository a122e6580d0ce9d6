"""Stateful sessions (InvokeEndpoint's SessionId): ids the server hands out, recognises until they expire or
are closed, and the container side of the contract.

The contract, as SageMaker's sticky-session routing and the model-hosting container standards describe it:
`SessionId="NEW_SESSION"` opens a session and the answer's `NewSessionId` header reads `<id>; Expires=<UTC>`;
later calls send `SessionId=<id>`; a call with the id and the body `{"requestType": "CLOSE"}` closes it and
the answer's `ClosedSessionId` header names it. A body `{"requestType": "NEW_SESSION"}` opening a session is
answered by the container itself (here: the server), whatever model is behind it; any other body goes to the
model as usual. Only InvokeEndpoint opens or closes a session; the streaming call can use an open one.
"""

from __future__ import annotations

import json
import threading
import uuid
from datetime import UTC, datetime, timedelta

SESSION_TTL = timedelta(minutes=20)
NEW_SESSION = "NEW_SESSION"
CLOSE = "CLOSE"
_MAX_CONTROL_BODY = 1024  # a session control body is tiny; a larger body is the model's


def session_request(body: bytes) -> str | None:
    """NEW_SESSION or CLOSE when the body is the contract's session control request, else None."""
    if len(body) > _MAX_CONTROL_BODY:
        return None
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    kind = document.get("requestType") if isinstance(document, dict) else None
    return kind if kind in (NEW_SESSION, CLOSE) else None


class SessionBook:
    def __init__(self, ttl: timedelta = SESSION_TTL) -> None:
        self._lock = threading.Lock()
        self._sessions: dict[str, tuple[str, datetime]] = {}
        self.ttl = ttl

    def open(self, endpoint_name: str) -> tuple[str, datetime]:
        """A new session id on this endpoint and when it expires."""
        session_id = uuid.uuid4().hex
        expires = datetime.now(UTC) + self.ttl
        with self._lock:
            self._sessions[session_id] = (endpoint_name, expires)
        return session_id, expires

    def is_open(self, session_id: str, endpoint_name: str) -> bool:
        with self._lock:
            found = self._sessions.get(session_id)
        return found is not None and found[0] == endpoint_name and found[1] > datetime.now(UTC)

    def close(self, session_id: str) -> bool:
        """Forget the session; False when it was not open."""
        with self._lock:
            return self._sessions.pop(session_id, None) is not None

    def clear(self) -> None:
        with self._lock:
            self._sessions.clear()

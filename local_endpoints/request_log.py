"""The requests the server received, so a test can assert exactly what was sent (or that nothing was)."""

from __future__ import annotations

import base64
import threading
from collections import deque
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

#: keep the embedded server's memory bounded in a long session: at most this many requests, and bodies
#: totalling at most this many bytes (the newest request is always kept, whatever its size)
MAX_RECORDED = 2000
MAX_RECORDED_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class RecordedRequest:
    """One request to a SageMaker path (test controls under /_local/ are not recorded)."""

    operation: str  # InvokeEndpoint, InvokeEndpointWithResponseStream, ListEndpoints, ... or "Unknown"
    endpoint_name: str | None
    method: str
    path: str
    headers: dict[str, str]  # names lower-case
    body: bytes
    received_at: datetime  # UTC
    request_id: str | None = None  # the x-amzn-RequestId its answer carries
    status: int | None = None  # the answer's HTTP status, once it started

    def to_json(self) -> dict[str, Any]:
        return {
            "request_id": self.request_id,
            "status": self.status,
            "operation": self.operation,
            "endpoint_name": self.endpoint_name,
            "method": self.method,
            "path": self.path,
            "headers": self.headers,
            "body_base64": base64.b64encode(self.body).decode("ascii"),
            "received_at": self.received_at.isoformat(),
        }


class RequestLog:
    """Oldest first, at most MAX_RECORDED entries and MAX_RECORDED_BYTES of bodies (the oldest go first)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: deque[RecordedRequest] = deque()
        self._body_bytes = 0

    def append(self, entry: RecordedRequest) -> None:
        with self._lock:
            self._entries.append(entry)
            self._body_bytes += len(entry.body)
            while len(self._entries) > 1 and (
                len(self._entries) > MAX_RECORDED or self._body_bytes > MAX_RECORDED_BYTES
            ):
                self._body_bytes -= len(self._entries.popleft().body)

    def all(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._entries)

    def find(self, request_id: str) -> RecordedRequest | None:
        """The request whose answer carried this x-amzn-RequestId (None: never received, or dropped)."""
        with self._lock:
            return next((e for e in reversed(self._entries) if e.request_id == request_id), None)

    def note_status(self, request_id: str, status: int) -> None:
        """Write the answer's status on the request it answers (the newest requests are looked at first)."""
        with self._lock:
            for index in range(len(self._entries) - 1, max(-1, len(self._entries) - 64), -1):
                if self._entries[index].request_id == request_id:
                    self._entries[index] = replace(self._entries[index], status=status)
                    return

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._body_bytes = 0

"""Stateful sessions as the page sees them: the requests that open and close one, and the session open now
with an endpoint, read from the results of this browser session's requests (newest first). Pure.

SageMaker's contract (see local_endpoints.sessions): SessionId NEW_SESSION opens a session, the answer's
NewSessionId reads `<id>; Expires=<UTC>`; requests then carry SessionId=<id>; the body
`{"requestType": "CLOSE"}` with the id closes it, and the answer's ClosedSessionId names it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from services.results import InvocationRequest, InvocationResult, Status

NEW_SESSION = "NEW_SESSION"
OPEN_BODY = b'{"requestType": "NEW_SESSION"}'
CLOSE_BODY = b'{"requestType": "CLOSE"}'


@dataclass(frozen=True)
class OpenSession:
    id: str
    endpoint: str
    component: str | None
    expires: datetime | None


def parse_new_session(header: str) -> tuple[str, datetime | None]:
    """`<id>; Expires=2026-12-05T10:00:00Z` -> the id and when it expires (None: not said, or unreadable)."""
    session_id, _, rest = header.partition(";")
    expires = None
    for part in rest.split(";"):
        name, _, value = part.strip().partition("=")
        if name.lower() == "expires":
            try:
                expires = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            except ValueError:
                expires = None
            if expires is not None and expires.tzinfo is None:
                expires = expires.replace(tzinfo=UTC)
    return session_id.strip(), expires


def open_request(endpoint: str, component: str | None) -> InvocationRequest:
    """The request that opens a session (InvokeEndpoint; the streaming call cannot open one)."""
    return InvocationRequest(
        endpoint_name=endpoint, body=OPEN_BODY, inference_component_name=component, session_id=NEW_SESSION
    )


def close_request(session: OpenSession) -> InvocationRequest:
    return InvocationRequest(
        endpoint_name=session.endpoint,
        body=CLOSE_BODY,
        inference_component_name=session.component,
        session_id=session.id,
    )


def changes_session(result: InvocationResult) -> bool:
    """Whether this result opened or ended a session (the page then shows it at once)."""
    if result.new_session_id or result.closed_session_id:
        return True
    return _ends_unknown_session(result) is not None


def _ends_unknown_session(result: InvocationResult) -> str | None:
    """The session id a refusal said the endpoint does not know (closed elsewhere, or expired)."""
    request = result.request
    if result.status is Status.FAILED and request.session_id and request.session_id != NEW_SESSION:
        message = result.error.message if result.error is not None else ""
        if "not found" in message or "expired" in message:
            return request.session_id
    return None


def open_session(
    results: Iterable[InvocationResult], endpoint: str, component: str | None, now: datetime | None = None
) -> OpenSession | None:
    """The session open with this target, from results newest first: the newest one a NewSessionId opened,
    unless a later result closed it (ClosedSessionId), it expired, or the endpoint no longer knew it."""
    now = now or datetime.now(UTC)
    ended: set[str] = set()
    for result in results:
        request = result.request
        if (request.endpoint_name, request.inference_component_name) != (endpoint, component):
            continue
        if result.closed_session_id:
            ended.add(result.closed_session_id)
        if (unknown := _ends_unknown_session(result)) is not None:
            ended.add(unknown)
        if result.new_session_id:
            session_id, expires = parse_new_session(result.new_session_id)
            if not session_id or session_id in ended or (expires is not None and expires <= now):
                return None
            return OpenSession(session_id, endpoint, component, expires)
    return None

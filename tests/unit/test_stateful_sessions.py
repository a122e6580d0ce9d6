"""The session open with an endpoint, told from the results of this browser session's requests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.errors import ServiceError
from services.results import InvocationRequest, InvocationResult, Status
from services.stateful_sessions import (
    changes_session,
    close_request,
    open_request,
    open_session,
    parse_new_session,
)

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


def _result(
    session_id: str | None = None,
    *,
    endpoint: str = "e",
    new: str | None = None,
    closed: str | None = None,
    error: str | None = None,
) -> InvocationResult:
    request = InvocationRequest(endpoint_name=endpoint, body=b"{}", session_id=session_id)
    if error is not None:
        return InvocationResult.failed(request, ServiceError(error), NOW)
    return InvocationResult(request, Status.SUCCESS, NOW, new_session_id=new, closed_session_id=closed)


def test_the_new_session_header_gives_the_id_and_its_expiry():
    assert parse_new_session("abc123; Expires=2026-12-05T09:20:00Z") == (
        "abc123",
        datetime(2026, 12, 5, 9, 20, tzinfo=UTC),
    )
    assert parse_new_session("abc123") == ("abc123", None)
    assert parse_new_session("abc; Expires=soon") == ("abc", None)


def test_a_session_is_open_from_its_opening_until_it_is_closed_expires_or_is_not_known():
    opened = _result("NEW_SESSION", new="s1; Expires=2026-12-05T09:20:00Z")
    session = open_session([opened], "e", None, NOW)
    assert session is not None and (session.id, session.expires) == (
        "s1",
        datetime(2026, 12, 5, 9, 20, tzinfo=UTC),
    )
    assert open_session([_result("s1"), opened], "e", None, NOW) == session  # used: still open
    assert open_session([opened], "other", None, NOW) is None  # another endpoint has none
    assert open_session([_result("s1", closed="s1"), opened], "e", None, NOW) is None
    assert open_session([opened], "e", None, NOW + timedelta(minutes=21)) is None
    gone = _result("s1", error="Session s1 was not found on endpoint e or has expired.")
    assert open_session([gone, opened], "e", None, NOW) is None
    assert open_session([_result("s1", error="throttled"), opened], "e", None, NOW) == session


def test_the_requests_that_open_and_close_a_session():
    opening = open_request("e", "ic")
    assert (opening.session_id, opening.body, opening.inference_component_name) == (
        "NEW_SESSION",
        b'{"requestType": "NEW_SESSION"}',
        "ic",
    )
    session = open_session([_result("NEW_SESSION", new="s9")], "e", None, NOW)
    assert session is not None
    closing = close_request(session)
    assert (closing.session_id, closing.body) == ("s9", b'{"requestType": "CLOSE"}')


def test_a_result_that_opens_or_ends_a_session_is_told_apart():
    assert changes_session(_result("NEW_SESSION", new="s1"))
    assert changes_session(_result("s1", closed="s1"))
    assert changes_session(_result("s1", error="Session s1 was not found on endpoint e or has expired."))
    assert not changes_session(_result("s1"))
    assert not changes_session(_result(None, error="throttled"))

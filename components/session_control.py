"""Stateful sessions on the Test inference page: start one, see its id and expiry, send requests in it, close
it. The session open with the endpoint is read from this browser session's results (the card that opened
it, and any that closed it: services.stateful_sessions), so a SessionId typed in Advanced works the same way.

Opening and closing are requests like any other: each gets its card (with NewSessionId or ClosedSessionId)
and is saved to History.
"""

from __future__ import annotations

import sqlite3

import streamlit as st

from components import endpoint_picker, service_cache, session_cards
from components.safe_text import escape_markdown
from services.connection import Connection
from services.history import History
from services.results import InvocationRequest
from services.stateful_sessions import OpenSession, close_request, open_request, open_session


def current(picked: endpoint_picker.Picked | None) -> OpenSession | None:
    """The session open now with the endpoint (and component) picked."""
    if picked is None:
        return None
    results = [card.result for card in session_cards.cards() if card.result is not None]
    return open_session(results, picked.name, picked.inference_component)


def _history() -> History | None:
    try:
        return service_cache.history()
    except (OSError, sqlite3.Error, RuntimeError):
        return None


def _send(connection: Connection, request: InvocationRequest) -> None:
    session_cards.start(service_cache.invoker(), connection, request, stream=False, history=_history())


def render(picked: endpoint_picker.Picked | None, connection: Connection) -> OpenSession | None:
    """The Session popover; returns the session requests go in."""
    session = current(picked)
    label = "Session" if session is None else f"In session {escape_markdown(session.id[:6])}…"
    with st.popover(label, icon=":material/link:", help="Stateful sessions (SessionId)"):
        if picked is None or picked.blocked_reason:
            st.caption("Choose an endpoint that can be invoked first.")
        elif session is None:
            st.caption(
                "A stateful session sends your requests to the same instance, so the model can keep state "
                'between them. Starting one sends `{"requestType": "NEW_SESSION"}` with SessionId '
                "NEW_SESSION; the endpoint's container must support sessions."
            )
            st.button(
                "Start session",
                key="session-start",
                icon=":material/add_link:",
                on_click=_send,
                args=(connection, open_request(picked.name, picked.inference_component)),
            )
        else:
            expiry = (
                "SageMaker did not say when it expires"
                if session.expires is None
                else f"It expires at {session.expires.astimezone():%H:%M:%S}"
            )
            st.caption("Session id")
            st.code(session.id, language=None)
            st.caption(f"{expiry}. Every request goes in it (SessionId) until it is closed.")
            st.button(
                "Close session",
                key="session-close",
                icon=":material/link_off:",
                on_click=_send,
                args=(connection, close_request(session)),
            )
    return session

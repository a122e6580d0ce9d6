"""The result cards of this browser session: start a request, and let the request itself save its result.

Cards live in st.session_state (newest first), so they survive reruns and page switches. Each request runs
in the invoker's own process (services.invoker) and ends there whatever the page does: its `on_end` saves
the result to history exactly once, with the tab closed, the user on another page, or the card long pushed
off the stack. Drawing a card never changes its state.
"""

from __future__ import annotations

import functools
import itertools
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import streamlit as st

from services.connection import Connection
from services.errors import ServiceError
from services.history import History
from services.invoker import Invoker, RemoteInvocation
from services.results import InvocationRequest, InvocationResult

STATE_KEY = "result_cards"
MAX_CARDS = 50  # older cards drop off the page (they stay in History)
_ids = itertools.count(1)


@dataclass
class Saving:
    """How saving a card's result went; written by the invoker's reader thread when the request ends."""

    error: str | None = None


@dataclass
class Card:
    """One request on the page; running until its invocation has a result."""

    id: int
    request: InvocationRequest
    streamed: bool
    connection_label: str
    requested_at: datetime  # the click, for the Pending card (the result has the call's own times)
    started: float  # time.monotonic() at the click, for the running Execution Length
    invocation: RemoteInvocation
    saving: Saving

    @property
    def result(self) -> InvocationResult | None:
        return self.invocation.result

    @property
    def is_running(self) -> bool:
        return self.invocation.result is None


def cards() -> list[Card]:
    """This session's cards, newest first."""
    return st.session_state.setdefault(STATE_KEY, [])


def start(
    invoker: Invoker,
    connection: Connection,
    request: InvocationRequest,
    *,
    stream: bool,
    history: History | None,
) -> Card:
    """Send the request and add its card (Pending) at once; `history` (None: not available) gets the
    result when the request ends. Makes no Streamlit call once the request is sent."""
    # The stack first: reading st.session_state is a point where Streamlit may stop the run, and from the
    # request's start until the caller records its click nothing may stop it (request_actions.Click).
    stack = cards()
    card = begin(invoker, connection, request, stream=stream, history=history)
    stack.insert(0, card)
    del stack[MAX_CARDS:]
    return card


def begin(
    invoker: Invoker,
    connection: Connection,
    request: InvocationRequest,
    *,
    stream: bool,
    history: History | None,
) -> Card:
    """Send the request; its card, which no stack holds (a comparison keeps its own). Its result is saved
    to `history` when the request ends, as every card's is. Makes no Streamlit call."""
    saving = Saving(None if history is not None else "the history store could not be opened")
    on_end = functools.partial(_save, history, connection.label, saving)
    return Card(
        id=next(_ids),
        request=request,
        streamed=stream,
        connection_label=connection.label,
        requested_at=datetime.now(UTC),
        started=time.monotonic(),
        invocation=invoker.start(connection, request, stream=stream, on_end=on_end),
        saving=saving,
    )


def _save(history: History | None, connection_label: str, saving: Saving, result: InvocationResult) -> None:
    """Called once, by the invoker's reader thread, when the request ends."""
    if history is None:
        return
    try:
        result.history_id = history.save(result, connection_label=connection_label)
    except (ServiceError, OSError, sqlite3.Error, RuntimeError) as error:
        # History is a convenience: a full disk or a locked file must not lose the card itself.
        saving.error = str(error)


def clear_finished() -> None:
    st.session_state[STATE_KEY] = [card for card in cards() if card.is_running]

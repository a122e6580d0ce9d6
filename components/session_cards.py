"""The result cards of this browser session: start a request, follow it, save it to history once.

Cards live in st.session_state (newest first), so they survive reruns and page switches; each running request
is a services.running.RunningInvocation whose worker thread keeps going whatever the page does.
"""

from __future__ import annotations

import itertools
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import streamlit as st

from components import service_cache
from services.connection import Clients
from services.errors import ServiceError
from services.results import InvocationRequest, InvocationResult, Status, StreamStats
from services.running import RunningInvocation

STATE_KEY = "result_cards"
MAX_CARDS = 50  # older cards drop off the page (they stay in History)
_ids = itertools.count(1)


@dataclass
class Card:
    """One request on the page: running (``running`` set, ``result`` None) or finished (``result`` set)."""

    id: int
    request: InvocationRequest
    streamed: bool
    connection_label: str
    requested_at: datetime
    started: float  # time.monotonic() at send, for the live elapsed time
    running: RunningInvocation | None = None
    result: InvocationResult | None = None
    save_error: str | None = None
    saved: bool = False

    @property
    def is_running(self) -> bool:
        return self.result is None


def cards() -> list[Card]:
    """This session's cards, newest first."""
    return st.session_state.setdefault(STATE_KEY, [])


def start(clients: Clients, request: InvocationRequest, *, stream: bool, connection_label: str) -> Card:
    """Send the request in a worker thread and add its card (Pending) at once."""
    card = Card(
        id=next(_ids),
        request=request,
        streamed=stream,
        connection_label=connection_label,
        requested_at=datetime.now(UTC),
        started=time.monotonic(),
        running=RunningInvocation.start(clients, request, stream),
    )
    _push(card)
    return card


def _push(card: Card) -> None:
    stack = cards()
    stack.insert(0, card)
    del stack[MAX_CARDS:]


def wait_for_first_news(stack: list[Card], grace_s: float) -> None:
    """Wait up to `grace_s` after a card's send for its result or first streamed text, whichever comes first.

    Only cards younger than `grace_s` wait, so this costs nothing on later runs and at most `grace_s` once.
    """
    for card in stack:
        running = card.running
        if running is None or card.result is not None:
            continue
        deadline = card.started + grace_s
        while time.monotonic() < deadline:
            snapshot = running.snapshot()
            if snapshot.result is not None or snapshot.text:
                break
            time.sleep(0.003)


def find(card_id: int) -> Card | None:
    return next((card for card in cards() if card.id == card_id), None)


def view(card: Card) -> InvocationResult:
    """What to draw for a card now: its result once finished, else a Pending result with the text so far.

    A card whose worker has finished is completed here (result kept, saved to history once).
    """
    if card.result is not None:
        return card.result
    assert card.running is not None
    snapshot = card.running.snapshot()
    if snapshot.result is not None:
        complete(card, snapshot.result)
        return snapshot.result
    # Time to first token comes from the service when the stream ends; polling would only guess it.
    stats = StreamStats(token_count=snapshot.pieces) if card.streamed else None
    return InvocationResult(
        request=card.request,
        status=Status.PENDING,
        requested_at=card.requested_at,
        stream=stats,
        text=snapshot.text,
    )


def complete(card: Card, result: InvocationResult) -> None:
    """Keep the final result; `save_finished()` stores it in history (after drawing: the user first)."""
    card.result = result


def save_finished() -> None:
    """Save every finished card not saved yet, exactly once per card."""
    for card in cards():
        if card.result is None or card.saved:
            continue
        card.saved = True
        try:
            service_cache.history().save(card.result, connection_label=card.connection_label)
        except (ServiceError, OSError, sqlite3.Error, RuntimeError) as error:
            # History is a convenience: a full disk or a locked file must not lose the card itself.
            card.save_error = str(error)


def stop(card_id: int) -> None:
    """Stop a running stream (the card keeps the text that arrived)."""
    for card in cards():
        if card.id == card_id and card.running is not None:
            card.running.stop()


def clear_finished() -> None:
    st.session_state[STATE_KEY] = [card for card in cards() if card.is_running]

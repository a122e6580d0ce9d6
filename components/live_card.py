"""Running requests' cards, followed live by the page's own run until every request has ended.

One mechanism for everything live: the run that draws the page ends by following its running cards. It
sleeps until one of their requests moves on (services.invoker pushes the news; nothing polls on a timer),
then redraws only what changed: a stream's new text (LiveText sends just the tail) and its figures, at most
once per FRAME_S per card; the first text and the end are drawn at once. When a request ends, its card's
parts are refilled in place with the final result, so the card changes once, cleanly.

A user's click anywhere (Stop, another widget, another page) asks Streamlit for a new run; the loop checks
for such a request every YIELD_S and leaves at once, and the new run follows again. The requests
themselves never depend on this loop: they run in the invoker's process and save their own results.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable

import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_run_yield_check

from components import live_text, result_card, session_cards
from services.invoker import Invoker
from services.results import InvocationResult, Status

FRAME_S = 0.05  # at most 20 updates a second per card: smooth to read, light on the websocket
YIELD_S = 0.025  # how soon a click elsewhere interrupts the loop


class LiveCard:
    """One running card: its slots, and what of its request is on the screen already."""

    def __init__(self, card: session_cards.Card) -> None:
        self.card = card
        self.key = str(card.id)
        self.slots = result_card.frame(self.key)
        self.finished = False
        self._drawn_version = -1
        self.drawn_at = 0.0
        self._text: live_text.LiveText | None = None
        on_stop = functools.partial(session_cards.stop, card.id) if card.streamed else None
        result_card.head(
            self.slots.head,
            card.request,
            Status.PENDING,
            streamed=card.streamed,
            key=self.key,
            on_stop=on_stop,
        )
        pending = InvocationResult(card.request, Status.PENDING, card.requested_at)
        elapsed_ms = (time.monotonic() - card.started) * 1000.0
        result_card.times(self.slots.times, pending, elapsed_ms=elapsed_ms)
        waiting = "Waiting for the first token…" if card.streamed else "Waiting for the endpoint…"
        self.slots.caption.caption(waiting)
        self.draw()

    @property
    def has_news(self) -> bool:
        return self.card.invocation.version != self._drawn_version

    def due(self, now: float) -> bool:
        """News to draw now: the end, the first text, or anything once FRAME_S has passed."""
        invocation = self.card.invocation
        if not self.has_news:
            return False
        return invocation.done or self._text is None or now - self.drawn_at >= FRAME_S

    def draw(self) -> None:
        """Bring the card up to date with its request."""
        invocation = self.card.invocation
        version = invocation.version  # read first: news that comes during the drawing is drawn next time
        snapshot = invocation.snapshot()
        if snapshot.result is not None:
            result_card.draw_final(self.slots, snapshot.result, key=self.key, live=self._text)
            self.finished = True
        elif snapshot.stats is not None:
            result_card.stream_figures(self.slots.stats, snapshot.stats, None)
            if snapshot.text:
                if self._text is None:
                    self.slots.caption.caption("Output")  # as on the finished card: its end moves nothing
                    self._text = live_text.LiveText(live_text.box(self.key, self.slots.content))
                self._text.show(snapshot.text)
        self._drawn_version = version
        self.drawn_at = time.monotonic()


def follow(cards: list[LiveCard], invoker: Invoker, on_card_end: Callable[[], None] | None = None) -> None:
    """Keep `cards` current until every one has ended (or a click asks for a new run); `on_card_end` is
    called (in this run, so it may draw) each time one of them has been drawn finished."""
    yield_check = get_run_yield_check() or (lambda: None)
    running = [card for card in cards if not card.finished]
    if not running:
        return
    marker = st.empty()
    # While this run follows, elements of the run before it that this run did not draw again are
    # leftovers: page_style hides them (otherwise they would stay faded on screen until the stream ends).
    marker.html('<span class="smti-following"></span>')
    while running:
        now = time.monotonic()
        for card in running:
            if card.due(now):
                card.draw()
                if card.finished and on_card_end is not None:
                    on_card_end()
        running = [card for card in running if not card.finished]
        if not running:
            break
        held = [card for card in running if card.has_news]  # news that waits for its frame
        if held:
            wait = min(card.drawn_at for card in held) + FRAME_S - time.monotonic()
            seen = {card.card.invocation: card.card.invocation.version for card in running}
        else:
            wait = YIELD_S
            seen = {card.card.invocation: card._drawn_version for card in running}
        invoker.wait_for_news(seen, max(0.0, min(wait, YIELD_S)))
        yield_check()  # raises Streamlit's own rerun/stop exception: the run ends here, at once
    marker.empty()

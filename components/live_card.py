"""A running request's card, kept live by the page's follow loop (components.live_follow): it redraws only
what changed, a stream's new text (LiveText sends just the tail) and its figures. When the request ends, the
card's parts are refilled in place with the final result, so the card changes once, cleanly.
"""

from __future__ import annotations

import time

from components import live_follow, live_text, result_card, session_cards
from services.invoker import RemoteInvocation
from services.results import InvocationResult, Status


class LiveCard:
    """One running card: its slots, and what of its request is on the screen already."""

    def __init__(self, card: session_cards.Card) -> None:
        self.card = card
        self.key = str(card.id)
        self.slots = result_card.frame(self.key)
        self.finished = False
        self.drawn_version = -1
        self.drawn_at = 0.0
        self._text: live_text.LiveText | None = None
        on_stop = card.invocation.stop if card.streamed else None  # any card's, in a stack or not
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
    def invocation(self) -> RemoteInvocation:
        return self.card.invocation

    def due(self, now: float) -> bool:
        return live_follow.news_due(self, now, text_shown=self._text is not None)

    def draw(self) -> None:
        """Bring the card up to date with its request."""
        invocation = self.card.invocation
        version = invocation.version  # read first: news that comes during the drawing is drawn next time
        snapshot = invocation.snapshot()
        if snapshot.result is not None:
            result_card.draw_final(
                self.slots, snapshot.result, key=self.key, live=self._text, origin=self.card.connection_label
            )
            self.finished = True
        elif snapshot.stats is not None:
            result_card.stream_figures(self.slots.stats, snapshot.stats, None)
            if snapshot.text:
                if self._text is None:
                    self.slots.caption.caption("Output")  # as on the finished card: its end moves nothing
                    self._text = live_text.LiveText(live_text.box(self.key, self.slots.content))
                self._text.show(snapshot.text)
        self.drawn_version = version
        self.drawn_at = time.monotonic()

"""One mechanism for everything live: the page's own run follows its running requests until they end.

It sleeps until one of their requests moves on (services.invoker pushes the news; nothing polls on a timer),
then has each followed view draw what changed, at most once per FRAME_S per view (its first text and its
end at once). A user's click anywhere (Stop, another widget, another page) asks Streamlit for a new run;
the loop checks for such a request every YIELD_S and leaves at once, and the new run follows again. The
requests themselves never depend on this loop: they run in the invoker's process and save their own
results. Views: a result card (components.live_card), a chat answer (components.chat_answer).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Protocol

import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_run_yield_check

from services.invoker import Invoker, RemoteInvocation

FRAME_S = 0.05  # at most 20 updates a second per view: smooth to read, light on the websocket
YIELD_S = 0.025  # how soon a click elsewhere interrupts the loop


class Followed(Protocol):
    """A view of one running request that can bring itself up to date."""

    finished: bool  # drawn with its final result
    drawn_at: float  # time.monotonic() of its last drawing
    drawn_version: int  # the invocation's version it last drew

    @property
    def invocation(self) -> RemoteInvocation: ...

    def due(self, now: float) -> bool: ...

    def draw(self) -> None: ...


def has_news(view: Followed) -> bool:
    return view.invocation.version != view.drawn_version


def news_due(view: Followed, now: float, *, text_shown: bool) -> bool:
    """The rule views follow in `due`: news to draw now is the end, the first text, or anything once
    FRAME_S has passed since the last drawing."""
    if not has_news(view):
        return False
    return view.invocation.done or not text_shown or now - view.drawn_at >= FRAME_S


def follow(
    views: Sequence[Followed],
    invoker: Invoker,
    on_end: Callable[[Followed], None] | None = None,
) -> None:
    """Keep `views` current until every one has ended (or a click asks for a new run); `on_end(view)` is
    called (in this run, so it may draw) each time one of them has been drawn finished."""
    yield_check = get_run_yield_check() or (lambda: None)
    running = [view for view in views if not view.finished]
    if not running:
        return
    marker = st.empty()
    # While this run follows, elements of the run before it that this run did not draw again are
    # leftovers: page_style hides them (otherwise they would stay faded on screen until the stream ends).
    marker.html('<span class="smti-following"></span>')
    while running:
        now = time.monotonic()
        for view in running:
            if view.due(now):
                view.draw()
                if view.finished and on_end is not None:
                    on_end(view)
        running = [view for view in running if not view.finished]
        if not running:
            break
        held = [view for view in running if has_news(view)]  # news that waits for its frame
        if held:
            wait = min(view.drawn_at for view in held) + FRAME_S - time.monotonic()
            seen = {view.invocation: view.invocation.version for view in running}
        else:
            wait = YIELD_S
            seen = {view.invocation: view.drawn_version for view in running}
        invoker.wait_for_news(seen, max(0.0, min(wait, YIELD_S)))
        yield_check()  # raises Streamlit's own rerun/stop exception: the run ends here, at once
    marker.empty()

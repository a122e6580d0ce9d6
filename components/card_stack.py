"""The result cards, newest first: `render()` draws them all, `follow()` keeps the running ones live
(components.live_card, components.live_follow) until their requests end. The page calls `follow()` last.

The cards are drawn oldest first, and the stack's box shows them in reverse (page_style). Streamlit's
browser side knows an element by its position, and a block drawn where another block was inherits that
block's children until its own arrive: with the newest card drawn first, every Send would put the new card
where the last one was (showing that card's badge and output for a moment) and shift every older card's
content one place down. Drawn oldest first, a new card takes a place no card had, and every other card is
drawn again exactly as it was (nothing changes on the screen but the new card).
"""

from __future__ import annotations

import html
import time
from dataclasses import dataclass

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from components import live_card, live_follow, result_card, service_cache, session_cards
from services.stateful_sessions import changes_session

# A request sent by this very run gets this long to answer before its card is drawn: a fast endpoint's output
# then comes with the card itself instead of a moment after it (a slow one shows Pending that much later).
FIRST_NEWS_S = 0.015


@dataclass
class Drawn:
    """What `render()` drew that `follow()` goes on with: the running cards, and the place for "Clear
    results" when no card had finished yet (a card that ends while followed makes it appear)."""

    running: list[live_card.LiveCard]
    clear_slot: DeltaGenerator | None


def render(*, handled_click: str | None) -> Drawn:
    """Draw every card of this session, newest first; `follow()` then keeps the running ones live.

    Above the cards is the slot where the browser shows a Pending card the moment Send is clicked
    (components.request_actions), before any run could draw one. It is redrawn, after the cards, with the
    last click this session acted on (`handled_click`): that empties it, once the real card is on the page
    or the click was refused.
    """
    stack = session_cards.cards()
    slot = st.empty()
    clear_slot: DeltaGenerator | None = slot
    if any(not card.is_running for card in stack):
        _clear_button(slot)
        clear_slot = None
    instant = st.container(key="smti-instant")
    running = _cards(stack)
    click = html.escape(handled_click or "", quote=True)
    instant.html(f'<div class="smti-instant" data-handled="{click}"></div>')
    return Drawn(running, clear_slot)


def follow(drawn: Drawn) -> None:
    """Keep the running cards current until their requests end (the page's run ends with this)."""
    slot = drawn.clear_slot

    def card_ended(view: live_follow.Followed) -> None:
        nonlocal slot
        if slot is not None:
            _clear_button(slot)
            slot = None
        result = view.invocation.result
        if result is not None and changes_session(result):
            st.rerun()  # the Session button, drawn before, says so now (components.session_control)

    live_follow.follow(drawn.running, service_cache.invoker(), on_end=card_ended)


def _clear_button(slot: DeltaGenerator) -> None:
    slot.button(
        "Clear results",
        key="clear-results",
        icon=":material/delete_sweep:",
        on_click=session_cards.clear_finished,
    )


def _cards(stack: list[session_cards.Card]) -> list[live_card.LiveCard]:
    if not stack:
        with st.container(key="no-results"):
            st.caption("No requests yet. Send a request and its result appears here, newest first.")
        return []
    live: list[live_card.LiveCard] = []
    with st.container(key="smti-cards"):
        for card in reversed(stack):
            running = draw(card)
            if running is not None:
                live.append(running)
    return live


def draw(card: session_cards.Card) -> live_card.LiveCard | None:
    """One card where the caller is: finished, or running (then returned, for the page to follow)."""
    _grace(card)
    result = card.result
    if result is None:
        return live_card.LiveCard(card)
    note = f"Not saved to history: {card.saving.error}" if card.saving.error else None
    result_card.render(result, key=str(card.id), note=note, origin=card.connection_label)
    return None


def _grace(card: session_cards.Card) -> None:
    left = FIRST_NEWS_S - (time.monotonic() - card.started)
    if card.is_running and left > 0:
        service_cache.invoker().wait_for_news({card.invocation: 0}, left)

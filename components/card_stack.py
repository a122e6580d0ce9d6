"""The result cards, newest first: `render()` draws them all, `follow()` keeps the running ones live
(components.live_card) until their requests end. The page calls `follow()` last."""

from __future__ import annotations

import html
import time

import streamlit as st

from components import live_card, result_card, service_cache, session_cards
from components.safe_text import escape_markdown

# A request sent by this very run gets this long to answer before its card is drawn: a fast endpoint's output
# then comes with the card itself instead of a moment after it (a slow one shows Pending that much later).
FIRST_NEWS_S = 0.015


def render(*, handled_click: str | None) -> list[live_card.LiveCard]:
    """Draw every card of this session, newest first; returns the running ones, for `follow()`.

    Above the cards is the slot where the browser shows a Pending card the moment Send is clicked
    (components.request_actions), before any run could draw one. It is redrawn, after the cards, with the
    last click this session acted on (`handled_click`): that empties it, once the real card is on the page
    or the click was refused.
    """
    stack = session_cards.cards()
    if any(not card.is_running for card in stack):
        st.button(
            "Clear results",
            key="clear-results",
            icon=":material/delete_sweep:",
            on_click=session_cards.clear_finished,
        )
    instant = st.container(key="smti-instant")
    live = _cards(stack)
    click = html.escape(handled_click or "", quote=True)
    instant.html(f'<div class="smti-instant" data-handled="{click}"></div>')
    return live


def _cards(stack: list[session_cards.Card]) -> list[live_card.LiveCard]:
    if not stack:
        with st.container(key="no-results"):
            st.caption("No requests yet. Send a request and its result appears here, newest first.")
        return []
    live: list[live_card.LiveCard] = []
    for card in stack:
        _grace(card)
        result = card.result
        if result is None:
            live.append(live_card.LiveCard(card))
        else:
            result_card.render(result, key=str(card.id))
        if card.saving.error:
            st.caption(f"Not saved to history: {escape_markdown(card.saving.error)}")
    return live


def follow(running: list[live_card.LiveCard]) -> None:
    """Keep the running cards current until their requests end (the page's run ends with this)."""
    live_card.follow(running, service_cache.invoker())


def _grace(card: session_cards.Card) -> None:
    left = FIRST_NEWS_S - (time.monotonic() - card.started)
    if card.is_running and left > 0:
        service_cache.invoker().wait_for_news({card.invocation: 0}, left)

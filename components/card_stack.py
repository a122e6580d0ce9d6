"""The result cards, newest first. Finished cards are drawn once per run; running ones are followed live
(components.live_card) until their requests end, by the same run."""

from __future__ import annotations

import streamlit as st

from components import live_card, result_card, service_cache, session_cards
from components.safe_text import escape_markdown


def render() -> None:
    """Draw every card of this session, newest first, then follow the running ones."""
    stack = session_cards.cards()
    if not stack:
        with st.container(key="no-results"):
            st.caption("No requests yet. Send a request and its result appears here, newest first.")
        return
    if any(not card.is_running for card in stack):
        st.button(
            "Clear results",
            key="clear-results",
            icon=":material/delete_sweep:",
            on_click=session_cards.clear_finished,
        )
    live: list[live_card.LiveCard] = []
    for card in stack:
        result = card.result
        if result is None:
            live.append(live_card.LiveCard(card))
        else:
            result_card.render(result, key=str(card.id))
        if card.saving.error:
            st.caption(f"Not saved to history: {escape_markdown(card.saving.error)}")
    live_card.follow(live, service_cache.invoker())

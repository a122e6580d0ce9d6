"""The result cards, newest first. Running cards follow their request live; finished ones stay put.

Each running card is its own fragment that redraws itself every LIVE_INTERVAL_S: the streamed tokens that
arrived in between are shown in one update (never one update per token, which falls behind on long answers),
and only the running card is redrawn, not the whole stack. When its request ends, the card asks for one full
run, which draws it as a finished card and saves it to history. Finished cards keep their relative times
current with a slow timer of their own (see result_card).
"""

from __future__ import annotations

import functools
import time

import streamlit as st

from components import result_card, session_cards

LIVE_INTERVAL_S = 0.05
# A request sent in this very run gets a short grace period before its card is drawn: a fast endpoint's result
# (or a stream's first token) then shows in the click's own run instead of one fragment tick later.
FIRST_DRAW_WAIT_S = 0.15
_FULL_RUN = "_card_stack_full_run"


def render() -> None:
    """Draw every card of this session, newest first."""
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
    session_cards.wait_for_first_news(stack, FIRST_DRAW_WAIT_S)
    st.session_state[_FULL_RUN] = True
    try:
        for card in stack:
            if card.is_running:
                _live_card(card.id)
            else:
                _draw(card)
    finally:
        st.session_state[_FULL_RUN] = False
    session_cards.save_finished()


@st.fragment(run_every=LIVE_INTERVAL_S)
def _live_card(card_id: int) -> None:
    card = session_cards.find(card_id)
    if card is None:
        return
    _draw(card, live=True)
    if not card.is_running:
        session_cards.save_finished()
        st.rerun()  # finished: one full run draws it as a finished card, without this timer
    if st.session_state.get(_FULL_RUN):
        return  # drawn by a full run: the fragment's own ticks follow
    # Stay busy until the next tick's request arrives, so Streamlit queues it on this same script runner. A
    # run that ends first lets the next tick start a new runner, and on a busy machine the old runner's unsent
    # updates are then dropped ("Ignoring event from non-current ScriptRunner"): the text would not grow.
    time.sleep(LIVE_INTERVAL_S)


def _draw(card: session_cards.Card, *, live: bool = False) -> None:
    result = session_cards.view(card)
    on_stop = None
    if card.is_running and card.streamed:
        on_stop = functools.partial(session_cards.stop, card.id)
    result_card.render(result, key=str(card.id), on_stop=on_stop, started_monotonic=card.started, live=live)
    if card.save_error:
        st.text(f"Not saved to history: {card.save_error}")

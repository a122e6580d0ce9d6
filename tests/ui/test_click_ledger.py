"""A click is acted on exactly once, even when the run that took it is stopped before it could say so."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

KEY = "request-actions"


def _act_once_per_click(stop_first_run: bool) -> None:
    import streamlit as st

    from components import request_actions

    key = "request-actions"
    st.session_state.setdefault(key, {"action": "send", "text": "{}", "nonce": "click-1"})
    acted = st.session_state.setdefault("acted", [])
    click = request_actions.unhandled(key)
    if click is None:
        return
    if stop_first_run and not st.session_state.setdefault("stopped", []):
        st.session_state["stopped"].append(True)
        st.stop()  # as a run Streamlit stops for a newer rerun, between taking a click and acting on it
    acted.append(click.action.nonce)
    click.acted()


def test_a_click_is_acted_on_once_over_many_runs():
    at = AppTest.from_function(_act_once_per_click, args=(False,))
    for _ in range(3):
        at.run()
    assert not at.exception
    assert at.session_state["acted"] == ["click-1"]


def test_a_click_left_by_a_stopped_run_is_acted_on_by_the_next():
    at = AppTest.from_function(_act_once_per_click, args=(True,))
    at.run()
    assert at.session_state["acted"] == []  # stopped before acting: the click is not lost ...
    at.run()
    at.run()
    assert not at.exception
    assert at.session_state["acted"] == ["click-1"]  # ... and acted on once by the runs after


def test_a_new_click_is_acted_on_after_an_old_one():
    at = AppTest.from_function(_act_once_per_click, args=(False,))
    at.run()
    at.session_state[KEY] = {"action": "send", "text": "{}", "nonce": "click-2"}
    at.run()
    at.run()
    assert at.session_state["acted"] == ["click-1", "click-2"]

"""The "Stream response" switch: on by default when the request body asks for `"stream": true`."""

from __future__ import annotations

import streamlit as st

from services.request_body import parse_json

KEY = "stream-response"
_DETECTED = "_stream_detected"


def asks_to_stream(body: str) -> bool:
    """True when the body is a JSON object with "stream": true."""
    value = parse_json(body)
    return isinstance(value, dict) and value.get("stream") is True


def current(body: str) -> bool:
    """The switch's value for this body, before (or without) drawing it: it follows the body's "stream"
    flag whenever that flag changes; in between, the user's own choice stands."""
    detected = asks_to_stream(body)
    if st.session_state.get(_DETECTED) != detected:
        return detected
    return bool(st.session_state.get(KEY, detected))


def render(body: str) -> bool:
    """Draw the switch; its value is `current(body)`."""
    detected = asks_to_stream(body)
    if st.session_state.get(_DETECTED) != detected:
        st.session_state[_DETECTED] = detected
        st.session_state[KEY] = detected
    return st.toggle(
        "Stream response",
        key=KEY,
        help="Use InvokeEndpointWithResponseStream: tokens appear as the model generates them.",
    )

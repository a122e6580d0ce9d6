"""The "Stream" switch (stream the response): on when the request body asks for `"stream": true`."""

from __future__ import annotations

import streamlit as st

from services.request_body import parse_json

KEY = "stream-response"  # the switch's box (CSS hook `st-key-stream-response`)


def asks_to_stream(body: str) -> bool:
    """True when the body is a JSON object with "stream": true."""
    value = parse_json(body)
    return isinstance(value, dict) and value.get("stream") is True


def widget_key(asked: bool) -> str:
    """One switch for bodies that ask to stream and another for those that do not, each starting at what
    the body asks: the switch follows the body's flag whenever it changes, and in between the user's own
    choice stands. Two widgets rather than one whose value the server resets: a reset value reaches the
    browser a moment later, and a rerun the browser sends meanwhile (Ace handing over its text) carried
    the old value back, so a body without "stream" was streamed after one with it."""
    return f"{KEY}-{'asked' if asked else 'not-asked'}"


def current(body: str) -> bool:
    """The switch's value for this body, before (or without) drawing it."""
    asked = asks_to_stream(body)
    return bool(st.session_state.get(widget_key(asked), asked))


def render(body: str) -> bool:
    """Draw the switch; its value is `current(body)`."""
    asked = asks_to_stream(body)
    with st.container(key=KEY):
        # No help icon: the row is narrow (Send Request beside it), and the SDK example shows which API.
        return st.toggle("Stream", value=asked, key=widget_key(asked))

"""The way from Test inference to the Latency page: the request the page would send, handed over whole.

Test inference draws ``render`` under its Send button; a click stores the request (endpoint, component,
body bytes, content type, Advanced parameters) and the stream switch under ``REQUEST_KEY`` and opens the
Latency page, which reads it with ``current``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from components.safe_text import escape_markdown
from services.results import InvocationRequest

REQUEST_KEY = "latency-request"
PAGE = "app_pages/latency.py"


@dataclass(frozen=True)
class LatencyTarget:
    request: InvocationRequest
    stream: bool


def render(build: Callable[[], InvocationRequest | None], stream: bool, *, disabled_reason: str = "") -> None:
    """A small "Run a latency test" button; ``build`` makes the request, only when it is clicked."""
    clicked = st.button(
        "Run a latency test",
        key="latency-entry",
        icon=":material/speed:",
        type="tertiary",
        disabled=bool(disabled_reason),
        help=escape_markdown(
            disabled_reason
            or "Send this request many times, at a concurrency you choose, and read its latency."
        ),
    )
    if not clicked:
        return
    request = build()
    if request is None:
        return
    st.session_state[REQUEST_KEY] = LatencyTarget(request, stream)
    st.switch_page(PAGE)


def current() -> LatencyTarget | None:
    """The request handed over from Test inference, if any."""
    target = st.session_state.get(REQUEST_KEY)
    return target if isinstance(target, LatencyTarget) else None

"""The way from Test inference to the Compare page: the request the page would send, handed over whole
(as components.latency_entry does for the Latency page)."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from components.latency_entry import LatencyTarget as HandedRequest
from components.safe_text import escape_markdown
from services.results import InvocationRequest

REQUEST_KEY = "compare-request"
PAGE = "app_pages/compare.py"


def render(build: Callable[[], InvocationRequest | None], stream: bool, *, disabled_reason: str = "") -> None:
    """A small "Compare targets" button; ``build`` makes the request, only when it is clicked."""
    if not st.button(
        "Compare targets",
        key="compare-entry",
        icon=":material/compare_arrows:",
        type="tertiary",
        disabled=bool(disabled_reason),
        help=escape_markdown(
            disabled_reason or "Send this request to two to four endpoints, variants or components at once."
        ),
    ):
        return
    request = build()
    if request is not None:
        st.session_state[REQUEST_KEY] = HandedRequest(request, stream)
        st.switch_page(PAGE)


def current() -> HandedRequest | None:
    handed = st.session_state.get(REQUEST_KEY)
    return handed if isinstance(handed, HandedRequest) else None

"""The way from Test inference to another page that works on its request (Latency, Compare): a small
button under Send that builds the request the page would send (only when clicked), stores it with the
stream switch under the other page's key, and opens that page, which reads it back with `current`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from components.safe_text import escape_markdown
from services.results import InvocationRequest


@dataclass(frozen=True)
class HandedRequest:
    request: InvocationRequest
    stream: bool


@dataclass(frozen=True)
class Destination:
    label: str
    icon: str
    help: str
    state_key: str  # where the request waits for the page
    page: str


def button(
    to: Destination,
    build: Callable[[], InvocationRequest | None],
    stream: bool,
    *,
    key: str,
    disabled_reason: str = "",
) -> None:
    clicked = st.button(
        to.label,
        key=key,
        icon=to.icon,
        type="tertiary",
        disabled=bool(disabled_reason),
        help=escape_markdown(disabled_reason or to.help),
    )
    if not clicked:
        return
    request = build()
    if request is None:
        return
    st.session_state[to.state_key] = HandedRequest(request, stream)
    st.switch_page(to.page)


def current(to: Destination) -> HandedRequest | None:
    """The request handed over from Test inference, if any."""
    handed = st.session_state.get(to.state_key)
    return handed if isinstance(handed, HandedRequest) else None

"""Send Request / Format / Reset: one small custom component whose click carries the editor's text with it.

streamlit-ace gives Python its text only after a pause in typing, so a normal Streamlit button clicked right
after typing would send stale JSON. These buttons are our own plain-JS component (request_actions_frontend/):
on a click it reads the Ace editor's current text from the sibling iframe and returns
``{"action": "send" | "format" | "reset", "text": <editor text or null>, "nonce": <unique>}`` as ONE value, so
the text and the click cannot race. Python acts once per nonce. When the editor cannot be read, ``text`` is
None and the caller falls back to the text Python last received from the editor.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st
import streamlit.components.v1 as st_components

_FRONTEND = Path(__file__).parent / "request_actions_frontend"
_component = st_components.declare_component("request_actions", path=str(_FRONTEND))
ACTIONS = ("send", "format", "reset")


@dataclass(frozen=True)
class Action:
    """One click: which button, and the editor's text at that moment (None if it could not be read)."""

    kind: str
    text: str | None
    nonce: str


def _handled_key(key: str) -> str:
    return f"_{key}_handled_nonce"


def render(
    *,
    key: str,
    editor_key: str,
    send_disabled: bool = False,
    disabled_reason: str = "",
    format_disabled: bool = False,
) -> Action | None:
    """Draw the buttons; return the click to act on in this run, or None (no click, or one handled before)."""
    theme = {"primaryColor": st.get_option("theme.primaryColor") or "#0972d3"}
    value = _component(
        key=key,
        editor_key=editor_key,
        send_disabled=send_disabled,
        disabled_reason=disabled_reason,
        format_disabled=format_disabled,
        theme=theme,
        default=None,
    )
    action = parse(value)
    if action is None or st.session_state.get(_handled_key(key)) == action.nonce:
        return None
    st.session_state[_handled_key(key)] = action.nonce
    return action


def parse(value: Any) -> Action | None:
    """The component's value as an Action; anything malformed is ignored."""
    if not isinstance(value, dict) or value.get("action") not in ACTIONS or value.get("nonce") in (None, ""):
        return None
    text = value.get("text")
    return Action(
        kind=value["action"], text=text if isinstance(text, str) else None, nonce=str(value["nonce"])
    )

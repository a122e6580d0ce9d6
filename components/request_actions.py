"""Send Request / Format / Reset: one small custom component whose click carries the editor's text with it.

streamlit-ace gives Python its text only after a pause in typing, so a normal Streamlit button clicked right
after typing would send stale JSON. These buttons are our own plain-JS component (request_actions_frontend/):
on a click it reads the Ace editor's current text from the sibling iframe and returns
``{"action": "send" | "format" | "reset", "text": <editor text or null>, "nonce": <unique>}`` as ONE value, so
the text and the click cannot race. Python acts once per nonce, at the start of the run the click caused
(`unhandled`, then `Click.acted`). When the editor cannot be read, ``text`` is None and the caller falls
back to the text Python last received from the editor.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
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


@dataclass
class _Ledger:
    """The last click this session acted on, kept in session state once and then changed in place."""

    handled: str | None = None


@dataclass(frozen=True)
class Click:
    """A click not acted on yet. Act on it, then call `acted()` with no Streamlit call in between.

    Streamlit stops a run (a newer rerun was asked for: Ace handing over its text right after the click) at
    its own calls, and every read or write of st.session_state is one. A click recorded as handled before
    its request started was lost with the run stopped between the two; one recorded after it, through a
    session-state write, was sent twice when the write stopped the run. `acted()` changes an object the run
    already holds: nothing can stop it, and a run stopped before it leaves the click to the next run."""

    action: Action
    _ledger: _Ledger

    def acted(self) -> None:
        self._ledger.handled = self.action.nonce


def _ledger(key: str) -> _Ledger:
    return st.session_state.setdefault(f"_{key}_ledger", _Ledger())


def unhandled(key: str) -> Click | None:
    """The click not acted on yet, read at the very start of a run, before anything is drawn (the
    component's value is already in session state), so its card is the first thing the run sends."""
    action = parse(st.session_state.get(key))
    ledger = _ledger(key)
    if action is None or ledger.handled == action.nonce:
        return None
    return Click(action, ledger)


def handled(key: str) -> str | None:
    """The nonce of the last click acted on (the card stack tells the browser with it)."""
    return _ledger(key).handled


@dataclass(frozen=True)
class PendingCard:
    """What the browser's instant Pending card says (our own values; shown as text, never as HTML)."""

    target: str  # endpoint, or "endpoint / component"
    request_type: str  # JSON, CSV, ...
    streamed: bool


def render(
    *,
    key: str,
    editor_key: str,
    send_disabled: bool = False,
    disabled_reason: str = "",
    format_disabled: bool = False,
    check_json: bool = False,
    pending: PendingCard | None = None,
) -> None:
    """Draw the buttons; a click reaches the next run through `unhandled(key)`. On Send the browser at
    once shows `pending` above the cards (unless `check_json` and the text does not parse) until the run
    that acts on the click has drawn the real card, or refused the click."""
    theme = {"primaryColor": st.get_option("theme.primaryColor") or "#0972d3"}
    _component(
        key=key,
        editor_key=editor_key,
        send_disabled=send_disabled,
        disabled_reason=disabled_reason,
        format_disabled=format_disabled,
        check_json=check_json,
        pending=None if pending is None else asdict(pending),
        theme=theme,
        default=None,
    )


def parse(value: Any) -> Action | None:
    """The component's value as an Action; anything malformed is ignored."""
    if not isinstance(value, dict) or value.get("action") not in ACTIONS or value.get("nonce") in (None, ""):
        return None
    text = value.get("text")
    return Action(
        kind=value["action"], text=text if isinstance(text, str) else None, nonce=str(value["nonce"])
    )

"""The request editor (streamlit-ace) and the one place that knows which text it holds.

Ace's `value=` is only its first text, so loading a new text (a sample, Format, Reset, a history entry) means
a new widget key: `load()` bumps a generation number that is part of the key. The text Python knows is kept in
session state: Ace sends its text after a short pause in typing (auto_update), and the request-actions
component sends the exact text with every click; whichever arrived last wins.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from streamlit_ace import st_ace

_GENERATION = "editor_generation"
_SEED = "editor_seed"
_TEXT = "editor_text"
_LAST_ACE = "_editor_last_ace_value"
KEY_PREFIX = "request-editor-"


@dataclass(frozen=True)
class Problem:
    """Where the editor's text is wrong (1-based line and column), for the gutter annotation."""

    line: int
    column: int
    message: str


def current_key() -> str:
    """The widget key of the editor shown now (tests set its text through session_state[current_key()])."""
    return f"{KEY_PREFIX}{st.session_state.get(_GENERATION, 0)}"


def load(text: str) -> None:
    """Show `text` in the editor from the next draw on (a fresh widget, so Ace really takes the new text)."""
    st.session_state[_GENERATION] = st.session_state.get(_GENERATION, 0) + 1
    st.session_state[_SEED] = text
    st.session_state[_TEXT] = text
    st.session_state.pop(_LAST_ACE, None)


def text() -> str:
    """The newest editor text Python has received."""
    return str(st.session_state.get(_TEXT, st.session_state.get(_SEED, "")))


def receive() -> None:
    """Take the text Ace sent with this run now, before anything reads text(): the editor is drawn late in
    the page's run, and the stream switch or the SDK example drawn before it would otherwise lag one run."""
    _take_ace_value(st.session_state.get(current_key()))


def _take_ace_value(value: object) -> None:
    if value is None:
        return
    value = str(value)
    if value != st.session_state.get(_LAST_ACE):
        # Ace sent something new since the last run: that is the newest text.
        st.session_state[_LAST_ACE] = value
        st.session_state[_TEXT] = value


def note_text(value: str) -> None:
    """Record the text a click carried (newer than what Ace last sent)."""
    st.session_state[_TEXT] = value


def render(
    *, language: str = "json", problem: Problem | None = None, height: int = 320, hidden: bool = False
) -> str:
    """Draw the editor; returns the newest text known to Python. `hidden` (a file is the body) keeps it
    on the page, out of sight: Ace keeps its text and the text it has not handed over yet."""
    if current_key() not in st.session_state and text() != st.session_state.get(_SEED, ""):
        # A fresh editor (the page was left and Streamlit dropped the widget): it must open on the newest
        # text, not on the text it was first loaded with.
        load(text())
    annotations = []
    if problem is not None:
        annotations.append(
            {
                "row": problem.line - 1,
                "column": max(0, problem.column - 1),
                "text": problem.message,
                "type": "error",
            }
        )
    with st.container(key="request-editor"):
        value = st_ace(
            value=st.session_state.get(_SEED, ""),
            language=language,
            theme="chrome",
            keybinding="vscode",
            font_size=15,  # at 14 px Ace's line height hid underscores (Debian's Chromium, Liberation Mono)
            tab_size=2,
            min_lines=14,
            height=height,
            show_gutter=True,
            wrap=True,
            annotations=annotations,
            auto_update=True,
            key=current_key(),
        )
        if hidden:  # after the editor: its own place in the box does not move
            st.html("<style>.st-key-request-editor { display: none; }</style>")
    _take_ace_value("" if value is None else value)
    return text()

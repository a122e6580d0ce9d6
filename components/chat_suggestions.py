"""Suggested first prompts: the ones a presenter prepared for an endpoint (kept in the history file), else a
general three. Shown as buttons on an empty conversation; edited in the settings column."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import streamlit as st

from components.safe_text import escape_markdown
from components.service_cache import conversations

GENERAL = (
    "What is Amazon SageMaker?",
    "How do I stream tokens from an endpoint?",
    "Explain inference components in two sentences.",
)
EDITOR_KEY = "chat-suggestions-editor"


def prompts_for(target: str) -> list[str]:
    try:
        prepared = conversations().suggestions(target)
    except (OSError, sqlite3.Error, RuntimeError):
        prepared = []
    return prepared or list(GENERAL)


def buttons(target: str, on_ask: Callable[[str], None]) -> None:
    prompts = prompts_for(target)
    st.caption("Try one of these to start:")
    with st.container(horizontal=True, key="chat-suggestions"):
        for number, prompt in enumerate(prompts):
            st.button(escape_markdown(prompt), key=f"chat-suggest-{number}", on_click=on_ask, args=(prompt,))


def _save(target: str) -> None:
    text = str(st.session_state.get(f"{EDITOR_KEY}-text") or "")
    try:
        conversations().set_suggestions(target, text.splitlines())
    except (OSError, sqlite3.Error, RuntimeError) as error:
        st.session_state[f"{EDITOR_KEY}-problem"] = f"Not saved: {error}"


def editor(target: str) -> None:
    """Prepare the prompts for a demo of this target; drawn only while its expander is open."""
    box = st.expander("Suggested prompts", icon=":material/lightbulb:", key=EDITOR_KEY, on_change="rerun")
    if not box.open:
        return
    with box:
        st.text_area(
            "One per line",
            value="\n".join(prompts_for(target)),
            key=f"{EDITOR_KEY}-text",
            height=120,
            help="Shown as buttons when a conversation with this endpoint starts. Empty: the general ones.",
        )
        st.button("Save prompts", key=f"{EDITOR_KEY}-save", on_click=_save, args=(target,))
        problem = st.session_state.pop(f"{EDITOR_KEY}-problem", None)
        if problem:
            st.caption(escape_markdown(problem))

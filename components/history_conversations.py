"""Saved chat conversations on the History page: each with its target and turns, reopened on the Chat
page, or copied as Markdown."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import streamlit as st

from components import relative_time
from components.safe_text import escape_markdown
from services.conversation_store import ConversationStore

LIMIT = 50


def render(
    store: ConversationStore, *, on_open: Callable[[str], None], on_markdown: Callable[[str], None]
) -> None:
    try:
        saved = store.list(limit=LIMIT)
    except (OSError, sqlite3.Error) as error:
        st.caption(f"The conversations cannot be read: {escape_markdown(str(error))}")
        return
    if not saved:
        st.caption("No saved conversations. Each conversation on the Chat page is saved as its answers end.")
        return
    st.caption(
        f"{len(saved)} conversation{'s' if len(saved) != 1 else ''} (most recent first, at most {LIMIT})"
    )
    for item in saved:
        with st.container(border=True, key=f"history-chat-{item.id}"):
            st.markdown(f"**{escape_markdown(item.title)}**")
            when = relative_time.describe(item.updated_at)
            turns = f"{item.turns} turn{'s' if item.turns != 1 else ''}"
            st.caption(escape_markdown(f"{item.target} · {turns} · {when} · {item.connection_label}"))
            with st.container(horizontal=True):
                st.button(
                    "Open in Chat",
                    key=f"history-chat-open-{item.id}",
                    icon=":material/chat:",
                    on_click=on_open,
                    args=(item.id,),
                )
                st.button(
                    "Markdown",
                    key=f"history-chat-markdown-{item.id}",
                    icon=":material/content_copy:",
                    on_click=on_markdown,
                    args=(item.id,),
                )

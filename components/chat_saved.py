"""Saved conversations: reopen one (its endpoint is picked again), rename it, delete it."""

from __future__ import annotations

import sqlite3

import streamlit as st

from components import endpoint_picker, relative_time
from components.chat_settings import CONVERSATION_KEY, scope
from components.safe_text import escape_markdown
from components.service_cache import conversations
from services.connection import Connection
from services.conversation_store import ConversationStore, SavedConversation

_OPENED_NOTE = "_chat_opened_note"


def reopen(store: ConversationStore, conversation_id: str, connection: Connection) -> bool:
    """Make this the Chat page's conversation, its endpoint picked there; False when it cannot be read.
    (The History page's conversations reopen the same way.)"""
    conversation = store.load(conversation_id)
    if conversation is None:
        return False
    st.session_state[CONVERSATION_KEY] = conversation
    where = scope(connection)
    st.session_state[endpoint_picker.choice_key(where)] = conversation.endpoint
    st.session_state[endpoint_picker.MANUAL_KEY] = ""
    if conversation.component:
        st.session_state[endpoint_picker.component_key(where, conversation.endpoint)] = conversation.component
    return True


def _open(conversation_id: str, connection: Connection) -> None:
    if not reopen(conversations(), conversation_id, connection):
        st.session_state[_OPENED_NOTE] = "This conversation could not be read."


def _rename(conversation_id: str) -> None:
    title = str(st.session_state.get(f"chat-title-{conversation_id}") or "").strip()
    if not title:
        return
    conversations().rename(conversation_id, title)
    current = st.session_state.get(CONVERSATION_KEY)
    if current is not None and current.id == conversation_id:
        current.title = title


def _delete(conversation_id: str) -> None:
    conversations().delete(conversation_id)


def render(connection: Connection) -> None:
    """The list, drawn only while its expander is open: it would cost every run (every token's) otherwise."""
    saved_list = st.expander(
        "Saved conversations", icon=":material/forum:", key="chat-saved", on_change="rerun"
    )
    if not saved_list.open:
        return
    with saved_list:
        try:
            store: ConversationStore = conversations()
            saved = store.list()
        except (OSError, sqlite3.Error, RuntimeError) as error:
            st.caption(f"The history file cannot be opened: {escape_markdown(str(error))}")
            return
        note = st.session_state.pop(_OPENED_NOTE, None)
        if note:
            st.caption(note)
        if not saved:
            st.caption("Each conversation is saved here as its answers end.")
            return
        for item in saved:
            _row(item, connection)


def _row(item: SavedConversation, connection: Connection) -> None:
    with st.container(key=f"chat-saved-{item.id}", border=True):
        st.markdown(f"**{escape_markdown(item.title)}**")
        when = relative_time.describe(item.updated_at)
        st.caption(
            escape_markdown(f"{item.target} · {item.turns} turn{'s' if item.turns != 1 else ''} · {when}")
        )
        with st.container(horizontal=True):
            st.button("Open", key=f"chat-open-{item.id}", on_click=_open, args=(item.id, connection))
            with st.popover("Rename"):
                st.text_input("Title", value=item.title, key=f"chat-title-{item.id}")
                st.button("Save title", key=f"chat-rename-{item.id}", on_click=_rename, args=(item.id,))
            st.button("Delete", key=f"chat-delete-{item.id}", on_click=_delete, args=(item.id,))

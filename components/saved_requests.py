"""Saved requests for the endpoint picked, like a collection in Postman: choose one to load it into the
form; save what the form holds under a name; delete one. Kept in the history file (services.saved_requests).

Everything happens in widget callbacks, before the page's run draws the form, so a loaded request shows in
the very run the choice causes.
"""

from __future__ import annotations

import sqlite3

import streamlit as st

from components import body_kind, json_editor, request_file, request_loader, request_options, service_cache
from components.safe_text import escape_markdown
from services.errors import ServiceError
from services.saved_requests import SavedRequest, SavedRequests

NAME_KEY = "saved-request-name"
_NOTICE = "_saved-request-notice"


def _choice_key(target: str) -> str:
    return f"saved-request-choice-{target}"


def _delete_key(target: str) -> str:
    return f"saved-request-delete-{target}"


def _store() -> SavedRequests | None:
    try:
        return service_cache.saved_requests()
    except (OSError, sqlite3.Error, RuntimeError):
        return None


def form_request(name: str) -> SavedRequest | None:
    """What the form holds now, as a request to save; None when a file is the body and none is chosen."""
    options = request_options.current()
    if body_kind.current() == body_kind.FILE:
        file = request_file.held()
        if file is None:
            return None
        return SavedRequest(name, file.data, options.content_type, True, file.name, options.extra)
    json_editor.receive()
    return SavedRequest(name, json_editor.text().encode("utf-8"), options.content_type, options=options.extra)


def _load(target: str, saved: dict[str, SavedRequest]) -> None:
    chosen = saved.get(st.session_state.get(_choice_key(target)) or "")
    st.session_state[_choice_key(target)] = None  # choosing the same one again loads it again
    if chosen is None:
        return
    request_loader.load_body(
        chosen.body, chosen.content_type, file_name=chosen.file_name, as_file=chosen.as_file
    )
    request_options.set_advanced(chosen.options)
    st.session_state[_NOTICE] = f"Loaded “{chosen.name}”."


def _save(target: str) -> None:
    store = _store()
    name = str(st.session_state.get(NAME_KEY) or "").strip()
    request = form_request(name)
    if store is None or request is None:
        st.session_state[_NOTICE] = "Nothing to save: choose a file first." if store else "No history file."
        return
    try:
        store.save(target, request)
    except ServiceError as error:
        st.session_state[_NOTICE] = error.message
        return
    st.session_state[NAME_KEY] = ""
    st.session_state[_NOTICE] = f"Saved “{' '.join(name.split())}” for {target}."


def _delete(target: str, saved: dict[str, SavedRequest]) -> None:
    store = _store()
    chosen = saved.get(st.session_state.get(_delete_key(target)) or "")
    if store is not None and chosen is not None and chosen.id is not None:
        store.delete(chosen.id)
        st.session_state[_NOTICE] = f"Deleted “{chosen.name}”."


def render(target: str | None) -> None:
    """The saved-request picker and the Save popover for `target` (endpoint, or "endpoint / component")."""
    store = _store()
    if target is None or store is None:
        return
    saved = {request.name: request for request in store.list(target)}
    names = list(saved)
    st.selectbox(
        "Saved requests",
        names,
        index=None,
        key=_choice_key(target),
        placeholder=f"{len(names)} saved" if names else "None saved yet",
        disabled=not names,
        on_change=_load,
        args=(target, saved),
        help="Requests saved for this endpoint (kept in the history file). Choose one to load it.",
    )
    with st.popover("Save", icon=":material/bookmark_add:", help="Save this request under a name"):
        st.text_input("Name", key=NAME_KEY, placeholder="e.g. long prompt, edge case 3", max_chars=80)
        st.button("Save request", key="saved-request-save", on_click=_save, args=(target,), type="primary")
        if names:
            st.selectbox("Delete a saved request", names, index=None, key=_delete_key(target))
            st.button("Delete", key="saved-request-delete-button", on_click=_delete, args=(target, saved))
    notice = st.session_state.pop(_NOTICE, None)
    if notice:
        st.toast(escape_markdown(notice), icon=":material/bookmark:")

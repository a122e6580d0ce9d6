"""History: every request sent, saved in SQLite. Reopen one as a card, or load it back into the editor."""

from __future__ import annotations

import sqlite3

import streamlit as st

from components import history_list, page_style, request_options, result_card, service_cache
from components.connection_sidebar import STATE_KEY as CONNECTION_KEY
from components.output_view import hex_dump
from components.safe_text import escape_markdown
from services.history import History
from services.request_files import looks_like_text
from services.results import Status

_OPENED = "history-opened-id"
PENDING_LOAD = "pending_history_load"  # read by app_pages/inference.py


def _open(entry_id: int) -> None:
    st.session_state[_OPENED] = entry_id


def _load(entry_id: int) -> None:
    entry = service_cache.history().get(entry_id)
    if entry is None:
        return
    st.session_state[PENDING_LOAD] = {
        "endpoint": entry.endpoint_name,
        "body": entry.request.body,  # bytes: text goes back into the editor, anything else as a file
        "content_type": entry.request.content_type,
        "options": {name: getattr(entry.request, name) or "" for name in request_options.FIELDS},
        "component": entry.request.inference_component_name,
    }
    st.session_state["_history_switch_to_editor"] = True


def _delete(entry_id: int) -> None:
    service_cache.history().delete(entry_id)
    if st.session_state.get(_OPENED) == entry_id:
        st.session_state.pop(_OPENED, None)


def main() -> None:
    page_style.apply()
    if st.session_state.pop("_history_switch_to_editor", False):
        st.switch_page("app_pages/inference.py")
    st.title("History", anchor=False)
    st.caption(
        "Saved requests and their results. Current connection: "
        + escape_markdown(st.session_state[CONNECTION_KEY].label)
    )
    # A card may show its end a few milliseconds before its result is saved: list once it is.
    service_cache.invoker().wait_for_endings(timeout=2.0)
    try:
        history = service_cache.history()
    except (OSError, sqlite3.Error, RuntimeError) as error:
        st.error(f"The history file cannot be opened: {escape_markdown(str(error))}")
        return
    filters = st.columns([4, 3, 2])
    search = filters[0].text_input(
        "Search", key="history-search", placeholder="endpoint, request id, body text…"
    )
    endpoint = filters[1].text_input("Endpoint", key="history-endpoint", placeholder="exact name")
    status = filters[2].selectbox("Status", ["Any", *(s.value for s in Status)], key="history-status")
    entries = history.list(
        endpoint=endpoint.strip() or None,
        status=None if status == "Any" else status,
        search=search.strip() or None,
        limit=200,
    )
    listing, opened = st.columns([9, 11], gap="large")
    with listing:
        where = escape_markdown(str(history.path))
        st.caption(f"{len(entries)} shown (newest first) · {history.count()} saved · {where}")
        history_list.render(entries, on_open=_open, on_load=_load, on_delete=_delete)
    with opened:
        _opened_card(history)


def _opened_card(history: History) -> None:
    entry_id = st.session_state.get(_OPENED)
    entry = history.get(entry_id) if entry_id is not None else None
    if entry is None:
        st.caption("Open an entry to see its card here.")
        return
    st.subheader("Saved result", anchor=False)
    result_card.render(entry.to_result(), key=f"history-{entry.id}")
    if entry.body_truncated:
        st.caption("The stored output was cut to its first MiB.")
    st.caption("Request body" + (" (cut to its first MiB)" if entry.request_body_truncated else ""))
    body = entry.request.body
    if looks_like_text(body):
        st.code(body.decode("utf-8"), language=None, wrap_lines=True)
    else:  # a file sent byte for byte: its size and first bytes (Load puts the file back whole)
        st.caption(f"{len(body):,} bytes of {escape_markdown(entry.request.content_type)}")
        st.code(hex_dump(body[:256]), language=None)
    st.button("Load into the editor", key="load-opened", on_click=_load, args=(entry.id,), type="primary")


main()

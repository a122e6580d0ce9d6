"""History, a lab notebook of every request sent: search and filter it, reopen an entry as a card or in the
editor, re-run it in place, star it, diff two outputs, copy a result as Markdown, export JSON lines; and the
saved chat conversations."""

from __future__ import annotations

import sqlite3

import streamlit as st

from components import (
    chat_saved,
    history_conversations,
    history_filters,
    history_list,
    output_diff,
    page_style,
    request_options,
    result_card,
    service_cache,
    session_cards,
)
from components.connection_sidebar import STATE_KEY as CONNECTION_KEY
from components.output_view import hex_dump
from components.safe_text import escape_markdown
from services import chat_conversation, history_export, history_markdown, result_diff
from services.errors import ServiceError
from services.history import History, HistoryEntry, HistoryFilter
from services.request_files import looks_like_text

_OPENED = "history-opened-id"
_COMPARED = "history-compared"  # up to two entry ids, the older pick first
_RERUN = "history-rerun"  # (card, the entry it re-runs)
_MARKDOWN = "history-markdown"  # (title, markdown) to show in the copy dialog on this run
_SHOWN = "history-shown"  # rows listed; "Show more" adds PAGE
_NOTICE = "history-notice"
PAGE = 50
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
    st.session_state["_history_switch_to"] = "app_pages/inference.py"


def _rerun(entry_id: int) -> None:
    """Send the saved request again, as it was (streamed if it was), with the current connection."""
    history = service_cache.history()
    entry = history.get(entry_id)
    if entry is None:
        return
    connection = st.session_state[CONNECTION_KEY]
    try:
        service_cache.clients_for(connection)
    except ServiceError as error:
        st.session_state[_NOTICE] = f"Not sent: {error.message} {error.hint}".strip()
        return
    card = session_cards.start(
        service_cache.invoker(), connection, entry.request, stream=entry.stream is not None, history=history
    )
    st.session_state[_RERUN] = (card, entry)


def _star(entry_id: int) -> None:
    history = service_cache.history()
    entry = history.get(entry_id)
    if entry is not None:
        history.set_starred(entry_id, not entry.starred)


def _compare(entry_id: int) -> None:
    picked: list[int] = st.session_state.setdefault(_COMPARED, [])
    if entry_id in picked:
        picked.remove(entry_id)
    else:
        picked.append(entry_id)
        del picked[:-2]


def _markdown(entry_id: int) -> None:
    entry = service_cache.history().get(entry_id)
    if entry is not None:
        st.session_state[_MARKDOWN] = (entry.request.target, history_markdown.entry_markdown(entry))


def _delete(entry_id: int) -> None:
    service_cache.history().delete(entry_id)
    if st.session_state.get(_OPENED) == entry_id:
        st.session_state.pop(_OPENED, None)
    picked = st.session_state.get(_COMPARED, [])
    if entry_id in picked:
        picked.remove(entry_id)


def _open_conversation(conversation_id: str) -> None:
    store = service_cache.conversations()
    if chat_saved.reopen(store, conversation_id, st.session_state[CONNECTION_KEY]):
        st.session_state["_history_switch_to"] = "app_pages/chat.py"
    else:
        st.session_state[_NOTICE] = "This conversation could not be read by this version of the app."


def _conversation_markdown(conversation_id: str) -> None:
    conversation = service_cache.conversations().load(conversation_id)
    if conversation is not None:
        st.session_state[_MARKDOWN] = (
            conversation.display_title(),
            chat_conversation.as_markdown(conversation),
        )


def _more() -> None:
    st.session_state[_SHOWN] = st.session_state.get(_SHOWN, PAGE) + PAGE


@st.dialog("Copy as Markdown", width="large")
def _markdown_dialog(title: str, markdown: str) -> None:
    st.caption(f"{escape_markdown(title)} · the copy button at the code's top right copies it all")
    st.code(markdown, language="markdown", wrap_lines=True)


_ACTIONS = history_list.RowActions(
    open=_open, load=_load, rerun=_rerun, star=_star, compare=_compare, markdown=_markdown, delete=_delete
)


def main() -> None:
    page_style.apply()
    switch_to = st.session_state.pop("_history_switch_to", None)
    if switch_to:
        st.switch_page(switch_to)
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
    pending = st.session_state.pop(_MARKDOWN, None)
    if pending is not None:
        _markdown_dialog(*pending)
    notice = st.session_state.pop(_NOTICE, None)
    if notice:
        st.error(escape_markdown(notice))
    view = st.segmented_control(
        "Show",
        ["Results", "Conversations"],
        default="Results",
        key="history-view",
        label_visibility="collapsed",
    )
    if view == "Conversations":
        history_conversations.render(
            service_cache.conversations(), on_open=_open_conversation, on_markdown=_conversation_markdown
        )
        return
    where = history_filters.render(history)
    _results(history, where)


def _results(history: History, where: HistoryFilter) -> None:
    shown = st.session_state.get(_SHOWN, PAGE)
    entries = history.list(where=where, limit=shown + 1)
    more = len(entries) > shown
    entries = entries[:shown]
    listing, side = st.columns([11, 9], gap="large")
    with listing:
        with st.container(horizontal=True, vertical_alignment="center"):
            count = f"{len(entries)}{'+' if more else ''} shown (newest first) · {history.count()} saved"
            st.caption(f"{count} · {escape_markdown(str(history.path))}")
            st.download_button(
                "Export JSON lines",
                # Built only when clicked: every matching entry, whole bodies (text, or base64).
                data=lambda: history_export.export_jsonl(history.iter_matching(where)),
                file_name="history.jsonl",
                mime="application/jsonl",
                key="history-export",
                icon=":material/download:",
                on_click="ignore",
                disabled=not entries,
                help=f"Every entry matching the filters (at most {history_export.MAX_EXPORTED:,})",
            )
        history_list.render(entries, _ACTIONS, compared=st.session_state.get(_COMPARED, []))
        if more:
            st.button("Show more", key="history-more", on_click=_more)
    with side:
        _rerun_panel()
        _diff_panel(history)
        _opened_card(history)


def _rerun_panel() -> None:
    rerun = st.session_state.get(_RERUN)
    if rerun is None:
        return
    card, original = rerun
    with st.container(border=True, key="history-rerun-panel"):
        st.subheader("Re-run", anchor=False)
        label = card.connection_label
        if label != original.connection_label:
            st.caption(
                escape_markdown(
                    f"Sent with the current connection, {label} (the original went through "
                    f"{original.connection_label})."
                )
            )
        _rerun_result(card)
        st.button("Close", key="history-rerun-close", on_click=st.session_state.pop, args=(_RERUN,))


@st.fragment(run_every=0.25)
def _rerun_result(card: session_cards.Card) -> None:
    result = card.result
    if result is None:
        st.caption("Sending… (the result is saved to History too)")
        return
    result_card.render(
        result, key=f"history-rerun-{card.id}", note=card.saving.error, origin=card.connection_label
    )
    if st.session_state.get("_history_rerun_listed") != card.id:
        st.session_state["_history_rerun_listed"] = card.id
        st.rerun(scope="app")  # the new entry joins the list


def _diff_panel(history: History) -> None:
    picked = st.session_state.get(_COMPARED, [])
    if not picked:
        return
    with st.container(border=True, key="history-diff"):
        st.subheader("Compare outputs", anchor=False)
        entries = [history.get(entry_id) for entry_id in picked]
        found = [entry for entry in entries if entry is not None]
        if len(found) < 2:
            st.caption("Pick one more entry with its Compare button to see what differs.")
            return
        a, b = found
        diff = result_diff.diff_outputs(*_output(a), *_output(b))
        output_diff.render(diff, a_label=_label(a), b_label=_label(b), key="history-diff")
        st.button(
            "Clear comparison", key="history-diff-clear", on_click=st.session_state.pop, args=(_COMPARED,)
        )


def _output(entry: HistoryEntry) -> tuple[bytes, str | None]:
    if entry.stream is not None:
        return entry.text.encode("utf-8"), "text/plain"
    return entry.body, entry.content_type


def _label(entry: HistoryEntry) -> str:
    return (
        f"#{entry.id} {entry.request.target} · {entry.status.value} · {entry.requested_at:%Y-%m-%d %H:%M:%S}"
    )


def _opened_card(history: History) -> None:
    entry_id = st.session_state.get(_OPENED)
    entry = history.get(entry_id) if entry_id is not None else None
    if entry is None:
        st.caption("Open an entry to see its card here.")
        return
    st.subheader("Saved result", anchor=False)
    result_card.render(entry.to_result(), key=f"history-{entry.id}", origin=entry.connection_label)
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

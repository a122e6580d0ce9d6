"""What the request body is: JSON, CSV or plain text written in the editor, or a file sent byte for byte.

Choosing a kind sets the content type field to what that kind is sent as (still editable); a file sets it to
the file's own type (components.request_file).
"""

from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitAPIException

from components import request_file, request_options

KEY = "body-kind"
JSON, CSV, TEXT, FILE = "JSON", "CSV", "Text", "File"
KINDS = (JSON, CSV, TEXT, FILE)
CONTENT_TYPES = {JSON: "application/json", CSV: "text/csv", TEXT: "text/plain"}
_LAST = "_body-kind-last"  # the kind before a click that deselected it (a segmented control can be emptied)
_PENDING = "_body-kind-pending"
_CHOSEN_NOW = "_body-kind-chosen-now"  # the user chose a kind in the click that started this run


def kind_for(content_type: str) -> str:
    """The editor kind a content type is written in (a sample's, a reopened request's)."""
    media = content_type.split(";", 1)[0].strip().lower()
    if media == "text/csv":
        return CSV
    if media.startswith("text/"):
        return TEXT
    return JSON


def current() -> str:
    """The kind chosen, before (or without) drawing the control."""
    pending = st.session_state.get(_PENDING)
    if pending in KINDS:
        return str(pending)
    chosen = st.session_state.get(KEY)
    return str(chosen) if chosen in KINDS else str(st.session_state.get(_LAST, JSON))


def set_kind(kind: str) -> None:
    """Preset the kind (a sample or a reopened request); when the control is already drawn in this run,
    it shows from the next run on, and current() says it at once. A kind the user chose in the click that
    started this run stands (a sample loaded late, by a run that replaced an interrupted one, must not
    undo it)."""
    if st.session_state.get(_CHOSEN_NOW):
        return
    st.session_state[_LAST] = kind
    try:
        st.session_state[KEY] = kind
        st.session_state.pop(_PENDING, None)
    except StreamlitAPIException:
        st.session_state[_PENDING] = kind


def _changed() -> None:
    chosen = st.session_state.get(KEY)
    if chosen not in KINDS:  # the selected segment was clicked again: keep it selected
        st.session_state[KEY] = st.session_state.get(_LAST, JSON)
        return
    st.session_state[_LAST] = chosen
    st.session_state[_CHOSEN_NOW] = True
    if chosen in CONTENT_TYPES:
        request_options.set_content_type(CONTENT_TYPES[chosen])
    else:  # a file brings its own type
        held = request_file.held()
        if held is not None:
            request_options.set_content_type(held.content_type)


def render() -> str:
    """Draw the control; returns the kind chosen."""
    if _PENDING in st.session_state:
        st.session_state[KEY] = st.session_state.pop(_PENDING)
    st.session_state.setdefault(KEY, st.session_state.get(_LAST, JSON))
    st.session_state.pop(_CHOSEN_NOW, None)  # the click is acted on: later presets apply again
    st.segmented_control(
        "Body",
        KINDS,
        key=KEY,
        on_change=_changed,
        help="JSON is checked before it is sent; CSV and text go as written; a file goes byte for byte.",
    )
    return current()

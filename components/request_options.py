"""The content type field and the "Advanced" InvokeEndpoint parameters (Accept, CustomAttributes, ...)."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from streamlit.errors import StreamlitAPIException

CONTENT_TYPE_KEY = "opt-content-type"
DEFAULT_CONTENT_TYPE = "application/json"

# (parameter name on InvocationRequest, label, help)
_ADVANCED = (
    ("accept", "Accept", "The content type you want back, e.g. application/json."),
    ("custom_attributes", "CustomAttributes", "Passed to the container as is, e.g. accept_eula=true."),
    ("target_variant", "TargetVariant", "Send to this production variant instead of by weight."),
    ("target_model", "TargetModel", "Multi-model endpoints: the model artifact to use (not for streams)."),
    (
        "target_container_hostname",
        "TargetContainerHostname",
        "Multi-container endpoints with direct invocation.",
    ),
    ("inference_id", "InferenceId", "Up to 64 characters; recorded with data capture."),
    ("enable_explanations", "EnableExplanations", "A Clarify JMESPath expression (not for streams)."),
    ("session_id", "SessionId", "NEW_SESSION or an existing session id (stateful sessions)."),
    ("prefix_aware_id", "PrefixAwareId", "Routing hint for endpoints with prefix-aware routing."),
)


FIELDS = tuple(field for field, _, _ in _ADVANCED)


# The Advanced fields are drawn only while their expander is open: nine text inputs cost the browser
# ~25 ms of React work in every run (measured on the first streamed token), and most requests never open
# them. A field's value lives in a key of its own (`_kept`), so it outlives the runs in which its widget
# (`widget_key`) is not drawn, whose state Streamlit drops.
ADVANCED_KEY = "opt-advanced"


def widget_key(field: str) -> str:
    return f"opt-{field}"


def _kept(field: str) -> str:
    return f"_opt-kept-{field}"


def set_advanced(values: dict[str, str]) -> None:
    """Preset the Advanced fields (a request reopened from History); call before render()."""
    for field in FIELDS:
        st.session_state[_kept(field)] = values.get(field, "")
        st.session_state.pop(widget_key(field), None)  # drawn next from the kept value


def _advanced_values() -> dict[str, str]:
    """The fields as the user left them: the widget's value while it exists, else the kept one."""
    values = {}
    for field in FIELDS:
        value = st.session_state.get(widget_key(field), st.session_state.get(_kept(field), ""))
        values[field] = str(value)
    return values


@dataclass(frozen=True)
class RequestOptions:
    content_type: str
    extra: dict[str, str]  # InvocationRequest field -> value, only the ones filled in

    @property
    def is_json(self) -> bool:
        kind = self.content_type.split(";")[0].strip().lower()
        return kind == "application/json" or kind.endswith("+json")


_PENDING = "_pending_content_type"


def set_content_type(value: str) -> bool:
    """Preset the content type field (when a sample is loaded). Returns False when the field is already
    drawn in this run: the value then shows from the next run on (the caller may st.rerun())."""
    if st.session_state.get(CONTENT_TYPE_KEY) == value:
        return True
    try:
        st.session_state[CONTENT_TYPE_KEY] = value
        return True
    except StreamlitAPIException:
        st.session_state[_PENDING] = value
        return False


def current() -> RequestOptions:
    """What the fields hold, before (or without) drawing them."""
    pending = st.session_state.get(_PENDING)
    content_type = str(pending if pending is not None else st.session_state.get(CONTENT_TYPE_KEY, "")).strip()
    extra = {field: value.strip() for field, value in _advanced_values().items() if value.strip()}
    return RequestOptions(content_type=content_type or DEFAULT_CONTENT_TYPE, extra=extra)


def content_type_field() -> None:
    """The content type field alone (the page puts it beside the body's kind)."""
    st.session_state.setdefault(CONTENT_TYPE_KEY, DEFAULT_CONTENT_TYPE)
    if _PENDING in st.session_state:
        st.session_state[CONTENT_TYPE_KEY] = st.session_state.pop(_PENDING)
    st.text_input(
        "Content type",
        key=CONTENT_TYPE_KEY,
        help="Sent as ContentType. JSON bodies are checked before sending.",
    )


def advanced() -> RequestOptions:
    """The Advanced expander (its fields drawn only while it is open); returns what the user filled in."""
    for field, value in _advanced_values().items():
        st.session_state[_kept(field)] = value
    # The label stays the same: the expander's identity (and so whether it is open) depends on it.
    advanced = st.expander("Advanced", icon=":material/tune:", key=ADVANCED_KEY, on_change="rerun")
    hint = st.container()  # always drawn: what follows keeps its place whether the hint shows or not
    if advanced.open:
        with advanced:  # one column: the labels are the API's names, and half a column split them
            for field, label, help_text in _ADVANCED:
                st.session_state.setdefault(widget_key(field), st.session_state[_kept(field)])
                st.text_input(label, key=widget_key(field), help=help_text)
    else:
        filled = [label for field, label, _ in _ADVANCED if st.session_state[_kept(field)].strip()]
        if filled:  # a closed expander must not hide what travels with the request
            hint.caption(f"Sent with every request: {', '.join(filled)}.")
    return current()

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


def set_advanced(values: dict[str, str]) -> None:
    """Preset the Advanced fields (a request reopened from History); call before render()."""
    for field in FIELDS:
        st.session_state[f"opt-{field}"] = values.get(field, "")


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
    extra = {
        field: value for field in FIELDS if (value := str(st.session_state.get(f"opt-{field}", "")).strip())
    }
    return RequestOptions(content_type=content_type or DEFAULT_CONTENT_TYPE, extra=extra)


def render() -> RequestOptions:
    """Draw the fields; returns what the user filled in."""
    st.session_state.setdefault(CONTENT_TYPE_KEY, DEFAULT_CONTENT_TYPE)
    if _PENDING in st.session_state:
        st.session_state[CONTENT_TYPE_KEY] = st.session_state.pop(_PENDING)
    st.text_input(
        "Content type",
        key=CONTENT_TYPE_KEY,
        help="Sent as ContentType. JSON bodies are checked before sending.",
    )
    with st.expander("Advanced", icon=":material/tune:"):
        cols = st.columns(2)
        for index, (field, label, help_text) in enumerate(_ADVANCED):
            with cols[index % 2]:
                st.text_input(label, key=f"opt-{field}", help=help_text)
    return current()

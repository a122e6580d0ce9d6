"""The chat's target and settings: endpoint, request format (detected, overridable), chat template, system
prompt and generation settings. `chat_choice` reads them without drawing (a message is acted on before the
page draws anything); `render_settings` draws them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import streamlit as st

from components import endpoint_picker
from components.endpoint_containers import containers_for
from components.safe_text import escape_markdown
from services.chat_formats import AnswerTold, ChatFormat, ChatSettings, Detection, detect, told_by_answer
from services.chat_templates import TEMPLATES
from services.connection import Connection
from services.endpoints import EndpointCatalog
from services.request_body import check_json
from services.results import InvocationResult, target_label

CONVERSATION_KEY = "chat-conversation"  # the conversation going on (services.chat_conversation)
INPUT_KEY = "chat-input"
PRESENT_KEY = "chat-presenting"
FORMAT_KEY = "chat-format"
TEMPLATE_KEY = "chat-template"
SYSTEM_KEY = "chat-system"
MAX_TOKENS_KEY = "chat-max-new-tokens"
TEMPERATURE_KEY = "chat-temperature"
TOP_P_KEY = "chat-top-p"
STOP_KEY = "chat-stop"
EXTRA_KEY = "chat-extra"
AUTO = "auto"
DEFAULT_SYSTEM = "You are a helpful assistant. Answer clearly and briefly."
_DETECTIONS = "_chat_detections"
MAX_STOPS = 3  # a container takes 4 at most; the template's own end marker is the 4th


@dataclass(frozen=True)
class ChatChoice:
    endpoint: str
    component: str | None
    blocked_reason: str | None
    detection: Detection
    format: ChatFormat
    template: str
    system: str
    settings: ChatSettings
    problem: str | None  # why nothing can be sent with these settings (the extra parameters' JSON)
    learning: bool = False  # Automatic, and nothing told the format: the next answer will

    @property
    def target(self) -> str:
        return target_label(self.endpoint, self.component)


def scope(connection: Connection) -> str:
    """The picker's scope: the chat keeps its own endpoint choice per connection."""
    return f"chat · {connection.label}"


def detection_for(catalog: EndpointCatalog, picked: endpoint_picker.Picked) -> Detection:
    """What the endpoint's containers say about its format (or what its answers told since), once per target
    and session."""
    known: dict[tuple[str, str | None], Detection] = st.session_state.setdefault(_DETECTIONS, {})
    key = (picked.name, picked.inference_component)
    if key not in known:
        known[key] = detect(containers_for(catalog, picked))
    return known[key]


def learn_from_answer(
    endpoint: str, component: str | None, sent: ChatFormat, outcome: InvocationResult
) -> AnswerTold | None:
    """In Automatic mode, for a target whose containers did not tell its format, what its answer tells
    (chat_formats.told_by_answer), kept as the target's detection. `resend` only the first time: a format
    guessed from one refusal is not guessed again from the next."""
    if st.session_state.get(FORMAT_KEY, AUTO) != AUTO:
        return None
    known: dict[tuple[str, str | None], Detection] = st.session_state.get(_DETECTIONS, {})
    current = known.get((endpoint, component))
    if current is None or not (current.format is None or current.tentative):
        return None
    told = told_by_answer(sent, outcome, current.template)
    if told is None:
        return None
    known[(endpoint, component)] = told.detection
    return AnswerTold(told.detection, resend=told.resend and current.format is None)


def chat_choice(connection: Connection, catalog: EndpointCatalog) -> ChatChoice | None:
    picked = endpoint_picker.chosen(catalog, scope=scope(connection))
    if picked is None:
        return None
    detection = detection_for(catalog, picked)
    asked = st.session_state.get(FORMAT_KEY, AUTO)
    fmt = ChatFormat(asked) if asked in ChatFormat.__members__.values() else None
    learning = fmt is None and detection.format is None
    fmt = fmt or detection.format or ChatFormat.MESSAGES
    template = st.session_state.get(TEMPLATE_KEY) or detection.template
    extra, problem = _extra()
    return ChatChoice(
        endpoint=picked.name,
        component=picked.inference_component,
        blocked_reason=picked.blocked_reason,
        detection=detection,
        format=fmt,
        template=template if template in TEMPLATES else detection.template,
        system=str(st.session_state.get(SYSTEM_KEY, DEFAULT_SYSTEM)),
        settings=_settings(extra),
        problem=problem,
        learning=learning,
    )


def _extra() -> tuple[dict[str, Any], str | None]:
    """The extra parameters the user wrote, or why they cannot be used."""
    text = str(st.session_state.get(EXTRA_KEY) or "").strip()
    if not text:
        return {}, None
    problem = check_json(text)
    if problem is not None:
        where = f"line {problem.line}, column {problem.column}"
        return {}, f"Extra parameters: invalid JSON at {where}: {problem.message}."
    value = json.loads(text)
    if not isinstance(value, dict):
        return {}, 'Extra parameters must be a JSON object, e.g. {"seed": 7}.'
    return value, None


def _settings(extra: dict[str, Any]) -> ChatSettings:
    defaults = ChatSettings()
    stops = str(st.session_state.get(STOP_KEY) or "")
    return ChatSettings(
        max_new_tokens=int(st.session_state.get(MAX_TOKENS_KEY, defaults.max_new_tokens)),
        temperature=float(st.session_state.get(TEMPERATURE_KEY, defaults.temperature)),
        top_p=float(st.session_state.get(TOP_P_KEY, defaults.top_p)),
        stop=tuple(s.strip().replace("\\n", "\n") for s in stops.split(",") if s.strip())[:MAX_STOPS],
        extra=extra,
    )


def render_settings(connection: Connection, catalog: EndpointCatalog) -> None:
    with st.container():  # the picker's lines vary: what follows keeps its place
        endpoint_picker.render(catalog, scope=scope(connection))
    choice = chat_choice(connection, catalog)
    detected = choice.detection if choice is not None else detect([])
    automatic = (
        detected.format.label if detected.format else f"{ChatFormat.MESSAGES.label}, until an answer tells"
    )
    labels = {AUTO: f"Automatic: {automatic}", **{f.value: f.label for f in ChatFormat}}
    st.selectbox(
        "Request format",
        list(labels),
        format_func=labels.__getitem__,
        key=FORMAT_KEY,
        help="How the conversation is sent. Automatic reads the container's image and environment "
        "(DescribeModel, or the inference component's container).",
    )
    st.caption(escape_markdown(detected.reason))
    if choice is not None and choice.format.templated:
        names = list(TEMPLATES)
        st.selectbox(
            "Chat template",
            names,
            index=names.index(choice.template),
            format_func=lambda key: TEMPLATES[key].label,
            key=TEMPLATE_KEY,
            help="This format sends the conversation as one prompt: pick the template the model was tuned "
            "on.",
        )
    st.text_area("System prompt", value=DEFAULT_SYSTEM, key=SYSTEM_KEY, height=80)
    with st.expander("Generation settings"):
        defaults = ChatSettings()
        st.number_input("Max new tokens", 1, 8192, defaults.max_new_tokens, step=32, key=MAX_TOKENS_KEY)
        st.slider("Temperature", 0.0, 2.0, defaults.temperature, 0.05, key=TEMPERATURE_KEY, help="0: greedy")
        st.slider("Top p", 0.05, 1.0, defaults.top_p, 0.05, key=TOP_P_KEY)
        st.text_input(
            "Stop sequences",
            key=STOP_KEY,
            placeholder="comma-separated, e.g. ###, \\n\\n",
            help=f"Up to {MAX_STOPS}; \\n is a newline. The chat template's own end marker is always added.",
        )
        st.text_input(
            "Extra parameters (JSON)",
            key=EXTRA_KEY,
            placeholder='{"seed": 7, "repetition_penalty": 1.1}',
            help="Added to the request as written: at the top level of a Messages API body, in `parameters` "
            "otherwise. They win over the settings above.",
        )
        if choice is not None and choice.problem:
            st.error(escape_markdown(choice.problem), icon=":material/data_object:")

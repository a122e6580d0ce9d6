"""The request formats an LLM container takes, how to tell which one an endpoint speaks, and a conversation
as a request body in each. Pure.

    Messages API   {"messages": [...], "max_tokens": N, "stream": true}; chat.completion.chunk lines or SSE
                   (TGI with MESSAGES_API_ENABLED, LMI with rolling batch, vLLM)
    TGI            {"inputs": "<templated prompt>", "parameters": {...}, "stream": true}; SSE {"token": ...}
    LMI            the same body; JSON lines {"token": {...}}
    LMI (legacy)   {"inputs": ["<prompt>"], "parameters": {...}}; JSON lines {"outputs": [...]}

A container without a Messages API gets the conversation rendered through a chat template
(services.chat_templates) and stops at the template's end-of-turn marker.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from services.chat_messages import Message
from services.chat_templates import DEFAULT_TEMPLATE, TEMPLATES, template_for
from services.results import InvocationResult, Status


class ChatFormat(enum.StrEnum):
    MESSAGES = "messages"
    TGI = "tgi"
    LMI = "lmi"
    LMI_LEGACY = "lmi-legacy"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def templated(self) -> bool:
        """Whether the conversation goes out as one templated prompt (no Messages API)."""
        return self is not ChatFormat.MESSAGES


_LABELS = {
    ChatFormat.MESSAGES: "Messages API (OpenAI-style)",
    ChatFormat.TGI: "TGI inputs + parameters",
    ChatFormat.LMI: "LMI inputs + parameters",
    ChatFormat.LMI_LEGACY: "LMI legacy (inputs list, outputs lines)",
}


@dataclass(frozen=True)
class ChatSettings:
    """Generation settings, with defaults every format accepts."""

    max_new_tokens: int = 256
    temperature: float = 0.3  # 0: greedy (sampling off); low: a demo should read clearly
    top_p: float = 0.9
    stop: tuple[str, ...] = ()
    #: more fields as the user wrote them (seed, ignore_eos, repetition_penalty...): top level of a Messages
    #: API body, `parameters` otherwise; they win over the fields above
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Container:
    """What SageMaker says about the container behind an endpoint or an inference component."""

    image: str
    environment: Mapping[str, str]


@dataclass(frozen=True)
class Detection:
    format: ChatFormat | None  # None: nothing told; the first answer's shape will
    template: str
    reason: str  # in a sentence, for the page
    tentative: bool = False  # guessed from a refusal: the next answer's shape may still correct it


_LMI_VERSION = re.compile(r"djl-inference:(\d+)\.(\d+)")


def detect(containers: Sequence[Container]) -> Detection:
    """The format the containers speak, from their images and environments (DescribeModel, or an inference
    component's container)."""
    for container in containers:
        image = container.image.lower()
        env = {k.upper(): str(v) for k, v in container.environment.items()}
        model_id = env.get("HF_MODEL_ID") or env.get("OPTION_MODEL_ID") or env.get("MODEL_ID")
        template = template_for(model_id)
        name = _short(container.image)
        if env.get("MESSAGES_API_ENABLED", "").lower() == "true":
            return Detection(ChatFormat.MESSAGES, template, f"{name} has MESSAGES_API_ENABLED=true.")
        if "vllm" in image:
            return Detection(ChatFormat.MESSAGES, template, f"{name} is vLLM (OpenAI-compatible server).")
        if "tgi" in image or "text-generation-inference" in image:
            return Detection(ChatFormat.TGI, template, f"{name} is TGI without MESSAGES_API_ENABLED.")
        if "djl-inference" in image or "lmi" in image:
            rolling = env.get("OPTION_ROLLING_BATCH", "auto").lower()
            if rolling in ("disable", "false"):
                reason = f"{name} is LMI with rolling batch disabled (OPTION_ROLLING_BATCH={rolling})."
                return Detection(ChatFormat.LMI_LEGACY, template, reason)
            version = _LMI_VERSION.search(image)
            if version and (int(version[1]), int(version[2])) < (0, 27):
                return Detection(ChatFormat.LMI, template, f"{name} is LMI before 0.27 (no chat schema).")
            return Detection(
                ChatFormat.MESSAGES, template, f"{name} is LMI with rolling batch (chat schema)."
            )
    if containers:
        return Detection(None, DEFAULT_TEMPLATE, "The container image does not tell the format.")
    return Detection(None, DEFAULT_TEMPLATE, "SageMaker did not describe the container.")


def format_hint(body: bytes, error_message: str) -> str | None:
    """When a request failed, what the answer's words say about the format the container wants (the
    detection's last resort: a container nothing described tells by refusing): None when they say nothing."""
    sent_messages = b'"messages"' in body
    said = error_message.lower()
    if sent_messages and "inputs" in said:
        return "The container seems to take `inputs`, not `messages`: choose a TGI or LMI request format."
    if not sent_messages and "messages" in said:
        return "The container seems to take the Messages API: choose it as the request format."
    return None


@dataclass(frozen=True)
class AnswerTold:
    """What a container nothing described said with its first answer: the format to use from now on, and
    whether the refused message should go again in it."""

    detection: Detection
    resend: bool


# The decoder's name for a stream's shape -> the format that answers in it.
_SHAPES = {"openai": ChatFormat.MESSAGES, "tgi": ChatFormat.TGI, "lmi": ChatFormat.LMI}
_SHAPE_WORDS = {
    "openai": "chat.completion chunks",
    "tgi": "TGI server-sent tokens",
    "lmi": "LMI JSON lines",
}


def told_by_answer(sent: ChatFormat, outcome: InvocationResult, template: str) -> AnswerTold | None:
    """The format a finished answer shows, when SageMaker did not tell (the detection's last resort): a
    refusal that names the other format's field, or the shape the answer streamed in. None: it says nothing
    (a network failure, plain text)."""
    if outcome.status is Status.FAILED and outcome.error is not None and not outcome.text:
        said = outcome.error.message.lower()
        if sent is ChatFormat.MESSAGES and "inputs" in said:
            # TGI's refusal; LMI takes the same body, and its answer's shape will tell the two apart.
            reason = 'The container refused "messages" and asked for "inputs": sent as TGI inputs.'
            return AnswerTold(Detection(ChatFormat.TGI, template, reason, tentative=True), resend=True)
        if sent is not ChatFormat.MESSAGES and "messages" in said:
            reason = 'The container refused "inputs" and asked for "messages": sent to the Messages API.'
            return AnswerTold(Detection(ChatFormat.MESSAGES, template, reason, tentative=True), resend=True)
        return None
    shape = outcome.stream.format if outcome.stream is not None else None
    told = _SHAPES.get(shape or "")
    if told is None or not outcome.text:
        return None
    if told is ChatFormat.LMI and sent is ChatFormat.LMI_LEGACY:
        told = sent
    reason = f"The container answered in {_SHAPE_WORDS[str(shape)]}: {told.label}."
    return AnswerTold(Detection(told, template, reason), resend=False)


def request_body(
    fmt: ChatFormat, messages: Sequence[Message], settings: ChatSettings, template: str = DEFAULT_TEMPLATE
) -> dict[str, Any]:
    """The JSON body asking for the next assistant turn of `messages`, streamed."""
    sampling = settings.temperature > 0
    if fmt is ChatFormat.MESSAGES:
        body: dict[str, Any] = {
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            "max_tokens": settings.max_new_tokens,
            "temperature": settings.temperature,
        }
        if sampling and 0 < settings.top_p < 1:
            body["top_p"] = settings.top_p
        if settings.stop:
            body["stop"] = list(settings.stop)
        body.update(settings.extra)
        body["stream"] = True
        return body
    chosen = TEMPLATES.get(template) or TEMPLATES[DEFAULT_TEMPLATE]
    prompt = chosen.render(messages)
    stop = list(dict.fromkeys([*settings.stop, *chosen.stop]))
    parameters: dict[str, Any] = {"max_new_tokens": settings.max_new_tokens, "do_sample": sampling}
    if sampling:  # TGI refuses temperature 0 and top_p outside (0, 1)
        parameters["temperature"] = settings.temperature
        if 0 < settings.top_p < 1:
            parameters["top_p"] = settings.top_p
    if fmt is ChatFormat.TGI:
        parameters["stop"] = stop
        parameters["return_full_text"] = False
        parameters.update(settings.extra)
        return {"inputs": prompt, "parameters": parameters, "stream": True}
    parameters["stop_sequences"] = stop
    parameters.update(settings.extra)
    if fmt is ChatFormat.LMI:
        return {"inputs": prompt, "parameters": parameters, "stream": True}
    return {"inputs": [prompt], "parameters": parameters}


def body_bytes(body: Mapping[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False, indent=2).encode("utf-8")


def _short(image: str) -> str:
    """An image URI without its registry: "djl-inference:0.31.0-lmi13.0.0-cu124"."""
    return image.rsplit("/", 1)[-1] or "The container"

"""The token layer: one parsed JSON value -> the token text it carries, per container format.

Each `*_token_text(value)` returns the text (None when the value carries none: role-only deltas, usage chunks,
special tokens, housekeeping objects of any shape) and raises `PayloadFailure` when the value is an error
object. They never raise anything else, whatever the value's shape: streams are untrusted input.
"""

from __future__ import annotations

from typing import Any

from services.foreign_text import scrub

GENERIC_CODE = "StreamPayloadError"
_LMI_ERROR = "generation stopped with finish_reason error"  # LMI gives no message
_MAX_DETAIL = 2000  # characters of a container's error message kept for display


class PayloadFailure(Exception):
    """The container reported an error inside the stream; `code` is its error type when it gave one."""

    def __init__(self, detail: str, code: str = GENERIC_CODE) -> None:
        super().__init__(detail)
        self.detail = detail
        self.code = code


def tgi_token_text(value: Any) -> str | None:
    """TGI and LMI rolling batch: `token.text`, skipping special tokens (TGI's `special`, LMI's
    `special_token`); LMI's older `outputs[0]`. Errors: TGI's `{"error": ..., "error_type": ...}`, LMI's
    `{"error": ..., "code": 424}` and its last line with `details.finish_reason == "error"`."""
    if value.__class__ is not dict:
        return None
    token = value.get("token")
    if token.__class__ is dict:
        text = token.get("text")
        if token.get("special") is True or token.get("special_token") is True:
            text = None
    else:
        text = _first_output(value.get("outputs"))
    if "error" in value or value.get("details") is not None:
        _raise_if_error(value)
    return scrub(text) if text.__class__ is str and text else None


lmi_token_text = tgi_token_text  # same shapes; LMI also sends `outputs` lists, handled above


def openai_token_text(value: Any) -> str | None:
    """OpenAI-compatible chunks: `choices[0].delta.content`, else `choices[0].text` (completions), else
    `choices[0].message.content` (a whole completion sent as one chunk). Errors: `{"error": {...}}` and
    vLLM's `{"object": "error", "message": ...}`."""
    if value.__class__ is not dict:
        return None
    if "error" in value or value.get("object") == "error":
        _raise_if_error(value)
    choices = value.get("choices")
    if choices.__class__ is not list or not choices or choices[0].__class__ is not dict:
        return None
    choice = choices[0]
    delta = choice.get("delta")
    text = delta.get("content") if delta.__class__ is dict else None
    if text is None:
        text = choice.get("text")
    if text is None:
        message = choice.get("message")
        text = message.get("content") if message.__class__ is dict else None
    return scrub(text) if text.__class__ is str and text else None


#: container words for why an answer ended, in the common ones (OpenAI's): stop, length, error
_FINISH_WORDS = {
    "stop": "stop",
    "eos_token": "stop",  # TGI, LMI
    "eos": "stop",
    "stop_sequence": "stop",
    "length": "length",
    "max_tokens": "length",
    "error": "error",
}


def finish_reason(value: Any) -> str | None:
    """Why the answer ended, when this value says (TGI/LMI `details.finish_reason`, OpenAI
    `choices[0].finish_reason`): "stop", "length", "error", or the container's own word (scrubbed)."""
    if value.__class__ is not dict:
        return None
    details = value.get("details")
    reason = details.get("finish_reason") if details.__class__ is dict else None
    if reason is None:
        choices = value.get("choices")
        if choices.__class__ is list and choices and choices[0].__class__ is dict:
            reason = choices[0].get("finish_reason")
    if reason.__class__ is not str or not reason:
        return None
    return _FINISH_WORDS.get(reason.lower()) or scrub(reason[:40])


def _first_output(outputs: Any) -> Any:
    if outputs.__class__ is not list or not outputs:
        return None
    first = outputs[0]
    return first.get("text") if first.__class__ is dict else first


def _raise_if_error(value: dict[str, Any]) -> None:
    error = value.get("error")
    if error is not None:
        if error.__class__ is dict:  # OpenAI: {"message", "type", "code"}
            detail = error.get("message", error)
            code = error.get("type") or error.get("code")
        else:  # TGI: error_type; LMI: an HTTP-like code
            detail, code = error, value.get("error_type")
        raise PayloadFailure(_plain(detail), _plain(code) if code else GENERIC_CODE)
    if value.get("object") == "error":
        raise PayloadFailure(_plain(value.get("message", "")), _plain(value.get("type") or GENERIC_CODE))
    details = value.get("details")
    if details.__class__ is dict and details.get("finish_reason") == "error":
        detail = details.get("error_msg") or details.get("error") or _LMI_ERROR
        raise PayloadFailure(_plain(detail))


def _plain(detail: Any) -> str:
    if detail is None or detail == "":
        return "(no message)"
    if detail.__class__ is not str:
        try:
            detail = str(detail)
        except RecursionError:  # a pathologically nested value; the error itself still matters
            detail = "(unprintable error detail)"
    detail = scrub(detail)
    return detail if len(detail) <= _MAX_DETAIL else detail[:_MAX_DETAIL] + "…"

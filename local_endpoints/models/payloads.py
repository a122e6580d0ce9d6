"""Reading requests the way model containers do: content types, Accept negotiation, JSON bodies, and a whole
answer sent as a one-part stream (for models that cannot stream)."""

from __future__ import annotations

import json
from typing import Any

from local_endpoints.models.base import ModelInputError, ModelResponse, ModelStream


def media_type(content_type: str | None) -> str:
    """The bare, lower-case media type: "Application/JSON; charset=utf-8" -> "application/json"."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def negotiate(accept: str | None, offered: tuple[str, ...]) -> str:
    """The first of `offered` that `accept` allows (no or empty Accept, `*/*` and `type/*` allow the default,
    which is `offered[0]`). Raises ModelInputError(406) when none is acceptable, as a container would."""
    if not accept or not accept.strip():
        return offered[0]
    wanted = [media_type(part) for part in accept.split(",")]
    for candidate in wanted:
        if candidate in offered:
            return candidate
        if candidate in ("*/*", "*"):
            return offered[0]
        if candidate.endswith("/*"):
            for option in offered:
                if option.startswith(candidate[:-1]):
                    return option
    raise ModelInputError(
        406, f"Accept type {accept!r} is not supported; this model answers {', '.join(offered)}."
    )


def decode_utf8(body: bytes, status: int = 400) -> str:
    """The body as text; a ModelInputError naming the bad byte offset when it is not UTF-8."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ModelInputError(
            status, f"The request body is not UTF-8 text (bad byte at offset {exc.start})."
        ) from exc


def parse_json(body: bytes, status: int = 400) -> Any:
    """The JSON value in `body`; a ModelInputError with the parser's position when it is not valid JSON."""
    text = decode_utf8(body, status)
    if not text.strip():
        raise ModelInputError(status, "The request body is empty: send a JSON document.")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ModelInputError(status, f"The request body is not valid JSON: {exc}.") from exc
    except RecursionError as exc:
        raise ModelInputError(status, "The request body is JSON nested too deeply to read.") from exc
    except ValueError as exc:  # Python reads no integer of more than 4,300 digits
        raise ModelInputError(status, "The request body holds a number too long to read.") from exc


def whole_as_stream(response: ModelResponse) -> ModelStream:
    """A complete answer as a stream of exactly one part, which is how a non-streaming container behaves when
    it is called through InvokeEndpointWithResponseStream."""
    return ModelStream(content_type=response.content_type, parts=iter([response.body]))


def json_bytes(value: Any) -> bytes:
    """Compact UTF-8 JSON, the way most model servers write it."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def json_type(value: Any) -> str:
    """What kind of JSON value `value` is, for a message: "a string", "a number", "null", ..."""
    names = {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "a string",
        dict: "an object",
        list: "a list",
    }
    return "null" if value is None else names.get(type(value), type(value).__name__)

"""Reading a text-generation request as TGI, LMI or an OpenAI-compatible server would, with each container's
own error wording (the model server's response body is what SageMaker shows as the ModelError's message)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from local_endpoints.models.base import ModelInputError
from local_endpoints.models.ngram import Sampling
from local_endpoints.models.payloads import json_type

STYLES = ("tgi", "lmi", "lmi-legacy")
#: tokens one request may ask for: enough for the 20,000-token benchmark, small enough to stay quick
MAX_NEW_TOKENS_LIMIT = 100_000
#: defaults when a request does not say: TGI 2.x uses 100, LMI 30; chat answers until EOS within 512
DEFAULT_MAX_NEW_TOKENS = {"tgi": 100, "lmi": 30, "lmi-legacy": 30}
DEFAULT_CHAT_MAX_TOKENS = 512
MAX_STOP_SEQUENCES = 4
#: a prompt containing this makes the model fail part-way, in the way each container reports it
FAIL_MARKER = "!!model-error!!"


@dataclass(frozen=True)
class GenerationRequest:
    """Everything the generator needs from one request, validated."""

    prompt: str
    chat: bool
    stream: bool
    max_new_tokens: int
    sampling: Sampling
    seed: int | None
    stop: tuple[str, ...]
    ignore_eos: bool
    details: bool
    return_full_text: bool
    include_usage: bool

    @property
    def fails(self) -> bool:
        """Whether the prompt asks the model to fail part-way (for testing clients' error handling)."""
        return FAIL_MARKER in self.prompt


def input_error(style: str, message: str, status: int | None = None) -> ModelInputError:
    """A ModelInputError worded as `style`'s container words a rejected request."""
    if style == "tgi":
        body = json.dumps(
            {"error": f"Input validation error: {message}", "error_type": "validation"},
            ensure_ascii=False,
            separators=(",", ":"),
        )
        return ModelInputError(status or 422, body)
    # LMI's documented shape for a payload it cannot use (its Java front end answers 424)
    return ModelInputError(
        status or 424, json.dumps({"error": message, "code": status or 424}, ensure_ascii=False)
    )


def parse_request(body: bytes, style: str, *, messages_api: bool = True) -> GenerationRequest:
    """Validate a request body for a container of `style`; raises ModelInputError with that container's
    wording. Without `messages_api` (TGI without MESSAGES_API_ENABLED) a chat body is refused as TGI refuses
    it: its `inputs` are missing."""
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        problem = "the body is not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else str(exc)
        if style == "tgi":  # TGI's web framework answers a syntax error with plain text
            raise ModelInputError(400, f"Failed to parse the request body as JSON: {problem}") from exc
        raise input_error(style, f"Invalid JSON in the request body: {problem}") from exc
    if not isinstance(document, dict):
        raise input_error(style, "the request body must be a JSON object", 422 if style == "tgi" else None)
    if "messages" in document and messages_api:
        return _chat_request(document, style)
    return _completion_request(document, style)


def _completion_request(document: dict[str, Any], style: str) -> GenerationRequest:
    if "inputs" not in document:
        if style == "tgi":
            raise ModelInputError(
                422, "Failed to deserialize the JSON body into the target type: missing field `inputs`"
            )
        raise input_error(style, 'Parameter "inputs" is required, e.g. {"inputs": "Tell me about the sea"}')
    prompt = document["inputs"]
    if style == "lmi-legacy" and isinstance(prompt, list):
        # Dynamic batching (older LMI) takes a batch of prompts: `{"inputs": ["Large model inference is"]}`,
        # the seed document's own client. This small model answers one prompt per request.
        if len(prompt) != 1 or not isinstance(prompt[0], str):
            raise input_error(
                style, "`inputs` must be a string or a list of one string (one prompt per request)"
            )
        prompt = prompt[0]
    if not isinstance(prompt, str):
        raise input_error(style, f"`inputs` must be a string, not {json_type(prompt)}")
    parameters = document.get("parameters", {})
    if parameters is None:
        parameters = {}
    if not isinstance(parameters, dict):
        raise input_error(style, f"`parameters` must be an object, not {json_type(parameters)}")
    reader = _Reader(parameters, style)
    stop_key = "stop" if style == "tgi" else "stop_sequences"
    return GenerationRequest(
        prompt=prompt,
        chat=False,
        stream=_flag(document, "stream", style),
        max_new_tokens=reader.max_new_tokens("max_new_tokens", DEFAULT_MAX_NEW_TOKENS[style]),
        sampling=reader.sampling(),
        seed=reader.seed(),
        stop=reader.stop(stop_key if stop_key in parameters else "stop"),
        ignore_eos=reader.flag("ignore_eos_token") or reader.flag("ignore_eos"),
        details=reader.flag("details"),
        return_full_text=reader.flag("return_full_text"),
        include_usage=False,
    )


def _chat_request(document: dict[str, Any], style: str) -> GenerationRequest:
    messages = document["messages"]
    if not isinstance(messages, list) or not messages:
        raise input_error(style, '`messages` must be a non-empty list of {"role", "content"} objects')
    texts = []
    for position, message in enumerate(messages, start=1):
        if not isinstance(message, dict) or not isinstance(message.get("role"), str):
            raise input_error(style, f"message {position} must be an object with a string `role`")
        texts.append(_message_text(message, position, style))
    reader = _Reader(document, style)
    key = "max_completion_tokens" if "max_completion_tokens" in document else "max_tokens"
    if document.get("n", 1) != 1:
        raise input_error(style, "`n` must be 1: this model writes one answer per request")
    options = document.get("stream_options") or {}
    if not isinstance(options, dict):
        raise input_error(style, f"`stream_options` must be an object, not {json_type(options)}")
    return GenerationRequest(
        prompt="\n".join(texts),
        chat=True,
        stream=_flag(document, "stream", style),
        max_new_tokens=reader.max_new_tokens(key, DEFAULT_CHAT_MAX_TOKENS),
        sampling=reader.sampling(),
        seed=reader.seed(),
        stop=reader.stop("stop"),
        ignore_eos=reader.flag("ignore_eos"),
        details=False,
        return_full_text=False,
        include_usage=_flag(options, "include_usage", style),
    )


def _message_text(message: dict[str, Any], position: int, style: str) -> str:
    content = message.get("content")
    if content is None or isinstance(content, str):
        return content or ""
    if isinstance(content, list):  # [{"type": "text", "text": "..."}]
        parts = [p.get("text") for p in content if isinstance(p, dict) and p.get("type") == "text"]
        if all(isinstance(p, str) for p in parts):
            return " ".join(parts)  # type: ignore[arg-type]
    raise input_error(style, f"message {position} `content` must be a string or a list of text parts")


class _Reader:
    """Typed, range-checked access to generation parameters, with TGI's wording for bad values."""

    def __init__(self, values: dict[str, Any], style: str) -> None:
        self.values, self.style = values, style

    def _number(self, name: str) -> float | None:
        value = self.values.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise input_error(self.style, f"`{name}` must be a number, not {json_type(value)}")
        return float(value)

    def max_new_tokens(self, name: str, default: int) -> int:
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            raise input_error(self.style, f"`{name}` must be an integer, not {json_type(value)}")
        if value <= 0:
            raise input_error(self.style, f"`{name}` must be strictly positive")
        if value > MAX_NEW_TOKENS_LIMIT:
            raise input_error(self.style, f"`{name}` must be <= {MAX_NEW_TOKENS_LIMIT}. Given: {value}")
        return value

    def sampling(self) -> Sampling:
        temperature = self._number("temperature")
        top_p = self._number("top_p")
        top_k = self._number("top_k")
        if temperature is not None and temperature < 0:
            raise input_error(self.style, "`temperature` must be >= 0 (0 means greedy decoding)")
        if top_p is not None and not 0 < top_p <= 1:
            raise input_error(self.style, "`top_p` must be > 0.0 and <= 1.0")
        if top_k is not None and top_k != int(top_k):
            raise input_error(self.style, "`top_k` must be an integer")
        greedy = temperature == 0 or self.values.get("do_sample") is False
        return Sampling(
            temperature=0.0 if greedy else (temperature if temperature is not None else 1.0),
            top_p=top_p if top_p is not None else 1.0,
            top_k=max(int(top_k), 0) if top_k is not None else 0,  # 0 and -1 both mean "no top-k"
        )

    def seed(self) -> int | None:
        value = self.values.get("seed")
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise input_error(self.style, "`seed` must be a non-negative integer")
        return value

    def stop(self, name: str) -> tuple[str, ...]:
        value = self.values.get(name)
        if value is None:
            return ()
        stops = [value] if isinstance(value, str) else value
        if not isinstance(stops, list) or not all(isinstance(s, str) and s for s in stops):
            raise input_error(self.style, f"`{name}` must be a list of non-empty strings")
        if len(stops) > MAX_STOP_SEQUENCES:
            raise input_error(
                self.style,
                f"`{name}` supports up to {MAX_STOP_SEQUENCES} stop sequences. Given: {len(stops)}",
            )
        return tuple(stops)

    def flag(self, name: str) -> bool:
        return _flag(self.values, name, self.style)


def _flag(values: dict[str, Any], name: str, style: str) -> bool:
    value = values.get(name, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise input_error(style, f"`{name}` must be true or false, not {json_type(value)}")
    return value

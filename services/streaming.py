"""The pure, incremental decoder stack for InvokeEndpointWithResponseStream payload parts.

    bytes --Utf8Decoder--> text --LineDecoder--> lines        (services.stream_lines)
          --SSEDecoder | JSONLinesDecoder--> JSON values     (services.stream_events)
          --tgi_token_text | openai_token_text--> token texts (services.stream_tokens)

`TokenDecoder` strings the layers together: feed it each PayloadPart's bytes with `decode()`, call `flush()`
once at the end, show what they return. No I/O, no clock: the invocation helper times things.

Format detection (when no format is forced) looks at the start of the stream:

- the first line that is not blank, not an SSE comment (`:`) and not an `event:`/`id:`/`retry:` field decides
  the framing: `data:` -> SSE, anything else -> one JSON value per line;
- the first value decides the format: an object with `token` -> TGI over SSE, LMI over JSON lines;
  `outputs` -> LMI; `choices` -> OpenAI (either framing); an error object -> a failure at once (see below);
- anything else (the first character is not `{`, `:` or the start of an SSE field; the first line is not JSON;
  the first value is not a recognised object) -> TEXT, and everything received so far comes out as text.
  Text streams are detected from their first characters, so they are shown as soon as bytes arrive.

While detecting, the text received is held (it is at most the first event). In TEXT format each part's text is
passed through as it arrives, not line-buffered.

Failures: once a JSON format is detected or forced, an error object in the stream (TGI
`{"error", "error_type"}`, LMI `details.finish_reason == "error"` or `{"error", "code"}`, OpenAI
`{"error": {...}}` or vLLM `{"object": "error"}`) raises `StreamPayloadError` with `code` = the container's
error type (else "StreamPayloadError"); a payload that is not JSON raises `StreamPayloadError` with code
"MalformedStreamLine" and the start of the line in the message. Both carry `partial_text` = every token
decoded before the failure. A not-JSON line is only ever read as text during detection, never after a JSON
format was chosen: mixing would hide a broken stream. After a failure the decoder is finished: further
`decode()` and `flush()` calls return [].
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any

from services.errors import StreamPayloadError
from services.stream_events import JSONLinesDecoder, Malformed, SSEDecoder
from services.stream_lines import LineDecoder, TextPieces, Utf8Decoder
from services.stream_tokens import PayloadFailure, finish_reason, openai_token_text, tgi_token_text

MALFORMED_CODE = "MalformedStreamLine"
_SHOWN_LINE_CHARS = 80  # how much of a malformed line the error message quotes
# SSE field names a stream may start with before its first `data:` line; a text stream cannot be told from
# them until the line is complete, anything else is recognised as text from its first characters.
_SSE_STARTS = ("data:", "event:", "id:", "retry:")
_HEAD_CHARS = max(len(start) for start in _SSE_STARTS)


class StreamFormat(enum.StrEnum):
    """How a container frames its tokens; `None` where a format is expected means "detect from the bytes"."""

    TGI = "tgi"  # Hugging Face TGI: SSE, {"token": {"text", "special"}}
    LMI = "lmi"  # DJL/LMI rolling batch: JSON lines, {"token": {"text"}} or older {"outputs": [...]}
    OPENAI = "openai"  # OpenAI-compatible chunks (vLLM, TGI messages API): {"choices": [{"delta": {...}}]}
    TEXT = "text"  # anything else: the bytes as text


_TOKEN_TEXT: dict[StreamFormat, Callable[[Any], str | None]] = {
    StreamFormat.TGI: tgi_token_text,
    StreamFormat.LMI: tgi_token_text,
    StreamFormat.OPENAI: openai_token_text,
}

_LABELS = {StreamFormat.TGI: "TGI", StreamFormat.LMI: "LMI", StreamFormat.OPENAI: "OpenAI-style"}
_EventDecoder = SSEDecoder | JSONLinesDecoder


class TokenDecoder:
    """Payload parts in, token texts out, for one stream. Not thread-safe; one instance per stream.

    Attributes: `format` (forced, or detected; None until the bytes decide), `token_count` (non-empty token
    texts produced; in TEXT format, non-empty text pieces), `text` (everything produced so far),
    `finish_reason` (why the answer ended, once a value said: "stop", "length", "error", ...).
    """

    def __init__(self, fmt: StreamFormat | None = None) -> None:
        self.format: StreamFormat | None = StreamFormat(fmt) if fmt is not None else None
        self.token_count = 0
        self.finish_reason: str | None = None
        self._pieces: list[str] = []
        self._utf8 = Utf8Decoder()
        self._lines = LineDecoder()
        self._events: _EventDecoder | None = None
        self._token_text = _TOKEN_TEXT.get(self.format) if self.format else None
        self._held = TextPieces() if fmt is None else None  # the text received while detecting
        self._head = ""  # the stream's first non-blank characters, while they may still start SSE or JSON
        self._finished = False
        # Set once a JSON format and its framing are known: decode() then takes a short path (most parts).
        self._steady: _EventDecoder | None = None

    @property
    def text(self) -> str:
        """Everything decoded so far. Joins on demand (O(length)): read it at the end, not per part."""
        if len(self._pieces) > 1:
            self._pieces = ["".join(self._pieces)]
        return self._pieces[0] if self._pieces else ""

    def decode(self, part: bytes) -> list[str]:
        """The token texts completed by this part (often none, sometimes several).

        Raises StreamPayloadError for an error object or a malformed line; texts completed by the same part
        before it are not returned, but they are in the error's `partial_text` and in `text`.
        """
        events = self._steady
        if events is not None:
            lines = self._lines.decode(self._utf8.decode(part))
            return self._tokens(events.decode(lines)) if lines else []
        if self._finished:
            return []
        return self._take(self._utf8.decode(part), final=False)

    def flush(self) -> list[str]:
        """End of stream: the texts held back by an unfinished tail (a last line without newline, a last SSE
        event without its blank line, an incomplete UTF-8 character as U+FFFD). Call once."""
        if self._finished:
            return []
        self._finished = True
        self._steady = None
        return self._take(self._utf8.flush(), final=True)

    # -- one piece of text through the layers ------------------------------------------------------------

    def _take(self, text: str, final: bool) -> list[str]:
        if self.format is StreamFormat.TEXT:
            return self._emit_text(text)
        if self._held is not None:
            self._held.append(text)
            if self._head_is_text(text):
                return self._become_text()
        lines = self._lines.decode(text)
        if final:
            lines += self._lines.flush()
        values = self._values(lines, final)
        if self._held is not None:
            return self._detect(values, final)
        return self._tokens(values)

    def _values(self, lines: list[str], final: bool) -> list[Any]:
        """Lines -> JSON values, choosing the framing at the first significant line."""
        events = self._events
        if events is None:
            start = _first_significant(lines)
            if start is None:
                return []
            events = self._events = SSEDecoder() if lines[start].startswith("data:") else JSONLinesDecoder()
            if self._held is None:  # a forced format: nothing left to decide
                self._steady = events
            lines = lines[start:]
        values = events.decode(lines)
        if final:
            values += events.flush()
        return values

    def _tokens(self, values: list[Any]) -> list[str]:
        out: list[str] = []
        token_text = self._token_text
        assert token_text is not None  # a JSON format is set whenever values reach this point
        try:
            for value in values:
                if value.__class__ is Malformed:
                    raise self._malformed(value.text, out)
                text = token_text(value)
                if text:
                    out.append(text)
        except PayloadFailure as failure:
            self.finish_reason = "error"
            raise self._failure(failure, out) from None
        for value in values[-2:]:  # the reason rides on the last value, or the one before a usage chunk
            reason = finish_reason(value)
            if reason is not None:
                self.finish_reason = reason
        self._pieces += out
        self.token_count += len(out)
        return out

    def _emit_text(self, text: str) -> list[str]:
        if not text:
            return []
        self._pieces.append(text)
        self.token_count += 1
        return [text]

    # -- detection ---------------------------------------------------------------------------------------

    def _head_is_text(self, text: str) -> bool:
        """Whether the stream's first non-blank characters already rule out SSE and JSON."""
        head = self._head
        if len(head) >= _HEAD_CHARS:
            return False  # decided earlier: it may be SSE or JSON, the first line will tell
        head = (head + text)[:_HEAD_CHARS] if head else text.lstrip()[:_HEAD_CHARS]
        self._head = head
        if not head or head[0] in "{:":
            return False
        return not any(start.startswith(head) or head.startswith(start) for start in _SSE_STARTS)

    def _detect(self, values: list[Any], final: bool) -> list[str]:
        events = self._events
        if not values:
            if events is not None and events.done:  # `[DONE]` before any event: an empty OpenAI stream
                self._choose(StreamFormat.OPENAI)
            elif final:
                return self._become_text()
            return []
        fmt = _recognise(values[0], sse=isinstance(events, SSEDecoder))
        if fmt is None:
            return self._become_text()
        self._choose(fmt)
        return self._tokens(values)

    def _choose(self, fmt: StreamFormat) -> None:
        self.format = fmt
        self._token_text = _TOKEN_TEXT[fmt]
        self._held = None
        self._head = ""
        self._steady = self._events

    def _become_text(self) -> list[str]:
        held = self._held.take() if self._held is not None else ""
        self.format = StreamFormat.TEXT
        self._held = None
        self._lines = LineDecoder()  # drop the line and event state: from now on text passes straight through
        self._events = None
        return self._emit_text(held)

    # -- failures ----------------------------------------------------------------------------------------

    def _failure(self, failure: PayloadFailure, before: list[str]) -> StreamPayloadError:
        self._end(before)
        return StreamPayloadError(
            f"The model reported an error while streaming: {failure.detail}",
            hint="The endpoint accepted the request and started answering, then the container sent this "
            "error instead of more tokens. The text received before it is kept. The container's CloudWatch "
            "log usually has the cause (for example an input longer than the model allows).",
            code=failure.code,
            partial_text=self.text,
        )

    def _malformed(self, line: str, before: list[str]) -> StreamPayloadError:
        self._end(before)
        shown = line if len(line) <= _SHOWN_LINE_CHARS else line[:_SHOWN_LINE_CHARS] + "…"
        assert self.format is not None
        return StreamPayloadError(
            f"The {_LABELS[self.format]} stream sent a line that is not JSON: {shown!r}",
            hint="The container's stream does not follow the format it started with. If the endpoint streams "
            "plain text or another format, choose that format (or automatic detection) and try again.",
            code=MALFORMED_CODE,
            partial_text=self.text,
        )

    def _end(self, before: list[str]) -> None:
        self._pieces += before
        self.token_count += len(before)
        self._finished = True
        self._steady = None


def _first_significant(lines: list[str]) -> int | None:
    """Index of the first line that is not blank, not an SSE comment and not an SSE field other than data."""
    for index, line in enumerate(lines):
        if not line or line.isspace() or line[0] == ":":
            continue
        if line.startswith(("event:", "id:", "retry:")):
            continue
        return index
    return None


def _recognise(value: Any, sse: bool) -> StreamFormat | None:
    """The format a stream's first value shows, or None when it is not a known token shape."""
    if value.__class__ is not dict:
        return None
    if "token" in value:
        return StreamFormat.TGI if sse else StreamFormat.LMI
    if "choices" in value:
        return StreamFormat.OPENAI
    if "outputs" in value:
        return StreamFormat.LMI
    error = value.get("error")
    if error is not None or value.get("object") == "error":
        # An error before the first token still fails the stream; the formats read errors alike except
        # OpenAI's nested object, so pick the reader that understands this one.
        if error.__class__ is dict or value.get("object") == "error":
            return StreamFormat.OPENAI
        return StreamFormat.TGI if sse else StreamFormat.LMI
    return None

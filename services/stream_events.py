"""The event layer: lines -> JSON values, for the two ways LLM containers frame their stream.

- `SSEDecoder`: server-sent events (TGI, OpenAI-compatible servers, LMI with `output_formatter=sse`).
- `JSONLinesDecoder`: one JSON value per line (LMI's default `application/jsonlines`, LMI's vLLM chunks).

Both return parsed values in stream order. A payload that is not JSON does not raise here: it is returned as a
`Malformed` marker and the decoder stops there, so the values before it still reach the caller, who decides
whether that means "this is plain text after all" (format detection) or a failed stream (a known JSON format).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

_loads = json.loads
# json.loads is three Python calls and two regex matches around this C scanner; calling it directly is a large
# share of the per-event cost. Same parser, same options (strict, NaN allowed), so the same values.
_scan_once: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
DONE = "[DONE]"  # OpenAI-style end-of-stream marker, sent as an event's whole data


class Malformed:
    """A payload that is not JSON; `text` is the payload as received."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def parse_payload(text: str) -> Any:
    """The JSON value of `text` (exactly as `json.loads` would give it), or a `Malformed` marker. Never raises
    (deep nesting and over-long integers raise RecursionError and ValueError, not JSONDecodeError)."""
    try:
        value, end = _scan_once(text, 0)
    except (StopIteration, ValueError, RecursionError):
        return _parse_slowly(text)  # the scanner does not skip leading whitespace; json.loads decides
    if end != len(text) and not text[end:].isspace():
        return Malformed(text)  # a value followed by more: json.loads's "Extra data"
    return value


def _parse_slowly(text: str) -> Any:
    try:
        return _loads(text)
    except (ValueError, RecursionError):
        return Malformed(text)


def is_done(text: str) -> bool:
    """Whether a payload is the `[DONE]` marker (checked only after JSON parsing failed, off the hot path)."""
    return text.strip() == DONE


class SSEDecoder:
    """Lines -> JSON values of the `data` of server-sent events.

    `data:` with or without one space; several `data:` lines of one event are joined with `\\n`; a blank line
    ends an event; comment lines (`:`, e.g. TGI's keep-alives) and the `event:`, `id:`, `retry:` fields are
    ignored; `[DONE]` ends the stream and everything after it is ignored.

    Leniency: some servers (LMI with `output_formatter=sse`) put one JSON object per `data:` line with no
    blank line between events. When a second `data:` line arrives and the first one alone is complete JSON,
    the first is dispatched as its own event. This never changes the result of a valid strict stream (a
    complete JSON value followed by more data is not valid JSON) and it keeps such streams incremental.
    """

    def __init__(self) -> None:
        self._data: list[str] = []
        self._tried_split = False  # the first data line of the pending event already failed to parse alone
        self.done = False

    def decode(self, lines: list[str]) -> list[Any]:
        """The values of the events these lines completed."""
        out: list[Any] = []
        if self.done:
            return out
        data = self._data
        for line in lines:
            if not line:
                if not data:
                    continue
                if len(data) == 1 and not self._tried_split:  # the usual one-line event, inlined for speed
                    text = data.pop()
                    value = parse_payload(text)
                    if value.__class__ is not Malformed:
                        out.append(value)
                    elif not self._emit(text, out):
                        break
                elif not self._dispatch(out):
                    break
            elif line.startswith("data:"):
                payload = line[6:] if line.startswith(" ", 5) else line[5:]
                if len(data) == 1 and not self._tried_split and not self._split_first(out):
                    break
                data.append(payload)
            # Any other line is a comment or a field this decoder has no use for.
        return out

    def flush(self) -> list[Any]:
        """End of stream: an event still pending (the stream ended without its blank line) is dispatched."""
        out: list[Any] = []
        if self._data and not self.done:
            self._dispatch(out)
        return out

    def _dispatch(self, out: list[Any]) -> bool:
        """Move the pending event's value to `out`; False when the stream ended ([DONE] or malformed)."""
        data = self._data
        text = data[0] if len(data) == 1 else "\n".join(data)
        data.clear()
        self._tried_split = False
        return self._emit(text, out)

    def _split_first(self, out: list[Any]) -> bool:
        """A second data line arrived: dispatch the first alone if it is complete JSON (see the class)."""
        first = self._data[0]
        value = parse_payload(first)
        if value.__class__ is Malformed:
            if is_done(first):
                self._data.clear()
                self.done = True
                return False
            self._tried_split = True
            return True
        self._data.clear()
        out.append(value)
        return True

    def _emit(self, text: str, out: list[Any]) -> bool:
        value = parse_payload(text)
        if value.__class__ is Malformed:
            if is_done(text):
                self.done = True
                return False
            if not text or text.isspace():
                return True  # an event with empty data carries nothing
            out.append(value)
            self.done = True
            return False
        out.append(value)
        return True


class JSONLinesDecoder:
    """Lines -> JSON values, one per non-blank line. A `[DONE]` line ends the stream (tolerated for servers
    that send OpenAI chunks as JSON lines)."""

    def __init__(self) -> None:
        self.done = False

    def decode(self, lines: list[str]) -> list[Any]:
        """The values of these lines."""
        out: list[Any] = []
        if self.done:
            return out
        for line in lines:
            if not line or line.isspace():
                continue
            value = parse_payload(line)
            if value.__class__ is Malformed:
                self.done = True
                if not is_done(line):
                    out.append(value)
                break
            out.append(value)
        return out

    def flush(self) -> list[Any]:
        """Nothing is ever pending at this layer (the line layer holds the unfinished line)."""
        return []

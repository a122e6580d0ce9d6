"""A running request's text, pushed straight to the browser's instant card, ahead of any Streamlit run.

A Streamlit run that draws a token reaches the screen only after the browser has laid out the page's
elements again: ~100-150 ms on this page (docs/ARCHITECTURE.md). The instant card the Send button draws at
the click (components.request_actions) needs none of that: it opens one event stream to the app's own
server (serve.py's route) and writes what arrives into itself as text. So the first token, or a fast
model's whole answer, is on the screen a few milliseconds after the app process has it; the Streamlit card
takes over once it has caught up (the browser decides, see main.js).

    publish(click, invocation)   the run that took the click makes its request readable under the click's id
    find(click)                  the request published under that id, while it is kept (KEEP_S after its end)
    Feed(invocation).messages()  what is new since the last call, as server-sent-event messages

The click id is the Send button's nonce: 16+ random characters made in the browser at the click, known only
to the page that clicked (the route is same-origin; other sites cannot read it). The feed carries only what
the card itself shows: text and figures, never the request or credentials. Pure Python: no Streamlit here.
"""

from __future__ import annotations

import json
import re
import threading
import time
from typing import Any

from services.foreign_text import scrub
from services.invoker import RemoteInvocation
from services.output import decode_output, json_text
from services.results import InvocationResult, Status

KEEP_S = 60.0  # a request stays readable this long after it was published (a feed opens within ms)
MAX_FEEDS = 200  # published requests kept at most (the oldest go first)
MAX_TEXT = 20_000  # characters the instant card shows at most; the Streamlit card shows all
#: a bigger answer is laid out by the Streamlit card only (not on the server's event loop)
MAX_OUTPUT_BYTES = 256 * 1024
_CLICK = re.compile(r"[A-Za-z0-9_-]{16,64}")

_lock = threading.Lock()
_published: dict[str, tuple[RemoteInvocation, float]] = {}


def valid_click(click: str) -> bool:
    return bool(_CLICK.fullmatch(click))


def publish(click: str, invocation: RemoteInvocation) -> None:
    """Make `invocation` readable under `click` (ignored when the id is not one the browser makes)."""
    if not valid_click(click):
        return
    now = time.monotonic()
    with _lock:
        for old in [key for key, (_, at) in _published.items() if now - at > KEEP_S]:
            del _published[old]
        while len(_published) >= MAX_FEEDS:
            del _published[next(iter(_published))]
        _published[click] = (invocation, now)


def find(click: str) -> RemoteInvocation | None:
    with _lock:
        entry = _published.get(click)
    return None if entry is None else entry[0]


def message(data: dict[str, Any], event: str | None = None) -> bytes:
    """One server-sent event, always valid UTF-8 on one line: JSON escapes every line break inside a
    string, and a lone surrogate (which UTF-8 cannot carry) becomes U+FFFD, as the card would show it."""
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {scrub(json.dumps(data, ensure_ascii=False))}\n\n".encode()


class Feed:
    """What one instant card has been sent of one request; `messages()` gives what is new since."""

    def __init__(self, invocation: RemoteInvocation) -> None:
        self._invocation = invocation
        self._version = -1
        self._sent = 0  # characters of the streamed text sent
        self.ended = False

    def messages(self) -> bytes:
        """The news since the last call (b"" when there is none); the last one carries the end."""
        invocation = self._invocation
        if self.ended or invocation.version == self._version:
            return b""
        self._version = invocation.version
        snapshot = invocation.snapshot()
        out = b""
        text = snapshot.text if invocation.streamed else ""
        if len(text) > self._sent and self._sent < MAX_TEXT:
            out += message({"append": text[self._sent : MAX_TEXT]})
            self._sent = min(len(text), MAX_TEXT)
        if snapshot.result is not None:
            out += message(_ending(snapshot.result, streamed=invocation.streamed), "end")
            self.ended = True
        return out


def _ending(result: InvocationResult, *, streamed: bool) -> dict[str, Any]:
    """The end as the instant card shows it: status, Execution Length, the failure reason, and a
    non-streamed answer's text laid out as the Streamlit card lays it out (JSON indented; no images)."""
    ending: dict[str, Any] = {"status": result.status.value}
    if result.execution_ms is not None:
        ending["execution_ms"] = round(result.execution_ms)
    if result.error is not None:
        ending["reason"] = result.error.message
    if not streamed and result.status is Status.SUCCESS:
        output = _output_text(result)
        if output is not None:
            ending["output"] = output[:MAX_TEXT]
    return ending


def _output_text(result: InvocationResult) -> str | None:
    if len(result.body) > MAX_OUTPUT_BYTES:
        return None
    decoded = decode_output(result.body, result.content_type)
    if decoded.kind in ("json", "embedding"):  # an embedding's card keeps its JSON's text too
        source = result.body.decode("utf-8", "replace")
        return json_text(decoded.value, source)[0]
    if decoded.kind == "text":
        return str(decoded.value)
    if decoded.kind == "csv":
        return result.body.decode("utf-8", "replace")
    return None  # an image, bytes, nothing: the Streamlit card draws those

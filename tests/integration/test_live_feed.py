"""The live feed: what the browser's instant card reads of a request, over the real invoker and local server.

The feed's messages are the server-sent events serve.py's route writes; they are parsed here as a browser's
EventSource parses them (events split at a blank line, `event:` and `data:` fields)."""

from __future__ import annotations

import json
import re
import time
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from local_endpoints import LocalEndpoints
from services import live_feed
from services.connection import Connection
from services.foreign_text import scrub
from services.invoker import Invoker, RemoteInvocation
from services.results import InvocationRequest

CLICK = "mx7mjk9q-n4jt18al6n8jmw11"


def events(data: bytes) -> list[tuple[str, dict[str, Any]]]:
    """(event name, data) per event, as EventSource reads them: lines end at CR LF, CR or LF, a blank line
    ends an event ("message" when unnamed)."""
    parsed = []
    lines = re.split(r"\r\n|\r|\n", data.decode("utf-8"))
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line:
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    for block in blocks:
        if not block:
            continue
        name, payload = "message", ""
        for line in block:
            field, _, value = line.partition(": ")
            if field == "event":
                name = value
            elif field == "data":
                payload += value
        parsed.append((name, json.loads(payload)))
    return parsed


def read_all(invocation: RemoteInvocation, timeout: float = 20.0) -> list[tuple[str, dict[str, Any]]]:
    feed = live_feed.Feed(invocation)
    out = b""
    deadline = time.monotonic() + timeout
    while not feed.ended and time.monotonic() < deadline:
        out += feed.messages()
        time.sleep(0.002)
    assert feed.ended, "the feed did not end"
    return events(out)


def test_a_stream_arrives_as_its_text_in_order_then_its_end(
    invoker: Invoker, connection: Connection, server: LocalEndpoints
) -> None:
    server.token_delay = 0.01
    try:
        parameters = {"max_new_tokens": 12, "ignore_eos_token": True}
        body = {"inputs": "the sea is grey and", "parameters": parameters}
        request = InvocationRequest("demo-tgi-generator", json.dumps(body).encode())
        invocation = invoker.start(connection, request, stream=True)
        got = read_all(invocation)
    finally:
        server.token_delay = 0.0
    result = invocation.snapshot().result
    assert result is not None and result.text
    texts = [data["append"] for name, data in got if name == "message"]
    assert len(texts) >= 2, got  # it grows: more than one piece arrives before the end
    assert "".join(texts) == result.text
    name, ending = got[-1]
    assert name == "end" and ending["status"] == "Success"
    assert ending["execution_ms"] == round(result.execution_ms or 0)
    assert "output" not in ending  # a stream's text came as it arrived


def test_a_non_streamed_answer_comes_laid_out_as_the_card_shows_it(
    invoker: Invoker, connection: Connection
) -> None:
    request = InvocationRequest("demo-text-classifier", b'{"features": ["This is great!"]}')
    invocation = invoker.start(connection, request, stream=False)
    [(name, ending)] = read_all(invocation)
    result = invocation.snapshot().result
    assert result is not None
    assert name == "end" and ending["status"] == "Success"
    assert json.loads(ending["output"]) == json.loads(result.body)
    assert ending["output"].startswith("{\n  ")  # indented as the card's JSON view


def test_a_failure_ends_with_its_reason(invoker: Invoker, connection: Connection) -> None:
    request = InvocationRequest("demo-text-classifier", b'{"nothing": 1}')
    invocation = invoker.start(connection, request, stream=False)
    [(name, ending)] = read_all(invocation)
    result = invocation.snapshot().result
    assert result is not None and result.error is not None
    assert name == "end" and ending["status"] == "Failed"
    assert ending["reason"] == result.error.message
    assert "output" not in ending


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=()), max_size=200))  # surrogates too
def test_any_model_text_is_one_event_that_reads_back_as_itself(text: str) -> None:
    # Whatever a model streams (line ends of every kind, "data:" and "event:" lines, lone surrogates, NUL,
    # U+2028): one message per piece, read back as the text the card would show.
    chunk = live_feed.message({"append": text})
    chunk.decode("utf-8")  # always valid UTF-8 on the wire
    [(name, data)] = events(chunk)
    assert name == "message" and data == {"append": scrub(text)}


def test_hostile_text_travels_as_json_data_on_one_line() -> None:
    # A model's newlines, "data:" lines and blank lines cannot end an event or start a forged one.
    text = 'a\n\ndata: {"append": "forged"}\n\nevent: end\r\n<script>x</script>\ud800'
    chunk = live_feed.message({"append": text})
    assert chunk.count(b"\n\n") == 1 and chunk.endswith(b"\n\n")
    [(name, data)] = events(chunk)
    assert name == "message" and data["append"] == text.replace("\ud800", "\ufffd")


def test_only_ids_the_browser_makes_are_published_and_found(invoker: Invoker, connection: Connection) -> None:
    request = InvocationRequest("demo-text-classifier", b'{"features": ["ok"]}')
    invocation = invoker.start(connection, request, stream=False)
    live_feed.publish("short", invocation)
    live_feed.publish("../../etc", invocation)
    assert live_feed.find("short") is None and live_feed.find("../../etc") is None
    live_feed.publish(CLICK, invocation)
    assert live_feed.find(CLICK) is invocation
    assert live_feed.find(CLICK + "x") is None
    invocation.wait(20)

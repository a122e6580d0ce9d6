"""Streaming in a real browser: the text grows while the model generates, a broken stream keeps its text, Stop
keeps what arrived, and a 20,000-token answer arrives whole."""

from __future__ import annotations

import json
import re
import time

from playwright.sync_api import Locator, Page, expect

from local_endpoints import LocalEndpoints
from services.connection import Connection, build_clients
from services.invocation import invoke, stream
from services.results import InvocationRequest, Status
from tests.browser.helpers import (
    cards,
    fields,
    invocations,
    newest_card,
    output_text,
    pick_endpoint,
    replace_editor_text,
    send,
    status_of,
    wait_for_editor_json,
    wait_for_newest_output_longer_than,
    wait_for_status,
)


def _generation(tokens: int, prompt: str = "Tell me about gradient descent") -> dict[str, object]:
    # ignore_eos_token: the demo model would otherwise stop early at its end-of-sequence token.
    return {
        "inputs": prompt,
        "parameters": {"max_new_tokens": tokens, "temperature": 0, "ignore_eos_token": True},
        "stream": True,
    }


def _same_request_through_the_service(server: LocalEndpoints, body: dict[str, object]) -> str:
    clients = build_clients(Connection(kind="local", region="us-east-1", local_url=server.url))
    streaming = stream(clients, InvocationRequest("demo-tgi-generator", json.dumps(body).encode()))
    text = "".join(streaming)
    assert streaming.result.status == Status.SUCCESS
    return text


def _whole_answer(server: LocalEndpoints, body: dict[str, object]) -> str:
    """The same generation asked for in one piece (InvokeEndpoint): its generated_text."""
    clients = build_clients(Connection(kind="local", region="us-east-1", local_url=server.url))
    whole = {key: value for key, value in body.items() if key != "stream"}
    result = invoke(clients, InvocationRequest("demo-tgi-generator", json.dumps(whole).encode()))
    assert result.status == Status.SUCCESS
    return str(json.loads(result.body)[0]["generated_text"])


def _live_text(card: Locator) -> str:
    return output_text(card)


def _start_stream(page: Page, body: dict[str, object], *, slow: bool = True) -> Locator:
    """Send `body` to the generator; a `slow` stream is seen Pending first (a fast one may end at once)."""
    pick_endpoint(page, "demo-tgi-generator")
    wait_for_editor_json(page, "value.stream === true")
    replace_editor_text(page, json.dumps(body, indent=2))
    send(page)
    expect(cards(page)).to_have_count(1)
    card = newest_card(page)
    if slow:
        expect(status_of(card, "pending")).to_have_count(1)
    return card


def _wait_for_longer_text(page: Page, card: Locator, than: str) -> str:
    """Wait until the newest card shows more text than `than` (and the same beginning)."""
    wait_for_newest_output_longer_than(page, len(than))
    text = _live_text(card)
    assert text.startswith(than), "the live text must grow at its end, from the first word on"
    return text


def test_a_stream_grows_in_its_card_and_ends_with_the_whole_text(page: Page, server: LocalEndpoints):
    body = _generation(100)
    server.token_delay = 0.02  # about 2 s of generation: room to watch it grow
    card = _start_stream(page, body)

    first = _wait_for_longer_text(page, card, "")
    second = _wait_for_longer_text(page, card, first)
    expect(status_of(card, "pending")).to_have_count(1)  # both seen before the end
    assert first and second != first

    wait_for_status(card, "success")
    server.token_delay = 0
    expected = _same_request_through_the_service(server, body)
    final = _live_text(card)
    assert final == expected
    assert final.startswith(second)
    seen = fields(card)
    assert seen["Tokens"] == "100"
    assert re.fullmatch(r"[\d,]+", seen["Time to first token (ms)"]), seen
    assert float(seen["Tokens per second"].replace(",", "")) > 0
    assert invocations(server)[0].operation == "InvokeEndpointWithResponseStream"
    assert invocations(server)[0].body == json.dumps(body, indent=2).encode()


def test_a_broken_stream_keeps_its_partial_text_and_shows_the_failure(page: Page, server: LocalEndpoints):
    server.inject_fault("demo-tgi-generator", break_stream_after=12, stream_error="ModelStreamError")
    card = _start_stream(page, _generation(100), slow=False)
    wait_for_status(card, "failed")

    expect(card).to_contain_text("Output received before the stream ended")
    partial = _live_text(card)
    assert partial.strip(), "the text that arrived before the break is kept"
    server.reset()
    whole = _same_request_through_the_service(server, _generation(100))
    assert whole.startswith(partial) and len(partial) < len(whole)
    expect(card.get_by_role("alert")).to_contain_text("Failure Reason · ModelStreamError")


def test_stop_ends_a_slow_stream_and_keeps_what_arrived(page: Page, server: LocalEndpoints):
    server.token_delay = 0.05  # 400 tokens would take 20 s
    card = _start_stream(page, _generation(400))
    _wait_for_longer_text(page, card, "")
    started = time.monotonic()
    card.locator('[class*="st-key-stop-"] button').click()
    wait_for_status(card, "stopped")
    assert time.monotonic() - started < 5

    kept = _live_text(card)
    assert kept.strip()
    tokens = int(fields(card)["Tokens"].replace(",", ""))
    assert 0 < tokens < 400


def test_a_twenty_thousand_token_answer_arrives_whole_and_promptly(page: Page, server: LocalEndpoints):
    server.token_delay = 0
    body = _generation(20_000, "Go on")
    card = _start_stream(page, body)
    started = time.monotonic()
    # Generous: the local server's own pace on a busy machine varies a lot (bench/ measures it precisely);
    # what matters here is that the page neither stalls nor loses text.
    wait_for_status(card, "success", timeout=90)
    elapsed = time.monotonic() - started
    assert fields(card)["Tokens"] == "20,000"
    assert _live_text(card) == _whole_answer(server, body)
    print(f"20,000 tokens shown whole {elapsed:.2f} s after the card appeared")

"""RunningInvocation: an invoke or a stream in a worker thread, polled like the UI polls it."""

from __future__ import annotations

import json
import time

import pytest

from local_endpoints import LocalEndpoints
from services import errors
from services.connection import Clients
from services.results import InvocationRequest, Status
from services.running import RunningInvocation

GENERATE = json.dumps(
    {
        "inputs": "Tell me about the sea",
        "parameters": {"max_new_tokens": 30, "ignore_eos_token": True},
        "stream": True,
    }
)


@pytest.fixture
def paced(server: LocalEndpoints):  # type: ignore[no-untyped-def]
    before = server.token_delay
    server.token_delay = 0.03
    yield
    server.token_delay = before


def generation() -> InvocationRequest:
    return InvocationRequest(endpoint_name="demo-tgi-generator", body=GENERATE.encode())


def test_a_stream_can_be_polled_while_it_runs(clients: Clients, paced: None) -> None:
    running = RunningInvocation.start(clients, generation(), stream=True)
    seen: list[tuple[str, int]] = []
    while not running.done:
        snapshot = running.snapshot()
        assert snapshot.status is Status.PENDING or snapshot.result is not None
        seen.append((snapshot.text, snapshot.pieces))
        time.sleep(0.05)
    final = running.snapshot()
    assert final.result is not None and final.status is Status.SUCCESS
    assert final.text == final.result.text and final.pieces == final.result.stream.token_count  # type: ignore[union-attr]
    growing = [text for text, _ in seen if text]
    assert final.pieces == 30
    assert any(len(text) < len(final.text) for text in growing)  # text arrived while the worker ran
    assert all(final.text.startswith(text) for text in growing)


def test_stop_ends_a_running_stream_and_keeps_its_text(clients: Clients, paced: None) -> None:
    running = RunningInvocation.start(clients, generation(), stream=True)
    deadline = time.monotonic() + 10
    while running.snapshot().pieces < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    running.stop()
    assert running.wait(5)
    final = running.snapshot()
    assert final.status is Status.STOPPED
    assert final.result is not None and final.result.text == final.text
    assert 3 <= final.pieces < 30


def test_an_invoke_runs_in_the_background(clients: Clients) -> None:
    request = InvocationRequest(
        endpoint_name="demo-text-classifier", body=b'{"features": ["This is great!"]}'
    )
    running = RunningInvocation.start(clients, request, stream=False)
    assert running.wait(10)
    snapshot = running.snapshot()
    assert snapshot.status is Status.SUCCESS
    assert snapshot.result is not None and json.loads(snapshot.result.body)
    assert (snapshot.text, snapshot.pieces) == ("", 0)


def test_a_failure_is_a_finished_failed_snapshot(server: LocalEndpoints, clients: Clients) -> None:
    server.inject_fault("demo-tgi-generator", break_stream_after=2)
    running = RunningInvocation.start(clients, generation(), stream=True)
    assert running.wait(10)
    snapshot = running.snapshot()
    assert snapshot.status is Status.FAILED
    assert snapshot.result is not None and isinstance(snapshot.result.error, errors.ModelStreamError)
    assert snapshot.pieces == 2 and snapshot.text == snapshot.result.error.partial_text


def test_stop_before_the_worker_reads_anything(clients: Clients, paced: None) -> None:
    running = RunningInvocation.start(clients, generation(), stream=True)
    running.stop()
    assert running.wait(5)
    assert running.join(5)  # no request of this test may still be on its way when the next test starts
    assert running.snapshot().status in (Status.STOPPED, Status.SUCCESS)
    assert running.snapshot().status is Status.STOPPED or running.snapshot().pieces == 30


def test_the_listener_hears_of_every_piece_and_once_of_the_end(clients: Clients) -> None:
    heard: list[tuple[int, bool]] = []
    running = RunningInvocation.start(
        clients, generation(), stream=True, on_change=lambda r: heard.append((r.snapshot().pieces, r.done))
    )
    assert running.wait(10) and running.join(5)
    ends = [entry for entry in heard if entry[1]]
    assert len(ends) == 1 and heard[-1] == ends[0]  # the end, once, last
    pieces = [count for count, _ in heard[:-1]]
    assert pieces == sorted(pieces) and pieces[-1] == 30  # one call per piece, in order


def test_a_listener_that_raises_does_not_end_the_invocation(clients: Clients) -> None:
    def broken(_: RunningInvocation) -> None:
        raise RuntimeError("listener bug")

    running = RunningInvocation.start(clients, generation(), stream=True, on_change=broken)
    assert running.wait(10)
    assert running.snapshot().status is Status.SUCCESS and running.snapshot().pieces == 30

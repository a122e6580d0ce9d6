"""The invoker: invocations in a child process of their own, over real boto3 to the local server.

Every test goes through a real child process (`python -m services.invoker_child`) and real HTTP: what crosses
the pipe (results, errors, live stream figures) is what the page gets.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Iterator

import pytest

from local_endpoints import LocalEndpoints
from services import errors
from services.connection import Connection, aws_connection
from services.invoker import Invoker, RemoteInvocation
from services.results import InvocationRequest, InvocationResult, Status


@pytest.fixture
def paced(server: LocalEndpoints) -> Iterator[None]:
    before = server.token_delay
    server.token_delay = 0.02
    yield
    server.token_delay = before


def classify(text: str = "This is great!") -> InvocationRequest:
    return InvocationRequest("demo-text-classifier", json.dumps({"features": [text]}).encode())


def generation(tokens: int = 40) -> InvocationRequest:
    parameters = {"max_new_tokens": tokens, "ignore_eos_token": True}
    body = {"inputs": "Tell me about the sea", "parameters": parameters, "stream": True}
    return InvocationRequest("demo-tgi-generator", json.dumps(body).encode())


def finished(handle: RemoteInvocation, timeout: float = 20.0) -> InvocationResult:
    assert handle.wait(timeout), "the invocation did not end"
    result = handle.snapshot().result
    assert result is not None
    return result


def test_a_call_comes_back_whole_with_its_own_timing(invoker: Invoker, connection: Connection, server):
    ended: list[InvocationResult] = []
    handle = invoker.start(connection, classify(), stream=False, on_end=ended.append)
    result = finished(handle)
    assert result.status is Status.SUCCESS
    assert json.loads(result.body)["predictions"][0]["label"] == "positive"
    assert result.request_id and result.invoked_variant == "AllTraffic" and result.attempts == 1
    assert result.execution_ms is not None and 0 < result.execution_ms < 10_000
    [request] = [r for r in server.requests() if r.operation == "InvokeEndpoint"]
    assert request.body == classify().body
    assert ended == [result]


def test_a_stream_reports_its_text_and_figures_while_it_runs(
    invoker: Invoker, connection: Connection, paced: None
):
    handle = invoker.start(connection, generation(40), stream=True)
    seen = {handle: handle.version}
    views = []
    while not handle.done:
        if invoker.wait_for_news(seen, 5.0):
            views.append(handle.snapshot())
            seen = {handle: handle.version}
    result = finished(handle)
    growing = [view for view in views if view.result is None and view.text]
    assert len(growing) >= 5, "the text did not arrive in several updates"
    assert all(result.text.startswith(view.text) for view in growing)
    live = growing[-1].stats
    assert live is not None and live.time_to_first_token_ms is not None and live.token_count > 1
    assert live.last_token_ms is not None and live.last_token_ms >= live.time_to_first_token_ms
    assert live.tokens_per_second(None) is None  # no total: ITL needs one
    assert live.tokens_per_second(live.last_token_ms) is not None
    assert result.status is Status.SUCCESS and result.stream is not None
    assert result.stream.token_count == 40
    assert result.stream.time_to_first_token_ms == pytest.approx(growing[0].stats.time_to_first_token_ms)


def test_stop_ends_a_stream_and_keeps_what_arrived(invoker: Invoker, connection: Connection, paced: None):
    handle = invoker.start(connection, generation(2000), stream=True)
    deadline = time.monotonic() + 10
    while handle.snapshot().pieces < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    handle.stop()
    result = finished(handle, timeout=5)
    assert result.status is Status.STOPPED
    assert result.text and result.stream is not None and 3 <= result.stream.token_count < 2000


def test_a_stop_sent_with_the_request_ends_it_before_any_text(invoker: Invoker, connection: Connection):
    handle = invoker.start(connection, generation(2000), stream=True)
    handle.stop()
    result = finished(handle, timeout=5)
    assert result.status is Status.STOPPED
    assert len(result.text) < 2000  # stopped at once, not at the end of 2,000 tokens


def test_errors_cross_the_process_with_every_field(invoker: Invoker, connection: Connection, server):
    server.inject_fault("demo-text-classifier", model_error_status=503, model_error_message="GPU fell off")
    result = finished(invoker.start(connection, classify(), stream=False))
    assert result.status is Status.FAILED
    error = result.error
    assert isinstance(error, errors.ModelError)
    assert (error.code, error.http_status, error.original_status) == ("ModelError", 424, 503)
    assert error.original_message == "GPU fell off" and error.request_id == result.request_id
    assert "CloudWatch" in error.hint or error.log_url


def test_a_connection_that_cannot_be_built_fails_its_request_and_not_the_process(
    invoker: Invoker, connection: Connection
):
    nowhere = aws_connection("no-such-profile-anywhere", "eu-west-1")
    result = finished(invoker.start(nowhere, classify(), stream=False))
    assert result.status is Status.FAILED and isinstance(result.error, errors.SetupError)
    assert finished(invoker.start(connection, classify(), stream=False)).status is Status.SUCCESS


def test_many_requests_at_once_each_get_their_own_result(invoker: Invoker, connection: Connection):
    texts = [f"request number {n}" for n in range(12)]
    handles = [invoker.start(connection, classify(text), stream=n % 3 == 0) for n, text in enumerate(texts)]
    for handle, text in zip(handles, texts, strict=True):
        result = finished(handle)
        assert result.request.body == classify(text).body
        assert result.status is Status.SUCCESS, result.error


def test_on_end_is_called_once_even_when_nobody_looks(invoker: Invoker, connection: Connection, paced: None):
    calls: list[InvocationResult] = []
    done = threading.Event()

    def on_end(result: InvocationResult) -> None:
        calls.append(result)
        done.set()

    invoker.start(connection, generation(20), stream=True, on_end=on_end)  # the handle is dropped at once
    assert done.wait(20)
    time.sleep(0.2)
    assert len(calls) == 1 and calls[0].status is Status.SUCCESS


def test_wait_for_endings_returns_once_the_ended_requests_are_saved(invoker: Invoker, connection: Connection):
    saved: list[InvocationResult] = []
    saving = threading.Event()

    def slow_save(result: InvocationResult) -> None:
        saving.set()
        time.sleep(0.3)  # a slow disk: the card already shows the end
        saved.append(result)

    handle = invoker.start(connection, classify(), stream=False, on_end=slow_save)
    assert handle.wait(10) and saving.wait(5)
    assert not invoker.wait_for_endings(timeout=0.01) and saved == []  # ended, not saved yet
    assert invoker.wait_for_endings(timeout=5)
    assert len(saved) == 1


def test_a_child_that_dies_fails_its_requests_keeping_their_text_and_the_next_starts_a_new_one(
    connection: Connection, paced: None
):
    invoker = Invoker()
    try:
        handle = invoker.start(connection, generation(2000), stream=True)
        deadline = time.monotonic() + 10
        while handle.snapshot().pieces < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        first_child = invoker.pid
        assert first_child is not None
        os.kill(first_child, signal.SIGKILL)
        result = finished(handle, timeout=10)
        assert result.status is Status.FAILED and isinstance(result.error, errors.StreamError)
        assert result.error.code == "InvokerLost" and "exit code" in result.error.message
        assert result.text and result.error.partial_text == result.text
        again = finished(invoker.start(connection, classify(), stream=False))
        assert again.status is Status.SUCCESS and invoker.pid != first_child
    finally:
        invoker.close()


def test_a_process_that_cannot_start_fails_the_request_and_not_the_page(connection: Connection):
    invoker = Invoker(python="/nonexistent/python")
    try:
        ended: list[InvocationResult] = []
        result = finished(invoker.start(connection, classify(), stream=False, on_end=ended.append), timeout=5)
        assert result.status is Status.FAILED and result.error is not None
        assert result.error.code == "InvokerLost" and "could not be started" in result.error.message
        assert ended == [result]
    finally:
        invoker.close()

"""Acceptance: a background invocation always ends with a result — on a bug, on a stop before SageMaker
answers, and a stop after the end changes nothing. Real boto3 over HTTP to the local server."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

from local_endpoints import LocalEndpoints
from services import errors, invocation
from services.connection import Clients, Connection, build_clients
from services.invocation import stream
from services.results import InvocationRequest, Status
from services.running import RunningInvocation
from services.streaming import TokenDecoder

TOKENS = 20


@pytest.fixture(scope="module")
def clients(local_server: LocalEndpoints) -> Clients:
    return build_clients(Connection(kind="local", region="us-east-1", local_url=local_server.url))


def generation(tokens: int = TOKENS) -> InvocationRequest:
    parameters = {"max_new_tokens": tokens, "ignore_eos_token": True}
    body = {"inputs": "Tell me about the sea", "parameters": parameters, "stream": True}
    return InvocationRequest(endpoint_name="demo-tgi-generator", body=json.dumps(body).encode())


class BrokenDecoder(TokenDecoder):
    """A decoder with a bug that shows on the fifth part (the server sends one token per part)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.parts = 0

    def decode(self, part: bytes) -> list[str]:
        self.parts += 1
        if self.parts == 5:
            raise KeyError("a decoder bug")
        return super().decode(part)


@pytest.fixture
def broken_decoder(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(invocation, "TokenDecoder", BrokenDecoder)
    yield


def test_a_bug_in_an_invoke_worker_is_a_failed_result(clients: Clients) -> None:
    request = InvocationRequest(endpoint_name="demo-text-classifier", body=None)  # type: ignore[arg-type]
    running = RunningInvocation.start(clients, request, stream=False)
    assert running.wait(5)
    snapshot = running.snapshot()
    assert snapshot.status is Status.FAILED
    assert snapshot.result is not None and snapshot.result.error is not None
    assert snapshot.result.error.message.startswith("Unexpected error: TypeError: ")
    assert snapshot.result.error.hint == "This is a bug in the app."


def test_a_bug_mid_stream_is_a_failed_result_keeping_every_piece(
    clients: Clients, broken_decoder: None
) -> None:
    streaming = stream(clients, generation())
    pieces = list(streaming)  # ends, does not raise
    result = streaming.result
    assert len(pieces) == 4
    assert result.status is Status.FAILED
    error = result.error
    assert isinstance(error, errors.StreamError)
    assert (error.code, error.message) == ("UnexpectedError", "Unexpected error: KeyError: 'a decoder bug'")
    assert error.partial_text == result.text == "".join(pieces)
    assert result.request_id and result.stream is not None and result.stream.parts == 5


def test_a_bug_mid_stream_in_a_worker_keeps_the_text(clients: Clients, broken_decoder: None) -> None:
    running = RunningInvocation.start(clients, generation(), stream=True)
    assert running.wait(10)
    snapshot = running.snapshot()
    assert snapshot.status is Status.FAILED and snapshot.pieces == 4
    assert snapshot.result is not None and isinstance(snapshot.result.error, errors.StreamError)
    assert snapshot.text == snapshot.result.error.partial_text != ""


def test_stop_before_sagemaker_answers_ends_at_once(server: LocalEndpoints, clients: Clients) -> None:
    server.inject_fault("demo-tgi-generator", delay_ms=4000)  # the answer's headers come 4 s late
    running = RunningInvocation.start(clients, generation(), stream=True)
    deadline = time.monotonic() + 5
    while not server.requests() and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.1)  # the worker now waits inside the call
    started = time.perf_counter()
    running.stop()
    assert running.wait(3)
    assert time.perf_counter() - started < 2.0  # not the 4 s of the answer (a margin for a loaded machine)
    snapshot = running.snapshot()
    assert (snapshot.status, snapshot.text, snapshot.pieces) == (Status.STOPPED, "", 0)
    result = snapshot.result
    assert result is not None and result.error is None and result.attempts == 1
    assert result.execution_ms is not None and 100 <= result.execution_ms < 4000  # up to the stop
    assert result.returned_at is not None and result.requested_at <= result.returned_at
    assert not running.join(0.2)  # the worker still waits for the answer ...
    assert running.join(10)  # ... and ends once it came, closing it
    assert running.snapshot().result is result  # the stop's result stays


def test_stop_after_the_end_changes_nothing(clients: Clients) -> None:
    running = RunningInvocation.start(clients, generation(tokens=5), stream=True)
    assert running.wait(10)
    before = running.snapshot()
    running.stop()
    after = running.snapshot()
    assert before.status is after.status is Status.SUCCESS
    assert after.result is before.result and after.text == before.text and after.pieces == 5

    streaming = stream(clients, generation(tokens=3))
    list(streaming)
    finished = streaming.result
    streaming.stop()
    assert streaming.result is finished and finished.status is Status.SUCCESS

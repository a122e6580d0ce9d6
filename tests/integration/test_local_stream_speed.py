"""Streaming at full speed (token delay 0): parts are pulled and written several at a time, yet every model
part is still its own PayloadPart, in order, the first goes out at once, faults and failures land on the exact
part, and the server keeps answering other requests meanwhile. Behaviour only: timings are compared with each
other, never with a fixed budget."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.exceptions import EventStreamError

from local_endpoints import LocalEndpoints
from local_endpoints.eventstream import internal_stream_failure, model_stream_error, payload_part
from local_endpoints.models import TextGenerator
from local_endpoints.models.base import ModelInputError
from local_endpoints.part_batches import pull_batch

LONG = 20_000


def generation(tokens: int) -> bytes:
    parameters = {"max_new_tokens": tokens, "ignore_eos_token": True, "seed": 5, "temperature": 0.8}
    return json.dumps({"inputs": "The river", "parameters": parameters, "stream": True}).encode()


def timed_parts(
    client: Any, endpoint: str, body: bytes, first_arrived: threading.Event | None = None
) -> tuple[list[bytes], list[float]]:
    """The PayloadPart bytes of one stream and when each arrived (seconds after the call was made);
    `first_arrived` is set once the first part is in."""
    sent = time.perf_counter()
    response = client.invoke_endpoint_with_response_stream(
        EndpointName=endpoint, Body=body, ContentType="application/json"
    )
    parts: list[bytes] = []
    arrivals: list[float] = []
    for event in response["Body"]:
        assert list(event) == ["PayloadPart"]
        parts.append(event["PayloadPart"]["Bytes"])
        arrivals.append(time.perf_counter() - sent)
        if first_arrived is not None:
            first_arrived.set()
    return parts, arrivals


def test_every_token_is_its_own_payload_part_in_order(server: LocalEndpoints, runtime_client: Any) -> None:
    server.token_delay = 0
    body = generation(LONG)
    parts, arrivals = timed_parts(runtime_client, "demo-tgi-generator", body)
    expected = list(TextGenerator(style="tgi").stream(body, "application/json", None).parts)
    assert len(parts) == LONG
    assert parts == expected  # part for part, byte for byte: batching never merges or splits a part
    events = [json.loads(part.removeprefix(b"data:")) for part in parts]
    assert [event["index"] for event in events] == list(range(1, LONG + 1))
    assert "".join(event["token"]["text"] for event in events) == events[-1]["generated_text"]
    assert arrivals[0] < arrivals[-1] / 4  # the first part is not held back for a batch


def test_with_a_delay_the_first_part_arrives_long_before_the_last(
    server: LocalEndpoints, runtime_client: Any
) -> None:
    server.token_delay = 0.01
    parts, arrivals = timed_parts(runtime_client, "demo-lmi-generator", generation(40))
    assert len(parts) == 40
    assert arrivals[-1] >= 39 * 0.01
    assert arrivals[0] < arrivals[-1] / 4


def test_full_speed_streams_and_calls_share_the_server(
    server: LocalEndpoints, boto3_clients: Callable[..., Any]
) -> None:
    server.token_delay = 0
    client = boto3_clients(max_pool_connections=3)
    arrivals: dict[str, list[float]] = {}
    first_part = threading.Event()

    def read(endpoint: str) -> None:
        _, arrivals[endpoint] = timed_parts(client, endpoint, generation(LONG), first_part)

    started = time.perf_counter()
    threads = [threading.Thread(target=read, args=(e,)) for e in ("demo-tgi-generator", "demo-lmi-generator")]
    for thread in threads:
        thread.start()
    assert first_part.wait(10)  # a stream is under way
    classified = client.invoke_endpoint(
        EndpointName="demo-text-classifier", Body=b'{"features": ["Fast!"]}', ContentType="application/json"
    )["Body"].read()
    answered = time.perf_counter() - started
    for thread in threads:
        thread.join(timeout=60)
    tgi, lmi = arrivals["demo-tgi-generator"], arrivals["demo-lmi-generator"]
    assert len(tgi) == len(lmi) == LONG
    assert classified
    # both streams progress together, and a plain call is answered while they run, not after them
    assert max(tgi[0], lmi[0]) < min(tgi[-1], lmi[-1]) / 2
    assert answered < min(tgi[-1], lmi[-1])


def test_an_injected_break_lands_on_the_exact_part(server: LocalEndpoints, runtime_client: Any) -> None:
    server.token_delay = 0
    server.inject_fault("demo-tgi-generator", break_stream_after=100)  # not a batch boundary
    response = runtime_client.invoke_endpoint_with_response_stream(
        EndpointName="demo-tgi-generator", Body=generation(1000), ContentType="application/json"
    )
    parts = []
    with pytest.raises(EventStreamError) as raised:
        for event in response["Body"]:
            parts.append(event["PayloadPart"]["Bytes"])
    response["Body"].close()
    assert len(parts) == 100
    assert raised.value.response["Error"]["Code"] == "ModelStreamError"
    assert raised.value.response["Error"]["Message"] == "Injected stream break after 100 parts."


def failing_after(count: int, error: Exception) -> Iterator[bytes]:
    for index in range(count):
        yield f"part {index}".encode()
    raise error


@pytest.mark.parametrize(
    ("error", "event"),
    [
        (ModelInputError(400, "bad token"), model_stream_error("bad token", "StreamBroken")),
        (RuntimeError("boom"), internal_stream_failure("RuntimeError: boom")),
    ],
)
def test_a_batch_keeps_the_parts_before_a_model_failure(error: Exception, event: bytes) -> None:
    batch = pull_batch(failing_after(3, error), max_parts=64)
    assert batch.messages == b"".join(payload_part(f"part {i}".encode()) for i in range(3))
    assert (batch.count, batch.ended, batch.error) == (3, True, event)


def test_a_batch_stops_at_its_size_and_at_the_end() -> None:
    parts = iter([b"a", b"b", b"c"])
    first = pull_batch(parts, max_parts=2)
    assert (first.messages, first.count, first.ended) == (payload_part(b"a") + payload_part(b"b"), 2, False)
    rest = pull_batch(parts, max_parts=2)
    assert (rest.messages, rest.count, rest.ended, rest.error) == (payload_part(b"c"), 1, True, None)

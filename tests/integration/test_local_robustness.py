"""The server under real-world use: concurrent streams, clients that go away, pooled connections, odd names,
stopping with a stream in progress, and an embedding app's terminal left alone."""

from __future__ import annotations

import json
import logging
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError, EventStreamError

from local_endpoints import LocalEndpoints

ROOT = Path(__file__).resolve().parents[2]
CLASSIFIER_REQUEST = b'{"features": ["This is great!"]}'


def generation(tokens: int) -> bytes:
    parameters = {"max_new_tokens": tokens, "ignore_eos_token": True}
    return json.dumps({"inputs": "The river", "parameters": parameters, "stream": True}).encode()


def established_connections(port: int) -> set[str]:
    """The local addresses of open client-side TCP connections to 127.0.0.1:port (Linux's /proc/net/tcp).

    A set of addresses rather than a count: a connection an earlier test left idle may close meanwhile (the
    server's keep-alive timeout), which must not look like this test's connection going away."""
    rows = [line.split() for line in Path("/proc/net/tcp").read_text().splitlines()[1:]]
    return {row[1] for row in rows if row[2] == f"0100007F:{port:04X}" and row[3] == "01"}


def test_two_streams_run_side_by_side(server: LocalEndpoints, boto3_clients: Callable[..., Any]) -> None:
    server.token_delay = 0.02
    client = boto3_clients(max_pool_connections=2)
    arrivals: dict[str, list[float]] = {}
    started = time.perf_counter()

    def read(endpoint: str) -> None:
        response = client.invoke_endpoint_with_response_stream(
            EndpointName=endpoint, Body=generation(30), ContentType="application/json"
        )
        arrivals[endpoint] = [time.perf_counter() - started for _ in response["Body"]]

    threads = [threading.Thread(target=read, args=(e,)) for e in ("demo-tgi-generator", "demo-lmi-generator")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    tgi, lmi = arrivals["demo-tgi-generator"], arrivals["demo-lmi-generator"]
    assert len(tgi) == len(lmi) == 30
    # each stream is paced (29 gaps of 20 ms), and they overlap instead of queueing one behind the other
    assert min(tgi[-1], lmi[-1]) >= 29 * 0.02
    assert max(tgi[0], lmi[0]) < min(tgi[-1], lmi[-1]) / 2
    assert max(tgi[-1], lmi[-1]) < 1.5 * 29 * 0.02 + 0.5


def test_a_client_leaving_mid_stream_is_not_an_error(
    server: LocalEndpoints, runtime_client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    server.token_delay = 0.01
    with caplog.at_level(logging.WARNING):
        response = runtime_client.invoke_endpoint_with_response_stream(
            EndpointName="demo-tgi-generator", Body=generation(500), ContentType="application/json"
        )
        events = iter(response["Body"])
        next(events), next(events)
        response["Body"].close()  # the client goes away with most of the answer unsent
        time.sleep(0.3)
        answer = runtime_client.invoke_endpoint(
            EndpointName="demo-text-classifier", Body=CLASSIFIER_REQUEST, ContentType="application/json"
        )
        assert answer["Body"].read()
    assert [record.getMessage() for record in caplog.records] == []


def test_pooled_connections_are_kept_alive(server: LocalEndpoints, runtime_client: Any) -> None:
    before = established_connections(server.port)
    for _ in range(3):
        runtime_client.invoke_endpoint(
            EndpointName="demo-text-classifier", Body=CLASSIFIER_REQUEST, ContentType="application/json"
        )["Body"].read()
        response = runtime_client.invoke_endpoint_with_response_stream(
            EndpointName="demo-lmi-generator", Body=generation(4), ContentType="application/json"
        )
        assert len(list(response["Body"])) == 4
        with pytest.raises(ClientError):
            runtime_client.invoke_endpoint(EndpointName="missing", Body=b"{}", ContentType="application/json")
    opened = established_connections(server.port) - before
    assert len(opened) == 1  # nine calls, one new connection, still open


@pytest.mark.parametrize(
    "name",
    ["café-model", "模型", "name/with/slashes", "demo-text-classifier/../demo-ab-test", "%2F", "a" * 64],
)
def test_names_sagemaker_would_refuse_are_validation_errors(
    server: LocalEndpoints, runtime_client: Any, name: str
) -> None:
    for call in (runtime_client.invoke_endpoint, runtime_client.invoke_endpoint_with_response_stream):
        with pytest.raises(ClientError) as raised:
            call(EndpointName=name, Body=CLASSIFIER_REQUEST, ContentType="application/json")
        assert raised.value.response["Error"] == {
            "Code": "ValidationError",
            "Message": f"1 validation error detected: Value '{name}' at 'endpointName' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9])*",
        }
    assert [(r.operation, r.endpoint_name) for r in server.requests()] == [
        ("InvokeEndpoint", name),
        ("InvokeEndpointWithResponseStream", name),
    ]


def test_stopping_ends_a_stream_in_progress_with_a_stream_error(boto3_clients: Callable[..., Any]) -> None:
    own = LocalEndpoints(port=0, token_delay=0.05).start()
    try:
        client = boto3_clients(url=own.url)
        response = client.invoke_endpoint_with_response_stream(
            EndpointName="demo-tgi-generator", Body=generation(200), ContentType="application/json"
        )
        events = iter(response["Body"])
        next(events)
        stopping = time.perf_counter()
        threading.Timer(0.05, own.stop).start()
        with pytest.raises(EventStreamError) as raised:
            for _ in events:
                pass
        response["Body"].close()  # botocore stops reading at the error event; release the connection
        assert raised.value.response["Error"] == {
            "Code": "InternalStreamFailure",
            "Message": "The local SageMaker server is shutting down.",
        }
        assert time.perf_counter() - stopping < 1
    finally:
        own.stop()


EMBEDDED_USE = """
import json, socket, sys, threading, time
import boto3
from botocore.exceptions import EventStreamError
from local_endpoints import LocalEndpoints

server = LocalEndpoints(port=0, token_delay=0.05).start()
with socket.create_connection(("127.0.0.1", server.port)) as sock:  # not HTTP at all
    sock.sendall(b"GARBAGE\\r\\n\\r\\n")
    sock.recv(1000)
client = boto3.client("sagemaker-runtime", endpoint_url=server.url, region_name="us-east-1",
                      aws_access_key_id="local", aws_secret_access_key="local")
body = json.dumps({"inputs": "Rain", "parameters": {"max_new_tokens": 300, "ignore_eos_token": True}})
gone = client.invoke_endpoint_with_response_stream(EndpointName="demo-tgi-generator", Body=body.encode(),
                                                  ContentType="application/json")
next(iter(gone["Body"]))
gone["Body"].close()  # a client leaving mid-stream
running = client.invoke_endpoint_with_response_stream(EndpointName="demo-tgi-generator", Body=body.encode(),
                                                  ContentType="application/json")
next(iter(running["Body"]))
server.stop()  # with a stream in progress
try:
    list(running["Body"])
except EventStreamError:
    pass
"""


def test_embedded_use_prints_nothing_to_the_apps_terminal() -> None:
    result = subprocess.run(
        [sys.executable, "-c", EMBEDDED_USE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def _other_interface_address() -> str | None:
    """An IPv4 address of this machine that is not loopback, if it has one (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: a UDP connect only picks the outgoing interface
        except OSError:
            return None
        address = str(probe.getsockname()[0])
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def test_cannot_be_reached_on_another_interface(server: LocalEndpoints) -> None:
    address = _other_interface_address()
    if address is None:
        pytest.skip("this machine has no IPv4 address besides loopback")
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((address, server.port), timeout=2).close()
    socket.create_connection(("127.0.0.1", server.port), timeout=2).close()


def test_the_request_log_keeps_its_memory_bounded(server: LocalEndpoints, runtime_client: Any) -> None:
    image = b"\x89PNG" + b"\0" * (6 * 1024 * 1024 - 4)  # the largest body SageMaker takes
    for _ in range(11):  # 66 MiB of bodies: more than the log keeps
        with pytest.raises(ClientError):  # the inspector cannot read it; only the log matters here
            runtime_client.invoke_endpoint(
                EndpointName="demo-image-inspector", Body=image, ContentType="image/png"
            )
    kept = server.requests()
    assert len(kept) == 10  # the oldest went first
    assert all(entry.body == image for entry in kept)

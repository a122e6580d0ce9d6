"""Container passthrough: endpoints forwarding to a model container under SageMaker's container contract."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError, EventStreamError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from local_endpoints import LocalEndpoints
from tests.support.thread_server import serve

STREAM_GAP_S = 0.15
#: set when the container's endless stream ends: its caller (the local server) hung up
ENDLESS_STREAM_CLOSED = threading.Event()


async def ping(request: Request) -> Response:
    return PlainTextResponse("")


async def invocations(request: Request) -> Response:
    """A model container: echoes what it got, fails on "fail", streams three slow lines on "stream", lines
    without end on "endless", and two lines then a dropped connection on "break"."""
    body = await request.body()
    if body == b"fail":
        return PlainTextResponse('{"error": "cannot parse input"}', status_code=400)
    if body == b"endless":

        async def endless() -> AsyncIterator[bytes]:
            try:
                while True:
                    yield b'{"line": "more"}\n'
                    await asyncio.sleep(0.02)
            finally:
                ENDLESS_STREAM_CLOSED.set()

        return StreamingResponse(endless(), media_type="application/jsonlines")
    if body == b"break":

        async def broken() -> AsyncIterator[bytes]:
            yield b'{"line": 0}\n'
            await asyncio.sleep(0.05)
            yield b'{"line": 1}\n'
            await asyncio.sleep(0.05)
            raise RuntimeError("the container crashed mid-stream")

        return StreamingResponse(broken(), media_type="application/jsonlines")
    if body == b"stream":

        async def lines() -> AsyncIterator[bytes]:
            for index in range(3):
                yield f'{{"line": {index}}}\n'.encode()
                await asyncio.sleep(STREAM_GAP_S)

        return StreamingResponse(lines(), media_type="application/jsonlines")
    return JSONResponse(
        {
            "body": body.decode(),
            "content_type": request.headers.get("content-type"),
            "accept": request.headers.get("accept"),
            "custom_attributes": request.headers.get("x-amzn-sagemaker-custom-attributes"),
        }
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def container_url() -> Iterator[str]:
    app = Starlette(routes=[Route("/ping", ping), Route("/invocations", invocations, methods=["POST"])])
    with serve(app) as url:
        yield url


@pytest.fixture(scope="module")
def passthrough(container_url: str) -> Iterator[LocalEndpoints]:
    containers = {"my-container": container_url, "down-container": f"http://127.0.0.1:{_free_port()}"}
    with LocalEndpoints(port=0, containers=containers) as server:
        yield server


@pytest.fixture
def server(passthrough: LocalEndpoints) -> LocalEndpoints:
    """This module's clients (conftest's runtime_client, sagemaker_client) talk to the passthrough server."""
    passthrough.reset()
    return passthrough


def test_invocation_is_forwarded_with_its_headers(runtime_client: Any) -> None:
    response = runtime_client.invoke_endpoint(
        EndpointName="my-container",
        Body=b"1,2,3",
        ContentType="text/csv",
        Accept="application/json",
        CustomAttributes="trace=abc",
    )
    assert json.loads(response["Body"].read()) == {
        "body": "1,2,3",
        "content_type": "text/csv",
        "accept": "application/json",
        "custom_attributes": "trace=abc",
    }
    assert response["ContentType"] == "application/json"
    assert response["InvokedProductionVariant"] == "AllTraffic"
    assert response["CustomAttributes"] == "trace=abc"


def test_container_error_becomes_model_error_with_its_status_and_body(runtime_client: Any) -> None:
    with pytest.raises(ClientError) as raised:
        runtime_client.invoke_endpoint(EndpointName="my-container", Body=b"fail", ContentType="text/plain")
    response = raised.value.response
    assert response["Error"]["Code"] == "ModelError"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 424
    assert response["OriginalStatusCode"] == 400
    assert response["OriginalMessage"] == '{"error": "cannot parse input"}'
    assert response["Error"]["Message"].startswith("Received client error (400) from primary with message")


def test_a_container_that_is_down_is_a_clear_model_error(runtime_client: Any) -> None:
    with pytest.raises(ClientError) as raised:
        runtime_client.invoke_endpoint(
            EndpointName="down-container", Body=b"{}", ContentType="application/json"
        )
    response = raised.value.response
    assert response["Error"]["Code"] == "ModelError"
    assert response["OriginalStatusCode"] == 503
    assert "Could not reach the model container at http://127.0.0.1:" in response["OriginalMessage"]
    assert "Is it running?" in response["OriginalMessage"]


def test_streamed_container_body_arrives_chunk_by_chunk(runtime_client: Any) -> None:
    started = time.perf_counter()
    response = runtime_client.invoke_endpoint_with_response_stream(
        EndpointName="my-container", Body=b"stream", ContentType="text/plain"
    )
    assert response["ContentType"] == "application/jsonlines"
    arrivals: list[tuple[float, bytes]] = []
    for event in response["Body"]:
        arrivals.append((time.perf_counter() - started, event["PayloadPart"]["Bytes"]))
    assert b"".join(data for _, data in arrivals) == b'{"line": 0}\n{"line": 1}\n{"line": 2}\n'
    assert len(arrivals) >= 3
    # the first line is forwarded before the container has produced the last one
    assert arrivals[-1][0] - arrivals[0][0] >= 1.5 * STREAM_GAP_S


def test_streaming_to_a_failing_container_is_a_model_error_before_the_stream(runtime_client: Any) -> None:
    with pytest.raises(ClientError) as raised:
        runtime_client.invoke_endpoint_with_response_stream(EndpointName="my-container", Body=b"fail")
    assert raised.value.response["Error"]["Code"] == "ModelError"
    assert raised.value.response["OriginalStatusCode"] == 400


def test_container_endpoint_is_listed_and_described(
    passthrough: LocalEndpoints, container_url: str, sagemaker_client: Any
) -> None:
    sagemaker = sagemaker_client
    described = sagemaker.describe_endpoint(EndpointName="my-container")
    assert described["EndpointStatus"] == "InService"
    assert container_url in described["ProductionVariants"][0]["DeployedImages"][0]["SpecifiedImage"]
    passthrough.reset()  # container endpoints are part of the baseline, not bulk additions
    assert sagemaker.describe_endpoint(EndpointName="my-container")["EndpointName"] == "my-container"


def test_a_client_leaving_mid_stream_closes_the_stream_from_the_container(runtime_client: Any) -> None:
    ENDLESS_STREAM_CLOSED.clear()
    response = runtime_client.invoke_endpoint_with_response_stream(
        EndpointName="my-container", Body=b"endless", ContentType="text/plain"
    )
    events = iter(response["Body"])
    next(events), next(events)
    assert not ENDLESS_STREAM_CLOSED.is_set()
    response["Body"].close()
    assert ENDLESS_STREAM_CLOSED.wait(timeout=5)  # the server hung up on the container: nothing leaks


def test_a_container_dropping_its_stream_is_a_model_stream_error(runtime_client: Any) -> None:
    response = runtime_client.invoke_endpoint_with_response_stream(
        EndpointName="my-container", Body=b"break", ContentType="text/plain"
    )
    received = []
    with pytest.raises(EventStreamError) as raised:
        for event in response["Body"]:
            received.append(event["PayloadPart"]["Bytes"])
    response["Body"].close()
    assert b"".join(received) == b'{"line": 0}\n{"line": 1}\n'
    assert raised.value.response["Error"]["Code"] == "ModelStreamError"
    assert raised.value.response["Error"]["Message"].startswith("The model container at http://127.0.0.1:")
    assert "broke off its response stream" in raised.value.response["Error"]["Message"]


def test_the_command_line_registers_a_container(
    container_url: str, boto3_clients: Callable[..., Any]
) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "local_endpoints", "--port", "0", "--container", f"mine={container_url}"],
        cwd=Path(__file__).resolve().parents[2],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        banner = [process.stdout.readline() for _ in range(2)]
        url = banner[0].rsplit(" ", 1)[-1].strip()
        assert banner[1].strip() == f"endpoint mine -> container {container_url} (answers /ping)"
        response = boto3_clients(url=url).invoke_endpoint(
            EndpointName="mine", Body=b"1,2", ContentType="text/csv"
        )
        assert json.loads(response["Body"].read())["body"] == "1,2"
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
        process.stdout.close()  # type: ignore[union-attr]

"""Acceptance: honest clocks, visible retries, decoded views of real answers, and thousands of endpoints.

Real boto3 over HTTP to the local server; the decoded views come from an echo model container behind it
(SageMaker's container contract: GET /ping, POST /invocations), so the bytes and content type are a real
answer's.
"""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image

from local_endpoints import LocalEndpoints
from services.connection import Clients, Connection, build_clients
from services.endpoints import EndpointCatalog, list_endpoints
from services.invocation import invoke, stream
from services.output import decode_output
from services.results import InvocationRequest, Status
from tests.support.demo_endpoints import DEMO_ENDPOINTS

CLASSIFY = InvocationRequest(endpoint_name="demo-text-classifier", body=b'{"features": ["This is great!"]}')


def local(url: str, max_attempts: int = 1) -> Connection:
    return Connection(kind="local", region="us-east-1", local_url=url, max_attempts=max_attempts)


@pytest.fixture(scope="module")
def clients(local_server: LocalEndpoints) -> Clients:
    return build_clients(local(local_server.url))


def generation(tokens: int = 5) -> InvocationRequest:
    parameters = {"max_new_tokens": tokens, "ignore_eos_token": True}
    body = {"inputs": "Tell me about the sea", "parameters": parameters, "stream": True}
    return InvocationRequest(endpoint_name="demo-tgi-generator", body=json.dumps(body).encode())


# -- the clocks ----------------------------------------------------------------------------------------------


def test_requested_at_is_before_the_server_got_it_and_returned_at_after(
    server: LocalEndpoints, clients: Clients
) -> None:
    for call in (lambda: invoke(clients, CLASSIFY), lambda: stream(clients, generation()).result):
        result = call()
        assert result.status is Status.SUCCESS, result.error
        received = server.requests()[-1].received_at
        assert result.returned_at is not None
        assert result.requested_at <= received <= result.returned_at


def test_execution_length_covers_the_model_time(server: LocalEndpoints, clients: Clients) -> None:
    server.inject_fault("demo-text-classifier", delay_ms=300)
    result = invoke(clients, CLASSIFY)
    assert result.status is Status.SUCCESS, result.error
    assert result.execution_ms is not None and 300 <= result.execution_ms < 1500
    assert result.returned_at is not None
    wall_ms = (result.returned_at - result.requested_at).total_seconds() * 1000
    assert result.execution_ms <= wall_ms + 5  # the monotonic span sits inside the wall-clock span


def test_a_stream_s_execution_length_covers_the_whole_stream(
    server: LocalEndpoints, clients: Clients
) -> None:
    server.token_delay = 0.05
    streaming = stream(clients, generation(tokens=10))
    pieces = list(streaming)
    result = streaming.result
    stats = result.stream
    assert len(pieces) == 10 and stats is not None and result.execution_ms is not None
    assert stats.time_to_first_token_ms is not None
    # ten parts 50 ms apart: at least nine gaps after the first token are inside the execution length
    assert result.execution_ms - stats.time_to_first_token_ms >= 9 * 50
    rate = stats.tokens_per_second(result.execution_ms)
    assert rate is not None and 10 <= rate <= 21  # 9 tokens over >= 450 ms; at most one token per 50 ms


# -- retries made visible --------------------------------------------------------------------------------


@pytest.mark.parametrize("streamed", [False, True], ids=["invoke", "stream"])
def test_retries_are_counted_and_their_time_is_inside_the_execution_length(
    server: LocalEndpoints, streamed: bool
) -> None:
    server.inject_fault("demo-tgi-generator", throttle_next=2)
    clients = build_clients(local(server.url, max_attempts=3))
    result = stream(clients, generation()).result if streamed else invoke(clients, generation())
    assert result.status is Status.SUCCESS, result.error
    assert result.attempts == 3
    first, *_, last = [r.received_at for r in server.requests()]
    assert len(server.requests()) == 3
    retry_span_ms = (last - first).total_seconds() * 1000
    assert result.execution_ms is not None and result.execution_ms >= retry_span_ms


# -- decoded views of real answers ---------------------------------------------------------------------------


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (3, 2), (10, 200, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def echo_endpoint() -> Iterator[Clients]:
    """An endpoint whose container answers the request's body with the request's Accept as content type."""

    class Echo(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self._answer(b"", "text/plain")

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            self._answer(body, self.headers.get("Accept") or "application/octet-stream")

        def _answer(self, body: bytes, content_type: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    container = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    thread = threading.Thread(target=container.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{container.server_address[1]}"
        with LocalEndpoints(port=0, containers={"echo": url}) as server:
            yield build_clients(local(server.url))
    finally:
        container.shutdown()
        container.server_close()
        thread.join(timeout=5)


@pytest.mark.parametrize(
    ("body", "accept", "kind", "value", "media_type"),
    [
        (
            b'{"label": "POSITIVE", "score": 0.98}',
            "application/json",
            "json",
            {"label": "POSITIVE", "score": 0.98},
            None,
        ),
        (b'{"a": 1}\n{"a": 2}\n', "application/jsonlines", "json", [{"a": 1}, {"a": 2}], None),
        ("Ça marche\n".encode(), "text/plain; charset=utf-8", "text", "Ça marche\n", None),
        (b"1.5,2\n3,4\n", "text/csv", "csv", [["1.5", "2"], ["3", "4"]], None),
        (_png(), "image/png", "image", _png(), "image/png"),
        (_png(), "application/octet-stream", "image", _png(), "image/png"),
        (bytes(range(256)) * 4, "application/octet-stream", "binary", bytes(range(256)) * 4, None),
    ],
    ids=["json", "json-lines", "text", "csv", "image", "image-by-magic", "binary"],
)
def test_each_kind_of_answer_gets_its_view(
    echo_endpoint: Clients, body: bytes, accept: str, kind: str, value: object, media_type: str | None
) -> None:
    request = InvocationRequest(
        endpoint_name="echo", body=body, content_type="application/octet-stream", accept=accept
    )
    result = invoke(echo_endpoint, request)
    assert result.status is Status.SUCCESS, result.error
    assert (result.body, result.content_type) == (body, accept)
    view = decode_output(result.body, result.content_type)
    assert (view.kind, view.value, view.size, view.media_type) == (kind, value, len(body), media_type)


# -- thousands of endpoints ----------------------------------------------------------------------------------


def test_two_thousand_endpoints_all_pages_newest_first(server: LocalEndpoints, clients: Clients) -> None:
    added = set(server.add_endpoints(2100, prefix="many"))
    rows = list_endpoints(clients)
    assert len(rows) == 2100 + len(DEMO_ENDPOINTS) and added <= {r.name for r in rows}
    created = [r.created_at for r in rows]
    assert created == sorted(created, reverse=True)  # type: ignore[type-var]
    pages = -(-len(rows) // 100)  # 100 a page
    assert [r.operation for r in server.requests()].count("ListEndpoints") == pages

    catalog = EndpointCatalog(clients)
    assert len(catalog.endpoints(name_contains="MANY-2")) == 101  # many-2000 ... many-2100, any case
    assert [r.name for r in catalog.endpoints(status="Failed")] == ["demo-failed"]

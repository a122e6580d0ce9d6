"""The local server's limits (issue 8, items 9-12), over real HTTP: what a client sends is bounded, a web page
on another origin cannot drive the server, bodies are refused by size before they are read, slow clients are
cut off, and every bad input is a 4xx in SageMaker's shape, never a 500."""

from __future__ import annotations

import base64
import http.client
import json
import math
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest

from local_endpoints import LocalEndpoints, Timeouts
from local_endpoints.http_protocol import DRAIN_S
from local_endpoints.limits import shown

CLASSIFIER = "/endpoints/demo-text-classifier/invocations"
CLASSIFIER_REQUEST = b'{"features": ["This is great!"]}'


def call(
    server: LocalEndpoints,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """One request on its own connection: (status, headers with lower-case names, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=15)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def control(server: LocalEndpoints, method: str, path: str, payload: Any = None) -> tuple[int, Any]:
    body = None if payload is None else json.dumps(payload).encode()
    status, _, raw = call(server, method, path, body, {"Content-Type": "application/json"})
    return status, (json.loads(raw) if raw.startswith((b"{", b"[")) else raw.decode())


def control_plane(server: LocalEndpoints, operation: str, body: bytes) -> tuple[int, dict[str, Any]]:
    headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": f"SageMaker.{operation}"}
    status, _, raw = call(server, "POST", "/", body, headers)
    return status, json.loads(raw)


# -- 9: bounded controls -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spec",
    [
        {"count": 2.0},
        {"count": True},
        {"count": -1},
        {"count": 10_001},
        {"count": "3"},
        {"count": 1, "prefix": "x" * 51},
        {"count": 1, "prefix": 5},
        {"count": 1, "prefix": "not a name!"},
        {"count": 1, "prefix": ""},
        {"count": 1, "status": ["InService"]},
        {"count": 1e9},
    ],
    ids=lambda value: shown(value, 50),
)
def test_bulk_endpoints_refuse_what_is_out_of_bounds(server: LocalEndpoints, spec: dict[str, Any]) -> None:
    before = len(server._state.catalog.endpoints())
    status, body = control(server, "POST", "/_local/endpoints", spec)
    assert status == 400, body
    assert body["error"].startswith("expected {'count': N")
    assert len(server._state.catalog.endpoints()) == before


def test_bulk_endpoints_are_bounded_in_total_until_a_reset(server: LocalEndpoints) -> None:
    assert control(server, "POST", "/_local/endpoints", {"count": 6000, "prefix": "a"})[0] == 201
    status, body = control(server, "POST", "/_local/endpoints", {"count": 6000, "prefix": "b"})
    assert status == 400
    assert "at most 10000" in body["error"]
    with pytest.raises(ValueError, match="at most 10000"):
        server.add_endpoints(4001, prefix="c")
    server.reset()
    assert control(server, "POST", "/_local/endpoints", {"count": 6000, "prefix": "b"})[0] == 201


@pytest.mark.parametrize(
    "fault",
    [
        {"delay_ms": 1e300},
        {"delay_ms": 120_001},
        {"delay_ms": 1.5},
        {"throttle_next": 10**9},
        {"throttle_next": "2"},
        {"break_stream_after": 1_000_001},
        {"break_stream_after": True},
        {"model_error_status": 500.0},
        {"model_error_status": 99},
        {"model_error_message": "x" * 4097},
        {"model_error_message": ["boom"]},
        {"stream_error": ["ModelStreamError"]},
        {"no_such_field": 1},
    ],
    ids=lambda value: shown(value, 50),
)
def test_faults_refuse_what_is_out_of_bounds(server: LocalEndpoints, fault: dict[str, Any]) -> None:
    status, body = control(server, "PUT", "/_local/faults/demo-text-classifier", fault)
    assert status == 400, body
    assert control(server, "GET", "/_local/faults") == (200, {})


def test_fault_names_are_bounded_in_length_and_number(server: LocalEndpoints) -> None:
    assert control(server, "PUT", f"/_local/faults/{'a' * 64}", {"delay_ms": 1})[0] == 400
    for index in range(1000):
        server.inject_fault(f"endpoint-{index}", delay_ms=1)
    status, body = control(server, "PUT", "/_local/faults/one-too-many", {"delay_ms": 1})
    assert status == 400
    assert "1000" in body["error"]
    # replacing a fault already in force is still fine
    assert control(server, "PUT", "/_local/faults/endpoint-7", {"delay_ms": 2})[0] == 204


@pytest.mark.parametrize(
    "raw",
    [
        b'{"token_delay": NaN}',
        b'{"token_delay": Infinity}',
        b'{"token_delay": 1e308}',
        b'{"token_delay": 10.5}',
        b'{"token_delay": "0.1"}',
        b'{"token_delay": true}',
        b'{"token_delay": -1}',
        b'{"token_delay": ' + b"9" * 400 + b"}",
    ],
    ids=lambda raw: raw.decode(),
)
def test_settings_refuse_a_token_delay_out_of_bounds(server: LocalEndpoints, raw: bytes) -> None:
    status, _, body = call(server, "PUT", "/_local/settings", raw, {"Content-Type": "application/json"})
    assert status == 400, body
    assert "token_delay" in json.loads(body)["error"]
    assert control(server, "GET", "/_local/settings") == (200, {"token_delay": 0.0})


def test_token_delay_is_bounded_in_the_python_api_too() -> None:
    for bad in (math.nan, math.inf, 1e308, 10.5):
        with pytest.raises(ValueError, match="token_delay"):
            LocalEndpoints(token_delay=bad)
    server = LocalEndpoints(token_delay=0)
    with pytest.raises(ValueError, match="token_delay"):
        server.token_delay = math.nan
    server.token_delay = 10
    assert server.token_delay == 10


# -- 9: no cross-origin requests -----------------------------------------------------------------------------

FOREIGN = [
    {"Origin": "https://evil.example"},
    {"Origin": "null"},
    {"Origin": "http://127.0.0.1:1"},  # another local port: another origin
    {"Origin": "http://127.0.0.1.evil.example"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},
    {"Host": "evil.example"},  # DNS rebinding: a foreign name resolving to 127.0.0.1
]


@pytest.mark.parametrize("foreign", FOREIGN, ids=lambda value: shown(value, 50))
def test_a_web_page_cannot_drive_the_controls(server: LocalEndpoints, foreign: dict[str, str]) -> None:
    # a form-like text/plain POST needs no preflight: the server itself must refuse it
    headers = {"Content-Type": "text/plain", **foreign}
    before = len(server._state.catalog.endpoints())
    status, response_headers, body = call(server, "POST", "/_local/endpoints", b'{"count": 5}', headers)
    assert status == 403
    assert "cross-origin" in json.loads(body)["error"]
    assert response_headers["content-type"] == "application/json"
    assert len(server._state.catalog.endpoints()) == before
    status, _, body = call(server, "GET", "/_local/requests", headers=foreign)
    assert status == 403


@pytest.mark.parametrize("foreign", FOREIGN, ids=lambda value: shown(value, 50))
def test_a_web_page_cannot_drive_the_sagemaker_routes(
    server: LocalEndpoints, foreign: dict[str, str]
) -> None:
    headers = {"Content-Type": "application/json", **foreign}
    status, response_headers, body = call(server, "POST", CLASSIFIER, CLASSIFIER_REQUEST, headers)
    assert status == 403
    assert response_headers["x-amzn-errortype"] == "AccessDeniedException"
    assert "cross-origin" in json.loads(body)["Message"]
    status, response_headers, body = call(
        server, "POST", "/", b"{}", {"X-Amz-Target": "SageMaker.ListEndpoints", **foreign}
    )
    assert status == 403
    assert json.loads(body)["__type"] == "AccessDeniedException"
    assert server.requests() == []  # refused before anything is recorded


@pytest.mark.parametrize(
    "own",
    [
        {},
        {"Origin": "http://127.0.0.1:{port}"},
        {"Origin": "http://localhost:{port}"},
        {"Sec-Fetch-Site": "same-origin"},
        {"Sec-Fetch-Site": "none"},  # typed into the address bar
        {"Host": "localhost:{port}"},
    ],
    ids=lambda value: shown(value, 50),
)
def test_the_server_s_own_origin_and_plain_clients_are_served(
    server: LocalEndpoints, own: dict[str, str]
) -> None:
    headers = {name: value.format(port=server.port) for name, value in own.items()}
    status, _, body = call(
        server, "POST", CLASSIFIER, CLASSIFIER_REQUEST, {"Content-Type": "application/json", **headers}
    )
    assert status == 200, body
    assert call(server, "GET", "/_local/health", headers=headers)[0] == 200


# -- 10: bodies refused by size before they are read ---------------------------------------------------------

RUNTIME_LIMIT = 6 * 1024 * 1024
CONTROL_LIMIT = 1024 * 1024


class Raw:
    """A client on a raw socket: it sends what it likes and reads one answer."""

    def __init__(self, server: LocalEndpoints, timeout: float = 5) -> None:
        self.sock = socket.create_connection(("127.0.0.1", server.port), timeout=timeout)
        self.buffer = b""

    def __enter__(self) -> Raw:
        return self

    def __exit__(self, *exc: object) -> None:
        self.sock.close()

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def answer(self) -> tuple[int, dict[str, str], bytes]:
        """The next response: (status, headers with lower-case names, body)."""
        while b"\r\n\r\n" not in self.buffer:
            self._more()
        head_part, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        status_line, *header_lines = head_part.decode("latin-1").split("\r\n")
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        while len(self.buffer) < length:
            self._more()
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return int(status_line.split()[1]), headers, body

    def closed_within(self, seconds: float) -> float | None:
        """How long until the server closed the connection (None: still open after `seconds`); what it sent
        meanwhile is kept for `answer`."""
        started = time.monotonic()
        timeout = self.sock.gettimeout()
        self.sock.settimeout(0.1)
        try:
            while time.monotonic() - started < seconds:
                try:
                    chunk = self.sock.recv(65536)
                except TimeoutError:
                    continue
                except ConnectionResetError:
                    return time.monotonic() - started
                if not chunk:
                    return time.monotonic() - started
                self.buffer += chunk
            return None
        finally:
            self.sock.settimeout(timeout)

    def _more(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"the server closed the connection; so far: {self.buffer[:200]!r}")
        self.buffer += chunk


def head(path: str, *lines: str) -> bytes:
    return "\r\n".join([f"POST {path} HTTP/1.1", "Host: 127.0.0.1", *lines, "", ""]).encode()


def test_a_runtime_body_over_6_mib_is_refused_on_its_content_length_alone(server: LocalEndpoints) -> None:
    # only the head is sent: an answer proves the server did not wait for 100 MB
    with Raw(server) as client:
        client.send(head(CLASSIFIER, "Content-Type: application/json", "Content-Length: 100000000"))
        status, headers, body = client.answer()
        # the 100 MB are not waited for: the connection closes a short drain time later
        assert client.closed_within(DRAIN_S + 1) is not None
    assert status == 400
    assert headers["x-amzn-errortype"] == "ValidationError"
    assert json.loads(body)["Message"] == (
        "Received payload of 100000000 bytes, which exceeds the maximum request payload size of "
        f"{RUNTIME_LIMIT} bytes for endpoint demo-text-classifier."
    )
    assert server.requests() == []


def test_a_chunked_runtime_body_is_refused_once_past_6_mib(server: LocalEndpoints) -> None:
    # 7 MiB of chunks and no last chunk: the body never ends, yet the server answers
    chunked = head(CLASSIFIER, "Content-Type: application/json", "Transfer-Encoding: chunked")
    chunk = b"x" * 65536
    chunks = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    with Raw(server) as client:
        client.send(chunked + chunks * 112)
        status, headers, body = client.answer()
        assert client.closed_within(DRAIN_S + 1) is not None
    assert status == 400
    assert headers["x-amzn-errortype"] == "ValidationError"
    assert f"more than {RUNTIME_LIMIT} bytes" in json.loads(body)["Message"]


@pytest.mark.parametrize("size", [RUNTIME_LIMIT, RUNTIME_LIMIT - 1])
def test_a_runtime_body_up_to_6_mib_still_reaches_the_model(server: LocalEndpoints, size: int) -> None:
    body = b'{"features": ["' + b"a" * (size - 18) + b'"]}'
    assert len(body) == size
    status, _, answer = call(server, "POST", CLASSIFIER, body, {"Content-Type": "application/json"})
    assert status == 200, answer
    assert len(server.requests()[0].body) == size


def test_a_refused_body_that_does_arrive_leaves_the_connection_usable(server: LocalEndpoints) -> None:
    body = b"x" * (CONTROL_LIMIT + 1)
    with Raw(server) as client:
        client.send(head("/_local/settings", f"Content-Length: {len(body)}") + body)
        assert client.answer()[0] == 413
        client.send(b"GET /_local/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        status, _, answer = client.answer()
        assert (status, answer) == (200, b"ok")


@pytest.mark.parametrize(
    "path, shape",
    [("/", "message"), ("/_local/settings", "error"), ("/no/such/path", "Message")],
)
def test_a_control_body_over_1_mib_is_refused_with_413(server: LocalEndpoints, path: str, shape: str) -> None:
    with Raw(server) as client:
        client.send(
            head(path, "X-Amz-Target: SageMaker.ListEndpoints", f"Content-Length: {CONTROL_LIMIT + 1}")
        )
        status, _, body = client.answer()
    assert status == 413
    assert f"{CONTROL_LIMIT} bytes" in json.loads(body)[shape]
    # and a chunked one, past the limit
    chunked = head(path, "X-Amz-Target: SageMaker.ListEndpoints", "Transfer-Encoding: chunked")
    chunk = b" " * 65536
    with Raw(server) as client:
        client.send(chunked + (f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n") * 17)
        assert client.answer()[0] == 413
    assert control_plane(server, "ListEndpoints", b" " * 1000 + b"{}")[0] == 200


# -- 11: slow and idle clients are cut off -------------------------------------------------------------------

SHORT = Timeouts(head_s=1.0, body_s=1.5, keep_alive_s=1)


@pytest.fixture(scope="module")
def impatient() -> Iterator[LocalEndpoints]:
    """A server with short timeouts, so that waiting them out is quick."""
    with LocalEndpoints(port=0, token_delay=0.0, timeouts=SHORT) as server:
        yield server


def trickle(client: Raw, data: bytes, every: float, for_at_most: float) -> float:
    """Send `data` a byte every `every` seconds until it is all sent, the server closes, or `for_at_most`
    seconds pass; returns how long the server let it go on."""
    started = time.monotonic()
    for byte in data:
        try:
            client.send(bytes([byte]))
        except (BrokenPipeError, ConnectionResetError):
            break
        if client.closed_within(every) is not None or time.monotonic() - started > for_at_most:
            break
    return time.monotonic() - started


def test_the_default_timeouts() -> None:
    assert LocalEndpoints().timeouts == Timeouts(head_s=10.0, body_s=20.0, keep_alive_s=5)
    with pytest.raises(ValueError, match="head_s"):
        Timeouts(head_s=math.nan)


def test_a_head_sent_a_byte_at_a_time_is_cut_off(impatient: LocalEndpoints) -> None:
    with Raw(impatient) as client:
        lasted = trickle(client, head(CLASSIFIER, "Content-Length: 2") + b"{}", every=0.1, for_at_most=5)
        assert lasted < SHORT.head_s + 0.5
        status, headers, body = client.answer()
    assert status == 408
    assert headers["connection"] == "close"
    assert "did not arrive within 1 s" in json.loads(body)["error"]


def test_the_head_clock_starts_again_for_each_request(impatient: LocalEndpoints) -> None:
    with Raw(impatient) as client:
        for _ in range(3):  # each request's head is quick, the whole connection lasts longer than head_s
            time.sleep(0.5)
            client.send(b"GET /_local/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            assert client.answer()[0] == 200
        lasted = trickle(client, b"GET /_local/health HTTP/1.1\r\n", every=0.1, for_at_most=5)
        assert lasted < SHORT.head_s + 0.5
        assert client.answer()[0] == 408


def test_a_connection_that_sends_nothing_is_closed_silently(impatient: LocalEndpoints) -> None:
    with Raw(impatient) as client:
        started = time.monotonic()
        assert client.closed_within(SHORT.head_s + 1) is not None
        assert SHORT.head_s - 0.2 < time.monotonic() - started
        assert client.buffer == b""


def test_a_body_sent_a_byte_at_a_time_is_cut_off(impatient: LocalEndpoints) -> None:
    with Raw(impatient) as client:
        client.send(head(CLASSIFIER, "Content-Type: application/json", "Content-Length: 100"))
        lasted = trickle(client, b"x" * 100, every=0.1, for_at_most=6)
        assert lasted < SHORT.body_s + 0.5
        status, headers, body = client.answer()
    assert status == 408
    assert headers["x-amzn-errortype"] == "RequestTimeout"
    assert "did not arrive within 1.5 s" in json.loads(body)["Message"]
    assert impatient.requests() == []


def test_an_idle_connection_is_closed_after_the_keep_alive_time(impatient: LocalEndpoints) -> None:
    with Raw(impatient) as client:
        client.send(b"GET /_local/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert client.answer()[0] == 200
        closed_after = client.closed_within(SHORT.keep_alive_s + 1)
        assert closed_after is not None and closed_after > SHORT.keep_alive_s - 0.2


def test_a_drained_connection_is_closed_after_the_keep_alive_time(impatient: LocalEndpoints) -> None:
    body = b"x" * (CONTROL_LIMIT + 1)
    with Raw(impatient) as client:
        client.send(head("/_local/settings", f"Content-Length: {len(body)}") + body)
        assert client.answer()[0] == 413
        assert client.closed_within(SHORT.keep_alive_s + 1) is not None


def test_a_long_answer_is_not_a_slow_client(impatient: LocalEndpoints) -> None:
    # a stream outlasting every timeout: the client sent its request at once and is reading
    impatient.token_delay = 0.1
    try:
        body = json.dumps(
            {
                "inputs": "The river",
                "parameters": {"max_new_tokens": 25, "ignore_eos_token": True},
                "stream": True,
            }
        ).encode()
        started = time.monotonic()
        status, _, answer = call(
            impatient,
            "POST",
            "/endpoints/demo-tgi-generator/invocations-response-stream",
            body,
            {"Content-Type": "application/json"},
        )
        assert time.monotonic() - started > SHORT.head_s + SHORT.body_s
        assert status == 200
        assert answer.count(b":event-type") == 25
    finally:
        impatient.token_delay = 0.0


# -- 12: every bad input is a 4xx in SageMaker's shape, never a 500 ------------------------------------------

LIST_OPERATIONS = ("ListEndpoints", "ListInferenceComponents")
TIME_PARAMETERS = (
    "CreationTimeBefore",
    "CreationTimeAfter",
    "LastModifiedTimeBefore",
    "LastModifiedTimeAfter",
)
DEEP = b"[" * 100_000


@pytest.mark.parametrize("operation", LIST_OPERATIONS)
@pytest.mark.parametrize("parameter", TIME_PARAMETERS)
@pytest.mark.parametrize(
    "value", ["1e300", "-1e300", "NaN", "Infinity", "-Infinity", "9" * 40, "253402318800"]
)
def test_impossible_timestamps_are_a_validation_exception(
    server: LocalEndpoints, operation: str, parameter: str, value: str
) -> None:
    status, body = control_plane(server, operation, f'{{"{parameter}": {value}}}'.encode())
    assert status == 400
    assert body["__type"] == "ValidationException"
    assert "Member must be a timestamp in epoch seconds" in body["message"]


def test_timestamps_at_the_ends_of_the_range_still_filter(server: LocalEndpoints) -> None:
    status, body = control_plane(server, "ListEndpoints", b'{"CreationTimeBefore": 253402300799}')
    assert status == 200
    assert body["Endpoints"]
    status, body = control_plane(
        server, "ListEndpoints", b'{"CreationTimeAfter": -62135596800, "MaxResults": 1}'
    )
    assert (status, len(body["Endpoints"])) == (200, 1)


@pytest.mark.parametrize("operation", [*LIST_OPERATIONS, "DescribeEndpoint", "DescribeEndpointConfig"])
@pytest.mark.parametrize(
    "body", [DEEP, b'{"a":' * 100_000, b"\xff\xfe", b"{"], ids=["[x100000", "{a:x100000", "not-utf8", "{"]
)
def test_a_body_the_control_plane_cannot_read_is_a_validation_exception(
    server: LocalEndpoints, operation: str, body: bytes
) -> None:
    status, answer = control_plane(server, operation, body)
    assert status == 400
    assert answer == {"__type": "ValidationException", "message": "The request body is not a JSON object."}


@pytest.mark.parametrize(
    "token",
    [
        base64.urlsafe_b64encode(b'{"offset": ' + b"[" * 5000 + b"]" * 5000 + b"}").decode(),
        base64.urlsafe_b64encode(b'{"offset": true}').decode(),
        base64.urlsafe_b64encode(b'{"offset": 1e308}').decode(),
        "!!!",
    ],
    ids=["deep", "true", "1e308", "not-base64"],
)
def test_a_forged_next_token_is_a_validation_exception(server: LocalEndpoints, token: str) -> None:
    status, answer = control_plane(server, "ListEndpoints", json.dumps({"NextToken": token}).encode())
    assert (status, answer["message"]) == (400, "Invalid pagination token.")


def test_max_results_true_is_not_one(server: LocalEndpoints) -> None:
    status, answer = control_plane(server, "ListEndpoints", b'{"MaxResults": true}')
    assert status == 400
    assert "Value 'True' at 'maxResults'" in answer["message"]


@pytest.mark.parametrize(
    "method, path",
    [
        ("PUT", "/_local/settings"),
        ("PUT", "/_local/faults/demo-text-classifier"),
        ("POST", "/_local/endpoints"),
    ],
)
@pytest.mark.parametrize("body", [DEEP, b'{"a":' * 100_000], ids=["[x100000", "{a:x100000"])
def test_a_control_body_nested_too_deeply_is_a_clear_400(
    server: LocalEndpoints, method: str, path: str, body: bytes
) -> None:
    status, _, answer = call(server, method, path, body, {"Content-Type": "application/json"})
    assert status == 400
    assert "nested too deeply" in json.loads(answer)["error"]
    assert control(server, "GET", "/_local/settings")[0] == 200


def test_a_runtime_body_nested_too_deeply_is_the_model_s_error(server: LocalEndpoints) -> None:
    status, headers, _ = call(server, "POST", CLASSIFIER, DEEP, {"Content-Type": "application/json"})
    assert status == 424  # the model failed on it, as a container would: not the server
    assert headers["x-amzn-errortype"] == "ModelError"


CONTROL_PLANE_PARAMETERS = {
    "ListEndpoints": (
        "SortBy", "SortOrder", "NextToken", "MaxResults", "NameContains", "StatusEquals", *TIME_PARAMETERS,
    ),
    "ListInferenceComponents": (
        "SortBy", "SortOrder", "NextToken", "MaxResults", "NameContains", "StatusEquals",
        "EndpointNameEquals", "VariantNameEquals", *TIME_PARAMETERS,
    ),
    "DescribeEndpoint": ("EndpointName",),
    "DescribeEndpointConfig": ("EndpointConfigName",),
    "DescribeInferenceComponent": ("InferenceComponentName",),
}  # fmt: skip
CONTROLS = {
    ("PUT", "/_local/faults/demo-text-classifier"): (
        "model_error_status", "model_error_message", "delay_ms", "throttle_next", "break_stream_after",
        "stream_error",
    ),
    ("POST", "/_local/endpoints"): ("count", "prefix", "status"),
    ("PUT", "/_local/settings"): ("token_delay",),
}  # fmt: skip
#: JSON values of every kind, as Python's parser also reads them (NaN, Infinity, integers of 400 digits)
ODD_VALUES = [
    "null", "true", "false", "0", "-1", "1.5", "1e300", "-1e300", "NaN", "Infinity", "-Infinity", "9" * 400,
    '""', '"x"', '"' + "x" * 5000 + '"', '"\\ud800"', "[]", "[1]", "{}", '{"a": 1}', "[" * 500 + "]" * 500,
]  # fmt: skip


@pytest.mark.parametrize("operation", CONTROL_PLANE_PARAMETERS)
def test_no_parameter_value_makes_the_control_plane_fail(server: LocalEndpoints, operation: str) -> None:
    for parameter in CONTROL_PLANE_PARAMETERS[operation]:
        for value in ODD_VALUES:
            status, answer = control_plane(server, operation, f'{{"{parameter}": {value}}}'.encode())
            assert status in (200, 400), (parameter, value[:40], answer)
            if status == 400:
                assert answer["__type"] == "ValidationException"


@pytest.mark.parametrize("route", CONTROLS, ids=lambda route: route[1])
def test_no_field_value_makes_a_control_fail(server: LocalEndpoints, route: tuple[str, str]) -> None:
    method, path = route
    for field in CONTROLS[route]:
        for value in ODD_VALUES:
            raw = f'{{"{field}": {value}}}'.encode()
            status, _, answer = call(server, method, path, raw, {"Content-Type": "application/json"})
            assert status in (200, 201, 204, 400), (field, value[:40], answer)
            server.reset()

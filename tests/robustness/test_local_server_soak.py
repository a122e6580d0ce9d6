"""The standalone local server (`python -m local_endpoints`, its own process) under abuse, its memory measured
from outside (VmRSS in /proc/PID/status): a 100 MB upload, and a soak of malformed requests and slow clients
after which it still answers and its memory is back within 20% of where it started. `pytest -s` shows the
figures."""

from __future__ import annotations

import contextlib
import json
import random
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
URL_LINE = re.compile(r"listening on http://127\.0\.0\.1:(\d+)")
CLASSIFIER = "/endpoints/demo-text-classifier/invocations"


class ServerProcess:
    """`python -m local_endpoints --port 0` in a process of its own; stderr is collected as it comes."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "local_endpoints", "--port", "0", "--token-delay", "0"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None and self.process.stderr is not None
        self.stderr: list[str] = []
        self._stderr_reader = threading.Thread(target=self._collect, args=(self.process.stderr,), daemon=True)
        self._stderr_reader.start()
        port = None
        deadline = time.monotonic() + 20
        while port is None and time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            if found := URL_LINE.search(line):
                port = int(found.group(1))
        if port is None:
            self.stop()
            raise AssertionError(f"the server printed no URL; stderr: {self.stderr}")
        self.port = port

    def _collect(self, stream: object) -> None:
        for line in stream:  # type: ignore[attr-defined]
            self.stderr.append(line.rstrip("\n"))

    def rss_mb(self) -> float:
        """The server process's resident memory (VmRSS), in MB."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        kilobytes = int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.M).group(1))  # type: ignore[union-attr]
        return kilobytes / 1024

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
        try:
            self.process.wait(timeout=10)
        finally:
            for stream in (self.process.stdout, self.process.stderr):
                if stream is not None:
                    stream.close()


@pytest.fixture(scope="module")
def server_process() -> Iterator[ServerProcess]:
    server = ServerProcess()
    yield server
    server.stop()


def request(port: int, raw: bytes, timeout: float = 10) -> bytes:
    """Send `raw` on a new connection and read until the server closes it or goes quiet; b"" if it reset."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        answer = b""
        try:
            sock.sendall(raw)
            while chunk := sock.recv(65536):
                answer += chunk
        except (ConnectionResetError, BrokenPipeError, TimeoutError):
            pass
        return answer


def status_of(answer: bytes) -> int | None:
    found = re.match(rb"HTTP/1\.1 (\d{3}) ", answer)
    return int(found.group(1)) if found else None


def classify(port: int) -> int | None:
    body = b'{"features": ["This is great!"]}'
    head = (
        f"POST {CLASSIFIER} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    return status_of(request(port, head + body))


def upload(port: int, size: int, chunked: bool) -> int | None:
    """POST `size` bytes to the classifier, all of them sent whatever the server says; the answer's status."""
    framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {size}"
    head = f"POST {CLASSIFIER} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n{framing}\r\n"
    head += "\r\n"
    piece = b"x" * (1024 * 1024)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        answer = b""
        try:
            sock.sendall(head.encode())
            for _ in range(size // len(piece)):
                sock.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n" if chunked else piece)
            if chunked:
                sock.sendall(b"0\r\n\r\n")
            while chunk := sock.recv(65536):
                answer += chunk
                if b"\r\n\r\n" in answer:
                    break
        except (ConnectionResetError, BrokenPipeError):
            pass
        if not answer:
            with contextlib.suppress(OSError):
                answer = sock.recv(65536)
    return status_of(answer)


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_100_mb_upload_costs_the_server_no_memory(server_process: ServerProcess, chunked: bool) -> None:
    assert classify(server_process.port) == 200  # the model is built before the measure
    before = server_process.rss_mb()
    statuses = [upload(server_process.port, 100 * 1024 * 1024, chunked) for _ in range(3)]
    after = server_process.rss_mb()
    framing = "chunked" if chunked else "Content-Length"
    print(f"\n100 MB upload ({framing}) x3: server RSS {before:.1f} -> {after:.1f} MB")
    assert set(statuses) <= {400, None}  # refused (None: reset while still sending, past the drain time)
    assert after - before < 20
    assert classify(server_process.port) == 200


# -- the soak ------------------------------------------------------------------------------------------------

SOAK_S = 20.0  # malformed and valid requests for this long, while slow clients are being cut off
WARM_UP_S = 4.0
WORKERS = 6
SLOW_CLIENTS = 8  # of each kind: slow head, slow body, silent
HEAD_TIMEOUT_S, BODY_TIMEOUT_S = 10.0, 20.0  # the server's defaults (limits.Timeouts)
GENERATION = json.dumps({"inputs": "The river", "parameters": {"max_new_tokens": 20}, "stream": True})
ODD = [
    "null",
    "true",
    "1e300",
    "-1e300",
    "NaN",
    "Infinity",
    "9" * 400,
    '"x"',
    "[]",
    "{}",
    "[" * 500 + "]" * 500,
]
CONTROL_PLANE_FIELDS = {
    "ListEndpoints": ["MaxResults", "NextToken", "SortBy", "CreationTimeBefore", "LastModifiedTimeAfter"],
    "ListInferenceComponents": ["MaxResults", "StatusEquals", "CreationTimeAfter", "EndpointNameEquals"],
    "DescribeEndpoint": ["EndpointName"],
    "DescribeInferenceComponent": ["InferenceComponentName"],
}


def http_request(
    method: str,
    path: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    framing: str | None = None,
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    lines.append(framing if framing is not None else f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def control_plane_request(operation: str, body: bytes) -> bytes:
    headers = {"X-Amz-Target": f"SageMaker.{operation}", "Content-Type": "application/x-amz-json-1.1"}
    return http_request("POST", "/", body, headers)


def chunks(total: int, size: int = 65536) -> bytes:
    return (f"{size:x}\r\n".encode() + b"x" * size + b"\r\n") * (total // size)


def malformed_inputs() -> dict[str, tuple[bytes, bool]]:
    """name -> (bytes to send, whether an answer is due: False for requests cut short on purpose)."""
    json_type = {"Content-Type": "application/json"}
    inputs: dict[str, tuple[bytes, bool]] = {
        # broken HTTP: h11 answers 400 and closes
        "garbage": (bytes(range(256)) * 4, True),
        "bad request line": (b"FOO BAR BAZ QUX\r\n\r\n", True),
        "no host": (b"GET /_local/health HTTP/1.1\r\n\r\n", True),
        "header without colon": (b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nnonsense\r\n\r\n", True),
        "20 KiB header": (b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 20480 + b"\r\n\r\n", True),
        "Content-Length abc": (http_request("POST", CLASSIFIER, framing="Content-Length: abc"), True),
        "Content-Length -1": (http_request("POST", CLASSIFIER, framing="Content-Length: -1"), True),
        "two Content-Lengths": (
            http_request("POST", "/", b"{}", framing="Content-Length: 2\r\nContent-Length: 3"),
            True,
        ),
        "bad chunk size": (
            http_request("POST", CLASSIFIER, b"zz\r\nxx\r\n0\r\n\r\n", framing="Transfer-Encoding: chunked"),
            True,
        ),
        "Transfer-Encoding gzip": (
            http_request("POST", CLASSIFIER, b"{}", framing="Transfer-Encoding: gzip"),
            True,
        ),
        "absolute-form target": (b"GET http://evil.example/ HTTP/1.1\r\nHost: evil.example\r\n\r\n", True),
        "HTTP/1.0": (b"GET /_local/health HTTP/1.0\r\n\r\n", True),
        # cut short: the server must not wait on them (the head and body clocks)
        "head cut short": (b"POST " + CLASSIFIER.encode() + b" HTTP/1.1\r\nHost: 127.0", False),
        "body cut short": (http_request("POST", CLASSIFIER, framing="Content-Length: 1000") + b"{", False),
        "chunked cut short": (
            http_request("POST", "/", b"5\r\nab", framing="Transfer-Encoding: chunked"),
            False,
        ),
        "stream left half-read": (http_request("POST", STREAM, GENERATION.encode(), json_type), False),
        # too large
        "Content-Length 100 MB": (
            http_request("POST", CLASSIFIER, framing="Content-Length: 100000000"),
            True,
        ),
        "chunked 7 MiB": (
            http_request("POST", CLASSIFIER, chunks(7 * 1024 * 1024), framing="Transfer-Encoding: chunked"),
            True,
        ),
        "control 2 MiB": (control_plane_request("ListEndpoints", b" " * (2 * 1024 * 1024)), True),
        "100-continue 10 MB": (
            http_request(
                "POST", CLASSIFIER, headers={"Expect": "100-continue"}, framing="Content-Length: 10000000"
            ),
            True,
        ),
        # cross-origin
        "foreign Origin": (
            http_request(
                "POST",
                "/_local/endpoints",
                b'{"count": 5}',
                {"Origin": "https://evil.example", "Content-Type": "text/plain"},
            ),
            True,
        ),
        "Sec-Fetch-Site cross-site": (
            http_request("POST", CLASSIFIER, b"{}", {"Sec-Fetch-Site": "cross-site"}),
            True,
        ),
        "rebound Host": (
            b"GET /_local/requests HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n",
            True,
        ),
        # bad values
        "count 1e9": (http_request("POST", "/_local/endpoints", b'{"count": 1e9}', json_type), True),
        "token_delay NaN": (
            http_request("PUT", "/_local/settings", b'{"token_delay": NaN}', json_type),
            True,
        ),
        "token_delay 1e308": (
            http_request("PUT", "/_local/settings", b'{"token_delay": 1e308}', json_type),
            True,
        ),
        "fault delay 1e300": (
            http_request("PUT", "/_local/faults/demo-text-classifier", b'{"delay_ms": 1e300}', json_type),
            True,
        ),
        "deep control": (http_request("PUT", "/_local/settings", b"[" * 100_000, json_type), True),
        "deep control plane": (control_plane_request("ListEndpoints", b"[" * 100_000), True),
        "deep runtime": (http_request("POST", CLASSIFIER, b"[" * 100_000, json_type), True),
        "bad endpoint name": (
            http_request("POST", "/endpoints/no%20such!/invocations", b"{}", json_type),
            True,
        ),
        "unknown session": (
            http_request("POST", CLASSIFIER, b"{}", {**json_type, "X-Amzn-SageMaker-Session-Id": "x" * 500}),
            True,
        ),
        "unknown variant": (
            http_request("POST", CLASSIFIER, b"{}", {**json_type, "X-Amzn-SageMaker-Target-Variant": "nope"}),
            True,
        ),
        "unknown path": (http_request("DELETE", "/" + "a/" * 2000, b""), True),
        "not JSON to a model": (http_request("POST", CLASSIFIER, b"\xff\xfe" * 1000, json_type), True),
    }
    for operation, fields in CONTROL_PLANE_FIELDS.items():
        for field in fields:
            for index, value in enumerate(ODD):
                body = f'{{"{field}": {value}}}'.encode()
                inputs[f"{operation} {field} #{index}"] = (control_plane_request(operation, body), True)
    return inputs


STREAM = "/endpoints/demo-tgi-generator/invocations-response-stream"
VALID = {
    "classify": http_request(
        "POST", CLASSIFIER, b'{"features": ["This is great!"]}', {"Content-Type": "application/json"}
    ),
    "stream": http_request("POST", STREAM, GENERATION.encode(), {"Content-Type": "application/json"}),
    "list endpoints": control_plane_request("ListEndpoints", b'{"MaxResults": 100}'),
    "csv": http_request(
        "POST", "/endpoints/demo-csv-regressor/invocations", b"1500,3,2,1990\n", {"Content-Type": "text/csv"}
    ),
}


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.tried: dict[str, int] = {}
        self.statuses: dict[int | None, int] = {}
        self.problems: list[str] = []

    def add(self, name: str, status: int | None, problem: str | None) -> None:
        with self.lock:
            self.tried[name] = self.tried.get(name, 0) + 1
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if problem is not None:
                self.problems.append(f"{name}: {problem}")


def exchange(port: int, raw: bytes, answer_due: bool, timeout: float = 8) -> tuple[int | None, bytes]:
    """Send `raw`; if an answer is due, read the first response (head and Content-Length body) or until the
    server closes, else hang up at once. Returns (status, what came)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        received = b""
        try:
            sock.sendall(raw)
            if not answer_due:
                return None, b""  # hang up at once
            while True:
                if b"\r\n\r\n" in received:
                    head, _, rest = received.partition(b"\r\n\r\n")
                    length = re.search(rb"(?im)^content-length: *(\d+)", head)
                    if length and len(rest) >= int(length.group(1)):
                        break
                chunk = sock.recv(65536)
                if not chunk:
                    break
                received += chunk
        except (ConnectionResetError, BrokenPipeError):
            pass  # a refused body still being sent when the server closes: the answer, if any, came first
        return status_of(received), received


def work(port: int, inputs: dict[str, tuple[bytes, bool]], deadline: float, tally: Tally, seed: int) -> None:
    rng = random.Random(seed)
    names = list(inputs)
    while time.monotonic() < deadline:
        if rng.random() < 0.2:
            name = rng.choice(list(VALID))
            status, received = exchange(port, VALID[name], answer_due=True)
            problem = None if status == 200 else f"a valid request answered {status}: {received[:300]!r}"
            tally.add(f"valid {name}", status, problem)
            continue
        name = rng.choice(names)
        raw, answer_due = inputs[name]
        try:
            status, received = exchange(port, raw, answer_due)
        except TimeoutError:
            tally.add(name, None, "no answer within 8 s")
            continue
        problem = None
        if status is not None and status >= 500:
            problem = f"answered {status}: {received[:300]!r}"
        elif (
            # A refused body still being sent can meet the server's close: under load its answer may be lost
            # to the reset (test_local_server_limits checks each such refusal answers, one at a time).
            answer_due
            and status is None
            and not name.startswith(("Content-Length 100 MB", "chunked 7 MiB", "control 2 MiB"))
        ):
            problem = f"no answer: {received[:100]!r}"
        tally.add(name, status, problem)


def slow_client(port: int, kind: str, cut_after: list[float]) -> None:
    """Send a request a byte a second (or nothing at all); record how long the server put up with it."""
    head = f"POST {CLASSIFIER} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n".encode()
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=1.0) as sock:
        if kind == "body":
            sock.sendall(head)
            started = time.monotonic()  # the body clock starts at the end of the head
        trickle = head if kind == "head" else b"x" * 1000
        for index in range(60):
            try:
                if kind != "silent":
                    sock.sendall(trickle[index : index + 1])
                if sock.recv(4096) == b"":
                    break
                # an answer (408): the server closes right after it
                sock.settimeout(3)
                while sock.recv(4096):
                    pass
                break
            except TimeoutError:
                continue
            except OSError:
                break
    cut_after.append(time.monotonic() - started)


def test_soak_malformed_requests_and_slow_clients(server_process: ServerProcess) -> None:
    port = server_process.port
    inputs = malformed_inputs()
    started_at_mb = server_process.rss_mb()
    # warm-up: every input once, from as many threads as the soak uses, so that lazily built models, imports
    # and per-thread allocator arenas exist before the first measure
    warm = Tally()
    threads = [
        threading.Thread(target=work, args=(port, inputs, time.monotonic() + WARM_UP_S, warm, seed))
        for seed in range(WORKERS)
    ]
    for raw, answer_due in inputs.values():
        exchange(port, raw, answer_due)
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert request(port, http_request("POST", "/_local/reset")).startswith(b"HTTP/1.1 204")
    time.sleep(0.5)
    before_mb = server_process.rss_mb()

    cut: dict[str, list[float]] = {"head": [], "body": [], "silent": []}
    slow = [
        threading.Thread(target=slow_client, args=(port, kind, cut[kind]), daemon=True)
        for kind in cut
        for _ in range(SLOW_CLIENTS)
    ]
    for thread in slow:
        thread.start()
    tally = Tally()
    soak_started = time.monotonic()
    workers = [
        threading.Thread(target=work, args=(port, inputs, soak_started + SOAK_S, tally, 100 + seed))
        for seed in range(WORKERS)
    ]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=SOAK_S + 30)
    for thread in slow:
        thread.join(timeout=max(0.0, soak_started + BODY_TIMEOUT_S + 5 - time.monotonic()))
    soaked_s = time.monotonic() - soak_started

    assert server_process.alive()
    assert request(port, VALID["classify"]).startswith(b"HTTP/1.1 200")
    assert request(port, http_request("POST", "/_local/reset")).startswith(b"HTTP/1.1 204")
    time.sleep(0.5)
    after_mb = server_process.rss_mb()
    tracebacks = [
        line for line in server_process.stderr if "Traceback" in line or "Exception in ASGI" in line
    ]
    crashes = len(tally.problems) + len(tracebacks) + (0 if server_process.alive() else 1)
    valid = sum(n for name, n in tally.tried.items() if name.startswith("valid"))
    print(
        f"\nsoak: {sum(tally.tried.values())} requests in {soaked_s:.1f} s ({len(tally.tried)} kinds of "
        f"input, {valid} of them valid), plus {len(slow)} slow clients"
    )
    print(f"soak: answers by status {dict(sorted(tally.statuses.items(), key=lambda item: str(item[0])))}")
    print(f"soak: crashes {crashes} (problems {len(tally.problems)}, tracebacks {len(tracebacks)})")
    for kind, times in cut.items():
        print(
            f"soak: slow {kind} clients cut after {min(times, default=0):.1f}-{max(times, default=0):.1f} s"
        )
    print(
        f"soak: server RSS {started_at_mb:.1f} MB at start, {before_mb:.1f} MB after warm-up, "
        f"{after_mb:.1f} MB after the soak ({(after_mb - before_mb) / before_mb:+.1%})"
    )
    assert tally.problems == []
    assert tracebacks == []
    assert len(cut["head"]) == len(cut["body"]) == len(cut["silent"]) == SLOW_CLIENTS
    assert max(cut["head"]) < HEAD_TIMEOUT_S + 1.5
    assert max(cut["silent"]) < HEAD_TIMEOUT_S + 1.5
    assert max(cut["body"]) < BODY_TIMEOUT_S + 1.5
    assert after_mb <= before_mb * 1.2

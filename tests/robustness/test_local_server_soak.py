"""The standalone local server (`python -m local_endpoints`, its own process) under abuse, its memory measured
from outside (VmRSS in /proc/PID/status): a 100 MB upload, and a soak of malformed requests and slow clients
after which it still answers and its memory is back within 20% of where it started. `pytest -s` shows the
figures."""

from __future__ import annotations

import contextlib
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

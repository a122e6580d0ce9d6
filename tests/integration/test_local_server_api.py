"""The embedded server's Python API: lifecycle, loopback binding, a loop one slow call cannot block."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from local_endpoints import LocalEndpoints


def test_lifecycle() -> None:
    server = LocalEndpoints(port=0)
    with pytest.raises(RuntimeError, match="no URL until it is started"):
        _ = server.url
    started = time.perf_counter()
    assert server.start() is server
    assert time.perf_counter() - started < 2
    assert server.url == f"http://127.0.0.1:{server.port}"
    with urllib.request.urlopen(f"{server.url}/_local/health") as response:
        assert response.read() == b"ok"
    with pytest.raises(RuntimeError, match="already started"):
        server.start()
    server.stop()
    server.stop()  # twice is harmless
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", server.port), timeout=1):
        pass
    server.start()  # again, on a new free port
    with urllib.request.urlopen(f"{server.url}/_local/health") as response:
        assert response.read() == b"ok"
    server.stop()


def test_binds_loopback_only(server: LocalEndpoints) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(1)
        probe.connect(("127.0.0.1", server.port))
        assert probe.getpeername()[0] == "127.0.0.1"
    table = Path("/proc/net/tcp").read_text().splitlines()[1:]
    listening = {line.split()[1] for line in table if line.split()[3] == "0A"}
    assert f"0100007F:{server.port:04X}" in listening  # 127.0.0.1, state LISTEN
    assert f"00000000:{server.port:04X}" not in listening  # not 0.0.0.0


def test_a_fixed_port_that_is_taken_is_an_error(server: LocalEndpoints) -> None:
    with pytest.raises(OSError):
        LocalEndpoints(port=server.port).start()


def test_negative_token_delay_is_refused() -> None:
    with pytest.raises(ValueError, match="token_delay cannot be negative"):
        LocalEndpoints(token_delay=-0.1)


def test_a_slow_call_does_not_hold_up_others(
    server: LocalEndpoints, boto3_clients: Callable[..., Any]
) -> None:
    runtime = boto3_clients(max_pool_connections=4)
    # Each contrasting wait is 3 s, the bound 2 s: a margin that holds on a loaded machine.
    server.inject_fault("demo-text-classifier", delay_ms=3000)
    server.token_delay = 0.1
    slow = threading.Thread(
        target=lambda: runtime.invoke_endpoint(
            EndpointName="demo-text-classifier", Body=b'{"features": ["ok"]}', ContentType="application/json"
        )["Body"].read()
    )
    slow.start()
    stream = runtime.invoke_endpoint_with_response_stream(
        EndpointName="demo-lmi-generator",
        Body=json.dumps(
            {"inputs": "Rain", "parameters": {"max_new_tokens": 30, "ignore_eos_token": True}}
        ).encode(),
        ContentType="application/json",
    )
    started = time.perf_counter()
    answer = runtime.invoke_endpoint(
        EndpointName="demo-csv-regressor", Body=b"120,3,15,4.5", ContentType="text/csv"
    )
    answer["Body"].read()
    assert time.perf_counter() - started < 2.0  # neither the delayed call nor the paced stream blocks it
    assert len(list(stream["Body"])) == 30
    slow.join()

"""The page against servers that are not SageMaker: one that answers in a format botocore cannot parse, one
that never answers. The page starts, says what went wrong in plain words, and never waits long."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route
from streamlit.testing.v1 import AppTest

from components import service_cache
from services import connection as connection_module
from services.connection import aws_connection, build_clients
from tests.support.thread_server import serve
from tests.ui.conftest import APP, unescaped


async def _not_aws(request: Request) -> Response:
    return HTMLResponse("<html><body><h1>Welcome to nginx!</h1> *not* [AWS](http://x)</body></html>")


@pytest.fixture
def not_aws_url() -> Iterator[str]:
    app = Starlette(routes=[Route("/{path:path}", _not_aws, methods=["GET", "POST"])])
    with serve(app) as url:
        yield url


@pytest.fixture
def silent_url() -> Iterator[str]:
    """A server that takes connections (the kernel's backlog) and never reads or answers."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture(autouse=True)
def fresh_clients() -> Iterator[None]:
    """Clients are cached per connection, and an AWS connection's key does not name AWS_ENDPOINT_URL: each
    test here starts and ends with none cached, so no other test gets clients pointed at these servers."""
    cached = (service_cache.clients_for, service_cache.catalog_for, service_cache.account_for)
    for function in cached:
        function.clear()
    yield
    for function in cached:
        function.clear()


def aws_page(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, endpoint_url: str) -> AppTest:
    """The app as a user with (dummy) AWS credentials and AWS_ENDPOINT_URL set sees it at start."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "not-a-real-secret",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_ENDPOINT_URL": endpoint_url,
        "SMTI_HISTORY_PATH": str(tmp_path / "history.sqlite3"),
    }.items():
        monkeypatch.setenv(name, value)
    return AppTest.from_file(APP, default_timeout=60)


def shown(at: AppTest) -> str:
    return unescaped("\n".join(e.value for e in [*at.error, *at.warning, *at.caption]))


def test_a_server_that_is_not_aws_is_reported_not_crashed_on(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, not_aws_url: str
):
    at = aws_page(monkeypatch, tmp_path, not_aws_url)
    at.run()
    assert not at.exception
    assert at.sidebar.radio[0].value == "AWS"
    assert "The server's answer could not be read" in shown(at)
    assert "Check AWS_ENDPOINT_URL" in shown(at)
    assert "not-a-real-secret" not in repr(at._tree)  # credentials are never shown


def test_a_control_plane_that_never_answers_costs_one_short_wait_and_is_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, silent_url: str
):
    # The real timeouts (5 s read, 2 attempts) scaled down, so the test takes seconds; the next test checks
    # that the real ones are what the clients get.
    monkeypatch.setattr(connection_module, "CONTROL_READ_TIMEOUT_S", 0.4)
    monkeypatch.setattr(connection_module, "CONTROL_CONNECT_TIMEOUT_S", 0.4)
    at = aws_page(monkeypatch, tmp_path, silent_url)
    started = time.monotonic()
    at.run()
    first_run = time.monotonic() - started
    assert not at.exception
    # STS, then ListEndpoints: two calls, two attempts each, 0.4 s each, plus botocore's backoff (<= 1 s)
    assert first_run < 6, first_run
    assert "Read timeout" in shown(at)
    started = time.monotonic()
    at.run()  # the next run answers from what the first one learned: no second wait
    assert time.monotonic() - started < 1.5
    assert "Read timeout" in shown(at)


def test_control_plane_clients_wait_seconds_and_the_runtime_keeps_sagemakers_60_s(
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-a-real-secret")
    clients = build_clients(aws_connection(region="eu-west-1"))
    for control in (clients.sagemaker, clients.sts):
        config = control.meta.config
        assert config.read_timeout <= 5 and config.connect_timeout <= 3
        assert config.retries["total_max_attempts"] == 2
    assert clients.runtime.meta.config.read_timeout >= 60

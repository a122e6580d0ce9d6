"""The standalone server (`python -m local_endpoints`) driven by the AWS CLI, and its clean shutdown."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.demo_endpoints import DEMO_ENDPOINTS

ROOT = Path(__file__).resolve().parents[2]
AWS_CLI = Path(sys.executable).with_name("aws")
URL_LINE = re.compile(r"listening on (http://127\.0\.0\.1:\d+)")


class Standalone:
    def __init__(self, *args: str, port: int = 0) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "local_endpoints", "--port", str(port), *args],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.banner: list[str] = []
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            self.banner.append(line.rstrip("\n"))
            if line.startswith("Press Ctrl+C"):
                break
        found = next((URL_LINE.search(line) for line in self.banner if URL_LINE.search(line)), None)
        if found is None:
            self.stop()
            raise AssertionError(f"no URL line in {self.banner}")
        self.url = found.group(1)

    def stop(self, sig: int = signal.SIGTERM) -> int:
        """Send `sig` to the server (by PID) and return its exit code."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=10)
        finally:
            for stream in (self.process.stdout, self.process.stderr):
                if stream is not None:
                    stream.close()


@pytest.fixture(scope="module")
def standalone() -> Iterator[Standalone]:
    server = Standalone()
    yield server
    server.stop()


def aws(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local", "AWS_PAGER": ""}
    return subprocess.run(
        [str(AWS_CLI), *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_banner_prints_url_and_ready_to_paste_lines(standalone: Standalone) -> None:
    banner = "\n".join(standalone.banner)
    assert f'boto3.client("sagemaker-runtime", endpoint_url="{standalone.url}"' in banner
    assert f"aws sagemaker-runtime invoke-endpoint --endpoint-url {standalone.url}" in banner
    assert f"aws sagemaker list-endpoints --endpoint-url {standalone.url}" in banner


# awscli from PyPI is version 1: a --body string is sent as is, so it takes no --cli-binary-format option.
def test_aws_cli_invokes_a_demo_endpoint(standalone: Standalone, tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    result = aws(
        "sagemaker-runtime",
        "invoke-endpoint",
        "--endpoint-url",
        standalone.url,
        "--region",
        "us-east-1",
        "--endpoint-name",
        "demo-text-classifier",
        "--content-type",
        "application/json",
        "--body",
        '{"features":["This is great!"]}',
        str(out),
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "ContentType": "application/json",
        "InvokedProductionVariant": "AllTraffic",
    }
    assert json.loads(out.read_text())["predictions"][0]["label"] == "positive"


def test_aws_cli_lists_and_describes_endpoints(standalone: Standalone) -> None:
    common = ("--endpoint-url", standalone.url, "--region", "us-east-1")
    listed = aws("sagemaker", "list-endpoints", *common)
    assert listed.returncode == 0, listed.stderr
    names = [e["EndpointName"] for e in json.loads(listed.stdout)["Endpoints"]]
    assert len(names) == len(DEMO_ENDPOINTS)  # the CLI follows NextToken itself
    assert names[0] == "demo-creating"
    missing = aws("sagemaker", "describe-endpoint", "--endpoint-name", "missing", *common)
    assert missing.returncode == 255
    assert (
        "An error occurred (ValidationException) when calling the DescribeEndpoint operation: "
        'Could not find endpoint "missing".'
    ) in missing.stderr


def test_aws_cli_shows_the_model_error(standalone: Standalone, tmp_path: Path) -> None:
    result = aws(
        "sagemaker-runtime",
        "invoke-endpoint",
        "--endpoint-url",
        standalone.url,
        "--region",
        "us-east-1",
        "--endpoint-name",
        "demo-csv-regressor",
        "--content-type",
        "text/csv",
        "--body",
        "not,numbers",
        str(tmp_path / "out"),
    )
    assert result.returncode == 255
    assert "An error occurred (ModelError) when calling the InvokeEndpoint operation" in result.stderr
    assert "Received client error (400) from primary" in result.stderr


def test_listens_on_the_port_given_on_loopback_only() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = Standalone(port=port)
    try:
        assert server.url == f"http://127.0.0.1:{port}"
        with urllib.request.urlopen(f"{server.url}/_local/health", timeout=5) as response:
            assert response.read() == b"ok"
        rows = [line.split() for line in Path("/proc/net/tcp").read_text().splitlines()[1:]]
        listening = {row[1] for row in rows if row[3] == "0A" and row[1].endswith(f":{port:04X}")}
        assert listening == {f"0100007F:{port:04X}"}  # 127.0.0.1 only, not 0.0.0.0
    finally:
        assert server.stop() == 0


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_stops_cleanly_on_signals(sig: int) -> None:
    server = Standalone()
    started = time.monotonic()
    assert server.stop(sig) == 0
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--container", "no-url-here"], "--container wants NAME=URL, got 'no-url-here'"),
        (["--container", "x=ftp://host"], "container URL must look like http://HOST:PORT, got 'ftp://host'"),
        (["--token-delay", "-1"], "token_delay cannot be negative"),
    ],
)
def test_bad_arguments_are_refused(args: list[str], message: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "local_endpoints", "--port", "0", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert f"error: {message}" in result.stderr

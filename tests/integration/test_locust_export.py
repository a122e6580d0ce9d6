"""The exported locustfile, run by Locust itself (headless, a few seconds) against the local server:
requests reported, no failures, and a stream's time to first token as its own entry."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from local_endpoints import LocalEndpoints
from local_endpoints.request_log import MAX_RECORDED
from services.locust_export import INVOKE_TYPE, STREAM_TYPE, TTFT_TYPE, locustfile
from services.results import InvocationRequest

LOCUST = shutil.which("locust", path=str(Path(sys.executable).parent))


def _run_locust(
    tmp_path: Path, source: str, seconds: int = 2, *, failing: bool = False
) -> dict[tuple[str, str], dict]:
    """Locust's final statistics, by (request type, name). Locust exits 1 when a request failed."""
    assert LOCUST, "locust is not installed: pip install -r requirements-dev.txt"
    file = tmp_path / "locustfile.py"
    file.write_text(source)
    stats = tmp_path / "stats.json"
    done = subprocess.run(
        [LOCUST, "-f", str(file), "--headless", "-u", "3", "-r", "3", "-t", f"{seconds}s",
         "--json-file", str(stats.with_suffix("")), "--only-summary", "--loglevel", "WARNING"],
        capture_output=True, text=True, timeout=60, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == (1 if failing else 0), done.stderr[-3000:]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    return {(entry["method"], entry["name"]): entry for entry in json.loads(stats.read_text())}


def test_the_locustfile_reports_every_invocation(server: LocalEndpoints, tmp_path: Path):
    request = InvocationRequest("demo-text-classifier", b'{"features": ["I love this product!"]}')
    source = locustfile(request, stream=False, region="us-east-1", endpoint_url=server.url)
    entries = _run_locust(tmp_path, source)
    entry = entries[(INVOKE_TYPE, "demo-text-classifier")]
    assert entry["num_requests"] > 0 and entry["num_failures"] == 0
    sent = [r for r in server.requests() if "demo-text-classifier" in r.path]
    assert len(sent) >= min(entry["num_requests"], MAX_RECORDED)  # the server's log keeps the newest 2,000
    assert sent[0].body == request.body  # exactly this request's bytes


def test_a_streamed_locustfile_reports_time_to_first_token_apart(server: LocalEndpoints, tmp_path: Path):
    request = InvocationRequest(
        "demo-tgi-generator",
        b'{"inputs": "the sea is grey and", "parameters": {"max_new_tokens": 8}}',
    )
    source = locustfile(request, stream=True, region="us-east-1", endpoint_url=server.url)
    entries = _run_locust(tmp_path, source)
    total = entries[(STREAM_TYPE, "demo-tgi-generator")]
    ttft = entries[(TTFT_TYPE, "demo-tgi-generator")]
    assert total["num_requests"] > 0 and total["num_failures"] == 0
    assert ttft["num_requests"] >= total["num_requests"] and ttft["num_failures"] == 0
    assert ttft["total_response_time"] < total["total_response_time"]


def test_a_failing_call_is_a_locust_failure(server: LocalEndpoints, tmp_path: Path):
    server.inject_fault("demo-text-classifier", throttle_next=1_000_000)
    source = locustfile(InvocationRequest("demo-text-classifier", b"{}"), stream=False, region="us-east-1",
                        endpoint_url=server.url)  # fmt: skip
    entry = _run_locust(tmp_path, source, seconds=1, failing=True)[(INVOKE_TYPE, "demo-text-classifier")]
    assert entry["num_requests"] > 0 and entry["num_failures"] == entry["num_requests"]


pytestmark = pytest.mark.timeout(90)

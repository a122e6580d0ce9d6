"""Latency runs against the local server, through real boto3: counts, streams, Stop, throttling, warm-up,
and a run kept in the history file and read back by a new store."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from local_endpoints import LocalEndpoints
from services.connection import Clients, Connection
from services.history import History
from services.latency_run import LatencyRun, RunOutcome, RunSettings, run_clients
from services.latency_store import LatencyRuns
from services.results import InvocationRequest

CLASSIFIER = InvocationRequest("demo-text-classifier", b'{"features": ["I love this product!"]}')
GENERATOR = InvocationRequest(
    "demo-tgi-generator",
    b'{"inputs": "the sea is grey and", "parameters": {"max_new_tokens": 12, "ignore_eos_token": true}}',
)


@pytest.fixture
def run_clients_for(server: LocalEndpoints) -> Iterator[object]:
    made: list[Clients] = []

    def make(concurrency: int) -> Clients:
        clients = run_clients(Connection(kind="local", region="us-east-1", local_url=server.url), concurrency)
        made.append(clients)
        return clients

    yield make
    for clients in made:
        clients.runtime.close()
        clients.sagemaker.close()


def _run(clients: Clients, request: InvocationRequest, settings: RunSettings, **kwargs: object) -> RunOutcome:
    run = LatencyRun(clients, request, settings, **kwargs).start()  # type: ignore[arg-type]
    assert run.wait(30), "the run did not finish"
    assert run.outcome is not None
    return run.outcome


def _invocations(server: LocalEndpoints, endpoint: str) -> int:
    return sum(1 for r in server.requests() if endpoint in r.path)


def test_20_requests_at_concurrency_4(server: LocalEndpoints, run_clients_for):
    clients = run_clients_for(4)
    assert clients.runtime.meta.config.max_pool_connections == 4  # the run's own pool, sized to C
    outcome = _run(clients, CLASSIFIER, RunSettings(concurrency=4, requests=20))
    summary = outcome.summary
    assert (summary.requests, summary.successes, summary.failures, summary.throttled) == (20, 20, 0, 0)
    assert _invocations(server, "demo-text-classifier") == 20
    latency = summary.latency
    assert latency.count == 20 and 0 < latency.min <= latency.p50 <= latency.p90 <= latency.p99 <= latency.max
    assert summary.requests_per_s and summary.requests_per_s > 0
    assert [s.started_s for s in outcome.samples] == sorted(s.started_s for s in outcome.samples)
    assert not outcome.stopped and outcome.client.pool_full == 0 and outcome.client.wall_s > 0


def test_a_stream_run_has_time_to_first_token_and_token_rates(server: LocalEndpoints, run_clients_for):
    outcome = _run(run_clients_for(2), GENERATOR, RunSettings(concurrency=2, requests=4, stream=True))
    summary = outcome.summary
    assert summary.successes == 4 and summary.streamed
    assert summary.ttft.count == 4 and summary.ttft.max is not None
    assert summary.ttft.max < summary.latency.max  # type: ignore[operator]
    assert summary.itl.count == 4 and summary.tokens_per_s.count == 4
    assert all(s.tokens >= 2 for s in outcome.samples)
    assert summary.total_tokens == sum(s.tokens for s in outcome.samples)
    assert summary.total_tokens_per_s and summary.total_tokens_per_s > 0


def test_stop_ends_a_run_mid_way(server: LocalEndpoints, run_clients_for):
    server.token_delay = 0.02  # each stream takes ~0.25 s: Stop finds some in flight
    run = LatencyRun(
        run_clients_for(3), GENERATOR, RunSettings(concurrency=3, requests=None, duration_s=30, stream=True)
    ).start()
    deadline = time.monotonic() + 10
    while run.progress().done < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    started = time.monotonic()
    run.stop()
    assert run.wait(5) and time.monotonic() - started < 2, "Stop did not end the run at once"
    outcome = run.outcome
    assert outcome is not None and outcome.stopped and run.progress().phase == "stopped"
    assert 3 <= outcome.summary.requests < 200 and outcome.summary.failures == 0
    assert outcome.cut_short >= 1  # the streams in flight were ended, and left out of the figures


def test_throttling_is_counted_apart(server: LocalEndpoints, run_clients_for):
    server.inject_fault("demo-text-classifier", throttle_next=3)
    summary = _run(run_clients_for(4), CLASSIFIER, RunSettings(concurrency=4, requests=20)).summary
    assert (summary.requests, summary.successes, summary.throttled) == (20, 17, 3)
    assert summary.errors == {"ThrottlingException": 3}
    assert summary.latency.count == 17  # only successes make the latency figures
    assert summary.retried == 0  # one attempt each: no retry hid a throttle


def test_warm_up_requests_are_sent_but_not_counted(server: LocalEndpoints, run_clients_for):
    outcome = _run(run_clients_for(2), CLASSIFIER, RunSettings(concurrency=2, requests=6, warmup=4))
    assert outcome.summary.requests == 6
    assert _invocations(server, "demo-text-classifier") == 10


def test_a_duration_run_stops_taking_requests_at_its_end(server: LocalEndpoints, run_clients_for):
    outcome = _run(run_clients_for(2), CLASSIFIER, RunSettings(concurrency=2, requests=None, duration_s=0.5))
    assert outcome.summary.requests > 2
    assert 0.5 <= outcome.summary.duration_s < 2.0


def test_a_run_is_stored_and_reopened_by_a_new_store_on_the_same_file(
    server: LocalEndpoints, run_clients_for, tmp_path: Path
):
    path = tmp_path / "history.sqlite3"
    store = LatencyRuns(History(path))
    outcome = _run(
        run_clients_for(4), GENERATOR, RunSettings(concurrency=2, requests=4, stream=True), on_end=store.save
    )
    assert outcome.id is not None

    reopened = LatencyRuns(History(path)).get(outcome.id)
    assert reopened is not None
    assert reopened.request == GENERATOR and reopened.settings == outcome.settings
    assert reopened.samples == outcome.samples
    assert reopened.summary == outcome.summary  # computed again from the samples: the same figures
    assert reopened.connection_label == f"Local · {server.url}"
    listed = LatencyRuns(History(path)).list()
    assert [info.id for info in listed] == [outcome.id]
    assert listed[0].requests == 4 and listed[0].streamed and listed[0].p50_ms == outcome.summary.latency.p50


def test_a_request_that_cannot_be_sent_is_refused_before_the_run(run_clients_for):
    from services.errors import InvalidRequestError

    with pytest.raises(InvalidRequestError, match="cannot be used with a streamed response"):
        LatencyRun(
            run_clients_for(1), InvocationRequest("x", b"{}", target_model="m"), RunSettings(stream=True)
        )

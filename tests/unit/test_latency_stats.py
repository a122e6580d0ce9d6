"""The latency run's figures: percentiles on known data, the inter-token latency definition, summaries,
comparisons, and the exports (CSV, JSON, locustfile) built from them."""

from __future__ import annotations

import ast
import base64
import csv
import io
import json
import random
from datetime import UTC, datetime

import numpy as np
import pytest

from services.latency_export import to_csv, to_json
from services.latency_run import ClientLoad, RunOutcome, RunSettings
from services.latency_stats import (
    Distribution,
    Sample,
    compare,
    inter_token_latency_ms,
    percentile,
    summarize,
)
from services.locust_export import locustfile
from services.results import InvocationRequest, StreamStats


def test_percentiles_on_known_data():
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([15, 20, 35, 40, 50], 90) == pytest.approx(46.0)  # rank 3.6: 40 + 0.6 × 10
    assert percentile([15, 20, 35, 40, 50], 0) == 15
    assert percentile([15, 20, 35, 40, 50], 100) == 50
    assert percentile([7.0], 99) == 7.0
    assert percentile(list(range(1, 101)), 99) == pytest.approx(99.01)
    with pytest.raises(ValueError):
        percentile([], 50)


def test_percentiles_match_numpy_linear():
    rng = random.Random(7)
    for size in (1, 2, 3, 10, 101, 1000):
        values = [rng.lognormvariate(3, 1) for _ in range(size)]
        for q in (0, 1, 50, 90, 99, 99.9, 100):
            assert percentile(values, q) == pytest.approx(float(np.percentile(values, q)))


def test_distribution_of_values_and_of_none():
    d = Distribution.of([10.0, 20.0, 30.0, 40.0])
    assert (d.count, d.min, d.mean, d.p50, d.max) == (4, 10.0, 25.0, 25.0, 40.0)
    assert d.p90 == pytest.approx(37.0) and d.p99 == pytest.approx(39.7)
    assert Distribution.of([]) == Distribution(count=0)


def test_inter_token_latency_is_total_minus_ttft_over_tokens_minus_one():
    sample = Sample(started_s=0.0, latency_ms=1000.0, ok=True, ttft_ms=100.0, tokens=10)
    assert sample.itl_ms == pytest.approx(100.0)  # (1000 − 100) / 9
    assert sample.tokens_per_s == pytest.approx(10.0)
    stats = StreamStats(time_to_first_token_ms=100.0, token_count=10)
    assert sample.itl_ms == stats.inter_token_latency_ms(1000.0)  # the card's definition
    assert inter_token_latency_ms(1000.0, 100.0, 1) is None  # one token: no gap to measure
    assert inter_token_latency_ms(100.0, 100.0, 5) is None  # no time after the first token
    assert inter_token_latency_ms(None, 100.0, 5) is None


def test_summary_counts_errors_by_code_and_throttling_apart():
    samples = [Sample(i * 0.1, 10.0 + i, True) for i in range(7)]
    samples += [Sample(1.0, 3.0, False, "ThrottlingException", throttled=True) for _ in range(2)]
    samples += [Sample(1.1, 50.0, False, "ModelError", attempts=2)]
    summary = summarize(samples, duration_s=2.0)
    assert (summary.requests, summary.successes, summary.failures, summary.throttled) == (10, 7, 3, 2)
    assert summary.errors == {"ThrottlingException": 2, "ModelError": 1}
    assert summary.requests_per_s == pytest.approx(5.0)
    assert summary.latency.count == 7 and summary.latency.min == 10.0 and summary.latency.max == 16.0
    assert summary.retried == 1
    assert summary.ttft.count == 0  # not a stream


def test_stream_summary_has_ttft_itl_and_tokens_per_second():
    samples = [
        Sample(0.0, 1000.0, True, ttft_ms=100.0, tokens=10),
        Sample(0.5, 600.0, True, ttft_ms=200.0, tokens=5),
    ]
    summary = summarize(samples, duration_s=1.0, streamed=True)
    assert summary.ttft.min == 100.0 and summary.ttft.max == 200.0
    assert summary.itl.min == pytest.approx(100.0) and summary.itl.max == pytest.approx(100.0)
    assert summary.tokens_per_s.p50 == pytest.approx(10.0)
    assert summary.total_tokens == 15 and summary.total_tokens_per_s == pytest.approx(15.0)


def test_compare_gives_both_runs_and_the_change():
    before = summarize([Sample(0, 100.0, True), Sample(0, 200.0, True)], 1.0)
    after = summarize([Sample(0, 50.0, True), Sample(0, 100.0, True)], 1.0)
    rows = {row.figure: row for row in compare(before, after)}
    assert rows["Latency p50 (ms)"].before == 150.0 and rows["Latency p50 (ms)"].after == 75.0
    assert rows["Latency p50 (ms)"].change_pct == pytest.approx(-50.0)
    assert rows["Requests"].change_pct == 0
    assert not any(name.startswith("Time to first token") for name in rows)  # neither streamed


def test_settings_problems():
    assert RunSettings().problem() is None
    assert RunSettings(concurrency=0).problem() == "Concurrency is 1 to 64."
    assert RunSettings(requests=None).problem() == "Give either a number of requests or a duration."
    assert RunSettings(requests=5, duration_s=3).problem() is None  # whichever comes first
    assert RunSettings(requests=None, duration_s=0).problem() is not None
    assert RunSettings(warmup=-1).problem() is not None


def _outcome(stream: bool = False) -> RunOutcome:
    samples = [Sample(0.0, 12.5, True, ttft_ms=2.0 if stream else None, tokens=4 if stream else 0)]
    samples.append(Sample(0.01, 1.0, False, "=cmd|' /C calc'!A0"))
    return RunOutcome(
        request=InvocationRequest("demo-text-classifier", b'{"features": ["x"]}'),
        settings=RunSettings(concurrency=2, requests=2, stream=stream),
        started_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        summary=summarize(samples, 0.5, streamed=stream),
        samples=samples,
        client=ClientLoad(0.5, 0.1, 0.05),
    )


def test_csv_has_one_row_per_request_and_no_formula_cells():
    rows = list(csv.DictReader(io.StringIO(to_csv(_outcome(stream=True)).decode())))
    assert len(rows) == 2
    assert (
        rows[0]["latency_ms"] == "12.500" and rows[0]["ttft_ms"] == "2.000" and rows[0]["itl_ms"] == "3.500"
    )
    assert rows[1]["ok"] == "0" and rows[1]["error_code"].startswith("'=")


def test_json_holds_the_run_whole():
    document = json.loads(to_json(_outcome()))
    assert document["request"]["body"] == '{"features": ["x"]}'
    assert document["summary"]["requests"] == 2 and document["summary"]["errors"]
    assert document["settings"]["concurrency"] == 2 and len(document["samples"]) == 2
    assert "Inter-token latency" in document["definitions"]["itl"]


def _literal(source: str, name: str) -> object:
    """The value the generated file assigns to `name` (only base64 calls and literals are evaluated)."""
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == name:
            code = compile(ast.Expression(node.value), "<locustfile>", "eval")
            return eval(code, {"__builtins__": {}, "base64": base64})
    raise AssertionError(f"{name} is not assigned")


@pytest.mark.parametrize(
    "body",
    [
        b'{\n  "features": ["caf\xc3\xa9 \\"quoted\\"", "\xe2\x80\xae bidi"]\n}',
        b'"""; import os; os.system("x") #',
        b"\x89PNG\r\n\x1a\n\x00\xff binary",
        b"a,b\n1,2\n",
    ],
)
def test_locustfile_sends_the_exact_body_and_parameters(body: bytes):
    request = InvocationRequest(
        "demo-text-classifier", body, "text/plain", custom_attributes='a"b\\c', target_model="m.tar.gz"
    )
    source = locustfile(request, stream=False, region="us-east-1", endpoint_url="http://127.0.0.1:9")
    compile(source, "locustfile.py", "exec")
    assert _literal(source, "BODY") == body
    assert _literal(source, "PARAMETERS") == {
        "EndpointName": "demo-text-classifier",
        "ContentType": "text/plain",
        "CustomAttributes": 'a"b\\c',
        "TargetModel": "m.tar.gz",
    }
    assert 'aws_access_key_id="local"' in source  # dummy keys for the loopback server only


def test_locustfile_for_aws_writes_no_credentials_and_leaves_out_what_streams_cannot_take():
    request = InvocationRequest("prod-llm", b"{}", target_model="m", inference_component_name="ic-1")
    source = locustfile(request, stream=True, region="eu-west-1", profile="team")
    compile(source, "locustfile.py", "exec")
    assert "aws_access_key_id" not in source and 'PROFILE = "team"' in source
    assert _literal(source, "PARAMETERS") == {
        "EndpointName": "prod-llm",
        "ContentType": "application/json",
        "InferenceComponentName": "ic-1",
    }
    assert _literal(source, "ENDPOINT_URL") is None and _literal(source, "NAME") == "prod-llm / ic-1"
    assert 'TTFT_TYPE = "TTFT"' in source

"""A latency run (services.latency_run, as the Latency page starts it) vs a raw boto3 thread pool.

1,000 requests at concurrency 16 against the local classifier, per side and per round; rounds alternate which
side goes first, so drift in the machine's load hits both alike. Both sides measure the same moment: from
just before invoke_endpoint to the end of Body.read(), on time.perf_counter, in a worker thread of this
process. The app's side is LatencyRun over run_clients (a pool of 16, one attempt); the raw side is a
pool of 16 threads looping over one boto3 client built with max_pool_connections=16 and one attempt. The
server runs in its own process (`python -m local_endpoints`, token_delay 0).

    .venv/bin/python bench/bench_latency_run.py [--runs 3] [--requests 1000] [--concurrency 16]
        [--warmup 64] [--app-dir PATH] [--json F]

Target: the run's p50 and p90 within 5 % of raw boto3's (pooled over the rounds).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from time import perf_counter

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _app import Report, app_dir_in_argv, arguments, local_server, run

sys.path.insert(0, str(app_dir_in_argv()))  # the services of the checkout measured (--app-dir)
import boto3
from botocore.config import Config

from services.connection import Connection
from services.latency_run import LatencyRun, RunSettings, run_clients
from services.latency_stats import percentile
from services.results import InvocationRequest

ENDPOINT = "demo-text-classifier"
BODY = b'{"features": ["This is great!"]}'


def main() -> int:
    parser = arguments(__doc__, runs=3, warmup=64)
    parser.add_argument("--requests", type=int, default=1000, help="measured requests per side per round")
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    return run("bench_latency_run", args, lambda report: measure(report, args))


def app_side(url: str, args: argparse.Namespace) -> tuple[list[float], float]:
    connection = Connection(kind="local", region="us-east-1", local_url=url)
    settings = RunSettings(concurrency=args.concurrency, requests=args.requests, warmup=args.warmup)
    latency_run = LatencyRun(
        run_clients(connection, args.concurrency),
        InvocationRequest(ENDPOINT, BODY),
        settings,
        owns_clients=True,
    ).start()
    if not latency_run.wait(600) or latency_run.outcome is None:
        raise SystemExit("the latency run did not finish")
    outcome = latency_run.outcome
    if outcome.summary.failures:
        raise SystemExit(f"the latency run had failures: {outcome.summary.errors}")
    print(
        f"      app client: {outcome.client.process_share:.0%} of a core; "
        f"{outcome.client.bottleneck or 'kept up'}"
    )
    latencies = [s.latency_ms for s in outcome.samples if s.latency_ms is not None]
    return latencies, outcome.summary.duration_s


def raw_side(url: str, args: argparse.Namespace) -> tuple[list[float], float]:
    runtime = boto3.client(
        "sagemaker-runtime",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
        config=Config(
            retries={"total_max_attempts": 1, "mode": "standard"}, max_pool_connections=args.concurrency
        ),
    )

    def call() -> float:
        started = perf_counter()
        runtime.invoke_endpoint(EndpointName=ENDPOINT, Body=BODY, ContentType="application/json")[
            "Body"
        ].read()
        return (perf_counter() - started) * 1000.0

    def loop(tickets: Iterator[int], into: list[float]) -> None:
        # C threads each sending back to back, as the run's workers do (a map of 1,000 futures would add the
        # executor's queue and the main thread's wake-ups to the baseline)
        for _ in tickets:
            into.append(call())

    def phase(count: int) -> list[float]:
        tickets = iter(range(count))  # next() on a range iterator is atomic under the GIL
        into: list[float] = []
        with ThreadPoolExecutor(args.concurrency) as pool:
            for future in [pool.submit(loop, tickets, into) for _ in range(args.concurrency)]:
                future.result()
        return into

    phase(args.warmup)
    started = perf_counter()
    latencies = phase(args.requests)
    duration = perf_counter() - started
    runtime.close()
    return latencies, duration


def measure(report: Report, args: argparse.Namespace) -> None:
    app: list[float] = []
    raw: list[float] = []
    rates: dict[str, list[float]] = {"app": [], "raw": []}
    rounds: dict[str, list[list[float]]] = {"app": [], "raw": []}
    with local_server(token_delay=0) as server:
        for index in range(args.runs):
            sides = [("raw", raw_side, raw), ("app", app_side, app)]
            for name, side, into in sides if index % 2 == 0 else reversed(sides):
                latencies, duration = side(server.url, args)
                into += latencies
                rounds[name].append(latencies)
                rates[name].append(len(latencies) / duration)
                print(
                    f"  round {index + 1} {name}: p50 {percentile(latencies, 50):.3f} ms, "
                    f"p90 {percentile(latencies, 90):.3f} ms, {len(latencies) / duration:,.0f} req/s"
                )
    for stat in (50, 90):
        # Each round's pair ran back to back: the median of their ratios is what machine load moves least.
        pairs = sorted(
            percentile(a, stat) / percentile(r, stat)
            for a, r in zip(rounds["app"], rounds["raw"], strict=True)
        )
        report.note(f"p{stat} ratio per round (app / raw), sorted: {', '.join(f'{x:.3f}' for x in pairs)}")
        raw_value, app_value = percentile(raw, stat), percentile(app, stat)
        ratio = app_value / raw_value
        report.row(
            f"L{stat}",
            f"latency run p{stat}: {args.requests} requests x {args.runs} rounds at concurrency "
            f"{args.concurrency}, classifier",
            "invoke_endpoint called -> Body.read() returned (perf_counter, worker thread)",
            f"p{stat} {raw_value:.3f} ms ({max(rates['raw']):,.0f} req/s best round)",
            f"p{stat} {app_value:.3f} ms; ratio {ratio:.3f} ({max(rates['app']):,.0f} req/s best round)",
            "within 5 % of raw",
            abs(ratio - 1.0) <= 0.05,
            numbers={"raw_ms": raw_value, "app_ms": app_value, "ratio": ratio},
        )


if __name__ == "__main__":
    sys.exit(main())

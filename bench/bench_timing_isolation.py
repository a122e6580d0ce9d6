"""Why invocations run in a process of their own: the Execution Length a busy process measures, three ways.

The same slow call (demo-text-classifier with a fault delay, default 1,000 ms; the server in its own
process) is timed, interleaved, round by round, by:

- raw boto3 in this bench's process, with nothing else running in it (the baseline);
- the service's `invoke()` in a worker thread of a process that is busy the way a page's process is (a
  thread serialising JSON and running Python loops, holding the GIL for milliseconds at a time): how the app
  measured before the invoker;
- the app's `Invoker` (its child process times the call) while its parent is busy in the same way.

Each figure is the median excess over the raw call of the same round. Target: the app's way within +20 ms.

    .venv/bin/python bench/bench_timing_isolation.py [--runs 8] [--delay-ms 1000] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
from pathlib import Path
from time import perf_counter
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _app import Report, arguments, local_server, run

from services.connection import Connection, build_clients
from services.invocation import invoke
from services.invoker import Invoker
from services.results import InvocationRequest

ENDPOINT = "demo-text-classifier"
BODY = b'{"features": ["This is great!"]}'
TARGET_MS = 20.0


def busy(stop: threading.Event) -> None:
    """What a page's process does between two frames, without end: JSON and Python work under the GIL."""
    page = {f"element-{n}": ["x" * 50] * 20 for n in range(3000)}
    while not stop.is_set():
        total = 0
        for n in range(20_000):
            total += n * n
        json.dumps(page)


def in_a_worker_thread(clients: Any, request: InvocationRequest) -> float:
    """invoke() in a worker thread of this process, as the app did before the invoker."""
    results = []
    worker = threading.Thread(target=lambda: results.append(invoke(clients, request)))
    worker.start()
    worker.join()
    return float(results[0].execution_ms)


def measure(report: Report, args: argparse.Namespace) -> None:
    invoker = Invoker()
    try:
        with local_server(token_delay=0) as server:
            server.fault(ENDPOINT, delay_ms=args.delay_ms)
            connection = Connection(kind="local", region="us-east-1", local_url=server.url)
            clients = build_clients(connection)
            request = InvocationRequest(ENDPOINT, BODY)

            def raw_ms() -> float:
                started = perf_counter()
                response = clients.runtime.invoke_endpoint(
                    EndpointName=ENDPOINT, Body=BODY, ContentType="application/json"
                )
                response["Body"].read()
                return (perf_counter() - started) * 1000.0

            def invoker_ms() -> float:
                handle = invoker.start(connection, request, stream=False)
                handle.wait(60)
                assert handle.result is not None and handle.result.execution_ms is not None
                return handle.result.execution_ms

            for _ in range(args.warmup):  # each side opens its connection
                invoker_ms()
                raw_ms()
            raws: list[float] = []
            thread_excess: list[float] = []
            invoker_excess: list[float] = []
            for _ in range(args.runs):
                raws.append(raw_ms())  # a quiet process
                stop = threading.Event()
                loader = threading.Thread(target=busy, args=(stop,), daemon=True)
                loader.start()
                try:
                    thread_excess.append(in_a_worker_thread(clients, request) - raws[-1])
                    invoker_excess.append(invoker_ms() - raws[-1])
                finally:
                    stop.set()
                    loader.join()
    finally:
        invoker.close()

    raw = f"invoke_endpoint + read {statistics.median(raws):,.0f} ms (n {len(raws)})"
    stops = "the call's own execution_ms, minus raw boto3's in the same round"
    report.row(
        "t",
        f"a {args.delay_ms:,} ms call, timed by a worker thread of a busy process (the app before)",
        stops,
        raw,
        f"+{statistics.median(thread_excess):,.1f} ms (max +{max(thread_excess):,.1f})",
        "reported",
        None,
    )
    report.row(
        "t",
        f"a {args.delay_ms:,} ms call, timed by the app's invoker child while its parent is busy",
        stops,
        raw,
        f"+{statistics.median(invoker_excess):,.1f} ms (max +{max(invoker_excess):,.1f})",
        f"within +{TARGET_MS:.0f} ms",
        statistics.median(invoker_excess) <= TARGET_MS,
    )


def main() -> int:
    parser = arguments(__doc__, runs=8, warmup=1)
    parser.add_argument("--delay-ms", type=int, default=1000, help="the model's delay")
    args = parser.parse_args()
    return run("bench_timing_isolation", args, lambda report: measure(report, args))


if __name__ == "__main__":
    sys.exit(main())

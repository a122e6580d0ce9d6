"""Service invoke() vs raw boto3 invoke_endpoint + Body.read(): the service's overhead on the hot path.

Same client, same local server (token_delay 0), interleaved calls (alternating which goes first) so drift in
the machine's load hits both sides alike. Each call is timed from outside with time.perf_counter, so the
service's own bookkeeping (parameter mapping, clocks, the result object) is inside its number.

The server runs in its own process (`python -m local_endpoints`), as a real endpoint would: in this process
its threads would compete with the client for the GIL and add noise larger than the overhead being measured.
`--in-process` runs it in a thread instead.

    .venv/bin/python bench/bench_invoke.py [--runs 2000] [--warmup 200] [--in-process] [--app-dir PATH]
        [--json F]

--app-dir measures that checkout's services (the local server is always this repository's).

Target: median ratio (service / raw) <= 1.05.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
from collections.abc import Iterator
from pathlib import Path
from time import perf_counter

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _app import LocalServer, Report, app_dir_in_argv, arguments, local_server, run

sys.path.insert(0, str(app_dir_in_argv()))  # the services of the checkout measured (--app-dir)
from local_endpoints import LocalEndpoints
from services.connection import Connection, build_clients
from services.invocation import invoke
from services.results import InvocationRequest, Status

BODY = b'{"features": ["This is great!"]}'
ENDPOINT = "demo-text-classifier"


@contextlib.contextmanager
def server_thread() -> Iterator[LocalServer]:
    with LocalEndpoints(port=0, token_delay=0) as server:
        yield LocalServer(server.url)


def main() -> int:
    parser = arguments(__doc__, runs=2000, warmup=200)
    parser.add_argument(
        "--in-process", action="store_true", help="run the server in a thread of this process"
    )
    args = parser.parse_args()
    return run("bench_invoke", args, lambda report: measure(report, args))


def measure(report: Report, args: argparse.Namespace) -> None:
    with server_thread() if args.in_process else local_server(token_delay=0) as server:
        clients = build_clients(Connection(kind="local", region="us-east-1", local_url=server.url))
        request = InvocationRequest(endpoint_name=ENDPOINT, body=BODY)
        runtime = clients.runtime

        def service_call() -> None:
            result = invoke(clients, request)
            if result.status is not Status.SUCCESS:
                raise SystemExit(f"service call failed: {result.error}")

        def raw_call() -> None:
            runtime.invoke_endpoint(EndpointName=ENDPOINT, Body=BODY, ContentType="application/json")[
                "Body"
            ].read()

        for _ in range(args.warmup):
            service_call()
            raw_call()

        service: list[float] = []
        raw: list[float] = []
        ratios: list[float] = []
        for index in range(args.runs):
            pair = ((service_call, service), (raw_call, raw))
            for call, times in pair if index % 2 == 0 else reversed(pair):
                started = perf_counter()
                call()
                times.append((perf_counter() - started) * 1000.0)
            ratios.append(service[-1] / raw[-1])

    def p90(values: list[float]) -> float:
        return statistics.quantiles(values, n=10)[-1]

    median_ratio = statistics.median(service) / statistics.median(raw)
    where = "a thread of this process" if args.in_process else "its own process"
    print(
        f"calls per side: {args.runs} after {args.warmup} warm-up calls each, interleaved; server in {where}"
    )
    print(f"raw boto3   median {statistics.median(raw):.3f} ms   p90 {p90(raw):.3f} ms")
    print(f"service     median {statistics.median(service):.3f} ms   p90 {p90(service):.3f} ms")
    print(f"median ratio (service / raw): {median_ratio:.4f}")
    print(f"median of pairwise ratios:    {statistics.median(ratios):.4f}")
    report.row(
        "i",
        "service invoke() vs raw boto3, non-streamed classifier",
        "call -> result (raw: invoke_endpoint + Body.read())",
        f"median {statistics.median(raw):.3f} ms",
        f"median {statistics.median(service):.3f} ms; ratio {median_ratio:.4f}",
        "ratio <= 1.05",
        median_ratio <= 1.05,
    )


if __name__ == "__main__":
    sys.exit(main())

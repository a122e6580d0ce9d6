"""Click Send Request to the Success card visible, minus what raw boto3 takes for the same call.

A real `streamlit run` of the app in Debian's Chromium, its own local server process (token_delay 0) and the
benchmark process's raw boto3 `invoke_endpoint` + `Body.read()` on demo-text-classifier with the same body,
interleaved with the page runs (alternating which goes first) so load drift hits both alike.

Page side (browser clock): from the click event on Send Request to the first DOM mutation that shows the new
card's Success status (MutationObserver); "next frame" is the requestAnimationFrame after that. Results are
cleared before each run, so every run draws one card (`--keep-cards` lets the stack grow instead).

    .venv/bin/python bench/bench_ui_success.py [--runs 20] [--warmup 3] [--keep-cards]

Target: median(page) - median(raw boto3) <= 150 ms.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from time import perf_counter

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _app import app_page, describe, load_average, print_verdict, runtime_client

ENDPOINT = "demo-text-classifier"
BODY = '{"features": ["This is great!"]}'
TARGET_MS = 150.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="timed runs per side (>= 20)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed runs per side first")
    parser.add_argument("--keep-cards", action="store_true", help="do not clear the results between runs")
    args = parser.parse_args()
    print(f"load average at start: {load_average()}")

    with app_page(token_delay=0) as (server_url, app):
        runtime = runtime_client(server_url)

        def raw_ms() -> float:
            started = perf_counter()
            runtime.invoke_endpoint(
                EndpointName=ENDPOINT, Body=BODY.encode(), ContentType="application/json"
            )["Body"].read()
            return (perf_counter() - started) * 1000.0

        pending: list[float] = []
        frame: list[float] = []

        def page_ms() -> float:
            if not args.keep_cards:
                app.clear_results()
            times = app.send(timeout_s=30)
            if times.status != "success" or times.final is None:
                raise SystemExit(f"the card ended {times.status}, not Success")
            app.settle(0.3)  # the full run after Success (history save) must not overlap the next raw call
            if times.card is not None and times.frame is not None:
                pending.append(times.card)
                frame.append(times.frame)
            return times.final

        app.pick_endpoint(ENDPOINT)
        app.set_editor(BODY)
        if app.stream_switch_on():
            raise SystemExit("the stream switch is on for a classifier request")
        for _ in range(args.warmup):
            raw_ms()
            page_ms()
        raw: list[float] = []
        page: list[float] = []
        pending.clear()
        frame.clear()
        for index in range(args.runs):
            if index % 2 == 0:
                raw.append(raw_ms())
                page.append(page_ms())
            else:
                page.append(page_ms())
                raw.append(raw_ms())

    cards = "growing stack" if args.keep_cards else "results cleared before each run"
    print(f"runs per side: {args.runs} after {args.warmup} warm-up runs, interleaved; {cards}")
    print(describe("raw boto3 invoke_endpoint", raw))
    print(describe("click -> new card (Pending) in DOM", pending))
    print(describe("click -> Success card visible", page))
    print(describe("click -> next frame after Success", frame))
    return print_verdict(page, raw, TARGET_MS)


if __name__ == "__main__":
    sys.exit(main())

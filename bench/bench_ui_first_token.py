"""First streamed token visible in the page, minus raw boto3's time to the stream's first part.

A real `streamlit run` of the app in Debian's Chromium and its own local server process (token_delay 0.03 s,
the default pacing: the first part is sent at once, later ones paced). The baseline is measured in the
benchmark process, interleaved with the page runs (alternating which goes first): raw boto3
`invoke_endpoint_with_response_stream` with the same body, from the call to the first PayloadPart event
(the rest of the stream is then read, untimed).

Page side (browser clock): from the click event on Send Request to the first DOM mutation that shows non-empty
streamed text in the new card (MutationObserver). Each run waits for its card to end (Success) and results are
cleared before the next.

    .venv/bin/python bench/bench_ui_first_token.py [--runs 20] [--warmup 3] [--tokens 20]

Target: median(page first token) - median(raw first part) <= 100 ms.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from time import perf_counter

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _app import app_page, describe, load_average, print_verdict, runtime_client

ENDPOINT = "demo-tgi-generator"
TOKEN_DELAY_S = 0.03
TARGET_MS = 100.0


def request_body(tokens: int) -> str:
    """Greedy and a fixed length, so every run streams the same answer."""
    parameters = {"max_new_tokens": tokens, "do_sample": False, "ignore_eos_token": True}
    return json.dumps({"inputs": "What is Amazon SageMaker?", "parameters": parameters, "stream": True})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="timed runs per side (>= 20)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed runs per side first")
    parser.add_argument("--tokens", type=int, default=20, help="max_new_tokens of the request")
    args = parser.parse_args()
    body = request_body(args.tokens)
    print(f"load average at start: {load_average()}")

    with app_page(token_delay=TOKEN_DELAY_S) as (server_url, app):
        runtime = runtime_client(server_url)

        def raw_first_ms() -> float:
            started = perf_counter()
            response = runtime.invoke_endpoint_with_response_stream(
                EndpointName=ENDPOINT, Body=body.encode(), ContentType="application/json"
            )
            events = iter(response["Body"])
            first = None
            for event in events:
                if "PayloadPart" in event:
                    first = (perf_counter() - started) * 1000.0
                    break
            for _ in events:  # read the rest, as the page does, so the next call starts clean
                pass
            if first is None:
                raise SystemExit("the raw stream had no PayloadPart")
            return first

        card_seen: list[float] = []

        def page_first_ms() -> float:
            app.clear_results()
            times = app.send(need_text=True, timeout_s=30)
            if times.status != "success" or times.first_text is None:
                raise SystemExit(f"the card ended {times.status} (first text {times.first_text})")
            app.settle(0.3)
            if times.card is not None:
                card_seen.append(times.card)
            return times.first_text

        app.pick_endpoint(ENDPOINT)
        app.set_editor(body)
        if not app.stream_switch_on():
            raise SystemExit("the stream switch is off for a streaming request")
        for _ in range(args.warmup):
            raw_first_ms()
            page_first_ms()
        raw: list[float] = []
        page: list[float] = []
        card_seen.clear()  # warm-up runs do not count
        for index in range(args.runs):
            if index % 2 == 0:
                raw.append(raw_first_ms())
                page.append(page_first_ms())
            else:
                page.append(page_first_ms())
                raw.append(raw_first_ms())

    print(
        f"runs per side: {args.runs} after {args.warmup} warm-up runs, interleaved; "
        f"{args.tokens} tokens per answer, server token_delay {TOKEN_DELAY_S} s"
    )
    print(describe("raw boto3 call -> first part", raw))
    print(describe("click -> new card (Pending) in DOM", card_seen))
    print(describe("click -> first token visible", page))
    return print_verdict(page, raw, TARGET_MS)


if __name__ == "__main__":
    sys.exit(main())

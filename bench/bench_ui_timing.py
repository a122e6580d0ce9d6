"""Are the times a card SHOWS honest? Execution Length and Time to first token vs raw boto3, on a busy page.

The page is kept busy: a long paced stream (demo-tgi-generator, 4,000 tokens at token_delay 0.03 s) is
started in the same tab first, so its card streams while the measured calls run (each run notes whether it
still was). Raw side: the same call from the bench process, interleaved.

  5e  demo-text-classifier with fault delay_ms 3000: the number in the new card's "Execution Length (ms)"
      (read once the card is final) vs raw boto3's invoke_endpoint + Body.read() time.
  5t  demo-tgi-generator, 20 greedy tokens, fault delay_ms 500 (delay_ms holds the answer back, streams
      included, so the first token is late): the card's "Time to first token (ms)" vs raw boto3's call ->
      first non-empty token.

    .venv/bin/python bench/bench_ui_timing.py [--app-dir PATH] [--runs 5] [--json out.json]

Targets: median(shown) - median(raw) within +-20 ms, for both.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _app import (
    CLASSIFIER,
    CLASSIFIER_BODY,
    GENERATOR,
    App,
    AppPage,
    Report,
    arguments,
    generator_body,
    interleave,
    median,
    ms,
    run,
    running_app,
    spread,
    want_json,
    want_stream,
)

TARGET_MS = 20.0
SLOW_MS = 3000
TTFT_DELAY_MS = 500


def start_busy_stream(app: App, page: AppPage) -> str:
    """Send the long paced stream; returns its card's id once its first token shows."""
    body = generator_body(4000)
    expected = app.raw.stream(GENERATOR, generator_body(20))
    page.pick_endpoint(GENERATOR)
    page.type_body(body)
    page.idle(1.5)
    want = {**want_stream(expected), "tail": "\u0000", "length": 10**9}
    times = page.send(want, "b.t.first != null", timeout_s=30)
    page.disarm()
    assert times.card_id is not None
    return times.card_id


def measure_shown(
    app: App, page: AppPage, report: Report, runs: int, *, moment: str, endpoint: str, body: str
) -> None:
    page.pick_endpoint(endpoint)
    page.type_body(body)
    page.idle(1.5)
    streamed = endpoint == GENERATOR
    if streamed:
        want = want_stream(app.raw.stream(endpoint, body))
        until, label = "b.t.full != null && b.t.final != null", "Time to first token (ms)"
        app.server.fault(endpoint, delay_ms=TTFT_DELAY_MS)
    else:
        want = want_json(app.raw.invoke(endpoint, body)[1])
        until, label = "b.t.output != null && b.t.final != null", "Execution Length (ms)"
        app.server.fault(endpoint, delay_ms=SLOW_MS)
    raw: list[float] = []
    shown: list[float] = []
    busy = 0

    def raw_run() -> None:
        raw.append(
            app.raw.stream(endpoint, body).first_token_ms if streamed else app.raw.invoke(endpoint, body)[0]
        )

    def page_run() -> None:
        nonlocal busy
        page.idle(1.0)
        times = page.send(want, until, timeout_s=40)
        if times.status != "success":
            raise SystemExit(f"the card ended {times.status}")
        busy += int(page.page.evaluate("() => window.__bench.othersPending()") > 0)
        value = page.number(label)
        if value is None:
            raise SystemExit(f"the card shows no number under {label!r}: {page.field(label)!r}")
        shown.append(value)

    try:
        interleave(runs, raw_run, page_run)
    finally:
        app.server.clear_faults()
    difference = median(shown) - median(raw)
    what = (
        f"Time to first token shown (generator, delay_ms {TTFT_DELAY_MS})"
        if streamed
        else f"Execution Length shown (classifier, delay_ms {SLOW_MS})"
    )
    report.row(
        moment,
        f"{what}; page busy with a stream in {busy} of {len(shown)} runs",
        f"the final card's {label!r} field",
        ("call -> first non-empty token " if streamed else "invoke_endpoint + read ") + spread(raw),
        f"{spread(shown)}; minus raw {ms(difference)}",
        f"within +-{TARGET_MS:.0f} ms of raw",
        abs(difference) <= TARGET_MS,
        {"raw_ms": raw, "app_ms": shown, "busy_runs": busy},
    )


def main() -> int:
    parser = arguments(__doc__, runs=5)
    args = parser.parse_args()

    def measure(report: Report) -> None:
        with running_app(args.app_dir, token_delay=0.03) as app:
            page = app.new_page()
            busy_card = start_busy_stream(app, page)
            measure_shown(
                app, page, report, args.runs, moment="5e", endpoint=CLASSIFIER, body=CLASSIFIER_BODY
            )
            measure_shown(
                app, page, report, args.runs, moment="5t", endpoint=GENERATOR, body=generator_body(20)
            )
            stop = page.page.locator(f".st-key-stop-{busy_card} button")
            if stop.count():
                stop.first.click()

    return run("bench_ui_timing", args, measure)


if __name__ == "__main__":
    sys.exit(main())

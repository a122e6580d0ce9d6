"""CPU time of the app's server: idle with finished cards on the page, and while a paced stream plays.

The figure is the `streamlit run` process's CPU time (utime + stime from /proc/PID/stat) plus that of all
its descendants (a ppid walk over /proc: the app may run invocations in a child process) and of children
already reaped, over a window of wall time; "% of one core" is CPU seconds / wall seconds.

  8i  idle: one tab open showing only finished cards (3 classifier answers, 1 short stream), nothing
      happening, for --idle-s seconds (60).
  8s  a ~30 s paced stream (demo-tgi-generator, 1,000 greedy tokens at token_delay 0.03 s) from the click
      to the card final with the whole text. Raw side: this bench process's own CPU time (process_time)
      for raw boto3 reading the same stream, interleaved.

    .venv/bin/python bench/bench_ui_cpu.py [--app-dir PATH] [--idle-s 60] [--runs 1] [--json out.json]

Target: 8i <= 1 % of one core (idle ~0); 8s is reported.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _app import (
    CLASSIFIER,
    CLASSIFIER_BODY,
    GENERATOR,
    App,
    AppPage,
    RawStream,
    Report,
    arguments,
    cpu_seconds,
    generator_body,
    interleave,
    median,
    run,
    running_app,
    want_json,
    want_stream,
)

IDLE_TARGET = 0.01  # of one core


def finished_cards(app: App, page: AppPage) -> None:
    page.pick_endpoint(CLASSIFIER)
    page.type_body(CLASSIFIER_BODY)
    page.idle(1.5)
    want = want_json(app.raw.invoke(CLASSIFIER, CLASSIFIER_BODY)[1])
    for _ in range(3):
        page.send(want, "b.t.output != null && b.t.final != null")
        page.idle(1.0)
    body = generator_body(20)
    page.pick_endpoint(GENERATOR)
    page.type_body(body)
    page.idle(1.5)
    page.send(want_stream(app.raw.stream(GENERATOR, body)), "b.t.full != null && b.t.final != null")
    page.disarm()


def usage(cpu_s: float, wall_s: float) -> str:
    return f"{cpu_s:.2f} CPU s in {wall_s:.0f} s = {100 * cpu_s / wall_s:.1f} % of one core"


def main() -> int:
    parser = arguments(__doc__, runs=1)
    parser.add_argument("--idle-s", type=float, default=60.0, help="length of the idle window")
    args = parser.parse_args()

    def measure(report: Report) -> None:
        with running_app(args.app_dir, token_delay=0.03) as app:
            pid = app.process.pid
            page = app.new_page()
            finished_cards(app, page)
            page.idle(5.0)  # the last card's history save and follow-up runs
            cpu, wall = cpu_seconds(pid), time.monotonic()
            page.idle(args.idle_s)
            idle_cpu, idle_wall = cpu_seconds(pid) - cpu, time.monotonic() - wall
            report.row(
                "8i",
                "server CPU, idle, a tab open with only finished cards",
                f"a {args.idle_s:.0f} s window with nothing happening",
                "0 (nothing runs)",
                usage(idle_cpu, idle_wall),
                f"<= {IDLE_TARGET:.0%} of one core",
                idle_cpu / idle_wall <= IDLE_TARGET,
                {"app_cpu_s": idle_cpu, "wall_s": idle_wall},
            )

            body = generator_body(1000)
            expected: list[RawStream] = []  # the first raw run's stream (interleave starts with raw)
            page.pick_endpoint(GENERATOR)
            page.type_body(body)
            page.idle(1.5)
            raw: list[tuple[float, float]] = []
            shown: list[tuple[float, float]] = []

            def raw_run() -> None:
                stream = app.raw.stream(GENERATOR, body)
                raw.append((stream.cpu_s, stream.total_ms / 1000.0))
                expected.append(stream)

            def page_run() -> None:
                page.idle(2.0)
                cpu, wall = cpu_seconds(pid), time.monotonic()
                page.send(want_stream(expected[0]), "b.t.full != null && b.t.final != null", timeout_s=120)
                shown.append((cpu_seconds(pid) - cpu, time.monotonic() - wall))
                page.disarm()

            interleave(args.runs, raw_run, page_run)
            report.row(
                "8s",
                "server CPU during a ~30 s paced stream (1,000 tokens, token_delay 0.03)",
                "click -> card final with the whole text",
                "bench process reading it: "
                + usage(median([c for c, _ in raw]), median([w for _, w in raw])),
                usage(median([c for c, _ in shown]), median([w for _, w in shown])),
                "reported",
                None,
                {"raw": raw, "app": shown},
            )

    return run("bench_ui_cpu", args, measure)


if __name__ == "__main__":
    sys.exit(main())

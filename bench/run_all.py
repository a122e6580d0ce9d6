"""Run every benchmark once and rewrite its section of docs/benchmarks.md: one table, every figure against raw
boto3 measured in the same run.

    .venv/bin/python bench/run_all.py [--app-dir PATH] [--label TEXT] [--only NAME,NAME] [--no-doc]

Each bench runs in its own process (`--app-dir` and `--json` passed on), one after the other, its output
shown as it goes. The table goes into docs/benchmarks.md under "## <label>" (default: the app checkout's
commit, "+ working tree" when it has uncommitted changes), replacing a section of the same label and keeping
the others. Exit code 0 when every target is met, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))

from tests.support.real_app import stop  # noqa: E402 (needs the repository on the path)

DOC = ROOT / "docs" / "benchmarks.md"
BENCHES = [
    "bench_ui_output",
    "bench_ui_stream",
    "bench_ui_big_stream",
    "bench_ui_timing",
    "bench_ui_page_load",
    "bench_ui_cpu",
    "bench_ui_chat",
    "bench_timing_isolation",
    "bench_invoke",
    "bench_decoder",
]
TIMEOUT_S = 20 * 60  # one bench; the whole run takes ~15 minutes
_END = "<!-- end of section -->"


def default_label(app_dir: Path) -> str:
    def git(*args: str) -> str:
        result = subprocess.run(["git", "-C", str(app_dir), *args], capture_output=True, text=True)
        return result.stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown commit"
    dirty = " + working tree" if git("status", "--porcelain", "--untracked-files=no") else ""
    return f"commit {commit}{dirty}"


def run_bench(name: str, app_dir: Path, scratch: Path) -> dict[str, Any]:
    """One bench in its own process; its JSON report (or a failure record)."""
    out = scratch / f"{name}.json"
    command = [sys.executable, str(BENCH / f"{name}.py"), "--app-dir", str(app_dir), "--json", str(out)]
    print(f"\n=== {name}", flush=True)
    process = subprocess.Popen(command, cwd=ROOT)
    try:
        code = process.wait(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        code = None
    finally:
        stop(process)  # a timeout, Ctrl+C or SIGTERM here: the bench stops its own children
    if out.exists():
        return dict(json.loads(out.read_text()))
    reason = "timed out" if code is None else f"exited {code} without a report"
    return {"bench": name, "met": False, "error": reason, "rows": [], "notes": [], "load_start": "?"}


def cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def section(
    label: str, reports: list[dict[str, Any]], app_dir: Path, started: datetime, seconds: float
) -> str:
    lines = [
        f"## {label}",
        "",
        f"Run {started:%Y-%m-%d %H:%M}, {seconds / 60:.0f} min, app `{app_dir}`; {os.cpu_count()} cores, "
        f"Python {platform.python_version()}. Load average: 1/5/15-minute, at the bench's start -> end.",
        "",
        "| # | what is measured | the figure stops at | raw boto3 | app | target | met | load avg |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for report in reports:
        load = f"{report.get('load_start', '?')} -> {report.get('load_end', '?')}"
        for row in report["rows"]:
            met = "—" if row["met"] is None else ("**met**" if row["met"] else "**NOT met**")
            values = [row["moment"], row["measure"], row["stops_at"], row["raw"], row["app"], row["target"]]
            lines.append("| " + " | ".join(cell(v) for v in values) + f" | {met} | {load} |")
        if report.get("error"):
            lines.append(
                f"| | **{report['bench']} stopped**: {cell(report['error'])} | | | | | **NOT met** | {load} |"
            )
    notes = [f"- {report['bench']}: {note}" for report in reports for note in report.get("notes", [])]
    if notes:
        lines += ["", *notes]
    lines += ["", _END]
    return "\n".join(lines)


def write_doc(label: str, text: str) -> None:
    """Replace the section headed `## label` (up to its end marker), or add it at the end."""
    doc = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    head = f"## {label}\n"
    start = doc.find(head)
    if start >= 0:
        end = doc.find(_END, start)
        end = len(doc) if end < 0 else end + len(_END)
        doc = doc[:start] + text + doc[end:]
    else:
        doc = doc.rstrip("\n") + "\n\n" + text + "\n"
    DOC.write_text(doc if doc.endswith("\n") else doc + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app-dir", type=Path, default=ROOT, help="checkout whose app.py is served")
    parser.add_argument("--label", help="section title in docs/benchmarks.md (default: the commit)")
    parser.add_argument("--only", help="comma-separated bench names (default: all)")
    parser.add_argument("--no-doc", action="store_true", help="do not touch docs/benchmarks.md")
    args = parser.parse_args()
    app_dir = args.app_dir.resolve()
    names = args.only.split(",") if args.only else BENCHES
    unknown = set(names) - set(BENCHES)
    if unknown:
        parser.error(f"unknown benches: {', '.join(sorted(unknown))}")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # through run_bench's finally: child stopped

    started, clock = datetime.now(), time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-all-") as scratch:
        reports = [run_bench(name, app_dir, Path(scratch)) for name in names]
    seconds = time.monotonic() - clock
    label = args.label or default_label(app_dir)
    text = section(label, reports, app_dir, started, seconds)
    print(f"\n{text}\n\nall benches: {seconds / 60:.1f} min")
    if not args.no_doc:
        write_doc(label, text)
        print(f"written: {DOC.relative_to(ROOT)}, section '## {label}'")
    return 0 if all(report["met"] for report in reports) else 1


if __name__ == "__main__":
    sys.exit(main())

"""History search over 100,000 saved results: how long one page of the History page's query takes.

Builds a history file of N realistic entries (varied endpoints and connections, JSON and text bodies of a
few hundred bytes to a few KB, some failures, some streamed, some binary), through the store's own row
format and triggers (one transaction), then times `History.list(where=..., limit=PAGE)` -- exactly the
query the page runs -- for a word in few rows, a word in many rows, two words, a word in no row, and
filters alone and combined. The same searches are timed with the index off (the fallback: a scan of the
same document) for comparison. Not part of the test suite.

    .venv/bin/python bench/bench_history_search.py                 # 100,000 rows, target 200 ms per query
    .venv/bin/python bench/bench_history_search.py --rows 20000 --runs 5 --json out.json
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from services import history as history_module
from services.errors import ModelError
from services.history import History, HistoryFilter
from services.results import InvocationRequest, InvocationResult, Status, StreamStats

TARGET_MS = 200.0
PAGE = 51  # the page asks for one more row than it shows, to know whether there are more
RARE_WORD = "zanzibar"  # put in about 1 row in 2,000
WORDS = [
    "the",
    "quick",
    "brown",
    "fox",
    "jumps",
    "over",
    "lazy",
    "dog",
    "model",
    "inference",
    "latency",
    "endpoint",
    "customer",
    "review",
    "product",
    "shipping",
    "refund",
    "great",
    "terrible",
    "average",
    "service",
    "quality",
    "battery",
    "screen",
    "camera",
    "price",
    "delivery",
    "support",
    "question",
    "answer",
    "summary",
    "translate",
    "weather",
    "forecast",
    "invoice",
    "payment",
    "account",
    "password",
    "reset",
    "order",
]
ENDPOINTS = [
    f"{name}-{n}"
    for name in ("sentiment", "llama-chat", "csv-regressor", "embedder", "vision")
    for n in range(4)
]
CONNECTIONS = ["Local · http://127.0.0.1:8123", "AWS · default · us-east-1", "AWS · prod · eu-west-1"]
T0 = datetime(2025, 1, 1, tzinfo=UTC)


def _sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    if rng.random() < 0.0005:
        text += f" {RARE_WORD}"
    return text


def _result(rng: random.Random, i: int) -> InvocationResult:
    endpoint = rng.choice(ENDPOINTS)
    at = T0 + timedelta(seconds=i * 30)  # 100,000 rows span about 35 days
    kind = rng.random()
    stream = None
    text = ""
    error = None
    status = Status.SUCCESS
    if kind < 0.55:  # JSON in, JSON out
        body = json.dumps({"inputs": _sentence(rng, rng.randint(10, 120)), "parameters": {"top_k": 3}})
        answer = json.dumps(
            [
                {
                    "label": rng.choice(["POSITIVE", "NEGATIVE"]),
                    "score": rng.random(),
                    "explanation": _sentence(rng, rng.randint(20, 400)),
                }
            ]
        )
        request = InvocationRequest(endpoint, body.encode())
        output, content_type = answer.encode(), "application/json"
    elif kind < 0.8:  # a streamed chat answer
        body = json.dumps({"inputs": _sentence(rng, rng.randint(5, 60)), "stream": True})
        request = InvocationRequest(endpoint, body.encode())
        text = _sentence(rng, rng.randint(50, 600))
        output, content_type = b"", "text/event-stream"
        stream = StreamStats(format="tgi", time_to_first_token_ms=rng.uniform(20, 200), token_count=300)
    elif kind < 0.95:  # CSV in, text out
        request = InvocationRequest(
            endpoint, ",".join(f"{rng.random():.4f}" for _ in range(40)).encode(), content_type="text/csv"
        )
        output, content_type = _sentence(rng, rng.randint(30, 300)).encode(), "text/plain"
    else:  # a picture in, a small binary answer
        request = InvocationRequest(
            endpoint, b"\x89PNG\r\n\x1a\n\x00" + rng.randbytes(2000), content_type="image/png"
        )
        output, content_type = rng.randbytes(300), "application/octet-stream"
    if rng.random() < 0.08:
        status = Status.FAILED
        error = ModelError(
            message=f"The model container answered 500: {_sentence(rng, 8)}",
            code="ModelError",
            http_status=424,
            original_status=500,
        )
    return InvocationResult(
        request,
        status,
        at,
        returned_at=at + timedelta(milliseconds=50),
        execution_ms=rng.uniform(5, 2000),
        content_type=content_type,
        body=output,
        error=error,
        stream=stream,
        text=text,
        request_id=f"req-{i:08d}",
    )


def build(path: Path, rows: int, seed: int = 7) -> History:
    history = History(path)
    rng = random.Random(seed)
    with history.connection() as conn:
        conn.execute("BEGIN")
        for i in range(rows):
            row = history_module._row_from_result(_result(rng, i), rng.choice(CONNECTIONS))
            row["starred"] = int(rng.random() < 0.01)
            marks = ", ".join("?" for _ in row)
            conn.execute(f"INSERT INTO invocations ({', '.join(row)}) VALUES ({marks})", tuple(row.values()))
        conn.execute("COMMIT")
    return History(path)


def _time(history: History, where: HistoryFilter, runs: int) -> tuple[float, int]:
    history.list(where=where, limit=PAGE)  # warm the page cache, as a user's second keystroke would
    times = []
    found = 0
    for _ in range(runs):
        start = time.perf_counter()
        found = len(history.list(where=where, limit=PAGE))
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), found


def cases() -> list[tuple[str, HistoryFilter]]:
    last_week = T0 + timedelta(days=28)
    return [
        ("no filter (first page)", HistoryFilter()),
        (f"rare word '{RARE_WORD}' (~1 in 2,000 rows)", HistoryFilter(search=RARE_WORD)),
        ("common word 'refund' (most rows)", HistoryFilter(search="refund")),
        ("two words 'battery zanzibar'", HistoryFilter(search=f"battery {RARE_WORD}")),
        ("word absent from every row", HistoryFilter(search="xylophone")),
        ("common word + endpoint without it", HistoryFilter(search="refund", endpoint="no-such-endpoint")),
        ("common word 'the' + the first day only", HistoryFilter(search="the", until=T0 + timedelta(days=1))),
        (
            "common word + Failed + starred + endpoint",
            HistoryFilter(search="refund", status=Status.FAILED, starred=True, endpoint=ENDPOINTS[2]),
        ),
        ("endpoint + status Failed", HistoryFilter(endpoint=ENDPOINTS[3], status=Status.FAILED)),
        ("rare word + endpoint", HistoryFilter(search=RARE_WORD, endpoint=ENDPOINTS[0])),
        (
            "common word + endpoint + last 7 days + connection",
            HistoryFilter(
                search="refund", endpoint=ENDPOINTS[1], since=last_week, connection_label=CONNECTIONS[2]
            ),
        ),
        ("starred", HistoryFilter(starred=True)),
        ("common word + starred", HistoryFilter(search="invoice", starred=True)),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--file", type=Path, help="keep the built history here (reused when it exists)")
    args = parser.parse_args()
    figures: dict[str, dict[str, float | int]] = {}
    with tempfile.TemporaryDirectory() as folder:
        path = args.file or Path(folder) / "history.sqlite3"
        start = time.perf_counter()
        history = History(path) if path.exists() else build(path, args.rows)
        print(
            f"built {history.count():,} rows in {time.perf_counter() - start:.1f} s; "
            f"file {path.stat().st_size / 1e6:.0f} MB; search index: {history.search_index}"
        )
        start = time.perf_counter()
        History(path)
        print(f"open an up-to-date file: {(time.perf_counter() - start) * 1000:.1f} ms")
        unindexed = History(path)
        unindexed.search_index = False  # the fallback: a scan of the same document
        print(f"\n{'query (one page of ' + str(PAGE) + ' rows)':<58} {'index':>9} {'scan':>9} {'rows':>5}")
        met = True
        for name, where in cases():
            indexed_ms, found = _time(history, where, args.runs)
            like_ms, like_found = _time(unindexed, where, max(1, args.runs // 3))
            assert found == like_found, (name, found, like_found)
            ok = indexed_ms <= TARGET_MS
            met &= ok
            figures[name] = {"index_ms": round(indexed_ms, 2), "scan_ms": round(like_ms, 2), "rows": found}
            print(f"{name:<58} {indexed_ms:>7.1f}ms {like_ms:>7.1f}ms {found:>5}{'' if ok else '  NOT MET'}")
        for label, fn in (
            ("endpoints()", history.endpoints),
            ("connection_labels()", history.connection_labels),
            ("count()", history.count),
        ):
            start = time.perf_counter()
            fn()
            print(f"{label:<58} {(time.perf_counter() - start) * 1000:>7.1f}ms")
    print(f"\nevery indexed query <= {TARGET_MS:.0f} ms: {'MET' if met else 'NOT MET'}")
    if args.json:
        args.json.write_text(
            json.dumps({"rows": args.rows, "target_ms": TARGET_MS, "queries": figures}, indent=2)
        )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())

"""Decoder speed: throughput on realistic parts, and linear time on one-byte parts.

Run: .venv/bin/python bench/bench_decoder.py [--mb 10] [--app-dir PATH] [--json F]
(--app-dir measures that checkout's decoder)

Targets (issue 3): >= 20 MB/s on realistic TGI parts; one-byte parts linear (2x bytes ~ 2x time, ratio ~2.0).
The raw-boto3 baseline of the other benchmarks does not apply here (the decoder never touches boto3). The
baselines are instead naive non-incremental parses of the whole buffer (`split(b"\\n")` + `json.loads`, and
the same with the C JSON scanner the decoder uses), so the ratios show what incrementality costs.
"""

from __future__ import annotations

import json
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _app import Report, app_dir_in_argv, arguments, run

sys.path.insert(0, str(app_dir_in_argv()))  # the decoder of the checkout measured (--app-dir)
from services.streaming import StreamFormat, TokenDecoder

WORDS = [" the", " model", " streams", " tokens", " to", " a", " browser", ",", " café", " 日本", " 🙂", "\n"]
TARGET_MB_S = 20.0


def tgi_events(total_bytes: int) -> list[bytes]:
    """TGI SSE events, shaped as the container sends them, until `total_bytes`."""
    events: list[bytes] = []
    size = 0
    index = 0
    while size < total_bytes:
        index += 1
        token = {
            "id": 1000 + index % 5000,
            "text": WORDS[index % len(WORDS)],
            "logprob": -0.123456,
            "special": False,
        }
        body = {"index": index, "token": token, "generated_text": None, "details": None, "top_tokens": None}
        event = b"data:" + json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode() + b"\n\n"
        events.append(event)
        size += len(event)
    return events


def lmi_lines(total_bytes: int) -> list[bytes]:
    """LMI JSON lines, one token per line."""
    lines: list[bytes] = []
    size = 0
    index = 0
    while size < total_bytes:
        index += 1
        body = {"token": {"id": 300 + index % 5000, "text": WORDS[index % len(WORDS)], "log_prob": -0.05}}
        line = json.dumps(body, ensure_ascii=False).encode() + b"\n"
        lines.append(line)
        size += len(line)
    return lines


def group(items: list[bytes], per_part: int) -> list[bytes]:
    return [b"".join(items[i : i + per_part]) for i in range(0, len(items), per_part)]


def decode_all(parts: list[bytes], fmt: StreamFormat | None = None) -> int:
    decoder = TokenDecoder(fmt)
    decode = decoder.decode
    for part in parts:
        decode(part)
    decoder.flush()
    return decoder.token_count


def naive_tgi(buffer: bytes) -> int:
    """The non-incremental baseline: the whole stream at once, split on newlines, each data line parsed."""
    texts = []
    for line in buffer.split(b"\n"):
        if line.startswith(b"data:"):
            token = json.loads(line[5:])["token"]
            if not token["special"]:
                texts.append(token["text"])
    return len(texts)


def naive_tgi_scanner(buffer: bytes) -> int:
    """The same baseline with the C JSON scanner the decoder calls directly (json.loads minus its wrappers),
    so the ratio against it is the cost of incrementality alone."""
    scan = json.JSONDecoder().scan_once
    texts = []
    for line in buffer.decode().split("\n"):
        if line.startswith("data:"):
            token = scan(line, 5)[0]["token"]
            if not token["special"]:
                texts.append(token["text"])
    return len(texts)


def best_time(run: Callable[[], object], repeat: int = 3) -> float:
    """Best CPU time of this process (not wall time: other processes on a busy machine do not count)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        run()
        best = min(best, time.process_time() - start)
    return best


def throughput(total_mb: float) -> tuple[bool, float, float]:
    """(all TGI cases >= target, the slowest TGI case's MB/s, the naive json.loads baseline's MB/s)."""
    total = int(total_mb * 1_000_000)
    events = tgi_events(total)
    buffer = b"".join(events)
    megabytes = len(buffer) / 1_000_000
    expected = len(events)
    assert naive_tgi(buffer) == naive_tgi_scanner(buffer) == expected
    naive_s = best_time(lambda: naive_tgi(buffer))
    scanner_s = best_time(lambda: naive_tgi_scanner(buffer))
    print(
        f"Throughput on {megabytes:.1f} MB ({expected} TGI SSE events, ~{len(buffer) // expected} B each), "
        "best of 3, CPU time"
    )
    print(f"  naive whole buffer, split + json.loads        {megabytes / naive_s:7.1f} MB/s")
    print(f"  naive whole buffer, split + C JSON scanner    {megabytes / scanner_s:7.1f} MB/s")
    ok = True
    slowest = float("inf")
    cases = [
        ("TGI SSE, 1 event per part, detected", group(events, 1), None),
        ("TGI SSE, 3 events per part, detected", group(events, 3), None),
        ("TGI SSE, 3 events per part, forced tgi", group(events, 3), StreamFormat.TGI),
        (
            "TGI SSE, 4 KiB parts cutting events",
            [buffer[i : i + 4096] for i in range(0, len(buffer), 4096)],
            None,
        ),
    ]
    for name, parts, fmt in cases:
        assert decode_all(parts, fmt) == expected, name
        seconds = best_time(lambda parts=parts, fmt=fmt: decode_all(parts, fmt))  # type: ignore[misc]
        rate = megabytes / seconds
        ok &= rate >= TARGET_MB_S
        slowest = min(slowest, rate)
        print(
            f"  {name:<44} {rate:7.1f} MB/s   time vs naive: {seconds / naive_s:4.2f}x json.loads, "
            f"{seconds / scanner_s:4.2f}x scanner   {'ok' if rate >= TARGET_MB_S else 'BELOW TARGET'}"
        )
    lines = lmi_lines(total)
    lmi_mb = sum(map(len, lines)) / 1_000_000
    seconds = best_time(lambda: decode_all(lines))
    print(f"  {'LMI JSON lines, 1 line per part, detected':<44} {lmi_mb / seconds:7.1f} MB/s")
    text_parts = [b"plain text streams through as it arrives " * 2] * (total // 82)
    seconds = best_time(lambda: decode_all(text_parts))
    print(f"  {'plain text, 82 B parts, detected':<44} {sum(map(len, text_parts)) / 1e6 / seconds:7.1f} MB/s")
    return ok, slowest, megabytes / naive_s


def linearity(n_bytes: int) -> tuple[bool, float]:
    """Time for one-byte parts of N and 2N bytes; quadratic buffering would show a ratio near 4."""
    streams = {
        "TGI SSE events": lambda size: b"".join(tgi_events(size)),
        "one JSON line, no newline": lambda size: b'{"token":{"text":"' + b"x" * (size - 21) + b'"}}',
        "plain text, no newline": lambda size: (b"Once upon a time " * (size // 17 + 1))[:size],
    }
    print(f"\nOne-byte parts: time for N = {n_bytes} bytes and 2N bytes, best of 3 (target ratio ~2)")
    ok = True
    worst = 0.0
    for name, make in streams.items():
        times = []
        for size in (n_bytes, 2 * n_bytes):
            parts = [bytes([byte]) for byte in make(size)]
            times.append(best_time(lambda parts=parts: decode_all(parts)))  # type: ignore[misc]
        ratio = times[1] / times[0]
        ok &= ratio < 2.6
        worst = max(worst, ratio)
        print(
            f"  {name:<32} N: {times[0] * 1000:7.1f} ms   2N: {times[1] * 1000:7.1f} ms   "
            f"ratio {ratio:4.2f}   "
            f"{times[0] * 1e9 / n_bytes:5.0f} ns/byte   {'ok' if ratio < 2.6 else 'NOT LINEAR'}"
        )
    return ok, worst


def memory(n_bytes: int) -> None:
    """Peak memory decoding one long line in one-byte parts: it should be a small multiple of the line."""
    line = b'{"token":{"text":"' + b"x" * (n_bytes - 21) + b'"}}'
    parts = [bytes([byte]) for byte in line]  # one-byte bytes objects are shared singletons: no cost here
    tracemalloc.start()
    decode_all(parts)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(
        f"\nPeak memory decoding one {n_bytes / 1e6:.1f} MB line in one-byte parts: {peak / 1e6:.1f} MB "
        f"({peak / n_bytes:.1f} bytes per byte of line, the decoded token included)"
    )


def main() -> int:
    parser = arguments(__doc__, runs=3)
    parser.add_argument("--mb", type=float, default=10.0, help="stream size for the throughput runs")
    parser.add_argument("--one-byte", type=int, default=200_000, help="N for the one-byte-part runs")
    args = parser.parse_args()

    def measure(report: Report) -> None:
        print(f"Python {sys.version.split()[0]}")
        ok, slowest, naive = throughput(args.mb)
        report.row(
            "d",
            "stream decoder throughput, TGI SSE parts (slowest of 4 shapes)",
            f"decoding {args.mb:.0f} MB, best of 3, CPU time",
            f"naive whole-buffer split + json.loads {naive:.1f} MB/s",
            f"{slowest:.1f} MB/s",
            f">= {TARGET_MB_S:.0f} MB/s",
            ok,
        )
        linear, worst = linearity(args.one_byte)
        report.row(
            "d",
            "stream decoder linearity, one-byte parts",
            "time for 2N bytes / time for N",
            "—",
            f"worst ratio {worst:.2f}",
            "~2 (< 2.6)",
            linear,
        )
        memory(1_000_000)

    return run("bench_decoder", args, measure)


if __name__ == "__main__":
    sys.exit(main())

"""The figures of a latency run: one ``Sample`` per request, summed up as distributions.

Pure: numbers in, numbers out. The definitions are the card's (``services.results.StreamStats``, after
LLMPerf and AIPerf):

- latency = the request's execution length (``InvocationResult.execution_ms``: the call alone, body read);
- time to first token (TTFT) = the first non-empty token's arrival minus the request's start;
- inter-token latency (ITL) = (total − TTFT) ÷ (tokens − 1), total being the execution length;
- tokens per second per request = 1 ÷ ITL; in total = every output token ÷ the run's duration;
- requests per second = the requests that ended ÷ the run's duration.

Percentiles are linear between closest ranks (numpy's default, "linear"): p50 of [1, 2, 3, 4] is 2.5.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

PERCENTILES = (50, 90, 99)
THROTTLING_CODES = frozenset(
    {"ThrottlingException", "Throttling", "TooManyRequestsException", "ModelNotReadyException"}
)

DEFINITIONS = {
    "latency": "Latency: the request's execution length, the call alone with its body read, as on a card.",
    "ttft": "Time to first token: the first non-empty token's arrival minus the request's start.",
    "itl": "Inter-token latency: (total − time to first token) ÷ (tokens − 1), total being the execution "
    "length.",
    "tps": "Tokens per second: 1 ÷ inter-token latency per request; in total, every output token ÷ the "
    "run's duration.",
    "rps": "Requests per second: the measured requests that ended ÷ the run's duration (warm-up left out).",
}


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0–100) of `values`, linear between closest ranks; `values` must not be empty."""
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100.0
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass(frozen=True)
class Distribution:
    """min, mean, p50, p90, p99, max of some values (all None when there were none)."""

    count: int = 0
    min: float | None = None
    mean: float | None = None
    p50: float | None = None
    p90: float | None = None
    p99: float | None = None
    max: float | None = None

    @classmethod
    def of(cls, values: Sequence[float]) -> Distribution:
        if not values:
            return cls()
        return cls(
            count=len(values),
            min=min(values),
            mean=sum(values) / len(values),
            p50=percentile(values, 50),
            p90=percentile(values, 90),
            p99=percentile(values, 99),
            max=max(values),
        )


@dataclass(frozen=True)
class Sample:
    """One measured request. Times in ms; `started_s` is seconds after the run's start."""

    started_s: float
    latency_ms: float | None
    ok: bool
    error_code: str = ""  # "" for a success
    throttled: bool = False
    ttft_ms: float | None = None  # streams only
    tokens: int = 0  # streams only
    attempts: int = 1

    @property
    def itl_ms(self) -> float | None:
        """(total − TTFT) ÷ (tokens − 1); None until two tokens arrived."""
        return inter_token_latency_ms(self.latency_ms, self.ttft_ms, self.tokens)

    @property
    def tokens_per_s(self) -> float | None:
        itl = self.itl_ms
        return None if itl is None else 1000.0 / itl


def inter_token_latency_ms(total_ms: float | None, ttft_ms: float | None, tokens: int) -> float | None:
    """(total − TTFT) ÷ (tokens − 1), as ``StreamStats.inter_token_latency_ms``; None below two tokens."""
    if total_ms is None or ttft_ms is None or tokens < 2:
        return None
    span = total_ms - ttft_ms
    return None if span <= 0 else span / (tokens - 1)


@dataclass(frozen=True)
class Summary:
    """What a run comes to. Only successful requests count in the latency figures."""

    requests: int
    successes: int
    errors: dict[str, int]  # error code -> count, throttling included
    throttled: int
    duration_s: float
    requests_per_s: float | None
    latency: Distribution
    streamed: bool = False
    ttft: Distribution = field(default_factory=Distribution)
    itl: Distribution = field(default_factory=Distribution)
    tokens_per_s: Distribution = field(default_factory=Distribution)  # per request
    total_tokens: int = 0
    total_tokens_per_s: float | None = None
    retried: int = 0  # requests botocore made more than one attempt for

    @property
    def failures(self) -> int:
        return self.requests - self.successes

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def summarize(samples: Sequence[Sample], duration_s: float, *, streamed: bool = False) -> Summary:
    """The run's figures from its measured samples (warm-up left out by the caller)."""
    good = [s for s in samples if s.ok]
    codes = Counter(s.error_code or "Unknown" for s in samples if not s.ok)
    latencies = [s.latency_ms for s in good if s.latency_ms is not None]
    rate = len(samples) / duration_s if duration_s > 0 else None
    summary = Summary(
        requests=len(samples),
        successes=len(good),
        errors=dict(codes.most_common()),
        throttled=sum(1 for s in samples if s.throttled),
        duration_s=duration_s,
        requests_per_s=rate,
        latency=Distribution.of(latencies),
        streamed=streamed,
        retried=sum(1 for s in samples if s.attempts > 1),
    )
    if not streamed:
        return summary
    tokens = sum(s.tokens for s in good)
    return replace(
        summary,
        ttft=Distribution.of([s.ttft_ms for s in good if s.ttft_ms is not None]),
        itl=Distribution.of([v for s in good if (v := s.itl_ms) is not None]),
        tokens_per_s=Distribution.of([v for s in good if (v := s.tokens_per_s) is not None]),
        total_tokens=tokens,
        total_tokens_per_s=tokens / duration_s if duration_s > 0 else None,
    )


def is_throttling(code: str) -> bool:
    return code in THROTTLING_CODES


# -- comparing two runs ------------------------------------------------------------------------------------

_COMPARED = (
    ("latency", "Latency"),
    ("ttft", "Time to first token"),
    ("itl", "Inter-token latency"),
    ("tokens_per_s", "Tokens/s per request"),
)
_STATS = ("min", "mean", "p50", "p90", "p99", "max")


@dataclass(frozen=True)
class ComparedRow:
    figure: str
    before: float | None
    after: float | None

    @property
    def change_pct(self) -> float | None:
        if self.before is None or self.after is None or self.before == 0:
            return None
        return (self.after - self.before) / self.before * 100.0


def compare(before: Summary, after: Summary) -> list[ComparedRow]:
    """One row per figure both runs can have: requests, errors, rates, then each distribution's statistics
    (streams' rows only when either run streamed)."""
    rows = [
        ComparedRow("Requests", before.requests, after.requests),
        ComparedRow("Errors", before.failures, after.failures),
        ComparedRow("Throttled", before.throttled, after.throttled),
        ComparedRow("Requests per second", before.requests_per_s, after.requests_per_s),
    ]
    for name, label in _COMPARED:
        if name != "latency" and not (before.streamed or after.streamed):
            continue
        unit = "" if name == "tokens_per_s" else " (ms)"
        first, second = getattr(before, name), getattr(after, name)
        rows += [
            ComparedRow(f"{label} {stat}{unit}", getattr(first, stat), getattr(second, stat))
            for stat in _STATS
        ]
    if before.streamed or after.streamed:
        rows.append(ComparedRow("Tokens/s in total", before.total_tokens_per_s, after.total_tokens_per_s))
    return rows

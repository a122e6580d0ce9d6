"""A latency run as files to download: CSV (one row per request) and JSON (the run whole)."""

from __future__ import annotations

import base64
import csv
import io
import json
from dataclasses import asdict, fields
from typing import Any

from services.latency_run import RunOutcome
from services.latency_stats import DEFINITIONS
from services.results import InvocationRequest

CSV_COLUMNS = (
    "request",
    "started_s",
    "latency_ms",
    "ok",
    "error_code",
    "throttled",
    "ttft_ms",
    "tokens",
    "itl_ms",
    "tokens_per_s",
    "attempts",
)


def file_stem(outcome: RunOutcome) -> str:
    when = outcome.started_at.strftime("%Y%m%d-%H%M%S")
    name = "".join(c if c.isalnum() or c in "-_" else "-" for c in outcome.request.endpoint_name)[:63]
    return f"latency-{name}-{when}"


def to_csv(outcome: RunOutcome) -> bytes:
    """One row per measured request, in the order they started; empty cells for figures a request lacks."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for number, sample in enumerate(outcome.samples, start=1):
        writer.writerow(
            [
                number,
                f"{sample.started_s:.6f}",
                _number(sample.latency_ms),
                int(sample.ok),
                _csv_safe(sample.error_code),
                int(sample.throttled),
                _number(sample.ttft_ms),
                sample.tokens if outcome.settings.stream else "",
                _number(sample.itl_ms),
                _number(sample.tokens_per_s),
                sample.attempts,
            ]
        )
    return out.getvalue().encode("utf-8")


def to_json(outcome: RunOutcome) -> bytes:
    """The run whole: request, settings, summary, client load, definitions, samples."""
    document: dict[str, Any] = {
        "id": outcome.id,
        "started_at": outcome.started_at.isoformat(),
        "connection": outcome.connection_label,
        "request": request_json(outcome.request),
        "stream": outcome.settings.stream,
        "settings": asdict(outcome.settings),
        "stopped": outcome.stopped,
        "cut_short": outcome.cut_short,
        "summary": outcome.summary.as_dict(),
        "client": {
            **asdict(outcome.client),
            "process_share": outcome.client.process_share,
            "bottleneck": outcome.client.bottleneck,
        },
        "definitions": DEFINITIONS,
        "samples": [
            {**asdict(s), "itl_ms": s.itl_ms, "tokens_per_s": s.tokens_per_s} for s in outcome.samples
        ],
    }
    return json.dumps(document, indent=2).encode("utf-8")


def request_json(request: InvocationRequest) -> dict[str, Any]:
    """The request's fields; the body as text when it is UTF-8, else as base64."""
    values: dict[str, Any] = {f.name: getattr(request, f.name) for f in fields(request) if f.name != "body"}
    try:
        values["body"] = request.body.decode("utf-8")
    except UnicodeDecodeError:
        values["body_base64"] = base64.b64encode(request.body).decode("ascii")
    return {k: v for k, v in values.items() if v is not None}


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


def _csv_safe(text: str) -> str:
    # An error code comes from a server: a cell starting with = + - @ would be a formula in a spreadsheet.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text

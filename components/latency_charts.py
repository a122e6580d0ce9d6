"""Altair charts of a latency run: latency histogram, latency over time, TTFT against total, and two runs'
percentiles side by side. Values only (numbers and error codes), drawn by Vega-Lite: nothing here is
Markdown or HTML."""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd
import streamlit as st

from services.latency_stats import Sample, Summary

_HEIGHT = 240


def samples_frame(samples: Sequence[Sample]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "request": range(1, len(samples) + 1),
            "started_s": [s.started_s for s in samples],
            "latency_ms": [s.latency_ms for s in samples],
            "outcome": ["success" if s.ok else (s.error_code or "error") for s in samples],
            "ttft_ms": [s.ttft_ms for s in samples],
            "tokens": [s.tokens for s in samples],
        }
    )


def histogram(samples: Sequence[Sample], *, key: str) -> None:
    frame = samples_frame([s for s in samples if s.ok and s.latency_ms is not None])
    chart = (
        alt.Chart(frame, title="Latency histogram (successes)")
        .mark_bar()
        .encode(
            alt.X("latency_ms:Q", bin=alt.Bin(maxbins=40), title="Latency (ms)"),
            alt.Y("count():Q", title="Requests"),
        )
        .properties(height=_HEIGHT)
    )
    with st.container(key=key):
        st.altair_chart(chart, width="stretch")


def over_time(samples: Sequence[Sample], *, key: str) -> None:
    frame = samples_frame([s for s in samples if s.latency_ms is not None])
    chart = (
        alt.Chart(frame, title="Latency over time")
        .mark_circle(size=28, opacity=0.7)
        .encode(
            alt.X("started_s:Q", title="Sent at (s after the start)"),
            alt.Y("latency_ms:Q", title="Latency (ms)"),
            alt.Color("outcome:N", title="Outcome"),
            tooltip=["request", "started_s", "latency_ms", "outcome"],
        )
        .properties(height=_HEIGHT)
    )
    with st.container(key=key):
        st.altair_chart(chart, width="stretch")


def ttft_against_total(samples: Sequence[Sample], *, key: str) -> None:
    frame = samples_frame([s for s in samples if s.ok and s.ttft_ms is not None])
    chart = (
        alt.Chart(frame, title="Time to first token against total")
        .mark_circle(size=28, opacity=0.7)
        .encode(
            alt.X("ttft_ms:Q", title="Time to first token (ms)"),
            alt.Y("latency_ms:Q", title="Total (ms)"),
            tooltip=["request", "ttft_ms", "latency_ms", "tokens"],
        )
        .properties(height=_HEIGHT)
    )
    with st.container(key=key):
        st.altair_chart(chart, width="stretch")


def compared(before: Summary, after: Summary, labels: tuple[str, str], *, key: str) -> None:
    """Both runs' latency statistics (min, p50, p90, p99, max), one line per run."""
    rows = []
    for label, summary in zip(labels, (before, after), strict=True):
        for stat in ("min", "p50", "p90", "p99", "max"):
            value = getattr(summary.latency, stat)
            if value is not None:
                rows.append({"run": label, "statistic": stat, "latency_ms": value})
    chart = (
        alt.Chart(pd.DataFrame(rows), title="Latency: before and after")
        .mark_line(point=True)
        .encode(
            alt.X("statistic:N", sort=["min", "p50", "p90", "p99", "max"], title=None),
            alt.Y("latency_ms:Q", title="Latency (ms)"),
            alt.Color("run:N", title="Run", sort=list(labels)),
            tooltip=["run", "statistic", "latency_ms"],
        )
        .properties(height=_HEIGHT)
    )
    with st.container(key=key):
        st.altair_chart(chart, width="stretch")

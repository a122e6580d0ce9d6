"""A latency run's figures: the counts, one table of distributions, errors by code, whether the client kept
up, and the definitions. Error codes come from servers: they only reach a dataframe, or Markdown escaped."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components.result_card import STREAM_DEFINITIONS
from components.safe_text import escape_markdown
from services.latency_run import RunOutcome
from services.latency_stats import DEFINITIONS, Distribution, Summary

_STATS = ("min", "mean", "p50", "p90", "p99", "max")


def distributions_frame(summary: Summary) -> pd.DataFrame:
    rows: list[tuple[str, Distribution]] = [("Latency (ms)", summary.latency)]
    if summary.streamed:
        rows += [
            ("Time to first token (ms)", summary.ttft),
            ("Inter-token latency (ms)", summary.itl),
            ("Tokens/s per request", summary.tokens_per_s),
        ]
    return pd.DataFrame(
        [{"figure": name, "count": d.count, **{s: getattr(d, s) for s in _STATS}} for name, d in rows]
    ).set_index("figure")


def render(outcome: RunOutcome, *, key: str) -> None:
    summary = outcome.summary
    with st.container(key=key):
        with st.container(horizontal=True, key=f"{key}-counts"):
            st.metric("Requests", f"{summary.requests:,}")
            st.metric("Successes", f"{summary.successes:,}")
            st.metric("Errors", f"{summary.failures - summary.throttled:,}")
            st.metric("Throttled", f"{summary.throttled:,}")
            rate = summary.requests_per_s
            st.metric("Requests/s", f"{rate:,.1f}" if rate is not None else "–")
            if summary.streamed:
                total = summary.total_tokens_per_s
                st.metric("Tokens/s in total", f"{total:,.1f}" if total is not None else "–")
        st.dataframe(
            distributions_frame(summary),
            key=f"{key}-table",
            column_config={s: st.column_config.NumberColumn(s, format="%.2f") for s in _STATS},
        )
        if summary.errors:
            st.dataframe(
                pd.DataFrame(
                    [
                        {
                            "error code": code,
                            "requests": count,
                            "throttling": code in _throttle_codes(outcome),
                        }
                        for code, count in summary.errors.items()
                    ]
                ),
                hide_index=True,
                key=f"{key}-errors",
            )
        notes = [
            f"{summary.requests:,} measured requests in {summary.duration_s:,.2f} s at concurrency "
            f"{outcome.settings.concurrency}"
            + (
                f", after {outcome.settings.warmup:,} warm-up requests not counted"
                if outcome.settings.warmup
                else ""
            )
            + "."
        ]
        if outcome.stopped:
            notes.append(
                f"Stopped: {outcome.cut_short} stream(s) in flight were ended and are not counted."
                if outcome.cut_short
                else "Stopped before the end."
            )
        if summary.retried:
            notes.append(f"{summary.retried} request(s) took more than one HTTP attempt.")
        client = outcome.client
        notes.append(
            f"Client: {client.process_share:.0%} of a CPU core for the process, {client.workers_share:.0%} "
            "for the run's threads."
        )
        st.caption(escape_markdown(" ".join(notes)))
        bottleneck = client.bottleneck
        if bottleneck:
            st.warning(escape_markdown(bottleneck), icon=":material/speed:")
        definitions = [DEFINITIONS["latency"], DEFINITIONS["rps"]]
        if summary.streamed:  # the card's own wording, so a run and a card mean the same thing
            definitions += [*STREAM_DEFINITIONS.splitlines(), DEFINITIONS["tps"]]
        st.caption(escape_markdown("\n\n".join(definitions)))


def _throttle_codes(outcome: RunOutcome) -> set[str]:
    return {s.error_code for s in outcome.samples if s.throttled}

"""Latency: the Test inference request sent many times at a concurrency, measured as its card measures it.

The run lives in threads of its own (services.latency_run); this page starts it, follows it with a fragment
that redraws the progress every half second while it runs (and only then), and draws its figures.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from components import latency_charts, latency_entry, latency_runs, latency_summary
from components.connection_sidebar import STATE_KEY as CONNECTION_KEY
from components.safe_text import escape_markdown
from services import latency_export, locust_export
from services.connection import Connection
from services.errors import ServiceError
from services.latency_run import (
    MAX_CONCURRENCY,
    MAX_DURATION_S,
    MAX_REQUESTS,
    MAX_WARMUP,
    LatencyRun,
    RunOutcome,
    RunSettings,
    run_clients,
)
from services.latency_stats import compare

RUN_KEY = "latency-run"  # the LatencyRun of this browser session (running or finished)
OPEN_KEY = "latency-open"  # a stored run's id to show instead
FOLLOW_S = 0.5
BY_COUNT = "Number of requests"
BY_TIME = "Duration"


def main() -> None:
    connection: Connection = st.session_state[CONNECTION_KEY]
    st.title("Latency", anchor=False)
    st.caption(
        "Send the Test inference request many times at a concurrency you choose, and read its latency "
        "distribution: each request measured as its card is."
    )
    target = latency_entry.current()
    run: LatencyRun | None = st.session_state.get(RUN_KEY)
    left, right = st.columns([4, 7], gap="large")
    with left:
        if target is None:
            st.info(
                "Open Test inference, pick an endpoint and prepare the request, then click "
                "**Run a latency test** under Send Request.",
                icon=":material/speed:",
            )
            st.page_link(
                "app_pages/inference.py", label="Go to Test inference", icon=":material/play_circle:"
            )
        else:
            _request_summary(target)
            settings = _settings(target.stream)
            running = run is not None and not run.done
            if st.button("Start run", key="latency-start", type="primary", disabled=running):
                run = _start(connection, target, settings)
    with right:
        if run is not None and not run.done:
            _follow(run)
        else:
            shown = _shown_outcome(run)
            if shown is not None:
                _results(shown, connection)
    _stored_runs()


def _request_summary(target: latency_entry.LatencyTarget) -> None:
    request = target.request
    call = "InvokeEndpointWithResponseStream" if target.stream else "InvokeEndpoint"
    rows = {
        "Target": request.target,
        "Call": call,
        "Content type": request.content_type,
        "Body": f"{len(request.body):,} bytes",
    }
    for name, value in vars(request).items():
        if value is not None and name not in (
            "endpoint_name",
            "body",
            "content_type",
            "inference_component_name",
        ):
            rows[name] = str(value)
    st.dataframe(
        pd.DataFrame({"value": list(rows.values())}, index=list(rows.keys())),
        key="latency-request-table",
    )


def _settings(stream: bool) -> RunSettings:
    mode = st.radio("Run", [BY_COUNT, BY_TIME], key="latency-mode", horizontal=True)
    with st.container(horizontal=True):
        if mode == BY_COUNT:
            requests: int | None = int(
                st.number_input("Requests", 1, MAX_REQUESTS, 20, step=10, key="latency-requests")
            )
            duration = None
        else:
            requests = None
            duration = float(
                st.number_input("Seconds", 1, int(MAX_DURATION_S), 10, step=5, key="latency-duration")
            )
        concurrency = int(st.number_input("Concurrency", 1, MAX_CONCURRENCY, 4, key="latency-concurrency"))
        warmup = int(st.number_input("Warm-up requests", 0, MAX_WARMUP, 0, key="latency-warmup"))
    st.caption(
        "Each request is one HTTP attempt (no retries, so throttling shows), over a connection pool of the "
        "run's own sized to the concurrency. Warm-up requests run first and are not counted."
    )
    return RunSettings(
        concurrency=concurrency, requests=requests, duration_s=duration, warmup=warmup, stream=stream
    )


def _start(
    connection: Connection, target: latency_entry.LatencyTarget, settings: RunSettings
) -> LatencyRun | None:
    store = latency_runs.store()
    try:
        clients = run_clients(connection, settings.concurrency)
        run = LatencyRun(clients, target.request, settings, on_end=store.save, owns_clients=True).start()
    except ServiceError as error:
        st.error(escape_markdown(f"{error.message} {error.hint}".strip()), icon=":material/error:")
        return None
    st.session_state[RUN_KEY] = run
    st.session_state.pop(OPEN_KEY, None)
    return run


def _follow(run: LatencyRun) -> None:
    """Progress, the live chart and Stop, redrawn every FOLLOW_S while the run lasts; the whole page once it
    ended (which stops the timer: the next run draws no fragment)."""

    @st.fragment(run_every=FOLLOW_S)
    def live() -> None:
        if run.done:
            st.rerun()
        progress = run.progress()
        if progress.phase == "warm-up":
            text = f"Warming up: {progress.warmup_done:,} of {run.settings.warmup:,}"
        elif progress.total:
            text = f"{progress.done:,} of {progress.total:,} requests · {progress.elapsed_s:,.1f} s"
        else:
            text = f"{progress.done:,} requests · {progress.elapsed_s:,.1f} of {progress.duration_s:,.0f} s"
        st.progress(progress.fraction, text=text)
        if st.button(
            "Stop", key="latency-stop", icon=":material/stop_circle:", disabled=progress.phase == "stopping"
        ):
            run.stop()
        if progress.samples:
            latency_charts.over_time(progress.samples, key="latency-live-chart")

    live()


def _shown_outcome(run: LatencyRun | None) -> RunOutcome | None:
    opened = st.session_state.get(OPEN_KEY)
    if opened is not None:
        outcome = latency_runs.store().get(int(opened))
        if outcome is not None:
            return outcome
    return run.outcome if run is not None else None


def _results(outcome: RunOutcome, connection: Connection) -> None:
    where = f"Run #{outcome.id}" if outcome.id is not None else "This run (not saved)"
    st.subheader("Results", anchor=False)
    when = outcome.started_at.astimezone()
    st.caption(escape_markdown(f"{where} · {outcome.request.target} · {when:%Y-%m-%d %H:%M:%S}"))
    latency_summary.render(outcome, key="latency-summary")
    latency_charts.histogram(outcome.samples, key="latency-histogram")
    latency_charts.over_time(outcome.samples, key="latency-over-time")
    if outcome.settings.stream:
        latency_charts.ttft_against_total(outcome.samples, key="latency-ttft-chart")
    _downloads(outcome, connection)


def _downloads(outcome: RunOutcome, connection: Connection) -> None:
    stem = latency_export.file_stem(outcome)
    local = connection.kind == "local"
    locustfile = locust_export.locustfile(
        outcome.request,
        stream=outcome.settings.stream,
        region=connection.region,
        endpoint_url=connection.local_url if local else None,
        profile=connection.profile,
    )
    with st.container(horizontal=True, key="latency-downloads"):
        st.download_button(
            "CSV",
            latency_export.to_csv(outcome),
            f"{stem}.csv",
            "text/csv",
            icon=":material/download:",
            on_click="ignore",
            key="latency-csv",
        )
        st.download_button(
            "JSON",
            latency_export.to_json(outcome),
            f"{stem}.json",
            "application/json",
            icon=":material/download:",
            on_click="ignore",
            key="latency-json",
        )
        st.download_button(
            "Export to Locust",
            locustfile.encode("utf-8"),
            locust_export.file_name(outcome.request),
            "text/x-python",
            icon=":material/groups:",
            on_click="ignore",
            key="latency-locust",
            help="A locustfile that sends exactly this request through boto3 and reports each latency (and a "
            "stream's time to first token) to Locust: run it headless or in distributed mode.",
        )


def _stored_runs() -> None:
    try:
        runs = latency_runs.store().list()
    except Exception as error:  # an unreadable history file must not take the page down
        st.caption(escape_markdown(f"Saved runs cannot be read: {error}"))
        return
    if not runs:
        return
    st.divider()
    st.subheader("Saved runs", anchor=False)
    labels = {info.id: info.label for info in runs}
    ids = list(labels)
    with st.container(horizontal=True, vertical_alignment="bottom"):
        chosen = st.selectbox("Run", ids, format_func=labels.__getitem__, key="latency-pick")
        if st.button("Open", key="latency-open-button", icon=":material/open_in_new:"):
            st.session_state[OPEN_KEY] = chosen
            st.rerun()
    if len(ids) < 2:
        return
    st.markdown("**Compare two runs**")
    before_col, after_col = st.columns(2)
    before_id = before_col.selectbox(
        "Before", ids, index=1, format_func=labels.__getitem__, key="latency-before"
    )
    after_id = after_col.selectbox("After", ids, index=0, format_func=labels.__getitem__, key="latency-after")
    if before_id == after_id:
        st.caption("Pick two different runs to compare.")
        return
    store = latency_runs.store()
    before, after = store.get(before_id), store.get(after_id)
    if before is None or after is None:
        return
    rows = compare(before.summary, after.summary)
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "figure": r.figure,
                    f"#{before_id}": r.before,
                    f"#{after_id}": r.after,
                    "change %": r.change_pct,
                }
                for r in rows
            ]
        ).set_index("figure"),
        key="latency-compare-table",
    )
    latency_charts.compared(
        before.summary, after.summary, (f"#{before_id}", f"#{after_id}"), key="latency-compare-chart"
    )


main()

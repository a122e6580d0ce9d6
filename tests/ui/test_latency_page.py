"""The Latency page with AppTest: opened from Test inference with the page's request, a run drawn whole,
a stored run reopened and two compared, and the page without a request."""

from __future__ import annotations

import json

import pandas as pd
from streamlit.testing.v1 import AppTest

from local_endpoints import LocalEndpoints
from tests.ui.conftest import pick


def _table(at: AppTest, first_row: str) -> pd.DataFrame:
    """The dataframe whose first row is `first_row` (AppTest does not find a dataframe by its key)."""
    for frame in at.dataframe:
        if len(frame.value.index) and frame.value.index[0] == first_row:
            return frame.value
    raise AssertionError(f"no table starting with {first_row!r}")


def _results_of(at: AppTest) -> str:
    """Which run the results show: "Run #N" from the caption under Results (escaped for Markdown)."""
    return next(c.value for c in at.caption if c.value.startswith("Run ")).replace("\\", "").split(" · ")[0]


def _charts(at: AppTest) -> list[object]:
    return list(at.get("vega_lite_chart"))


def _start_run(at: AppTest, requests: int, concurrency: int) -> None:
    at.number_input(key="latency-requests").set_value(requests)
    at.number_input(key="latency-concurrency").set_value(concurrency)
    at.button(key="latency-start").click().run()
    assert not at.exception, at.exception
    assert at.session_state["latency-run"].wait(20), "the run did not finish"
    at.run()
    assert not at.exception, at.exception


def test_a_run_of_the_test_inference_request_is_drawn_whole(app: AppTest, server: LocalEndpoints):
    pick(app, server, "demo-text-classifier")
    app.button(key="latency-entry").click().run()
    assert not app.exception, app.exception
    assert [t.value for t in app.title] == ["Latency"]
    request = app.session_state["latency-request"].request
    assert request.endpoint_name == "demo-text-classifier"
    assert json.loads(request.body) == {"features": ["This is great!"]}  # the editor's sample

    _start_run(app, 20, 4)
    sent = [r for r in server.requests() if "demo-text-classifier" in r.path]
    assert len(sent) == 20 and all(r.body == request.body for r in sent)
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Requests"] == "20" and metrics["Successes"] == "20" and metrics["Errors"] == "0"
    table = _table(app, "Latency (ms)")
    assert list(table.index) == ["Latency (ms)"] and table.loc["Latency (ms)", "count"] == 20
    assert table.loc["Latency (ms)", "p50"] > 0
    assert len(_charts(app)) == 2  # histogram, over time
    assert {b.label for b in app.get("download_button")} >= {"CSV", "JSON", "Export to Locust"}
    assert _results_of(app) == "Run #1"


def test_stored_runs_reopen_and_compare(app: AppTest, server: LocalEndpoints):
    pick(app, server, "demo-text-classifier")
    app.button(key="latency-entry").click().run()
    _start_run(app, 5, 1)
    _start_run(app, 6, 2)
    compared = _table(app, "Requests")
    assert list(compared.columns[:2]) == ["#1", "#2"]
    assert compared.loc["Requests", "#1"] == 5 and compared.loc["Requests", "#2"] == 6
    assert len(_charts(app)) == 3  # the run's two and the comparison

    app.selectbox(key="latency-pick").set_value(1).run()
    app.button(key="latency-open-button").click().run()
    assert not app.exception, app.exception
    assert _results_of(app) == "Run #1"
    assert {m.label: m.value for m in app.metric}["Requests"] == "5"


def test_without_a_request_the_page_says_where_to_start(app: AppTest):
    app.switch_page("app_pages/latency.py").run()
    assert not app.exception, app.exception
    assert "Run a latency test" in app.info[0].value

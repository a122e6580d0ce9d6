"""The Compare page in AppTest, against the local server: the Test inference request handed over, sent to
two variants (TargetVariant) and to two endpoints at once, the figures side by side, every result saved."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from local_endpoints import LocalEndpoints
from services.history import History
from tests.ui.conftest import invocations, pick, run_until, statuses


def _hand_over(app: AppTest, server: LocalEndpoints, endpoint: str) -> None:
    pick(app, server, endpoint)
    app.button(key="compare-entry").click().run()
    assert not app.exception, app.exception
    assert any(t.value == "Compare" for t in app.title)


def _send_to_all(app: AppTest, count: int) -> None:
    app.button(key="compare-send").click().run()
    assert not app.exception, app.exception
    run_until(app, lambda at: len([s for s in statuses(at) if s in ("Success", "Failed")]) >= count)
    app.run()  # the run after the last card ended draws the figures whole


def test_the_two_variants_of_an_ab_endpoint_answer_side_by_side(
    app: AppTest, server: LocalEndpoints, tmp_path
):
    _hand_over(app, server, "demo-ab-test")
    assert [app.selectbox(key=f"compare-variant-{i}").value for i in (0, 1)] == ["variant-a", "variant-b"]
    _send_to_all(app, 2)
    sent = invocations(server)
    assert sorted(r.headers["x-amzn-sagemaker-target-variant"] for r in sent) == ["variant-a", "variant-b"]
    assert len({r.body for r in sent}) == 1  # the same body to both
    [table] = app.dataframe
    rows = table.value.to_dict("records")
    assert [r["Invoked variant"] for r in rows] == ["variant-a", "variant-b"]
    assert all(r["Status"] == "Success" and r["Execution Length (ms)"] > 0 for r in rows)
    assert sum(r["Fastest"] == "✓" for r in rows) == 1
    assert History(tmp_path / "history.sqlite3").count() == 2  # each result saved, as a card's is
    diffs = [box.value for box in [*app.info, *app.success]]
    assert len(diffs) == 1 and ("JSON:" in diffs[0] or "Identical" in diffs[0]), diffs  # key by key


def test_a_third_target_is_added_and_two_generators_stream_at_once(app: AppTest, server: LocalEndpoints):
    _hand_over(app, server, "demo-tgi-generator")
    app.button(key="compare-add").click().run()
    app.selectbox(key="compare-endpoint-1").set_value("demo-lmi-generator").run()
    app.selectbox(key="compare-endpoint-2").set_value("demo-custom-llm").run()
    _send_to_all(app, 3)
    streamed = [r for r in invocations(server) if r.operation == "InvokeEndpointWithResponseStream"]
    assert sorted(r.endpoint_name for r in streamed) == [
        "demo-custom-llm",
        "demo-lmi-generator",
        "demo-tgi-generator",
    ]
    rows = app.dataframe[0].value.to_dict("records")
    statuses_by_target = {r["Target"]: r["Status"] for r in rows}
    assert (
        statuses_by_target["demo-tgi-generator"] == "Success"
        and statuses_by_target["demo-lmi-generator"] == "Success"
    )
    assert statuses_by_target["demo-custom-llm"] == "Failed"  # it refuses the Messages API: said, not hidden
    assert rows[0]["Time to first token (ms)"] > 0
    diffs = [box.value for box in [*app.info, *app.success]]
    assert len(diffs) == 1 and ("Text:" in diffs[0] or "Identical" in diffs[0]), diffs  # not the failed one


def test_the_same_target_twice_cannot_be_sent(app: AppTest, server: LocalEndpoints):
    _hand_over(app, server, "demo-text-classifier")
    app.selectbox(key="compare-endpoint-1").set_value("demo-text-classifier").run()
    assert app.button(key="compare-send").disabled
    assert invocations(server) == []

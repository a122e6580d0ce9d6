"""The endpoint details dialog in AppTest, from what the local server describes through boto3."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from local_endpoints import LocalEndpoints
from tests.ui.conftest import pick


def _open_details(app: AppTest) -> str:
    app.button(key="endpoint-details-open").click().run()
    assert not app.exception, app.exception
    return "\n".join([m.value for m in app.markdown] + [c.value for c in app.caption])


def _tables(app: AppTest) -> list[list[dict]]:
    return [frame.value.to_dict("records") for frame in app.dataframe]


def test_inference_components_show_their_specs(app: AppTest, server: LocalEndpoints):
    pick(app, server, "demo-inference-components")
    shown = _open_details(app)
    assert "demo\\-inference\\-components" in shown and "InService" in shown
    variants, components = _tables(app)
    assert variants[0]["Capacity"] == "ml.g5.12xlarge × 1"
    by_name = {row["Component"]: row for row in components}
    assert by_name["ic-generator"]["Copies"] == 2 and by_name["ic-generator"]["Memory (MB)"] == 16384
    assert "tgi" in by_name["ic-generator"]["Image"]
    assert "_local/requests" in shown  # a local endpoint's truth: the local server's log, no console
    assert not app.get("link_button")


def test_serverless_and_weighted_variants_are_described(app: AppTest, server: LocalEndpoints):
    pick(app, server, "demo-serverless")
    _open_details(app)
    [variants] = _tables(app)
    assert variants[0]["Capacity"] == "serverless: 2048 MB, up to 5 concurrent"
    pick(app, server, "demo-ab-test")
    _open_details(app)
    [variants] = _tables(app)
    assert [(v["Variant"], v["Weight"]) for v in variants] == [("variant-a", 0.5), ("variant-b", 0.5)]
    assert variants[1]["Capacity"] == "ml.c5.xlarge × 2"


def test_a_failed_endpoint_says_why(app: AppTest, server: LocalEndpoints):
    pick(app, server, "demo-failed")
    _open_details(app)
    assert any("did not pass the ping health check" in e.value for e in app.error)


def test_data_capture_is_described(app: AppTest, server: LocalEndpoints):
    pick(app, server, "demo-text-classifier")
    shown = _open_details(app).replace("\\", "")  # Markdown escapes aside
    assert "On, 20% of requests sampled, started, to s3://sagemaker-us-east-1-123456789012/" in shown
    pick(app, server, "demo-ab-test")
    assert "Off: requests and answers are not captured." in _open_details(app).replace("\\", "")

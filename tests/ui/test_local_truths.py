"""A local endpoint's failed card tells local truths: no CloudWatch console or fake account, the local
server's own record of the request instead, and the model's message once."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from local_endpoints import LocalEndpoints
from tests.ui.conftest import click, pick, run_until, statuses


def test_a_local_model_error_shows_the_local_servers_record_and_its_message_once(
    app: AppTest, server: LocalEndpoints
):
    pick(app, server, "demo-text-classifier")
    click(app, "send", '{"features": 7}')  # the classifier refuses it: a ModelError (424)
    run_until(app, lambda at: statuses(at)[:1] == ["Failed"])
    texts = [t.value for t in app.text]
    shown = "\n".join(texts)
    assert "console.aws.amazon.com" not in shown and "123456789012" not in shown
    assert not app.get("link_button")  # no "View the logs in CloudWatch"
    [original] = [c.value for c in app.code if "features" in c.value]
    assert "(below)" in shown and original not in shown  # the model's message once, in its own block
    [record] = [b for b in app.button if b.key and b.key.startswith("local-record-")]
    record.click().run()
    rows = {r["Field"]: r["Value"] for r in app.dataframe[-1].value.to_dict("records")}
    assert (rows["Operation"], rows["Answer status"], rows["Endpoint"]) == (
        "InvokeEndpoint",
        "424",
        "demo-text-classifier",
    )

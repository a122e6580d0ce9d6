"""The History page as a lab notebook, in AppTest against the local server and a real history file:
search, filters, star, re-run in place, diff two results, export, copy as Markdown, saved conversations."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from local_endpoints import LocalEndpoints
from services.chat_conversation import Conversation
from services.chat_formats import ChatFormat
from services.conversation_store import ConversationStore
from services.history import History, default_history_path
from services.results import InvocationRequest, InvocationResult, Status
from tests.ui.conftest import APP, click, markdown, pick, run_until, statuses, unescaped

PAGE = 50  # app_pages/history.PAGE (importing the page would run it)


def _send(app: AppTest, server: LocalEndpoints, endpoint: str, body: str) -> None:
    app.switch_page("app_pages/inference.py").run()
    pick(app, server, endpoint)
    before = len(statuses(app))
    click(app, "send", body)
    run_until(app, lambda at: len(statuses(at)) > before and statuses(at)[0] == "Success")


def _history_page(app: AppTest) -> None:
    app.switch_page("app_pages/history.py").run()
    assert not app.exception, app.exception


def _rows(app: AppTest) -> list[int]:
    return [int(b.key.split("-")[1]) for b in app.button if b.key and b.key.startswith("open-")]


def _button(app: AppTest, key: str) -> None:
    app.button(key=key).click().run()
    assert not app.exception, app.exception


def test_search_and_filters_narrow_the_list(app: AppTest, server: LocalEndpoints) -> None:
    _send(app, server, "demo-text-classifier", '{"features": ["a quokka smiles"]}')
    _send(app, server, "demo-text-classifier", '{"features": ["a wombat sleeps"]}')
    _send(app, server, "demo-csv-regressor", "5.1,3.5,1.4,0.2")
    _history_page(app)
    assert len(_rows(app)) == 3
    app.text_input(key="history-search").set_value("QUOKKA").run()
    [found] = _rows(app)
    assert History(default_history_path()).get(found).request.body == b'{"features": ["a quokka smiles"]}'  # type: ignore[union-attr]
    app.text_input(key="history-search").set_value("").run()
    app.selectbox(key="history-endpoint").set_value("demo-csv-regressor").run()
    assert len(_rows(app)) == 1
    app.selectbox(key="history-endpoint").set_value("Any").run()
    app.selectbox(key="history-status").set_value("Failed").run()
    assert _rows(app) == [] and any("No saved requests match" in c.value for c in app.caption)
    app.selectbox(key="history-status").set_value("Any").run()
    app.selectbox(key="history-time").set_value("Last hour").run()
    assert len(_rows(app)) == 3
    app.selectbox(key="history-time").set_value("Date range").run()
    assert not app.exception and len(_rows(app)) == 3  # the default range ends today
    label = f"Local · {server.url}"
    app.selectbox(key="history-connection").set_value(label).run()
    assert len(_rows(app)) == 3


def test_star_and_the_starred_filter(app: AppTest, server: LocalEndpoints) -> None:
    _send(app, server, "demo-text-classifier", '{"features": ["first"]}')
    _send(app, server, "demo-text-classifier", '{"features": ["second"]}')
    _history_page(app)
    older = min(_rows(app))
    _button(app, f"star-{older}")
    assert app.button(key=f"star-{older}").label == "Starred"
    app.toggle(key="history-starred").set_value(True).run()
    assert _rows(app) == [older]
    assert ":material/star:" in markdown(app)


def test_rerun_in_place_sends_again_and_saves_the_new_result(app: AppTest, server: LocalEndpoints) -> None:
    _send(app, server, "demo-text-classifier", '{"features": ["again please"]}')
    _history_page(app)
    [entry_id] = _rows(app)
    sent_before = len([r for r in server.requests() if r.operation.startswith("InvokeEndpoint")])
    _button(app, f"rerun-{entry_id}")
    run_until(app, lambda at: len(_rows(at)) == 2)
    assert len([r for r in server.requests() if r.operation.startswith("InvokeEndpoint")]) == sent_before + 1
    assert [h.value for h in app.subheader][:1] == ["Re-run"]
    assert statuses(app).count("Success") >= 3  # two rows and the re-run's card
    history = History(default_history_path())
    first, second = history.list()[1], history.list()[0]
    assert second.request.body == first.request.body == b'{"features": ["again please"]}'


def test_diff_two_results(app: AppTest, server: LocalEndpoints) -> None:
    _send(app, server, "demo-text-classifier", '{"features": ["I love it"]}')
    _send(app, server, "demo-text-classifier", '{"features": ["I hate it"]}')
    _history_page(app)
    newer, older = _rows(app)
    _button(app, f"compare-{older}")
    assert any("Pick one more entry" in c.value for c in app.caption)
    _button(app, f"compare-{newer}")
    assert any(("JSON:" in s.value or "Identical" in s.value) for s in [*app.info, *app.success])
    assert "**A** \\#" in markdown(app)
    _button(app, "history-diff-clear")
    assert not any("Pick one more entry" in c.value for c in app.caption)


def test_export_and_copy_as_markdown(app: AppTest, server: LocalEndpoints) -> None:
    _history_page(app)
    assert app.get("download_button")[0].proto.disabled  # nothing to export yet
    _send(app, server, "demo-text-classifier", '{"features": ["report me"]}')
    _history_page(app)
    assert not app.get("download_button")[0].proto.disabled
    [entry_id] = _rows(app)
    _button(app, f"markdown-{entry_id}")
    [report] = [c.value for c in app.code if c.value.startswith("### ")]
    assert report.startswith("### demo\\-text\\-classifier")
    assert "| Status | Success |" in report and '"report me"' in report


def test_saved_conversations_are_listed_and_copy_as_markdown(app: AppTest, server: LocalEndpoints) -> None:
    store = ConversationStore(History(default_history_path()))
    conversation = Conversation(
        endpoint="demo-tgi-generator",
        component=None,
        connection_label=f"Local · {server.url}",
        format=ChatFormat.TGI,
        template="",
    )
    conversation.title = "Notes on *tides*"
    store.save(conversation)
    _history_page(app)
    app.session_state["history-view"] = "Conversations"
    app.run()
    assert not app.exception, app.exception
    assert "Notes on \\*tides\\*" in markdown(app)
    _button(app, f"history-chat-markdown-{conversation.id}")
    assert any(c.value.startswith("# ") for c in app.code)
    _button(app, f"history-chat-open-{conversation.id}")
    assert not app.exception
    assert (
        "Notes on" in unescaped(markdown(app)) or app.session_state["chat-conversation"].id == conversation.id
    )


def test_show_more_pages_through_a_long_history(app: AppTest) -> None:
    history = History(default_history_path())
    at = datetime(2025, 3, 1, tzinfo=UTC)
    for n in range(PAGE + 5):
        history.save(
            InvocationResult(
                InvocationRequest("demo-text-classifier", b"{}"), Status.SUCCESS, at + timedelta(seconds=n)
            ),
            connection_label="Local",
        )
    _history_page(app)
    assert len(_rows(app)) == PAGE
    assert any(f"{PAGE}+ shown" in c.value for c in app.caption)
    _button(app, "history-more")
    assert len(_rows(app)) == PAGE + 5
    assert not [b for b in app.button if b.key == "history-more"]


def test_a_history_file_from_a_newer_version_is_explained_not_damaged(
    server: LocalEndpoints, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "newer.sqlite3"
    History(path).save(
        InvocationResult(InvocationRequest("demo-x", b"kept"), Status.SUCCESS, datetime.now(UTC)),
        connection_label="L",
    )
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 99")
    conn.close()
    monkeypatch.setenv("LOCAL_ENDPOINTS_URL", server.url)
    monkeypatch.setenv("SMTI_HISTORY_PATH", str(path))
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    at.switch_page("app_pages/history.py").run()
    assert not at.exception, at.exception
    [error] = [e.value for e in at.error]
    assert "newer version of this app" in error and "Nothing in the file was changed" in error
    with sqlite3.connect(path) as conn:
        assert conn.execute(
            "SELECT count(*), max(CAST(request_body AS TEXT)) FROM invocations"
        ).fetchone() == (1, "kept")
    conn.close()

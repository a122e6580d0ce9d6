"""Whatever the editor holds, the page answers with a message next to it and never sends what cannot be sent;
Format never writes text that cannot be sent. Through the whole page in AppTest, against the local server."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from local_endpoints import LocalEndpoints
from tests.ui.conftest import click, invocations, pick, unescaped

DEEP = "[" * 100_000 + "]" * 100_000
BIG_INTEGER = '{"inputs": ' + "7" * 5_000 + "}"
LONE_SURROGATE = '{\n  "inputs": "broken \ud800 here"\n}'  # the character itself, not its escape


def problem(app: AppTest) -> str:
    """The message next to the editor (what keeps the body from being sent), or ""."""
    return unescaped("\n".join(error.value for error in app.error))


def test_json_nested_100000_deep_gets_its_line_and_column_and_is_not_sent(
    app: AppTest, server: LocalEndpoints
):
    pick(app, server, "demo-text-classifier")
    click(app, "send", DEEP)
    assert "line 1, column 100000" in problem(app) and "100,000 levels" in problem(app)
    assert invocations(server) == []
    click(app, "format", DEEP)
    assert app.session_state["editor_text"] == DEEP  # left as it was
    app.run()  # and the page keeps answering on the next run
    assert not app.exception


def test_an_integer_of_5000_digits_is_sent_as_written_and_format_says_it_cannot(
    app: AppTest, server: LocalEndpoints
):
    pick(app, server, "demo-text-classifier")
    click(app, "format", BIG_INTEGER)
    assert "Format cannot lay this JSON out" in problem(app)
    assert app.session_state["editor_text"] == BIG_INTEGER
    click(app, "send", BIG_INTEGER)
    [sent] = invocations(server)
    assert sent.body == BIG_INTEGER.encode()


def test_format_keeps_a_surrogate_escape_an_escape(app: AppTest, server: LocalEndpoints):
    pick(app, server, "demo-text-classifier")
    click(app, "format", '{"inputs":"\\ud800"}')
    formatted = app.session_state["editor_text"]
    assert formatted == '{\n  "inputs": "\\ud800"\n}'
    click(app, "send", formatted)
    [sent] = invocations(server)
    assert sent.body == formatted.encode("ascii")


def test_a_lone_surrogate_in_the_text_is_pointed_at_and_not_sent(app: AppTest, server: LocalEndpoints):
    pick(app, server, "demo-text-classifier")
    click(app, "send", LONE_SURROGATE)
    assert "Cannot send this text at line 2, column 21" in problem(app) and "U+D800" in problem(app)
    assert invocations(server) == []
    click(app, "format", LONE_SURROGATE)
    assert "U+D800" in problem(app)
    app.radio(key="testing-mode").set_value("Use Python SDK example code").run()
    assert not app.exception
    assert any("example code appears once the body can be sent" in info.value for info in app.info)


def test_plain_text_that_cannot_be_encoded_is_not_sent_either(app: AppTest, server: LocalEndpoints):
    pick(app, server, "demo-text-classifier")
    app.text_input(key="opt-content-type").set_value("text/plain").run()
    click(app, "send", "half a pair: \udc00")
    assert "Cannot send this text at line 1, column 14" in problem(app)
    assert invocations(server) == []


@pytest.mark.parametrize(
    "text",
    ["", "   ", "\x00", "{" * 5000, '"' * 3, "\ufeff{}", '{"a": 1e999999}', "[1, 2" + ", 3" * 50_000],
)
def test_odd_texts_never_break_the_page(app: AppTest, server: LocalEndpoints, text: str):
    pick(app, server, "demo-text-classifier")
    for action in ("format", "send", "format"):
        click(app, action, text)  # click() asserts the run raised nothing

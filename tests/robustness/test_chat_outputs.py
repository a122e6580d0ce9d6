"""Any answer, through the Chat page (AppTest → boto3 → local server → replay container, the spec riding in
the last message): however hostile or malformed the stream, the page never raises, the turn ends with a
result that keeps the text, and what the model wrote is shown as text."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from components.chat_settings import CONVERSATION_KEY, INPUT_KEY
from local_endpoints import LocalEndpoints
from services.results import Status
from tests.support.replay_container import REPLAY_ENDPOINT, replay_request
from tests.ui.conftest import run_until

FUZZ = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ANY_CHARACTER = st.characters(exclude_categories=())


def _chunk(text: str, finish: str | None = None) -> bytes:
    delta = {"content": text} if text else {}
    chunk = {
        "object": "chat.completion.chunk",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return f"data: {json.dumps(chunk)}\n\n".encode()


def _answer(app: AppTest, server: LocalEndpoints, stream: bytes, pieces: int = 4):
    if (
        CONVERSATION_KEY not in app.session_state
        or app.session_state[CONVERSATION_KEY].endpoint != REPLAY_ENDPOINT
    ):
        app.switch_page("app_pages/chat.py").run()
        app.selectbox(key=f"endpoint-choice-chat · Local · {server.url}").set_value(REPLAY_ENDPOINT).run()
    app.chat_input(key=INPUT_KEY).set_value(replay_request(stream, "text/event-stream", pieces=pieces)).run()
    assert not app.exception, app.exception
    run_until(app, lambda at: at.session_state[CONVERSATION_KEY].turns[-1].result is not None, timeout=30)
    app.run()
    assert not app.exception, app.exception
    return app.session_state[CONVERSATION_KEY].turns[-1]


def test_html_and_streamlit_markdown_in_an_answer_stay_text(app: AppTest, server: LocalEndpoints):
    hostile = '<script>window.pwned=1</script> <img src=x onerror="window.pwned=2"> costs $5 :red[alarm] ![t](http://x/t.png)'
    turn = _answer(app, server, _chunk(hostile) + _chunk("", "stop") + b"data: [DONE]\n\n")
    assert turn.result.status is Status.SUCCESS and turn.answer == hostile
    shown = [m for m in app.markdown if "script" in m.value]
    assert len(shown) == 1 and not shown[0].allow_html  # Markdown without HTML: the tags show as text
    assert "\\$5" in shown[0].value and "\\:red[" in shown[0].value and "\\![t]" in shown[0].value


def test_a_stream_broken_mid_answer_keeps_its_text_and_says_so(app: AppTest, server: LocalEndpoints):
    broken = (
        _chunk("The first words ")
        + _chunk("arrive, ")
        + b'data: {"error": {"message": "CUDA out of memory"}}\n\n'
    )
    turn = _answer(app, server, broken)
    assert turn.result.status is Status.FAILED
    assert turn.answer == "The first words arrive, "
    assert any("CUDA out of memory" in w.value and "kept above" in w.value for w in app.warning)
    assert any("finish: error" in c.value for c in app.caption)


STREAMS = st.one_of(
    st.binary(max_size=2000),
    st.lists(st.text(ANY_CHARACTER, max_size=40), max_size=8).map(
        lambda texts: b"".join(_chunk(t) for t in texts)
    ),
    st.text(ANY_CHARACTER, max_size=300).map(lambda text: text.encode("utf-8", "surrogatepass")),
)


def test_random_answers_never_break_the_page_and_every_turn_ends(app: AppTest, server: LocalEndpoints):
    @FUZZ
    @given(stream=STREAMS, pieces=st.integers(1, 5))
    def answer(stream: bytes, pieces: int) -> None:
        turn = _answer(app, server, stream, pieces)
        assert turn.result.status in (Status.SUCCESS, Status.FAILED)
        assert turn.result.text == turn.answer

    answer()

"""The Chat page in AppTest, against the local server: conversations in each format, with what was sent
checked in the server's request log."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from components.chat_settings import CONVERSATION_KEY as CHAT_KEY
from components.chat_settings import FORMAT_KEY, INPUT_KEY, PRESENT_KEY, TEMPERATURE_KEY, TEMPLATE_KEY
from components.chat_turns import RECENT_TURNS
from local_endpoints import LocalEndpoints
from tests.ui.conftest import invocations, run_until


def _open_chat(app: AppTest, server: LocalEndpoints, endpoint: str) -> None:
    app.switch_page("app_pages/chat.py").run()
    app.selectbox(key=f"endpoint-choice-chat · Local · {server.url}").set_value(endpoint).run()
    app.slider(key=TEMPERATURE_KEY).set_value(0.0).run()  # greedy: the same answer every time
    assert not app.exception, app.exception


def _say(app: AppTest, text: str) -> str:
    """Send `text` and wait for its answer to end; the answer's text."""
    turns = len(app.session_state[CHAT_KEY].turns) if CHAT_KEY in app.session_state else 0
    app.chat_input(key=INPUT_KEY).set_value(text).run()
    assert not app.exception, app.exception

    def answered(at: AppTest) -> bool:
        conversation = at.session_state[CHAT_KEY]
        return len(conversation.turns) == turns + 1 and conversation.turns[-1].result is not None

    run_until(app, answered, timeout=30)
    app.run()  # the run that draws the finished answer with its buttons
    return str(app.session_state[CHAT_KEY].turns[-1].answer)


def _sent(server: LocalEndpoints) -> list[dict]:
    return [json.loads(r.body) for r in invocations(server)]


def _captions(app: AppTest) -> list[str]:
    return [c.value for c in app.caption]


def test_the_format_is_detected_and_two_turns_carry_the_whole_conversation(
    app: AppTest, server: LocalEndpoints
):
    _open_chat(app, server, "demo-tgi-generator")
    assert any("MESSAGES\\_API\\_ENABLED" in c for c in _captions(app))  # why the format was chosen
    first = _say(app, "What is Amazon SageMaker?")
    assert "SageMaker" in first
    _say(app, "And what is an endpoint?")
    bodies = _sent(server)
    assert len(bodies) == 2 and all(b["stream"] is True for b in bodies)
    assert [m["role"] for m in bodies[1]["messages"]] == ["system", "user", "assistant", "user"]
    assert bodies[1]["messages"][2]["content"] == first  # the first answer, exactly as it came
    assert bodies[1]["messages"][3]["content"] == "And what is an endpoint?"
    assert any("time to first token" in c and "finish: stop" in c for c in _captions(app))


@pytest.mark.parametrize(
    ("endpoint", "fmt", "check"),
    [
        ("demo-tgi-generator", "tgi", lambda b: b["parameters"]["stop"] == ["<|im_end|>"]),
        ("demo-lmi-generator", "lmi", lambda b: b["parameters"]["stop_sequences"] == ["<|im_end|>"]),
        ("demo-lmi-legacy-generator", "lmi-legacy", lambda b: isinstance(b["inputs"], list)),
    ],
)
def test_templated_formats_send_the_conversation_as_one_prompt(
    app: AppTest, server: LocalEndpoints, endpoint: str, fmt: str, check
):
    _open_chat(app, server, endpoint)
    app.selectbox(key=FORMAT_KEY).set_value(fmt).run()
    app.selectbox(key=TEMPLATE_KEY).set_value("chatml").run()
    first = _say(app, "What is Amazon SageMaker?")
    assert first.strip()
    _say(app, "Tell me more.")
    second = _sent(server)[1]
    prompt = second["inputs"][0] if fmt == "lmi-legacy" else second["inputs"]
    assert "<|im_start|>user\nWhat is Amazon SageMaker?<|im_end|>" in prompt
    assert f"<|im_start|>assistant\n{first.strip()}<|im_end|>" in prompt
    assert prompt.endswith("<|im_start|>user\nTell me more.<|im_end|>\n<|im_start|>assistant\n")
    assert check(second)


def test_regenerate_replaces_the_last_answer_and_edit_drops_what_came_after(
    app: AppTest, server: LocalEndpoints
):
    _open_chat(app, server, "demo-tgi-generator")
    _say(app, "What is Amazon SageMaker?")
    _say(app, "And an endpoint?")
    app.button(key="chat-regenerate-1").click().run()
    run_until(app, lambda at: at.session_state[CHAT_KEY].turns[-1].result is not None, timeout=30)
    conversation = app.session_state[CHAT_KEY]
    assert [t.user for t in conversation.turns] == ["What is Amazon SageMaker?", "And an endpoint?"]
    assert [m["role"] for m in _sent(server)[2]["messages"]] == ["system", "user", "assistant", "user"]
    app.run()
    app.button(key="chat-edit-button-0").click().run()  # opens the dialog
    app.text_area(key="chat-edit-0").set_value("What is an inference component?")
    app.button(key="chat-resend-0").click().run()
    run_until(app, lambda at: at.session_state[CHAT_KEY].turns[-1].result is not None, timeout=30)
    assert [t.user for t in app.session_state[CHAT_KEY].turns] == ["What is an inference component?"]
    assert [m["content"] for m in _sent(server)[3]["messages"][1:]] == ["What is an inference component?"]


def test_presentation_mode_hides_the_figures_and_the_request(app: AppTest, server: LocalEndpoints):
    _open_chat(app, server, "demo-tgi-generator")
    _say(app, "What is Amazon SageMaker?")
    assert any("time to first token" in c for c in _captions(app))
    assert any(b.key == "chat-request-0" for b in app.button)
    app.toggle(key=PRESENT_KEY).set_value(True).run()
    assert not app.exception
    assert not any("time to first token" in c for c in _captions(app))
    assert not any(b.key and b.key.startswith("chat-request-") for b in app.button)
    assert any("SageMaker" in m.value for m in app.markdown)  # the conversation stays


def test_a_failing_answer_keeps_its_text_and_says_what_happened(app: AppTest, server: LocalEndpoints):
    _open_chat(app, server, "demo-tgi-generator")
    _say(app, "Please fail: !!model-error!!")
    turn = app.session_state[CHAT_KEY].turns[-1]
    assert turn.result.status.value == "Failed"
    assert turn.answer  # the tokens before the failure
    assert any("error" in c for c in _captions(app))  # finish: error
    assert any("kept above" in e.value for e in app.warning)


def test_a_new_conversation_starts_empty_with_suggestions(app: AppTest, server: LocalEndpoints):
    _open_chat(app, server, "demo-tgi-generator")
    _say(app, "What is Amazon SageMaker?")
    app.button(key="chat-clear").click().run()
    assert CHAT_KEY not in app.session_state
    assert any("Try one of these" in c for c in _captions(app))
    app.button(key="chat-suggest-0").click().run()
    run_until(app, lambda at: at.session_state[CHAT_KEY].turns[-1].result is not None, timeout=30)
    assert _sent(server)[-1]["messages"][-1]["content"] == "What is Amazon SageMaker?"


def test_a_conversation_is_saved_and_reopens_renamed_after_a_new_one(app: AppTest, server: LocalEndpoints):
    _open_chat(app, server, "demo-tgi-generator")
    answer = _say(app, "What is Amazon SageMaker?")
    conversation_id = app.session_state[CHAT_KEY].id
    app.button(key="chat-clear").click().run()
    app.session_state["chat-saved"] = True  # open the list, as a click on its header does
    app.run()
    app.text_input(key=f"chat-title-{conversation_id}").set_value("SageMaker basics")
    app.button(key=f"chat-rename-{conversation_id}").click().run()
    app.button(key=f"chat-open-{conversation_id}").click().run()
    assert not app.exception, app.exception
    reopened = app.session_state[CHAT_KEY]
    assert reopened.id == conversation_id and reopened.title == "SageMaker basics"
    assert [t.answer for t in reopened.turns] == [answer]
    assert any("finish: stop" in c for c in _captions(app))  # its figures came back too
    _say(app, "Tell me more.")  # it goes on, and the request carries the reopened turn
    assert _sent(server)[-1]["messages"][2]["content"] == answer
    app.button(key=f"chat-delete-{conversation_id}").click().run()
    assert not any(b.key == f"chat-open-{conversation_id}" for b in app.button)


def test_extra_parameters_are_sent_and_bad_json_is_never_sent(app: AppTest, server: LocalEndpoints):
    _open_chat(app, server, "demo-tgi-generator")
    app.text_input(key="chat-extra").set_value('{"seed": 7,}').run()
    assert any("line 1, column 12" in e.value for e in app.error)  # where the JSON breaks
    app.chat_input(key=INPUT_KEY).set_value("What is Amazon SageMaker?").run()
    assert any("Not sent" in e.value for e in app.error) and _sent(server) == []
    app.text_input(key="chat-extra").set_value('{"seed": 7, "max_tokens": 5}').run()
    _say(app, "What is Amazon SageMaker?")
    [body] = _sent(server)
    assert body["seed"] == 7 and body["max_tokens"] == 5
    assert app.session_state[CHAT_KEY].turns[-1].result.stream.token_count <= 5


def test_a_long_conversation_draws_its_recent_turns_and_the_earlier_ones_on_demand(
    app: AppTest, server: LocalEndpoints
):
    _open_chat(app, server, "demo-tgi-generator")
    app.text_input(key="chat-extra").set_value('{"max_tokens": 3}').run()
    for number in range(RECENT_TURNS + 2):
        _say(app, f"Question {number}")
    shown = [m.value for m in app.markdown if m.value.startswith("Question")]
    assert shown == [f"Question {n}" for n in range(2, RECENT_TURNS + 2)]
    assert any(e.label == "2 earlier turns" for e in app.expander)
    app.session_state["chat-earlier"] = True  # opened, as a click on its header does
    app.run()
    shown = [m.value for m in app.markdown if m.value.startswith("Question")]
    assert shown == [f"Question {n}" for n in range(RECENT_TURNS + 2)]


def test_an_endpoint_that_is_no_llm_is_said_to_be_one(app: AppTest, server: LocalEndpoints):
    _open_chat(app, server, "demo-text-classifier")
    assert any(
        "does not say which request format this endpoint's container takes" in i.value for i in app.info
    )
    _open_chat(app, server, "demo-tgi-generator")
    assert not app.info


def test_prompts_prepared_for_an_endpoint_are_its_suggestions_from_then_on(
    app: AppTest, server: LocalEndpoints, tmp_path
):
    _open_chat(app, server, "demo-lmi-generator")
    app.session_state["chat-suggestions-editor"] = True  # open the editor, as a click on its header does
    app.run()
    app.text_area(key="chat-suggestions-editor-text").set_value(
        "What does the image inspector do?\n\nWho are you?"
    )
    app.button(key="chat-suggestions-editor-save").click().run()
    labels = [b.label for b in app.button if b.key and b.key.startswith("chat-suggest-")]
    assert labels == ["What does the image inspector do?", "Who are you?"]
    app.button(key="chat-suggest-0").click().run()
    run_until(app, lambda at: at.session_state[CHAT_KEY].turns[-1].result is not None, timeout=30)
    assert _sent(server)[-1]["messages"][-1]["content"] == "What does the image inspector do?"
    _open_chat(app, server, "demo-tgi-generator")  # another endpoint keeps the general ones
    assert [b.label for b in app.button if b.key == "chat-suggest-0"] == ["What is Amazon SageMaker?"]


def test_a_container_nothing_describes_gets_the_format_its_first_answer_asks_for(
    app: AppTest, server: LocalEndpoints
):
    _open_chat(app, server, "demo-custom-llm")
    assert any("did not tell" in c or "does not tell" in c for c in _captions(app))
    first = _say(app, "What is Amazon SageMaker?")
    assert "SageMaker" in first  # the refused message went again, and was answered
    refused, resent = _sent(server)
    assert "messages" in refused and resent["inputs"].endswith("What is Amazon SageMaker?\n\nAssistant:")
    conversation = app.session_state[CHAT_KEY]
    assert len(conversation.turns) == 1 and conversation.format == "tgi"  # the refusal is not a turn
    assert any("answered in TGI server" in c for c in _captions(app)), _captions(app)
    assert not app.info  # the "which format" note went with the first answer
    _say(app, "And what is an endpoint?")
    assert "inputs" in _sent(server)[2]  # the second turn goes in the learned format at once
    assert not app.exception

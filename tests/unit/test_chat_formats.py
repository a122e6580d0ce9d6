"""A conversation as each LLM container's request body, the chat templates, and format detection (from the
container, and from the first answer when the container says nothing)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from services.chat_formats import (
    ChatFormat,
    ChatSettings,
    Container,
    detect,
    request_body,
    told_by_answer,
)
from services.chat_messages import Message, conversation_messages
from services.chat_templates import TEMPLATES, template_for
from services.errors import ServiceError
from services.results import InvocationRequest, InvocationResult, Status, StreamStats
from services.stream_tokens import finish_reason
from services.streaming import TokenDecoder

TWO_TURNS = conversation_messages(
    "Be brief.", [("What is SageMaker?", "A service for ML."), ("And an endpoint?", None)]
)
TGI = "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.4.0-tgi2.4.0-gpu"
LMI = "763104351884.dkr.ecr.us-east-1.amazonaws.com/djl-inference:0.31.0-lmi13.0.0-cu124"
LMI_OLD = "763104351884.dkr.ecr.us-east-1.amazonaws.com/djl-inference:0.26.0-deepspeed0.12.6-cu121"


def test_the_messages_end_with_the_turn_asked_now():
    assert [m.role for m in TWO_TURNS] == ["system", "user", "assistant", "user"]
    assert TWO_TURNS[-1].content == "And an endpoint?"
    assert conversation_messages("  ", [("hi", None)]) == [Message("user", "hi")]


def test_the_messages_api_body_carries_the_whole_conversation():
    body = request_body(ChatFormat.MESSAGES, TWO_TURNS, ChatSettings(max_new_tokens=64, stop=("END",)))
    assert body["messages"][1:] == [
        {"role": "user", "content": "What is SageMaker?"},
        {"role": "assistant", "content": "A service for ML."},
        {"role": "user", "content": "And an endpoint?"},
    ]
    assert body["max_tokens"] == 64 and body["stop"] == ["END"] and body["stream"] is True


def test_tgi_gets_a_templated_prompt_and_the_templates_stop():
    body = request_body(ChatFormat.TGI, TWO_TURNS, ChatSettings(), template="chatml")
    assert body["inputs"].endswith("<|im_start|>user\nAnd an endpoint?<|im_end|>\n<|im_start|>assistant\n")
    assert "<|im_start|>system\nBe brief.<|im_end|>" in body["inputs"]
    assert body["parameters"]["stop"] == ["<|im_end|>"]
    assert body["parameters"]["return_full_text"] is False and body["stream"] is True


def test_greedy_settings_leave_out_what_tgi_refuses():
    body = request_body(ChatFormat.TGI, TWO_TURNS, ChatSettings(temperature=0, top_p=1.0))
    assert body["parameters"]["do_sample"] is False
    assert "temperature" not in body["parameters"] and "top_p" not in body["parameters"]


def test_lmi_formats_use_stop_sequences_and_the_legacy_one_a_list_of_inputs():
    lmi = request_body(ChatFormat.LMI, TWO_TURNS, ChatSettings(stop=("###",)), template="plain")
    assert isinstance(lmi["inputs"], str) and lmi["parameters"]["stop_sequences"] == ["###", "\nUser:"]
    legacy = request_body(ChatFormat.LMI_LEGACY, TWO_TURNS, ChatSettings(), template="plain")
    assert isinstance(legacy["inputs"], list) and len(legacy["inputs"]) == 1
    assert legacy["inputs"][0].endswith("User: And an endpoint?\n\nAssistant:")
    json.dumps(legacy)  # JSON all the way


def test_each_template_keeps_every_turn_in_order():
    for template in TEMPLATES.values():
        prompt = template.render(TWO_TURNS)
        positions = [
            prompt.index(text) for text in ("What is SageMaker?", "A service for ML.", "And an endpoint?")
        ]
        assert positions == sorted(positions), template.key
        assert "Be brief." in prompt, template.key


def test_llama3_and_mistral_look_like_their_models_templates():
    llama = TEMPLATES["llama3"].render(TWO_TURNS)
    assert llama.startswith(
        "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>"
    )
    assert llama.endswith("<|start_header_id|>assistant<|end_header_id|>\n\n")
    mistral = TEMPLATES["mistral"].render(TWO_TURNS)
    assert (
        mistral == "<s>[INST] Be brief.\n\nWhat is SageMaker? [/INST] A service for ML.</s>"
        "[INST] And an endpoint? [/INST]"
    )


@pytest.mark.parametrize(
    ("model_id", "template"),
    [
        ("meta-llama/Meta-Llama-3-8B-Instruct", "llama3"),
        ("mistralai/Mistral-7B-Instruct-v0.3", "mistral"),
        ("Qwen/Qwen2-7B-Instruct", "chatml"),
        ("local/demo-generator", "plain"),
        (None, "plain"),
    ],
)
def test_the_template_follows_the_model_id(model_id: str | None, template: str):
    assert template_for(model_id) == template


@pytest.mark.parametrize(
    ("container", "expected"),
    [
        (Container(TGI, {"MESSAGES_API_ENABLED": "true"}), ChatFormat.MESSAGES),
        (Container(TGI, {"HF_MODEL_ID": "x"}), ChatFormat.TGI),
        (Container(LMI, {"OPTION_ROLLING_BATCH": "lmi-dist"}), ChatFormat.MESSAGES),
        (Container(LMI, {"OPTION_ROLLING_BATCH": "disable"}), ChatFormat.LMI_LEGACY),
        (Container(LMI_OLD, {}), ChatFormat.LMI),
        (Container("123.dkr.ecr.us-east-1.amazonaws.com/vllm-openai:latest", {}), ChatFormat.MESSAGES),
        (Container("123.dkr.ecr.us-east-1.amazonaws.com/my-own:1", {}), None),
    ],
)
def test_the_format_is_detected_from_image_and_environment(container: Container, expected: ChatFormat | None):
    detection = detect([container])
    assert detection.format == expected
    assert detection.reason


def test_with_nothing_described_nothing_is_guessed():
    assert detect([]).format is None and detect([]).reason


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ({"token": {"text": ""}, "details": {"finish_reason": "eos_token"}}, "stop"),
        ({"token": {"text": "x"}, "details": {"finish_reason": "length"}}, "length"),
        ({"choices": [{"delta": {}, "finish_reason": "stop"}]}, "stop"),
        ({"choices": [{"delta": {"content": "x"}, "finish_reason": None}]}, None),
        ({"choices": [{"delta": {}, "finish_reason": "content_filter"}]}, "content_filter"),
        ({"choices": "nonsense", "details": [1]}, None),
        ([1, 2], None),
    ],
)
def test_the_finish_reason_is_read_in_every_format(value: object, reason: str | None):
    assert finish_reason(value) == reason


def test_the_decoder_keeps_the_finish_reason_past_a_usage_chunk():
    decoder = TokenDecoder()
    chunks = [
        {"choices": [{"delta": {"content": "Hi"}, "finish_reason": None}]},
        {"choices": [{"delta": {}, "finish_reason": "length"}]},
        {"choices": [], "usage": {"completion_tokens": 1}},
    ]
    for chunk in chunks:
        decoder.decode(f"data: {json.dumps(chunk)}\n\n".encode())
    decoder.decode(b"data: [DONE]\n\n")
    decoder.flush()
    assert decoder.text == "Hi" and decoder.finish_reason == "length"


def test_extra_parameters_go_where_each_format_reads_them():
    extra = {"seed": 7, "ignore_eos": True}
    settings = ChatSettings(max_new_tokens=50, extra=extra)
    messages = request_body(ChatFormat.MESSAGES, TWO_TURNS, settings)
    assert messages["seed"] == 7 and messages["ignore_eos"] is True and messages["stream"] is True
    tgi = request_body(
        ChatFormat.TGI, TWO_TURNS, ChatSettings(max_new_tokens=50, extra={"max_new_tokens": 9})
    )
    assert tgi["parameters"]["max_new_tokens"] == 9  # as written: they win
    legacy = request_body(ChatFormat.LMI_LEGACY, TWO_TURNS, settings)
    assert legacy["parameters"]["seed"] == 7 and "seed" not in legacy


def test_a_refusal_names_the_format_the_container_wants():
    from services.chat_formats import format_hint

    tgi_refusal = "Failed to deserialize the JSON body into the target type: missing field `inputs`"
    assert "TGI or LMI" in (format_hint(b'{"messages": []}', tgi_refusal) or "")
    lmi_refusal = '{"error": "Parameter \\"messages\\" is required", "code": 424}'
    assert "Messages API" in (format_hint(b'{"inputs": "x"}', lmi_refusal) or "")
    assert format_hint(b'{"messages": []}', "CUDA out of memory") is None


def _ended(text: str = "", shape: str | None = None, error: str | None = None) -> InvocationResult:
    request = InvocationRequest(endpoint_name="e", body=b"{}")
    stats = StreamStats(format=shape) if shape is not None else None
    if error is not None:
        return InvocationResult.failed(
            request, ServiceError(error), datetime.now(UTC), text=text, stream=stats
        )
    return InvocationResult(request, Status.SUCCESS, datetime.now(UTC), stream=stats, text=text)


@pytest.mark.parametrize(
    ("sent", "outcome"),
    [
        (
            ChatFormat.MESSAGES,
            _ended(error="Could not connect to the endpoint URL"),
        ),  # says nothing of format
        (ChatFormat.MESSAGES, _ended(error="CUDA out of memory")),
        (ChatFormat.TGI, _ended(error="Input validation error: `inputs` must have less than 1024 tokens")),
        (ChatFormat.MESSAGES, _ended("some words", "text")),  # plain text: no shape to go by
        (ChatFormat.MESSAGES, _ended("", "openai")),  # no answer: nothing shown
    ],
)
def test_an_answer_that_shows_no_format_changes_nothing(sent: ChatFormat, outcome: InvocationResult):
    assert told_by_answer(sent, outcome, "plain") is None


def test_a_refusal_of_inputs_sends_the_messages_api_next_and_the_template_is_kept():
    told = told_by_answer(ChatFormat.TGI, _ended(error='Parameter "messages" is required'), "llama3")
    assert told is not None and told.resend and told.detection.tentative
    assert (told.detection.format, told.detection.template) == (ChatFormat.MESSAGES, "llama3")

"""The demo text generator's bytes, parsed part by part, are what real LLM containers send: TGI's server-sent
events, LMI's JSON lines (current and legacy), OpenAI chat chunks, and the whole answers."""

from __future__ import annotations

import json
from typing import Any

import pytest

from local_endpoints.models import ModelInputError, TextGenerator
from local_endpoints.models.ngram import EOS


@pytest.fixture(scope="module", params=["tgi", "lmi", "lmi-legacy"])
def generator(request: pytest.FixtureRequest) -> TextGenerator:
    return TextGenerator(request.param)


@pytest.fixture(scope="module")
def tgi() -> TextGenerator:
    return TextGenerator("tgi")


@pytest.fixture(scope="module")
def lmi() -> TextGenerator:
    return TextGenerator("lmi")


@pytest.fixture(scope="module")
def legacy() -> TextGenerator:
    return TextGenerator("lmi-legacy")


def _body(**fields: Any) -> bytes:
    return json.dumps(fields).encode()


def _stream(model: TextGenerator, **fields: Any) -> tuple[str, list[bytes]]:
    streamed = model.stream(_body(**fields), "application/json", None)
    return streamed.content_type, list(streamed.parts)


def _sse_payload(part: bytes, prefix: bytes) -> Any:
    """One SSE event per part: `prefix` (`data:` or `data: `), a JSON object, one blank line, nothing else."""
    assert part.startswith(prefix + b"{"), part
    assert part.endswith(b"\n\n"), part
    data = part[len(prefix) : -2]
    assert b"\n" not in data, part
    return json.loads(data)


def _json_line(part: bytes) -> Any:
    """One JSON line per part: no `data:` framing, exactly one trailing newline."""
    assert part.endswith(b"\n") and part.count(b"\n") == 1, part
    assert not part.startswith(b"data"), part
    return json.loads(part)


def _eos_seed(model: TextGenerator) -> int:
    """A seed with which the model stops at its end-of-sequence token within 300 tokens."""
    for seed in range(100):
        _, parts = _stream(
            model, inputs="Tell me about the sea.", parameters={"max_new_tokens": 300, "seed": seed}
        )
        if b"</s>" in parts[-1] or b'"eos_token"' in parts[-1]:
            return seed
    raise AssertionError("no seed below 100 ends with EOS")


# -------------------------------------------------------------------------------- TGI


def test_tgi_stream_is_one_sse_event_per_token_with_details_on_the_last(tgi: TextGenerator) -> None:
    content_type, parts = _stream(
        tgi,
        inputs="The sea",
        parameters={"max_new_tokens": 12, "seed": 7, "ignore_eos_token": True},
        stream=True,
    )
    assert content_type == "text/event-stream"
    events = [_sse_payload(part, b"data:") for part in parts]  # TGI writes `data:` with no space
    assert len(events) == 12
    assert [e["index"] for e in events] == list(range(1, 13))
    for event in events[:-1]:
        assert event["generated_text"] is None and event["details"] is None
        assert set(event["token"]) == {"id", "text", "logprob", "special"}
        assert event["token"]["special"] is False and event["token"]["logprob"] <= 0
    last = events[-1]
    assert last["generated_text"] == "".join(e["token"]["text"] for e in events)
    assert last["details"] == {
        "finish_reason": "length",
        "generated_tokens": 12,
        "seed": 7,
        "input_length": 2,
    }


def test_tgi_stream_ends_with_the_special_eos_token_when_the_model_stops(tgi: TextGenerator) -> None:
    seed = _eos_seed(tgi)
    _, parts = _stream(tgi, inputs="Tell me about the sea.", parameters={"max_new_tokens": 300, "seed": seed})
    events = [_sse_payload(part, b"data:") for part in parts]
    last = events[-1]
    assert last["token"] == {"id": EOS, "text": "</s>", "logprob": last["token"]["logprob"], "special": True}
    assert last["details"]["finish_reason"] == "eos_token"
    assert last["details"]["generated_tokens"] == len(events)
    assert "</s>" not in last["generated_text"]  # special tokens are skipped in the text, as TGI does
    assert last["generated_text"] == "".join(e["token"]["text"] for e in events[:-1])
    assert all(not e["token"]["special"] for e in events[:-1])


def test_tgi_model_error_arrives_in_band_inside_the_stream(tgi: TextGenerator) -> None:
    _, parts = _stream(tgi, inputs="!!model-error!! the sea", parameters={"max_new_tokens": 50}, stream=True)
    *tokens, failure = parts
    assert len(tokens) == 5
    assert all(_sse_payload(part, b"data:")["details"] is None for part in tokens)
    assert _sse_payload(failure, b"data:") == {
        "error": "Request failed during generation: Server error: the demo model was asked to fail "
        "(the prompt contains !!model-error!!)",
        "error_type": "generation",
    }


def test_tgi_chat_streams_openai_chunks_as_sse_ending_with_done(tgi: TextGenerator) -> None:
    content_type, parts = _stream(
        tgi,
        messages=[{"role": "user", "content": "Tell me about bread"}],
        max_tokens=6,
        ignore_eos=True,
        seed=3,
        stream=True,
        stream_options={"include_usage": True},
    )
    assert content_type == "text/event-stream"
    assert parts[-1] == b"data: [DONE]\n\n"
    chunks = [_sse_payload(part, b"data: ") for part in parts[:-1]]
    assert len(chunks) == 6
    assert {c["object"] for c in chunks} == {"chat.completion.chunk"}
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert [c["choices"][0]["finish_reason"] for c in chunks] == [None] * 5 + ["length"]
    assert chunks[-1]["usage"] == {"prompt_tokens": 4, "completion_tokens": 6, "total_tokens": 10}
    assert all(c["usage"] is None for c in chunks[:-1])


def test_tgi_whole_answer_is_a_list_with_generated_text_and_optional_details(tgi: TextGenerator) -> None:
    response = tgi.invoke(
        _body(
            inputs="The sea", parameters={"max_new_tokens": 5, "seed": 1, "details": True, "ignore_eos": True}
        ),
        "application/json",
        None,
    )
    assert response.content_type == "application/json"
    [answer] = json.loads(response.body)
    details = answer["details"]
    assert details["finish_reason"] == "length" and details["generated_tokens"] == 5 and details["seed"] == 1
    assert answer["generated_text"] == "".join(t["text"] for t in details["tokens"])
    plain = json.loads(
        tgi.invoke(_body(inputs="The sea", parameters={"seed": 1}), "application/json", None).body
    )
    assert list(plain[0]) == ["generated_text"]


def test_invoke_with_stream_true_returns_the_whole_stream_as_a_container_does(tgi: TextGenerator) -> None:
    fields = {"inputs": "The sea", "parameters": {"max_new_tokens": 8, "seed": 2}, "stream": True}
    response = tgi.invoke(_body(**fields), "application/json", None)
    _, parts = _stream(tgi, **fields)
    assert response.content_type == "text/event-stream"
    assert response.body == b"".join(parts)


def test_tgi_input_errors_use_tgi_wording(tgi: TextGenerator) -> None:
    cases = [
        (
            b"{not json",
            400,
            "Failed to parse the request body as JSON: Expecting property name enclosed in double",
        ),
        (
            b'{"parameters": {}}',
            422,
            "Failed to deserialize the JSON body into the target type: missing field `inputs`",
        ),
        (_body(inputs=3), 422, '{"error":"Input validation error: `inputs` must be a string, not a number"'),
        (
            _body(inputs="x", parameters={"max_new_tokens": 0}),
            422,
            "`max_new_tokens` must be strictly positive",
        ),
        (_body(inputs="x", parameters={"temperature": -1}), 422, "`temperature` must be >= 0"),
        (_body(inputs="x", parameters={"top_p": 1.5}), 422, "`top_p` must be > 0.0 and <= 1.0"),
        (
            _body(inputs="x", parameters={"stop": ["a", "b", "c", "d", "e"]}),
            422,
            "up to 4 stop sequences. Given: 5",
        ),
        (_body(inputs="x", stream="yes"), 422, "`stream` must be true or false, not a string"),
        (_body(messages=[]), 422, "`messages` must be a non-empty list"),
    ]
    for body, status, message in cases:
        with pytest.raises(ModelInputError) as caught:
            tgi.stream(body, "application/json", None)
        assert caught.value.original_status == status, body
        assert message in caught.value.message, (body, caught.value.message)


def test_failed_whole_answer_is_a_500_with_the_tgi_error_body(tgi: TextGenerator) -> None:
    with pytest.raises(ModelInputError) as caught:
        tgi.invoke(_body(inputs="!!model-error!!"), "application/json", None)
    assert caught.value.original_status == 500
    assert json.loads(caught.value.message)["error_type"] == "generation"


# -------------------------------------------------------------------------------- LMI


def test_lmi_stream_is_json_lines_with_details_on_the_last(lmi: TextGenerator) -> None:
    content_type, parts = _stream(
        lmi,
        inputs="The sea",
        parameters={"max_new_tokens": 10, "seed": 4, "ignore_eos_token": True},
        stream=True,
    )
    assert content_type == "application/jsonlines"
    assert all(part.startswith(b'{"token": {"id": ') for part in parts)  # Python's json.dumps separators
    lines = [_json_line(part) for part in parts]
    assert len(lines) == 10
    for line in lines[:-1]:
        assert list(line) == ["token"] and set(line["token"]) == {"id", "text", "log_prob"}
    last = lines[-1]
    assert last["generated_text"] == "".join(line["token"]["text"] for line in lines)
    assert last["details"] == {"finish_reason": "length", "generated_tokens": 10, "inputs": "The sea"}


def test_lmi_eos_ends_with_an_empty_token_and_eos_finish_reason(lmi: TextGenerator) -> None:
    seed = _eos_seed(lmi)
    _, parts = _stream(lmi, inputs="Tell me about the sea.", parameters={"max_new_tokens": 300, "seed": seed})
    last = _json_line(parts[-1])
    assert last["token"]["id"] == EOS and last["token"]["text"] == ""
    assert last["details"]["finish_reason"] == "eos_token"


def test_lmi_model_error_ends_with_an_error_finish_reason_line(lmi: TextGenerator) -> None:
    _, parts = _stream(lmi, inputs="!!model-error!!", parameters={"max_new_tokens": 50})
    lines = [_json_line(part) for part in parts]
    assert len(lines) == 6
    assert lines[-1] == {
        "token": {"id": -1, "text": "", "log_prob": -1, "special_token": True},
        "generated_text": "",
        "details": {"finish_reason": "error", "generated_tokens": None, "inputs": None},
    }


def test_lmi_chat_streams_chunks_as_json_lines_without_done(lmi: TextGenerator) -> None:
    content_type, parts = _stream(
        lmi,
        messages=[
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Tell me about bees"},
        ],
        max_tokens=5,
        ignore_eos=True,
        stream=True,
        stream_options={"include_usage": True},
    )
    assert content_type == "application/jsonlines"
    chunks = [_json_line(part) for part in parts]
    assert len(chunks) == 5
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert all("role" not in c["choices"][0]["delta"] for c in chunks[1:])
    assert chunks[-1]["choices"][0]["finish_reason"] == "length"
    assert chunks[-1]["usage"]["completion_tokens"] == 5
    assert len({c["id"] for c in chunks}) == 1 and chunks[0]["id"].startswith("chatcmpl-")


def test_lmi_whole_answer_and_input_errors(lmi: TextGenerator) -> None:
    answer = json.loads(
        lmi.invoke(_body(inputs="The sea", parameters={"seed": 1}), "application/json", None).body
    )
    assert list(answer) == ["generated_text"]
    with pytest.raises(ModelInputError) as caught:
        lmi.invoke(b'{"prompt": "x"}', "application/json", None)
    assert caught.value.original_status == 424
    assert json.loads(caught.value.message) == {
        "error": 'Parameter "inputs" is required, e.g. {"inputs": "Tell me about the sea"}',
        "code": 424,
    }


# -------------------------------------------------------------------------------- LMI legacy


def test_legacy_stream_is_outputs_lines_matching_the_whole_answer(legacy: TextGenerator) -> None:
    fields = {"inputs": "The sea", "parameters": {"max_new_tokens": 9, "seed": 5, "ignore_eos_token": True}}
    content_type, parts = _stream(legacy, **fields)
    assert content_type == "application/jsonlines"
    lines = [_json_line(part) for part in parts]
    assert all(list(line) == ["outputs"] and len(line["outputs"]) == 1 for line in lines)
    assert len(lines) == 9
    whole = json.loads(legacy.invoke(_body(**fields), "application/json", None).body)
    assert whole == {"outputs": ["".join(line["outputs"][0] for line in lines)]}


def test_legacy_chat_is_json_lines_too(legacy: TextGenerator) -> None:
    _, parts = _stream(legacy, messages=[{"role": "user", "content": "hi"}], max_tokens=3, ignore_eos=True)
    assert [_json_line(part)["object"] for part in parts] == ["chat.completion.chunk"] * 3


# -------------------------------------------------------------------------------- every style


def test_stream_works_without_the_stream_flag_and_matches_the_whole_answer(generator: TextGenerator) -> None:
    fields = {"inputs": "The sea", "parameters": {"max_new_tokens": 15, "seed": 11}}
    _, parts = _stream(generator, **fields)
    assert 1 <= len(parts) <= 15
    whole = json.loads(generator.invoke(_body(**fields), "application/json", None).body)
    text = whole[0]["generated_text"] if generator.style == "tgi" else whole.get("generated_text")
    if generator.style == "lmi-legacy":
        text = whole["outputs"][0]
    streamed = "".join(_streamed_text(generator.style, part) for part in parts)
    assert text == streamed


def test_chat_whole_answer_is_a_chat_completion_with_usage(generator: TextGenerator) -> None:
    response = generator.invoke(
        _body(
            messages=[{"role": "user", "content": [{"type": "text", "text": "Tell me about the moon"}]}],
            max_tokens=7,
            ignore_eos=True,
            seed=1,
        ),
        "application/json",
        None,
    )
    completion = json.loads(response.body)
    assert completion["object"] == "chat.completion"
    [choice] = completion["choices"]
    assert choice["message"]["role"] == "assistant" and choice["message"]["content"]
    assert choice["finish_reason"] == "length"
    assert completion["usage"] == {"prompt_tokens": 5, "completion_tokens": 7, "total_tokens": 12}


def test_chat_stream_error_is_reported_in_band(generator: TextGenerator) -> None:
    _, parts = _stream(generator, messages=[{"role": "user", "content": "!!model-error!!"}], max_tokens=40)
    if generator.style == "tgi":
        assert _sse_payload(parts[-1], b"data: ")["error_type"] == "generation"
        assert b"[DONE]" not in b"".join(parts)
    else:
        assert _json_line(parts[-1])["choices"][0]["finish_reason"] == "error"


def test_images_hint_at_the_container(generator: TextGenerator) -> None:
    expected = {
        "tgi": "huggingface-pytorch-tgi-inference:2.4.0-tgi2.4.0",
        "lmi": "djl-inference:0.31.0-lmi13.0.0",
        "lmi-legacy": "djl-inference:0.23.0-deepspeed",
    }
    assert expected[generator.style] in generator.image
    assert generator.accepts == ("application/json",)


def test_unknown_style_is_refused() -> None:
    with pytest.raises(ValueError, match="style must be one of tgi, lmi, lmi-legacy, not 'vllm'"):
        TextGenerator("vllm")


def _streamed_text(style: str, part: bytes) -> str:
    if style == "tgi":
        token = _sse_payload(part, b"data:")["token"]
        return "" if token["special"] else token["text"]
    line = _json_line(part)
    return line["outputs"][0] if style == "lmi-legacy" else line["token"]["text"]

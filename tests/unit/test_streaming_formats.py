"""TokenDecoder end to end: each container format with real-shaped bytes, detection, forcing, and failures."""

from __future__ import annotations

import pytest

from services.errors import StreamPayloadError
from services.streaming import StreamFormat, TokenDecoder
from tests.unit.test_streaming_samples import (
    Outcome,
    decode_parts,
    lmi_jsonl,
    lmi_outputs,
    one_byte_parts,
    openai_chunks,
    tgi_sse,
)

ERROR = "The model reported an error while streaming: "
MALFORMED = "The LMI stream sent a line that is not JSON: "
TOKENS = ["Once", " upon", " a", " time", ",", " 日本", " café", " 🙂", "\n", "\u2028end"]


def all_ways(data: bytes, fmt: StreamFormat | None = None) -> list[Outcome]:
    """The stream whole, in one-byte parts, in two-byte parts and split in the middle."""
    middle = len(data) // 2
    return [
        decode_parts([data], fmt),
        decode_parts(one_byte_parts(data), fmt),
        decode_parts([data[i : i + 2] for i in range(0, len(data), 2)], fmt),
        decode_parts([data[:middle], b"", data[middle:]], fmt),
    ]


def expect(data: bytes, fmt: StreamFormat, tokens: list[str], forced: StreamFormat | None = None) -> None:
    for outcome in all_ways(data, forced):
        assert outcome == Outcome(fmt, tuple(tokens), None)


# -- TGI ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("space", [False, True])
def test_tgi_tokens_in_any_parts_and_the_special_end_token_skipped(space: bool) -> None:
    expect(tgi_sse(TOKENS, space=space), StreamFormat.TGI, TOKENS)


def test_tgi_with_crlf_keep_alives_and_a_last_event_without_blank_line() -> None:
    data = tgi_sse(TOKENS[:3]).replace(b"\n", b"\r\n")
    data = b": keep-alive\r\n\r\n" + data.replace(b"\r\n\r\n", b"\r\n\r\n:\r\n\r\n", 1).rstrip(b"\r\n")
    expect(data, StreamFormat.TGI, TOKENS[:3])


def test_tgi_many_events_in_one_part_give_all_their_tokens_at_once() -> None:
    decoder = TokenDecoder()
    assert decoder.decode(tgi_sse(TOKENS)) == TOKENS
    assert decoder.flush() == []
    assert decoder.token_count == len(TOKENS)
    assert decoder.text == "".join(TOKENS)


def test_tgi_token_is_returned_by_the_part_that_completes_its_event() -> None:
    event = tgi_sse([" time"], eos=False)
    decoder = TokenDecoder()
    assert decoder.decode(event[:-2]) == []  # data line without its blank line: the event may go on
    assert decoder.format is None
    assert decoder.decode(event[-2:]) == [" time"]
    assert decoder.format is StreamFormat.TGI


def test_tgi_error_mid_stream_fails_and_keeps_the_partial_text() -> None:
    data = tgi_sse(["Hello", " world"], eos=False)
    data += (
        b'data:{"error":"Request failed during generation: CUDA out of memory","error_type":"generation"}\n\n'
    )
    for outcome in all_ways(data):
        assert outcome.format is StreamFormat.TGI
        assert outcome.error == (
            "generation",
            ERROR + "Request failed during generation: CUDA out of memory",
            "Hello world",
        )


def test_tokens_before_an_error_in_the_same_part_are_in_the_partial_text() -> None:
    decoder = TokenDecoder()
    data = tgi_sse(["Hi"], eos=False) + b'data:{"error":"overloaded","error_type":"overloaded"}\n\n'
    with pytest.raises(StreamPayloadError) as caught:
        decoder.decode(data)
    assert caught.value.partial_text == "Hi"
    assert caught.value.code == "overloaded"
    assert "text received before it is kept" in caught.value.hint
    assert decoder.text == "Hi"
    assert decoder.token_count == 1
    assert decoder.decode(tgi_sse(["more"])) == []  # the stream is over
    assert decoder.flush() == []


def test_tgi_error_before_any_token() -> None:
    data = b'data:{"error":"Input validation error: too many tokens","error_type":"validation"}\n\n'
    outcome = decode_parts([data])
    assert outcome.format is StreamFormat.TGI
    assert outcome.error is not None
    assert outcome.error[0] == "validation"
    assert outcome.error[2] == ""


# -- LMI ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("final_newline", [True, False])
def test_lmi_json_lines(final_newline: bool) -> None:
    expect(lmi_jsonl(TOKENS, final_newline=final_newline), StreamFormat.LMI, TOKENS)


def test_lmi_older_outputs_lines() -> None:
    expect(lmi_outputs(TOKENS), StreamFormat.LMI, TOKENS)


def test_lmi_error_line_after_tokens_fails_with_the_partial_text() -> None:
    data = lmi_jsonl(["Deep ", "Learning"])
    data += (
        b'{"token": {"id": -1, "text": "", "log_prob": -1, "special_token": true}, "generated_text": "", '
        b'"details": {"finish_reason": "error", "generated_tokens": null, "inputs": null}}\n'
    )
    for outcome in all_ways(data):
        assert outcome.error == (
            "StreamPayloadError",
            ERROR + "generation stopped with finish_reason error",
            "Deep Learning",
        )


def test_lmi_error_object() -> None:
    outcome = decode_parts([b'{"error": "invoke handler failure", "code": 424}\n'])
    assert outcome.format is StreamFormat.LMI
    assert outcome.error is not None
    assert outcome.error[:2] == (
        "StreamPayloadError",
        ERROR + "invoke handler failure",
    )


def test_lmi_sse_without_blank_lines_is_read_event_by_event() -> None:
    data = b"".join(b"data:" + line + b"\n" for line in lmi_jsonl(["a", "b", "c"]).splitlines())
    decoder = TokenDecoder()
    assert decoder.decode(data) == ["a", "b"]  # the last line may still go on: it waits for more or the end
    assert decoder.flush() == ["c"]


# -- OpenAI-compatible ----------------------------------------------------------------------------------


@pytest.mark.parametrize("sse", [True, False])
def test_openai_chunks_skip_role_only_and_empty_deltas(sse: bool) -> None:
    expect(openai_chunks(TOKENS, sse=sse), StreamFormat.OPENAI, TOKENS)


def test_openai_completions_text_and_data_after_done_ignored() -> None:
    data = (
        b'data: {"object":"text_completion","choices":[{"index":0,"text":" Hi"}]}\n\n'
        b"data: [DONE]\n\n"
        b'data: {"object":"text_completion","choices":[{"index":0,"text":" ignored"}]}\n\n'
    )
    expect(data, StreamFormat.OPENAI, [" Hi"])


def test_a_stream_that_is_only_done_is_an_empty_openai_stream() -> None:
    expect(b"data: [DONE]\n\n", StreamFormat.OPENAI, [])


@pytest.mark.parametrize(
    ("line", "code", "detail"),
    [
        (
            b'data: {"error": {"message": "context too long", "type": "BadRequestError", "code": 400}}',
            "BadRequestError",
            "context too long",
        ),
        (
            b'data: {"object": "error", "message": "engine died", "type": "InternalServerError"}',
            "InternalServerError",
            "engine died",
        ),
    ],
)
def test_openai_error_objects(line: bytes, code: str, detail: str) -> None:
    data = openai_chunks(["Hi"]).replace(b"data: [DONE]\n\n", line + b"\n\n")
    for outcome in all_ways(data):
        assert outcome.error == (code, ERROR + detail, "Hi")


# -- plain text and detection ---------------------------------------------------------------------------


def test_plain_text_passes_through_as_soon_as_it_arrives() -> None:
    decoder = TokenDecoder()
    assert decoder.decode(b"Hel") == ["Hel"]  # no newline needed
    assert decoder.format is StreamFormat.TEXT
    assert decoder.decode(b"lo \xe2\x82") == ["lo "]  # half a character waits for its other half
    assert decoder.decode(b"\xac\r\n") == ["€\r\n"]
    assert decoder.flush() == []
    assert decoder.text == "Hello €\r\n"
    assert decoder.token_count == 3


@pytest.mark.parametrize(
    "data",
    [
        b"do you know?\nyes",  # starts like "data:" but is not
        b"   \n\n  indented text",
        b"{not json}\nmore",
        b'{"generated_text": "a whole answer"}',  # JSON, but no token shape
        b"[1, 2, 3]\n",
        b":) a smiley first\nthen text",  # starts like an SSE comment
        b"data: hello\n\nworld",  # starts like SSE, but its data is not JSON
        b"event: x\nplain words\n",
    ],
)
def test_anything_else_is_text_and_nothing_is_lost(data: bytes) -> None:
    for outcome in all_ways(data):
        assert outcome == Outcome(StreamFormat.TEXT, data.decode(), None)


def test_format_is_unknown_until_the_bytes_decide() -> None:
    decoder = TokenDecoder()
    assert decoder.decode(b"da") == []
    assert decoder.format is None
    assert decoder.decode(b"ta:") == []
    assert decoder.format is None
    decoder.decode(b'{"choices": []}\n\n')
    assert decoder.format is StreamFormat.OPENAI


def test_an_empty_stream_gives_nothing() -> None:
    assert decode_parts([]) == Outcome(StreamFormat.TEXT, "", None)
    assert decode_parts([b"", b""]) == Outcome(StreamFormat.TEXT, "", None)


# -- forced formats and malformed lines -----------------------------------------------------------------


def test_forced_text_shows_the_raw_bytes() -> None:
    data = tgi_sse(["a"])
    assert decode_parts([data], StreamFormat.TEXT) == Outcome(StreamFormat.TEXT, data.decode(), None)


def test_forced_format_reads_its_tokens_from_either_framing() -> None:
    expect(lmi_jsonl(TOKENS), StreamFormat.TGI, TOKENS, forced=StreamFormat.TGI)
    expect(openai_chunks(TOKENS, sse=False), StreamFormat.OPENAI, TOKENS, forced=StreamFormat.OPENAI)
    # A forced format that does not match the bytes finds no tokens rather than wrong ones.
    expect(tgi_sse(TOKENS), StreamFormat.OPENAI, [], forced=StreamFormat.OPENAI)


def test_forced_json_format_on_plain_text_fails_with_the_line_start() -> None:
    outcome = decode_parts([b"Just some words that go on and on " * 5], StreamFormat.LMI)
    assert outcome.error is not None
    code, message, partial = outcome.error
    assert code == "MalformedStreamLine"
    assert message.startswith(MALFORMED + "'Just some")
    assert message.endswith("…'")
    assert partial == ""


def test_a_malformed_line_inside_a_detected_stream_fails_and_keeps_the_partial_text() -> None:
    data = lmi_jsonl(["a", "b"]) + b"<html>502 Bad Gateway</html>\n" + lmi_jsonl(["c"])
    for outcome in all_ways(data):
        assert outcome.error == (
            "MalformedStreamLine",
            MALFORMED + "'<html>502 Bad Gateway</html>'",
            "ab",
        )


def test_an_error_without_a_message_still_says_what_happened() -> None:
    outcome = decode_parts([b'data:{"error":"","error_type":"generation"}\n\n'])
    assert outcome.error == ("generation", ERROR + "(no message)", "")


def test_a_whole_chat_completion_sent_as_one_chunk() -> None:
    data = b'{"object":"chat.completion","choices":[{"message":{"role":"assistant","content":"Hi!"}}]}'
    expect(data, StreamFormat.OPENAI, ["Hi!"])


def test_the_format_can_be_forced_by_its_name() -> None:
    decoder = TokenDecoder("tgi")  # type: ignore[arg-type]  # the page may pass the stored string
    assert decoder.format is StreamFormat.TGI
    assert decoder.decode(tgi_sse(["a"])) == ["a"]


def test_plain_text_ending_inside_a_character_shows_a_replacement_character() -> None:
    decoder = TokenDecoder()
    assert decoder.decode(b"Hi " + "€".encode()[:2]) == ["Hi "]
    assert decoder.flush() == ["\ufffd"]

"""The streaming example's own line reader and token reader, exactly as printed, fed hand-split parts.

AWS's sample LineIterator never yields a last line without a newline; this one must, and it must keep lines
and UTF-8 characters whole across any part boundary.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest

from services.results import InvocationRequest
from services.snippets import python_code

STREAM = (
    'data:{"token": {"text": "Bonjour", "special": false}}\n\n'
    'data: {"token": {"text": " café", "special": false}}\r\n\r\n'
    ": keep-alive\n\n"
    'data:{"token": {"text": "</s>", "special": true}}\n\n'
    'data:{"token": {"text": " 日本"}}'  # the last line has no newline
).encode()


def printed_helpers() -> dict[str, Any]:
    """The `lines` and `token_text` functions from a printed streaming example, defined by running the code
    up to the client (the rest needs a server; tests/integration/test_snippets.py runs it whole)."""
    code = python_code(InvocationRequest("any", b"{}"), stream=True, region="us-east-1")
    definitions = code[: code.index("\n\n\n", code.index("def token_text"))]
    namespace: dict[str, Any] = {}
    exec(compile(definitions, "example.py", "exec"), namespace)
    return namespace


HELPERS = printed_helpers()
lines: Callable[[Iterable[dict[str, Any]]], Iterable[str]] = HELPERS["lines"]
token_text: Callable[[Any], str] = HELPERS["token_text"]


def events(parts: Iterable[bytes]) -> list[dict[str, Any]]:
    return [{"PayloadPart": {"Bytes": part}} for part in parts]


def split_every(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


EXPECTED_LINES = [
    'data:{"token": {"text": "Bonjour", "special": false}}',
    "",
    'data: {"token": {"text": " café", "special": false}}',
    "",
    ": keep-alive",
    "",
    'data:{"token": {"text": "</s>", "special": true}}',
    "",
    'data:{"token": {"text": " 日本"}}',
]


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64, len(STREAM)])
def test_any_split_gives_the_same_lines_and_the_last_line_without_newline(size: int) -> None:
    assert list(lines(events(split_every(STREAM, size)))) == EXPECTED_LINES


def test_a_character_split_across_parts_and_a_crlf_split_across_parts_stay_whole() -> None:
    data = "é\r\n日本".encode()
    cut_in_e = data.index(b"\xa9")  # between the two bytes of é
    cut_in_crlf = data.index(b"\n")  # between \r and \n
    parts = [data[:cut_in_e], data[cut_in_e:cut_in_crlf], data[cut_in_crlf:]]
    assert list(lines(events(parts))) == ["é", "日本"]


def test_many_lines_in_one_part_and_other_events_are_skipped() -> None:
    stream = [
        {"PayloadPart": {"Bytes": b"a\nb\nc"}},
        {"SomethingElse": {}},
        {"PayloadPart": {"Bytes": b"d\n"}},
    ]
    assert list(lines(stream)) == ["a", "b", "cd"]


def test_an_empty_stream_yields_nothing() -> None:
    assert list(lines([])) == []
    assert list(lines(events([b""]))) == []


def test_token_text_reads_tgi_lmi_and_openai_and_skips_special_tokens() -> None:
    assert token_text({"token": {"text": " time", "special": False}}) == " time"
    assert token_text({"token": {"text": "</s>", "special": True}}) == ""
    assert token_text({"token": {"id": 304, "text": "Deep ", "log_prob": -0.05}}) == "Deep "
    assert token_text({"outputs": [" a"]}) == " a"
    assert token_text({"choices": [{"index": 0, "delta": {"content": "Hi"}}]}) == "Hi"
    assert token_text({"choices": [{"index": 0, "delta": {"role": "assistant"}}]}) == ""
    assert token_text({"choices": [{"text": "completion"}]}) == "completion"
    assert token_text({"choices": []}) == ""
    assert token_text({"generated_text": "whole", "details": {"finish_reason": "length"}}) == ""
    assert token_text([1, 2]) == ""


def test_token_text_stops_on_an_error_inside_the_stream() -> None:
    with pytest.raises(RuntimeError, match=r"The model reported an error in the stream: .*Input validation"):
        token_text({"error": "Input validation error", "error_type": "validation"})
    with pytest.raises(RuntimeError, match="finish_reason"):
        token_text({"token": {"text": "x"}, "details": {"finish_reason": "error"}})

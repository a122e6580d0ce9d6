"""The decoder layers one by one, with hand-split parts: bytes -> text -> lines -> JSON values."""

from __future__ import annotations

import pytest

from services.stream_events import JSONLinesDecoder, Malformed, SSEDecoder
from services.stream_lines import LineDecoder, TextPieces, Utf8Decoder

# -- bytes -> text --------------------------------------------------------------------------------------


def test_a_character_split_across_parts_comes_out_whole() -> None:
    euro = "€".encode()  # 3 bytes
    decoder = Utf8Decoder()
    assert decoder.decode(b"price " + euro[:1]) == "price "
    assert decoder.decode(euro[1:2]) == ""
    assert decoder.decode(euro[2:] + b"5") == "€5"
    assert decoder.flush() == ""


def test_a_four_byte_character_in_one_byte_parts() -> None:
    decoder = Utf8Decoder()
    out = [decoder.decode(bytes([byte])) for byte in "🙂!".encode()]
    assert out == ["", "", "", "🙂", "!"]


def test_invalid_bytes_are_replaced_never_raised() -> None:
    decoder = Utf8Decoder()
    assert decoder.decode(b"a\xffb\xc3") == "a\ufffdb"
    assert decoder.flush() == "\ufffd"  # the stream ended inside a character


def test_a_leading_byte_order_mark_is_dropped_even_when_split() -> None:
    decoder = Utf8Decoder()
    assert decoder.decode(b"\xef\xbb") == ""
    assert decoder.decode(b"\xbfdata:") == "data:"


# -- text -> lines --------------------------------------------------------------------------------------


def feed_lines(parts: list[str]) -> list[str]:
    decoder = LineDecoder()
    lines: list[str] = []
    for part in parts:
        lines += decoder.decode(part)
    return lines + decoder.flush()


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_each_line_ending(ending: str) -> None:
    assert feed_lines([f"one{ending}two{ending}three"]) == ["one", "two", "three"]


def test_crlf_split_across_parts_is_one_line_end() -> None:
    assert feed_lines(["one\r", "\ntwo\r", "\n"]) == ["one", "two"]
    assert feed_lines(["one\r", "\n", "\r", "\n"]) == ["one", ""]


def test_a_lone_cr_at_a_part_end_ends_the_line_at_once() -> None:
    decoder = LineDecoder()
    assert decoder.decode("one\r") == ["one"]  # shown now, not when the next part arrives
    assert decoder.decode("two") == []
    assert decoder.flush() == ["two"]


def test_blank_lines_are_kept() -> None:
    assert feed_lines(["a\n\nb\r\n\r\nc\n"]) == ["a", "", "b", "", "c"]


def test_many_lines_in_one_part_and_one_line_over_many_parts() -> None:
    assert feed_lines(["a\nb\nc\nd"]) == ["a", "b", "c", "d"]
    assert feed_lines(list("a long line\nnext")) == ["a long line", "next"]


def test_the_last_line_without_newline_comes_out_on_flush_only() -> None:
    decoder = LineDecoder()
    assert decoder.decode("first\nlast") == ["first"]
    assert decoder.flush() == ["last"]
    assert decoder.flush() == []


def test_unicode_line_separators_are_not_line_ends() -> None:
    # JSON strings may hold U+2028, U+0085, form feed raw; str.splitlines would cut the JSON apart.
    text = 'data:{"text":"a\u2028b\x85c\x0cd"}\n'
    assert feed_lines([text]) == [text[:-1]]


# -- lines -> values: SSE -------------------------------------------------------------------------------


def feed_sse(lines: list[str]) -> tuple[list[object], SSEDecoder]:
    decoder = SSEDecoder()
    return decoder.decode(lines) + decoder.flush(), decoder


def test_sse_data_with_and_without_space() -> None:
    values, _ = feed_sse(['data:{"a":1}', "", 'data: {"a":2}', "", 'data:  {"a":3}', ""])
    assert values == [{"a": 1}, {"a": 2}, {"a": 3}]  # only one space is part of the syntax; JSON skips more


def test_sse_multi_line_data_is_joined_with_newline() -> None:
    values, _ = feed_sse(['data: {"a":', "data: [1,", "data: 2]}", ""])
    assert values == [{"a": [1, 2]}]


def test_sse_comments_and_other_fields_are_ignored() -> None:
    values, _ = feed_sse(
        [": keep-alive", "event: message", "id: 7", "retry: 100", 'data:{"a":1}', "", ":", ""]
    )
    assert values == [{"a": 1}]


def test_sse_done_ends_the_stream_and_later_data_is_ignored() -> None:
    values, decoder = feed_sse(['data:{"a":1}', "", "data: [DONE]", "", 'data:{"a":2}', ""])
    assert values == [{"a": 1}]
    assert decoder.done
    assert decoder.decode(['data:{"a":3}', ""]) == []


def test_sse_last_event_without_blank_line_comes_out_on_flush() -> None:
    decoder = SSEDecoder()
    assert decoder.decode(['data:{"a":1}']) == []
    assert decoder.flush() == [{"a": 1}]


def test_sse_events_without_blank_lines_between_them_stay_incremental() -> None:
    # LMI with output_formatter=sse writes one data line per token and no blank lines.
    decoder = SSEDecoder()
    assert decoder.decode(['data:{"a":1}', 'data:{"a":2}']) == [{"a": 1}]
    assert decoder.decode(['data:{"a":3}']) == [{"a": 2}]
    assert decoder.flush() == [{"a": 3}]


def test_sse_done_without_blank_line_before_more_data() -> None:
    values, decoder = feed_sse(["data: [DONE]", 'data:{"a":1}'])
    assert values == []
    assert decoder.done


def test_sse_empty_data_carries_nothing() -> None:
    values, _ = feed_sse(["data:", "", "data: ", ""])
    assert values == []


def test_sse_payload_that_is_not_json_is_returned_as_malformed_and_stops() -> None:
    values, decoder = feed_sse(['data:{"a":1}', "", "data: oops", "", 'data:{"a":2}', ""])
    assert values[0] == {"a": 1}
    assert isinstance(values[1], Malformed)
    assert values[1].text == "oops"
    assert len(values) == 2
    assert decoder.done


# -- lines -> values: JSON lines ------------------------------------------------------------------------


def test_json_lines_skip_blank_lines() -> None:
    decoder = JSONLinesDecoder()
    assert decoder.decode(['{"a":1}', "", "  ", '{"a":2}']) == [{"a": 1}, {"a": 2}]


def test_json_lines_stop_at_a_malformed_line_and_at_done() -> None:
    decoder = JSONLinesDecoder()
    values = decoder.decode(['{"a":1}', "not json", '{"a":2}'])
    assert values[0] == {"a": 1}
    assert isinstance(values[1], Malformed)
    assert len(values) == 2

    decoder = JSONLinesDecoder()
    assert decoder.decode(['{"a":1}', "[DONE]", '{"a":2}']) == [{"a": 1}]
    assert decoder.done


@pytest.mark.parametrize("line", ["[" * 100_000, "9" * 5_000])
def test_json_that_python_cannot_load_is_malformed_not_a_crash(line: str) -> None:
    # Deep nesting raises RecursionError and long integers ValueError inside json.loads.
    values = JSONLinesDecoder().decode([line])
    assert len(values) == 1
    assert isinstance(values[0], Malformed)


@pytest.mark.parametrize("data", [b"\xef", b"\xef\xbb", b"a\xef"])
def test_a_stream_ending_in_what_looks_like_half_a_bom_is_not_dropped(data: bytes) -> None:
    # Python's "utf-8-sig" incremental decoder loses these bytes; the stream must show them as U+FFFD.
    decoder = Utf8Decoder()
    assert decoder.decode(data) + decoder.flush() == data.decode("utf-8", errors="replace")


def test_text_pieces_join_many_one_character_pieces_in_order() -> None:
    pieces = TextPieces()
    assert not pieces
    text = "".join(chr(0x41 + i % 50) for i in range(10_000))
    for char in text:
        pieces.append(char)
    assert pieces
    assert pieces.take() == text
    assert not pieces
    assert pieces.take() == ""

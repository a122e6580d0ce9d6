"""Property-based proofs: any split of a stream decodes to the same thing as the whole; nothing crashes."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from services.errors import StreamPayloadError
from services.streaming import StreamFormat, TokenDecoder
from tests.unit.test_streaming_samples import (
    Outcome,
    decode_parts,
    lmi_jsonl,
    lmi_outputs,
    openai_chunks,
    split_at,
    tgi_sse,
)

# Token texts with every kind of character a model emits: multi-byte, newlines, \r, U+2028, quotes, "data:".
token_text = st.lists(
    st.one_of(
        st.characters(codec="utf-8", exclude_categories=("Cs",)),
        st.sampled_from(["\n", "\r", "\r\n", "\u2028", '"', "\\", "data:", "[DONE]", "é", "日", "🙂"]),
    ),
    min_size=1,
    max_size=12,
).map("".join)
token_lists = st.lists(token_text, min_size=1, max_size=25)
cuts = st.lists(st.integers(min_value=0, max_value=100_000), max_size=40)

RENDERERS: dict[str, tuple[Callable[[list[str]], bytes], StreamFormat]] = {
    "tgi": (tgi_sse, StreamFormat.TGI),
    "tgi with space": (lambda tokens: tgi_sse(tokens, space=True), StreamFormat.TGI),
    "tgi crlf": (lambda tokens: tgi_sse(tokens).replace(b"\n", b"\r\n"), StreamFormat.TGI),
    "lmi": (lmi_jsonl, StreamFormat.LMI),
    "lmi no final newline": (lambda tokens: lmi_jsonl(tokens, final_newline=False), StreamFormat.LMI),
    "lmi outputs": (lmi_outputs, StreamFormat.LMI),
    "openai sse": (openai_chunks, StreamFormat.OPENAI),
    "openai json lines": (lambda tokens: openai_chunks(tokens, sse=False), StreamFormat.OPENAI),
}


@settings(max_examples=300)
@given(name=st.sampled_from(sorted(RENDERERS)), tokens=token_lists, cut_points=cuts)
def test_any_split_of_a_rendered_stream_gives_its_tokens(
    name: str, tokens: list[str], cut_points: list[int]
) -> None:
    render, fmt = RENDERERS[name]
    data = render(tokens)
    expected = Outcome(fmt, tuple(tokens), None)
    assert decode_parts([data]) == expected
    assert decode_parts(split_at(data, cut_points)) == expected
    assert decode_parts(split_at(data, cut_points), fmt) == expected  # forced gives the same


@given(text=st.text(min_size=1), cut_points=cuts)
def test_any_split_of_plain_text_gives_the_text(text: str, cut_points: list[int]) -> None:
    data = ("Answer: " + text).encode()
    expected = Outcome(StreamFormat.TEXT, data.decode(), None)
    assert decode_parts(split_at(data, cut_points)) == expected
    assert decode_parts(split_at(data, cut_points), StreamFormat.TEXT) == expected


# Streams stitched from the fragments that matter to the decoder, so hypothesis reaches every branch
# (detection, SSE fields, leniency, [DONE], errors, broken UTF-8) far more often than random bytes would.
FRAGMENTS = [
    b"data:",
    b"data: ",
    b"\n",
    b"\r",
    b"\r\n",
    b"\n\n",
    b": ping\n",
    b"event: x\n",
    b"id: 1\n",
    b"{",
    b"}",
    b'{"token":{"text":"a","special":false}}',
    b'{"token":{"text":"</s>","special":true}}',
    b'{"outputs":["o"]}',
    b'{"choices":[{"delta":{"content":"c"}}]}',
    b'{"choices":[{"text":"t"}]}',
    b'{"error":"bad","error_type":"generation"}',
    b'{"error":{"message":"m","type":"T"}}',
    b'{"details":{"finish_reason":"error"}}',
    b"[DONE]",
    b"\xe2\x82\xac",
    b"\xe2\x82",
    b"\xff",
    b"\xef\xbb\xbf",
    b"text",
    b" ",
    b'"',
    b"[",
    b"]",
    b"1",
    b"null",
    b'{"token":5}',
    b'{"choices":[5]}',
    b"\xf0\x9f\x99\x82",
]
fragment_streams = st.lists(st.sampled_from(FRAGMENTS), max_size=40).map(b"".join)
any_format = st.sampled_from([None, *StreamFormat])


@settings(max_examples=500)
@given(data=st.one_of(fragment_streams, st.binary(max_size=300)), fmt=any_format, cut_points=cuts)
def test_any_split_of_any_bytes_gives_the_same_outcome(
    data: bytes, fmt: StreamFormat | None, cut_points: list[int]
) -> None:
    # decode_parts lets only StreamPayloadError through; anything else raised fails the test.
    whole = decode_parts([data], fmt)
    assert decode_parts(split_at(data, cut_points), fmt) == whole
    if whole.format is StreamFormat.TEXT:
        assert whole.tokens == data.decode("utf-8-sig", errors="replace")
        assert whole.error is None


@given(data=st.binary(max_size=500), cut_points=cuts)
def test_random_bytes_in_text_mode_never_raise(data: bytes, cut_points: list[int]) -> None:
    decoder = TokenDecoder(StreamFormat.TEXT)
    pieces: list[str] = []
    for part in split_at(data, cut_points):
        pieces += decoder.decode(part)
    pieces += decoder.flush()
    assert "".join(pieces) == data.decode("utf-8-sig", errors="replace")


@given(
    data=st.binary(max_size=500),
    fmt=st.sampled_from([StreamFormat.TGI, StreamFormat.LMI, StreamFormat.OPENAI]),
)
def test_random_bytes_in_a_json_format_raise_only_stream_payload_error(
    data: bytes, fmt: StreamFormat
) -> None:
    decoder = TokenDecoder(fmt)
    try:
        decoder.decode(data)
        decoder.flush()
    except StreamPayloadError as exc:
        assert exc.code  # every failure a user sees carries a code and a message
        assert exc.message

"""Real-container-shaped streams for the decoder tests (shapes copied from the project's SageMaker reference
notes and the LMI schema docs), plus helpers that feed a stream to a decoder in given parts.

The renderers use `ensure_ascii=False`, as the containers do, so multi-byte characters (and raw U+2028, which
`str.splitlines` would wrongly split on) reach the decoder as raw bytes.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass

from services.errors import StreamPayloadError
from services.streaming import StreamFormat, TokenDecoder


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def tgi_sse(tokens: list[str], space: bool = False, eos: bool = True) -> bytes:
    """Hugging Face TGI, `"stream": true`: one `data:` event per token, a blank line after each, the last
    event carrying the special end-of-sequence token, `generated_text` and `details`."""
    prefix = "data: " if space else "data:"
    events = []
    for index, text in enumerate(tokens, start=1):
        token = {"id": 600 + index, "text": text, "logprob": -0.1, "special": False}
        events.append({"index": index, "token": token, "generated_text": None, "details": None})
    if eos:
        token = {"id": 2, "text": "</s>", "logprob": -0.01, "special": True}
        details = {"finish_reason": "eos_token", "generated_tokens": len(tokens) + 1, "seed": None}
        events.append(
            {"index": len(tokens) + 1, "token": token, "generated_text": "".join(tokens), "details": details}
        )
    return "".join(f"{prefix}{_dumps(event)}\n\n" for event in events).encode()


def lmi_jsonl(tokens: list[str], final_newline: bool = True) -> bytes:
    """DJL/LMI rolling batch, `application/jsonlines`: one `{"token": ...}` per line; the last line adds
    `generated_text` and `details`."""
    lines = []
    for index, text in enumerate(tokens):
        line: dict[str, object] = {"token": {"id": 300 + index, "text": text, "log_prob": -0.05}}
        if index == len(tokens) - 1:
            line["generated_text"] = "".join(tokens)
            line["details"] = {"finish_reason": "length", "generated_tokens": len(tokens), "inputs": "Hi"}
        lines.append(_dumps(line))
    body = "\n".join(lines)
    return (body + "\n" if final_newline and lines else body).encode()


def lmi_outputs(tokens: list[str]) -> bytes:
    """Older LMI streaming: `{"outputs": ["..."]}` per line."""
    return "".join(_dumps({"outputs": [text]}) + "\n" for text in tokens).encode()


def openai_chunks(tokens: list[str], sse: bool = True) -> bytes:
    """vLLM / OpenAI-compatible chat chunks: a role-only first delta, content deltas, a finish chunk with an
    empty delta, then `[DONE]` (SSE) -- or the same chunks as JSON lines (LMI's vLLM engine)."""

    def chunk(delta: dict[str, str], finish: str | None = None) -> dict[str, object]:
        return {
            "id": "chatcmpl-1",
            "object": "chat.completion.chunk",
            "created": 1,
            "model": "m",
            "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
        }

    chunks = [chunk({"role": "assistant", "content": ""})]
    chunks += [chunk({"content": text}) for text in tokens]
    chunks.append(chunk({}, finish="stop"))
    if not sse:
        return "".join(_dumps(c) + "\n" for c in chunks).encode()
    return ("".join(f"data: {_dumps(c)}\n\n" for c in chunks) + "data: [DONE]\n\n").encode()


def split_at(data: bytes, cuts: list[int]) -> list[bytes]:
    """`data` cut at the given offsets (taken modulo len+1, any order, repeats allowed: empty parts too)."""
    points = sorted({cut % (len(data) + 1) for cut in cuts} | {0, len(data)})
    return [data[start:end] for start, end in itertools.pairwise(points)] or [b""]


def one_byte_parts(data: bytes) -> list[bytes]:
    return [data[i : i + 1] for i in range(len(data))]


@dataclass(frozen=True)
class Outcome:
    """What a whole stream decoded to: comparable across different splits of the same bytes."""

    format: StreamFormat | None
    tokens: tuple[str, ...] | str  # the token list; for TEXT the joined text (piece boundaries follow parts)
    error: tuple[str, str, str] | None  # (code, message, partial_text); tokens are then ()


def decode_parts(parts: list[bytes], fmt: StreamFormat | None = None) -> Outcome:
    """Feed `parts` to a fresh decoder, then flush; an error ends the stream as the invocation helper does."""
    decoder = TokenDecoder(fmt)
    pieces: list[str] = []
    error = None
    try:
        for part in parts:
            pieces += decoder.decode(part)
        pieces += decoder.flush()
    except StreamPayloadError as exc:
        error = (exc.code, exc.message, exc.partial_text)
    if error is not None:
        # Which tokens came out before the error depends on the parts (the failing part's tokens are only
        # in partial_text), so an outcome with an error is its format and error alone.
        assert decoder.text == error[2]
        return Outcome(decoder.format, (), error)
    assert decoder.text == "".join(pieces)
    if decoder.format is StreamFormat.TEXT:
        return Outcome(decoder.format, "".join(pieces), None)
    assert decoder.token_count == len(pieces)
    return Outcome(decoder.format, tuple(pieces), None)


def test_tgi_sample_matches_the_reference_shape() -> None:
    first_event = tgi_sse([" time"]).split(b"\n\n")[0]
    assert first_event == (
        b'data:{"index":1,"token":{"id":601,"text":" time","logprob":-0.1,"special":false},'
        b'"generated_text":null,"details":null}'
    )


def test_split_at_keeps_every_byte_in_order() -> None:
    data = b"abcdef"
    assert split_at(data, [4, 2, 2, 99]) == [b"a", b"b", b"cd", b"ef"]  # 99 % 7 == 1
    assert b"".join(split_at(data, [3, 0, 6])) == data
    assert split_at(b"", []) == [b""]

"""The bytes LLM containers send, one payload part per token: TGI's server-sent events, LMI's JSON lines (and
the older `{"outputs": [...]}` lines), OpenAI chat chunks (SSE for TGI, JSON lines for LMI), and the whole
answers when not streaming. Token events are written with f-strings from pre-escaped token texts (json.dumps
per token would be several times slower); anything written once per answer uses json.dumps.

TGI writes JSON compactly (serde); LMI writes it with Python's default separators (`json.dumps`), and so do
we."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator
from typing import Any

from local_endpoints.models.base import ModelInputError
from local_endpoints.models.generation_request import GenerationRequest
from local_endpoints.models.ngram import EOS, Generation, GenerationError

MODEL_NAME = "demo-ngram-lm"
TGI_FINGERPRINT = "2.4.0-native"
SSE_TYPE = "text/event-stream"
JSONLINES_TYPE = "application/jsonlines"
_CHAT_FINISH = {"eos_token": "stop", "stop_sequence": "stop", "length": "length"}


def _tgi_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _lmi_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _failure(error: GenerationError) -> str:
    return f"Request failed during generation: Server error: {error}"


class Answer:
    """One request's generation and what every format needs to describe it."""

    def __init__(self, request: GenerationRequest, generation: Generation, input_length: int) -> None:
        self.request = request
        self.generation = generation
        self.input_length = input_length
        self.texts = generation.model.token_texts
        self.escaped = generation.model.escaped_texts
        self.created = int(time.time())

    @property
    def seed(self) -> int | None:
        """The seed to report: TGI reports it only when sampling."""
        return None if self.generation.greedy else self.generation.seed

    def usage(self, completion_tokens: int) -> dict[str, int]:
        return {
            "prompt_tokens": self.input_length,
            "completion_tokens": completion_tokens,
            "total_tokens": self.input_length + completion_tokens,
        }


# ------------------------------------------------------------------------------ streamed answers


def tgi_events(answer: Answer) -> Iterator[bytes]:
    """TGI `/generate_stream`: `data:{...}\\n\\n` per token; the last carries generated_text and details; an
    EOS stop ends with the special token `</s>`; a failure is an in-band `{"error", "error_type"}` event."""
    texts, escaped = answer.texts, answer.escaped
    pieces = [answer.request.prompt] if answer.request.return_full_text else []
    index = 0
    try:
        for token, logprob, finish in answer.generation:
            index += 1
            special = token == EOS
            if not special:
                pieces.append(texts[token])
            head = (
                f'data:{{"index":{index},"token":{{"id":{token},"text":"{escaped[token]}",'
                f'"logprob":{logprob},"special":{"true" if special else "false"}}}'
            )
            if finish is None:
                yield f'{head},"generated_text":null,"details":null}}\n\n'.encode()
            else:
                details = {
                    "finish_reason": finish,
                    "generated_tokens": index,
                    "seed": answer.seed,
                    "input_length": answer.input_length,
                }
                text = _tgi_json("".join(pieces))
                yield f'{head},"generated_text":{text},"details":{_tgi_json(details)}}}\n\n'.encode()
    except GenerationError as error:
        yield f"data:{_tgi_json({'error': _failure(error), 'error_type': 'generation'})}\n\n".encode()


def lmi_lines(answer: Answer) -> Iterator[bytes]:
    """LMI rolling batch: `{"token": {...}}` JSON lines; the last adds generated_text and details; a failure
    ends with LMI's documented error line (finish_reason "error")."""
    texts, escaped = answer.texts, answer.escaped
    pieces = [answer.request.prompt] if answer.request.return_full_text else []
    count = 0
    try:
        for token, logprob, finish in answer.generation:
            count += 1
            text = "" if token == EOS else escaped[token]  # LMI skips special tokens when decoding
            if token != EOS:
                pieces.append(texts[token])
            if finish is None:
                yield f'{{"token": {{"id": {token}, "text": "{text}", "log_prob": {logprob}}}}}\n'.encode()
            else:
                last = {
                    "token": {"id": token, "text": "" if token == EOS else texts[token], "log_prob": logprob},
                    "generated_text": "".join(pieces),
                    "details": {
                        "finish_reason": finish,
                        "generated_tokens": count,
                        "inputs": answer.request.prompt,
                    },
                }
                yield f"{_lmi_json(last)}\n".encode()
    except GenerationError:
        failed = {
            "token": {"id": -1, "text": "", "log_prob": -1, "special_token": True},
            "generated_text": "",
            "details": {"finish_reason": "error", "generated_tokens": None, "inputs": None},
        }
        yield f"{_lmi_json(failed)}\n".encode()


def legacy_lines(answer: Answer) -> Iterator[bytes]:
    """Older LMI streaming: `{"outputs": [" token"]}` per line; no details; a failure ends with the
    dynamic-batch error object."""
    escaped = answer.escaped
    try:
        for token, _, _ in answer.generation:
            if token != EOS:
                yield f'{{"outputs": ["{escaped[token]}"]}}\n'.encode()
    except GenerationError as error:
        failed = {"code": 424, "message": "invoke handler failure", "error": str(error)}
        yield f"{_lmi_json(failed)}\n".encode()


def chat_chunks(answer: Answer, style: str) -> Iterator[bytes]:
    """OpenAI `chat.completion.chunk` objects, one per token: TGI frames them as SSE (`data: {...}`, then
    `data: [DONE]`), LMI as JSON lines. The first chunk's delta has the role; the last has finish_reason (and
    usage when `stream_options.include_usage`)."""
    if style == "tgi":
        return _tgi_chat_chunks(answer)
    return _lmi_chat_chunks(answer)


def _tgi_chat_chunks(answer: Answer) -> Iterator[bytes]:
    escaped = answer.escaped
    head = (
        f'data: {{"object":"chat.completion.chunk","id":"","created":{answer.created},"model":"{MODEL_NAME}",'
        f'"system_fingerprint":"{TGI_FINGERPRINT}","choices":[{{"index":0,"delta":{{"role":"assistant",'
        '"content":"'
    )
    middle = '"},"logprobs":null,"finish_reason":'
    count = 0
    try:
        for token, _, finish in answer.generation:
            count += 1
            content = "" if token == EOS else escaped[token]
            if finish is None:
                yield f'{head}{content}{middle}null}}],"usage":null}}\n\n'.encode()
            else:
                usage = _tgi_json(answer.usage(count)) if answer.request.include_usage else "null"
                reason = _CHAT_FINISH[finish]
                yield f'{head}{content}{middle}"{reason}"}}],"usage":{usage}}}\n\n'.encode()
    except GenerationError as error:
        yield f"data: {_tgi_json({'error': _failure(error), 'error_type': 'generation'})}\n\n".encode()
        return
    yield b"data: [DONE]\n\n"


def _lmi_chat_chunks(answer: Answer) -> Iterator[bytes]:
    escaped = answer.escaped
    head = (
        f'{{"id": "chatcmpl-{secrets.token_hex(8)}", "object": "chat.completion.chunk", '
        f'"created": {answer.created}, "choices": [{{"index": 0, "delta": {{"content": "'
    )
    count = 0
    try:
        for token, _, finish in answer.generation:
            count += 1
            content = "" if token == EOS else escaped[token]
            role = ', "role": "assistant"' if count == 1 else ""
            middle = f'"{role}}}, "logprobs": null, "finish_reason": '
            if finish is None:
                yield f"{head}{content}{middle}null}}]}}\n".encode()
            else:
                usage = f', "usage": {_lmi_json(answer.usage(count))}' if answer.request.include_usage else ""
                yield f'{head}{content}{middle}"{_CHAT_FINISH[finish]}"}}]{usage}}}\n'.encode()
    except GenerationError:
        role = ', "role": "assistant"' if count == 0 else ""
        yield f'{head}"{role}}}, "logprobs": null, "finish_reason": "error"}}]}}\n'.encode()


# --------------------------------------------------------------------------------- whole answers


def whole_answer(answer: Answer, style: str) -> bytes:
    """The non-streamed response body. Raises ModelInputError(500/424) when the generation fails, as
    containers answer a failed non-streaming request with an error status."""
    steps: list[tuple[int, float]] = []
    finish = "length"
    try:
        for token, logprob, finished in answer.generation:
            steps.append((token, logprob))
            finish = finished or finish
    except GenerationError as error:
        raise _whole_answer_error(error, style) from error
    texts = answer.texts
    text = "".join(texts[t] for t, _ in steps if t != EOS)
    request = answer.request
    if request.return_full_text:
        text = request.prompt + text
    if request.chat:
        return _chat_completion(answer, style, text, _CHAT_FINISH[finish], len(steps)).encode()
    if style == "tgi":
        result: dict[str, Any] = {"generated_text": text}
        if request.details:
            result["details"] = {
                "finish_reason": finish,
                "generated_tokens": len(steps),
                "seed": answer.seed,
                "prefill": [],
                "tokens": [
                    {"id": t, "text": texts[t], "logprob": lp, "special": t == EOS} for t, lp in steps
                ],
            }
        return _tgi_json([result]).encode()
    if style == "lmi":
        result = {"generated_text": text}
        if request.details:
            result["details"] = {
                "finish_reason": finish,
                "generated_tokens": len(steps),
                "inputs": request.prompt,
                "tokens": [
                    {"id": t, "text": "" if t == EOS else texts[t], "log_prob": lp} for t, lp in steps
                ],
            }
        return _lmi_json(result).encode()
    return _lmi_json({"outputs": [text]}).encode()


def _chat_completion(answer: Answer, style: str, text: str, finish: str, tokens: int) -> str:
    choice = {
        "index": 0,
        "message": {"role": "assistant", "content": text},
        "logprobs": None,
        "finish_reason": finish,
    }
    if style == "tgi":
        return _tgi_json(
            {
                "object": "chat.completion",
                "id": "",
                "created": answer.created,
                "model": MODEL_NAME,
                "system_fingerprint": TGI_FINGERPRINT,
                "choices": [choice],
                "usage": answer.usage(tokens),
            }
        )
    return _lmi_json(
        {
            "id": f"chatcmpl-{secrets.token_hex(8)}",
            "object": "chat.completion",
            "created": answer.created,
            "choices": [choice],
            "usage": answer.usage(tokens),
        }
    )


def _whole_answer_error(error: GenerationError, style: str) -> ModelInputError:
    if style == "tgi":
        return ModelInputError(500, _tgi_json({"error": _failure(error), "error_type": "generation"}))
    if style == "lmi":
        failed = {
            "generated_text": "",
            "details": {"finish_reason": "error", "generated_tokens": None, "inputs": None, "tokens": None},
        }
        return ModelInputError(500, _lmi_json(failed))
    return ModelInputError(
        424, _lmi_json({"code": 424, "message": "invoke handler failure", "error": str(error)})
    )

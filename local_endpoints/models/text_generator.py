"""The demo LLM endpoint: the n-gram language model behind the request and streaming formats of a real LLM
container (Hugging Face TGI, or DJL LMI in its current or older format)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import lru_cache

from local_endpoints.models.base import ModelResponse, ModelStream
from local_endpoints.models.generation_formats import (
    JSONLINES_TYPE,
    SSE_TYPE,
    Answer,
    chat_chunks,
    legacy_lines,
    lmi_lines,
    tgi_events,
    whole_answer,
)
from local_endpoints.models.generation_request import STYLES, GenerationRequest, parse_request
from local_endpoints.models.ngram import NgramModel

IMAGES = {
    "tgi": "763104351884.dkr.ecr.us-east-1.amazonaws.com/"
    "huggingface-pytorch-tgi-inference:2.4.0-tgi2.4.0-gpu-py311-cu124-ubuntu22.04",
    "lmi": "763104351884.dkr.ecr.us-east-1.amazonaws.com/djl-inference:0.31.0-lmi13.0.0-cu124",
    "lmi-legacy": "763104351884.dkr.ecr.us-east-1.amazonaws.com/djl-inference:0.23.0-deepspeed0.9.5-cu118",
}
#: tokens produced before the model fails when the prompt contains FAIL_MARKER
TOKENS_BEFORE_FAILURE = 5
_COMPLETION_STREAMS: dict[str, tuple[str, Callable[[Answer], Iterator[bytes]]]] = {
    "tgi": (SSE_TYPE, tgi_events),
    "lmi": (JSONLINES_TYPE, lmi_lines),
    "lmi-legacy": (JSONLINES_TYPE, legacy_lines),
}


@lru_cache(maxsize=1)
def shared_language_model() -> NgramModel:
    """The trained n-gram model, built once per process and shared by every generator endpoint."""
    return NgramModel()


class TextGenerator:
    """A text-generation endpoint speaking `style`'s wire format: "tgi", "lmi" or "lmi-legacy".

    Requests: `{"inputs": "...", "parameters": {...}, "stream": true}` (parameters: max_new_tokens,
    temperature (0 = greedy), top_p, top_k, do_sample, seed, stop / stop_sequences, ignore_eos_token, details,
    return_full_text) or OpenAI chat `{"messages": [...], "max_tokens": N, "stream": true, ...}`. Answers end
    at the model's end-of-sequence token, at max_new_tokens or at a stop sequence; with `ignore_eos_token`
    (vLLM/LMI) or `ignore_eos` they always run to max_new_tokens. A prompt containing "!!model-error!!" fails
    after a few tokens, reported the way the container reports it."""

    accepts = ("application/json",)

    def __init__(self, style: str = "tgi", *, messages_api: bool = True) -> None:
        if style not in STYLES:
            raise ValueError(f"style must be one of {', '.join(STYLES)}, not {style!r}")
        self.style = style
        self.messages_api = (
            messages_api  # False: `{"messages": ...}` is refused (TGI without the Messages API)
        )
        self.image = IMAGES[style]
        self.language_model = shared_language_model()

    def invoke(self, body: bytes, content_type: str, accept: str | None) -> ModelResponse:
        """The whole answer. With `"stream": true` that is the whole stream's bytes, as a container returns it
        to InvokeEndpoint; otherwise the style's JSON answer."""
        request = parse_request(body, self.style, messages_api=self.messages_api)
        if request.stream:
            streamed = self._stream(request)
            return ModelResponse(b"".join(streamed.parts), streamed.content_type)
        return ModelResponse(whole_answer(self._answer(request), self.style), "application/json")

    def stream(self, body: bytes, content_type: str, accept: str | None) -> ModelStream:
        """One part per token in the style's streaming format, whether or not the request says `"stream":
        true` (SageMaker's streaming API does not need it). Input errors are raised here, before the first
        part."""
        return self._stream(parse_request(body, self.style, messages_api=self.messages_api))

    def _stream(self, request: GenerationRequest) -> ModelStream:
        answer = self._answer(request)
        if request.chat:
            return ModelStream(
                SSE_TYPE if self.style == "tgi" else JSONLINES_TYPE, chat_chunks(answer, self.style)
            )
        content_type, render = _COMPLETION_STREAMS[self.style]
        return ModelStream(content_type, render(answer))

    def _answer(self, request: GenerationRequest) -> Answer:
        model = self.language_model
        generation = model.generate(
            request.prompt,
            request.max_new_tokens,
            request.sampling,
            seed=request.seed,
            stop=request.stop,
            ignore_eos=request.ignore_eos or request.fails,  # a failing answer must reach its failure
            continue_prompt=not request.chat,
            fail_after=min(TOKENS_BEFORE_FAILURE, request.max_new_tokens // 2) if request.fails else None,
        )
        return Answer(request, generation, model.count_tokens(request.prompt))

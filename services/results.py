"""The one request type and the one result type shared by the service, the pages and the history store."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from services.errors import ServiceError

MAX_BODY_BYTES = 6 * 1024 * 1024  # SageMaker's InvokeEndpoint payload limit (6 MiB)


def target_label(endpoint: str, component: str | None) -> str:
    """What a request goes to, as the page names it: "endpoint", or "endpoint / inference component"."""
    return endpoint + (f" / {component}" if component else "")


@dataclass(frozen=True)
class InvocationRequest:
    """Everything InvokeEndpoint / InvokeEndpointWithResponseStream can be given; None means 'not sent'."""

    endpoint_name: str
    body: bytes
    content_type: str = "application/json"
    accept: str | None = None
    custom_attributes: str | None = None
    target_model: str | None = None  # InvokeEndpoint only
    target_variant: str | None = None
    target_container_hostname: str | None = None
    inference_id: str | None = None
    enable_explanations: str | None = None  # InvokeEndpoint only
    inference_component_name: str | None = None
    session_id: str | None = None
    prefix_aware_id: str | None = None  # routing hint for PREFIX_AWARE endpoints (botocore >= 1.44)

    @property
    def target(self) -> str:
        return target_label(self.endpoint_name, self.inference_component_name)


class Status(enum.StrEnum):
    """A card's status, in Studio's words (plus Stopped for a stream the user ended)."""

    PENDING = "Pending"
    SUCCESS = "Success"
    FAILED = "Failed"
    STOPPED = "Stopped"


@dataclass
class StreamStats:
    """What only a streamed response has; times are ms after the request was sent.

    The definitions are the common ones (LLMPerf, AIPerf): time to first token = first non-empty token minus
    request start; inter-token latency = (total - TTFT) / (tokens - 1); tokens per second = 1 / ITL. While
    a stream runs, "total" is the newest token's time (``last_token_ms``); once it ended, its execution
    length.
    """

    format: str = "text"  # detected or forced decoder format: tgi, lmi, openai, text
    time_to_first_byte_ms: float | None = None
    time_to_first_token_ms: float | None = None
    time_to_last_byte_ms: float | None = None  # the newest PayloadPart's arrival
    last_token_ms: float | None = None  # the newest non-empty token's arrival
    token_count: int = 0
    parts: int = 0
    finish_reason: str | None = None  # as the stream said: stop, length, error (None: it did not say)

    def inter_token_latency_ms(self, total_ms: float | None) -> float | None:
        """(total - TTFT) / (tokens - 1); None until two tokens arrived."""
        if total_ms is None or self.time_to_first_token_ms is None or self.token_count < 2:
            return None
        span_ms = total_ms - self.time_to_first_token_ms
        return None if span_ms <= 0 else span_ms / (self.token_count - 1)

    def tokens_per_second(self, total_ms: float | None) -> float | None:
        """1 / inter-token latency: the generation rate users feel, the first token's wait left out."""
        latency = self.inter_token_latency_ms(total_ms)
        return None if latency is None else 1000.0 / latency


@dataclass
class InvocationResult:
    """One request's outcome. Times: wall clock for display, a monotonic clock for execution_ms."""

    request: InvocationRequest
    status: Status
    requested_at: datetime  # timezone-aware UTC, taken just before the call
    returned_at: datetime | None = None
    execution_ms: float | None = None  # monotonic, around the call alone (all attempts)
    attempts: int = 0  # HTTP attempts botocore made; >1 means retries happened and are inside execution_ms
    request_id: str | None = None
    invoked_variant: str | None = None
    content_type: str | None = None
    body: bytes = b""
    custom_attributes: str | None = None
    new_session_id: str | None = None
    closed_session_id: str | None = None
    error: ServiceError | None = None
    stream: StreamStats | None = None  # set for InvokeEndpointWithResponseStream
    text: str = ""  # streamed text (decoded tokens) kept even when the stream failed
    history_id: int | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def streamed(self) -> bool:
        return self.stream is not None

    @classmethod
    def failed(
        cls,
        request: InvocationRequest,
        error: ServiceError,
        at: datetime,
        *,
        text: str = "",
        stream: StreamStats | None = None,
    ) -> InvocationResult:
        """A request that failed at `at` without an answer to time (refused before sending, a crash, a lost
        process): requested and returned at that moment, keeping whatever text had arrived."""
        return cls(request, Status.FAILED, at, returned_at=at, error=error, stream=stream, text=text)

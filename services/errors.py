"""The one error family the UI catches.

    ServiceError                      every failure the service reports; .message and .hint are shown as-is
     ├── SetupError                   the client could not be built or used
     │    ├── NoCredentialsError      no credentials resolved for the chosen profile
     │    ├── NoRegionError           no region configured
     │    ├── ExpiredTokenError       credentials resolved but expired
     │    └── AccessDeniedError       the identity may not call this operation
     ├── RequestError                 the request was refused before the model ran
     │    ├── InvalidRequestError     rejected locally (bad JSON, body over 6 MiB): nothing was sent
     │    ├── ValidationError         rejected by SageMaker (unknown endpoint, not InService, content type)
     │    └── ThrottlingError         too many requests / model not ready (429)
     ├── ModelError                   the container failed on the input (424): original status, message, logs
     ├── StreamError                  a response stream ended as a failure; .partial_text keeps what arrived
     │    ├── ModelStreamError        the ModelStreamError event
     │    ├── InternalStreamFailure   the InternalStreamFailure event
     │    └── StreamPayloadError      an error object inside a 200 stream (TGI/LMI style)
     ├── ServiceFailure               SageMaker itself failed (500, 503, 530)
     └── NetworkError                 no HTTP answer: connection refused, DNS, read timeout

botocore exceptions are translated into this tree in exactly one place:
``services.botocore_errors.translated()``.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.foreign_text import scrub


@dataclass(eq=False)
class ServiceError(Exception):
    """Base of every failure the service reports to the UI."""

    message: str
    hint: str = ""
    code: str = ""
    http_status: int | None = None
    request_id: str | None = None

    def __post_init__(self) -> None:
        # Messages come from servers and models: no lone surrogate may reach the page or the history.
        self.message, self.hint, self.code = scrub(self.message), scrub(self.hint), scrub(self.code)
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class SetupError(ServiceError):
    """The client could not be built or used with this connection."""


class NoCredentialsError(SetupError):
    """No credentials could be resolved."""


class NoRegionError(SetupError):
    """No region is configured for the chosen profile."""


class ExpiredTokenError(SetupError):
    """The credentials resolved but have expired."""


class AccessDeniedError(SetupError):
    """The identity is not allowed to call the operation."""


class RequestError(ServiceError):
    """The request was refused before the model ran."""


class InvalidRequestError(RequestError):
    """Rejected locally before sending: nothing reached the endpoint."""


class ValidationError(RequestError):
    """Rejected by SageMaker's validation."""


class ThrottlingError(RequestError):
    """Throttled, or the model is not ready yet (HTTP 429)."""


@dataclass(eq=False)
class ModelError(ServiceError):
    """The model container answered with an error for this input (HTTP 424)."""

    original_status: int | None = None
    original_message: str | None = None
    log_stream_arn: str | None = None
    log_url: str | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.original_message is not None:
            self.original_message = scrub(str(self.original_message))


@dataclass(eq=False)
class StreamError(ServiceError):
    """A response stream ended as a failure; the text received before it is kept."""

    partial_text: str = ""


class ModelStreamError(StreamError):
    """SageMaker's ModelStreamError event (e.g. StreamBroken, ModelInvocationTimeExceeded)."""


class InternalStreamFailure(StreamError):
    """SageMaker's InternalStreamFailure event."""


class StreamPayloadError(StreamError):
    """The container put an error object inside a 200 stream."""


class ServiceFailure(ServiceError):
    """SageMaker itself failed (HTTP 5xx)."""


class NetworkError(ServiceError):
    """No HTTP answer came back: refused connection, unknown host, timeout."""

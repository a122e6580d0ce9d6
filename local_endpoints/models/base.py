"""What the server needs from a demo model. Models are pure: bytes in, bytes out; no HTTP, no sleeping."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol


class ModelInputError(Exception):
    """The model failed on this input. The server answers ModelError (424) carrying these values,
    as SageMaker does when a container returns a non-2xx status."""

    def __init__(self, original_status: int, message: str) -> None:
        super().__init__(message)
        self.original_status = original_status
        self.message = message


@dataclass(frozen=True)
class ModelResponse:
    """A whole (non-streamed) answer."""

    body: bytes
    content_type: str


@dataclass(frozen=True)
class ModelStream:
    """A streamed answer: `parts` yields one payload part per model step (a token, an SSE event, a JSON line).
    The server sends each part as its own PayloadPart, paced by its configured token delay."""

    content_type: str
    parts: Iterator[bytes]


class Model(Protocol):
    """A demo model hosted by the local server."""

    #: content types the model can read; anything else is a ValidationError before the model runs
    accepts: tuple[str, ...]
    #: the container image DescribeEndpoint reports (hints at the streaming format)
    image: str

    def invoke(self, body: bytes, content_type: str, accept: str | None) -> ModelResponse:
        """Answer a request whole. Raises ModelInputError when the input is not usable."""
        ...

    def stream(self, body: bytes, content_type: str, accept: str | None) -> ModelStream:
        """Answer a request part by part. Raises ModelInputError (before the first part) when the input is
        not usable. Models that cannot stream answer their whole response as one part."""
        ...

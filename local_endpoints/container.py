"""A model that forwards to a user's model container, following SageMaker's container contract.

SageMaker calls `GET /ping` to see that a container is healthy and `POST /invocations` for every request, with
the caller's Content-Type, Accept and custom attributes. A streamed answer is the container's chunked response
body, forwarded chunk by chunk. Standard library only, blocking: the server calls it from worker threads.
"""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from urllib.parse import urlsplit

from local_endpoints.models.base import ModelInputError, ModelResponse, ModelStream

#: SageMaker gives a container 60 s to answer
INVOCATION_TIMEOUT_S = 60.0
_CHUNK = 64 * 1024


class ContainerModel:
    """Forwards invocations to the container at `url` (e.g. "http://127.0.0.1:8080")."""

    accepts: tuple[str, ...] = ("*/*",)

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"container URL must look like http://HOST:PORT, got {url!r}")
        self.url = url.rstrip("/")
        self.image = f"local-container {self.url}"
        self._host = parts.hostname
        self._port = parts.port or 80

    def ping(self, timeout: float = 2.0) -> bool:
        """True when the container answers GET /ping with 200."""
        connection = http.client.HTTPConnection(self._host, self._port, timeout=timeout)
        try:
            connection.request("GET", "/ping")
            return connection.getresponse().status == 200
        except OSError:
            return False
        finally:
            connection.close()

    def invoke(
        self, body: bytes, content_type: str, accept: str | None, custom_attributes: str | None = None
    ) -> ModelResponse:
        connection, response = self._post(body, content_type, accept, custom_attributes)
        try:
            data = response.read()
        finally:
            connection.close()
        return ModelResponse(
            body=data, content_type=response.getheader("Content-Type", "application/octet-stream")
        )

    def stream(
        self, body: bytes, content_type: str, accept: str | None, custom_attributes: str | None = None
    ) -> ModelStream:
        connection, response = self._post(body, content_type, accept, custom_attributes)
        return ModelStream(
            content_type=response.getheader("Content-Type", "application/octet-stream"),
            parts=_chunks(connection, response, self.url),
        )

    def _post(
        self, body: bytes, content_type: str, accept: str | None, custom_attributes: str | None
    ) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
        headers = {"Content-Type": content_type}
        if accept:
            headers["Accept"] = accept
        if custom_attributes:
            headers["X-Amzn-SageMaker-Custom-Attributes"] = custom_attributes
        connection = http.client.HTTPConnection(self._host, self._port, timeout=INVOCATION_TIMEOUT_S)
        try:
            connection.request("POST", "/invocations", body=body, headers=headers)
            response = connection.getresponse()
        except OSError as exc:
            connection.close()
            # No answer at all: a 503 "from the model", so the caller sees a ModelError naming the URL
            raise ModelInputError(
                503, f"Could not reach the model container at {self.url}/invocations ({exc}). Is it running?"
            ) from exc
        if not 200 <= response.status < 300:
            try:
                message = response.read().decode("utf-8", errors="replace")
            finally:
                connection.close()
            raise ModelInputError(response.status, message)
        return connection, response


def _chunks(
    connection: http.client.HTTPConnection, response: http.client.HTTPResponse, url: str
) -> Iterator[bytes]:
    """The response body as it arrives: read1 returns whatever the socket has, without waiting for more.

    A container that drops its stream part-way is the model breaking the stream (ModelStreamError with
    ErrorCode StreamBroken), not a failure of SageMaker itself (InternalStreamFailure)."""
    try:
        while True:
            try:
                chunk = response.read1(_CHUNK)
            except (http.client.HTTPException, OSError) as exc:
                raise ModelInputError(
                    502, f"The model container at {url} broke off its response stream ({exc!r})."
                ) from exc
            if not chunk:
                return
            yield chunk
    finally:
        connection.close()

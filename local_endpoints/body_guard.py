"""Read each request body under a size limit and a deadline, before any route sees it.

Starlette reads a body whole before a route can check its size (100 MB cost the server 109 MB), and waits for
it as long as the client likes. This guard:

- refuses a body whose Content-Length is over the limit at once, without reading a byte of it;
- reads a chunked body only up to the limit, and refuses it as soon as it goes past;
- gives the whole body `body_timeout_s` to arrive after its headers, else answers 408 and closes the
  connection (a client sending a byte a second used to hold it forever);

then hands the route the body it read. A refusal is answered at once; the rest of the body is discarded as it
comes, for at most `http_protocol.DRAIN_S`, then the connection is closed.
Runtime paths allow SageMaker's 6 MiB and refuse as SageMaker does (ValidationError 400, with the wording of
`runtime`'s own check); the control plane, `/_local/` and unknown paths allow 1 MiB and answer 413.
"""

from __future__ import annotations

import asyncio

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from local_endpoints.limits import MAX_CONTROL_BODY_BYTES, MAX_RUNTIME_BODY_BYTES
from local_endpoints.wire_errors import refusal

_RUNTIME_PREFIX = "/endpoints/"


class BodyGuard:
    def __init__(self, app: ASGIApp, body_timeout_s: float) -> None:
        self.app = app
        self.body_timeout_s = body_timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        limit = MAX_RUNTIME_BODY_BYTES if path.startswith(_RUNTIME_PREFIX) else MAX_CONTROL_BODY_BYTES
        declared = Headers(scope=scope).get("content-length")
        # h11 has already refused a Content-Length that is not a number
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(scope, receive, send, limit, f"{int(declared)} bytes")
            return
        chunks: list[bytes] = []
        size = 0
        try:
            async with asyncio.timeout(self.body_timeout_s):
                while True:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        return  # the client went away: nobody to answer
                    chunk = message.get("body", b"")
                    size += len(chunk)
                    if size > limit:
                        chunks.clear()
                        await _too_large(scope, receive, send, limit, f"more than {limit} bytes")
                        return
                    chunks.append(chunk)
                    if not message.get("more_body", False):
                        break
        except TimeoutError:
            chunks.clear()
            text = (
                f"The request body did not arrive within {self.body_timeout_s:g} s of its headers "
                f"({size} bytes came); the local SageMaker server closed the connection."
            )
            await refusal(path, "RequestTimeout", 408, text, close=True)(scope, receive, send)
            return
        await self.app(scope, _replay(b"".join(chunks), receive), send)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that gives the body read, once, then whatever the connection says (a disconnect)."""
    pending: list[bytes] = [body]

    async def replayed() -> Message:
        if pending:
            return {"type": "http.request", "body": pending.pop(), "more_body": False}
        return await receive()

    return replayed


async def _too_large(scope: Scope, receive: Receive, send: Send, limit: int, received: str) -> None:
    path: str = scope["path"]
    if path.startswith(_RUNTIME_PREFIX):
        name = path.removeprefix(_RUNTIME_PREFIX).rpartition("/")[0]
        message = (
            f"Received payload of {received}, which exceeds the maximum request payload size of "
            f"{limit} bytes for endpoint {name}."
        )
        response = refusal(path, "ValidationError", 400, message)
    else:
        message = (
            f"The request body has {received}; the local SageMaker server accepts at most {limit} bytes here."
        )
        response = refusal(path, "RequestEntityTooLarge", 413, message)
    await response(scope, receive, send)

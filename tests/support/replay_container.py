"""A model container that answers whatever its request asks for: any bytes, any content type, any status.

Behind the local server (`LocalEndpoints(containers={"replay": url})`) it lets a test put arbitrary model
output through the app's real path: page → boto3 → local server → container → back. The request body is
`replay_request(...)`: JSON naming the answer's bytes (base64), content type, HTTP status, and in how many
pieces a stream sends them. A chat request (`{"messages": [...]}`) carries that JSON as its last message, so
the Chat page can be given any answer too.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
from collections.abc import AsyncIterator, Iterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from local_endpoints import LocalEndpoints
from tests.support.thread_server import serve

REPLAY_ENDPOINT = "replay"


def replay_request(
    body: bytes,
    content_type: str | None = "application/octet-stream",
    *,
    stream: bool = False,
    repeat: tuple[bytes, int] | None = None,
    tail: bytes = b"",
    **how: int,
) -> str:
    """The JSON request text that makes the container answer `body` (`status=`, `pieces=` optional).
    `stream`: the request says `"stream": true`, which turns the page's Stream switch on.
    `repeat=(part, times)` and `tail`: the answer goes on with `part` that many times, then `tail`, so a
    request of a few bytes gets an answer of megabytes (a request is limited to 6 MiB; an answer too)."""
    spec: dict[str, object] = {"reply_b64": _b64(body), "content_type": content_type, **how}
    if repeat is not None or tail:
        part, times = repeat or (b"", 0)
        spec |= {"repeat_b64": _b64(part), "times": times, "tail_b64": _b64(tail)}
    return json.dumps({**spec, "stream": True} if stream else spec)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def replayed(spec: dict[str, object]) -> bytes:
    """The answer a `replay_request` spec asks for."""
    body = base64.b64decode(str(spec["reply_b64"]))
    if "repeat_b64" in spec:
        part = base64.b64decode(str(spec["repeat_b64"]))
        body += part * int(str(spec["times"])) + base64.b64decode(str(spec["tail_b64"]))
    return body


async def _ping(request: Request) -> Response:
    return PlainTextResponse("")


async def _invocations(request: Request) -> Response:
    spec = json.loads(await request.body())
    if "messages" in spec:  # the Chat page: the last message is the spec
        spec = json.loads(spec["messages"][-1]["content"])
    body = replayed(spec)
    headers = {} if spec.get("content_type") is None else {"Content-Type": spec["content_type"]}
    pieces = max(1, int(spec.get("pieces", 1)))
    if pieces == 1:
        return Response(body, status_code=int(spec.get("status", 200)), headers=headers)
    size = max(1, -(-len(body) // pieces))

    async def parts() -> AsyncIterator[bytes]:
        for start in range(0, len(body), size):
            yield body[start : start + size]
            await asyncio.sleep(0.005)  # apart, so the local server forwards them as separate parts

    return StreamingResponse(parts(), headers=headers)


def replay_app() -> Starlette:
    return Starlette(routes=[Route("/ping", _ping), Route("/invocations", _invocations, methods=["POST"])])


@contextlib.contextmanager
def server_with_replay(token_delay: float) -> Iterator[LocalEndpoints]:
    """A local server with the replay container beside the demo endpoints (as endpoint REPLAY_ENDPOINT)."""
    with (
        serve(replay_app()) as container_url,
        LocalEndpoints(
            port=0, token_delay=token_delay, containers={REPLAY_ENDPOINT: container_url}
        ) as server,
    ):
        yield server

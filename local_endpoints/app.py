"""The ASGI application: SageMaker's URL table, the /_local/ controls, and a request id on every response."""

from __future__ import annotations

import uuid

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from local_endpoints import controls
from local_endpoints.body_guard import BodyGuard
from local_endpoints.control_plane import control_plane
from local_endpoints.limits import Timeouts
from local_endpoints.origin_guard import SameOriginOnly
from local_endpoints.recording import record
from local_endpoints.runtime import invoke_endpoint, invoke_endpoint_with_response_stream
from local_endpoints.state import ServerState
from local_endpoints.wire_errors import WireError


class _UnknownPath(WireError):
    code = "UnknownOperationException"
    status = 404


async def _unknown(request: Request) -> Response:
    if not request.url.path.startswith("/_local/"):
        await record(request, "Unknown", None)
    return _UnknownPath(
        f"The local server has nothing at {request.method} {request.url.path}."
    ).runtime_response()


def build_app(state: ServerState, body_timeout_s: float = Timeouts().body_s) -> ASGIApp:
    """The server's ASGI app over `state` (shared with the Python API, which changes it directly); a request
    body must arrive within `body_timeout_s` of its headers."""
    app = Starlette(
        routes=[
            # {name:path}: botocore sends a "/" in a name as %2F, which arrives decoded; such a name is then
            # refused by the name check (as SageMaker does) rather than being an unknown path
            Route("/endpoints/{name:path}/invocations", invoke_endpoint, methods=["POST"]),
            Route(
                "/endpoints/{name:path}/invocations-response-stream",
                invoke_endpoint_with_response_stream,
                methods=["POST"],
            ),
            Route("/", control_plane, methods=["POST"]),
            *controls.ROUTES,
            Route("/{path:path}", _unknown, methods=["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"]),
        ]
    )
    app.state.local = state
    return _RequestId(SameOriginOnly(BodyGuard(app, body_timeout_s)), state)


class _RequestId:
    """Adds `x-amzn-RequestId` (a fresh uuid4) to every response, streamed ones included. The id is known
    from the request's start (`request.state.request_id`), so the request log files the request under it,
    and the answer's status is noted there when it starts."""

    def __init__(self, app: ASGIApp, state: ServerState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = str(uuid.uuid4())
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.state.log.note_status(request_id, int(message["status"]))
                message = {
                    **message,
                    "headers": [*message.get("headers", []), (b"x-amzn-RequestId", request_id.encode())],
                }
            await send(message)

        await self.app(scope, receive, send_with_id)

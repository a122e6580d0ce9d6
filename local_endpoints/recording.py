"""Helpers the route modules share: the server state behind a request, and recording what arrived."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import cast

from starlette.requests import Request

from local_endpoints.request_log import RecordedRequest
from local_endpoints.state import ServerState


def server_state(request: Request) -> ServerState:
    return cast(ServerState, request.app.state.local)


async def record(request: Request, operation: str, endpoint_name: str | None) -> bytes:
    """Log the request (before anything can refuse it) and return its body."""
    received_at = datetime.now(UTC)
    body = await request.body()
    server_state(request).log.append(
        RecordedRequest(
            operation=operation,
            endpoint_name=endpoint_name,
            method=request.method,
            path=request.url.path,
            headers={name.lower(): value for name, value in request.headers.items()},
            body=body,
            received_at=received_at,
            request_id=getattr(request.state, "request_id", None),
        )
    )
    return body

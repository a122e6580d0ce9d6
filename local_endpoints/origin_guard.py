"""Refuse requests a web page sent: a page on the internet must not be able to drive a user's local server.

A browser lets any page POST to 127.0.0.1 without asking (a `text/plain` or form POST needs no CORS
preflight), and a page whose name was re-pointed at 127.0.0.1 (DNS rebinding) can even read the answers. Such
requests are told apart by what browsers always send and boto3, botocore and the AWS CLI never do:

- an `Origin` that is not the server's own (`http://127.0.0.1:PORT` or `http://localhost:PORT`);
- `Sec-Fetch-Site: cross-site` or `same-site` (another port or name of the same site);
- a `Host` that is not 127.0.0.1 or localhost (a foreign name resolving to 127.0.0.1).

Every path is guarded: the SageMaker routes as much as `/_local/`. The answer is 403 in the shape of the
path's callers (see `wire_errors.refusal`), and the request is not recorded.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from local_endpoints.wire_errors import refusal

LOOPBACK_NAMES = ("127.0.0.1", "localhost")
_FOREIGN_FETCH_SITES = ("cross-site", "same-site")


class SameOriginOnly:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (reason := foreign_request(scope)) is not None:
            message = f"The local SageMaker server refuses cross-origin requests: {reason}."
            response = refusal(scope["path"], "AccessDeniedException", 403, message)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def foreign_request(scope: Scope) -> str | None:
    """Why this request looks sent by a web page on another origin, or None when it does not."""
    headers = Headers(scope=scope)
    server = scope.get("server")
    port = server[1] if server else None
    own_origins = {f"http://{name}:{port}" for name in LOOPBACK_NAMES}
    origin = headers.get("origin")
    if origin is not None and origin.strip().lower() not in own_origins:
        return f"Origin {origin[:100]!r} is not this server's own"
    fetch_site = headers.get("sec-fetch-site", "").strip().lower()
    if fetch_site in _FOREIGN_FETCH_SITES:
        return f"Sec-Fetch-Site is {fetch_site}"
    host = headers.get("host")
    if host is not None and _host_name(host) not in LOOPBACK_NAMES:
        return f"Host {host[:100]!r} is not 127.0.0.1 or localhost"
    return None


def _host_name(host: str) -> str:
    """The name in a Host header, without its port ("[::1]:80" -> "[::1]")."""
    host = host.strip().lower()
    if host.startswith("["):
        return host.partition("]")[0] + "]"
    return host.rpartition(":")[0] if ":" in host else host

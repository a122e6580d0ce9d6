"""The app's web server: `streamlit run serve.py` serves app.py with Streamlit's own server, plus the
security headers Streamlit does not send by itself.

Streamlit 1.67 runs an `st.App` found in the script it is given as an ASGI app (uvicorn, Starlette), with
middleware of our own in front of its routes. Every HTTP response (the page, its static files, the component
iframes, media) gets:

- a Content-Security-Policy: scripts, styles, fonts, images, frames and connections only from this server
  (styles inline too: Streamlit's own; images also from data: and blob:, as Streamlit draws them), no
  plugins, and no framing by another site (`frame-ancestors 'self'`: the components are frames of the page);
- `X-Frame-Options: SAMEORIGIN` for browsers without frame-ancestors, `X-Content-Type-Options: nosniff`, and
  `Referrer-Policy: no-referrer`.

A request whose Host is not a loopback name (a DNS-rebinding page) is refused first (`LoopbackHostOnly`), and
the instant card's live feed is one route of ours (`/_smti/live/<click>`).

`streamlit run app.py` still works (the same app without these headers); tests/browser runs this file.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import importlib.util
import os
import re
import time
from collections.abc import AsyncIterator
from pathlib import Path

import streamlit as st
from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services import live_feed

HERE = Path(__file__).resolve().parent


def _inline_script_hashes() -> list[str]:
    """CSP hashes of the only inline scripts the page runs: Streamlit's index.html (`window.prerenderReady
    = false`), streamlit-ace's index.html (its webpack runtime), our page clock, our element preload and the
    chat's instant turn. Read from the installed packages and our own source, so an upgrade changes the hash
    with the script; any other inline script (one a model's output might smuggle in) is refused."""
    # declare no component (importing one would break it)
    from components import chat_instant, element_preload, page_clock

    pages = [Path(st.__file__).parent / "static" / "index.html"]
    # Found, not imported: importing streamlit_ace declares its component before Streamlit's runtime exists,
    # and the page's own import then finds it already done (its iframe answers 404).
    ace = importlib.util.find_spec("streamlit_ace")
    if ace is not None and ace.origin is not None:
        pages.append(Path(ace.origin).parent / "frontend" / "build" / "index.html")
    sources = [page_clock.SCRIPT, element_preload.SCRIPT, chat_instant.SCRIPT]
    for page in pages:
        try:
            sources.append(page.read_text(encoding="utf-8"))
        except OSError:
            continue  # a missing page runs no script
    bodies = [body for source in sources for body in re.findall(r"<script>(.*?)</script>", source, re.S)]
    return [f"'sha256-{base64.b64encode(hashlib.sha256(b.encode()).digest()).decode()}'" for b in bodies]


CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        f"script-src 'self' {' '.join(_inline_script_hashes())}".strip(),
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "media-src 'self' data: blob:",
        "connect-src 'self'",
        "frame-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ]
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]


LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")


def allowed_hosts() -> set[str]:
    """The names the app answers to: loopback, plus SMTI_ALLOWED_HOSTS (comma-separated) for a user who puts
    it behind a proxy of their own under another name."""
    extra = os.environ.get("SMTI_ALLOWED_HOSTS", "")
    return {*LOOPBACK_HOSTS, *(name.strip().lower() for name in extra.split(",") if name.strip())}


def host_name(host: str) -> str:
    """The name in a Host header, without its port ("[::1]:8501" -> "[::1]")."""
    host = host.strip().lower()
    if host.startswith("["):
        return host.partition("]")[0] + "]"
    return host.rpartition(":")[0] if ":" in host else host


class LoopbackHostOnly:
    """ASGI middleware: refuses a request (page, websocket, feed) whose Host is not one of `allowed_hosts`.

    The app binds 127.0.0.1, but a web page whose name an attacker re-points at 127.0.0.1 (DNS rebinding)
    would be same-origin with it: it could read the page and drive the websocket, sending requests with the
    user's AWS credentials. Its requests carry its own name in Host; a browser on the user's side never
    sends another name for 127.0.0.1."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.allowed = allowed_hosts()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            host = Headers(scope=scope).get("host", "")
            if host_name(host) not in self.allowed:
                if scope["type"] == "websocket":
                    await send({"type": "websocket.close", "code": 1008})  # before accept: an HTTP 403
                    return
                text = "This app answers only on 127.0.0.1 or localhost (SMTI_ALLOWED_HOSTS adds names)."
                await PlainTextResponse(text, status_code=403)(scope, receive, send)
                return
        await self.app(scope, receive, send)


class SecurityHeaders:
    """ASGI middleware: adds SECURITY_HEADERS to every HTTP response (a header already set is left alone)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in SECURITY_HEADERS if name not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


FEED_PATH = "/_smti/live/{click}"  # the instant card's event stream (components/request_actions_frontend)
FEED_OPEN_S = 5.0  # the run that takes the click publishes its request within ms; a feed waits this long
FEED_POLL_S = 0.004  # how often a feed looks for news: what it adds to the first token's time, at most
FEED_LIFE_S = 30.0  # the card hands over to Streamlit's long before; a forgotten feed ends here


async def live_feed_route(request: Request) -> Response:
    """Server-sent events for one click: the request's text as it arrives, then its end (services.live_feed).

    Polled every few ms on the server's own loop, not pushed from the invoker's thread: a feed lives only
    from the click until the Streamlit card has caught up (well under a second), and a poll costs
    microseconds."""
    click = request.path_params["click"]
    if not live_feed.valid_click(click):
        return Response(status_code=404)

    async def events() -> AsyncIterator[bytes]:
        started = time.monotonic()
        invocation = live_feed.find(click)
        while invocation is None:
            if time.monotonic() - started > FEED_OPEN_S:  # refused, or another app process's click
                yield live_feed.message({}, "gone")  # the card waits for its run instead
                return
            await asyncio.sleep(FEED_POLL_S)
            invocation = live_feed.find(click)
        feed = live_feed.Feed(invocation)
        while time.monotonic() - started < FEED_LIFE_S:
            news = feed.messages()
            if news:
                yield news
            if feed.ended:
                return
            await asyncio.sleep(FEED_POLL_S)

    headers = {"cache-control": "no-store", "x-accel-buffering": "no"}
    return StreamingResponse(events(), media_type="text/event-stream", headers=headers)


app = st.App(
    HERE / "app.py",
    routes=[Route(FEED_PATH, live_feed_route, methods=["GET"])],
    middleware=[Middleware(LoopbackHostOnly), Middleware(SecurityHeaders)],
)

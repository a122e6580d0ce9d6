"""The way from Test inference to the Latency page (components.request_handoff): the request the page
would send, handed over whole."""

from __future__ import annotations

from collections.abc import Callable

from components import request_handoff
from components.request_handoff import HandedRequest as LatencyTarget
from services.results import InvocationRequest

REQUEST_KEY = "latency-request"
PAGE = "app_pages/latency.py"
DESTINATION = request_handoff.Destination(
    "Run a latency test",
    ":material/speed:",
    "Send this request many times, at a concurrency you choose, and read its latency.",
    REQUEST_KEY,
    PAGE,
)

__all__ = ["PAGE", "REQUEST_KEY", "LatencyTarget", "current", "render"]


def render(build: Callable[[], InvocationRequest | None], stream: bool, *, disabled_reason: str = "") -> None:
    """A small "Run a latency test" button; ``build`` makes the request, only when it is clicked."""
    request_handoff.button(DESTINATION, build, stream, key="latency-entry", disabled_reason=disabled_reason)


def current() -> LatencyTarget | None:
    return request_handoff.current(DESTINATION)

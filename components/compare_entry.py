"""The way from Test inference to the Compare page (components.request_handoff): the request the page
would send, handed over whole."""

from __future__ import annotations

from collections.abc import Callable

from components import request_handoff
from components.request_handoff import HandedRequest
from services.results import InvocationRequest

REQUEST_KEY = "compare-request"
PAGE = "app_pages/compare.py"
DESTINATION = request_handoff.Destination(
    "Compare targets",
    ":material/compare_arrows:",
    "Send this request to two to four endpoints, variants or components at once.",
    REQUEST_KEY,
    PAGE,
)

__all__ = ["PAGE", "REQUEST_KEY", "HandedRequest", "current", "render"]


def render(build: Callable[[], InvocationRequest | None], stream: bool, *, disabled_reason: str = "") -> None:
    """A small "Compare targets" button; ``build`` makes the request, only when it is clicked."""
    request_handoff.button(DESTINATION, build, stream, key="compare-entry", disabled_reason=disabled_reason)


def current() -> HandedRequest | None:
    return request_handoff.current(DESTINATION)

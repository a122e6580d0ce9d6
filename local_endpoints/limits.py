"""Every bound the server puts on what a client sends (sizes, counts, ranges, timeouts), and their checks.

The server is a local test double, so the bounds are generous for a test and small for a machine: nothing a
client sends can make it hold more than a few MiB per request or wait on a client forever.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: SageMaker's own InvokeEndpoint / InvokeEndpointWithResponseStream request limit
MAX_RUNTIME_BODY_BYTES = 6 * 1024 * 1024
#: the control plane (`POST /`), the /_local/ controls and unknown paths: their bodies are a few hundred bytes
MAX_CONTROL_BODY_BYTES = 1024 * 1024

#: endpoints `POST /_local/endpoints` / `add_endpoints` may add in one call, and in all until a reset
MAX_BULK_ENDPOINTS = 10_000
#: a bulk prefix leaves room in SageMaker's 63 characters for "-10000"
MAX_PREFIX_CHARS = 50
#: seconds between streamed parts: 10 s is slower than any test wants, and keeps a stream finite
MAX_TOKEN_DELAY_S = 10.0
#: a fault's delay: two minutes, twice SageMaker's 60 s invocation timeout
MAX_FAULT_DELAY_MS = 120_000
#: a fault's throttle_next and break_stream_after
MAX_FAULT_COUNT = 1_000_000
MAX_FAULT_MESSAGE_CHARS = 4096
#: endpoint names that may carry a fault at once
MAX_FAULTED_ENDPOINTS = 1000


@dataclass(frozen=True)
class Timeouts:
    """How long the server waits on a client before it cuts the connection (seconds).

    - `head_s`: the request line and headers must be complete this long after a connection opens, or after
      the first byte of its next request (uvicorn's h11 has no such deadline: a client sending a byte a second
      would hold the connection forever). Answered 408, then closed.
    - `body_s`: the whole request body must have arrived this long after its headers (the largest body,
      6 MiB, then needs 300 KiB/s; loopback moves it in milliseconds). Answered 408, then closed.
    - `keep_alive_s`: an idle keep-alive connection between requests is closed after this long (uvicorn's
      `timeout_keep_alive`; botocore's pool reconnects transparently).
    """

    head_s: float = 10.0
    body_s: float = 20.0
    keep_alive_s: int = 5

    def __post_init__(self) -> None:
        for name in ("head_s", "body_s", "keep_alive_s"):
            value = getattr(self, name)
            if not math.isfinite(value) or value <= 0:
                raise ValueError(f"{name} must be a positive number of seconds, got {value!r}")


def shown(value: object, limit: int = 60) -> str:
    """`repr(value)` cut to `limit` characters, for error messages about what a client sent."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


def integer(value: object, name: str, low: int, high: int) -> int:
    """`value` if it is an integer (not a bool, not a float) from `low` to `high`, else ValueError."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{name} must be an integer from {low} to {high}, got {shown(value)}")
    return value


def token_delay(value: object) -> float:
    """A valid token delay in seconds (a finite number from 0 to MAX_TOKEN_DELAY_S), else ValueError."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or (isinstance(value, float) and math.isnan(value))
    ):
        raise ValueError(f"token_delay must be a number of seconds, got {shown(value)}")
    if value < 0:
        raise ValueError("token_delay cannot be negative")
    if value > MAX_TOKEN_DELAY_S:
        raise ValueError(f"token_delay must be at most {MAX_TOKEN_DELAY_S:g} seconds, got {shown(value)}")
    return float(value)

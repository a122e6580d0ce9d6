"""Per-endpoint fault injection for tests: model errors, delays, throttling, broken streams."""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, replace
from typing import Any

from local_endpoints import limits
from local_endpoints.catalog import MAX_NAME_CHARS

STREAM_ERRORS = ("ModelStreamError", "InternalStreamFailure")


@dataclass(frozen=True)
class Fault:
    """What goes wrong on one endpoint's runtime calls until the fault is cleared.

    - `model_error_status`: every call answers ModelError (424) as if the model returned this status and
      `model_error_message`.
    - `delay_ms`: wait this long before answering.
    - `throttle_next`: the next K calls answer ThrottlingException (429), then calls succeed again.
    - `break_stream_after`: a stream sends this many parts, then `stream_error` (ModelStreamError with
      ErrorCode StreamBroken, or InternalStreamFailure). A model with fewer parts finishes normally.
    """

    model_error_status: int | None = None
    model_error_message: str = "Injected model error"
    delay_ms: int = 0
    throttle_next: int = 0
    break_stream_after: int | None = None
    stream_error: str = "ModelStreamError"

    def __post_init__(self) -> None:
        """ValueError for a field of the wrong type or out of bounds (the HTTP API passes JSON in as is)."""
        if not isinstance(self.stream_error, str) or self.stream_error not in STREAM_ERRORS:
            raise ValueError(
                f"stream_error must be one of {STREAM_ERRORS}, got {limits.shown(self.stream_error)}"
            )
        if self.model_error_status is not None:
            status = self.model_error_status
            if isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599:
                raise ValueError(
                    "model_error_status must be an HTTP error status (an integer from 400 to 599), "
                    f"got {limits.shown(status)}"
                )
        if not isinstance(self.model_error_message, str) or len(self.model_error_message) > (
            limits.MAX_FAULT_MESSAGE_CHARS
        ):
            raise ValueError(
                f"model_error_message must be a string of at most {limits.MAX_FAULT_MESSAGE_CHARS} characters"
            )
        limits.integer(self.delay_ms, "delay_ms", 0, limits.MAX_FAULT_DELAY_MS)
        limits.integer(self.throttle_next, "throttle_next", 0, limits.MAX_FAULT_COUNT)
        if self.break_stream_after is not None:
            limits.integer(self.break_stream_after, "break_stream_after", 0, limits.MAX_FAULT_COUNT)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class FaultBook:
    """The faults in force, by endpoint name. Thread-safe: tests set faults while the server reads them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: dict[str, Fault] = {}

    def set(self, endpoint_name: str, fault: Fault) -> None:
        """Put `fault` in force on this endpoint; ValueError for a name longer than SageMaker allows or past
        MAX_FAULTED_ENDPOINTS names."""
        if not isinstance(endpoint_name, str) or not 1 <= len(endpoint_name) <= MAX_NAME_CHARS:
            raise ValueError(
                f"an endpoint name has 1 to {MAX_NAME_CHARS} characters, got {limits.shown(endpoint_name)}"
            )
        with self._lock:
            if endpoint_name not in self._faults and len(self._faults) >= limits.MAX_FAULTED_ENDPOINTS:
                raise ValueError(f"at most {limits.MAX_FAULTED_ENDPOINTS} endpoints can have a fault at once")
            self._faults[endpoint_name] = fault

    def get(self, endpoint_name: str) -> Fault | None:
        with self._lock:
            return self._faults.get(endpoint_name)

    def take_throttle(self, endpoint_name: str) -> bool:
        """True (and one fewer call left to throttle) when this call is to be throttled."""
        with self._lock:
            fault = self._faults.get(endpoint_name)
            if fault is None or fault.throttle_next <= 0:
                return False
            self._faults[endpoint_name] = replace(fault, throttle_next=fault.throttle_next - 1)
            return True

    def all(self) -> dict[str, Fault]:
        with self._lock:
            return dict(self._faults)

    def clear(self, endpoint_name: str | None = None) -> None:
        with self._lock:
            if endpoint_name is None:
                self._faults.clear()
            else:
                self._faults.pop(endpoint_name, None)

"""Run one invocation in a background thread so a UI can poll it without blocking.

A Streamlit rerun throws away the script's locals but not an object kept in ``st.session_state``: keep the
``RunningInvocation`` there and call ``snapshot()`` on each rerun; the worker thread keeps reading the stream.
Pure Python: no Streamlit here.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from services.connection import Clients
from services.errors import ServiceError
from services.invocation import StreamingInvocation, invoke, stream, utc_now
from services.results import InvocationRequest, InvocationResult, Status
from services.streaming import StreamFormat


@dataclass(frozen=True)
class Snapshot:
    """The state of a running invocation at one moment."""

    status: Status  # Pending until the result is in
    text: str  # streamed text so far ("" for a non-streamed call)
    pieces: int  # text pieces received so far
    result: InvocationResult | None  # set once finished


class RunningInvocation:
    """An invoke or a stream running in a daemon worker thread. Every method is thread-safe."""

    def __init__(self, request: InvocationRequest, streamed: bool) -> None:
        self.request = request
        self.streamed = streamed
        self._lock = threading.Lock()
        self._pieces: list[str] = []
        self._text = ""
        self._result: InvocationResult | None = None
        self._finished = threading.Event()
        self._streaming: StreamingInvocation | None = None
        self._stop_requested = False
        self._piece_count = 0

    @classmethod
    def start(
        cls,
        clients: Clients,
        request: InvocationRequest,
        stream: bool,
        fmt: StreamFormat | str | None = None,
    ) -> RunningInvocation:
        """Start the call in a new daemon thread and return at once."""
        running = cls(request, stream)
        target = running._stream if stream else running._invoke
        worker = threading.Thread(
            target=target, args=(clients, fmt), name=f"invocation-{request.endpoint_name}", daemon=True
        )
        worker.start()
        return running

    def snapshot(self) -> Snapshot:
        """Status, text so far, piece count and the result (None until finished)."""
        with self._lock:
            if self._pieces:  # join lazily: polling stays O(new text), not O(all text) per piece
                self._text += "".join(self._pieces)
                self._pieces.clear()
            result = self._result
            text = self._text
            count = self._piece_count
        if result is not None and result.streamed:
            text = result.text  # the decoder's final text also has pieces completed just before a failure
        status = result.status if result is not None else Status.PENDING
        return Snapshot(status=status, text=text, pieces=count, result=result)

    def stop(self) -> None:
        """End a stream early (its result becomes Stopped, keeping the text). A non-streamed call cannot be
        recalled once sent: it runs to its end."""
        with self._lock:
            self._stop_requested = True
            streaming = self._streaming
        if streaming is not None:
            streaming.stop()

    @property
    def done(self) -> bool:
        return self._finished.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until finished or ``timeout`` seconds passed; True when finished."""
        return self._finished.wait(timeout)

    # -- the worker ----------------------------------------------------------------------------------------

    def _invoke(self, clients: Clients, _fmt: object) -> None:
        try:
            self._finish(invoke(clients, self.request))
        except BaseException as exc:
            self._finish(self._crashed(exc))

    def _stream(self, clients: Clients, fmt: StreamFormat | str | None) -> None:
        try:
            streaming = stream(clients, self.request, fmt)
            with self._lock:
                self._streaming = streaming
                stop_now = self._stop_requested
            if stop_now:
                streaming.stop()
            for piece in streaming:
                with self._lock:
                    self._pieces.append(piece)
                    self._piece_count += 1
            self._finish(streaming.result)
        except BaseException as exc:
            self._finish(self._crashed(exc))

    def _finish(self, result: InvocationResult) -> None:
        with self._lock:
            self._result = result
        self._finished.set()

    def _crashed(self, exc: BaseException) -> InvocationResult:
        # The service never raises ServiceError for a failed call; anything here is a bug. Report it as a
        # failed result so a polling page never waits forever.
        error = ServiceError(f"Unexpected error: {type(exc).__name__}: {exc}", "This is a bug in the app.")
        return InvocationResult(self.request, Status.FAILED, utc_now(), returned_at=utc_now(), error=error)

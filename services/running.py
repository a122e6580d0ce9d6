"""Run one invocation in a background thread so a UI can poll it without blocking.

A Streamlit rerun throws away the script's locals but not an object kept in ``st.session_state``: keep the
``RunningInvocation`` there and call ``snapshot()`` on each rerun; the worker thread keeps reading the stream.
Pure Python: no Streamlit here.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from services.connection import Clients
from services.errors import StreamError
from services.invocation import StreamingInvocation, invoke, stream, unexpected_error, utc_now
from services.results import InvocationRequest, InvocationResult, Status, StreamStats
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
        self._worker: threading.Thread | None = None

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
        running._worker = worker
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
        """End a stream early (its result becomes Stopped, keeping the text), at once even when SageMaker has
        not answered yet. After the end it changes nothing. A non-streamed call cannot be recalled once sent:
        it runs to its end."""
        with self._lock:
            self._stop_requested = True
            streaming = self._streaming
        if streaming is not None:
            streaming.stop()
            if streaming.done:  # stopped before SageMaker answered: the worker may wait for a while yet
                self._finish(streaming.result)

    @property
    def done(self) -> bool:
        return self._finished.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until finished or ``timeout`` seconds passed; True when finished."""
        return self._finished.wait(timeout)

    def join(self, timeout: float | None = None) -> bool:
        """Block until the worker thread itself has ended; True when it has. After a stop before SageMaker
        answered, the result is in at once but the worker still waits for the answer to close it."""
        if self._worker is not None:
            self._worker.join(timeout)
            return not self._worker.is_alive()
        return True

    # -- the worker ----------------------------------------------------------------------------------------

    def _invoke(self, clients: Clients, _fmt: object) -> None:
        try:
            self._finish(invoke(clients, self.request))
        except BaseException as exc:  # a worker must never die without a result
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
            if self._result is None:  # the first result stays: a stop may have settled it before the worker
                self._result = result
        self._finished.set()

    def _crashed(self, exc: BaseException) -> InvocationResult:
        # The service never raises for a failed call; anything here is a bug. Report it as a failed result
        # keeping the text received so far, so a polling page never waits forever and loses nothing.
        with self._lock:
            text = self._text + "".join(self._pieces)
            count = self._piece_count
        error = unexpected_error(exc, streamed=self.streamed)
        if isinstance(error, StreamError):
            error.partial_text = text
        now = utc_now()
        return InvocationResult(
            self.request,
            Status.FAILED,
            now,
            returned_at=now,
            error=error,
            stream=StreamStats(token_count=count) if self.streamed else None,
            text=text,
        )

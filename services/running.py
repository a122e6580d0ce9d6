"""Run one invocation in a background thread, and tell a listener whenever it moved on.

The thread owns the call from its start to its end: it keeps reading a stream whatever the caller does, and
``on_change`` hears of every new piece of text and, once, of the end (``snapshot().result`` is then set). A
caller that draws progress waits for that news instead of polling on a timer.
Pure Python: no Streamlit here.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
from collections.abc import Callable
from dataclasses import dataclass

from services.connection import Clients
from services.errors import StreamError
from services.invocation import StreamingInvocation, invoke, stream, unexpected_error, utc_now
from services.results import InvocationRequest, InvocationResult, Status, StreamStats

Listener = Callable[["RunningInvocation"], None]


@dataclass(frozen=True)
class Snapshot:
    """The state of a running invocation at one moment."""

    status: Status  # Pending until the result is in
    text: str  # streamed text so far ("" for a non-streamed call)
    pieces: int  # text pieces received so far
    result: InvocationResult | None  # set once finished
    stats: StreamStats | None = None  # a stream's live figures (a copy), None for a non-streamed call


class RunningInvocation:
    """An invoke or a stream running in a daemon worker thread. Every method is thread-safe.

    ``on_change`` is called from the worker thread after each new piece and after the end; it must be quick
    and must not raise (an exception there is dropped, the invocation goes on).
    """

    def __init__(self, request: InvocationRequest, streamed: bool, on_change: Listener | None = None) -> None:
        self.request = request
        self.streamed = streamed
        self._on_change = on_change
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
        cls, clients: Clients, request: InvocationRequest, stream: bool, on_change: Listener | None = None
    ) -> RunningInvocation:
        """Start the call in a new daemon thread and return at once."""
        running = cls(request, stream, on_change)
        target = running._stream if stream else running._invoke
        worker = threading.Thread(
            target=target, args=(clients,), name=f"invocation-{request.endpoint_name}", daemon=True
        )
        running._worker = worker
        worker.start()
        return running

    def snapshot(self) -> Snapshot:
        """Status, text so far, piece count, live stream figures and the result (None until finished)."""
        with self._lock:
            if self._pieces:  # join lazily: polling stays O(new text), not O(all text) per piece
                self._text += "".join(self._pieces)
                self._pieces.clear()
            result = self._result
            text = self._text
            count = self._piece_count
            streaming = self._streaming
        if result is not None and result.streamed:
            text = result.text  # the decoder's final text also has pieces completed just before a failure
        stats = None
        if result is not None:
            stats = result.stream
        elif streaming is not None:
            stats = dataclasses.replace(streaming.stats)
        elif self.streamed:
            stats = StreamStats()
        status = result.status if result is not None else Status.PENDING
        return Snapshot(status=status, text=text, pieces=count, result=result, stats=stats)

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

    def _invoke(self, clients: Clients) -> None:
        try:
            self._finish(invoke(clients, self.request))
        except BaseException as exc:  # a worker must never die without a result
            self._finish(self._crashed(exc))

    def _stream(self, clients: Clients) -> None:
        try:
            streaming = stream(clients, self.request)
            with self._lock:
                self._streaming = streaming
                stop_now = self._stop_requested
            if stop_now:
                streaming.stop()
            for piece in streaming:
                with self._lock:
                    self._pieces.append(piece)
                    self._piece_count += 1
                self._tell()
            self._finish(streaming.result)
        except BaseException as exc:
            self._finish(self._crashed(exc))

    def _finish(self, result: InvocationResult) -> None:
        with self._lock:
            first = self._result is None
            if first:  # the first result stays: a stop may have settled it before the worker
                self._result = result
        self._finished.set()
        if first:
            self._tell()

    def _tell(self) -> None:
        if self._on_change is None:
            return
        with contextlib.suppress(Exception):  # a listener's bug must not end the invocation
            self._on_change(self)

    def _crashed(self, exc: BaseException) -> InvocationResult:
        # The service never raises for a failed call; anything here is a bug. Report it as a failed result
        # keeping the text received so far, so a polling page never waits forever and loses nothing.
        with self._lock:
            text = self._text + "".join(self._pieces)
            count = self._piece_count
        error = unexpected_error(exc, streamed=self.streamed)
        if isinstance(error, StreamError):
            error.partial_text = text
        stats = StreamStats(token_count=count) if self.streamed else None
        return InvocationResult.failed(self.request, error, utc_now(), text=text, stream=stats)

"""Invocations run in a process of their own, so the times they report are the endpoint's, not the page's.

A web page's process is busy: script runs, websocket sends, JSON and protobuf work that holds the GIL for
milliseconds at a time. A worker thread there that waits for SageMaker's answer gets the GIL back late, and
its clock reads late: measured here, a 1,000 ms call read 33 ms long (median, up to 68) with one busy thread
beside it, against 0.6 ms by this child (``bench/bench_timing_isolation.py``). ``Invoker`` starts one child
process (``services.invoker_child``) that owns the boto3 runtime clients and times every call where nothing
else competes; the page's process only receives text and results.

    Invoker.start(connection, request, stream=..., on_end=...) -> RemoteInvocation
        .snapshot()     text so far, live stream figures, the result once finished
        .stop()         end a stream early (it keeps its text)
        .wait()         block until finished
    Invoker.wait_for_news(seen, timeout)   block until one of the watched invocations moved on
    Invoker.wait_for_endings(timeout)      block until every ended invocation's on_end has returned

``on_end(result)`` is called exactly once per invocation, from the invoker's reader thread, whatever the
page does (the tab may be closed): it is where a result is saved. If the child dies, every unfinished
invocation ends as a Failed result that keeps its text, and the next ``start`` starts a new child.

Messages are pickled and length-prefixed over the child's stdin and stdout (our own process, never a
foreign one). Pure Python: no Streamlit here.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import pickle
import struct
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any

from services.connection import Connection
from services.errors import ServiceError, StreamError
from services.invocation import utc_now
from services.results import InvocationRequest, InvocationResult, Status, StreamStats
from services.running import Snapshot

OnEnd = Callable[[InvocationResult], None]
_HEADER = struct.Struct(">I")
_ROOT = Path(__file__).resolve().parents[1]
_log = logging.getLogger(__name__)


def write_frame(stream: IO[bytes], message: object) -> None:
    """One message: its pickle's length (4 bytes, big-endian), then the pickle."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def read_frame(stream: IO[bytes]) -> Any:
    """The next message, or None at the end of the stream."""
    header = _read_exactly(stream, _HEADER.size)
    if header is None:
        return None
    data = _read_exactly(stream, _HEADER.unpack(header)[0])
    return None if data is None else pickle.loads(data)


def _read_exactly(stream: IO[bytes], size: int) -> bytes | None:
    chunks = []
    while size:
        chunk = stream.read(size)
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


class RemoteInvocation:
    """One invocation running in the invoker's child process, as the page sees it. Thread-safe."""

    def __init__(
        self, invoker: Invoker, ident: int, request: InvocationRequest, streamed: bool, on_end: OnEnd | None
    ) -> None:
        self.request = request
        self.streamed = streamed
        self.ident = ident
        self._invoker = invoker
        self._on_end = on_end
        self._lock = threading.Lock()
        self._pieces: list[str] = []
        self._text = ""
        self._count = 0
        self._stats: StreamStats | None = StreamStats() if streamed else None
        self._result: InvocationResult | None = None
        self._finished = threading.Event()
        self.version = 0  # grows with every change: compare it to know whether there is news

    def snapshot(self) -> Snapshot:
        with self._lock:
            if self._pieces:
                self._text += "".join(self._pieces)
                self._pieces.clear()
            result, text, count, stats = self._result, self._text, self._count, self._stats
        if result is not None:
            text = result.text if result.streamed else text
            stats = result.stream
        status = result.status if result is not None else Status.PENDING
        return Snapshot(status=status, text=text, pieces=count, result=result, stats=stats)

    def stop(self) -> None:
        """End a stream early; a non-streamed call runs to its end (SageMaker cannot recall it)."""
        if not self.done:
            self._invoker._send(("stop", self.ident))

    @property
    def done(self) -> bool:
        return self._finished.is_set()

    @property
    def result(self) -> InvocationResult | None:
        """The result once finished, else None."""
        return self._result

    def wait(self, timeout: float | None = None) -> bool:
        """Block until finished or ``timeout`` seconds passed; True when finished."""
        return self._finished.wait(timeout)

    # -- called by the invoker's reader thread ---------------------------------------------------------

    def _progress(self, delta: str, count: int, stats: StreamStats | None) -> None:
        with self._lock:
            if self._result is not None:
                return
            if delta:
                self._pieces.append(delta)
            self._count = count
            if stats is not None:
                self._stats = stats
            self.version += 1

    def _end(self, result: InvocationResult) -> bool:
        """Keep the result (the first one only); True when this call ended the invocation."""
        with self._lock:
            if self._result is not None:
                return False
            self._result = result
            self.version += 1
        self._finished.set()
        return True

    def _lost(self, why: str) -> InvocationResult:
        """The result of an invocation whose child process went away: Failed, keeping the text so far."""
        snapshot = self.snapshot()
        message = f"The invocation process stopped before this request ended ({why})."
        hint = "This is a bug in the app; the next request starts a new invocation process."
        error: ServiceError
        if self.streamed:
            error = StreamError(message, hint, "InvokerLost", partial_text=snapshot.text)
        else:
            error = ServiceError(message, hint, "InvokerLost")
        return InvocationResult.failed(
            self.request, error, utc_now(), text=snapshot.text, stream=snapshot.stats
        )


class Invoker:
    """Owns the child process that runs invocations; one per app process (thread-safe, never mutated by
    callers). Start it early (`warm`): the child imports boto3 and builds clients while the page loads."""

    def __init__(self, python: str = sys.executable) -> None:
        self._python = python
        self._lock = threading.Lock()  # guards the child, its pipes and the table of open invocations
        self._child: subprocess.Popen[bytes] | None = None
        self._open: dict[
            int, tuple[RemoteInvocation, subprocess.Popen[bytes] | None]
        ] = {}  # with their child
        self._ids = itertools.count(1)
        self._news = threading.Condition()
        self._ending = 0  # invocations shown as ended whose on_end has not returned yet (under _news)
        self._warmed: set[Connection] = set()  # connections the current child has built clients for
        self._closed = False

    def warm(self, connection: Connection) -> None:
        """Start the child (if needed) and have it build the clients for `connection` ahead of a request.
        Cheap to call on every page run: each child hears of each connection once."""
        with self._lock:
            child = self._child
            if child is not None and child.poll() is None and connection in self._warmed:
                return
        self._send(("warm", connection))
        with self._lock:
            self._warmed.add(connection)

    def start(
        self, connection: Connection, request: InvocationRequest, *, stream: bool, on_end: OnEnd | None = None
    ) -> RemoteInvocation:
        """Send the request from the child process and return at once (the handle starts Pending)."""
        handle = RemoteInvocation(self, next(self._ids), request, stream, on_end)
        self._send(("start", handle.ident, connection, request, stream), opening=handle)
        return handle

    def wait_for_news(self, seen: Mapping[RemoteInvocation, int], timeout: float) -> bool:
        """Block until one of `seen`'s invocations has a version other than the one given, at most `timeout`
        seconds; True when there is news."""

        def news() -> bool:
            return any(handle.version != version for handle, version in seen.items())

        with self._news:
            return self._news.wait_for(news, timeout)

    def wait_for_endings(self, timeout: float) -> bool:
        """Block until every invocation that has ended has had its on_end return (a page that lists saved
        results calls this first: a card may show its end a few milliseconds before its result is saved);
        True unless `timeout` seconds passed first."""
        with self._news:
            return self._news.wait_for(lambda: self._ending == 0, timeout)

    def close(self) -> None:
        """Stop the child; unfinished invocations end as Failed."""
        with self._lock:
            self._closed = True
            child = self._child
        if child is not None and child.stdin is not None:
            with contextlib.suppress(OSError):
                child.stdin.close()  # the child ends when its stdin closes; the reader closes the rest
            try:
                child.wait(timeout=5)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()

    @property
    def pid(self) -> int | None:
        """The child's process id (None before the first request)."""
        child = self._child
        return child.pid if child is not None else None

    # -- the child and its pipes -----------------------------------------------------------------------

    def _send(self, message: tuple[Any, ...], opening: RemoteInvocation | None = None) -> None:
        with self._lock:
            if self._closed:
                raise RuntimeError("the invoker is closed")
            try:
                child = self._ensure_child()
            except OSError as exc:  # no process could be started: the request fails, the page goes on
                failure = f"it could not be started: {exc}"
            else:
                if opening is not None:
                    self._open[opening.ident] = (opening, child)
                try:
                    assert child.stdin is not None
                    write_frame(child.stdin, message)
                    return
                except OSError as exc:  # the child is gone; its reader fails what was open there
                    failure = f"could not reach it: {exc}"
        _log.warning("Invocation process unavailable: %s", failure)
        if opening is not None:
            self._finish(opening.ident, opening._lost(failure), opening)

    def _ensure_child(self) -> subprocess.Popen[bytes]:
        child = self._child
        if child is not None and child.poll() is None:
            return child
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_ROOT), env.get("PYTHONPATH")) if p)
        self._warmed.clear()
        child = subprocess.Popen(
            [self._python, "-m", "services.invoker_child"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            cwd=_ROOT,
        )
        self._child = child
        threading.Thread(target=self._read, args=(child,), name="invoker-reader", daemon=True).start()
        return child

    def _read(self, child: subprocess.Popen[bytes]) -> None:
        assert child.stdout is not None
        try:
            while (message := read_frame(child.stdout)) is not None:
                self._dispatch(message)
        except Exception as exc:  # a torn frame: the child is not to be trusted any more
            _log.error("Invocation process sent something unreadable", exc_info=exc)
            with contextlib.suppress(OSError):
                child.kill()
        code = child.wait()
        _close_pipes(child)
        with self._lock:
            if self._child is child:
                self._child = None
            lost = [handle for handle, owner in self._open.values() if owner is child]
        for handle in lost:
            self._finish(handle.ident, handle._lost(f"exit code {code}"))

    def _dispatch(self, message: tuple[Any, ...]) -> None:
        kind = message[0]
        if kind == "progress":
            for ident, delta, count, stats in message[1]:
                entry = self._open.get(ident)
                if entry is not None:
                    entry[0]._progress(delta, count, stats)
            self._tell_waiters()
        elif kind == "end":
            self._finish(message[1], message[2])

    def _finish(self, ident: int, result: InvocationResult, handle: RemoteInvocation | None = None) -> None:
        """End invocation `ident` (the given `handle` when it never reached the table of open ones)."""
        with self._lock:
            entry = self._open.pop(ident, None)
        if entry is not None:
            handle = entry[0]
        if handle is None:
            return
        with self._news:
            self._ending += 1  # before the end shows: wait_for_endings must not miss this one
        try:
            if not handle._end(result):
                return
            self._tell_waiters()
            if handle._on_end is not None:
                try:
                    handle._on_end(result)
                except Exception as exc:  # the caller's bug: the invocation itself has ended all the same
                    _log.error("An on_end callback failed", exc_info=exc)
        finally:
            with self._news:
                self._ending -= 1
                self._news.notify_all()

    def _tell_waiters(self) -> None:
        with self._news:
            self._news.notify_all()


def _close_pipes(child: subprocess.Popen[bytes]) -> None:
    for pipe in (child.stdin, child.stdout):
        if pipe is not None:
            with contextlib.suppress(OSError):
                pipe.close()

"""The invoker's child process: runs invocations for the app's process and reports their progress.

Started by ``services.invoker.Invoker`` as ``python -m services.invoker_child``. It reads commands from stdin
and writes events to stdout (length-prefixed pickles, see ``services.invoker``); anything printed goes to
stderr, so stdout carries nothing but events. It ends when its stdin closes (the app went away).

Commands: ``("warm", connection)``, ``("start", id, connection, request, streamed)``, ``("stop", id)``.
Events: ``("progress", [(id, new_text, pieces, stream_stats), ...])``, ``("end", id, result)``.

Each invocation runs in its own thread (``services.running.RunningInvocation``) and is timed there; one
sender thread forwards what changed, so a stream of 20,000 tokens becomes a few hundred messages, not 20,000:
the first news of an idle sender goes out at once, later news at most every ``MIN_GAP_S``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
import time
from typing import IO, Any

from services.connection import Clients, Connection, build_clients
from services.errors import ServiceError
from services.invocation import utc_now
from services.invoker import read_frame, write_frame
from services.results import InvocationRequest, InvocationResult
from services.running import RunningInvocation

MIN_GAP_S = 0.004  # between two progress messages: invisible to a reader, and it bounds the message rate
_log = logging.getLogger("services.invoker_child")


class Outbox:
    """What changed since the last message, sent by one thread in the order it happened."""

    def __init__(self, events: IO[bytes]) -> None:
        self._events = events
        self._changed = threading.Condition()
        self._dirty: dict[int, RunningInvocation] = {}
        self._sent_chars: dict[int, int] = {}
        self._ended: list[tuple[int, InvocationResult]] = []
        threading.Thread(target=self._send_forever, name="invoker-outbox", daemon=True).start()

    def changed(self, ident: int, running: RunningInvocation) -> None:
        with self._changed:
            self._dirty[ident] = running
            self._changed.notify()

    def ended(self, ident: int, result: InvocationResult) -> None:
        """An invocation that never ran (its clients could not be built) ends with this result."""
        with self._changed:
            self._ended.append((ident, result))
            self._changed.notify()

    def _send_forever(self) -> None:
        last = 0.0
        while True:
            with self._changed:
                self._changed.wait_for(lambda: bool(self._dirty or self._ended))
                dirty, self._dirty = self._dirty, {}
                ended, self._ended = self._ended, []
            progress = []
            for ident, running in dirty.items():
                snapshot = running.snapshot()
                if snapshot.result is not None:
                    ended.append((ident, snapshot.result))
                    self._sent_chars.pop(ident, None)
                    continue
                sent = self._sent_chars.get(ident, 0)
                self._sent_chars[ident] = len(snapshot.text)
                progress.append((ident, snapshot.text[sent:], snapshot.pieces, snapshot.stats))
            if progress:
                write_frame(self._events, ("progress", progress))
            for ident, result in ended:
                write_frame(self._events, ("end", ident, result))
            # Let news gather for a moment; an idle sender's next news still goes out at once.
            pause = last + MIN_GAP_S - time.monotonic()
            last = time.monotonic()
            if pause > 0:
                time.sleep(pause)


class Invocations:
    """The invocations of this process by id, and the clients per connection (built once, shared)."""

    def __init__(self, outbox: Outbox) -> None:
        self._outbox = outbox
        self._lock = threading.Lock()
        self._clients: dict[Connection, Clients] = {}
        self._clients_lock = threading.Lock()
        self._running: dict[int, RunningInvocation] = {}
        self._stopped: set[int] = set()  # stop requests that came before their invocation started

    def clients(self, connection: Connection) -> Clients:
        with self._clients_lock:  # one build per connection, even when several requests come at once
            clients = self._clients.get(connection)
            if clients is None:
                clients = self._clients[connection] = build_clients(connection)
            return clients

    def warm(self, connection: Connection) -> None:
        threading.Thread(target=self._warm, args=(connection,), name="invoker-warm", daemon=True).start()

    def _warm(self, connection: Connection) -> None:
        with contextlib.suppress(ServiceError):  # the request that needs them reports it
            self.clients(connection)

    def start(self, ident: int, connection: Connection, request: InvocationRequest, streamed: bool) -> None:
        threading.Thread(
            target=self._start, args=(ident, connection, request, streamed), name="invoker-start", daemon=True
        ).start()

    def _start(self, ident: int, connection: Connection, request: InvocationRequest, streamed: bool) -> None:
        try:
            clients = self.clients(connection)
        except ServiceError as error:
            self._outbox.ended(ident, InvocationResult.failed(request, error, utc_now()))
            return

        def changed(running: RunningInvocation) -> None:
            self._outbox.changed(ident, running)
            if running.done:
                with self._lock:
                    self._running.pop(ident, None)

        with self._lock:
            running = RunningInvocation.start(clients, request, streamed, on_change=changed)
            if not running.done:
                self._running[ident] = running
            stop_now = ident in self._stopped
            self._stopped.discard(ident)
        if stop_now:
            running.stop()

    def stop(self, ident: int) -> None:
        with self._lock:
            running = self._running.get(ident)
            if running is None:
                self._stopped.add(ident)
        if running is not None:
            running.stop()


def serve(commands: IO[bytes], events: IO[bytes]) -> None:
    """Carry out commands until `commands` ends."""
    invocations = Invocations(Outbox(events))
    while (message := read_frame(commands)) is not None:
        kind: Any = message[0]
        if kind == "start":
            invocations.start(*message[1:])
        elif kind == "stop":
            invocations.stop(message[1])
        elif kind == "warm":
            invocations.warm(message[1])


def main() -> None:
    events = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # a stray print must not tear a frame
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    serve(sys.stdin.buffer, events)


if __name__ == "__main__":
    main()

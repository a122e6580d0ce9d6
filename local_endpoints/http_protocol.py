"""uvicorn's h11 protocol with the deadlines h11 lacks: a refused body is drained for 2 s, not forever.

When the server answers before a request body has arrived (it is too large, or the request is refused), h11
and uvicorn read and discard the rest of the body for as long as the client sends it, so that the connection
can serve the next request. Closing at once instead would reset the connection while the answer is still on
its way (a socket closed with unread data sends RST), and the client would never see why. So the rest of the
body gets `DRAIN_S` to arrive, discarded as it comes, after which the connection is closed.
"""

from __future__ import annotations

import asyncio

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

#: how long the rest of a refused body may keep coming: the answer is already sent, and on loopback 100 MB
#: take well under a second
DRAIN_S = 2.0


class LocalH11Protocol(H11Protocol):
    """The local server's HTTP/1.1 protocol (see the module docstring)."""

    _drain_timer: asyncio.TimerHandle | None = None

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._drain_timer is not None and self.conn.their_state is not h11.SEND_BODY:
            self._cancel_drain()
            if self.conn.their_state is h11.IDLE and self.timeout_keep_alive_task is None:
                # drained: the connection waits for its next request like any other (each byte of the body
                # cancelled uvicorn's keep-alive timer)
                self.timeout_keep_alive_task = self.loop.call_later(
                    self.timeout_keep_alive, self.timeout_keep_alive_handler
                )

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self.conn.their_state is h11.SEND_BODY:
            self._cancel_drain()
            self._drain_timer = self.loop.call_later(DRAIN_S, self._drain_timed_out)

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_drain()
        super().connection_lost(exc)

    def _cancel_drain(self) -> None:
        if self._drain_timer is not None:
            self._drain_timer.cancel()
            self._drain_timer = None

    def _drain_timed_out(self) -> None:
        self._drain_timer = None
        if not self.transport.is_closing():
            self.transport.close()

"""uvicorn's h11 protocol with the deadlines h11 lacks: for a request's head, and for draining a refused body.

- **Head**: uvicorn gives an idle keep-alive connection `timeout_keep_alive` seconds, but its first byte stops
  that clock and nothing starts another: a client sending its request line and headers a byte a second (or a
  connection that never sends anything) held the connection forever. The head must now be complete within
  `head_timeout_s` of the connection opening, or of the first byte of its next request; past that the server
  answers 408 (or, if not a byte came, says nothing) and closes the connection.
- **Drain**: when the server answers before a request body has arrived (too large, or refused), h11 and
  uvicorn read and discard the rest for as long as the client sends it. Closing at once instead would reset
  the connection while the answer is still on its way (a socket closed with unread data sends RST), and the
  client would never see why. So the rest of the body gets `DRAIN_S` to arrive, discarded as it comes; then
  the connection is closed.

The body itself is timed by `body_guard`, which can still answer (408) in the shape of the path's callers.
"""

from __future__ import annotations

import asyncio
import json

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

#: how long the rest of a refused body may keep coming: the answer is already sent, and on loopback 100 MB
#: take well under a second
DRAIN_S = 2.0


class LocalH11Protocol(H11Protocol):
    """The local server's HTTP/1.1 protocol (see the module docstring). Use `with_head_timeout`."""

    head_timeout_s: float = 10.0
    _head_timer: asyncio.TimerHandle | None = None
    _drain_timer: asyncio.TimerHandle | None = None

    @classmethod
    def with_head_timeout(cls, seconds: float) -> type[LocalH11Protocol]:
        """This protocol with `seconds` for a request's head (uvicorn builds one protocol per connection)."""
        return type(cls.__name__, (cls,), {"head_timeout_s": seconds})

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_head_clock()

    def data_received(self, data: bytes) -> None:
        if self.conn.their_state is h11.IDLE and self._head_timer is None:
            self._start_head_clock()  # the first byte of a request
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._cancel("_head_timer")  # the head is complete
        if self._drain_timer is not None and self.conn.their_state is not h11.SEND_BODY:
            self._cancel("_drain_timer")
            if self.conn.their_state is h11.IDLE and self.timeout_keep_alive_task is None:
                # drained: the connection waits for its next request like any other (each byte of the body
                # stopped uvicorn's keep-alive clock)
                self.timeout_keep_alive_task = self.loop.call_later(
                    self.timeout_keep_alive, self.timeout_keep_alive_handler
                )

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self.conn.their_state is h11.SEND_BODY:
            self._cancel("_drain_timer")
            self._drain_timer = self.loop.call_later(DRAIN_S, self._drain_timed_out)

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel("_head_timer")
        self._cancel("_drain_timer")
        super().connection_lost(exc)

    def _start_head_clock(self) -> None:
        self._cancel("_head_timer")
        self._head_timer = self.loop.call_later(self.head_timeout_s, self._head_timed_out)

    def _cancel(self, name: str) -> None:
        timer: asyncio.TimerHandle | None = getattr(self, name)
        if timer is not None:
            timer.cancel()
            setattr(self, name, None)

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.transport.is_closing() or self.conn.their_state is not h11.IDLE:
            return
        if not self.conn.trailing_data[0]:
            # not a byte of a request: close as uvicorn closes an idle connection (a 408 here could be read as
            # the answer to a request a pooled client is sending at this very moment)
            self.transport.close()
            return
        # no request has started, so there is no h11 response to send: these bytes are the whole answer
        body = json.dumps(
            {
                "error": f"The request line and headers did not arrive within {self.head_timeout_s:g} s; "
                "the local SageMaker server closed the connection."
            }
        ).encode()
        self.transport.write(
            b"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\n"
            + f"content-length: {len(body)}\r\nconnection: close\r\n\r\n".encode()
            + body
        )
        self.transport.close()

    def _drain_timed_out(self) -> None:
        self._drain_timer = None
        if not self.transport.is_closing():
            self.transport.close()

"""`LocalEndpoints`: the built-in SageMaker-compatible server, embedded in a thread or run standalone."""

from __future__ import annotations

import logging
import signal
import socket
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from types import TracebackType

import uvicorn

from local_endpoints import limits
from local_endpoints.app import build_app
from local_endpoints.faults import Fault
from local_endpoints.http_protocol import LocalH11Protocol
from local_endpoints.limits import Timeouts
from local_endpoints.request_log import RecordedRequest
from local_endpoints.state import ServerState

HOST = "127.0.0.1"
_START_TIMEOUT_S = 10.0
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class LocalEndpoints:
    """A local SageMaker: point boto3 at `url` (`endpoint_url=server.url`, any dummy credentials).

    ```python
    with LocalEndpoints(port=0, token_delay=0.03) as server:   # port 0 = a free loopback port
        boto3.client("sagemaker-runtime", endpoint_url=server.url, region_name="us-east-1", ...)
    ```

    `containers` maps endpoint names to model container URLs ("http://127.0.0.1:8080"); each becomes an
    endpoint that forwards to the container. `timeouts`: how long to wait on slow or idle clients (10 s for a
    request's head, 20 s for its body, 5 s idle between requests). Binds 127.0.0.1 only.
    """

    def __init__(
        self,
        port: int = 0,
        token_delay: float = 0.03,
        containers: dict[str, str] | None = None,
        timeouts: Timeouts | None = None,
    ) -> None:
        #: how long the server waits on a slow or idle client (see `limits.Timeouts`)
        self.timeouts = timeouts or Timeouts()
        self._state = ServerState(token_delay=token_delay)
        self._state.add_containers(containers or {})
        self._requested_port = port
        self._socket: socket.socket | None = None
        #: the port it listens on, once started (0 before)
        self.port = 0
        self._app = build_app(self._state, self.timeouts.body_s)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The base URL, "http://127.0.0.1:PORT" (once started)."""
        if not self.port:
            raise RuntimeError("the server has no URL until it is started")
        return f"http://{HOST}:{self.port}"

    # -- running ---------------------------------------------------------------------------------------------

    def start(self) -> LocalEndpoints:
        """Serve from a daemon thread; returns once the server accepts connections."""
        if self._thread is not None:
            raise RuntimeError("the server is already started")
        _quiet_uvicorn()
        self._state.stopping.clear()
        sock = self._bind()
        # log_config=None: uvicorn's default dictConfig would attach its own handlers to the embedding app's
        # logging (bound to whatever sys.stderr is at that moment); its records go to the root logger instead.
        server = self._server = uvicorn.Server(
            uvicorn.Config(
                self._app,
                http=LocalH11Protocol.with_head_timeout(self.timeouts.head_s),
                timeout_keep_alive=self.timeouts.keep_alive_s,
                log_config=None,
                log_level="warning",
                access_log=False,
                lifespan="off",
                timeout_graceful_shutdown=2,
            )
        )
        # uvicorn only installs signal handlers on the main thread, so the embedding app keeps its own.
        self._thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.name = f"local-endpoints:{self.port}"
        self._thread.start()
        deadline = time.monotonic() + _START_TIMEOUT_S
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the local endpoints server did not start on {self.url}")
            time.sleep(0.005)
        return self

    def serve_forever(self, on_ready: Callable[[str], None] | None = None) -> None:
        """Serve until Ctrl+C or SIGTERM, then stop cleanly: the standalone mode (call from the main thread).

        uvicorn runs in the background thread as when embedded; the main thread only waits for a signal
        (uvicorn's own handlers would re-raise the signal after shutting down: the process would die by it).
        `on_ready(url)` runs once the server accepts connections."""
        stop_requested = threading.Event()
        previous = {sig: signal.signal(sig, lambda *_: stop_requested.set()) for sig in _STOP_SIGNALS}
        try:
            self.start()
            if on_ready is not None:
                on_ready(self.url)
            while not stop_requested.wait(0.5):
                pass
        finally:
            self.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _bind(self) -> socket.socket:
        self._socket = _listening_socket(self._requested_port)
        self.port = self._socket.getsockname()[1]
        return self._socket

    def _close_socket(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    def stop(self) -> None:
        """Stop serving and wait for the thread to end (streams in progress end with an InternalStreamFailure
        event). Safe to call twice."""
        self._state.stopping.set()
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        self._close_socket()

    def __enter__(self) -> LocalEndpoints:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- test controls (the same as the /_local/ HTTP API) ---------------------------------------------------

    @property
    def token_delay(self) -> float:
        """Seconds between the streamed parts of the demo models (0 to 10; ValueError otherwise)."""
        return self._state.token_delay

    @token_delay.setter
    def token_delay(self, seconds: float) -> None:
        self._state.token_delay = limits.token_delay(seconds)

    @property
    def session_ttl(self) -> float:
        """Seconds a new stateful session lives (1,200, as on SageMaker); `reset()` restores it."""
        return self._state.sessions.ttl.total_seconds()

    @session_ttl.setter
    def session_ttl(self, seconds: float) -> None:
        if not 0 < seconds <= 86_400:
            raise ValueError(f"session_ttl must be between 0 and 86,400 seconds, not {seconds}")
        self._state.sessions.ttl = timedelta(seconds=seconds)

    def inject_fault(
        self,
        endpoint_name: str,
        *,
        model_error_status: int | None = None,
        model_error_message: str = "Injected model error",
        delay_ms: int = 0,
        throttle_next: int = 0,
        break_stream_after: int | None = None,
        stream_error: str = "ModelStreamError",
    ) -> None:
        """Make this endpoint's runtime calls fail until `reset()` (replaces any fault set before):

        - `model_error_status`: every call answers ModelError 424 with OriginalStatusCode/OriginalMessage;
        - `delay_ms`: answer this much later;
        - `throttle_next`: the next K calls answer ThrottlingException 429;
        - `break_stream_after`: streams stop after N parts with `stream_error`
          ("ModelStreamError", ErrorCode StreamBroken, or "InternalStreamFailure").
        """
        self._state.faults.set(
            endpoint_name,
            Fault(
                model_error_status=model_error_status,
                model_error_message=model_error_message,
                delay_ms=delay_ms,
                throttle_next=throttle_next,
                break_stream_after=break_stream_after,
                stream_error=stream_error,
            ),
        )

    def requests(self) -> list[RecordedRequest]:
        """Requests received on SageMaker paths, oldest first."""
        return self._state.log.all()

    def add_endpoints(
        self, count: int, prefix: str = "bulk-endpoint", status: str = "InService"
    ) -> list[str]:
        """Add `count` endpoints (PREFIX-0001, ...) serving the text classifier; `reset()` removes them.
        At most 10,000 until a reset; ValueError for a count, prefix or status out of bounds."""
        return self._state.add_endpoints(count, prefix, status)

    def reset(self) -> None:
        """Clear faults, request log, sessions and bulk-added endpoints; restore the initial token delay."""
        self._state.reset()


def _quiet_uvicorn() -> None:
    """Keep uvicorn's records ("Invalid HTTP request received.", a cancelled task's traceback) off the
    embedding app's terminal unless the app configures logging: without a handler anywhere on their way,
    Python's last-resort handler would print them to stderr. Records still propagate to the app's handlers."""
    uvicorn_logger = logging.getLogger("uvicorn")
    if not any(isinstance(handler, logging.NullHandler) for handler in uvicorn_logger.handlers):
        uvicorn_logger.addHandler(logging.NullHandler())


def _listening_socket(port: int) -> socket.socket:
    # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on accepted sockets whose proto says TCP, and
    # without it every response waits ~40 ms for a delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, port))
    except OSError:
        sock.close()
        raise
    sock.listen(128)
    return sock

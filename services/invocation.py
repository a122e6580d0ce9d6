"""Invoke an endpoint, whole or streamed, and time it honestly.

``invoke`` and ``stream`` never raise ``ServiceError``: a failure of any kind (rejected locally, refused by
SageMaker, the model failed, the network broke, the stream broke) is an ``InvocationResult`` with status
Failed and ``.error`` set. ``execution_ms`` is measured on ``time.perf_counter`` around the call alone,
including reading the body, and covers every HTTP attempt botocore made (``attempts`` says how many).

The non-streaming path is the hot path of the latency benchmark: no decoding, no copies, no logging on it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from time import perf_counter
from typing import Any

from services.botocore_errors import translated
from services.connection import Clients
from services.errors import InvalidRequestError, ServiceError, StreamError, StreamPayloadError
from services.parameters import NOT_STREAMED, OPTIONAL_PARAMETERS, STREAM_PARAMETERS
from services.results import MAX_BODY_BYTES, InvocationRequest, InvocationResult, Status, StreamStats
from services.streaming import StreamFormat, TokenDecoder

Clock = Callable[[], datetime]
_log = logging.getLogger(__name__)

# (InvocationRequest attribute, boto3 parameter) pairs, precomputed for the hot path; only set ones are sent.
_INVOKE_PARAMETERS = tuple((p.attribute, p.name) for p in OPTIONAL_PARAMETERS)
# botocore sends the streaming call's Accept as X-Amzn-SageMaker-Accept.
_STREAM_PARAMETERS = tuple((p.attribute, p.name) for p in STREAM_PARAMETERS)


def utc_now() -> datetime:
    """The default wall clock: timezone-aware UTC."""
    return datetime.now(UTC)


def invoke(clients: Clients, request: InvocationRequest, *, clock: Clock = utc_now) -> InvocationResult:
    """Call InvokeEndpoint once (plus the retries the connection allows) and return the result; never raises
    ServiceError."""
    problem = request_problem(request, streaming=False)
    if problem is not None:
        return _rejected(request, problem, clock)
    kwargs = _parameters(request, _INVOKE_PARAMETERS)
    call = clients.runtime.invoke_endpoint
    requested_at = clock()
    started = perf_counter()
    try:
        with translated():
            response = call(**kwargs)
            body = response["Body"].read()
    except ServiceError as error:
        elapsed = perf_counter() - started
        return _failed(request, error, requested_at, clock(), elapsed, clients)
    elapsed = perf_counter() - started
    returned_at = clock()
    metadata = response["ResponseMetadata"]
    return InvocationResult(
        request=request,
        status=Status.SUCCESS,
        requested_at=requested_at,
        returned_at=returned_at,
        execution_ms=elapsed * 1000.0,
        attempts=metadata.get("RetryAttempts", 0) + 1,
        request_id=metadata.get("RequestId"),
        invoked_variant=response.get("InvokedProductionVariant"),
        content_type=response.get("ContentType"),
        body=body,
        custom_attributes=response.get("CustomAttributes"),
        new_session_id=response.get("NewSessionId"),
        closed_session_id=response.get("ClosedSessionId"),
    )


def stream(
    clients: Clients,
    request: InvocationRequest,
    fmt: StreamFormat | str | None = None,
    *,
    clock: Clock = utc_now,
) -> StreamingInvocation:
    """Prepare InvokeEndpointWithResponseStream; the call is made when iteration starts.

    ``fmt`` forces a decoder format (tgi, lmi, openai, text); None detects it from the bytes.
    """
    return StreamingInvocation(clients, request, StreamFormat(fmt) if fmt is not None else None, clock)


def request_problem(request: InvocationRequest, *, streaming: bool) -> InvalidRequestError | None:
    """Why the request must not be sent, checked before anything goes out; None when it may be sent."""
    size = len(request.body)
    if size > MAX_BODY_BYTES:
        return InvalidRequestError(
            f"The body is {size:,} bytes; SageMaker accepts at most {MAX_BODY_BYTES:,} bytes (6 MiB).",
            "Send a smaller body (for large inputs use an asynchronous endpoint with an S3 input).",
            "BodyTooLarge",
        )
    if streaming:
        for parameter in NOT_STREAMED:
            if getattr(request, parameter.attribute) is not None:
                return InvalidRequestError(
                    f"{parameter.name} cannot be used with a streamed response: "
                    "InvokeEndpointWithResponseStream does not take it.",
                    f"Clear {parameter.name}, or turn streaming off.",
                    "NotStreamable",
                )
    return None


class StreamingInvocation:
    """One streamed invocation: iterate for text pieces as they arrive, ``stop()`` to end it, ``.result``.

    Iterate from one thread. ``stop()`` may be called from any thread: it ends the iteration cleanly (status
    Stopped) and closes the response stream. A stop while the call still waits for SageMaker's answer settles
    ``result`` at once (Stopped, no text); the waiting thread closes the answer when it comes.
    An unexpected exception while streaming (a bug) also ends as a Failed result that keeps every piece.
    """

    def __init__(
        self, clients: Clients, request: InvocationRequest, fmt: StreamFormat | None, clock: Clock
    ) -> None:
        self.request = request
        self._clients = clients
        self._fmt = fmt
        self._clock = clock
        self._stopping = threading.Event()
        self._body_lock = threading.Lock()
        self._body: Any = None
        self._waiting_since: tuple[datetime, float] | None = None  # the call is out, no answer yet
        self._result: InvocationResult | None = None
        # Live figures, updated by the iterating thread as parts arrive (read them from any thread).
        self.stats = StreamStats(format=fmt.value if fmt else StreamFormat.TEXT.value)
        self._pieces = self._run()

    def __iter__(self) -> Iterator[str]:
        return self._pieces

    @property
    def done(self) -> bool:
        return self._result is not None

    @property
    def result(self) -> InvocationResult:
        """The final result. Read it after iterating; on an unfinished stream this consumes the rest."""
        if self._result is None:
            for _ in self._pieces:
                pass
        if self._result is None:  # closed before it started: nothing was sent
            self._result = InvocationResult(self.request, Status.STOPPED, self._clock(), stream=StreamStats())
        return self._result

    def stop(self) -> None:
        """End the stream now: the pieces received so far stay in ``result.text``; status becomes Stopped."""
        self._stopping.set()
        with self._body_lock:
            if self._body is not None:
                _wake_reader(self._body)
            elif self._waiting_since is not None and self._result is None:
                # No socket to wake before the answer starts (a cold model can take 60 s): settle now.
                requested_at, started = self._waiting_since
                self._result = InvocationResult(
                    self.request,
                    Status.STOPPED,
                    requested_at,
                    returned_at=self._clock(),
                    execution_ms=(perf_counter() - started) * 1000.0,
                    attempts=1,
                    stream=StreamStats(format=(self._fmt or StreamFormat.TEXT).value),
                )

    def _run(self) -> Iterator[str]:
        request = self.request
        problem = request_problem(request, streaming=True)
        if problem is not None:
            self._result = _rejected(request, problem, self._clock)
            self._result.stream = StreamStats(format=self._fmt.value if self._fmt else "text")
            return
        decoder = TokenDecoder(self._fmt)
        stats = self.stats
        chunks: list[bytes] = []
        response: dict[str, Any] = {}
        error: ServiceError | None = None
        status = Status.FAILED
        requested_at = self._clock()
        started = perf_counter()
        try:
            with self._body_lock:  # one lock with stop(): a stop is seen here or settles the result there
                if self._stopping.is_set():
                    status = Status.STOPPED
                    return
                self._waiting_since = (requested_at, started)
            try:
                with translated():
                    response = self._clients.runtime.invoke_endpoint_with_response_stream(
                        **_parameters(request, _STREAM_PARAMETERS)
                    )
            except ServiceError as exc:
                error = exc
                return
            finally:
                with self._body_lock:
                    self._waiting_since = None
                    if response:
                        self._body = response["Body"]
                        _keep_stream_error_codes(self._body)
            events = iter(self._body)
            while True:
                if self._stopping.is_set():
                    status = Status.STOPPED
                    return
                try:
                    with translated():
                        event = next(events, None)
                except ServiceError as exc:
                    if self._stopping.is_set():
                        status = Status.STOPPED
                    else:
                        error = exc
                    return
                if event is None:
                    break
                part = event.get("PayloadPart")
                if part is None:
                    continue
                data = part.get("Bytes") or b""
                arrived_ms = (perf_counter() - started) * 1000.0
                stats.parts += 1
                stats.time_to_last_byte_ms = arrived_ms
                if stats.time_to_first_byte_ms is None:
                    stats.time_to_first_byte_ms = arrived_ms
                chunks.append(data)
                try:
                    pieces = decoder.decode(data)
                except StreamPayloadError as exc:
                    error = exc
                    return
                if pieces:
                    _note_tokens(stats, decoder, arrived_ms)
                    yield from pieces
            try:
                pieces = decoder.flush()
            except StreamPayloadError as exc:
                error = exc
                return
            if pieces:
                _note_tokens(stats, decoder, (perf_counter() - started) * 1000.0)
            yield from pieces
            status = Status.SUCCESS
        except GeneratorExit:
            status = Status.STOPPED  # the consumer stopped iterating
            raise
        except Exception as exc:  # a bug: still a Failed result keeping every piece, never a lost stream
            error = unexpected_error(exc, streamed=True)
        finally:
            elapsed = perf_counter() - started
            self._close_body()
            stats.format = decoder.format.value if decoder.format else (self._fmt or StreamFormat.TEXT).value
            stats.token_count = decoder.token_count
            stats.finish_reason = decoder.finish_reason
            result = self._stream_result(
                status, error, response, requested_at, elapsed, stats, chunks, decoder.text
            )
            with self._body_lock:
                if self._result is None:  # stop() may have settled it while the call waited
                    self._result = result

    def _stream_result(
        self,
        status: Status,
        error: ServiceError | None,
        response: dict[str, Any],
        requested_at: datetime,
        elapsed: float,
        stats: StreamStats,
        chunks: list[bytes],
        text: str,
    ) -> InvocationResult:
        metadata = response.get("ResponseMetadata") or {}
        if error is not None and not error.request_id:
            # A mid-stream failure carries no request id of its own: the stream's response has it.
            error.request_id = metadata.get("RequestId")
        if isinstance(error, StreamError):
            error.partial_text = error.partial_text or text
        return InvocationResult(
            request=self.request,
            status=status,
            requested_at=requested_at,
            returned_at=self._clock(),
            execution_ms=elapsed * 1000.0,
            attempts=metadata["RetryAttempts"] + 1 if metadata else _attempts(error, self._clients),
            request_id=metadata.get("RequestId") or (error.request_id if error else None),
            invoked_variant=response.get("InvokedProductionVariant"),
            content_type=response.get("ContentType"),
            body=b"".join(chunks),
            custom_attributes=response.get("CustomAttributes"),
            error=error,
            stream=stats,
            text=text,
        )

    def _close_body(self) -> None:
        with self._body_lock:
            body, self._body = self._body, None
        if body is not None:
            # closing a stream that already broke must not hide the real outcome
            with contextlib.suppress(Exception):
                body.close()


def _note_tokens(stats: StreamStats, decoder: TokenDecoder, arrived_ms: float) -> None:
    """Tokens arrived at `arrived_ms` (after the request start): the live figures follow."""
    if stats.time_to_first_token_ms is None:
        stats.time_to_first_token_ms = arrived_ms
    stats.last_token_ms = arrived_ms
    stats.token_count = decoder.token_count


def unexpected_error(exc: BaseException, *, streamed: bool) -> ServiceError:
    """The error shown for an exception the service does not expect (a bug), logged with its traceback.

    For a stream it is a StreamError, so the text received before it is kept in ``partial_text``.
    """
    _log.error("Unexpected error in an invocation", exc_info=exc)
    message = f"Unexpected error: {type(exc).__name__}: {exc}"
    if streamed:
        hint = "This is a bug in the app. The text received before it is kept."
        return StreamError(message, hint, "UnexpectedError")
    return ServiceError(message, "This is a bug in the app.", "UnexpectedError")


def _keep_stream_error_codes(body: Any) -> None:
    """Make this response stream keep a ModelStreamError's ErrorCode (StreamBroken,
    ModelInvocationTimeExceeded) in the error it raises.

    botocore parses the exception event's payload with the ErrorCode in it, then keeps only Code and Message
    (`BaseEventStreamParser._do_error_parse`). This wraps that one method on this stream's parser to copy
    ErrorCode across; if botocore's internals change, the stream still works and the card shows the event
    name alone (tests/robustness/test_stream_error_code.py fails, so the change is noticed)."""
    parser = getattr(body, "_parser", None)
    parse_error = getattr(parser, "_do_error_parse", None)
    if parse_error is None or getattr(parse_error, "keeps_error_code", False):
        return

    def with_error_code(response: dict[str, Any], shape: Any) -> dict[str, Any]:
        parsed: dict[str, Any] = parse_error(response, shape)
        try:
            payload = json.loads(response["body"])
            error_code = payload.get("ErrorCode") if isinstance(payload, dict) else None
        except (KeyError, TypeError, ValueError, RecursionError):
            error_code = None
        if isinstance(error_code, str) and error_code:
            parsed.setdefault("Error", {})["ErrorCode"] = error_code[:200]
        return parsed

    with_error_code.keeps_error_code = True  # type: ignore[attr-defined]
    # The parser is shared by the client's streams: wrapping it once serves them all.
    parser._do_error_parse = with_error_code  # type: ignore[union-attr]


def _wake_reader(body: Any) -> None:
    """Shut the socket of a response stream so a read blocked in another thread returns at once.

    Closing alone does not wake a blocked recv(); shutdown does. Reaches through botocore's EventStream to
    urllib3's connection; if any attribute is missing the reader simply stops at the next part.
    """
    connection = getattr(getattr(body, "_raw_stream", None), "connection", None)
    sock = getattr(connection, "sock", None)
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def _parameters(request: InvocationRequest, parameters: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "EndpointName": request.endpoint_name,
        "Body": request.body,
        "ContentType": request.content_type,
    }
    for attribute, parameter in parameters:
        value = getattr(request, attribute)
        if value is not None:
            kwargs[parameter] = value
    return kwargs


def _attempts(error: ServiceError | None, clients: Clients) -> int:
    """HTTP attempts behind a failure: botocore's count if the error has a response, else all allowed."""
    if error is None:
        return 0
    if isinstance(error, InvalidRequestError):
        return 0
    cause = error.__cause__
    response = getattr(cause, "response", None)
    if isinstance(response, dict):
        metadata = response.get("ResponseMetadata") or {}
        if "RetryAttempts" in metadata:
            return int(metadata["RetryAttempts"]) + 1
    return max(1, clients.connection.max_attempts)


def _failed(
    request: InvocationRequest,
    error: ServiceError,
    requested_at: datetime,
    returned_at: datetime,
    elapsed: float,
    clients: Clients,
) -> InvocationResult:
    return InvocationResult(
        request=request,
        status=Status.FAILED,
        requested_at=requested_at,
        returned_at=returned_at,
        execution_ms=elapsed * 1000.0,
        attempts=_attempts(error, clients),
        request_id=error.request_id,
        error=error,
    )


def _rejected(request: InvocationRequest, error: InvalidRequestError, clock: Clock) -> InvocationResult:
    return InvocationResult.failed(request, error, clock())

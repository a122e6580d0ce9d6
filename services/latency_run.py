"""A latency run: one request sent N times (or for a duration) at concurrency C, each timed as a card is.

    run = LatencyRun(run_clients(connection, C), request, RunSettings(concurrency=C, requests=N),
                     on_end=save).start()
    run.progress()      the phase, how far, the samples so far (for a live chart)
    run.stop()          no new request starts; streams in flight are ended (and left out of the figures)
    run.wait(timeout)   True once finished; run.outcome then holds the summary

Each request goes through ``services.invocation.invoke`` / ``stream``, so its latency is the card's Execution
Length and a stream's figures are its ``StreamStats``. C worker threads of a pool of their own take request
"tickets" until the count is reached, the duration is over, or Stop; warm-up requests run first, at the same
concurrency, and are not counted. The clients come from ``run_clients``: a connection pool of C (botocore's
default 10 would make requests above it wait for a connection, or open and discard ones: time that is the
client's, not the endpoint's) and one HTTP attempt per request (retries would hide throttling inside a
latency). ``on_end(outcome)`` is called once, from the run's own thread, whatever the page does.

Whether the client kept up is measured, not assumed: the process's CPU time over the run (a Python client
that needs a whole core cannot send faster, whatever the endpoint), the workers' own CPU time, and urllib3's
"connection pool is full" warnings. No Streamlit here.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from services.connection import Clients, Connection, build_clients
from services.errors import InvalidRequestError, ThrottlingError
from services.invocation import StreamingInvocation, invoke, request_problem, stream
from services.latency_stats import Sample, Summary, is_throttling, summarize
from services.results import InvocationRequest, InvocationResult, Status

MAX_CONCURRENCY = 64
MAX_REQUESTS = 100_000
MAX_DURATION_S = 3_600.0
MAX_WARMUP = 1_000
CPU_BOUND_SHARE = 0.85  # of one core: past this the client's own work limits the rate (one GIL)

OnEnd = Callable[["RunOutcome"], "int | None"]  # returns the stored id, if stored


@dataclass(frozen=True)
class RunSettings:
    """N requests (``requests``) or a duration in seconds (``duration_s``; with both, whichever comes first),
    at ``concurrency``, after ``warmup`` requests that are not counted; ``stream`` uses
    InvokeEndpointWithResponseStream."""

    concurrency: int = 4
    requests: int | None = 20
    duration_s: float | None = None
    warmup: int = 0
    stream: bool = False

    def problem(self) -> str | None:
        """Why these settings cannot run; None when they can."""
        if not 1 <= self.concurrency <= MAX_CONCURRENCY:
            return f"Concurrency is 1 to {MAX_CONCURRENCY}."
        if self.requests is None and self.duration_s is None:
            return "Give either a number of requests or a duration."
        if self.requests is not None and not 1 <= self.requests <= MAX_REQUESTS:
            return f"The number of requests is 1 to {MAX_REQUESTS:,}."
        if self.duration_s is not None and not 0 < self.duration_s <= MAX_DURATION_S:
            return f"The duration is more than 0 and at most {MAX_DURATION_S:,.0f} seconds."
        if not 0 <= self.warmup <= MAX_WARMUP:
            return f"Warm-up requests are 0 to {MAX_WARMUP:,}."
        return None


@dataclass(frozen=True)
class ClientLoad:
    """How hard the client worked during the measured phase, and whether that limited the run."""

    wall_s: float = 0.0
    process_cpu_s: float = 0.0  # the whole process (a page's process includes the page's own work)
    workers_cpu_s: float = 0.0  # the run's worker threads alone
    pool_full: int = 0  # urllib3 "connection pool is full" warnings during the run

    @property
    def process_share(self) -> float:
        """Process CPU time ÷ wall time: 1.0 is one core busy all the time."""
        return self.process_cpu_s / self.wall_s if self.wall_s > 0 else 0.0

    @property
    def workers_share(self) -> float:
        return self.workers_cpu_s / self.wall_s if self.wall_s > 0 else 0.0

    @property
    def bottleneck(self) -> str | None:
        """Why the client may have limited the figures; None when it kept up."""
        if self.pool_full:
            return (
                f"The connection pool was full {self.pool_full} times: connections were opened and "
                "discarded during the run, and their set-up time is inside the latencies."
            )
        share = max(self.process_share, self.workers_share)
        if share >= CPU_BOUND_SHARE:
            return (
                f"The client used {share:.0%} of a CPU core during the run: Python runs one thread at a "
                "time, so the client, not the endpoint, may have set the pace. Lower the concurrency, or "
                "run the Locust export in distributed mode."
            )
        return None


@dataclass(frozen=True)
class Progress:
    phase: str  # "warm-up", "running", "stopping", "finished", "stopped"
    done: int  # measured requests ended
    total: int | None  # None for a duration
    elapsed_s: float  # of the measured phase
    duration_s: float | None
    samples: list[Sample]
    warmup_done: int = 0

    @property
    def fraction(self) -> float:
        """0–1, for a progress bar."""
        if self.phase in ("finished", "stopped"):
            return 1.0
        if self.total:
            return min(1.0, self.done / self.total)
        if self.duration_s:
            return min(1.0, self.elapsed_s / self.duration_s)
        return 0.0


@dataclass(frozen=True)
class RunOutcome:
    """A finished run: what was sent, how, and what it came to."""

    request: InvocationRequest
    settings: RunSettings
    started_at: datetime
    summary: Summary
    samples: list[Sample]
    client: ClientLoad = field(default_factory=ClientLoad)
    stopped: bool = False
    cut_short: int = 0  # streams in flight that Stop ended: not in the figures
    connection_label: str = ""
    id: int | None = None  # set once stored


def run_clients(connection: Connection, concurrency: int) -> Clients:
    """Clients of the run's own: a connection pool of ``concurrency``, one HTTP attempt per request.
    Raises SetupError. Close them with ``close_clients`` (``LatencyRun(owns_clients=True)`` does)."""
    return build_clients(replace(connection, max_attempts=1), max_pool_connections=concurrency)


def close_clients(clients: Clients) -> None:
    for client in (clients.runtime, clients.sagemaker, clients.sts):
        if client is not None:
            with contextlib.suppress(Exception):
                client.close()


def sample_of(result: InvocationResult, started_s: float) -> Sample:
    """One request's figures from its result, as the card reads them."""
    error = result.error
    code = "" if result.status is Status.SUCCESS else (error.code if error and error.code else "Unknown")
    stats = result.stream
    return Sample(
        started_s=started_s,
        latency_ms=result.execution_ms,
        ok=result.status is Status.SUCCESS,
        error_code=code,
        throttled=isinstance(error, ThrottlingError) or (bool(code) and is_throttling(code)),
        ttft_ms=stats.time_to_first_token_ms if stats else None,
        tokens=stats.token_count if stats else 0,
        attempts=max(1, result.attempts),
    )


class LatencyRun:
    """One latency run in threads of its own. Thread-safe: ``progress``, ``stop`` and ``wait`` from any
    thread."""

    def __init__(
        self,
        clients: Clients,
        request: InvocationRequest,
        settings: RunSettings,
        *,
        on_end: OnEnd | None = None,
        owns_clients: bool = False,
    ) -> None:
        problem = settings.problem()
        if problem is None:
            refused = request_problem(request, streaming=settings.stream)
            problem = refused.message if refused else None
        if problem is not None:
            raise InvalidRequestError(problem, "Change the settings or the request.", "InvalidRun")
        self.request = request
        self.settings = settings
        self._clients = clients
        self._on_end = on_end
        self._owns_clients = owns_clients
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._finished = threading.Event()
        self._samples: list[Sample] = []
        self._in_flight: set[StreamingInvocation] = set()
        self._phase = "warm-up" if settings.warmup else "running"
        self._tickets = 0
        self._warmup_done = 0
        self._cut_short = 0
        self._measured_from = 0.0  # perf_counter at the measured phase's start
        self._measured_until: float | None = None
        self._deadline: float | None = None
        self._workers_cpu = 0.0
        self.started_at = datetime.now(UTC)
        self.outcome: RunOutcome | None = None
        self.connection_label = clients.connection.label

    # -- control -------------------------------------------------------------------------------------------

    def start(self) -> LatencyRun:
        threading.Thread(target=self._run, name="latency-run", daemon=True).start()
        return self

    def stop(self) -> None:
        """No new request starts; streams in flight end now (left out of the figures)."""
        self._stopping.set()
        with self._lock:
            streams = list(self._in_flight)
            if self._phase in ("warm-up", "running"):
                self._phase = "stopping"
        for invocation in streams:
            invocation.stop()

    def wait(self, timeout: float | None = None) -> bool:
        return self._finished.wait(timeout)

    @property
    def done(self) -> bool:
        return self._finished.is_set()

    def progress(self) -> Progress:
        with self._lock:
            samples = list(self._samples)
            phase = self._phase
            warmup_done = self._warmup_done
        measuring = phase not in ("warm-up",) and self._measured_from > 0
        end = self._measured_until or time.perf_counter()
        return Progress(
            phase=phase,
            done=len(samples),
            total=self.settings.requests,
            elapsed_s=end - self._measured_from if measuring else 0.0,
            duration_s=self.settings.duration_s,
            samples=samples,
            warmup_done=warmup_done,
        )

    # -- the run -------------------------------------------------------------------------------------------

    def _run(self) -> None:
        pool_full = _PoolFullCounter()
        try:
            with ThreadPoolExecutor(self.settings.concurrency, thread_name_prefix="latency") as pool:
                if self.settings.warmup and not self._stopping.is_set():
                    self._phase_run(pool, warmup=True)
                with self._lock:
                    if self._phase == "warm-up":
                        self._phase = "running"
                cpu_before = time.process_time()
                self._measured_from = time.perf_counter()
                if self.settings.duration_s is not None:
                    self._deadline = self._measured_from + self.settings.duration_s
                with pool_full.counting():
                    if not self._stopping.is_set():
                        self._phase_run(pool, warmup=False)
                self._measured_until = time.perf_counter()
                cpu = time.process_time() - cpu_before
            self._finish(cpu, pool_full.count)
        finally:
            if self._owns_clients:
                close_clients(self._clients)
            self._finished.set()

    def _phase_run(self, pool: ThreadPoolExecutor, *, warmup: bool) -> None:
        with self._lock:
            self._tickets = 0
        futures = [pool.submit(self._worker, warmup) for _ in range(self.settings.concurrency)]
        for future in futures:
            future.result()

    def _take_ticket(self, warmup: bool) -> bool:
        if self._stopping.is_set():
            return False
        with self._lock:
            if warmup:
                limit: int | None = self.settings.warmup
            else:
                limit = self.settings.requests
            if limit is not None and self._tickets >= limit:
                return False
            if not warmup and self._deadline is not None and time.perf_counter() >= self._deadline:
                return False
            self._tickets += 1
            return True

    def _worker(self, warmup: bool) -> None:
        cpu_before = time.thread_time()
        while self._take_ticket(warmup):
            started_s = time.perf_counter() - self._measured_from
            result = self._one()
            with self._lock:
                if warmup:
                    self._warmup_done += 1
                elif result.status is Status.STOPPED:
                    self._cut_short += 1
                else:
                    self._samples.append(sample_of(result, started_s))
        if not warmup:
            with self._lock:
                self._workers_cpu += time.thread_time() - cpu_before

    def _one(self) -> InvocationResult:
        if not self.settings.stream:
            return invoke(self._clients, self.request)
        invocation = stream(self._clients, self.request)
        with self._lock:
            self._in_flight.add(invocation)
        try:
            if self._stopping.is_set():
                invocation.stop()
            for _ in invocation:
                pass
            return invocation.result
        finally:
            with self._lock:
                self._in_flight.discard(invocation)

    def _finish(self, process_cpu: float, pool_full: int) -> None:
        stopped = self._stopping.is_set()
        with self._lock:
            samples = sorted(self._samples, key=lambda s: s.started_s)
            self._phase = "stopped" if stopped else "finished"
            cut_short = self._cut_short
            workers_cpu = self._workers_cpu
        wall = (self._measured_until or time.perf_counter()) - self._measured_from
        outcome = RunOutcome(
            request=self.request,
            settings=self.settings,
            started_at=self.started_at,
            summary=summarize(samples, wall, streamed=self.settings.stream),
            samples=samples,
            client=ClientLoad(wall, process_cpu, workers_cpu, pool_full),
            stopped=stopped,
            cut_short=cut_short,
            connection_label=self.connection_label,
        )
        self.outcome = outcome
        if self._on_end is not None:
            try:
                stored_id = self._on_end(outcome)
            except Exception:  # saving must not lose the outcome the page shows
                logging.getLogger(__name__).exception("Saving a latency run failed")
                stored_id = None
            if stored_id is not None:
                self.outcome = replace(outcome, id=stored_id)


class _PoolFullCounter(logging.Handler):
    """Counts urllib3's "Connection pool is full" warnings while attached."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if "pool is full" in str(record.msg):
            self.count += 1

    @contextlib.contextmanager
    def counting(self) -> Iterator[None]:
        logger = logging.getLogger("urllib3.connectionpool")
        logger.addHandler(self)
        try:
            yield
        finally:
            logger.removeHandler(self)

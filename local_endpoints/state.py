"""Everything the server knows, with no HTTP: the catalog, faults, request log, sessions and settings."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field

from local_endpoints import limits
from local_endpoints.catalog import ENDPOINT_NAME, ENDPOINT_STATUSES, Catalog
from local_endpoints.demo_catalog import bulk_endpoints, container_endpoint, demo_catalog
from local_endpoints.faults import FaultBook
from local_endpoints.request_log import RequestLog
from local_endpoints.sessions import SESSION_TTL, SessionBook


@dataclass
class ServerState:
    catalog: Catalog = field(default_factory=demo_catalog)
    faults: FaultBook = field(default_factory=FaultBook)
    log: RequestLog = field(default_factory=RequestLog)
    sessions: SessionBook = field(default_factory=SessionBook)
    #: seconds between streamed parts of the demo models
    token_delay: float = 0.03
    #: picks a variant by weight when the caller names none
    rng: random.Random = field(default_factory=random.Random)
    #: set while the server stops: streams in progress end with an InternalStreamFailure event at once
    #: instead of being cancelled by uvicorn's shutdown timeout half-way through a part
    stopping: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.token_delay = limits.token_delay(self.token_delay)
        self._initial_token_delay = self.token_delay

    def add_containers(self, containers: dict[str, str]) -> None:
        """Register one passthrough endpoint per NAME -> container URL; they survive `reset`."""
        for name, url in containers.items():
            self.catalog.add(container_endpoint(name, url))
        self.catalog.commit_baseline()

    def add_endpoints(
        self, count: int, prefix: str = "bulk-endpoint", status: str = "InService"
    ) -> list[str]:
        """Add `count` endpoints named PREFIX-0001, ... (numbering continues after existing ones); at most
        MAX_BULK_ENDPOINTS in all until a reset. ValueError for anything out of bounds."""
        count = limits.integer(count, "count", 0, limits.MAX_BULK_ENDPOINTS)
        if not isinstance(prefix, str) or not 1 <= len(prefix) <= limits.MAX_PREFIX_CHARS:
            raise ValueError(
                f"prefix must be 1 to {limits.MAX_PREFIX_CHARS} characters, got {limits.shown(prefix)}"
            )
        if not ENDPOINT_NAME.match(prefix):
            raise ValueError(f"prefix must be letters, digits and inner hyphens, got {limits.shown(prefix)}")
        if not isinstance(status, str) or status not in ENDPOINT_STATUSES:
            raise ValueError(f"status must be one of {ENDPOINT_STATUSES}, got {limits.shown(status)}")
        if self.catalog.added_count() + count > limits.MAX_BULK_ENDPOINTS:
            raise ValueError(
                f"at most {limits.MAX_BULK_ENDPOINTS} endpoints can be added until a reset "
                f"({self.catalog.added_count()} are)"
            )
        taken = sum(1 for endpoint in self.catalog.endpoints() if endpoint.name.startswith(f"{prefix}-"))
        names = [f"{prefix}-{taken + index + 1:04d}" for index in range(count)]
        for endpoint in bulk_endpoints(names, status):
            self.catalog.add(endpoint)
        return names

    def reset(self) -> None:
        """Clear faults, request log, sessions and bulk-added endpoints; restore the initial token delay."""
        self.token_delay = self._initial_token_delay
        self.faults.clear()
        self.log.clear()
        self.sessions.clear()
        self.sessions.ttl = SESSION_TTL
        self.catalog.restore()

"""Latency runs kept in the history file, in a table of their own (created if missing), so they can be
reopened and compared after a restart.

A run is stored whole: the request (body included, so a reopened run can still be exported to Locust), its
settings, every measured sample, and the client's load. The summary is computed again from the samples when
a run is read, so a stored run always agrees with its samples; the listing reads a stored copy of it.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from typing import Any

from services.history import History
from services.latency_run import ClientLoad, RunOutcome, RunSettings
from services.latency_stats import Sample, summarize
from services.results import InvocationRequest

_SCHEMA = """
CREATE TABLE IF NOT EXISTS latency_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at TEXT NOT NULL,
    target TEXT NOT NULL,
    streamed INTEGER NOT NULL DEFAULT 0,
    connection_label TEXT NOT NULL DEFAULT '',
    request TEXT NOT NULL,
    body BLOB NOT NULL,
    settings TEXT NOT NULL,
    summary TEXT NOT NULL,
    samples TEXT NOT NULL,
    client TEXT NOT NULL DEFAULT '{}',
    stopped INTEGER NOT NULL DEFAULT 0,
    cut_short INTEGER NOT NULL DEFAULT 0
)
"""
MAX_RUNS = 500  # the oldest go first past this
_SAMPLE_FIELDS = [f.name for f in fields(Sample)]
_REQUEST_FIELDS = [f.name for f in fields(InvocationRequest) if f.name != "body"]


@dataclass(frozen=True)
class StoredRunInfo:
    """One line of the list of runs."""

    id: int
    started_at: datetime
    target: str
    streamed: bool
    requests: int
    concurrency: int
    p50_ms: float | None
    stopped: bool

    @property
    def label(self) -> str:
        when = self.started_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
        p50 = f"p50 {self.p50_ms:,.1f} ms" if self.p50_ms is not None else "no successes"
        kind = "stream" if self.streamed else "invoke"
        stopped = ", stopped" if self.stopped else ""
        return (
            f"#{self.id} · {when} · {self.target} · {kind} · {self.requests} req × {self.concurrency} · "
            f"{p50}{stopped}"
        )


class LatencyRuns:
    """Thread-safe: every call opens its own connection."""

    def __init__(self, history: History) -> None:
        self._history = history
        with history.connection() as conn:
            conn.execute(_SCHEMA)

    def save(self, outcome: RunOutcome) -> int:
        request = outcome.request
        with self._history.connection() as conn:
            cursor = conn.execute(
                """INSERT INTO latency_runs (started_at, target, streamed, connection_label, request, body,
                   settings, summary, samples, client, stopped, cut_short)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    outcome.started_at.astimezone(UTC).isoformat(),
                    request.target,
                    int(outcome.settings.stream),
                    outcome.connection_label,
                    json.dumps({name: getattr(request, name) for name in _REQUEST_FIELDS}),
                    request.body,
                    json.dumps(asdict(outcome.settings)),
                    json.dumps(outcome.summary.as_dict()),
                    json.dumps([[getattr(s, name) for name in _SAMPLE_FIELDS] for s in outcome.samples]),
                    json.dumps(asdict(outcome.client)),
                    int(outcome.stopped),
                    outcome.cut_short,
                ),
            )
            run_id = int(cursor.lastrowid or 0)
            conn.execute(
                "DELETE FROM latency_runs WHERE id NOT IN "
                "(SELECT id FROM latency_runs ORDER BY id DESC LIMIT ?)",
                (MAX_RUNS,),
            )
        return run_id

    def list(self, limit: int = 100) -> list[StoredRunInfo]:
        """The newest runs first."""
        with self._history.connection() as conn:
            rows = conn.execute(
                "SELECT id, started_at, target, streamed, settings, summary, stopped FROM latency_runs "
                "ORDER BY id DESC LIMIT ?",
                (limit,),
            ).fetchall()
        infos = []
        for row in rows:
            settings = _json_object(row["settings"])
            summary = _json_object(row["summary"])
            latency = summary.get("latency") if isinstance(summary.get("latency"), dict) else {}
            infos.append(
                StoredRunInfo(
                    id=row["id"],
                    started_at=datetime.fromisoformat(row["started_at"]),
                    target=row["target"],
                    streamed=bool(row["streamed"]),
                    requests=int(summary.get("requests") or 0),
                    concurrency=int(settings.get("concurrency") or 0),
                    p50_ms=latency.get("p50") if latency else None,
                    stopped=bool(row["stopped"]),
                )
            )
        return infos

    def get(self, run_id: int) -> RunOutcome | None:
        with self._history.connection() as conn:
            row = conn.execute("SELECT * FROM latency_runs WHERE id = ?", (run_id,)).fetchone()
        return None if row is None else _outcome(row)

    def delete(self, run_id: int) -> bool:
        with self._history.connection() as conn:
            return conn.execute("DELETE FROM latency_runs WHERE id = ?", (run_id,)).rowcount > 0


def _outcome(row: sqlite3.Row) -> RunOutcome:
    request_fields = _json_object(row["request"])
    request = InvocationRequest(
        body=bytes(row["body"]),
        **{name: request_fields[name] for name in _REQUEST_FIELDS if name in request_fields},
    )
    settings_fields = _json_object(row["settings"])
    known = {f.name for f in fields(RunSettings)}
    settings = RunSettings(**{k: v for k, v in settings_fields.items() if k in known})
    samples = [
        Sample(**dict(zip(_SAMPLE_FIELDS, values, strict=False))) for values in json.loads(row["samples"])
    ]
    client_fields = _json_object(row["client"])
    client = ClientLoad(
        **{k: v for k, v in client_fields.items() if k in {f.name for f in fields(ClientLoad)}}
    )
    return RunOutcome(
        request=request,
        settings=settings,
        started_at=datetime.fromisoformat(row["started_at"]),
        summary=summarize(samples, client.wall_s, streamed=settings.stream),
        samples=samples,
        client=client,
        stopped=bool(row["stopped"]),
        cut_short=int(row["cut_short"]),
        connection_label=row["connection_label"],
        id=int(row["id"]),
    )


def _json_object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}

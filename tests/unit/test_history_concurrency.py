"""Several Streamlit sessions write the history at once: every save lands, none fails on a lock."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

from services.history import History
from services.results import InvocationRequest, InvocationResult, Status

THREADS = 8
SAVES_PER_THREAD = 50


def result_for(thread: int, index: int) -> InvocationResult:
    return InvocationResult(
        request=InvocationRequest(endpoint_name=f"endpoint-{thread}", body=f'{{"n": {index}}}'.encode()),
        status=Status.SUCCESS,
        requested_at=datetime.now(UTC),
        execution_ms=1.0,
        attempts=1,
        request_id=f"{thread}-{index}",
        body=b"ok",
    )


def test_concurrent_writers_from_many_threads_all_land(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    History(path)  # the first start creates the schema; the writers below open their own History each
    start = threading.Barrier(THREADS)
    failures: list[BaseException] = []
    ids: list[int] = []
    ids_lock = threading.Lock()

    def writer(thread: int) -> None:
        try:
            history = History(path)  # one per session, as each Streamlit session would
            start.wait()
            for index in range(SAVES_PER_THREAD):
                new_id = history.save(result_for(thread, index), connection_label=f"tab {thread}")
                with ids_lock:
                    ids.append(new_id)
                if index % 10 == 0:
                    history.list(limit=5)  # readers interleave with writers
        except BaseException as exc:  # collected and reported by the main thread
            failures.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    assert len(ids) == len(set(ids)) == THREADS * SAVES_PER_THREAD
    history = History(path)
    assert history.count() == THREADS * SAVES_PER_THREAD
    saved = {entry.request_id for entry in history.list(limit=THREADS * SAVES_PER_THREAD)}
    assert saved == {f"{t}-{i}" for t in range(THREADS) for i in range(SAVES_PER_THREAD)}


def test_one_history_shared_by_many_threads(tmp_path: Path) -> None:
    history = History(tmp_path / "history.sqlite3")  # e.g. one instance in st.cache_resource
    failures: list[BaseException] = []

    def writer(thread: int) -> None:
        try:
            for index in range(SAVES_PER_THREAD):
                history.save(result_for(thread, index), connection_label="shared")
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    assert history.count() == THREADS * SAVES_PER_THREAD

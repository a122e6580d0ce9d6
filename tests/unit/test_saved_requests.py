"""Saved requests in the history file: saved under a name per endpoint, replaced by name, listed, deleted,
and still there for a new store on the same file (an app restart)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from services.errors import ServiceError
from services.history import History
from services.saved_requests import MAX_PER_TARGET, SavedRequest, SavedRequests


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "history.sqlite3"


def test_a_request_saved_for_an_endpoint_is_there_after_a_restart(path: Path):
    store = SavedRequests(History(path))
    store.save(
        "demo-a", SavedRequest("first", b'{"x": 1}', "application/json", options={"accept": "text/csv"})
    )
    store.save("demo-a", SavedRequest("picture", b"\x89PNG\r\n\x1a\n\x00", "image/png", True, "cat.png"))
    store.save("demo-b", SavedRequest("other", b"1,2", "text/csv"))

    again = SavedRequests(History(path))  # a new process on the same file
    first, picture = again.list("demo-a")
    assert (first.name, first.body, first.content_type, first.options) == (
        "first",
        b'{"x": 1}',
        "application/json",
        {"accept": "text/csv"},
    )
    assert (picture.body, picture.as_file, picture.file_name) == (b"\x89PNG\r\n\x1a\n\x00", True, "cat.png")
    assert [r.name for r in again.list("demo-b")] == ["other"]
    assert again.list("demo-c") == []


def test_saving_under_a_name_again_replaces_it_and_delete_removes_it(path: Path):
    store = SavedRequests(History(path))
    first = store.save("demo-a", SavedRequest("  edge   case ", b"1", "text/plain"))
    second = store.save("demo-a", SavedRequest("edge case", b"2", "text/plain"))
    assert first == second
    [kept] = store.list("demo-a")
    assert (kept.name, kept.body) == ("edge case", b"2")
    assert store.delete(second) and store.list("demo-a") == []
    assert not store.delete(second)


def test_a_request_needs_a_name_and_an_endpoint_has_a_limit(path: Path):
    store = SavedRequests(History(path))
    with pytest.raises(ServiceError, match="name"):
        store.save("demo-a", SavedRequest("   ", b"1", "text/plain"))
    for number in range(MAX_PER_TARGET):
        store.save("demo-a", SavedRequest(f"r{number}", b"1", "text/plain"))
    with pytest.raises(ServiceError, match="delete one"):
        store.save("demo-a", SavedRequest("one more", b"1", "text/plain"))
    store.save("demo-a", SavedRequest("r7", b"replaced", "text/plain"))  # replacing is always allowed


def test_a_history_file_from_before_saved_requests_gains_the_table_and_keeps_its_rows(path: Path):
    with sqlite3.connect(path) as conn:  # what an older version wrote: its own table only
        conn.execute("CREATE TABLE unrelated (x)")
        conn.execute("INSERT INTO unrelated VALUES (1)")
    store = SavedRequests(History(path))
    store.save("demo-a", SavedRequest("n", b"1", "text/plain"))
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT x FROM unrelated").fetchall() == [(1,)]


def test_damaged_options_are_read_as_none(path: Path):
    store = SavedRequests(History(path))
    store.save("demo-a", SavedRequest("n", b"1", "text/plain", options={"accept": "x"}))
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE saved_requests SET options = 'not json'")
    assert store.list("demo-a")[0].options == {}

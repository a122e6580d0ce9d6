"""Schema migrations on real files: a history written by the app before migrations (the committed fixture,
made by tests/fixtures/make_history_v1.py at commit d65ee9d) is brought up to date with every row kept; a
file from a newer app is refused and left byte for byte as it was."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from services import history_schema
from services.errors import ModelError, ModelStreamError
from services.history import SCHEMA_VERSION, History, HistoryFilter, HistoryVersionError
from services.results import InvocationRequest, InvocationResult, Status

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "history_v1.sqlite3"


@pytest.fixture
def old_file(tmp_path: Path) -> Path:
    path = tmp_path / "history.sqlite3"
    shutil.copyfile(FIXTURE, path)
    path.chmod(0o600)
    return path


def _raw(path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute(sql).fetchall()
    conn.close()
    return rows


def test_the_fixture_is_a_file_from_before_migrations(old_file: Path) -> None:
    assert _raw(old_file, "PRAGMA user_version") == [(0,)]
    assert _raw(old_file, "SELECT version FROM schema_version") == [(1,)]
    columns = [row[1] for row in _raw(old_file, "PRAGMA table_info(invocations)")]
    assert "starred" not in columns


def test_an_old_file_is_migrated_and_every_row_reads_back(old_file: Path) -> None:
    before = _raw(old_file, "SELECT * FROM invocations ORDER BY id")
    history = History(old_file)

    assert _raw(old_file, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    assert _raw(old_file, "SELECT version FROM schema_version") == [(1,)]  # older apps still open it
    after = _raw(old_file, "SELECT * FROM invocations ORDER BY id")
    assert [row[:-1] for row in after] == before  # every old value kept; `starred` appended, 0
    assert {row[-1] for row in after} == {0}

    entries = {entry.endpoint_name: entry for entry in history.list()}
    assert list(entries) == [
        "demo-image-inspector",
        "demo-tgi-generator",
        "demo-ab-test",
        "demo-text-classifier",
    ]
    ok = history.get(entries["demo-text-classifier"].id)
    assert ok is not None and ok.status is Status.SUCCESS
    assert ok.request.body == b'{"inputs": "I love marmalade"}'
    assert ok.body == b'[{"label": "POSITIVE", "score": 0.99}]' and ok.execution_ms == 41.5
    failed = history.get(entries["demo-ab-test"].id)
    assert failed is not None and type(failed.error) is ModelError
    assert failed.error.original_message == "boom" and failed.request.custom_attributes == "accept_eula=true"
    assert failed.connection_label == "AWS prod (us-east-1)" and failed.attempts == 3
    streamed = history.get(entries["demo-tgi-generator"].id)
    assert streamed is not None and type(streamed.error) is ModelStreamError
    assert streamed.text == "Once upon ünïcode" and streamed.stream is not None
    binary = history.get(entries["demo-image-inspector"].id)
    assert binary is not None and binary.request.body == b"\x89PNG\r\n\x1a\n\x00\xff"
    assert binary.body == b"\xff\xfe\x00binary"
    # the other stores' tables in the same file are untouched
    assert _raw(old_file, "SELECT id, title FROM conversations") == [("c1", "A saved chat")]


def test_a_migrated_file_supports_the_new_features(old_file: Path) -> None:
    history = History(old_file)
    assert history.search_index == history_schema.fts5_available()
    # old rows were put into the search index by the migration
    assert [e.endpoint_name for e in history.list(search="marmalade")] == ["demo-text-classifier"]
    assert [e.endpoint_name for e in history.list(search="boom")] == ["demo-ab-test"]
    assert [e.endpoint_name for e in history.list(search="ünïcode")] == ["demo-tgi-generator"]
    classifier = history.list(search="marmalade")[0].id
    assert history.set_starred(classifier)
    assert [e.id for e in history.list(where=HistoryFilter(starred=True))] == [classifier]
    assert history.get(classifier).starred  # type: ignore[union-attr]
    # a new row after the migration is saved, indexed and listed first
    at = datetime(2025, 4, 1, tzinfo=UTC)
    new_id = history.save(
        InvocationResult(
            InvocationRequest("demo-text-classifier", b'{"inputs": "quince"}'),
            Status.SUCCESS,
            at,
            returned_at=at + timedelta(milliseconds=3),
        ),
        connection_label="Local",
    )
    assert [e.id for e in history.list(search="quince")] == [new_id]
    assert history.list()[0].id == new_id and history.count() == 5


def test_opening_a_migrated_file_again_changes_nothing(old_file: Path) -> None:
    History(old_file)
    schema = _raw(old_file, "SELECT sql FROM sqlite_master ORDER BY name")
    again = History(old_file)
    assert _raw(old_file, "SELECT sql FROM sqlite_master ORDER BY name") == schema
    assert again.count() == 4


def test_an_app_from_before_migrations_still_writes_a_migrated_file_and_search_sees_it(
    old_file: Path,
) -> None:
    History(old_file)
    # what the old app's save() does: an INSERT naming only the columns it knows
    with sqlite3.connect(old_file) as conn:
        row = conn.execute("SELECT * FROM invocations WHERE id = 1").fetchone()
        names = [
            d[0] for d in conn.execute("SELECT * FROM invocations LIMIT 0").description if d[0] != "starred"
        ]
        values = dict(
            zip(
                [d[0] for d in conn.execute("SELECT * FROM invocations LIMIT 0").description],
                row,
                strict=True,
            )
        )
        values.update(id=None, request_body=b'{"inputs": "written by the old app: persimmon"}')
        conn.execute(
            f"INSERT INTO invocations ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})",
            [values[n] for n in names],
        )
    conn.close()
    history = History(old_file)
    assert [e.request.body for e in history.list(search="persimmon")] == [
        b'{"inputs": "written by the old app: persimmon"}'
    ]
    assert history.list(search="persimmon")[0].starred is False


@pytest.mark.parametrize("how", ["user_version", "legacy table"])
def test_a_file_from_a_newer_version_is_refused_and_left_untouched(old_file: Path, how: str) -> None:
    History(old_file)
    with sqlite3.connect(old_file) as conn:
        if how == "user_version":
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
            conn.execute("ALTER TABLE invocations ADD COLUMN from_the_future TEXT")
        else:
            conn.execute("UPDATE schema_version SET version = 99")
    conn.close()
    _checkpoint(old_file)
    digest = hashlib.sha256(old_file.read_bytes()).hexdigest()

    with pytest.raises(
        HistoryVersionError, match=r"newer version of this app \(schema \d+\).*Nothing in the file"
    ):
        History(old_file)

    _checkpoint(old_file)
    assert hashlib.sha256(old_file.read_bytes()).hexdigest() == digest
    assert _raw(old_file, "SELECT count(*) FROM invocations") == [(4,)]


def _checkpoint(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def test_a_fresh_file_is_created_at_the_current_version(tmp_path: Path) -> None:
    path = tmp_path / "new" / "history.sqlite3"
    History(path)
    assert _raw(path, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    assert (path.stat().st_mode & 0o777) == 0o600


def test_without_fts5_the_triggers_go_and_come_back_with_a_full_index(
    old_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Python whose SQLite lacks FTS5 opens a migrated file: saves keep working (no trigger on a module
    it cannot load), searches use LIKE, and the next start with FTS5 indexes what was saved meanwhile."""
    if not history_schema.fts5_available():
        pytest.skip("this SQLite has no FTS5")
    History(old_file)
    monkeypatch.setattr(history_schema, "fts5_available", lambda: False)
    without = History(old_file)
    assert without.search_index is False
    at = datetime(2025, 4, 1, tzinfo=UTC)
    without.save(
        InvocationResult(InvocationRequest("demo-x", b"kumquat"), Status.SUCCESS, at), connection_label="L"
    )
    assert [e.request.body for e in without.list(search="kumquat")] == [b"kumquat"]
    monkeypatch.undo()
    again = History(old_file)
    assert again.search_index is True
    assert [e.request.body for e in again.list(search="kumquat")] == [b"kumquat"]
    assert [e.endpoint_name for e in again.list(search="marmalade")] == ["demo-text-classifier"]

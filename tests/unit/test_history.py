"""The SQLite history on a real file: saving, reading back, filtering, deleting, reopening, file modes."""

from __future__ import annotations

import os
import sqlite3
import stat
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from services.errors import ModelError, ModelStreamError, NetworkError, ServiceError
from services.history import MAX_STORED_BYTES, PREVIEW_BYTES, History, default_history_path
from services.results import InvocationRequest, InvocationResult, Status, StreamStats

T0 = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)


def success(
    endpoint: str = "demo-text-classifier", body: bytes = b'{"inputs": "I love it"}'
) -> InvocationResult:
    return InvocationResult(
        request=InvocationRequest(endpoint_name=endpoint, body=body),
        status=Status.SUCCESS,
        requested_at=T0,
        returned_at=T0 + timedelta(milliseconds=42),
        execution_ms=41.5,
        attempts=1,
        request_id="req-1",
        invoked_variant="AllTraffic",
        content_type="application/json",
        body=b'[{"label": "POSITIVE", "score": 0.99}]',
    )


def model_error_result() -> InvocationResult:
    error = ModelError(
        message="The model container answered 500: boom",
        hint="Open the CloudWatch log stream for the container's traceback.",
        code="ModelError",
        http_status=424,
        request_id="req-err",
        original_status=500,
        original_message="boom",
        log_stream_arn="arn:aws:logs:us-east-1:123456789012:log-group:/aws/sagemaker/Endpoints/x",
        log_url="https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#logsV2",
    )
    return InvocationResult(
        request=InvocationRequest(
            endpoint_name="demo-ab-test",
            body=b"1.0,2.0\n",
            content_type="text/csv",
            accept="application/json",
            custom_attributes="accept_eula=true",
            target_model="model-a.tar.gz",
            target_variant="variant-b",
            target_container_hostname="container-1",
            inference_id="inf-7",
            enable_explanations="`true`",
            inference_component_name="ic-classifier",
            session_id="NEW_SESSION",
        ),
        status=Status.FAILED,
        requested_at=T0,
        returned_at=T0 + timedelta(seconds=1),
        execution_ms=1000.25,
        attempts=3,
        request_id="req-err",
        error=error,
        extra={"note": "retried twice"},
    )


def streamed_result() -> InvocationResult:
    return InvocationResult(
        request=InvocationRequest(
            endpoint_name="demo-tgi-generator", body=b'{"inputs": "Hi", "stream": true}', session_id="sess-1"
        ),
        status=Status.FAILED,
        requested_at=T0,
        returned_at=T0 + timedelta(seconds=2),
        execution_ms=2000.0,
        attempts=1,
        request_id="req-stream",
        invoked_variant="AllTraffic",
        content_type="text/event-stream",
        custom_attributes="echo=1",
        new_session_id="sess-2; Expires=2025-03-01T13:00:00Z",
        closed_session_id="sess-0",
        stream=StreamStats(
            format="tgi", time_to_first_byte_ms=12.5, time_to_first_token_ms=15.0, token_count=3, parts=4
        ),
        text="Once upon ünïcode",
        error=ModelStreamError(
            message="The stream broke after 3 tokens",
            hint="Retry; the text received so far is kept.",
            code="StreamBroken",
            partial_text="Once upon ünïcode",
        ),
    )


@pytest.fixture
def history(tmp_path: Path) -> History:
    return History(tmp_path / "data" / "history.sqlite3")


def test_a_success_round_trips(history: History) -> None:
    original = success()
    entry_id = history.save(original, connection_label="Local")
    assert original.history_id == entry_id

    entry = history.get(entry_id)
    assert entry is not None and entry.complete
    assert entry.connection_label == "Local"
    assert entry.saved_at.tzinfo is not None
    restored = entry.to_result()
    assert restored == original  # every field, history_id included


def test_a_failed_model_error_round_trips_with_every_request_parameter(history: History) -> None:
    original = model_error_result()
    entry = history.get(history.save(original, connection_label="AWS dev (us-east-1)"))
    assert entry is not None
    restored = entry.to_result()

    assert restored.request == original.request
    assert restored.status is Status.FAILED
    assert type(restored.error) is ModelError
    assert restored.error.message == "The model container answered 500: boom"
    assert restored.error.hint == original.error.hint  # type: ignore[union-attr]
    assert restored.error.code == "ModelError"
    assert restored.error.http_status == 424
    assert restored.error.original_status == 500
    assert restored.error.original_message == "boom"
    assert restored.error.log_stream_arn == original.error.log_stream_arn  # type: ignore[union-attr]
    assert restored.error.log_url == original.error.log_url  # type: ignore[union-attr]
    assert restored.attempts == 3
    assert restored.extra == {"note": "retried twice"}


def test_a_streamed_result_keeps_its_text_stats_and_stream_error(history: History) -> None:
    original = streamed_result()
    entry = history.get(history.save(original, connection_label="Local"))
    assert entry is not None
    restored = entry.to_result()

    assert restored.streamed
    assert restored.stream == StreamStats(
        format="tgi", time_to_first_byte_ms=12.5, time_to_first_token_ms=15.0, token_count=3, parts=4
    )
    assert restored.text == "Once upon ünïcode"
    assert type(restored.error) is ModelStreamError
    assert restored.error.partial_text == "Once upon ünïcode"
    assert restored.error.code == "StreamBroken"
    assert (restored.new_session_id, restored.closed_session_id) == (original.new_session_id, "sess-0")
    assert restored.custom_attributes == "echo=1"


def test_an_error_class_it_does_not_know_comes_back_as_a_service_error(history: History) -> None:
    result = success()
    result.status = Status.FAILED

    class PluginError(ServiceError):
        pass

    result.error = PluginError(message="odd", hint="look", code="Odd")
    entry = history.get(history.save(result, connection_label="Local"))
    assert entry is not None and entry.error is not None
    assert type(entry.error) is ServiceError
    assert (entry.error.message, entry.error.hint, entry.error.code) == ("odd", "look", "Odd")


def test_a_reopened_database_keeps_everything(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    first = History(path)
    ids = [
        first.save(r, connection_label="Local") for r in (success(), model_error_result(), streamed_result())
    ]

    reopened = History(path)
    assert [entry.id for entry in reopened.list()] == ids[::-1]
    for entry_id in ids:
        # Errors compare by identity (they are exceptions), so compare the entries' full reprs.
        assert repr(reopened.get(entry_id)) == repr(first.get(entry_id))
    assert reopened.save(success(), connection_label="Local") > max(ids)


def test_list_is_newest_first_and_filters_by_endpoint_status_and_search(history: History) -> None:
    ok_classifier = history.save(success("demo-text-classifier"), connection_label="Local")
    ok_csv = history.save(success("demo-csv-regressor", body=b"5.1,3.5\n"), connection_label="Local")
    failed_ab = history.save(model_error_result(), connection_label="AWS prod")
    failed_stream = history.save(streamed_result(), connection_label="Local")

    assert [e.id for e in history.list()] == [failed_stream, failed_ab, ok_csv, ok_classifier]
    assert [e.id for e in history.list(limit=2)] == [failed_stream, failed_ab]
    assert [e.id for e in history.list(endpoint="demo-csv-regressor")] == [ok_csv]
    assert [e.id for e in history.list(status=Status.FAILED)] == [failed_stream, failed_ab]
    assert [e.id for e in history.list(status="Success", endpoint="demo-text-classifier")] == [ok_classifier]
    assert [e.id for e in history.list(search="CSV")] == [ok_csv]  # endpoint name, case-insensitive
    assert [e.id for e in history.list(search="ic-classifier")] == [failed_ab]  # inference component
    assert [e.id for e in history.list(search="boom")] == [failed_ab]  # error message
    assert [e.id for e in history.list(search="love it")] == [ok_classifier]  # request body
    assert [e.id for e in history.list(search="req-stream")] == [failed_stream]  # request id
    assert history.list(search="%") == []  # LIKE wildcards are matched literally
    assert history.list(search="demo_text") == []
    assert history.list(endpoint="no-such-endpoint") == []


def test_delete_and_clear(history: History) -> None:
    first = history.save(success(), connection_label="Local")
    second = history.save(success(), connection_label="Local")

    assert history.delete(first) is True
    assert history.delete(first) is False
    assert history.get(first) is None
    assert [e.id for e in history.list()] == [second]

    history.save(success(), connection_label="Local")
    assert history.clear() == 2
    assert history.list() == [] and history.count() == 0


def test_large_bodies_keep_their_first_mib_and_their_size(history: History) -> None:
    result = success(body=b"x" * (MAX_STORED_BYTES + 10))
    result.body = bytes(range(256)) * (MAX_STORED_BYTES // 256 + 1)
    result.text = "é" * (MAX_STORED_BYTES + 1)
    entry = history.get(history.save(result, connection_label="Local"))
    assert entry is not None

    assert entry.body == result.body[:MAX_STORED_BYTES] and entry.body_size == len(result.body)
    assert entry.body_truncated and entry.request_body_truncated and entry.text_truncated
    assert entry.request.body == b"x" * MAX_STORED_BYTES and entry.request_body_size == MAX_STORED_BYTES + 10
    assert entry.text == "é" * MAX_STORED_BYTES

    small = history.get(history.save(success(), connection_label="Local"))
    assert small is not None
    assert not (small.body_truncated or small.request_body_truncated or small.text_truncated)


def test_list_returns_previews_and_get_returns_the_whole_body(history: History) -> None:
    result = success()
    result.body = b"\x00\xff" * PREVIEW_BYTES  # binary, twice the preview
    entry_id = history.save(result, connection_label="Local")

    (listed,) = history.list()
    assert not listed.complete
    assert listed.body == result.body[:PREVIEW_BYTES] and listed.body_size == len(result.body)
    full = history.get(entry_id)
    assert full is not None and full.complete and full.body == result.body


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_the_file_is_private_and_in_wal_mode(tmp_path: Path) -> None:
    old_umask = os.umask(0o022)  # a typical umask would make a file SQLite creates readable by everyone
    try:
        history = History(tmp_path / "new-dir" / "history.sqlite3")
        history.save(success(), connection_label="Local")
    finally:
        os.umask(old_umask)

    assert stat.S_IMODE(history.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(history.path.parent.stat().st_mode) == 0o700
    for suffix in ("-wal", "-shm"):
        sidecar = Path(str(history.path) + suffix)
        if sidecar.exists():  # SQLite removes them when the last connection closes cleanly
            assert stat.S_IMODE(sidecar.stat().st_mode) == 0o600, suffix
    with sqlite3.connect(history.path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("SELECT version FROM schema_version").fetchall() == [(1,)]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_the_wal_and_shm_files_are_private_while_open(tmp_path: Path) -> None:
    history = History(tmp_path / "history.sqlite3")
    reader = sqlite3.connect(history.path)  # held open so SQLite keeps the -wal and -shm files
    try:
        reader.execute("SELECT COUNT(*) FROM invocations").fetchone()
        history.save(success(), connection_label="Local")
        for suffix in ("-wal", "-shm"):
            sidecar = Path(str(history.path) + suffix)
            assert sidecar.exists(), suffix
            assert stat.S_IMODE(sidecar.stat().st_mode) == 0o600, suffix
    finally:
        reader.close()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_an_existing_file_readable_by_others_is_narrowed(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    path.touch()
    path.chmod(0o644)
    History(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_default_path_follows_the_platform_and_the_override(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SMTI_HISTORY_PATH", str(tmp_path / "custom.sqlite3"))
    assert default_history_path() == tmp_path / "custom.sqlite3"
    assert History().path == tmp_path / "custom.sqlite3"

    monkeypatch.delenv("SMTI_HISTORY_PATH")
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_history_path() == tmp_path / "xdg" / "sagemaker-test-inference" / "history.sqlite3"
    monkeypatch.setenv("XDG_DATA_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    expected = tmp_path / "home" / ".local" / "share" / "sagemaker-test-inference" / "history.sqlite3"
    assert default_history_path() == expected

    monkeypatch.setattr(sys, "platform", "darwin")
    assert default_history_path() == (
        tmp_path / "home" / "Library" / "Application Support" / "sagemaker-test-inference" / "history.sqlite3"
    )
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("APPDATA", str(tmp_path / "roaming"))
    assert default_history_path() == tmp_path / "roaming" / "sagemaker-test-inference" / "history.sqlite3"


def test_a_database_from_a_newer_version_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    History(path)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE schema_version SET version = 99")
    conn.close()
    with pytest.raises(RuntimeError, match=r"newer version of this app \(schema 99\)"):
        History(path)


def test_no_credential_reaches_the_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    secrets = {
        "AWS_ACCESS_KEY_ID": "AKIAEXAMPLESECRETKEY1",
        "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "AWS_SESSION_TOKEN": "FwoGZXIvYXdzEXAMPLESESSIONTOKEN",
    }
    for name, value in secrets.items():
        monkeypatch.setenv(name, value)
    history = History(tmp_path / "history.sqlite3")
    for result in (success(), model_error_result(), streamed_result()):
        history.save(result, connection_label="AWS dev (us-east-1)")
    failed = success()
    failed.status, failed.error = Status.FAILED, NetworkError(message="Could not connect", hint="Is it up?")
    history.save(failed, connection_label="Local")

    with sqlite3.connect(history.path) as conn:
        tables = [name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        stored = [
            value for table in tables for row in conn.execute(f"SELECT * FROM {table}") for value in row
        ]
    conn.close()
    text = "\n".join(v.decode("latin-1") if isinstance(v, bytes) else str(v) for v in stored)
    assert "demo-text-classifier" in text  # the scan does see the saved rows
    for name, secret in secrets.items():
        assert secret not in text, name
    files = [history.path, Path(f"{history.path}-wal")]
    raw = b"".join(path.read_bytes() for path in files if path.exists())  # free pages and the WAL too
    for secret in secrets.values():
        assert secret.encode() not in raw

"""History search and filters on a real file: the index and the LIKE fallback find the same rows; time,
connection, starred and paging filters; export to JSON lines round-trips; a result as Markdown is inert."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from services import history_schema
from services.errors import ModelError
from services.history import History, HistoryFilter
from services.history_export import decode_body, export_jsonl, read_jsonl
from services.history_markdown import entry_markdown, fence
from services.results import InvocationRequest, InvocationResult, Status, StreamStats

T0 = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)
CORPUS = [  # endpoint, request body, output, status, connection, minutes after T0
    (
        "sentiment",
        b'{"inputs": "The parcel arrived late"}',
        b'[{"label": "NEGATIVE"}]',
        "Success",
        "Local",
        0,
    ),
    (
        "sentiment",
        b'{"inputs": "Great value, 100% happy"}',
        b'[{"label": "POSITIVE"}]',
        "Success",
        "AWS a",
        30,
    ),
    (
        "llama",
        b'{"inputs": "Write a haiku about snow_fall"}',
        b"white hush on the pines",
        "Success",
        "AWS a",
        90,
    ),
    (
        "llama",
        b'{"inputs": "Explain caf\xc3\xa9 culture"}',
        b"Caf\xc3\xa9s are social",
        "Failed",
        "Local",
        600,
    ),
    ("vision", b"\x89PNG\r\n\x00late", b"\x00\x01 binary late", "Success", "Local", 1500),
    ("csv", b"1.0,2.0\n", b"0.75", "Failed", "AWS b", 3000),
]
QUERIES = [
    "late",
    "LATE",
    "parcel late",
    "100%",
    "snow_fall",
    "snow",
    "haiku pines",
    "café",
    "CAFÉ",
    "é",
    "NEGATIVE",
    "llama",
    "AWS",
    "req-3",
    "boom",
    "nothing-like-this",
    "hu",
    "a",
    '"quoted"',
    "pines zzz",
    # hostile to FTS5's query syntax or to LIKE: matched literally, never an error
    *['"', "'", "*", "pines AND", "NEAR(pines)", "\\", "%_", "\x00", "🦜🦜🦜", "(", "-late", "{a}", ":"],
]


def _result(index: int) -> InvocationResult:
    endpoint, body, output, status, _, minutes = CORPUS[index]
    at = T0 + timedelta(minutes=minutes)
    error = ModelError(message="boom at the model", code="ModelError") if status == "Failed" else None
    return InvocationResult(
        InvocationRequest(endpoint, body, content_type="application/json"),
        Status(status),
        at,
        returned_at=at + timedelta(milliseconds=20),
        execution_ms=19.5,
        request_id=f"req-{index}",
        content_type="application/json",
        body=output,
        error=error,
    )


@pytest.fixture
def history(tmp_path: Path) -> History:
    store = History(tmp_path / "history.sqlite3")
    for index, row in enumerate(CORPUS):
        store.save(_result(index), connection_label=row[4])
    return store


def _ids(history: History, **fields: object) -> list[int]:
    return [e.id for e in history.list(where=HistoryFilter(**fields), limit=100)]  # type: ignore[arg-type]


@pytest.mark.skipif(not history_schema.fts5_available(), reason="this SQLite has no FTS5")
@pytest.mark.parametrize("query", QUERIES)
def test_the_index_and_the_like_fallback_find_the_same_rows(history: History, query: str) -> None:
    indexed = _ids(history, search=query)
    history.search_index = False
    assert _ids(history, search=query) == indexed


def test_search_finds_words_in_requests_answers_names_and_errors(history: History) -> None:
    assert _ids(history, search="late") == [1]  # a binary body (NUL byte) is not searched
    assert _ids(history, search="pines") == [3]  # the answer
    assert _ids(history, search="HAIKU pines") == [3]  # every word, any case
    assert _ids(history, search="100%") == [2] and _ids(history, search="snow_fall") == [3]  # no wildcards
    assert _ids(history, search="boom") == [6, 4]
    assert _ids(history, search="AWS") == [6, 3, 2]  # the connection
    assert _ids(history, search="hu") == [3]  # short: matched by LIKE
    assert _ids(history, search="nothing-like-this") == []


def test_filters_combine(history: History) -> None:
    assert _ids(history, endpoint="llama") == [4, 3]
    assert _ids(history, status=Status.FAILED) == [6, 4]
    assert _ids(history, connection_label="Local") == [5, 4, 1]
    assert _ids(history, since=T0 + timedelta(minutes=90)) == [6, 5, 4, 3]
    assert _ids(history, until=T0 + timedelta(minutes=90)) == [2, 1]
    assert _ids(history, since=T0 + timedelta(hours=1), until=T0 + timedelta(hours=11)) == [4, 3]
    local_time = (T0 + timedelta(minutes=600)).astimezone()  # a bound in another zone means the same moment
    assert _ids(history, since=local_time) == [6, 5, 4]
    assert _ids(history, search="boom", connection_label="Local") == [4]
    assert _ids(history, search="inputs", endpoint="sentiment", since=T0 + timedelta(minutes=1)) == [2]


def test_star_and_the_starred_filter(history: History) -> None:
    assert history.set_starred(3) and history.set_starred(5)
    assert _ids(history, starred=True) == [5, 3]
    assert _ids(history, starred=True, search="pines") == [3]
    assert history.set_starred(5, False) and _ids(history, starred=True) == [3]
    assert not history.set_starred(999)
    assert history.get(3).starred and not history.get(5).starred  # type: ignore[union-attr]
    assert _ids(history, search="pines") == [3]  # starring does not disturb the index


def test_paging_and_iterating_every_match(history: History) -> None:
    first = history.list(where=HistoryFilter(), limit=4)
    rest = history.list(where=HistoryFilter(), limit=4, before_id=first[-1].id)
    assert [e.id for e in first + rest] == [6, 5, 4, 3, 2, 1]
    assert [e.id for e in history.list(where=HistoryFilter(search="inputs"), limit=2, before_id=4)] == [3, 2]
    every = list(history.iter_matching(HistoryFilter(connection_label="Local"), batch=2))
    assert [e.id for e in every] == [5, 4, 1] and all(e.complete for e in every)


def test_deleted_entries_leave_the_index(history: History) -> None:
    assert history.delete(3)
    assert _ids(history, search="pines") == []
    history.clear()
    assert _ids(history, search="inputs") == []


def test_export_json_lines_round_trips(history: History) -> None:
    history.set_starred(2)
    entries = list(history.iter_matching(HistoryFilter()))
    data = export_jsonl(entries)
    records = read_jsonl(data)
    assert len(records) == 6 and data.count(b"\n") == 6
    by_id = {record["id"]: record for record in records}
    for entry in entries:
        record = by_id[entry.id]
        assert decode_body(record["request"]) == entry.request.body
        assert decode_body(record["response"]) == entry.body
        assert record["endpoint"] == entry.endpoint_name and record["status"] == entry.status.value
        assert record["starred"] == entry.starred and record["execution_ms"] == entry.execution_ms
    assert by_id[5]["request"]["body_encoding"] == "base64"  # the PNG with a NUL byte... is UTF-8? no: \x89
    assert by_id[1]["request"]["body_encoding"] == "utf-8"
    assert by_id[4]["error"]["message"] == "boom at the model"
    assert export_jsonl(entries, limit=2).count(b"\n") == 2
    assert export_jsonl([]) == b""


def test_a_result_as_markdown_keeps_hostile_text_inert(tmp_path: Path) -> None:
    store = History(tmp_path / "h.sqlite3")
    hostile = "```\n</code><script>alert(1)</script> [click](http://evil) ![x](http://evil/x.png)\n````"
    result = InvocationResult(
        InvocationRequest("ep-[link](http://evil)", json.dumps({"inputs": hostile}).encode()),
        Status.SUCCESS,
        T0,
        execution_ms=12.0,
        stream=StreamStats(format="tgi", time_to_first_token_ms=3.0, token_count=7),
        text=hostile,
    )
    entry = store.get(store.save(result, connection_label="Local <b>"))
    assert entry is not None
    markdown = entry_markdown(entry)
    assert markdown.startswith("### ep\\-\\[link\\]\\(http\\:")
    assert "| Connection | Local \\<b\\> |" in markdown
    assert "| Execution length | 12 ms |" in markdown and "| Tokens | 7 |" in markdown
    assert "`````\n" + hostile + "\n`````" in markdown  # the fence is longer than any run inside
    assert fence("no ticks") == "```\nno ticks\n```"
    binary = InvocationResult(InvocationRequest("ep", b"\x00\x01"), Status.SUCCESS, T0, body=b"\xff\x00")
    text = entry_markdown(store.get(store.save(binary, connection_label="L")))  # type: ignore[arg-type]
    assert "*2 bytes of application/json, not text*" in text and "\\x00" not in text

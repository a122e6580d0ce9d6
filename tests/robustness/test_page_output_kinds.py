"""Each kind of answer through the whole page (AppTest → boto3 → local server → replay container): JSON as a
tree with its text a tab away, an embedding's figures, CSV with real column labels, audio with a player,
text, bytes; a download of the whole under every one; 5 MiB answers drawn promptly; the response's headers.
"""

from __future__ import annotations

import itertools
import json
import math
import time
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from components import result_card
from local_endpoints import LocalEndpoints
from services.output_display import TEXT_LIMIT_CHARS, display
from tests.robustness.test_page_outputs import captions, send_reply
from tests.support.audio_samples import wav
from tests.ui.conftest import advanced, markdown, unescaped

MIB = 1024 * 1024


def downloads(app: AppTest) -> list[Any]:
    return list(app.get("download_button"))


def download_labels(app: AppTest) -> list[str]:
    return [button.label.replace("\\", "") for button in downloads(app)]


def views(app: AppTest) -> list[str]:
    """The options of the output's view control (the segmented control above a JSON output)."""
    controls = [control for control in app.get("button_group") if (control.key or "").endswith("-view")]
    return [option for control in controls for option in control.options]


def view_shown(app: AppTest) -> str:
    """The pane the view container shows (page_style hides the others): its key names it."""
    ids = [str(getattr(getattr(block, "proto", None), "id", "")) for block in _blocks(app)]
    found = [block_id for block_id in ids if "-view-" in block_id]
    assert len(found) == 1, found
    return found[0].split("-view-", 1)[1].split("-", 1)[0]


def _blocks(app: AppTest) -> list[Any]:
    out, stack = [], [app._tree]
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(getattr(node, "children", {}).values())
    return out


def test_json_is_a_tree_with_its_laid_out_text_a_click_away(app: AppTest, server: LocalEndpoints):
    body = json.dumps({"predictions": [{"label": "positive", "score": 0.97}], "model": "m"}).encode()
    send_reply(app, server, body, "application/json")
    assert views(app) == ["Tree", "Raw"] and view_shown(app) == "tree"
    [tree] = app.json
    assert json.loads(tree.value) == json.loads(body)
    [raw] = [code for code in app.code if code.language == "json"]
    assert raw.value == json.dumps(json.loads(body), indent=2)
    assert download_labels(app) == [f"Download response.json ({len(body)} B)"]
    assert downloads(app)[0].proto.url.endswith(".json")
    [control] = [control for control in app.get("button_group") if (control.key or "").endswith("-view")]
    control.set_value("Raw").run()
    assert view_shown(app) == "raw" and len(app.json) == 1  # both still drawn: the picked one shows


def test_json_with_nan_and_huge_numbers_reaches_the_tree_as_written(app: AppTest, server: LocalEndpoints):
    body = b'{"score": NaN, "top": Infinity, "big": ' + b"9" * 400 + b"}"
    send_reply(app, server, body, "application/json")
    assert [tree.value for tree in app.json] == [body.decode()]  # the browser parses it (JSON5 for NaN)
    assert any('"score": NaN' in code.value for code in app.code)


def test_an_embedding_shows_its_figures_then_its_json(app: AppTest, server: LocalEndpoints):
    vector = [round(math.sin(i) / 10, 6) for i in range(384)]
    body = json.dumps({"object": "list", "data": [{"embedding": vector, "index": 0}]}).encode()
    send_reply(app, server, body, "application/json")
    assert views(app) == ["Summary", "Tree", "Raw"] and view_shown(app) == "summary"
    summary = unescaped(markdown(app))
    assert "| Vectors | Dimension | L2 norm | Min | Max | Mean |" in summary
    norm = math.sqrt(sum(value * value for value in vector))
    assert f"| 1 | 384 | {norm:.6g} | " in summary
    assert any(
        code.value.startswith(f"[0, {vector[1]:.6g}, ") and code.value.endswith(", …]") for code in app.code
    )
    assert 'Read from "data[].embedding".' in captions(app)
    assert len(app.json) == 1 and download_labels(app)[0].startswith("Download response.json")


def test_several_vectors_say_how_many(app: AppTest, server: LocalEndpoints):
    send_reply(app, server, json.dumps([[0.5] * 64] * 3).encode(), "application/json")  # TEI's [[...]]
    assert "| 3 | 64 | 4 |" in unescaped(markdown(app))
    assert "The figures and values are the first vector's." in captions(app)


def test_a_csv_with_a_header_names_its_columns(app: AppTest, server: LocalEndpoints):
    body = b"label,score\npositive,0.97\nnegative,0.03\n"
    send_reply(app, server, body, "text/csv")
    [table] = app.dataframe
    assert list(table.value.columns) == ["label", "score"]
    assert table.value["score"].tolist() == [0.97, 0.03]  # numbers, not text
    assert "2 rows × 2 columns · column names from the first row" in captions(app)
    assert download_labels(app) == [f"Download response.csv ({len(body)} B)"]


def test_a_csv_without_a_header_gets_numbered_columns(app: AppTest, server: LocalEndpoints):
    send_reply(app, server, b"0.97,12\n0.03,11\n0.5,9\n", "text/csv")
    [table] = app.dataframe
    assert list(table.value.columns) == ["column 1", "column 2"]
    assert table.value["column 2"].tolist() == [12, 11, 9]
    assert "3 rows × 2 columns · no header row: columns numbered" in captions(app)


@pytest.mark.parametrize("content_type", ["audio/wav", "application/octet-stream"])
def test_a_wav_answer_gets_a_player(app: AppTest, server: LocalEndpoints, content_type: str):
    send_reply(app, server, wav(0.5, 16_000), content_type)
    [player] = app.get("audio")
    assert player.proto.url.endswith(".wav")
    assert "WAV audio · 0.50 s · 16,000 Hz · mono · 15.7 KB" in captions(app)
    assert download_labels(app) == ["Download response.wav (15.7 KB)"]


def test_a_wav_cut_short_plays_what_it_holds_and_says_so(app: AppTest, server: LocalEndpoints):
    send_reply(app, server, wav(1.0, 16_000)[: 44 + 8_000], "audio/wav")
    assert len(app.get("audio")) == 1
    assert "its header says 1.00 s, its bytes hold 0.25 s" in captions(app)


def test_fake_audio_is_shown_as_bytes_with_why(app: AppTest, server: LocalEndpoints):
    send_reply(app, server, b"RIFF\x00\x00\x00\x00WAVE" + bytes(range(40)), "audio/wav")
    assert not app.get("audio")
    assert "cannot be read as WAV" in captions(app) and "Binary output" in captions(app)
    assert download_labels(app) == ["Download response.wav (52 B)"]


@pytest.mark.parametrize(
    ("body", "content_type", "label"),
    [
        (b"plain words", "text/plain", "Download response.txt (11 B)"),
        (bytes(range(256)), "application/octet-stream", "Download response.bin (256 B)"),
        (b'{"a": 1}\n{"a": 2}\n', "application/jsonlines", "Download response.jsonl (18 B)"),
    ],
)
def test_every_output_can_be_downloaded_whole(
    app: AppTest, server: LocalEndpoints, body: bytes, content_type: str, label: str
):
    send_reply(app, server, body, content_type)
    assert download_labels(app) == [label]


def test_a_streamed_answer_can_be_downloaded_whole(app: AppTest, server: LocalEndpoints):
    send_reply(app, server, b"a streamed answer", "text/plain", stream=True, pieces=3)
    assert download_labels(app) == ["Download response.txt (17 B)"]


def test_the_response_headers_a_user_needs_are_on_the_card(app: AppTest, server: LocalEndpoints):
    advanced(app)
    app.text_input(key="opt-custom_attributes").set_value("accept_eula=true; trace=[x](y)").run()
    app.text_input(key="opt-session_id").set_value("NEW_SESSION").run()
    send_reply(app, server, b'{"ok": true}', "application/json")
    card = unescaped(markdown(app))
    assert "| Invoked variant | AllTraffic |" in card
    assert "| Response content type | application/json |" in card
    assert "| Custom attributes | accept_eula=true; trace=[x](y) |" in card  # echoed by the server
    assert "| New session ID | " in card and "| Session expires | " in card  # the id alone, to reuse
    assert "\\[x\\]\\(y\\)" in markdown(app)  # escaped: never a link


def test_every_header_is_one_line_of_a_label_value_table():
    def card() -> None:
        from datetime import UTC, datetime

        from components import result_card
        from services.results import InvocationRequest, InvocationResult, Status

        at = datetime(2026, 1, 1, tzinfo=UTC)
        result = InvocationResult(
            InvocationRequest("e", b"{}"),
            Status.SUCCESS,
            at,
            returned_at=at,
            execution_ms=5.0,
            attempts=3,
            request_id="4c1f3d3e-9b2a-4a57-8f43-2f1e0c9d7b61",
            invoked_variant="variant-with-a-rather-long-name-2026-01-01",
            content_type="application/json",
            body=b"{}",
            custom_attributes="a|b",
            new_session_id="a" * 64 + "; Expires=2026-01-01T01:00:00Z",
            closed_session_id="b" * 64,
        )
        result_card.render(result, key="k")

    app = AppTest.from_function(card).run()
    assert not app.exception, app.exception
    lines = markdown(app).splitlines()
    rows = list(itertools.takewhile(lambda line: line.startswith("| "), lines[lines.index("| | |") + 2 :]))
    assert rows == [
        "| Invoked variant | variant\\-with\\-a\\-rather\\-long\\-name\\-2026\\-01\\-01 |",
        "| Request ID | 4c1f3d3e\\-9b2a\\-4a57\\-8f43\\-2f1e0c9d7b61 |",
        "| Response content type | application/json |",
        "| Custom attributes | a\\|b |",
        "| New session ID | " + "a" * 64 + " |",
        "| Session expires | 2026\\-01\\-01T01\\:00\\:00Z |",
        "| Closed session ID | " + "b" * 64 + " |",
        "| Attempts | 3 \\(2 retried\\) |",
    ]
    assert '<div class="smti-details">' in markdown(app)


# -- 5 MiB answers -------------------------------------------------------------------------------------------


@pytest.fixture
def card_draws(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[int, list[float]]]:
    """Seconds each card took to draw (result_card.draw_final, its every part), by body size, in order."""
    taken: dict[int, list[float]] = defaultdict(list)
    real = result_card.draw_final

    def timed(slots: Any, result: Any, **kwargs: Any) -> None:
        started = time.perf_counter()
        real(slots, result, **kwargs)
        taken[len(result.body)].append(time.perf_counter() - started)

    monkeypatch.setattr(result_card, "draw_final", timed)
    display.cache_clear()  # a body another test decoded would be drawn from memory
    yield taken


BIG = [
    pytest.param(
        b'{"predictions": [',
        (b'{"label": "positive", "score": 0.9731, "scores": [0.01, 0.0169, 0.9731]}, ', 71_000),
        b'{"label": "end", "score": 0}]}',
        "application/json",
        "characters, laid out",
        id="json",
    ),
    pytest.param(
        b"",
        (b"All work and no play makes a model a dull model.\n", 107_000),
        b"",
        "text/plain",
        f"Showing the first {TEXT_LIMIT_CHARS:,} of ",
        id="text",
    ),
    pytest.param(
        b"id,label,score\n",
        (b"17,positive,0.9731\n", 276_000),
        b"",
        "text/csv",
        "The first 1,000 of 276,000 rows × 3 columns · column names from the first row",
        id="csv",
    ),
]


@pytest.mark.parametrize(("head", "repeat", "tail", "content_type", "caption"), BIG)
def test_a_5_mib_answer_is_drawn_promptly_and_downloadable_whole(
    app: AppTest,
    server: LocalEndpoints,
    card_draws: dict[int, list[float]],
    head: bytes,
    repeat: tuple[bytes, int],
    tail: bytes,
    content_type: str,
    caption: str,
):
    size = len(head) + len(repeat[0]) * repeat[1] + len(tail)
    assert 5 * MIB <= size <= 6 * MIB
    send_reply(app, server, head, content_type, repeat=repeat, tail=tail)
    assert caption in captions(app)
    assert download_labels(app) == [
        f"Download response.{content_type.split('/')[1].replace('plain', 'txt')} (5.0 MB)"
    ]
    for _ in range(3):  # later runs draw the same card again, from what was decoded once
        started = time.perf_counter()
        app.run()
        rerun = time.perf_counter() - started
    first, *later = card_draws[size]
    print(
        f"\n{content_type} {size:,} B: card drawn in {first * 1000:.0f} ms, again in "
        f"{max(later) * 1000:.1f} ms at most; whole page rerun {rerun * 1000:.0f} ms"
    )
    assert first < 1.0, first
    assert max(later) < 0.05, later

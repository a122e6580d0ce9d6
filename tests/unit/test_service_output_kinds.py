"""How a body is told apart and cut for display: audio, embeddings, CSV column labels, large JSON, text and
CSV, download names; hostile inputs of each (fake magic bytes, NaN, numbers past float's range, 100,000
numbers, truncated files)."""

from __future__ import annotations

import json
import math
import time

import pytest

from services.output import decode_output
from services.output_display import TABLE_LIMIT_ROWS, TEXT_LIMIT_CHARS, TREE_LIMIT_BYTES, display
from services.output_embedding import MIN_BARE_DIMENSION, find_embedding
from services.output_table import columns_of
from tests.support.audio_samples import (
    MP3_FRAME_HEADER,
    flac_header,
    float_wav,
    mp3,
    ogg_opus,
    ogg_vorbis,
    wav,
)

MIB = 1024 * 1024

# -- audio ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type", "format_", "seconds", "rate", "channels"),
    [
        (wav(0.5, 16_000), "audio/wav", "WAV", 0.5, 16_000, 1),
        (wav(1.0, 44_100, channels=2), None, "WAV", 1.0, 44_100, 2),  # by RIFF…WAVE
        (wav(0.5), "application/octet-stream", "WAV", 0.5, 16_000, 1),
        (wav(0.5), "audio/mpeg", "WAV", 0.5, 16_000, 1),  # the bytes say what they are
        (float_wav(0.25, 22_050), "audio/x-wav", "WAV", 5512 / 22_050, 22_050, 1),
        (flac_header(44_100, 2, 88_200), None, "FLAC", 2.0, 44_100, 2),
        (ogg_vorbis(48_000, 2, 2.0), "audio/ogg", "OGG", 2.0, 48_000, 2),
        (ogg_opus(1, 1.5), None, "OGG", 1.5, 16_000, 1),
        (mp3(id3=True), None, "MP3", None, 44_100, 2),
        (mp3(id3=False), "audio/mpeg", "MP3", None, 44_100, 2),
    ],
)
def test_audio_by_content_type_or_magic_bytes(
    body: bytes,
    content_type: str | None,
    format_: str,
    seconds: float | None,
    rate: int,
    channels: int,
) -> None:
    out = decode_output(body, content_type)
    assert out.kind == "audio" and out.audio is not None and out.value == body
    assert (out.audio.format, out.audio.sample_rate, out.audio.channels) == (format_, rate, channels)
    assert out.audio.duration_s == (None if seconds is None else pytest.approx(seconds))
    assert out.media_type == out.audio.media_type and out.note is None


def test_a_truncated_wav_is_played_for_what_it_holds_and_says_so() -> None:
    whole = wav(1.0, 16_000)
    out = decode_output(whole[: 44 + 16_000], "audio/wav")  # the header and half a second of samples
    assert out.kind == "audio" and out.audio is not None
    assert out.audio.duration_s == pytest.approx(0.5)
    assert "cut short" in (out.note or "") and "1.00 s" in (out.note or "")


@pytest.mark.parametrize(
    ("body", "content_type", "kind", "note"),
    [
        (wav()[:20], "audio/wav", "binary", "cannot be read as WAV"),  # cut inside its header
        (wav()[:20], None, "binary", None),  # a guess that does not hold says nothing
        (b"RIFF\x00\x00\x00\x00WAVEjunkjunkjunk", None, "binary", None),
        (b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00" + b"\xff" * 16, "audio/wav", "binary", "WAV"),
        (b"fLaC but not a stream", None, "text", None),
        (b"fLaC" + b"\x00" * 60, "audio/flac", "binary", "cannot be read as FLAC"),
        (b"OggS\x01" + b"\x00" * 40, None, "binary", None),  # Ogg version 1 does not exist
        (b"ID3 is a tag format", None, "text", None),
        (MP3_FRAME_HEADER + b"\x00\x01" * 300, None, "binary", None),  # one frame header and no second
        (b"\xff\xfb" + bytes(range(200)), "audio/mpeg", "binary", "its bytes are not"),
        (MP3_FRAME_HEADER + b"\x00\x01" * 300, "audio/mpeg", "binary", "cannot be read as MP3"),
        (b"plain words", "audio/mpeg", "text", "its bytes are not"),
        (b"words", "audio/aac", "text", "its bytes are not"),
        (b"\x1aE\xdf\xa3 not webm", "audio/ogg", "binary", "OGG audio"),
    ],
)
def test_fake_or_broken_audio_is_not_played(
    body: bytes, content_type: str | None, kind: str, note: str | None
) -> None:
    out = decode_output(body, content_type)
    assert out.kind == kind
    assert (note is None and out.note is None) or (note is not None and note in (out.note or ""))


def test_other_audio_types_are_left_to_the_browser_but_text_is_not() -> None:
    out = decode_output(b"\x00\x01\x02 aac frames", "audio/aac")
    assert out.kind == "audio" and out.audio is not None and out.audio.media_type == "audio/aac"
    assert decode_output(b"\x1aE\xdf\xa3\x00\x00", "audio/webm").kind == "audio"
    assert decode_output(b"\x00\x01", "audio/[x](javascript:1)").kind == "binary"  # no such type


def test_text_that_says_it_is_text_is_never_audio() -> None:
    assert decode_output(b"ID3 tags, explained", "text/plain").kind == "text"
    assert decode_output(wav(), "text/plain").kind == "binary"


# -- embeddings ----------------------------------------------------------------------------------------------

VECTOR = [0.5, -0.25, 0.125] + [0.0] * 61


@pytest.mark.parametrize(
    ("value", "count", "shape"),
    [
        (VECTOR, 1, "a list of numbers"),
        ([VECTOR], 1, "a list of vectors"),  # TEI's [[...]]
        ([VECTOR, VECTOR, VECTOR], 3, "a list of vectors"),
        ({"embedding": VECTOR}, 1, '"embedding"'),
        ({"embedding": [0.5, -0.25, 0.125]}, 1, '"embedding"'),  # a key says it: any dimension
        ({"embeddings": [VECTOR, VECTOR]}, 2, '"embeddings"'),
        ({"data": [{"embedding": VECTOR, "index": 0}], "model": "m"}, 1, '"data[].embedding"'),  # OpenAI
        ({"data": [{"embedding": VECTOR}, {"embedding": VECTOR}]}, 2, '"data[].embedding"'),
    ],
)
def test_embedding_shapes(value: object, count: int, shape: str) -> None:
    out = decode_output(json.dumps(value).encode(), "application/json")
    assert out.kind == "embedding" and out.value == value and out.embedding is not None
    found = out.embedding
    assert (found.count, found.shape) == (count, shape)
    assert found.norm == pytest.approx(math.sqrt(0.25 + 0.0625 + 0.015625))
    assert (found.minimum, found.maximum) == (-0.25, 0.5)
    assert found.first[:3] == (0.5, -0.25, 0.125) and found.non_finite == 0


@pytest.mark.parametrize(
    "value",
    [
        [0.1, 0.9],  # a bare list this short is scores, not an embedding
        list(range(100)),  # whole numbers only: token ids
        [0.5] * (MIN_BARE_DIMENSION - 1),
        [VECTOR, VECTOR[:10]],  # vectors of different lengths
        [True, False] * 40,  # booleans are not numbers here
        {"embedding": "AAAAPwAAgL8="},  # base64, OpenAI's other encoding
        {"embedding": []},
        {"data": [{"embedding": VECTOR}, {"text": "no vector"}]},
        {"predictions": VECTOR},
    ],
)
def test_json_that_is_not_an_embedding_stays_json(value: object) -> None:
    assert decode_output(json.dumps(value).encode(), "application/json").kind == "json"


def test_nan_and_infinity_are_counted_apart_from_the_figures() -> None:
    body = b"[NaN, Infinity, -Infinity, 1e400, " + b", ".join(b"0.5" for _ in range(40)) + b"]"
    out = decode_output(body, "application/json")
    assert out.kind == "embedding" and out.embedding is not None
    found = out.embedding
    assert (found.dimension, found.non_finite) == (44, 4)
    assert found.norm == pytest.approx(math.sqrt(40 * 0.25)) and found.mean == 0.5
    assert math.isnan(found.first[0]) and found.first[1] == math.inf


def test_all_non_finite_values_give_no_figures() -> None:
    found = find_embedding({"embedding": [math.nan, math.inf]})
    assert found is not None and found.non_finite == 2
    assert (found.norm, found.minimum, found.maximum, found.mean) == (None, None, None, None)


def test_numbers_past_floats_range_are_not_an_embedding_and_never_raise() -> None:
    assert find_embedding({"embedding": [10**400, 0.5]}) is None
    out = decode_output(b'{"embedding": [' + b"9" * 400 + b", 0.5]}", "application/json")
    assert out.kind == "json"
    huge = find_embedding({"embedding": [1e308, 1e308, 1e308]})  # an exact sum past float's range
    assert huge is not None and huge.mean == math.inf and huge.norm == math.inf


def test_a_list_of_100000_numbers_is_summarised_quickly() -> None:
    values = [math.sin(i) for i in range(100_000)]
    body = json.dumps(values).encode()
    started = time.perf_counter()
    shown = display(body, "application/json")
    elapsed = time.perf_counter() - started
    assert shown.kind == "embedding" and shown.embedding is not None
    assert shown.embedding.dimension == 100_000
    assert shown.embedding.norm == pytest.approx(math.sqrt(sum(v * v for v in values)))
    assert shown.tree is None and len(shown.text) <= TEXT_LIMIT_CHARS  # ~2 MB: no tree, text cut
    assert elapsed < 1.0, elapsed


# -- CSV column labels ---------------------------------------------------------------------------------------


def test_a_header_over_numbers_names_the_columns() -> None:
    out = decode_output(b"label,score\npositive,0.97\nnegative,0.03\n", "text/csv")
    assert out.columns is not None and out.columns.header
    assert out.columns.labels == ("label", "score") and out.columns.numeric == (False, True)
    shown = display(b"label,score\npositive,0.97\nnegative,0.03\n", "text/csv")
    assert shown.rows == [["positive", "0.97"], ["negative", "0.03"]] and shown.row_total == 2


@pytest.mark.parametrize(
    "rows",
    [
        [["0.5", "1.5"], ["2.5", "3.5"]],  # numbers only
        [["alice", "paris"], ["bob", "rome"]],  # words only: a header cannot be told
        [["label", "score"]],  # one row alone
        [["label", ""], ["a", "1"]],  # an empty header cell
        [["label", "1.5"], ["a", "2.5"]],  # a number in the first row
        [["label", "score"], ["a", "2.5"], ["b", "n/a"]],  # a word under the header
    ],
)
def test_without_a_header_the_columns_are_numbered(rows: list[list[str]]) -> None:
    columns = columns_of(rows)
    assert not columns.header
    assert columns.labels == tuple(f"column {index + 1}" for index in range(len(rows[0])))


def test_nan_and_inf_are_words_not_numbers() -> None:
    assert columns_of([["nan", "inf"], ["1", "2"]]).header  # over columns of numbers: a header
    assert columns_of([["1", "2"], ["nan", "inf"]]).numeric == (False, False)


def test_labels_are_unique_and_cover_the_widest_row() -> None:
    columns = columns_of([["a", "a", "b"], ["1", "2", "3", "4"], ["5", "6", "7"]])
    assert columns.header and columns.labels == ("a", "a (2)", "b", "column 4")
    assert columns.numeric == (True, True, True, True)


def test_columns_of_nothing() -> None:
    assert columns_of([]).labels == () and not columns_of([]).header


def test_a_csv_holding_control_characters_is_bytes() -> None:
    out = decode_output(b'a,b\n"1\x00', "text/csv")
    assert out.kind == "binary" and "control characters" in (out.note or "")


# -- large answers -------------------------------------------------------------------------------------------


def test_a_5_mib_json_answer_is_cut_promptly_and_never_held_whole() -> None:
    rows = [{"id": i, "label": "positive", "scores": [0.25, 0.5, 0.125]} for i in range(95_000)]
    body = json.dumps({"predictions": rows}).encode()
    assert len(body) > 5 * MIB
    started = time.perf_counter()
    shown = display(body, "application/json")
    elapsed = time.perf_counter() - started
    assert shown.kind == "json" and shown.tree is None and shown.cut and shown.text_total is None
    assert 0.9 * TEXT_LIMIT_CHARS < len(shown.text) <= TEXT_LIMIT_CHARS and shown.text.endswith("\n")
    assert shown.text.startswith('{\n  "predictions": [\n    {\n      "id": 0,')
    assert elapsed < 1.0, elapsed
    assert display(body, "application/json") is shown  # remembered: a later run decodes nothing


def test_json_up_to_the_tree_limit_gets_a_tree_from_its_own_text() -> None:
    body = json.dumps({"a": "x" * (TREE_LIMIT_BYTES - 20)}).encode()
    shown = display(body, "application/json")
    assert shown.tree == body.decode() and shown.text_total == len(body) + 4  # '{\n  "a": ...\n}'
    assert len(shown.text) == TEXT_LIMIT_CHARS and shown.cut
    lines = display(b'{"a": 1}\n{"a": 2}\n', "application/jsonlines")
    assert lines.tree == '[{"a": 1}, {"a": 2}]' and lines.file_name == "response.jsonl"
    assert display(b"{}" + b" " * TREE_LIMIT_BYTES, "application/json").tree is None


def test_nan_in_json_reaches_the_tree_as_written() -> None:
    shown = display(b'{"score": NaN, "max": Infinity}', "application/json")
    assert shown.kind == "json" and shown.tree == '{"score": NaN, "max": Infinity}'
    assert "NaN" in shown.text


@pytest.mark.parametrize("padding", [0, TREE_LIMIT_BYTES])
def test_json_nested_nearly_as_deep_as_the_parser_goes_is_laid_out(padding: int) -> None:
    deep = b"[" * 700 + b"]" * 700
    body = b'["' + b"x" * padding + b'", ' + deep + b"]"
    shown = display(body, "application/json")
    assert shown.kind == "json" and shown.note is None
    assert shown.text.startswith('[\n  "xxx' if padding else '[\n  "",\n  [')
    assert len(shown.text) >= min(padding, TEXT_LIMIT_CHARS)  # a long first line is kept, not cut away


def test_a_5_mib_text_and_csv_are_cut_promptly() -> None:
    text = ("All work and no play makes a model a dull model. " * 110_000).encode()[: 5 * MIB]
    started = time.perf_counter()
    shown = display(text, "text/plain")
    assert time.perf_counter() - started < 1.0
    assert len(shown.text) == TEXT_LIMIT_CHARS and shown.text_total == len(text) and shown.cut

    csv = b"id,label,score\n" + b"".join(b"%d,positive,0.%d\n" % (i, i % 97) for i in range(260_000))
    assert len(csv) > 5 * MIB
    started = time.perf_counter()
    table = display(csv, "text/csv")
    assert time.perf_counter() - started < 1.0
    assert table.rows is not None and len(table.rows) == TABLE_LIMIT_ROWS and table.row_total == 260_000
    assert table.columns is not None and table.columns.labels == ("id", "label", "score")


# -- download names ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type", "file_name", "mime"),
    [
        (b'{"a": 1}', "application/json", "response.json", "application/json"),
        (b'{"a": 1}', "application/vnd.api+json", "response.json", "application/vnd.api+json"),
        (b'{"a": 1}', None, "response.json", "application/octet-stream"),
        (b"a,b\n1,2\n", "text/csv; charset=utf-8", "response.csv", "text/csv"),
        (b"hello", "text/plain", "response.txt", "text/plain"),
        (b"hello", "text/x-log", "response.txt", "text/x-log"),
        (b'{"a": 1}\n', "application/x-ndjson", "response.jsonl", "application/x-ndjson"),
        (wav(), "audio/wav", "response.wav", "audio/wav"),
        (wav(), None, "response.wav", "audio/wav"),
        (mp3(), "audio/mpeg", "response.mp3", "audio/mpeg"),
        (ogg_vorbis(), "application/octet-stream", "response.ogg", "application/octet-stream"),
        (flac_header(), "audio/flac", "response.flac", "audio/flac"),
        (bytes(range(256)), "application/octet-stream", "response.bin", "application/octet-stream"),
        (b"\x00\x01", "text/[x](javascript:1)", "response.bin", "application/octet-stream"),
    ],
)
def test_every_output_has_a_file_name_and_type(
    body: bytes, content_type: str | None, file_name: str, mime: str
) -> None:
    shown = display(body, content_type)
    assert (shown.file_name, shown.mime) == (file_name, mime)


def test_image_file_names_follow_the_bytes() -> None:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (2, 2)).save(out, format="JPEG")
    assert display(out.getvalue(), None).file_name == "response.jpg"
    assert display(out.getvalue(), "image/png").file_name == "response.png"  # the declared type names it

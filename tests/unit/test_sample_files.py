"""The bundled sample request bodies are what scripts/make_sample_files.py writes, byte for byte, so neither
is an opaque binary: change the script and run it, never the files by hand."""

from __future__ import annotations

import importlib.util
import io
import wave
from pathlib import Path
from types import ModuleType

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "assets" / "samples"


@pytest.fixture(scope="module")
def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_sample_files", ROOT / "scripts" / "make_sample_files.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_script_reproduces_the_committed_png(script: ModuleType) -> None:
    assert script.sample_png() == (SAMPLES / "sample.png").read_bytes()


def test_the_script_reproduces_the_committed_wav(script: ModuleType) -> None:
    assert script.sample_wav() == (SAMPLES / "sample.wav").read_bytes()


def test_the_script_writes_both_files_where_it_is_told(script: ModuleType, tmp_path: Path) -> None:
    script.main(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sample.png", "sample.wav"]
    assert (tmp_path / "sample.wav").read_bytes() == (SAMPLES / "sample.wav").read_bytes()


def test_the_png_is_a_small_96_by_64_picture() -> None:
    data = (SAMPLES / "sample.png").read_bytes()
    assert len(data) < 10_000
    with Image.open(io.BytesIO(data)) as picture:
        assert (picture.format, picture.size) == ("PNG", (96, 64))
        assert len(picture.convert("RGB").getcolors(maxcolors=256) or []) > 100  # gradients, not a flat fill


def test_the_wav_is_one_second_of_16_khz_16_bit_mono() -> None:
    data = (SAMPLES / "sample.wav").read_bytes()
    assert len(data) < 40_000
    with wave.open(io.BytesIO(data)) as reader:
        assert (reader.getnchannels(), reader.getsampwidth(), reader.getframerate()) == (1, 2, 16000)
        assert reader.getnframes() == 16000

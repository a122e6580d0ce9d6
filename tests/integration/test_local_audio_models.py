"""demo-audio-analyzer and demo-text-to-audio through the server and a real boto3 client: the analyzer
measures the bundled sample and tones of known frequency in every PCM width, the melodies the text-to-audio
model writes are read back by the `wave` module and measured by the analyzer, and every refusal has its
status and a message that says what to send."""

from __future__ import annotations

import io
import json
import math
import struct
import wave
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from botocore.exceptions import ClientError

ANALYZER = "demo-audio-analyzer"
SPEAKER = "demo-text-to-audio"
SAMPLES = Path(__file__).resolve().parents[2] / "assets" / "samples"
SEND_WAV = "send a WAV file of integer PCM samples (8, 16, 24 or 32-bit)"
EXAMPLE = '{"inputs": "Hello world", "parameters": {"tempo_bpm": 160, "sample_rate": 16000}}'


def invoke(runtime_client: Any, endpoint: str, body: bytes, content_type: str, **params: Any) -> Any:
    response = runtime_client.invoke_endpoint(
        EndpointName=endpoint, Body=body, ContentType=content_type, **params
    )
    response["Body"] = response["Body"].read()
    return response


def analyze(runtime_client: Any, wav: bytes, content_type: str = "audio/wav") -> dict[str, Any]:
    response = invoke(runtime_client, ANALYZER, wav, content_type)
    assert response["ContentType"] == "application/json"
    return dict(json.loads(response["Body"]))


def speak(runtime_client: Any, text: str, **parameters: Any) -> bytes:
    body = json.dumps({"inputs": text, "parameters": parameters} if parameters else {"inputs": text})
    response = invoke(runtime_client, SPEAKER, body.encode(), "application/json")
    assert response["ContentType"] == "audio/wav"
    return bytes(response["Body"])


def model_error(raised: pytest.ExceptionInfo[ClientError]) -> tuple[str, int, int, str]:
    """(code, HTTP status, the container's status, the container's message) of a refused invocation."""
    response = raised.value.response
    return (
        response["Error"]["Code"],
        response["ResponseMetadata"]["HTTPStatusCode"],
        response.get("OriginalStatusCode"),
        response.get("OriginalMessage"),
    )


def tone(frequency: float, seconds: float, rate: int, width: int, channels: int, amplitude: float) -> bytes:
    """A sine tone as a PCM WAV file written by the `wave` module (8-bit unsigned, the others signed)."""
    signal = amplitude * np.sin(2 * math.pi * frequency * np.arange(round(seconds * rate)) / rate)
    full_scale = 2 ** (8 * width - 1)
    levels = np.repeat(np.round(signal * (full_scale - 1)).astype(np.int64), channels)
    if width == 1:
        data = (levels + 128).astype(np.uint8).tobytes()
    else:
        data = b"".join(int(v).to_bytes(width, "little", signed=True) for v in levels)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(width)
        writer.setframerate(rate)
        writer.writeframes(data)
    return buffer.getvalue()


def riff(tag: int, channels: int, rate: int, bits: int, data: bytes, data_size: int | None = None) -> bytes:
    """A WAV file built by hand, so its header can say what `wave` would never write."""
    block = channels * ((bits + 7) // 8)
    fmt = struct.pack("<HHIIHH", tag, channels, rate, rate * block, block, bits)
    size = len(data) if data_size is None else data_size
    chunks = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", size) + data
    return b"RIFF" + struct.pack("<I", len(chunks)) + chunks


# -- demo-audio-analyzer ---------------------------------------------------------------------------------


def test_the_bundled_sample_is_measured(runtime_client: Any) -> None:
    measured = analyze(runtime_client, (SAMPLES / "sample.wav").read_bytes())
    assert {
        k: measured[k] for k in ("duration_s", "sample_rate", "channels", "sample_width_bits", "frames")
    } == {
        "duration_s": 1.0,
        "sample_rate": 16000,
        "channels": 1,
        "sample_width_bits": 16,
        "frames": 16000,
    }
    assert measured["dominant_frequency_hz"] == pytest.approx(
        440, abs=2
    )  # the longer, louder of its two tones
    assert measured["peak_dbfs"] == pytest.approx(-6.02, abs=0.05)  # its loudest tone peaks at half scale
    assert -12 < measured["rms_dbfs"] < -9
    assert measured["silence_ratio"] == 0.14  # 7 of its 50 windows: a 40 ms gap and the last 100 ms
    assert measured["zero_crossing_rate"] == pytest.approx(
        (2 * 440 * 0.45 + 2 * 660 * 0.4) / 16000, abs=0.002
    )


@pytest.mark.parametrize(
    ("frequency", "rate", "width", "channels"),
    [(250.0, 8000, 1, 1), (1234.5, 44100, 2, 2), (3000.0, 48000, 3, 1), (97.0, 22050, 4, 1)],
    ids=["8-bit", "16-bit-stereo", "24-bit", "32-bit"],
)
def test_a_tone_of_known_frequency_in_every_sample_width(
    runtime_client: Any, frequency: float, rate: int, width: int, channels: int
) -> None:
    measured = analyze(runtime_client, tone(frequency, 0.8, rate, width, channels, amplitude=0.5))
    assert measured["dominant_frequency_hz"] == pytest.approx(frequency, abs=2)
    assert (measured["sample_rate"], measured["channels"], measured["sample_width_bits"]) == (
        rate,
        channels,
        8 * width,
    )
    assert measured["frames"] == round(0.8 * rate)
    assert measured["duration_s"] == pytest.approx(0.8, abs=1e-4)
    assert measured["rms_dbfs"] == pytest.approx(20 * math.log10(0.5 / math.sqrt(2)), abs=0.1)
    assert measured["peak_dbfs"] == pytest.approx(-6.02, abs=0.1)
    assert measured["zero_crossing_rate"] == pytest.approx(2 * frequency / rate, rel=0.02)
    assert measured["silence_ratio"] == 0.0


def test_digital_silence_has_no_level_and_no_frequency(runtime_client: Any) -> None:
    measured = analyze(runtime_client, tone(440, 0.5, 16000, 2, 1, amplitude=0.0))
    assert measured["rms_dbfs"] is None
    assert measured["peak_dbfs"] is None
    assert measured["dominant_frequency_hz"] is None
    assert measured["silence_ratio"] == 1.0
    assert measured["zero_crossing_rate"] == 0.0


@pytest.mark.parametrize("content_type", ["audio/x-wav", "audio/wave", "application/octet-stream"])
def test_every_wav_content_type_is_read(runtime_client: Any, content_type: str) -> None:
    sample = (SAMPLES / "sample.wav").read_bytes()
    assert analyze(runtime_client, sample, content_type) == analyze(runtime_client, sample)


def test_the_analyzer_streams_its_whole_answer_as_one_part(runtime_client: Any) -> None:
    sample = (SAMPLES / "sample.wav").read_bytes()
    response = runtime_client.invoke_endpoint_with_response_stream(
        EndpointName=ANALYZER, Body=sample, ContentType="audio/wav"
    )
    [event] = list(response["Body"])
    assert response["ContentType"] == "application/json"
    assert json.loads(event["PayloadPart"]["Bytes"]) == analyze(runtime_client, sample)


def _sample(size: int | None = None) -> bytes:
    return (SAMPLES / "sample.wav").read_bytes()[:size]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", f"The request body is empty: {SEND_WAV}."),
        (
            (SAMPLES / "sample.png").read_bytes(),
            f"The request body is a PNG image, not a WAV file (7056 bytes starting "
            f"b'\\x89PNG\\r\\n\\x1a\\n\\x00\\x00\\x00\\r'); {SEND_WAV}.",
        ),
        (
            b"ID3\x04\x00\x00\x00\x00\x00\x00frames",
            f"The request body is an MP3 file, not a WAV file (16 bytes starting b'ID3\\x04\\x00\\x00\\x00"
            f"\\x00\\x00\\x00fr'); {SEND_WAV}.",
        ),
        (
            riff(3, 1, 16000, 32, b"\x00" * 64),
            f"The WAV file's samples are IEEE float (format tag 3); {SEND_WAV}, format tag 1.",
        ),
        (
            riff(1, 1, 16000, 64, b"\x00" * 64),
            "The WAV file has 64-bit samples; this model reads 8, 16, 24 or 32-bit PCM.",
        ),
        (
            riff(1, 1, 100, 16, b"\x00" * 64),
            "The WAV file's sample rate is 100 Hz; this model reads 1000–768000 Hz.",
        ),
        (riff(1, 1, 16000, 16, b""), "The WAV file holds no audio: its data chunk is empty."),
        (
            riff(1, 1, 8000, 8, b"\x80" * 100, data_size=8000 * 601),
            "The audio is too long: 601.0 s (at most 10 minutes); send a shorter clip.",
        ),
        (
            _sample(20_000),
            "The WAV file is truncated: its header announces 16,000 frames (1.000 s) "
            "but it holds only 9,978 (0.624 s).",
        ),
        (_sample(30), f"The WAV file is truncated: it ends inside its header (30 bytes); {SEND_WAV}."),
        (
            _sample(12),
            f"The WAV file cannot be read (fmt chunk and/or data chunk missing); {SEND_WAV}.",
        ),
    ],
    ids=[
        "empty", "png", "mp3", "float", "64-bit", "rate", "no-frames", "too-long", "truncated-data",
        "truncated-header", "no-chunks",
    ],
)  # fmt: skip
def test_audio_it_cannot_read_is_a_400_saying_why(runtime_client: Any, body: bytes, message: str) -> None:
    with pytest.raises(ClientError) as raised:
        analyze(runtime_client, body)
    assert model_error(raised) == ("ModelError", 424, 400, message)


def test_octet_stream_that_is_not_riff_wave_is_refused(runtime_client: Any) -> None:
    with pytest.raises(ClientError) as raised:
        analyze(runtime_client, b"hello, not audio", "application/octet-stream")
    assert model_error(raised) == (
        "ModelError",
        424,
        400,
        f"The request body is not a WAV file (16 bytes starting b'hello, not a'); {SEND_WAV}.",
    )


def test_the_analyzer_refuses_other_content_types_and_answers(runtime_client: Any) -> None:
    with pytest.raises(ClientError) as raised:
        analyze(runtime_client, _sample(), "audio/mpeg")
    assert raised.value.response["Error"] == {
        "Code": "ValidationError",
        "Message": "Content type audio/mpeg is not supported by endpoint demo-audio-analyzer: "
        "its model reads audio/wav, audio/x-wav, audio/wave, application/octet-stream.",
    }
    with pytest.raises(ClientError) as raised:
        invoke(runtime_client, ANALYZER, _sample(), "audio/wav", Accept="text/csv")
    assert model_error(raised) == (
        "ModelError",
        424,
        406,
        "Accept type 'text/csv' is not supported; this model answers application/json.",
    )


# -- demo-text-to-audio ----------------------------------------------------------------------------------


def test_a_melody_is_a_16_bit_mono_wav_of_an_eighth_note_per_character(runtime_client: Any) -> None:
    melody = speak(runtime_client, "Hello world")
    with wave.open(io.BytesIO(melody)) as reader:
        assert (reader.getnchannels(), reader.getsampwidth(), reader.getframerate()) == (1, 2, 16000)
        assert reader.getnframes() == 11 * 16000 * 30 // 160  # 11 characters at 160 bpm: 2.0625 s
    measured = analyze(runtime_client, melody)
    assert measured["duration_s"] == 2.0625
    assert measured["peak_dbfs"] == pytest.approx(-6.02, abs=0.1)


def test_tempo_and_sample_rate_are_honoured(runtime_client: Any) -> None:
    measured = analyze(runtime_client, speak(runtime_client, "abc", tempo_bpm=120, sample_rate=22050))
    assert measured["sample_rate"] == 22050
    assert measured["duration_s"] == pytest.approx(3 * 0.25, abs=1 / 22050)


@pytest.mark.parametrize(("letter", "frequency"), [("a", 261.63), ("e", 440.0), ("j", 880.0), ("0", 130.81)])
def test_each_character_plays_its_note_of_the_pentatonic_scale(
    runtime_client: Any, letter: str, frequency: float
) -> None:
    measured = analyze(runtime_client, speak(runtime_client, letter * 8))
    assert measured["dominant_frequency_hz"] == pytest.approx(frequency, abs=2)


def test_spaces_and_punctuation_are_rests(runtime_client: Any) -> None:
    spaced = speak(runtime_client, "a" + " " * 8 + "a")
    assert speak(runtime_client, "a,;.!?-()a") == spaced
    assert 0.75 < analyze(runtime_client, spaced)["silence_ratio"] < 0.85  # 8 of 10 eighth notes


def test_the_same_request_gives_the_same_bytes(runtime_client: Any) -> None:
    first = speak(runtime_client, "Deterministic", tempo_bpm=200)
    assert speak(runtime_client, "Deterministic", tempo_bpm=200) == first
    assert speak(runtime_client, "Deterministiq", tempo_bpm=200) != first
    for accept in ("audio/wav", "*/*", "audio/*"):
        body = json.dumps({"inputs": "Deterministic", "parameters": {"tempo_bpm": 200}}).encode()
        assert invoke(runtime_client, SPEAKER, body, "application/json", Accept=accept)["Body"] == first


def test_the_melody_streams_as_one_part(runtime_client: Any) -> None:
    response = runtime_client.invoke_endpoint_with_response_stream(
        EndpointName=SPEAKER, Body=b'{"inputs": "stream me"}', ContentType="application/json"
    )
    [event] = list(response["Body"])
    assert response["ContentType"] == "audio/wav"
    assert event["PayloadPart"]["Bytes"] == speak(runtime_client, "stream me")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "The request body is empty: send a JSON document."),
        (
            b'"hello"',
            'The request body must be a JSON object with "inputs", the text to play, not a string; '
            f"e.g. {EXAMPLE}.",
        ),
        (
            b'{"text": "hi"}',
            f'Expected "inputs", the text to play (found "text"); e.g. {EXAMPLE}.',
        ),
        (b'{"inputs": ["hi"]}', f'"inputs" must be a string, not a list; e.g. {EXAMPLE}.'),
        (b'{"inputs": "  "}', f'"inputs" is empty: send the text to play; e.g. {EXAMPLE}.'),
        (b'{"inputs": "hi", "parameters": [1]}', '"parameters" must be an object, not a list.'),
        (
            b'{"inputs": "hi", "parameters": {"speed": 2}}',
            'Unknown parameter "speed": this model takes "tempo_bpm" and "sample_rate".',
        ),
        (
            b'{"inputs": "hi", "parameters": {"tempo_bpm": "fast"}}',
            '"tempo_bpm" must be a number of beats a minute, not "fast".',
        ),
        (
            b'{"inputs": "hi", "parameters": {"tempo_bpm": true}}',
            '"tempo_bpm" must be a number of beats a minute, not true.',
        ),
        (
            b'{"inputs": "hi", "parameters": {"tempo_bpm": NaN}}',
            '"tempo_bpm" must be a number of beats a minute, not NaN.',
        ),
        (
            b'{"inputs": "hi", "parameters": {"tempo_bpm": 1' + b"0" * 400 + b"}}",
            '"tempo_bpm" must be from 40 to 400, not a number that large.',
        ),
        (
            b'{"inputs": "hi", "parameters": {"tempo_bpm": 1000}}',
            '"tempo_bpm" must be from 40 to 400, not 1000.',
        ),
        (
            b'{"inputs": "hi", "parameters": {"sample_rate": 12345}}',
            '"sample_rate" must be one of 8000, 11025, 16000, 22050, 24000, 32000, 44100, 48000 (Hz), '
            "not 12345.",
        ),
        (
            b'{"inputs": "hi", "parameters": {"sample_rate": 16000.0}}',
            '"sample_rate" must be one of 8000, 11025, 16000, 22050, 24000, 32000, 44100, 48000 (Hz), '
            "not 16000.0.",
        ),
        (
            json.dumps({"inputs": "x" * 200}).encode(),
            "The melody would last 37.5 s (200 characters at 160 bpm); at most 30 s: "
            "send at most 160 characters or a faster tempo_bpm.",
        ),
        (b"[" * 5000, "The request body is JSON nested too deeply to read."),
        (
            b'{"inputs": "hi", "parameters": {"tempo_bpm": 1' + b"0" * 5000 + b"}}",
            "The request body holds a number too long to read.",
        ),
    ],
    ids=[
        "empty", "not-an-object", "no-inputs", "list", "blank", "parameters", "unknown", "tempo-text",
        "tempo-bool", "tempo-nan", "tempo-huge", "tempo-range", "rate", "rate-float", "too-long", "nested",
        "digits",
    ],
)  # fmt: skip
def test_bad_requests_for_a_melody_are_a_400_saying_why(
    runtime_client: Any, body: bytes, message: str
) -> None:
    with pytest.raises(ClientError) as raised:
        invoke(runtime_client, SPEAKER, body, "application/json")
    assert model_error(raised) == ("ModelError", 424, 400, message)


def test_the_melody_refuses_other_content_types_and_answers(runtime_client: Any) -> None:
    with pytest.raises(ClientError) as raised:
        invoke(runtime_client, SPEAKER, b"hello", "text/plain")
    assert raised.value.response["Error"] == {
        "Code": "ValidationError",
        "Message": "Content type text/plain is not supported by endpoint demo-text-to-audio: "
        "its model reads application/json.",
    }
    with pytest.raises(ClientError) as raised:
        invoke(runtime_client, SPEAKER, b'{"inputs": "hi"}', "application/json", Accept="application/json")
    assert model_error(raised) == (
        "ModelError",
        424,
        406,
        "Accept type 'application/json' is not supported; this model answers audio/wav.",
    )


# -- the catalog -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("endpoint", "image", "instance_type"),
    [
        ("demo-text-embedder", "tei-cpu:2.0.1-tei1.2.3-cpu-py310-ubuntu22.04", "ml.c6i.xlarge"),
        ("demo-audio-analyzer", "pytorch-inference:2.3.0-cpu-py311-ubuntu20.04-sagemaker", "ml.m5.large"),
        ("demo-text-to-audio", "huggingface-pytorch-inference:2.1.0", "ml.m5.xlarge"),
    ],
)
def test_the_new_endpoints_are_described(
    sagemaker_client: Any, endpoint: str, image: str, instance_type: str
) -> None:
    described = sagemaker_client.describe_endpoint(EndpointName=endpoint)
    assert described["EndpointStatus"] == "InService"
    [variant] = described["ProductionVariants"]
    assert image in variant["DeployedImages"][0]["SpecifiedImage"]
    config = sagemaker_client.describe_endpoint_config(EndpointConfigName=described["EndpointConfigName"])
    assert config["ProductionVariants"][0]["InstanceType"] == instance_type

"""A real text-to-audio model: turns text into a melody, one note per character, synthesised with numpy and
written as a 16-bit mono PCM WAV file with the standard library's `wave` module. The same text and
parameters always give the same bytes."""

from __future__ import annotations

import io
import itertools
import math
import unicodedata
import wave
from dataclasses import dataclass
from typing import Any

import numpy as np

from local_endpoints.models.base import ModelInputError, ModelResponse, ModelStream
from local_endpoints.models.payloads import json_bytes, json_type, negotiate, parse_json, whole_as_stream

DEFAULT_TEMPO_BPM = 160
MIN_TEMPO_BPM, MAX_TEMPO_BPM = 40, 400
DEFAULT_SAMPLE_RATE = 16_000
SAMPLE_RATES = (8000, 11025, 16000, 22050, 24000, 32000, 44100, 48000)
#: a longer melody is refused (30 s at 48 kHz is 2.9 MB, well inside SageMaker's 6 MB answer)
MAX_SECONDS = 30.0
#: the major pentatonic scale, in semitones above its root: no two notes of it clash
PENTATONIC = (0, 2, 4, 7, 9)
#: letters climb two octaves of the scale from C4; digits one octave lower
LETTER_ROOT_HZ = 261.6256
DIGIT_ROOT_HZ = LETTER_ROOT_HZ / 2
AMPLITUDE = 0.5
ATTACK_S, RELEASE_S = 0.01, 0.04
_EXAMPLE = '{"inputs": "Hello world", "parameters": {"tempo_bpm": 160, "sample_rate": 16000}}'


def note_frequency(character: str) -> float | None:
    """The pitch (Hz) `character` plays, or None for a rest (spaces, punctuation, symbols).

    Letters a, b, c, ... take the pentatonic scale's steps in turn over two octaves (a = C4, e = A4, f = C5,
    j = A5, k = C4 again); accents are ignored, and letters of other alphabets take a step from their code
    point. Digits 0-9 take the same ten steps an octave lower."""
    if character.isdigit() and character.isascii():
        return _step(DIGIT_ROOT_HZ, int(character))
    if not character.isalpha():
        return None
    base = unicodedata.normalize("NFKD", character.casefold())[0]
    index = ord(base) - ord("a") if "a" <= base <= "z" else ord(character)
    return _step(LETTER_ROOT_HZ, index)


def _step(root_hz: float, index: int) -> float:
    octave, degree = divmod(index % 10, len(PENTATONIC))
    return root_hz * 2 ** (octave + PENTATONIC[degree] / 12)


@dataclass(frozen=True)
class MelodyRequest:
    """What a request asks for, validated."""

    text: str
    tempo_bpm: float
    sample_rate: int

    @property
    def note_s(self) -> float:
        """Each character lasts an eighth note."""
        return 30 / self.tempo_bpm


class TextToAudio:
    """Text in, a melody out as `audio/wav` (16-bit mono PCM).

    Request (application/json): `{"inputs": "some text", "parameters": {"tempo_bpm": 160, "sample_rate":
    16000}}`, parameters optional (`tempo_bpm` 40-400, default 160; `sample_rate` one of SAMPLE_RATES,
    default 16000). Every character of the text (its ends stripped) lasts an eighth note: letters and digits
    are sine tones of the pentatonic scale with a short attack and release, anything else a rest. A melody
    longer than 30 s is refused."""

    accepts = ("application/json",)
    image = (
        "763104351884.dkr.ecr.us-east-1.amazonaws.com/"
        "huggingface-pytorch-inference:2.1.0-transformers4.37.0-cpu-py310-ubuntu22.04"
    )

    def synthesise(self, request: MelodyRequest) -> np.ndarray:
        """The melody's samples, floats in [-AMPLITUDE, AMPLITUDE]."""
        rate = request.sample_rate
        edges = [round(i * request.note_s * rate) for i in range(len(request.text) + 1)]
        pieces = []
        for character, (start, end) in zip(request.text, itertools.pairwise(edges), strict=True):
            frequency = note_frequency(character)
            if frequency is None:
                pieces.append(np.zeros(end - start))
            else:
                pieces.append(_tone(frequency, end - start, rate))
        return np.concatenate(pieces)

    def invoke(self, body: bytes, content_type: str, accept: str | None) -> ModelResponse:
        """The melody of the request's text as WAV bytes. Raises ModelInputError(400) for unusable input, or
        (406) for an Accept type other than audio/wav."""
        negotiate(accept, ("audio/wav",))
        request = read_request(body)
        return ModelResponse(wav_bytes(self.synthesise(request), request.sample_rate), "audio/wav")

    def stream(self, body: bytes, content_type: str, accept: str | None) -> ModelStream:
        """The whole file as one part: a WAV header states the length of what follows."""
        return whole_as_stream(self.invoke(body, content_type, accept))


def _tone(frequency: float, length: int, rate: int) -> np.ndarray:
    """A sine tone of `length` samples, faded in over ATTACK_S and out over RELEASE_S (no clicks)."""
    position = np.arange(length)
    envelope = np.minimum(
        1.0,
        np.minimum(
            (position + 1) / max(1, round(ATTACK_S * rate)),
            (length - position) / max(1, round(RELEASE_S * rate)),
        ),
    )
    return AMPLITUDE * envelope * np.sin(2 * math.pi * frequency * position / rate)


def wav_bytes(samples: np.ndarray, sample_rate: int) -> bytes:
    """`samples` (floats of full scale) as a 16-bit mono PCM WAV file."""
    pcm = np.round(np.clip(samples, -1.0, 1.0) * 32767).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(sample_rate)
        writer.writeframes(pcm.tobytes())
    return buffer.getvalue()


def read_request(body: bytes) -> MelodyRequest:
    """The text and parameters of a request, or a ModelInputError(400) saying what is wrong."""
    document = parse_json(body)
    if not isinstance(document, dict):
        raise ModelInputError(
            400,
            f'The request body must be a JSON object with "inputs", the text to play, not '
            f"{json_type(document)}; e.g. {_EXAMPLE}.",
        )
    if "inputs" not in document:
        found = ", ".join(f'"{k}"' for k in list(document)[:5]) or "no keys"
        raise ModelInputError(400, f'Expected "inputs", the text to play (found {found}); e.g. {_EXAMPLE}.')
    text = document["inputs"]
    if not isinstance(text, str):
        raise ModelInputError(400, f'"inputs" must be a string, not {json_type(text)}; e.g. {_EXAMPLE}.')
    text = text.strip()
    if not text:
        raise ModelInputError(400, f'"inputs" is empty: send the text to play; e.g. {_EXAMPLE}.')
    parameters = document.get("parameters")
    if parameters is None:
        parameters = {}
    if not isinstance(parameters, dict):
        raise ModelInputError(400, f'"parameters" must be an object, not {json_type(parameters)}.')
    unknown = sorted(set(parameters) - {"tempo_bpm", "sample_rate"})
    if unknown:
        raise ModelInputError(
            400, f'Unknown parameter "{unknown[0]}": this model takes "tempo_bpm" and "sample_rate".'
        )
    request = MelodyRequest(text, _tempo(parameters), _sample_rate(parameters))
    seconds = len(text) * request.note_s
    if seconds > MAX_SECONDS:
        fits = math.floor(MAX_SECONDS / request.note_s)
        raise ModelInputError(
            400,
            f"The melody would last {seconds:.1f} s ({len(text)} characters at {request.tempo_bpm:g} bpm); "
            f"at most {MAX_SECONDS:g} s: send at most {fits} characters or a faster tempo_bpm.",
        )
    return request


def _tempo(parameters: dict[str, Any]) -> float:
    value = parameters.get("tempo_bpm", DEFAULT_TEMPO_BPM)
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if not number or (isinstance(value, float) and not math.isfinite(value)):
        raise ModelInputError(400, f'"tempo_bpm" must be a number of beats a minute, not {_shown(value)}.')
    if not MIN_TEMPO_BPM <= value <= MAX_TEMPO_BPM:
        raise ModelInputError(
            400, f'"tempo_bpm" must be from {MIN_TEMPO_BPM} to {MAX_TEMPO_BPM}, not {_shown(value)}.'
        )
    return float(value)


def _sample_rate(parameters: dict[str, Any]) -> int:
    value = parameters.get("sample_rate", DEFAULT_SAMPLE_RATE)
    if isinstance(value, bool) or not isinstance(value, int) or value not in SAMPLE_RATES:
        raise ModelInputError(
            400,
            f'"sample_rate" must be one of {", ".join(map(str, SAMPLE_RATES))} (Hz), not {_shown(value)}.',
        )
    return value


def _shown(value: Any) -> str:
    """A short value as JSON (`"fast"`, `1e+99`, `NaN`), anything longer as its kind."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**12:
        return "a number that large"
    if isinstance(value, int | float | str | bool):
        text = json_bytes(value).decode()
        if len(text) <= 40:
            return text
    return json_type(value)

"""A real audio model: reads a PCM WAV file with the standard library's `wave` module and measures it with
numpy (loudness, peak, the strongest frequency, zero crossings, how much of it is silence), as JSON."""

from __future__ import annotations

import io
import math
import struct
import wave
from dataclasses import dataclass
from typing import Any

import numpy as np

from local_endpoints.models.base import ModelInputError, ModelResponse, ModelStream
from local_endpoints.models.payloads import json_bytes, negotiate, whole_as_stream

#: longer audio is refused (its header says how long it is, so nothing is decoded first)
MAX_SECONDS = 600
#: a 20 ms window whose RMS is below this counts as silence
SILENCE_DBFS = -50.0
WINDOW_S = 0.02
#: the dominant frequency is read from spectra of segments this long (bins of about 4 Hz)
SEGMENT_S = 0.25
_SEGMENTS_AT_ONCE = 256
#: sample rates outside this range are not audio anyone records
MIN_RATE, MAX_RATE = 1000, 768_000
_SAMPLE_WIDTHS = {1: "8", 2: "16", 3: "24", 4: "32"}
#: what a body that is not a RIFF/WAVE file usually is, told by its first bytes
_OTHER_FORMATS = (
    (b"ID3", "an MP3 file"),
    (b"\xff\xfb", "an MP3 file"),
    (b"\xff\xf3", "an MP3 file"),
    (b"fLaC", "a FLAC file"),
    (b"OggS", "an Ogg file"),
    (b"RIFX", "a big-endian RIFF file"),
    (b"RF64", "an RF64 (64-bit WAV) file"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"{", "JSON"),
)
#: WAV format tags other than integer PCM (1) that people meet, for the refusal's message
_FORMAT_TAGS = {
    2: "Microsoft ADPCM",
    3: "IEEE float",
    6: "A-law",
    7: "µ-law",
    17: "IMA ADPCM",
    85: "MP3",
    65534: "WAVE_FORMAT_EXTENSIBLE",
}
_SEND = "send a WAV file of integer PCM samples (8, 16, 24 or 32-bit)"


@dataclass(frozen=True)
class Audio:
    """Decoded PCM: `samples` is (frames, channels), floats in [-1, 1) of full scale."""

    sample_rate: int
    sample_width: int
    samples: np.ndarray

    @property
    def frames(self) -> int:
        return int(self.samples.shape[0])

    @property
    def channels(self) -> int:
        return int(self.samples.shape[1])


class AudioAnalyzer:
    """Measures a WAV file: `{"duration_s", "sample_rate", "channels", "sample_width_bits", "frames",
    "rms_dbfs", "peak_dbfs", "dominant_frequency_hz", "zero_crossing_rate", "silence_ratio"}`.

    Levels are in dB relative to full scale over every channel (a full-scale sine has an RMS of -3.01 dBFS;
    digital silence has no level: null). The dominant frequency is the strongest peak of the average spectrum
    of the channels' mix (Welch's method), refined between FFT bins (null for silence). The zero-crossing
    rate is the share of adjacent samples of the mix whose signs differ; the silence ratio is the share of
    whole 20 ms windows whose RMS is below -50 dBFS."""

    accepts = ("audio/wav", "audio/x-wav", "audio/wave", "application/octet-stream")
    image = (
        "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.3.0-cpu-py311-ubuntu20.04-sagemaker"
    )

    def analyze(self, body: bytes) -> dict[str, Any]:
        """The measurements of the WAV file in `body`; ModelInputError(400) when it cannot be read."""
        audio = read_wav(body)
        samples = audio.samples
        mix = samples.mean(axis=1)
        return {
            "duration_s": round(audio.frames / audio.sample_rate, 4),
            "sample_rate": audio.sample_rate,
            "channels": audio.channels,
            "sample_width_bits": 8 * audio.sample_width,
            "frames": audio.frames,
            "rms_dbfs": _dbfs(float(np.sqrt(np.mean(np.square(samples))))),
            "peak_dbfs": _dbfs(float(np.max(np.abs(samples)))),
            "dominant_frequency_hz": dominant_frequency(mix, audio.sample_rate),
            "zero_crossing_rate": _zero_crossing_rate(mix),
            "silence_ratio": _silence_ratio(samples, audio.sample_rate),
        }

    def invoke(self, body: bytes, content_type: str, accept: str | None) -> ModelResponse:
        """Measure the audio, as JSON."""
        negotiate(accept, ("application/json",))
        return ModelResponse(json_bytes(self.analyze(body)), "application/json")

    def stream(self, body: bytes, content_type: str, accept: str | None) -> ModelStream:
        """The whole answer as one part."""
        return whole_as_stream(self.invoke(body, content_type, accept))


def read_wav(body: bytes) -> Audio:
    """The PCM audio in `body`, or a ModelInputError(400) saying why it cannot be read."""
    if not body:
        raise ModelInputError(400, f"The request body is empty: {_SEND}.")
    if body[:4] != b"RIFF" or body[8:12] != b"WAVE":
        kind = next((name for magic, name in _OTHER_FORMATS if body.startswith(magic)), None)
        what = f"is {kind}, not a WAV file" if kind else "is not a WAV file"
        raise ModelInputError(
            400, f"The request body {what} ({len(body)} bytes starting {body[:12]!r}); {_SEND}."
        )
    try:
        with wave.open(io.BytesIO(body), "rb") as reader:
            channels, width, rate, frames = (
                reader.getnchannels(),
                reader.getsampwidth(),
                reader.getframerate(),
                reader.getnframes(),
            )
            _check_header(width, rate, frames)
            data = reader.readframes(frames)
    except wave.Error as exc:
        raise ModelInputError(400, _unreadable(exc)) from exc
    except (EOFError, struct.error) as exc:
        raise ModelInputError(
            400, f"The WAV file is truncated: it ends inside its header ({len(body)} bytes); {_SEND}."
        ) from exc
    present = len(data) // (width * channels)
    if present < frames:
        raise ModelInputError(
            400,
            f"The WAV file is truncated: its header announces {frames:,} frames ({frames / rate:.3f} s) "
            f"but it holds only {present:,} ({present / rate:.3f} s).",
        )
    return Audio(rate, width, _decode(data, width).reshape(frames, channels))


def _check_header(width: int, rate: int, frames: int) -> None:
    if width not in _SAMPLE_WIDTHS:
        raise ModelInputError(
            400, f"The WAV file has {8 * width}-bit samples; this model reads 8, 16, 24 or 32-bit PCM."
        )
    if not MIN_RATE <= rate <= MAX_RATE:
        raise ModelInputError(
            400, f"The WAV file's sample rate is {rate} Hz; this model reads {MIN_RATE}–{MAX_RATE} Hz."
        )
    if frames == 0:
        raise ModelInputError(400, "The WAV file holds no audio: its data chunk is empty.")
    if frames / rate > MAX_SECONDS:
        raise ModelInputError(
            400,
            f"The audio is too long: {frames / rate:,.1f} s (at most {MAX_SECONDS // 60} minutes); "
            "send a shorter clip.",
        )


def _unreadable(exc: wave.Error) -> str:
    text = str(exc)
    if text.startswith("unknown format: "):
        tag = int(text.rsplit(" ", 1)[1])
        name = _FORMAT_TAGS.get(tag, "not integer PCM")
        return f"The WAV file's samples are {name} (format tag {tag}); {_SEND}, format tag 1."
    return f"The WAV file cannot be read ({text}); {_SEND}."


def _decode(data: bytes, width: int) -> np.ndarray:
    """Little-endian PCM bytes as floats of full scale (8-bit WAV is unsigned, the others signed)."""
    if width == 1:
        return (np.frombuffer(data, dtype=np.uint8).astype(np.float64) - 128) / 128
    if width == 3:
        raw = np.frombuffer(data, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        unsigned = raw[:, 0] | (raw[:, 1] << 8) | (raw[:, 2] << 16)
        return ((unsigned ^ 0x800000) - 0x800000).astype(np.float64) / 2**23
    dtype = "<i2" if width == 2 else "<i4"
    return np.frombuffer(data, dtype=dtype).astype(np.float64) / 2 ** (8 * width - 1)


def dominant_frequency(mix: np.ndarray, sample_rate: int) -> float | None:
    """The frequency (Hz) of the strongest peak of `mix`'s average spectrum, None when there is no signal.

    Welch's method: the power spectra of Hann-windowed segments of about a quarter of a second (half
    overlapping; the whole clip when it is shorter) are averaged, so a tone counts by its loudness and how
    long it lasts, wherever it is in the clip. The peak is refined between bins by a parabola through the log
    powers (close to a Hann window's peak shape), which finds a steady tone to within a fraction of a Hz."""
    size = min(len(mix), 2 ** math.ceil(math.log2(sample_rate * SEGMENT_S)))
    if size < 2:
        return None
    hop = size // 2
    starts = range(0, len(mix) - size + 1, hop)
    window = np.hanning(size)
    power = np.zeros(size // 2 + 1)
    segments = np.lib.stride_tricks.sliding_window_view(mix, size)[::hop]
    for block in range(0, len(starts), _SEGMENTS_AT_ONCE):  # bounded memory for a long clip
        chunk = segments[block : block + _SEGMENTS_AT_ONCE]
        centred = chunk - chunk.mean(axis=1, keepdims=True)
        power += np.sum(np.abs(np.fft.rfft(centred * window, axis=1)) ** 2, axis=0)
    power[0] = 0.0
    peak = int(power.argmax())
    if power[peak] <= 1e-20 * size * len(starts):
        return None
    offset = 0.0
    if 0 < peak < len(power) - 1:
        left, centre, right = np.log(power[peak - 1 : peak + 2] + 1e-300)
        curvature = left - 2 * centre + right
        if curvature < 0:
            offset = float(0.5 * (left - right) / curvature)
    return round((peak + offset) * sample_rate / size, 1)


def _dbfs(level: float) -> float | None:
    return round(20 * math.log10(level), 2) if level > 0 else None


def _zero_crossing_rate(mix: np.ndarray) -> float:
    if len(mix) < 2:
        return 0.0
    return round(float(np.count_nonzero(np.diff(np.signbit(mix)))) / (len(mix) - 1), 4)


def _silence_ratio(samples: np.ndarray, sample_rate: int) -> float:
    """The share of whole 20 ms windows (the whole clip when it is shorter) quieter than SILENCE_DBFS."""
    size = max(1, round(sample_rate * WINDOW_S))
    count = len(samples) // size
    windows = samples[: count * size].reshape(count, -1) if count else samples.reshape(1, -1)
    rms = np.sqrt(np.mean(np.square(windows), axis=1))
    threshold = 10 ** (SILENCE_DBFS / 20)
    return round(float(np.count_nonzero(rms < threshold)) / len(windows), 4)

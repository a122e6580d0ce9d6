"""What audio a response body holds: WAV, MP3, OGG, FLAC or WebM, told by its content type or its first bytes,
checked, with the duration, sample rate and channels its header gives.

Pure; never raises. Magic bytes alone are a guess that must hold up: a guessed format whose header does not
read is not audio (and says nothing); a declared one says why it is not played.
"""

from __future__ import annotations

import io
import re
import wave
from dataclasses import dataclass

# The content types a browser's <audio> plays, by the format the bytes must have.
_DECLARED = {
    "audio/wav": "WAV",
    "audio/x-wav": "WAV",
    "audio/wave": "WAV",
    "audio/vnd.wave": "WAV",
    "audio/mpeg": "MP3",
    "audio/mp3": "MP3",
    "audio/mpeg3": "MP3",
    "audio/x-mpeg-3": "MP3",
    "audio/ogg": "OGG",
    "audio/opus": "OGG",
    "audio/vorbis": "OGG",
    "audio/flac": "FLAC",
    "audio/x-flac": "FLAC",
    "audio/webm": "WEBM",
}
MEDIA_TYPES = {
    "WAV": "audio/wav",
    "MP3": "audio/mpeg",
    "OGG": "audio/ogg",
    "FLAC": "audio/flac",
    "WEBM": "audio/webm",
}
_AUDIO_TYPE = re.compile(r"^audio/[a-z0-9][a-z0-9!#$&^_.+-]*$")  # what a player may be told as a type
_EBML = b"\x1a\x45\xdf\xa3"  # how a WebM (Matroska) file starts
_WAVE_FORMATS = {1: "PCM", 3: "IEEE float", 0xFFFE: "extensible"}


@dataclass(frozen=True)
class AudioInfo:
    """Audio a browser can be given: its format (WAV, MP3, OGG, FLAC, WEBM, or the declared subtype), the
    media type the player is told, and what its header says (None: it does not say, or was not read)."""

    format: str
    media_type: str
    duration_s: float | None = None
    sample_rate: int | None = None
    channels: int | None = None
    note: str | None = None  # e.g. a WAV cut short: its header promises more than its bytes hold


def read_audio(
    body: bytes, media: str, *, looks_like_text: bool = False
) -> tuple[AudioInfo | None, str | None]:
    """The audio in `body` (its media type `media`, lowercase, without parameters), else None and, when the
    content type said audio, why it is not played. `looks_like_text`: the body reads as text (an unknown
    audio/* type is then not handed to a player)."""
    try:
        return _read(body, media, looks_like_text)
    except Exception as exc:  # a header reader that missed a case: the body is then shown as bytes
        if media.startswith("audio/"):
            return None, f"It says it is audio, but it cannot be read as such ({type(exc).__name__})."
        return None, None


def _read(body: bytes, media: str, looks_like_text: bool) -> tuple[AudioInfo | None, str | None]:
    declared = media.startswith("audio/")
    guessed = _sniff(body)
    if guessed is None:
        if not declared:
            return None, None
        expected = _DECLARED.get(media)
        if expected == "WEBM" and body.startswith(_EBML):
            return AudioInfo("WEBM", "audio/webm"), None
        # Another audio type (audio/aac, audio/mp4): the browser decides, unless the body is plainly text.
        if expected is None and not looks_like_text and _AUDIO_TYPE.match(media):
            return AudioInfo(media.split("/", 1)[1].upper(), media), None
        what = f"{expected} audio" if expected else "audio"
        return None, f"It says it is {what}, but its bytes are not."
    info = _READERS[guessed](body)
    if info is None:
        why = f"It says it is audio, but it cannot be read as {guessed}." if declared else None
        return None, why
    return info, None


def _sniff(body: bytes) -> str | None:
    """The format the first bytes name (to be checked by its reader)."""
    if body[:4] == b"RIFF" and body[8:12] == b"WAVE":
        return "WAV"
    if body.startswith(b"fLaC"):
        return "FLAC"
    if body.startswith(b"OggS"):
        return "OGG"
    if body.startswith(b"ID3") or _mp3_frame(body, 0) is not None:
        return "MP3"
    return None


# -- WAV -----------------------------------------------------------------------------------------------------


def _wav(body: bytes) -> AudioInfo | None:
    """Read with the stdlib `wave` (PCM); the float and extensible formats it refuses in Python 3.11 from the
    fmt chunk itself. The duration is what the bytes hold: a WAV cut short says so."""
    try:
        with wave.open(io.BytesIO(body)) as reader:
            rate, channels, width = reader.getframerate(), reader.getnchannels(), reader.getsampwidth()
            promised = reader.getnframes()
            held = len(reader.readframes(promised)) // max(1, channels * width)
    except (wave.Error, EOFError, ValueError, OverflowError):
        header = _wav_header(body)
        if header is None:
            return None
        rate, channels, block, promised_bytes, held_bytes = header
        promised, held = promised_bytes // block, held_bytes // block
    if rate <= 0 or channels <= 0:
        return None
    note = None
    if held < promised:
        promised_s, held_s = promised / rate, held / rate
        note = f"The WAV is cut short: its header says {promised_s:,.2f} s, its bytes hold {held_s:,.2f} s."
    return AudioInfo("WAV", "audio/wav", held / rate, rate, channels, note)


def _wav_header(body: bytes) -> tuple[int, int, int, int, int] | None:
    """(sample rate, channels, bytes per frame, data bytes promised, data bytes held) from the RIFF chunks,
    for the formats `wave` refuses; None when they do not read."""
    fmt: tuple[int, int, int] | None = None
    offset = 12
    while offset + 8 <= len(body):
        name, size = body[offset : offset + 4], int.from_bytes(body[offset + 4 : offset + 8], "little")
        start = offset + 8
        if name == b"fmt " and size >= 16 and start + 16 <= len(body):
            tag = int.from_bytes(body[start : start + 2], "little")
            if tag not in _WAVE_FORMATS:
                return None
            channels = int.from_bytes(body[start + 2 : start + 4], "little")
            rate = int.from_bytes(body[start + 4 : start + 8], "little")
            block = int.from_bytes(body[start + 12 : start + 14], "little")
            fmt = (rate, channels, block)
        elif name == b"data":
            if fmt is None or fmt[2] <= 0:
                return None
            return (*fmt, size, min(size, len(body) - start))
        offset = start + size + (size & 1)  # chunks are padded to an even length
    return None


# -- FLAC ----------------------------------------------------------------------------------------------------


def _flac(body: bytes) -> AudioInfo | None:
    """The STREAMINFO block that must follow "fLaC": sample rate, channels and total samples."""
    if len(body) < 42 or body[4] & 0x7F != 0 or int.from_bytes(body[5:8], "big") != 34:
        return None
    packed = int.from_bytes(body[18:26], "big")  # rate (20 bits), channels-1 (3), bits-1 (5), samples (36)
    rate, channels, samples = packed >> 44, ((packed >> 41) & 7) + 1, packed & ((1 << 36) - 1)
    if rate == 0:
        return None
    return AudioInfo("FLAC", "audio/flac", samples / rate if samples else None, rate, channels)


# -- OGG -----------------------------------------------------------------------------------------------------


def _ogg(body: bytes) -> AudioInfo | None:
    """An Ogg page with a Vorbis or Opus identification packet; the duration from the last page's granule
    position. Another codec in Ogg is played without figures."""
    if len(body) < 28 or body[4] != 0 or len(body) < 27 + body[26]:
        return None
    packet = body[27 + body[26] : 27 + body[26] + 32]
    last = body.rfind(b"OggS")
    granule = int.from_bytes(body[last + 6 : last + 14], "little", signed=True) if last >= 0 else -1
    if packet.startswith(b"\x01vorbis") and len(packet) >= 16:
        channels, rate = packet[11], int.from_bytes(packet[12:16], "little")
        duration = granule / rate if rate and granule > 0 else None
        return AudioInfo("OGG", "audio/ogg", duration, rate or None, channels or None)
    if packet.startswith(b"OpusHead") and len(packet) >= 16:
        channels, pre_skip = packet[9], int.from_bytes(packet[10:12], "little")
        rate = int.from_bytes(packet[12:16], "little")  # the input's rate: Opus always decodes at 48 kHz
        duration = (granule - pre_skip) / 48_000 if granule > pre_skip else None
        return AudioInfo("OGG", "audio/ogg", duration, rate or None, channels or None)
    return AudioInfo("OGG", "audio/ogg")


# -- MP3 -----------------------------------------------------------------------------------------------------

_MP3_RATES = {3: (44_100, 48_000, 32_000), 2: (22_050, 24_000, 16_000), 0: (11_025, 12_000, 8_000)}
_MP3_KBPS = {
    3: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),  # MPEG-1 Layer III
    2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),  # MPEG-2 and 2.5 Layer III
}


def _mp3_frame(body: bytes, at: int) -> tuple[int, int, int] | None:
    """(sample rate, channels, frame length) of an MPEG Layer III frame header at `at`, else None."""
    header = body[at : at + 4]
    if len(header) < 4 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        return None
    version, layer = (header[1] >> 3) & 3, (header[1] >> 1) & 3
    bitrate_index, rate_index = header[2] >> 4, (header[2] >> 2) & 3
    if version == 1 or layer != 1 or bitrate_index in (0, 15) or rate_index == 3:
        return None
    rate = _MP3_RATES[version][rate_index]
    kbps = _MP3_KBPS[3 if version == 3 else 2][bitrate_index]
    length = (144 if version == 3 else 72) * kbps * 1000 // rate + ((header[2] >> 1) & 1)
    return rate, 1 if header[3] >> 6 == 3 else 2, length


def _mp3(body: bytes) -> AudioInfo | None:
    """After an ID3 tag (if any), two frames in a row: one header can be chance, two that chain are not."""
    start = 0
    if body.startswith(b"ID3") and len(body) >= 10:
        size = 0
        for byte in body[6:10]:  # "syncsafe": 7 bits a byte
            size = (size << 7) | (byte & 0x7F)
        start = 10 + size + (10 if body[5] & 0x10 else 0)
        while start < len(body) and body[start] == 0:  # padding a tag may leave
            start += 1
    first = _mp3_frame(body, start)
    if first is None:
        return None
    rate, channels, length = first
    following = start + length
    if following < len(body) and _mp3_frame(body, following) is None:
        return None
    if following >= len(body) and start == 0:
        return None  # one frame header and nothing after it: too little to call it audio
    return AudioInfo("MP3", "audio/mpeg", None, rate, channels)


_READERS = {"WAV": _wav, "FLAC": _flac, "OGG": _ogg, "MP3": _mp3}

"""A file sent as the request body, byte for byte: its name, bytes and content type, and what keeps it from
being sent. Pure.

The name comes from the user's disk (or a bundled sample) and is foreign text: it is only ever used as a
file name in example code after `safe_file_name`, and shown escaped.
"""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass

from services.results import MAX_BODY_BYTES

# How common files start, for a content type when the browser did not say one (or said octet-stream).
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
    (b"fLaC", "audio/flac"),
    (b"OggS", "audio/ogg"),
    (b"ID3", "audio/mpeg"),
)
# What mimetypes does not know everywhere (audio/wav is missing from some systems' tables).
_EXTENSIONS = {
    "application/json": ".json",
    "text/csv": ".csv",
    "text/plain": ".txt",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "audio/wav": ".wav",
    "audio/x-wav": ".wav",
    "audio/mpeg": ".mp3",
    "audio/ogg": ".ogg",
    "audio/flac": ".flac",
}
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
MAX_NAME = 80


@dataclass(frozen=True)
class RequestFile:
    """A file chosen as the body (uploaded, a bundled sample, or a request reopened from History)."""

    name: str
    data: bytes
    content_type: str

    @property
    def problem(self) -> str | None:
        """Why it cannot be sent, in a sentence; None when it can."""
        return size_problem(len(self.data))


def size_problem(size: int) -> str | None:
    """A file's size against SageMaker's 6 MiB request limit, checked before anything is sent."""
    if size == 0:
        return "The file is empty: SageMaker needs a body to send."
    return too_large(size, "The file")


def too_large(size: int, what: str = "The body") -> str | None:
    """SageMaker's 6 MiB request limit, in a sentence; None within it."""
    if size <= MAX_BODY_BYTES:
        return None
    return (
        f"{what} is {size:,} bytes; InvokeEndpoint takes at most {MAX_BODY_BYTES:,} bytes (6 MiB). "
        "Nothing is sent (for larger inputs, an asynchronous endpoint reads them from S3)."
    )


def content_type_for(name: str, data: bytes, declared: str | None = None) -> str:
    """The content type to send a file with: what the browser declared, else the bytes' own signature,
    else the name's extension, else application/octet-stream."""
    declared = (declared or "").strip()
    if declared and declared != "application/octet-stream":
        return declared
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "audio/wav"
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    guessed, _ = mimetypes.guess_type(name, strict=False)
    return guessed or "application/octet-stream"


def safe_file_name(name: str, content_type: str = "") -> str:
    """A name that is safe to print in code and a shell command: the base name, with anything outside
    letters, digits, '.', '_' and '-' replaced, never hidden (no leading dot), at most MAX_NAME long."""
    base = re.split(r"[\\/]", name or "")[-1]
    cleaned = _SAFE_NAME.sub("_", base).strip("._-")[:MAX_NAME]
    if not cleaned:
        media = content_type.split(";")[0].strip().lower()
        extension = _EXTENSIONS.get(media) or mimetypes.guess_extension(media) or ".bin"
        cleaned = f"request{extension}"
    return cleaned


def looks_like_text(data: bytes) -> bool:
    """Whether a body reopened from History goes back into the editor (UTF-8 text with no control bytes
    beyond tab, newline, CR and form feed) rather than as a file."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not any(ord(c) < 32 and c not in "\t\n\r\f" for c in text)

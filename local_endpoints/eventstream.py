"""AWS event-stream framing for InvokeEndpointWithResponseStream responses.

One message is::

    prelude  = total length (u32) | headers length (u32) | CRC32 of those 8 bytes (u32)
    headers  = repeated: name length (u8) | name | value type (u8, 7 = string) | value length (u16) | value
    payload  = raw bytes
    trailer  = CRC32 of everything before it (u32)

All integers are big-endian. Only string headers are needed for SageMaker's events, so only those are written.
"""

from __future__ import annotations

import json
import struct
import zlib

_STRING_HEADER = 7
_PRELUDE_LENGTH = 12
_TRAILER_LENGTH = 4

#: the ErrorCode values SageMaker documents for ModelStreamError
STREAM_ERROR_CODES = ("ModelInvocationTimeExceeded", "StreamBroken")


def encode_message(headers: dict[str, str], payload: bytes) -> bytes:
    """Frame one event-stream message."""
    encoded_headers = b"".join(_encode_header(name, value) for name, value in headers.items())
    total_length = _PRELUDE_LENGTH + len(encoded_headers) + len(payload) + _TRAILER_LENGTH
    prelude = struct.pack(">II", total_length, len(encoded_headers))
    head = prelude + struct.pack(">I", zlib.crc32(prelude)) + encoded_headers + payload
    return head + struct.pack(">I", zlib.crc32(head))


def payload_part(data: bytes) -> bytes:
    """A PayloadPart event: the raw bytes of one part (botocore hands them out as `PayloadPart.Bytes`)."""
    return encode_message(
        {
            ":event-type": "PayloadPart",
            ":content-type": "application/octet-stream",
            ":message-type": "event",
        },
        data,
    )


def model_stream_error(message: str, error_code: str = "StreamBroken") -> bytes:
    """A ModelStreamError exception event; boto3 raises EventStreamError with this code while iterating."""
    return _exception("ModelStreamError", {"Message": message, "ErrorCode": error_code})


def internal_stream_failure(message: str) -> bytes:
    """An InternalStreamFailure exception event."""
    return _exception("InternalStreamFailure", {"Message": message})


def _exception(exception_type: str, body: dict[str, str]) -> bytes:
    return encode_message(
        {
            ":exception-type": exception_type,
            ":content-type": "application/json",
            ":message-type": "exception",
        },
        json.dumps(body).encode("utf-8"),
    )


def _encode_header(name: str, value: str) -> bytes:
    raw_name = name.encode("utf-8")
    raw_value = value.encode("utf-8")
    return (
        struct.pack(">B", len(raw_name))
        + raw_name
        + struct.pack(">BH", _STRING_HEADER, len(raw_value))
        + raw_value
    )

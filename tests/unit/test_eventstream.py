"""The event-stream encoder, checked by botocore's own decoder and parser."""

from __future__ import annotations

import json

import botocore.session
import pytest
from botocore.eventstream import ChecksumMismatch, EventStream, EventStreamBuffer
from botocore.exceptions import EventStreamError
from botocore.parsers import EventStreamJSONParser

from local_endpoints import eventstream


def decode(data: bytes) -> list[dict[str, object]]:
    buffer = EventStreamBuffer()
    buffer.add_data(data)
    return [message.to_response_dict() for message in buffer]


def test_payload_part_decodes_with_its_raw_bytes_and_headers() -> None:
    payload = "Ünïcode ✓ and {half a json".encode()
    [message] = decode(eventstream.payload_part(payload))
    assert message["status_code"] == 200
    assert message["body"] == payload
    assert message["headers"] == {
        ":event-type": "PayloadPart",
        ":content-type": "application/octet-stream",
        ":message-type": "event",
    }


@pytest.mark.parametrize("size", [0, 1, 65_000, 300_000])
def test_parts_of_any_size_survive_the_crc_checks(size: int) -> None:
    payload = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    [message] = decode(eventstream.payload_part(payload))
    assert message["body"] == payload


def test_model_stream_error_carries_message_and_error_code() -> None:
    [message] = decode(eventstream.model_stream_error("connection reset", "StreamBroken"))
    assert message["status_code"] == 400
    assert message["headers"][":message-type"] == "exception"  # type: ignore[index]
    assert message["headers"][":exception-type"] == "ModelStreamError"  # type: ignore[index]
    assert json.loads(message["body"]) == {"Message": "connection reset", "ErrorCode": "StreamBroken"}  # type: ignore[arg-type]


def test_several_messages_split_at_arbitrary_points_decode_in_order() -> None:
    data = b"".join(eventstream.payload_part(f"part {i}".encode()) for i in range(5))
    data += eventstream.internal_stream_failure("gone")
    buffer = EventStreamBuffer()
    decoded = []
    for start in range(0, len(data), 7):  # 7-byte chunks cut preludes, headers and CRCs apart
        buffer.add_data(data[start : start + 7])
        decoded.extend(message.to_response_dict() for message in buffer)
    assert [m["body"] for m in decoded[:5]] == [f"part {i}".encode() for i in range(5)]
    assert decoded[5]["headers"][":exception-type"] == "InternalStreamFailure"  # type: ignore[index]


def test_a_corrupted_byte_is_caught_by_the_message_crc() -> None:
    data = bytearray(eventstream.payload_part(b"hello"))
    data[-6] ^= 0xFF  # inside the payload
    with pytest.raises(ChecksumMismatch):
        decode(bytes(data))


class _RawStream:
    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self) -> list[bytes]:
        return [self._data]

    def close(self) -> None:
        pass


def _sagemaker_events(data: bytes) -> EventStream:
    """Parse `data` exactly as boto3 parses an InvokeEndpointWithResponseStream body."""
    model = botocore.session.get_session().get_service_model("sagemaker-runtime")
    output = model.operation_model("InvokeEndpointWithResponseStream").output_shape
    return EventStream(_RawStream(data), output.members["Body"], EventStreamJSONParser(), "")


def test_botocore_turns_parts_into_payload_part_bytes_and_errors_into_event_stream_error() -> None:
    data = eventstream.payload_part(b'{"token": 1}\n') + eventstream.model_stream_error(
        "broke", "StreamBroken"
    )
    events = iter(_sagemaker_events(data))
    assert next(events) == {"PayloadPart": {"Bytes": b'{"token": 1}\n'}}
    with pytest.raises(EventStreamError) as raised:
        next(events)
    assert raised.value.response["Error"] == {"Code": "ModelStreamError", "Message": "broke"}


def test_botocore_reads_internal_stream_failure_by_code() -> None:
    with pytest.raises(EventStreamError) as raised:
        list(_sagemaker_events(eventstream.internal_stream_failure("unknown failure")))
    assert raised.value.response["Error"] == {"Code": "InternalStreamFailure", "Message": "unknown failure"}

"""Pulling a model's ready parts several at a time, framed as event-stream messages, in one worker-thread hop.

A thread hop (Starlette's run_in_threadpool) and an HTTP chunk write cost ~100–200 µs each, far more than a
demo model's step (~2 µs): paying both per part caps an unpaced stream near 5,000 parts/s. At full speed the
server therefore takes up to `max_parts` parts (or `budget_s` of work) per hop and sends their PayloadPart
messages as one HTTP chunk; each part is still its own event-stream message, as SageMaker sends "one or more
event-stream messages per chunk".
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

from local_endpoints import eventstream
from local_endpoints.models.base import ModelInputError

#: at most this many parts per hop, so a chunk stays small (~15 KB of generated text) and streams interleave
MAX_PARTS = 64
#: at most this much model work per hop, so the parts already pulled are not held back by slow steps
BUDGET_S = 0.002


@dataclass(frozen=True)
class Batch:
    """What one hop pulled: the framed PayloadPart messages of `count` parts, then whether the parts ended,
    and the error event to send after them when the model failed (the stream ends there)."""

    messages: bytes
    count: int
    ended: bool
    error: bytes | None = None


def pull_batch(parts: Iterator[bytes], max_parts: int = MAX_PARTS, budget_s: float = BUDGET_S) -> Batch:
    """Pull up to `max_parts` parts, stopping early once `budget_s` has passed, the parts end or the model
    fails. Blocking: call it from a worker thread, and only for models that produce parts without waiting
    (a part that blocks would hold back the ones already pulled)."""
    messages: list[bytes] = []
    deadline = time.perf_counter() + budget_s
    while len(messages) < max_parts:
        try:
            part = next(parts)
        except StopIteration:
            return Batch(b"".join(messages), len(messages), ended=True)
        except Exception as exc:
            return Batch(b"".join(messages), len(messages), ended=True, error=failure_event(exc))
        messages.append(eventstream.payload_part(part))
        if time.perf_counter() >= deadline:
            break
    return Batch(b"".join(messages), len(messages), ended=False)


def failure_event(exc: Exception) -> bytes:
    """The exception event that ends a stream whose model raised `exc` mid-stream: a ModelStreamError for an
    input the model refuses, an InternalStreamFailure for a crash."""
    if isinstance(exc, ModelInputError):
        return eventstream.model_stream_error(exc.message, "StreamBroken")
    return eventstream.internal_stream_failure(f"{type(exc).__name__}: {exc}")

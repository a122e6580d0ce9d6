"""Embeddings in parsed JSON, summarised: how many vectors, their dimension, and the first one's L2 norm,
min, max, mean and first values.

The shapes recognised: a list of numbers; a list of such lists of one length (TEI's `[[...]]`, a batch); an
object whose `embedding` or `embeddings` is one of those; OpenAI's `{"data": [{"embedding": [...]}, ...]}`.
A bare list (no key naming it) counts only from MIN_BARE_DIMENSION numbers, at least one of them written with
a fraction or an exponent: a short list of scores or a list of token ids is not an embedding. Pure; never
raises: a number too large for a float (10**400) means the list is not an embedding, and NaN or Infinity
values are counted apart from the figures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

MIN_BARE_DIMENSION = 32
FIRST_VALUES = 8


@dataclass(frozen=True)
class Embedding:
    """One or more vectors of one dimension. The figures are the first vector's, over its finite values
    (None when it has none); `non_finite` counts its NaN and Infinity values."""

    count: int
    dimension: int
    norm: float | None
    minimum: float | None
    maximum: float | None
    mean: float | None
    first: tuple[float, ...]
    non_finite: int
    shape: str  # where the vectors were found, in the answer's own terms


def find_embedding(value: Any) -> Embedding | None:
    """The embedding `value` (parsed JSON) holds, else None."""
    try:
        found = _vectors(value)
    except (OverflowError, RecursionError):  # an integer too large for a float
        return None
    if found is None:
        return None
    vectors, shape = found
    return _summary(vectors, shape)


def _vectors(value: Any) -> tuple[list[list[float]], str] | None:
    if isinstance(value, list):
        vectors = _one_or_many(value)
        if vectors and len(vectors[0]) >= MIN_BARE_DIMENSION and _any_fraction(value):
            return vectors, "a list of numbers" if _is_numbers(value) else "a list of vectors"
        return None
    if not isinstance(value, dict):
        return None
    for key in ("embedding", "embeddings"):
        inner = value.get(key)
        if isinstance(inner, list) and (vectors := _one_or_many(inner)):
            return vectors, f'"{key}"'
    data = value.get("data")
    if isinstance(data, list) and data and all(isinstance(item, dict) for item in data):
        inner = [item.get("embedding") for item in data]
        if all(isinstance(vector, list) and vector and _is_numbers(vector) for vector in inner):
            vectors = [_floats(vector) for vector in inner]
            if len({len(vector) for vector in vectors}) == 1:
                return vectors, '"data[].embedding"'
    return None


def _one_or_many(value: list[Any]) -> list[list[float]] | None:
    """[numbers] → one vector; [[numbers], ...] of one length → several; anything else → None."""
    if value and _is_numbers(value):
        return [_floats(value)]
    if (
        value
        and all(isinstance(item, list) and item and _is_numbers(item) for item in value)
        and len({len(item) for item in value}) == 1
    ):
        return [_floats(item) for item in value]
    return None


def _is_numbers(items: list[Any]) -> bool:
    return all(type(item) is float or type(item) is int for item in items)  # bool is not a number here


def _any_fraction(value: list[Any]) -> bool:
    first = value[0] if value and isinstance(value[0], list) else value
    return any(type(item) is float for item in first)


def _floats(items: list[Any]) -> list[float]:
    return [float(item) for item in items]  # OverflowError for an int past float's range: caught above


def _summary(vectors: list[list[float]], shape: str) -> Embedding:
    vector = vectors[0]
    finite = [x for x in vector if math.isfinite(x)]
    norm = minimum = maximum = mean = None
    if finite:
        norm = math.sqrt(_total(x * x for x in finite))
        minimum, maximum = min(finite), max(finite)
        mean = _total(finite) / len(finite)
    return Embedding(
        count=len(vectors),
        dimension=len(vector),
        norm=norm,
        minimum=minimum,
        maximum=maximum,
        mean=mean,
        first=tuple(vector[:FIRST_VALUES]),
        non_finite=len(vector) - len(finite),
        shape=shape,
    )


def _total(values: Any) -> float:
    values = list(values)
    try:
        return math.fsum(values)
    except OverflowError:  # finite values whose exact sum is past float's range
        return math.inf if sum(values) > 0 else -math.inf

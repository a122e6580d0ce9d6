"""Column labels for CSV rows: the first row when it reads as a header, else "column 1", "column 2", ...

A first row is a header when every cell of it is a non-empty word that is not a number, and under at least
one of those cells the column holds numbers only (`price` over 4.5, 3.0, ...). A CSV of words alone cannot be
told apart from its header, so it gets numbered labels: a header shown as a data row loses nothing, a data row
taken for a header would hide the first answer. Pure; never raises.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

SAMPLE_ROWS = 50  # rows under the first one looked at to tell a header
_NUMBER_CHARS = 40  # longer cells are not read as numbers (float() of a 5,000-digit cell is slow and inf)


@dataclass(frozen=True)
class Columns:
    """The table's column labels (unique, as many as the widest row), whether the first row gave them (and
    is then not a data row), and which columns hold numbers only."""

    labels: tuple[str, ...]
    header: bool
    numeric: tuple[bool, ...]


def columns_of(rows: list[list[str]]) -> Columns:
    width = max((len(row) for row in rows), default=0)
    first, sample = (rows[0] if rows else []), rows[1 : 1 + SAMPLE_ROWS]
    numeric = tuple(_numeric_column(sample, index) for index in range(width))
    header = bool(sample) and _is_header(first, numeric)
    names = list(first) if header else []
    names += [f"column {index + 1}" for index in range(len(names), width)]
    if not header:
        numeric = tuple(_numeric_column(rows[: 1 + SAMPLE_ROWS], index) for index in range(width))
    return Columns(tuple(_unique(names)), header, numeric)


def _is_header(first: list[str], numeric: tuple[bool, ...]) -> bool:
    words = [cell.strip() for cell in first]
    if not words or any(not word or is_number(word) for word in words):
        return False
    return any(numeric[index] for index in range(len(words)) if index < len(numeric))


def _numeric_column(rows: list[list[str]], index: int) -> bool:
    cells = [row[index].strip() for row in rows if index < len(row) and row[index].strip()]
    return bool(cells) and all(is_number(cell) for cell in cells)


def is_number(cell: str) -> bool:
    """A finite decimal number as CSV writes them ("4.5", "-1e-3"); "nan", "inf" and 5,000 digits are not."""
    if len(cell) > _NUMBER_CHARS:
        return False
    try:
        return math.isfinite(float(cell))
    except ValueError:
        return False


def _unique(names: list[str]) -> list[str]:
    """The same label twice becomes "a", "a (2)": a table's columns need distinct names."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        label = name
        while label in seen:
            seen[name] += 1
            label = f"{name} ({seen[name]})"
        seen[label] = 1
        out.append(label)
    return out

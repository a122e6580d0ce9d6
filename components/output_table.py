"""CSV as a table: its own column names when its first row is a header, else "column 1", "column 2", ...;
columns of numbers as numbers (they sort and align as numbers); the first TABLE_LIMIT_ROWS rows."""

from __future__ import annotations

import functools
from typing import Any

import streamlit as st

from services.output_display import TABLE_LIMIT_ROWS, Display
from services.output_table import is_number

_EXACT_DIGITS = 15  # longer integers (ids) lose digits as floats: such a column stays text


def draw(shown: Display, body: bytes, key: str) -> None:
    st.dataframe(_table(shown), hide_index=True)
    st.caption(describe(shown))


def describe(shown: Display) -> str:
    """'3 rows × 2 columns · column names from the first row' (and how many rows are shown, when cut)."""
    columns = shown.columns
    width = len(columns.labels) if columns is not None else 0
    rows = f"{shown.row_total:,} row{'s' if shown.row_total != 1 else ''}"
    if shown.row_total > TABLE_LIMIT_ROWS:
        rows = f"The first {TABLE_LIMIT_ROWS:,} of {shown.row_total:,} rows"
    named = columns is not None and columns.header
    where = "column names from the first row" if named else "no header row: columns numbered"
    return f"{rows} × {width:,} column{'s' if width != 1 else ''} · {where}"


@functools.lru_cache(maxsize=64)
def _table(shown: Display) -> Any:
    """The rows as an Arrow table, once per output (a Display is one object per body, kept by
    services.output_display): each later run sends it again without converting anything."""
    import pyarrow as pa

    columns = shown.columns
    rows = shown.rows or []
    if columns is None or not columns.labels:
        return pa.table({"column 1": pa.array([], pa.string())})
    data: dict[str, Any] = {}
    for index, label in enumerate(columns.labels):
        cells = [row[index] if index < len(row) else "" for row in rows]
        numbers = _numbers(cells) if columns.numeric[index] else None
        data[label] = pa.array(cells, pa.string()) if numbers is None else pa.array(numbers, pa.float64())
    return pa.table(data)


def _numbers(cells: list[str]) -> list[float | None] | None:
    """The cells as numbers (an empty one as none), or None when one of them is not a number a float
    holds exactly enough (the column is then shown as its text)."""
    out: list[float | None] = []
    for cell in cells:
        text = cell.strip()
        if not text:
            out.append(None)
        elif is_number(text) and not (text.lstrip("+-").isdigit() and len(text.lstrip("+-")) > _EXACT_DIGITS):
            out.append(float(text))
        else:
            return None
    return out

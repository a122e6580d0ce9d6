"""A real regression model in the style of SageMaker's built-in algorithms (Linear Learner, XGBoost): text/csv
rows of numbers in, one prediction per line out. Least squares, fitted with numpy at load time on
data/houses.csv."""

from __future__ import annotations

import math
from importlib import resources

import numpy as np

from local_endpoints.models.base import ModelInputError, ModelResponse, ModelStream
from local_endpoints.models.payloads import decode_utf8, json_bytes, negotiate, whole_as_stream

#: what each CSV column means, in order (the training file has the label, price in thousands, before them)
FEATURES = ("floor_area_m2", "bedrooms", "age_years", "distance_to_centre_km")
_EXAMPLE_ROW = "120,3,15,4.5"


class CsvRegressor:
    """House prices (thousands) from four numbers per row: floor area m², bedrooms, age in years, km to
    centre.

    Request: text/csv, no header, one house per line, e.g. `120,3,15,4.5`. Response: text/csv with one
    prediction per line, or with `Accept: application/json`, `{"predictions": [{"score": 312.5}]}` like
    built-in algorithms."""

    accepts = ("text/csv",)
    image = "382416733822.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1"
    feature_names = FEATURES

    def __init__(self) -> None:
        source = resources.files("local_endpoints.models").joinpath("data/houses.csv").read_text("utf-8")
        table = np.loadtxt(source.splitlines(), delimiter=",", comments="#", ndmin=2)
        labels, inputs = table[:, 0], table[:, 1:]
        design = np.column_stack([np.ones(len(inputs)), inputs])
        solution, *_ = np.linalg.lstsq(design, labels, rcond=None)
        #: fitted intercept and one coefficient per feature, in FEATURES order
        self.intercept = float(solution[0])
        self.coefficients = solution[1:]

    def predict(self, rows: np.ndarray) -> np.ndarray:
        """Predictions for a (n, 4) array of feature rows."""
        return rows @ self.coefficients + self.intercept

    def invoke(self, body: bytes, content_type: str, accept: str | None) -> ModelResponse:
        """Predict every CSV row. Raises ModelInputError(400) naming the first bad row, or (406) for an Accept
        type other than text/csv or application/json."""
        answer_type = negotiate(accept, ("text/csv", "application/json"))
        scores = [round(float(v), 4) for v in self.predict(read_rows(body))]
        if answer_type == "application/json":
            return ModelResponse(
                json_bytes({"predictions": [{"score": s} for s in scores]}), "application/json"
            )
        return ModelResponse("".join(f"{s}\n" for s in scores).encode(), "text/csv")

    def stream(self, body: bytes, content_type: str, accept: str | None) -> ModelStream:
        """The whole answer as one part: built-in algorithms do not stream."""
        return whole_as_stream(self.invoke(body, content_type, accept))


def read_rows(body: bytes) -> np.ndarray:
    """The request's rows as an (n, 4) float array; blank lines are skipped, rows are numbered from 1."""
    rows: list[list[float]] = []
    for number, line in enumerate(decode_utf8(body).splitlines(), start=1):
        if not line.strip():
            continue
        cells = line.split(",")
        if len(cells) != len(FEATURES):
            raise ModelInputError(
                400,
                f"Row {number} has {len(cells)} values; the model expects {len(FEATURES)} "
                f"({', '.join(FEATURES)}), e.g. {_EXAMPLE_ROW}.",
            )
        rows.append([_number(cell, number, column) for column, cell in enumerate(cells, start=1)])
    if not rows:
        raise ModelInputError(
            400,
            f"The request body has no CSV rows: send one house per line as {len(FEATURES)} numbers "
            f"({', '.join(FEATURES)}), e.g. {_EXAMPLE_ROW}.",
        )
    return np.array(rows)


def _number(cell: str, row: int, column: int) -> float:
    try:
        value = float(cell)
    except ValueError:
        raise ModelInputError(400, f"Row {row}, column {column}: {cell.strip()!r} is not a number.") from None
    if not math.isfinite(value):
        raise ModelInputError(400, f"Row {row}, column {column}: {cell.strip()!r} is not a finite number.")
    return value

"""The demo CSV regressor behaves like SageMaker's built-in algorithms: text/csv rows in, one prediction per
line out (or JSON on request), predictions from a least-squares fit, and a 400 naming the bad row."""

from __future__ import annotations

import json
from importlib import resources

import numpy as np
import pytest

from local_endpoints.models import CsvRegressor, ModelInputError


@pytest.fixture(scope="module")
def regressor() -> CsvRegressor:
    return CsvRegressor()


def _numpy_prediction(row: list[float]) -> float:
    """An independent least-squares fit of the shipped training file (label first, as built-in algorithms)."""
    source = resources.files("local_endpoints.models").joinpath("data/houses.csv").read_text("utf-8")
    table = np.loadtxt(source.splitlines(), delimiter=",", comments="#")
    design = np.column_stack([np.ones(len(table)), table[:, 1:]])
    weights = np.linalg.lstsq(design, table[:, 0], rcond=None)[0]
    return float(weights @ np.array([1.0, *row]))


def test_predictions_match_numpy_least_squares_one_per_line(regressor: CsvRegressor) -> None:
    response = regressor.invoke(b"120,3,15,4.5\n60,1,80,20\n", "text/csv", "text/csv")
    assert response.content_type == "text/csv"
    lines = response.body.decode().splitlines()
    assert len(lines) == 2 and response.body.endswith(b"\n")
    assert float(lines[0]) == pytest.approx(_numpy_prediction([120, 3, 15, 4.5]), abs=1e-3)
    assert float(lines[1]) == pytest.approx(_numpy_prediction([60, 1, 80, 20]), abs=1e-3)
    assert float(lines[0]) > float(lines[1])  # a bigger, newer, central house costs more


def test_the_fit_recovers_the_sign_of_every_feature(regressor: CsvRegressor) -> None:
    area, bedrooms, age, distance = regressor.coefficients
    assert area > 0 and bedrooms > 0 and age < 0 and distance < 0


def test_json_accept_answers_like_built_in_algorithms(regressor: CsvRegressor) -> None:
    response = regressor.invoke(b"120,3,15,4.5", "text/csv", "application/json")
    assert response.content_type == "application/json"
    [prediction] = json.loads(response.body)["predictions"]
    assert prediction["score"] == pytest.approx(_numpy_prediction([120, 3, 15, 4.5]), abs=1e-3)


def test_blank_lines_crlf_and_spaces_are_tolerated(regressor: CsvRegressor) -> None:
    lines = regressor.invoke(b"120, 3, 15, 4.5\r\n\r\n60,1,80,20", "text/csv", None).body.splitlines()
    assert len(lines) == 2
    assert regressor.invoke(b"120,3,15,4.5", "text/csv", None).body.strip() == lines[0]


def test_stream_answers_everything_as_one_part(regressor: CsvRegressor) -> None:
    streamed = regressor.stream(b"120,3,15,4.5\n", "text/csv", None)
    assert streamed.content_type == "text/csv"
    assert list(streamed.parts) == [regressor.invoke(b"120,3,15,4.5\n", "text/csv", None).body]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            b"120,3,15,4.5\n120,3,15\n",
            "Row 2 has 3 values; the model expects 4 (floor_area_m2, bedrooms, age_years, "
            "distance_to_centre_km), e.g. 120,3,15,4.5.",
        ),
        (
            b"120,3,15,4.5,1\n",
            "Row 1 has 5 values; the model expects 4 (floor_area_m2, bedrooms, age_years, "
            "distance_to_centre_km), e.g. 120,3,15,4.5.",
        ),
        (b"120,3,15,4.5\n\n80,two,15,4\n", "Row 3, column 2: 'two' is not a number."),
        (b"120,3,nan,4\n", "Row 1, column 3: 'nan' is not a finite number."),
        (
            b"\n \n",
            "The request body has no CSV rows: send one house per line as 4 numbers (floor_area_m2, "
            "bedrooms, age_years, distance_to_centre_km), e.g. 120,3,15,4.5.",
        ),
        (b"\x80,1,2,3", "The request body is not UTF-8 text (bad byte at offset 0)."),
    ],
)
def test_bad_rows_are_a_400_naming_the_row(regressor: CsvRegressor, body: bytes, message: str) -> None:
    with pytest.raises(ModelInputError) as caught:
        regressor.invoke(body, "text/csv", None)
    assert caught.value.original_status == 400
    assert caught.value.message == message


def test_an_unsupported_accept_type_is_a_406(regressor: CsvRegressor) -> None:
    with pytest.raises(ModelInputError) as caught:
        regressor.invoke(b"120,3,15,4.5", "text/csv", "image/png")
    assert caught.value.original_status == 406
    assert "this model answers text/csv, application/json" in caught.value.message


def test_describes_itself_like_a_built_in_algorithm(regressor: CsvRegressor) -> None:
    assert regressor.accepts == ("text/csv",)
    assert regressor.image == "382416733822.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1"

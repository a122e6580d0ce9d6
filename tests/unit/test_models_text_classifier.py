"""The demo sentiment classifier: real predictions for SageMaker's documented request, every accepted request
shape, and a clear 400 for input a container could not use."""

from __future__ import annotations

import json
import time

import pytest

from local_endpoints.models import ModelInputError, TextClassifier


@pytest.fixture(scope="module")
def classifier() -> TextClassifier:
    return TextClassifier()


def _predict(model: TextClassifier, body: bytes, content_type: str = "application/json") -> list[dict]:
    response = model.invoke(body, content_type, "application/json")
    assert response.content_type == "application/json"
    return json.loads(response.body)["predictions"]


def test_the_documented_sample_request_is_positive(classifier: TextClassifier) -> None:
    [prediction] = _predict(classifier, b'{"features": ["This is great!"]}')
    assert prediction["label"] == "positive"
    assert prediction["score"] > 0.9
    assert set(prediction["scores"]) == {"negative", "neutral", "positive"}
    assert sum(prediction["scores"].values()) == pytest.approx(1, abs=1e-3)
    assert prediction["score"] == max(prediction["scores"].values())


def test_negative_and_neutral_texts_get_their_labels(classifier: TextClassifier) -> None:
    texts = [
        "The food was cold and the waiter was rude, a terrible evening.",
        "I do not like it, it broke after one day.",
        "The train leaves from platform two at noon.",
        "Wonderful staff and a lovely, quiet room.",
    ]
    labels = [p["label"] for p in _predict(classifier, json.dumps({"features": texts}).encode())]
    assert labels == ["negative", "negative", "neutral", "positive"]


def test_every_accepted_request_shape_classifies_the_same_text(classifier: TextClassifier) -> None:
    bodies = [
        (b'{"inputs": "This is great!"}', "application/json"),
        (b'{"inputs": ["This is great!"]}', "application/json"),
        (b'{"instances": ["This is great!"]}', "application/json"),
        (b'{"instances": [{"features": ["This is great!"]}]}', "application/json"),
        (b'["This is great!"]', "application/json"),
        (b'"This is great!"', "application/json; charset=utf-8"),
        (b"This is great!", "text/plain"),
    ]
    expected = _predict(classifier, b'{"features": ["This is great!"]}')
    for body, content_type in bodies:
        assert _predict(classifier, body, content_type) == expected, body


def test_stream_answers_the_whole_prediction_as_one_part(classifier: TextClassifier) -> None:
    streamed = classifier.stream(b'{"features": ["fine"]}', "application/json", None)
    assert streamed.content_type == "application/json"
    assert list(streamed.parts) == [
        classifier.invoke(b'{"features": ["fine"]}', "application/json", None).body
    ]


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (
            b"{oops",
            "application/json",
            "The request body is not valid JSON: Expecting property name enclosed in "
            "double quotes: line 1 column 2 (char 1).",
        ),
        (b"", "application/json", "The request body is empty: send a JSON document."),
        (
            b'{"text_inputs": ["hi"]}',
            "application/json",
            'Expected "features", "inputs" or "instances" with the texts to classify (found "text_inputs"), '
            'e.g. {"features": ["This is great!"]}.',
        ),
        (
            b'{"features": []}',
            "application/json",
            'No texts to classify: "features" is empty; e.g. {"features": ["This is great!"]}.',
        ),
        (
            b'{"features": ["ok", 42]}',
            "application/json",
            '"features" must hold strings; item 2 is a number.',
        ),
        (
            b'{"inputs": {"a": 1}}',
            "application/json",
            '"inputs" must be a string or a list of strings, not an object; '
            'e.g. {"features": ["This is great!"]}.',
        ),
        (b"   ", "text/plain", "The request body is empty: send the text to classify."),
        (b"\xff\xfe", "text/plain", "The request body is not UTF-8 text (bad byte at offset 0)."),
    ],
)
def test_unusable_input_is_a_400_with_a_clear_message(
    classifier: TextClassifier, body: bytes, content_type: str, message: str
) -> None:
    with pytest.raises(ModelInputError) as caught:
        classifier.invoke(body, content_type, None)
    assert caught.value.original_status == 400
    assert caught.value.message == message


def test_an_accept_type_it_cannot_write_is_a_406(classifier: TextClassifier) -> None:
    with pytest.raises(ModelInputError) as caught:
        classifier.invoke(b'{"features": ["hi"]}', "application/json", "text/csv")
    assert caught.value.original_status == 406
    assert (
        caught.value.message
        == "Accept type 'text/csv' is not supported; this model answers application/json."
    )
    assert (
        classifier.invoke(b'{"features": ["hi"]}', "application/json", "*/*").content_type
        == "application/json"
    )


def test_describes_itself_and_loads_quickly() -> None:
    started = time.perf_counter()
    model = TextClassifier()
    assert time.perf_counter() - started < 2.0
    assert model.accepts == ("application/json", "text/plain")
    assert model.image.startswith(
        "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-inference:"
    )

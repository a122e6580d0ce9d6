"""demo-text-embedder through the server and a real boto3 client: TEI's request and answer, similar texts
closer than unrelated ones, and every refusal with TEI's status and a message that says what to send."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
from botocore.exceptions import ClientError

ENDPOINT = "demo-text-embedder"
DEPLOY = "How do I deploy a model to a SageMaker endpoint?"
DEPLOYING = "Deploying a trained model to an endpoint for real-time predictions."
TIDE = "The tide comes in over the sand at night."
BREAD = "Bake the bread in a hot oven."
COOKING = "Cooking dinner with fresh vegetables and herbs."
LATENCY = "The latency of a GPU instance."
EXAMPLE = '{"inputs": "What is Amazon SageMaker?"}'


def invoke(runtime_client: Any, body: Any, **params: Any) -> Any:
    """The endpoint's answer to `body` (JSON-encoded unless it is bytes)."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    params.setdefault("ContentType", "application/json")
    response = runtime_client.invoke_endpoint(EndpointName=ENDPOINT, Body=raw, **params)
    response["Body"] = response["Body"].read()
    return response


def embed(runtime_client: Any, inputs: Any, **fields: Any) -> np.ndarray:
    response = invoke(runtime_client, {"inputs": inputs, **fields})
    assert response["ContentType"] == "application/json"
    return np.array(json.loads(response["Body"]))


def model_error(raised: pytest.ExceptionInfo[ClientError]) -> tuple[str, int, int, str]:
    """(code, HTTP status, the container's status, the container's message) of a refused invocation."""
    response = raised.value.response
    return (
        response["Error"]["Code"],
        response["ResponseMetadata"]["HTTPStatusCode"],
        response.get("OriginalStatusCode"),
        response.get("OriginalMessage"),
    )


def test_one_text_is_one_unit_vector_of_64_numbers(runtime_client: Any) -> None:
    [vector] = embed(runtime_client, DEPLOY)
    assert vector.shape == (64,)
    assert np.linalg.norm(vector) == pytest.approx(1, abs=1e-4)


def test_a_list_is_one_vector_per_text_in_order(runtime_client: Any) -> None:
    vectors = embed(runtime_client, [DEPLOY, TIDE, DEPLOY])
    assert vectors.shape == (3, 64)
    assert vectors[0].tolist() == vectors[2].tolist()  # the same text, the same vector
    assert vectors[0].tolist() == embed(runtime_client, DEPLOY)[0].tolist()  # alone or in a batch


@pytest.mark.parametrize(
    ("text", "similar", "unrelated"),
    [
        (DEPLOY, DEPLOYING, TIDE),
        (BREAD, COOKING, LATENCY),
        ("Streaming tokens from a TGI container.", "The response arrives as a stream of events.", BREAD),
    ],
)
def test_similar_texts_are_closer_than_unrelated_ones(
    runtime_client: Any, text: str, similar: str, unrelated: str
) -> None:
    vectors = embed(runtime_client, [text, similar, unrelated])
    close, far = vectors[0] @ vectors[1], vectors[0] @ vectors[2]
    assert close > 0.25
    assert close > far + 0.2


def test_normalize_false_keeps_the_length_and_the_direction(runtime_client: Any) -> None:
    [raw] = embed(runtime_client, DEPLOY, normalize=False)
    [unit] = embed(runtime_client, DEPLOY)
    assert np.linalg.norm(raw) != pytest.approx(1, abs=1e-3)
    assert raw / np.linalg.norm(raw) == pytest.approx(unit, abs=1e-5)


def test_a_text_with_nothing_in_common_with_the_corpus_is_the_zero_vector(runtime_client: Any) -> None:
    [vector] = embed(runtime_client, "日本語")
    assert vector.tolist() == [0.0] * 64


def test_truncate_embeds_the_first_512_tokens(runtime_client: Any) -> None:
    words = [("deploy", "a", "model", "endpoint")[i % 4] for i in range(512)] + ["tide", "sand"] * 50
    [cut] = embed(runtime_client, " ".join(words), truncate=True)
    assert cut.tolist() == embed(runtime_client, " ".join(words[:512]))[0].tolist()
    [from_left] = embed(runtime_client, " ".join(words), truncate=True, truncation_direction="left")
    assert from_left.tolist() == embed(runtime_client, " ".join(words[-512:]))[0].tolist()


def test_streaming_answers_the_whole_json_as_one_part(runtime_client: Any) -> None:
    response = runtime_client.invoke_endpoint_with_response_stream(
        EndpointName=ENDPOINT,
        Body=json.dumps({"inputs": [DEPLOY, TIDE]}).encode(),
        ContentType="application/json",
    )
    [event] = list(response["Body"])
    assert response["ContentType"] == "application/json"
    assert json.loads(event["PayloadPart"]["Bytes"]) == embed(runtime_client, [DEPLOY, TIDE]).tolist()


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (b"", 400, "The request body is empty: send a JSON document."),
        (
            b'"hello"',
            422,
            f'The request body must be a JSON object with "inputs", not a string; e.g. {EXAMPLE}.',
        ),
        ({"text": "hi"}, 422, f'Expected "inputs" with the text to embed (found "text"); e.g. {EXAMPLE}.'),
        (
            {"inputs": 5},
            422,
            f'"inputs" must be a string or a list of strings, not a number; e.g. {EXAMPLE}.',
        ),
        ({"inputs": []}, 400, "`inputs` cannot be empty"),
        ({"inputs": ""}, 400, "`inputs` cannot be empty (item 1 is an empty string)"),
        (
            {"inputs": ["fine", [101, 2023]]},
            422,
            '"inputs" must hold strings; item 2 is a list (this demo reads text, not token ids).',
        ),
        ({"inputs": ["a"] * 33}, 413, "batch size 33 > maximum allowed batch size 32"),
        (
            {"inputs": "word " * 600},
            413,
            "Input validation error: `inputs` must have less than 512 tokens. Given: 600. "
            'Send "truncate": true to embed only the first 512.',
        ),
        (
            {"inputs": "a" * 10_000},
            413,
            "Input validation error: `inputs` must have less than 512 tokens. Given: 1250. "
            'Send "truncate": true to embed only the first 512.',
        ),
        ({"inputs": "hi", "normalize": "yes"}, 422, '"normalize" must be true or false, not a string.'),
        ({"inputs": "hi", "truncate": 1}, 422, '"truncate" must be true or false, not a number.'),
        (
            {"inputs": "hi", "truncation_direction": "up"},
            422,
            "\"truncation_direction\" must be \"right\" or \"left\", not 'up'.",
        ),
    ],
    ids=[
        "empty", "not-an-object", "no-inputs", "number", "empty-list", "empty-string", "token-ids",
        "batch-too-big", "too-long", "one-long-word", "normalize", "truncate", "direction",
    ],
)  # fmt: skip
def test_bad_requests_are_refused_with_tei_statuses(
    runtime_client: Any, body: Any, status: int, message: str
) -> None:
    with pytest.raises(ClientError) as raised:
        invoke(runtime_client, body)
    assert model_error(raised) == ("ModelError", 424, status, message)


def test_a_body_that_is_not_json_is_a_400_with_the_parser_s_position(runtime_client: Any) -> None:
    with pytest.raises(ClientError) as raised:
        invoke(runtime_client, b"inputs: hello")
    assert model_error(raised) == (
        "ModelError",
        424,
        400,
        "The request body is not valid JSON: Expecting value: line 1 column 1 (char 0).",
    )


def test_an_answer_it_cannot_give_is_a_406(runtime_client: Any) -> None:
    with pytest.raises(ClientError) as raised:
        invoke(runtime_client, {"inputs": "hi"}, Accept="text/csv")
    assert model_error(raised) == (
        "ModelError",
        424,
        406,
        "Accept type 'text/csv' is not supported; this model answers application/json.",
    )


def test_plain_text_is_a_validation_error(runtime_client: Any) -> None:
    with pytest.raises(ClientError) as raised:
        invoke(runtime_client, b"hello", ContentType="text/plain")
    assert raised.value.response["Error"] == {
        "Code": "ValidationError",
        "Message": "Content type text/plain is not supported by endpoint demo-text-embedder: "
        "its model reads application/json.",
    }

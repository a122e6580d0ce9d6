"""Each demo model answering through the server and a real boto3 client: the generators' whole answers in
every container format, their parameters, the image endpoint with both image types, the A/B endpoint
streaming."""

from __future__ import annotations

import io
import json
from collections import Counter
from typing import Any

import pytest
from botocore.exceptions import ClientError
from PIL import Image

GENERATORS = ["demo-tgi-generator", "demo-lmi-generator", "demo-lmi-legacy-generator"]


def invoke(runtime_client: Any, endpoint: str, body: bytes, content_type: str, **params: Any) -> Any:
    response = runtime_client.invoke_endpoint(
        EndpointName=endpoint, Body=body, ContentType=content_type, **params
    )
    response["Body"] = response["Body"].read()
    return response


def generate(runtime_client: Any, endpoint: str, **parameters: Any) -> Any:
    body = json.dumps({"inputs": "The river", "parameters": parameters}).encode()
    return invoke(runtime_client, endpoint, body, "application/json")


def generated_text(endpoint: str, answer: bytes) -> str:
    """The text of a whole answer, read the way each container writes it."""
    document = json.loads(answer)
    if endpoint == "demo-tgi-generator":
        [result] = document  # TGI answers a list of one result
        return str(result["generated_text"])
    if endpoint == "demo-lmi-generator":
        return str(document["generated_text"])
    [text] = document["outputs"]  # the older LMI handlers
    return str(text)


@pytest.mark.parametrize("endpoint", GENERATORS)
def test_whole_answer_in_each_container_format(runtime_client: Any, endpoint: str) -> None:
    response = generate(runtime_client, endpoint, max_new_tokens=8, seed=3, ignore_eos_token=True)
    assert response["ContentType"] == "application/json"
    text = generated_text(endpoint, response["Body"])
    assert text.strip()
    again = generate(runtime_client, endpoint, max_new_tokens=8, seed=3, ignore_eos_token=True)
    assert generated_text(endpoint, again["Body"]) == text  # the seed makes it reproducible


@pytest.mark.parametrize("endpoint", GENERATORS)
def test_max_new_tokens_temperature_and_seed_are_honoured(runtime_client: Any, endpoint: str) -> None:
    def tokens(**parameters: Any) -> list[bytes]:
        response = runtime_client.invoke_endpoint_with_response_stream(
            EndpointName=endpoint,
            Body=json.dumps({"inputs": "The river", "parameters": parameters, "stream": True}).encode(),
            ContentType="application/json",
        )
        return [event["PayloadPart"]["Bytes"] for event in response["Body"]]

    assert len(tokens(max_new_tokens=7, ignore_eos_token=True)) == 7
    greedy = [tokens(max_new_tokens=12, temperature=0, ignore_eos_token=True) for _ in range(2)]
    assert greedy[0] == greedy[1]  # temperature 0 is greedy: no seed needed
    sampled = Counter(
        b"".join(tokens(max_new_tokens=12, temperature=1.5, seed=seed, ignore_eos_token=True))
        for seed in range(6)
    )
    assert len(sampled) > 1  # different seeds, different answers
    assert tokens(max_new_tokens=12, temperature=1.5, seed=4) == tokens(
        max_new_tokens=12, temperature=1.5, seed=4
    )


def test_chat_answer_whole_is_an_openai_completion(runtime_client: Any) -> None:
    body = json.dumps({"messages": [{"role": "user", "content": "Tell me about rivers"}], "max_tokens": 9})
    response = invoke(runtime_client, "demo-tgi-generator", body.encode(), "application/json")
    completion = json.loads(response["Body"])
    assert completion["object"] == "chat.completion"
    assert completion["choices"][0]["message"]["role"] == "assistant"
    assert completion["choices"][0]["message"]["content"]
    assert completion["usage"]["completion_tokens"] <= 9


@pytest.mark.parametrize(("image_format", "content_type"), [("PNG", "image/png"), ("JPEG", "image/jpeg")])
def test_image_endpoint_reads_png_and_jpeg(runtime_client: Any, image_format: str, content_type: str) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 200, 40)).save(buffer, format=image_format)
    response = invoke(runtime_client, "demo-image-inspector", buffer.getvalue(), content_type)
    described = json.loads(response["Body"])
    assert response["ContentType"] == "application/json"
    assert (described["width"], described["height"]) == (40, 30)
    assert described["format"] == image_format


def test_image_endpoint_refuses_a_type_it_cannot_read(runtime_client: Any) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, format="GIF")
    with pytest.raises(ClientError) as raised:
        invoke(runtime_client, "demo-image-inspector", buffer.getvalue(), "image/gif")
    assert raised.value.response["Error"] == {
        "Code": "ValidationError",
        "Message": "Content type image/gif is not supported by endpoint demo-image-inspector: "
        "its model reads image/png, image/jpeg, application/x-image.",
    }


def test_csv_in_csv_out(runtime_client: Any) -> None:
    response = invoke(runtime_client, "demo-csv-regressor", b"120,3,15,4.5\n200,4,5,2.0\n", "text/csv")
    prices = [float(line) for line in response["Body"].decode().splitlines()]
    assert response["ContentType"] == "text/csv"
    assert len(prices) == 2
    assert prices[1] > prices[0]  # bigger, newer, closer: a fitted model, not a canned reply


def test_ab_endpoint_streams_from_the_variant_asked_for(runtime_client: Any) -> None:
    for variant in ("variant-a", "variant-b"):
        response = runtime_client.invoke_endpoint_with_response_stream(
            EndpointName="demo-ab-test",
            Body=b'{"features": ["This is great!"]}',
            ContentType="application/json",
            TargetVariant=variant,
        )
        [event] = list(response["Body"])
        assert json.loads(event["PayloadPart"]["Bytes"])["predictions"][0]["label"] == "positive"
        assert response["InvokedProductionVariant"] == variant

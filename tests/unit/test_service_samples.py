"""Sample request bodies guessed from container images."""

from __future__ import annotations

import json

from services.endpoints import EndpointDetails, InferenceComponentSummary, VariantDetails
from services.samples import sample_request

DLC = "763104351884.dkr.ecr.us-east-1.amazonaws.com"


def details(*images: str, components: tuple[InferenceComponentSummary, ...] = ()) -> EndpointDetails:
    return EndpointDetails(
        name="e",
        arn=None,
        status="InService",
        config_name=None,
        created_at=None,
        modified_at=None,
        failure_reason=None,
        variants=(VariantDetails(name="AllTraffic", images=images),),
        is_async=False,
        inference_components=components,
    )


def test_tgi_and_lmi_images_get_the_generation_format() -> None:
    for image in (
        f"{DLC}/huggingface-pytorch-tgi-inference:2.4.0-tgi3.0.1-gpu-py311-cu124-ubuntu22.04",
        f"{DLC}/djl-inference:0.31.0-lmi13.0.0-cu124",
        f"{DLC}/djl-inference:0.23.0-deepspeed0.9.5-cu118",
        "123.dkr.ecr.us-east-1.amazonaws.com/vllm:0.6",
    ):
        body, content_type = sample_request(details(image))
        value = json.loads(body)
        assert content_type == "application/json"
        assert set(value) == {"inputs", "parameters", "stream"}, image
        assert value["stream"] is True
        assert value["parameters"]["max_new_tokens"] > 0


def test_chat_images_get_messages() -> None:
    body, content_type = sample_request(details("123.dkr.ecr.us-east-1.amazonaws.com/vllm-openai:latest"))
    value = json.loads(body)
    assert content_type == "application/json"
    assert value["messages"][-1]["role"] == "user"
    assert value["stream"] is True


def test_tabular_images_get_csv_rows() -> None:
    body, content_type = sample_request(
        details("683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1")
    )
    assert content_type == "text/csv"
    rows = [line.split(",") for line in body.splitlines()]
    assert len(rows) >= 1 and all(len(row) == len(rows[0]) for row in rows)
    assert all(float(cell) == float(cell) for row in rows for cell in row)


def test_unknown_images_get_the_features_sample() -> None:
    body, content_type = sample_request(details(f"{DLC}/pytorch-inference:2.3.0-cpu-py311"))
    assert (json.loads(body), content_type) == ({"features": ["This is great!"]}, "application/json")
    assert sample_request(details())[0] == body


def test_a_chosen_component_decides_by_its_own_image() -> None:
    components = (
        InferenceComponentSummary(
            "ic-classifier", None, "InService", "AllTraffic", None, f"{DLC}/pytorch-inference:2"
        ),
        InferenceComponentSummary(
            "ic-generator",
            None,
            "InService",
            "AllTraffic",
            None,
            f"{DLC}/huggingface-pytorch-tgi-inference:2",
        ),
    )
    endpoint = details(components=components)
    assert "inputs" in json.loads(sample_request(endpoint, component="ic-generator")[0])
    assert "features" in json.loads(sample_request(endpoint, component="ic-classifier")[0])


def test_registry_host_does_not_count() -> None:
    # "lmi" or "tgi" in an account alias or host must not turn a classifier into a generator
    body, _ = sample_request(details("tgi-lmi.example.com/team/pytorch-inference:1"))
    assert "features" in json.loads(body)

"""Sample requests guessed from what SageMaker says about an endpoint: images, environments, names."""

from __future__ import annotations

import json

import pytest

from services.chat_formats import ChatFormat, Container
from services.endpoints import EndpointDetails, InferenceComponentSummary, VariantDetails
from services.samples import SAMPLE_FILES, sample_request

DLC = "763104351884.dkr.ecr.us-east-1.amazonaws.com"


def details(
    *images: str, components: tuple[InferenceComponentSummary, ...] = (), name: str = "e"
) -> EndpointDetails:
    return EndpointDetails(
        name=name,
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
        sample = sample_request(details(image))
        value, content_type = json.loads(sample.body), sample.content_type
        assert content_type == "application/json"
        assert set(value) == {"inputs", "parameters", "stream"}, image
        assert value["stream"] is True
        assert value["parameters"]["max_new_tokens"] > 0


def test_chat_images_get_messages() -> None:
    sample = sample_request(details("123.dkr.ecr.us-east-1.amazonaws.com/vllm-openai:latest"))
    value, content_type = json.loads(sample.body), sample.content_type
    assert content_type == "application/json"
    assert value["messages"][-1]["role"] == "user"
    assert value["stream"] is True


def test_tabular_images_get_csv_rows() -> None:
    sample = sample_request(details("683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"))
    assert sample.content_type == "text/csv"
    rows = [line.split(",") for line in sample.body.decode().splitlines()]
    assert len(rows) >= 1 and all(len(row) == len(rows[0]) for row in rows)
    assert all(float(cell) == float(cell) for row in rows for cell in row)


def test_unknown_images_get_the_features_sample() -> None:
    sample = sample_request(details(f"{DLC}/pytorch-inference:2.3.0-cpu-py311"))
    assert (json.loads(sample.body), sample.content_type) == (
        {"features": ["This is great!"]},
        "application/json",
    )
    assert sample_request(details()) == sample


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
    assert "inputs" in json.loads(sample_request(endpoint, component="ic-generator").body)
    assert "features" in json.loads(sample_request(endpoint, component="ic-classifier").body)


def test_registry_host_does_not_count() -> None:
    # "lmi" or "tgi" in an account alias or host must not turn a classifier into a generator
    sample = sample_request(details("tgi-lmi.example.com/team/pytorch-inference:1"))
    assert "features" in json.loads(sample.body)


@pytest.mark.parametrize(
    ("environment", "fmt", "check"),
    [
        (
            {"MESSAGES_API_ENABLED": "true"},
            ChatFormat.MESSAGES,
            lambda v: v["messages"][-1]["role"] == "user",
        ),
        ({}, ChatFormat.TGI, lambda v: isinstance(v["inputs"], str) and v["stream"] is True),
        ({"OPTION_ROLLING_BATCH": "disable"}, ChatFormat.LMI_LEGACY, lambda v: isinstance(v["inputs"], list)),
    ],
)
def test_a_generator_gets_the_format_its_container_speaks(environment, fmt, check) -> None:
    image = (
        f"{DLC}/huggingface-pytorch-tgi-inference:2.4.0"
        if fmt is not ChatFormat.LMI_LEGACY
        else (f"{DLC}/djl-inference:0.23.0-deepspeed0.9.5-cu118")
    )
    sample = sample_request(details(image), containers=[Container(image, environment)])
    assert check(json.loads(sample.body))


@pytest.mark.parametrize(
    ("name", "environment", "expected"),
    [
        ("defect-detector", {"HF_TASK": "image-classification"}, ("sample.png", "image/png")),
        ("demo-image-inspector", {}, ("sample.png", "image/png")),
        ("call-transcriber", {"HF_TASK": "automatic-speech-recognition"}, ("sample.wav", "audio/wav")),
        ("demo-audio-analyzer", {}, ("sample.wav", "audio/wav")),
    ],
)
def test_image_and_audio_models_get_a_bundled_file(name: str, environment: dict, expected: tuple) -> None:
    sample = sample_request(
        details(f"{DLC}/pytorch-inference:2", name=name), containers=[Container("x", environment)]
    )
    assert (sample.file_name, sample.content_type) == expected
    assert sample.body == (SAMPLE_FILES / expected[0]).read_bytes()


def test_text_to_audio_and_embedding_models_get_their_json() -> None:
    speech = sample_request(details(name="demo-text-to-audio"))
    assert json.loads(speech.body)["inputs"] and not speech.file_name
    vectors = sample_request(details(f"{DLC}/tei-cpu:2.0.1-tei1.2.3-cpu-py310-ubuntu22.04"))
    assert isinstance(json.loads(vectors.body)["inputs"], list)
    by_task = sample_request(
        details(name="x"), containers=[Container("y", {"HF_TASK": "feature-extraction"})]
    )
    assert "inputs" in json.loads(by_task.body)

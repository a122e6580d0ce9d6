"""The control plane (JSON 1.1) of the local server through a real boto3 `sagemaker` client."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from local_endpoints import LocalEndpoints
from tests.support.demo_endpoints import DEMO_ENDPOINTS


def all_endpoints(sagemaker_client: Any, **params: Any) -> list[dict[str, Any]]:
    pages = sagemaker_client.get_paginator("list_endpoints").paginate(**params)
    return [summary for page in pages for summary in page["Endpoints"]]


def assert_validation_exception(raised: pytest.ExceptionInfo[ClientError], message: str) -> None:
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    assert raised.value.response["Error"]["Message"] == message
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_list_endpoints_defaults_to_ten_newest_first(sagemaker_client: Any) -> None:
    page = sagemaker_client.list_endpoints()
    summaries = page["Endpoints"]
    assert len(summaries) == 10
    assert "NextToken" in page
    times = [s["CreationTime"] for s in summaries]
    assert times == sorted(times, reverse=True)
    assert summaries[0]["EndpointName"] == "demo-creating"  # the endpoint still being created is the newest
    first = summaries[1]
    assert (
        first["EndpointArn"] == f"arn:aws:sagemaker:us-east-1:123456789012:endpoint/{first['EndpointName']}"
    )
    assert {"EndpointName", "EndpointArn", "CreationTime", "LastModifiedTime", "EndpointStatus"} <= set(first)


def test_the_paginator_returns_every_demo_endpoint_once(sagemaker_client: Any) -> None:
    names = [s["EndpointName"] for s in all_endpoints(sagemaker_client, PaginationConfig={"PageSize": 5})]
    assert len(names) == len(set(names))
    assert set(names) == DEMO_ENDPOINTS


def test_paginator_over_hundreds_of_endpoints(server: LocalEndpoints, sagemaker_client: Any) -> None:
    added = server.add_endpoints(350, prefix="page-test")
    assert added[0] == "page-test-0001"
    pages = list(sagemaker_client.get_paginator("list_endpoints").paginate(NameContains="page-test"))
    names = [s["EndpointName"] for page in pages for s in page["Endpoints"]]
    assert sorted(names) == sorted(added)
    assert len(pages) == 35  # the default page of 10
    assert all(len(page["Endpoints"]) == 10 for page in pages)
    big_pages = list(
        sagemaker_client.get_paginator("list_endpoints").paginate(
            NameContains="page-test", PaginationConfig={"PageSize": 100}
        )
    )
    assert [len(p["Endpoints"]) for p in big_pages] == [100, 100, 100, 50]


def test_reset_removes_bulk_endpoints(server: LocalEndpoints, sagemaker_client: Any) -> None:
    server.add_endpoints(3)
    assert len(all_endpoints(sagemaker_client, NameContains="bulk-endpoint")) == 3
    server.reset()
    assert all_endpoints(sagemaker_client, NameContains="bulk-endpoint") == []


def test_name_contains_status_equals_and_sorting(sagemaker_client: Any) -> None:
    generators = all_endpoints(
        sagemaker_client, NameContains="GENERATOR", SortBy="Name", SortOrder="Ascending"
    )
    assert [s["EndpointName"] for s in generators] == [
        "demo-lmi-generator",
        "demo-lmi-legacy-generator",
        "demo-tgi-generator",
    ]
    assert [s["EndpointName"] for s in all_endpoints(sagemaker_client, StatusEquals="Failed")] == [
        "demo-failed"
    ]
    assert [s["EndpointName"] for s in all_endpoints(sagemaker_client, StatusEquals="Creating")] == [
        "demo-creating"
    ]
    by_status = all_endpoints(sagemaker_client, SortBy="Status", SortOrder="Ascending")
    assert [s["EndpointStatus"] for s in by_status][:2] == ["Creating", "Failed"]
    oldest_first = all_endpoints(sagemaker_client, SortOrder="Ascending")
    assert oldest_first[0]["EndpointName"] == "demo-failed"


def test_creation_time_filters(sagemaker_client: Any) -> None:
    every = all_endpoints(sagemaker_client)
    middle = sorted(s["CreationTime"] for s in every)[len(every) // 2]
    before = all_endpoints(sagemaker_client, CreationTimeBefore=middle)
    after = all_endpoints(sagemaker_client, CreationTimeAfter=middle)
    assert before and after
    assert all(s["CreationTime"] < middle for s in before)
    assert all(s["CreationTime"] > middle for s in after)
    assert len(before) + len(after) == len(every) - 1
    assert all_endpoints(sagemaker_client, CreationTimeAfter=datetime(2100, 1, 1, tzinfo=UTC)) == []


def test_bad_list_parameters_are_validation_exceptions(sagemaker_client: Any) -> None:
    with pytest.raises(ClientError) as raised:
        sagemaker_client.list_endpoints(MaxResults=500)
    assert_validation_exception(
        raised,
        "1 validation error detected: Value '500' at 'maxResults' failed to satisfy constraint: "
        "Member must have value less than or equal to 100 and greater than or equal to 1",
    )
    with pytest.raises(ClientError) as raised:
        sagemaker_client.list_endpoints(NextToken="not-a-token")
    assert_validation_exception(raised, "Invalid pagination token.")


def test_describe_endpoint_single_variant(sagemaker_client: Any) -> None:
    described = sagemaker_client.describe_endpoint(EndpointName="demo-tgi-generator")
    assert described["EndpointStatus"] == "InService"
    assert described["EndpointConfigName"] == "demo-tgi-generator-config"
    [variant] = described["ProductionVariants"]
    assert variant["VariantName"] == "AllTraffic"
    assert variant["CurrentWeight"] == 1.0
    assert variant["CurrentInstanceCount"] == 1
    [image] = variant["DeployedImages"]
    assert "huggingface-pytorch-tgi-inference" in image["SpecifiedImage"]
    assert image["ResolvedImage"].startswith(image["SpecifiedImage"].split(":")[0] + "@sha256:")
    assert isinstance(described["CreationTime"], datetime)
    assert described["ResponseMetadata"]["RequestId"]


def test_describe_endpoint_shows_ab_weights_and_counts(sagemaker_client: Any) -> None:
    variants = sagemaker_client.describe_endpoint(EndpointName="demo-ab-test")["ProductionVariants"]
    assert [(v["VariantName"], v["CurrentWeight"], v["CurrentInstanceCount"]) for v in variants] == [
        ("variant-a", 0.5, 1),
        ("variant-b", 0.5, 2),
    ]


def test_describe_failed_and_creating_endpoints(sagemaker_client: Any) -> None:
    failed = sagemaker_client.describe_endpoint(EndpointName="demo-failed")
    assert failed["EndpointStatus"] == "Failed"
    assert "did not pass the ping health check" in failed["FailureReason"]
    creating = sagemaker_client.describe_endpoint(EndpointName="demo-creating")
    assert creating["ProductionVariants"][0]["VariantStatus"][0]["Status"] == "Creating"
    assert "FailureReason" not in creating


def test_describe_endpoint_config_instance_types_async_and_serverless(sagemaker_client: Any) -> None:
    ab = sagemaker_client.describe_endpoint_config(EndpointConfigName="demo-ab-test-config")
    assert [(v["VariantName"], v["InstanceType"]) for v in ab["ProductionVariants"]] == [
        ("variant-a", "ml.m5.large"),
        ("variant-b", "ml.c5.xlarge"),
    ]
    assert "AsyncInferenceConfig" not in ab
    async_config = sagemaker_client.describe_endpoint_config(EndpointConfigName="demo-async-config")
    assert async_config["AsyncInferenceConfig"]["OutputConfig"]["S3OutputPath"].startswith("s3://")
    assert "AsyncInferenceConfig" in sagemaker_client.describe_endpoint(EndpointName="demo-async")
    serverless = sagemaker_client.describe_endpoint_config(EndpointConfigName="demo-serverless-config")
    [variant] = serverless["ProductionVariants"]
    assert variant["ServerlessConfig"] == {"MemorySizeInMB": 2048, "MaxConcurrency": 5}
    assert "InstanceType" not in variant
    described = sagemaker_client.describe_endpoint(EndpointName="demo-serverless")
    assert described["ProductionVariants"][0]["CurrentServerlessConfig"]["MaxConcurrency"] == 5


def test_inference_components(sagemaker_client: Any) -> None:
    listed = sagemaker_client.list_inference_components(EndpointNameEquals="demo-inference-components")
    names = sorted(c["InferenceComponentName"] for c in listed["InferenceComponents"])
    assert names == ["ic-classifier", "ic-generator"]
    assert (
        sagemaker_client.list_inference_components(EndpointNameEquals="demo-text-classifier")[
            "InferenceComponents"
        ]
        == []
    )
    described = sagemaker_client.describe_inference_component(InferenceComponentName="ic-generator")
    assert described["EndpointName"] == "demo-inference-components"
    assert described["VariantName"] == "AllTraffic"
    assert described["InferenceComponentStatus"] == "InService"
    assert "tgi" in described["Specification"]["Container"]["DeployedImage"]["SpecifiedImage"]
    assert described["RuntimeConfig"]["CurrentCopyCount"] == 2
    endpoint = sagemaker_client.describe_endpoint(EndpointName="demo-inference-components")
    assert "DeployedImages" not in endpoint["ProductionVariants"][0]


@pytest.mark.parametrize(
    ("call", "params", "message"),
    [
        ("describe_endpoint", {"EndpointName": "missing"}, 'Could not find endpoint "missing".'),
        (
            "describe_endpoint_config",
            {"EndpointConfigName": "missing-config"},
            'Could not find endpoint configuration "missing-config".',
        ),
        (
            "describe_inference_component",
            {"InferenceComponentName": "missing-ic"},
            'Could not find inference component "missing-ic".',
        ),
        (
            "describe_model",
            {"ModelName": "missing-model"},
            'Could not find model "arn:aws:sagemaker:us-east-1:123456789012:model/missing-model".',
        ),
    ],
)
def test_unknown_names_are_validation_exceptions(
    sagemaker_client: Any, call: str, params: dict[str, str], message: str
) -> None:
    with pytest.raises(ClientError) as raised:
        getattr(sagemaker_client, call)(**params)
    assert_validation_exception(raised, message)


@pytest.mark.parametrize(
    ("endpoint", "image", "setting"),
    [
        ("demo-tgi-generator", "huggingface-pytorch-tgi-inference", ("MESSAGES_API_ENABLED", "true")),
        ("demo-lmi-generator", "djl-inference:0.31.0-lmi", ("OPTION_ROLLING_BATCH", "lmi-dist")),
        ("demo-lmi-legacy-generator", "djl-inference:0.23.0-deepspeed", ("OPTION_ROLLING_BATCH", "disable")),
        ("demo-text-classifier", "huggingface-pytorch-inference", ("HF_TASK", "text-classification")),
        ("demo-text-embedder", "tei-cpu:2.0.1-tei1.2.3", ("HF_MODEL_ID", "local/demo-embedder")),
        ("demo-audio-analyzer", "pytorch-inference:2.3.0", ("SAGEMAKER_PROGRAM", "inference.py")),
        ("demo-text-to-audio", "huggingface-pytorch-inference", ("HF_TASK", "text-to-audio")),
    ],
)
def test_describe_model_tells_the_container_and_its_settings(
    sagemaker_client: Any, endpoint: str, image: str, setting: tuple[str, str]
) -> None:
    # What a client reads (endpoint -> config -> model) to tell which request format the container speaks.
    config = sagemaker_client.describe_endpoint_config(EndpointConfigName=f"{endpoint}-config")
    model = sagemaker_client.describe_model(ModelName=config["ProductionVariants"][0]["ModelName"])
    container = model["PrimaryContainer"]
    assert image in container["Image"]
    assert container["Environment"][setting[0]] == setting[1]
    assert model["ModelArn"].endswith(f":model/{endpoint}-model")


def test_an_inference_components_model_is_described_too(sagemaker_client: Any) -> None:
    spec = sagemaker_client.describe_inference_component(InferenceComponentName="ic-generator")[
        "Specification"
    ]
    model = sagemaker_client.describe_model(ModelName=spec["ModelName"])
    assert model["PrimaryContainer"]["Image"] == spec["Container"]["DeployedImage"]["SpecifiedImage"]
    assert model["PrimaryContainer"]["Environment"] == spec["Container"]["Environment"]


def test_unimplemented_operation_is_a_clear_error(sagemaker_client: Any) -> None:
    with pytest.raises(ClientError) as raised:
        sagemaker_client.list_models()
    assert raised.value.response["Error"]["Code"] == "UnknownOperationException"
    assert "SageMaker.ListModels" in raised.value.response["Error"]["Message"]


def test_control_plane_calls_are_recorded(server: LocalEndpoints, sagemaker_client: Any) -> None:
    sagemaker_client.describe_endpoint(EndpointName="demo-ab-test")
    [recorded] = server.requests()
    assert recorded.operation == "DescribeEndpoint"
    assert recorded.endpoint_name == "demo-ab-test"
    assert recorded.headers["x-amz-target"] == "SageMaker.DescribeEndpoint"
    assert recorded.body == b'{"EndpointName": "demo-ab-test"}'

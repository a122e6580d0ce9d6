"""Every control-plane answer of the local server checked against botocore's own service model.

botocore's parser is lenient: it drops members it does not know and fills nothing in for members that are
missing. So each raw JSON body the server sent (caught with botocore's `after-call` event, on a call made
through a real boto3 client) is walked against the operation's output shape: every required member present,
every member known to the model, every value of the modelled type, in its enum, length, range and pattern.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import botocore.session
import pytest
from botocore.model import Shape

from local_endpoints import LocalEndpoints
from local_endpoints.demo_catalog import demo_catalog

SERVICE_MODEL = botocore.session.get_session().get_service_model("sagemaker")
#: every endpoint the server starts with (the control-plane tests pin the list itself)
DEMO_ENDPOINTS = [endpoint.name for endpoint in demo_catalog().endpoints()]


def shape_problems(shape: Shape, value: Any, path: str) -> list[str]:
    """What is wrong with `value` as the JSON 1.1 form of `shape` (an empty list when nothing is)."""
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            return [f"{path}: expected an object, got {value!r}"]
        members: dict[str, Shape] = shape.members  # type: ignore[attr-defined]
        problems = [
            f"{path}.{name}: required by the model but missing"
            for name in shape.required_members  # type: ignore[attr-defined]
            if name not in value
        ]
        for name, member_value in value.items():
            if name not in members:
                problems.append(f"{path}.{name}: not a member of {shape.name}")
            else:
                problems += shape_problems(members[name], member_value, f"{path}.{name}")
        return problems
    if kind == "list":
        if not isinstance(value, list):
            return [f"{path}: expected a list, got {value!r}"]
        problems = _bounds(shape, len(value), path)
        for index, item in enumerate(value):
            problems += shape_problems(shape.member, item, f"{path}[{index}]")  # type: ignore[attr-defined]
        return problems
    if kind == "map":
        if not isinstance(value, dict):
            return [f"{path}: expected a map, got {value!r}"]
        problems = []
        for key, item in value.items():
            problems += shape_problems(shape.key, key, f"{path} key")  # type: ignore[attr-defined]
            problems += shape_problems(shape.value, item, f"{path}[{key!r}]")  # type: ignore[attr-defined]
        return problems
    if kind == "string":
        if not isinstance(value, str):
            return [f"{path}: expected a string, got {value!r}"]
        problems = _bounds(shape, len(value), path)
        if shape.enum and value not in shape.enum:
            problems.append(f"{path}: {value!r} is not one of {shape.enum}")
        pattern = shape.metadata.get("pattern")
        if pattern and _python_regex(pattern) and not re.fullmatch(pattern, value):
            problems.append(f"{path}: {value!r} does not match {pattern}")
        return problems
    if kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            return [f"{path}: expected an integer, got {value!r}"]
        return _bounds(shape, value, path)
    if kind in ("float", "double"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return [f"{path}: expected a number, got {value!r}"]
        return _bounds(shape, value, path)
    if kind == "boolean":
        return [] if isinstance(value, bool) else [f"{path}: expected true or false, got {value!r}"]
    if kind == "timestamp":  # JSON 1.1 writes timestamps as epoch seconds
        if isinstance(value, bool) or not isinstance(value, int | float):
            return [f"{path}: expected epoch seconds, got {value!r}"]
        return []
    return [f"{path}: the check does not know shapes of type {kind}"]


def _bounds(shape: Shape, size: float, path: str) -> list[str]:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if (low is not None and size < low) or (high is not None and size > high):
        return [f"{path}: {size} is outside {low}..{high}"]
    return []


def _python_regex(pattern: str) -> bool:
    try:
        re.compile(pattern)
    except re.error:  # a Java-only construct; the other checks still apply
        return False
    return True


@pytest.fixture
def raw_bodies(sagemaker_client: Any) -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """(operation, raw JSON body) of every successful call `sagemaker_client` makes, in order."""
    bodies: list[tuple[str, dict[str, Any]]] = []

    def keep(http_response: Any, model: Any, **_: Any) -> None:
        if http_response.status_code == 200:
            bodies.append((model.name, json.loads(http_response.content)))

    sagemaker_client.meta.events.register("after-call.sagemaker", keep)
    yield bodies


def assert_matches_the_model(bodies: list[tuple[str, dict[str, Any]]]) -> None:
    assert bodies, "no answer was caught"
    problems = [
        problem
        for operation, body in bodies
        for problem in shape_problems(SERVICE_MODEL.operation_model(operation).output_shape, body, operation)
    ]
    assert problems == []


def test_the_check_finds_what_is_wrong() -> None:
    shape = SERVICE_MODEL.operation_model("DescribeEndpoint").output_shape
    wrong = {
        "EndpointName": "x",
        "EndpointArn": "arn:aws:sagemaker:us-east-1:123456789012:endpoint/x",
        "EndpointConfigName": "x-config",
        "EndpointStatus": "Sleeping",
        "CreationTime": "yesterday",
        "ProductionVariants": [{"VariantName": "AllTraffic", "CurrentWeight": "half"}],
        "Surprise": 1,
    }
    assert shape_problems(shape, wrong, "DescribeEndpoint") == [
        "DescribeEndpoint.LastModifiedTime: required by the model but missing",
        "DescribeEndpoint.EndpointStatus: 'Sleeping' is not one of "
        "['OutOfService', 'Creating', 'Updating', 'SystemUpdating', 'RollingBack', 'InService', 'Deleting', "
        "'Failed', 'UpdateRollbackFailed']",
        "DescribeEndpoint.CreationTime: expected epoch seconds, got 'yesterday'",
        "DescribeEndpoint.ProductionVariants[0].CurrentWeight: expected a number, got 'half'",
        "DescribeEndpoint.Surprise: not a member of DescribeEndpointOutput",
    ]


def test_list_endpoints_matches_the_model(
    server: LocalEndpoints, sagemaker_client: Any, raw_bodies: list[tuple[str, dict[str, Any]]]
) -> None:
    server.add_endpoints(3, prefix="shape-creating", status="Creating")
    sagemaker_client.list_endpoints()
    sagemaker_client.list_endpoints(MaxResults=100, SortBy="Name", SortOrder="Ascending")
    sagemaker_client.list_endpoints(StatusEquals="Failed", SortBy="Status")
    sagemaker_client.list_endpoints(NameContains="nothing-has-this")
    everything = len(DEMO_ENDPOINTS) + 3
    assert [len(body["Endpoints"]) for _, body in raw_bodies] == [10, everything, 1, 0]
    assert_matches_the_model(raw_bodies)


@pytest.mark.parametrize("name", DEMO_ENDPOINTS)
def test_describe_endpoint_and_its_config_match_the_model(
    sagemaker_client: Any, raw_bodies: list[tuple[str, dict[str, Any]]], name: str
) -> None:
    described = sagemaker_client.describe_endpoint(EndpointName=name)
    sagemaker_client.describe_endpoint_config(EndpointConfigName=described["EndpointConfigName"])
    assert [operation for operation, _ in raw_bodies] == ["DescribeEndpoint", "DescribeEndpointConfig"]
    assert_matches_the_model(raw_bodies)


def test_inference_components_match_the_model(
    sagemaker_client: Any, raw_bodies: list[tuple[str, dict[str, Any]]]
) -> None:
    sagemaker_client.list_inference_components()
    sagemaker_client.list_inference_components(
        EndpointNameEquals="demo-inference-components", SortBy="Name", MaxResults=1
    )
    for name in ("ic-classifier", "ic-generator"):
        sagemaker_client.describe_inference_component(InferenceComponentName=name)
    assert [operation for operation, _ in raw_bodies] == [
        "ListInferenceComponents",
        "ListInferenceComponents",
        "DescribeInferenceComponent",
        "DescribeInferenceComponent",
    ]
    assert_matches_the_model(raw_bodies)


def test_every_demo_model_is_described_as_the_model_says(
    sagemaker_client: Any, raw_bodies: list[tuple[str, dict[str, Any]]]
) -> None:
    names = [
        variant["ModelName"]
        for name in DEMO_ENDPOINTS
        for variant in sagemaker_client.describe_endpoint_config(EndpointConfigName=f"{name}-config")[
            "ProductionVariants"
        ]
        if "ModelName" in variant
    ]
    names += [
        sagemaker_client.describe_inference_component(InferenceComponentName=name)["Specification"][
            "ModelName"
        ]
        for name in ("ic-classifier", "ic-generator")
    ]
    for name in names:
        assert sagemaker_client.describe_model(ModelName=name)["ModelName"] == name
    assert len([body for operation, body in raw_bodies if operation == "DescribeModel"]) == len(names) > 8
    assert_matches_the_model(raw_bodies)


@pytest.mark.parametrize(
    ("target", "params"),
    [
        ("DescribeModel", {"ModelName": "missing"}),
        ("DescribeEndpoint", {"EndpointName": "missing"}),
        ("DescribeEndpointConfig", {"EndpointConfigName": "missing"}),
        ("DescribeInferenceComponent", {"InferenceComponentName": "missing"}),
        ("ListEndpoints", {"SortBy": "Size"}),
    ],
)
def test_refusals_have_the_json_1_1_error_shape(
    sagemaker_client: Any, target: str, params: dict[str, str]
) -> None:
    caught: list[Any] = []
    sagemaker_client.meta.events.register(
        "after-call.sagemaker", lambda http_response, **_: caught.append(http_response)
    )
    with pytest.raises(sagemaker_client.exceptions.ClientError) as raised:
        getattr(sagemaker_client, _snake(target))(**params)
    [response] = caught
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/x-amz-json-1.1"
    body = json.loads(response.content)
    assert set(body) == {"__type", "message"}
    assert body["__type"] == raised.value.response["Error"]["Code"] == "ValidationException"
    assert body["message"] == raised.value.response["Error"]["Message"]


def _snake(operation: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()

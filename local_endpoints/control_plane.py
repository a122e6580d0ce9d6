"""The control plane (JSON 1.1, `POST /` with `X-Amz-Target: SageMaker.<Operation>`): the read operations an
endpoint picker needs, and DescribeModel (a container's image and environment tell its request format). Each
operation is a plain function from the catalog and the request's parameters to the response document;
timestamps stay datetimes until `response` writes them as epoch seconds."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import Response

from local_endpoints.catalog import (
    ACCOUNT_ID,
    ARN_PREFIX,
    ENDPOINT_STATUSES,
    REGION,
    Catalog,
    Endpoint,
    InferenceComponent,
    Variant,
)
from local_endpoints.recording import record, server_state
from local_endpoints.wire_errors import UnknownOperationException, ValidationException, WireError

Params = dict[str, Any]
Item = TypeVar("Item", Endpoint, InferenceComponent)
_SORT_KEYS = ("Name", "CreationTime", "Status")
_SORT_ORDERS = ("Ascending", "Descending")
_COMPONENT_STATUSES = ("InService", "Creating", "Updating", "Failed", "Deleting")


async def control_plane(request: Request) -> Response:
    target = request.headers.get("x-amz-target", "")
    operation = target.removeprefix("SageMaker.") if target.startswith("SageMaker.") else "Unknown"
    raw = await request.body()
    params = _parse(raw)
    endpoint_name = params.get("EndpointName") or params.get("EndpointNameEquals")
    await record(request, operation, endpoint_name if isinstance(endpoint_name, str) else None)
    try:
        handler = OPERATIONS.get(operation)
        if handler is None:
            raise UnknownOperationException(
                f"The local server does not implement {target or 'this request'}."
            )
        if params.get("__invalid__"):
            raise ValidationException("The request body is not a JSON object.")
        document = handler(server_state(request).catalog, params)
    except WireError as exc:
        return exc.control_response()
    return Response(json.dumps(document, default=_epoch_seconds), media_type="application/x-amz-json-1.1")


def list_endpoints(catalog: Catalog, params: Params) -> dict[str, Any]:
    found = _filtered(catalog.endpoints(), params, "StatusEquals", ENDPOINT_STATUSES, lambda e: e.status)
    page, token = _page(_sorted(found, params, lambda e: e.status), params)
    return _with_token({"Endpoints": [_endpoint_summary(e) for e in page]}, token)


def describe_endpoint(catalog: Catalog, params: Params) -> dict[str, Any]:
    endpoint = _endpoint(catalog, params.get("EndpointName"))
    document: dict[str, Any] = {
        "EndpointName": endpoint.name,
        "EndpointArn": endpoint.arn,
        "EndpointConfigName": endpoint.config_name,
        "ProductionVariants": [_variant_summary(endpoint, v) for v in endpoint.variants],
        "EndpointStatus": endpoint.status,
        "CreationTime": endpoint.created,
        "LastModifiedTime": endpoint.modified,
    }
    if endpoint.failure_reason:
        document["FailureReason"] = endpoint.failure_reason
    if endpoint.async_config is not None:
        document["AsyncInferenceConfig"] = endpoint.async_config
    if endpoint.data_capture is not None:
        sampling, destination = endpoint.data_capture
        document["DataCaptureConfig"] = {
            "EnableCapture": True,
            "CaptureStatus": "Started",
            "CurrentSamplingPercentage": sampling,
            "DestinationS3Uri": destination,
            "KmsKeyId": f"arn:aws:kms:{REGION}:{ACCOUNT_ID}:alias/aws/s3",
        }
    return document


def describe_endpoint_config(catalog: Catalog, params: Params) -> dict[str, Any]:
    name = params.get("EndpointConfigName")
    endpoint = catalog.endpoint_by_config(name) if isinstance(name, str) else None
    if endpoint is None:
        raise ValidationException(f'Could not find endpoint configuration "{name}".')
    document: dict[str, Any] = {
        "EndpointConfigName": endpoint.config_name,
        "EndpointConfigArn": endpoint.config_arn,
        "ProductionVariants": [_variant_config(v) for v in endpoint.variants],
        "CreationTime": endpoint.created - timedelta(minutes=2),
        "EnableNetworkIsolation": False,
    }
    if endpoint.async_config is not None:
        document["AsyncInferenceConfig"] = endpoint.async_config
    if endpoint.execution_role_arn:
        document["ExecutionRoleArn"] = endpoint.execution_role_arn
    return document


def list_inference_components(catalog: Catalog, params: Params) -> dict[str, Any]:
    found = _filtered(catalog.components(), params, "StatusEquals", _COMPONENT_STATUSES, lambda c: c.status)
    if isinstance(endpoint_name := params.get("EndpointNameEquals"), str):
        found = [c for c in found if c.endpoint_name == endpoint_name]
    if isinstance(variant_name := params.get("VariantNameEquals"), str):
        found = [c for c in found if c.variant_name == variant_name]
    page, token = _page(_sorted(found, params, lambda c: c.status), params)
    return _with_token({"InferenceComponents": [_component_summary(catalog, c) for c in page]}, token)


def describe_inference_component(catalog: Catalog, params: Params) -> dict[str, Any]:
    name = params.get("InferenceComponentName")
    component = catalog.component(name) if isinstance(name, str) else None
    if component is None:
        raise ValidationException(f'Could not find inference component "{name}".')
    container: dict[str, Any] = {"DeployedImage": _deployed_image(component.image, component.created)}
    if component.environment:
        container["Environment"] = component.environment
    return {
        **_component_summary(catalog, component),
        "Specification": {
            "ModelName": component.model_name,
            "Container": container,
            "ComputeResourceRequirements": {
                "NumberOfCpuCoresRequired": component.cpu_cores,
                "MinMemoryRequiredInMb": component.memory_mb,
            },
        },
        "RuntimeConfig": {"DesiredCopyCount": component.copy_count, "CurrentCopyCount": component.copy_count},
    }


def describe_model(catalog: Catalog, params: Params) -> dict[str, Any]:
    """The model's container: image and environment (what tells a client which format it speaks)."""
    name = params.get("ModelName")
    model = catalog.model(name) if isinstance(name, str) else None
    if model is None:
        raise ValidationException(f'Could not find model "{ARN_PREFIX}:model/{_text(name)}".')
    container: dict[str, Any] = {"Image": model.image, "Mode": "SingleModel"}
    if model.environment:
        container["Environment"] = dict(model.environment)
    return {
        "ModelName": model.name,
        "PrimaryContainer": container,
        "ExecutionRoleArn": model.execution_role_arn,
        "CreationTime": model.created,
        "ModelArn": model.arn,
        "EnableNetworkIsolation": False,
    }


OPERATIONS: dict[str, Callable[[Catalog, Params], dict[str, Any]]] = {
    "ListEndpoints": list_endpoints,
    "DescribeEndpoint": describe_endpoint,
    "DescribeEndpointConfig": describe_endpoint_config,
    "ListInferenceComponents": list_inference_components,
    "DescribeInferenceComponent": describe_inference_component,
    "DescribeModel": describe_model,
}


def _endpoint(catalog: Catalog, name: object) -> Endpoint:
    endpoint = catalog.endpoint(name) if isinstance(name, str) else None
    if endpoint is None:
        raise ValidationException(f'Could not find endpoint "{name}".')
    return endpoint


def _endpoint_summary(endpoint: Endpoint) -> dict[str, Any]:
    return {
        "EndpointName": endpoint.name,
        "EndpointArn": endpoint.arn,
        "CreationTime": endpoint.created,
        "LastModifiedTime": endpoint.modified,
        "EndpointStatus": endpoint.status,
    }


def _variant_summary(endpoint: Endpoint, variant: Variant) -> dict[str, Any]:
    summary: dict[str, Any] = {"VariantName": variant.name}
    if variant.image:  # variants hosting inference components have no image of their own
        summary["DeployedImages"] = [_deployed_image(variant.image, endpoint.created)]
    summary["CurrentWeight"] = variant.weight
    summary["DesiredWeight"] = variant.weight
    if variant.serverless is not None:
        summary["CurrentServerlessConfig"] = variant.serverless
        summary["DesiredServerlessConfig"] = variant.serverless
    else:
        summary["CurrentInstanceCount"] = variant.instance_count if endpoint.status == "InService" else 0
        summary["DesiredInstanceCount"] = variant.instance_count
    if endpoint.status == "Creating":
        summary["VariantStatus"] = [
            {"Status": "Creating", "StatusMessage": "Launching instances.", "StartTime": endpoint.created}
        ]
    return summary


def _variant_config(variant: Variant) -> dict[str, Any]:
    config: dict[str, Any] = {"VariantName": variant.name}
    if variant.model_name:
        config["ModelName"] = variant.model_name
    if variant.serverless is not None:
        config["ServerlessConfig"] = variant.serverless
    else:
        config["InitialInstanceCount"] = variant.instance_count
        config["InstanceType"] = variant.instance_type
    config["InitialVariantWeight"] = variant.weight
    return config


def _component_summary(catalog: Catalog, component: InferenceComponent) -> dict[str, Any]:
    endpoint = catalog.endpoint(component.endpoint_name)
    return {
        "InferenceComponentName": component.name,
        "InferenceComponentArn": component.arn,
        "EndpointName": component.endpoint_name,
        "EndpointArn": endpoint.arn if endpoint else "",
        "VariantName": component.variant_name,
        "InferenceComponentStatus": component.status,
        "CreationTime": component.created,
        "LastModifiedTime": component.created,
    }


def _deployed_image(image: str, resolved_at: datetime) -> dict[str, Any]:
    digest = hashlib.sha256(image.encode()).hexdigest()
    return {
        "SpecifiedImage": image,
        "ResolvedImage": f"{image.split(':', 1)[0]}@sha256:{digest}",
        "ResolutionTime": resolved_at,
    }


def _filtered(
    items: list[Item],
    params: Params,
    status_param: str,
    statuses: Sequence[str],
    status: Callable[[Item], str],
) -> list[Item]:
    """Apply NameContains, StatusEquals and the creation/modification time filters (exclusive bounds)."""
    if (wanted := params.get(status_param)) is not None:
        _check_enum(wanted, "statusEquals", statuses)
        items = [item for item in items if status(item) == wanted]
    if isinstance(fragment := params.get("NameContains"), str):
        items = [item for item in items if fragment.lower() in item.name.lower()]
    for param, attribute, before in (
        ("CreationTimeBefore", "created", True),
        ("CreationTimeAfter", "created", False),
        ("LastModifiedTimeBefore", "modified", True),
        ("LastModifiedTimeAfter", "modified", False),
    ):
        if (bound := params.get(param)) is not None:
            moment = _to_datetime(bound, param)
            items = [
                item
                for item in items
                if (_moment(item, attribute) < moment) == before and _moment(item, attribute) != moment
            ]
    return items


def _moment(item: Endpoint | InferenceComponent, attribute: str) -> datetime:
    if isinstance(item, InferenceComponent):
        return item.created
    return item.created if attribute == "created" else item.modified


def _sorted(items: list[Item], params: Params, status: Callable[[Item], str]) -> list[Item]:
    sort_by = params.get("SortBy", "CreationTime")
    sort_order = params.get("SortOrder", "Descending")
    _check_enum(sort_by, "sortBy", _SORT_KEYS)
    _check_enum(sort_order, "sortOrder", _SORT_ORDERS)
    by_name = sorted(items, key=lambda item: item.name)
    if sort_by == "Name":
        return sorted(by_name, key=lambda item: item.name, reverse=sort_order == "Descending")
    if sort_by == "Status":
        return sorted(by_name, key=status, reverse=sort_order == "Descending")
    return sorted(by_name, key=lambda item: item.created, reverse=sort_order == "Descending")


def _page(items: list[Item], params: Params) -> tuple[list[Item], str | None]:
    """One page: MaxResults 1-100 (default 10) from the offset the NextToken carries."""
    max_results = params.get("MaxResults", 10)
    if isinstance(max_results, bool) or not isinstance(max_results, int) or not 1 <= max_results <= 100:
        raise ValidationException(
            f"1 validation error detected: Value '{_text(max_results)}' at 'maxResults' failed to satisfy "
            "constraint: Member must have value less than or equal to 100 and greater than or equal to 1"
        )
    start = _offset(params.get("NextToken"))
    end = start + max_results
    return items[start:end], _token(end) if end < len(items) else None


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode()


def _offset(token: object) -> int:
    if token is None:
        return 0
    try:
        offset = json.loads(base64.urlsafe_b64decode(str(token).encode()))["offset"]
    except (binascii.Error, ValueError, KeyError, TypeError, RecursionError) as exc:
        raise ValidationException("Invalid pagination token.") from exc
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise ValidationException("Invalid pagination token.")
    return offset


def _with_token(document: dict[str, Any], token: str | None) -> dict[str, Any]:
    if token is not None:
        document["NextToken"] = token
    return document


def _check_enum(value: object, field: str, allowed: Sequence[str]) -> None:
    if value not in allowed:
        raise ValidationException(
            f"1 validation error detected: Value '{_text(value)}' at '{field}' failed to satisfy constraint: "
            f"Member must satisfy enum value set: [{', '.join(allowed)}]"
        )


def _to_datetime(value: object, param: str) -> datetime:
    """A timestamp in epoch seconds; anything else (NaN, infinities, 1e300, before year 1 or after 9999) is
    refused rather than failing the request with a 500."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):
            pass
    raise ValidationException(
        f"1 validation error detected: Value '{_text(value)}' at '{param[0].lower()}{param[1:]}' failed to "
        "satisfy constraint: Member must be a timestamp in epoch seconds between years 1 and 9999."
    )


def _text(value: object, limit: int = 100) -> str:
    """`value` as SageMaker quotes it in a validation message, cut to `limit` characters."""
    text = str(value)
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


def _parse(raw: bytes) -> Params:
    try:
        parsed = json.loads(raw or b"{}")
    except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes (100,000 "[")
        return {"__invalid__": True}
    return parsed if isinstance(parsed, dict) else {"__invalid__": True}


def _epoch_seconds(value: object) -> float:
    if isinstance(value, datetime):
        return value.timestamp()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")

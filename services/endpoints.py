"""List and describe SageMaker endpoints and their inference components, with a brief cache for the picker.

Every call goes through ``translated()``: callers see ``ServiceError`` subclasses only.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from services import errors
from services.botocore_errors import translated
from services.connection import Clients

# Statuses in which InvokeEndpoint is accepted (an endpoint being updated keeps serving its current config).
INVOCABLE_STATUSES = frozenset({"InService", "Updating", "SystemUpdating", "RollingBack"})
_PAGE_SIZE = 100  # ListEndpoints' maximum: 2,000 endpoints cost 20 calls
FAILURE_TTL_S = 10.0  # a failed list or describe is answered from memory this long (Refresh asks again)


@dataclass(frozen=True)
class EndpointSummary:
    """One row of ListEndpoints."""

    name: str
    arn: str
    status: str
    created_at: datetime | None
    modified_at: datetime | None


@dataclass(frozen=True)
class ServerlessSettings:
    memory_size_mb: int | None
    max_concurrency: int | None
    provisioned_concurrency: int | None = None


@dataclass(frozen=True)
class VariantDetails:
    """A production variant: DescribeEndpoint's live state joined with DescribeEndpointConfig's settings."""

    name: str
    status: str | None = None  # the last VariantStatus entry, e.g. "Updating"; None when settled
    instance_type: str | None = None
    model_name: str | None = None
    current_instance_count: int | None = None
    desired_instance_count: int | None = None
    initial_instance_count: int | None = None
    current_weight: float | None = None
    images: tuple[str, ...] = ()
    serverless: ServerlessSettings | None = None


@dataclass(frozen=True)
class InferenceComponentSummary:
    """An inference component hosted on an endpoint (pass its name as InferenceComponentName)."""

    name: str
    arn: str | None
    status: str | None
    variant_name: str | None
    created_at: datetime | None
    image: str | None = None  # the component's container image when DescribeInferenceComponent tells it
    # Its specification, when DescribeInferenceComponent tells it: what each copy reserves, and the copies.
    cpu_cores: float | None = None
    memory_mb: int | None = None
    accelerators: float | None = None
    copies: int | None = None
    model_name: str | None = None


@dataclass(frozen=True)
class DataCapture:
    """DescribeEndpoint's DataCaptureConfig: whether requests and answers are captured to S3."""

    enabled: bool
    status: str | None  # Started / Stopped
    sampling_percentage: int | None
    destination: str | None


@dataclass(frozen=True)
class EndpointDetails:
    """What the page needs to know about one endpoint before invoking it."""

    name: str
    arn: str | None
    status: str
    config_name: str | None
    created_at: datetime | None
    modified_at: datetime | None
    failure_reason: str | None
    variants: tuple[VariantDetails, ...]
    is_async: bool
    inference_components: tuple[InferenceComponentSummary, ...] = ()
    # What could not be read, in sentences, e.g. an identity allowed DescribeEndpoint but not
    # ListInferenceComponents: the endpoint is still described and can still be invoked.
    unavailable: tuple[str, ...] = ()
    data_capture: DataCapture | None = None

    @property
    def is_serverless(self) -> bool:
        return any(v.serverless is not None for v in self.variants)

    @property
    def images(self) -> tuple[str, ...]:
        """Every container image of the variants and the inference components, in order, without repeats."""
        found = [image for v in self.variants for image in v.images]
        found += [c.image for c in self.inference_components if c.image]
        return tuple(dict.fromkeys(found))

    @property
    def not_invocable_reason(self) -> str | None:
        """Why InvokeEndpoint would be refused, in a sentence; None when it can be invoked."""
        if self.is_async:
            return "This is an asynchronous endpoint: it takes InvokeEndpointAsync with an S3 input."
        if self.status == "Failed":
            reason = (self.failure_reason or "no reason given").rstrip(". ")
            return f"The endpoint failed: {reason}."
        if self.status not in INVOCABLE_STATUSES:
            return f"The endpoint is {self.status}; it can be invoked once it is InService."
        return None

    @property
    def is_invocable(self) -> bool:
        return self.not_invocable_reason is None


def list_endpoints(
    clients: Clients, name_contains: str | None = None, status: str | None = None
) -> list[EndpointSummary]:
    """Every endpoint (all pages), newest first, optionally filtered by part of the name and by status."""
    params: dict[str, Any] = {"SortBy": "CreationTime", "SortOrder": "Descending"}
    if name_contains:
        params["NameContains"] = name_contains
    if status:
        params["StatusEquals"] = status
    summaries: list[EndpointSummary] = []
    with translated():
        paginator = clients.sagemaker.get_paginator("list_endpoints")
        for page in paginator.paginate(**params, PaginationConfig={"PageSize": _PAGE_SIZE}):
            summaries.extend(_summary(item) for item in page.get("Endpoints", []))
    return _newest_first(summaries)


def describe_endpoint(clients: Clients, name: str) -> EndpointDetails:
    """DescribeEndpoint + DescribeEndpointConfig + the endpoint's inference components."""
    with translated():
        endpoint = clients.sagemaker.describe_endpoint(EndpointName=name)
    config_name = endpoint.get("EndpointConfigName")
    config: dict[str, Any] = {}
    unavailable: list[str] = []
    if config_name:
        try:
            with translated():
                config = clients.sagemaker.describe_endpoint_config(EndpointConfigName=config_name)
        except errors.ValidationError:
            config = {}  # a config can be deleted while its endpoint lives on; the endpoint's view is enough
        except errors.AccessDeniedError as error:
            unavailable.append(f"Instance types and model names: {error.message}")
    try:
        components = list_inference_components(clients, name)
    except errors.AccessDeniedError as error:
        components = ()
        unavailable.append(f"Inference components: {error.message}")
    configured = {v.get("VariantName"): v for v in config.get("ProductionVariants", [])}
    variants = tuple(_variant(v, configured.get(v.get("VariantName"), {})) for v in _live_variants(endpoint))
    if not variants:
        variants = tuple(_variant({}, v) for v in configured.values())
    return EndpointDetails(
        name=endpoint.get("EndpointName", name),
        arn=endpoint.get("EndpointArn"),
        status=endpoint.get("EndpointStatus", "Unknown"),
        config_name=config_name,
        created_at=endpoint.get("CreationTime"),
        modified_at=endpoint.get("LastModifiedTime"),
        failure_reason=endpoint.get("FailureReason"),
        variants=variants,
        is_async="AsyncInferenceConfig" in endpoint or "AsyncInferenceConfig" in config,
        inference_components=components,
        unavailable=tuple(unavailable),
        data_capture=_data_capture(endpoint.get("DataCaptureConfig")),
    )


def _data_capture(config: dict[str, Any] | None) -> DataCapture | None:
    if not config:
        return None
    return DataCapture(
        enabled=bool(config.get("EnableCapture")),
        status=config.get("CaptureStatus"),
        sampling_percentage=config.get("CurrentSamplingPercentage"),
        destination=config.get("DestinationS3Uri"),
    )


def list_inference_components(clients: Clients, endpoint_name: str) -> tuple[InferenceComponentSummary, ...]:
    """The inference components on an endpoint (all pages), with their images where they can be described."""
    rows: list[dict[str, Any]] = []
    with translated():
        paginator = clients.sagemaker.get_paginator("list_inference_components")
        for page in paginator.paginate(EndpointNameEquals=endpoint_name):
            rows.extend(page.get("InferenceComponents", []))
    return tuple(_component(clients, row) for row in rows)


class EndpointCatalog:
    """Endpoints and details for one connection, cached for ``ttl_s`` seconds. Thread-safe.

    The list is fetched whole once and filtered locally, so searching as the user types costs no calls.
    """

    def __init__(self, clients: Clients, ttl_s: float = 30.0, clock: Callable[[], float] = time.monotonic):
        self._clients = clients
        self._ttl_s = ttl_s
        self._clock = clock
        self._lock = threading.Lock()
        self._listed: tuple[float, list[EndpointSummary] | errors.ServiceError] | None = None
        self._described: dict[str, tuple[float, EndpointDetails | errors.ServiceError]] = {}

    def endpoints(self, name_contains: str | None = None, status: str | None = None) -> list[EndpointSummary]:
        """Cached endpoints, newest first; ``name_contains`` matches case-insensitively.

        A failure is kept for ``FAILURE_TTL_S`` too: a page that asks three times in one run, against a
        control plane that does not answer, waits for one timeout, not three."""
        with self._lock:
            if self._listed is None or self._expired(self._listed):
                self._listed = (self._clock(), _outcome(list_endpoints, self._clients))
            rows = self._listed[1]
        if isinstance(rows, errors.ServiceError):
            raise rows.with_traceback(None)  # the same error again, without piling up tracebacks
        needle = (name_contains or "").lower()
        return [r for r in rows if needle in r.name.lower() and (not status or r.status == status)]

    def details(self, name: str) -> EndpointDetails:
        """Cached DescribeEndpoint (+ config + components) for one endpoint (failures kept briefly too)."""
        with self._lock:
            cached = self._described.get(name)
            if cached is None or self._expired(cached):
                cached = (self._clock(), _outcome(describe_endpoint, self._clients, name))
                self._described[name] = cached
        if isinstance(cached[1], errors.ServiceError):
            raise cached[1].with_traceback(None)
        return cached[1]

    @property
    def clients(self) -> Clients:
        """The clients this catalog asks with (for other describe calls of the same connection)."""
        return self._clients

    def needs_fetch(self, name: str | None = None) -> bool:
        """True when the next `endpoints()` (or `details(name)`) call will ask SageMaker: the page then says
        what it is waiting for."""
        with self._lock:
            cached = self._listed if name is None else self._described.get(name)
            return cached is None or self._expired(cached)

    def refresh(self) -> None:
        """Forget everything: the next call asks SageMaker again."""
        with self._lock:
            self._listed = None
            self._described.clear()

    def _expired(self, cached: tuple[float, object]) -> bool:
        ttl = FAILURE_TTL_S if isinstance(cached[1], errors.ServiceError) else self._ttl_s
        return self._clock() - cached[0] >= ttl


_T = TypeVar("_T")


def _outcome(call: Callable[..., _T], *args: Any) -> _T | errors.ServiceError:
    try:
        return call(*args)
    except errors.ServiceError as error:
        return error


def _summary(item: dict[str, Any]) -> EndpointSummary:
    return EndpointSummary(
        name=item["EndpointName"],
        arn=item.get("EndpointArn", ""),
        status=item.get("EndpointStatus", "Unknown"),
        created_at=item.get("CreationTime"),
        modified_at=item.get("LastModifiedTime"),
    )


def _newest_first(rows: list[EndpointSummary]) -> list[EndpointSummary]:
    # SageMaker already sorts; sorting again keeps the order right across pages and for servers that do not.
    return sorted(rows, key=_created_timestamp, reverse=True)


def _created_timestamp(row: EndpointSummary) -> float:
    return row.created_at.timestamp() if row.created_at else float("-inf")


def _live_variants(endpoint: dict[str, Any]) -> list[dict[str, Any]]:
    return list(endpoint.get("ProductionVariants", []))


def _variant(live: dict[str, Any], configured: dict[str, Any]) -> VariantDetails:
    serverless = live.get("CurrentServerlessConfig") or configured.get("ServerlessConfig")
    statuses = live.get("VariantStatus") or []
    return VariantDetails(
        name=live.get("VariantName") or configured.get("VariantName", ""),
        status=statuses[-1].get("Status") if statuses else None,
        instance_type=configured.get("InstanceType"),
        model_name=configured.get("ModelName"),
        current_instance_count=live.get("CurrentInstanceCount"),
        desired_instance_count=live.get("DesiredInstanceCount"),
        initial_instance_count=configured.get("InitialInstanceCount"),
        current_weight=live.get("CurrentWeight", configured.get("InitialVariantWeight")),
        images=tuple(
            image
            for d in live.get("DeployedImages", [])
            if (image := d.get("SpecifiedImage") or d.get("ResolvedImage"))
        ),
        serverless=(
            ServerlessSettings(
                memory_size_mb=serverless.get("MemorySizeInMB"),
                max_concurrency=serverless.get("MaxConcurrency"),
                provisioned_concurrency=serverless.get("ProvisionedConcurrency"),
            )
            if serverless
            else None
        ),
    )


def _component(clients: Clients, row: dict[str, Any]) -> InferenceComponentSummary:
    name = row["InferenceComponentName"]
    try:
        with translated():
            described = clients.sagemaker.describe_inference_component(InferenceComponentName=name)
    except errors.ServiceError:
        described = {}  # its image and specs only add detail; the component is listed regardless
    specification = described.get("Specification") or {}
    compute = specification.get("ComputeResourceRequirements") or {}
    runtime = described.get("RuntimeConfig") or {}
    return InferenceComponentSummary(
        name=name,
        arn=row.get("InferenceComponentArn"),
        status=row.get("InferenceComponentStatus"),
        variant_name=row.get("VariantName"),
        created_at=row.get("CreationTime"),
        image=container_image(specification.get("Container") or {}),
        cpu_cores=compute.get("NumberOfCpuCoresRequired"),
        memory_mb=compute.get("MinMemoryRequiredInMb"),
        accelerators=compute.get("NumberOfAcceleratorDevicesRequired"),
        copies=runtime.get("CurrentCopyCount", runtime.get("DesiredCopyCount")),
        model_name=specification.get("ModelName"),
    )


def container_image(container: dict[str, Any]) -> str | None:
    """An inference component's container image: the one deployed (as specified, else resolved), else the
    one asked for."""
    deployed = container.get("DeployedImage") or {}
    image = deployed.get("SpecifiedImage") or deployed.get("ResolvedImage") or container.get("Image")
    return str(image) if image else None

"""The endpoints the local server hosts: plain records and a thread-safe registry, no HTTP.

The wire layers (`runtime`, `control_plane`) read these records; `demo_catalog` fills the registry.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from local_endpoints.models.base import Model

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"
ARN_PREFIX = f"arn:aws:sagemaker:{REGION}:{ACCOUNT_ID}"
#: the execution role a demo model runs with (an endpoint may name its own)
DEFAULT_ROLE = f"arn:aws:iam::{ACCOUNT_ID}:role/service-role/AmazonSageMaker-ExecutionRole-20250101T000000"
#: SageMaker's endpoint names: letters, digits and single or repeated hyphens inside, at most 63 characters
ENDPOINT_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9])*$")
MAX_NAME_CHARS = 63

#: every value ListEndpoints' StatusEquals accepts
ENDPOINT_STATUSES = (
    "OutOfService",
    "Creating",
    "Updating",
    "SystemUpdating",
    "RollingBack",
    "InService",
    "Deleting",
    "Failed",
    "UpdateRollbackFailed",
)


class ModelSlot:
    """A model built on first use: demo models fit or load data when constructed, and start-up must stay fast.

    `paced` says whether the server spaces streamed parts by its token delay (demo models produce every part
    at once); a model container paces itself.
    """

    def __init__(self, factory: Callable[[], Model], *, paced: bool = True) -> None:
        self._factory = factory
        self._model: Model | None = None
        self._lock = threading.Lock()
        self.paced = paced

    def get(self) -> Model:
        """The model, built now if this is the first call (blocking: call it from a worker thread)."""
        with self._lock:
            if self._model is None:
                self._model = self._factory()
            return self._model


@dataclass
class Variant:
    """One production variant. `model` is None on endpoints that host inference components instead."""

    name: str
    image: str
    model: ModelSlot | None
    model_name: str | None
    instance_type: str | None = "ml.m5.xlarge"
    instance_count: int = 1
    weight: float = 1.0
    #: {"MemorySizeInMB": ..., "MaxConcurrency": ...} for a serverless variant (then instance_type is None)
    serverless: dict[str, int] | None = None
    #: the model's container environment (DescribeModel), as a container would be configured
    environment: dict[str, str] = field(default_factory=dict)


@dataclass
class Endpoint:
    name: str
    status: str
    created: datetime
    variants: list[Variant]
    last_modified: datetime | None = None
    failure_reason: str | None = None
    #: DescribeEndpointConfig's AsyncInferenceConfig; its presence marks an asynchronous endpoint
    async_config: dict[str, object] | None = None
    #: set on endpoints whose variants host inference components (endpoint config needs a role then)
    execution_role_arn: str | None = None
    #: data capture to S3: (sampling percentage, destination); DescribeEndpoint's DataCaptureConfig
    data_capture: tuple[int, str] | None = None

    @property
    def arn(self) -> str:
        return f"{ARN_PREFIX}:endpoint/{self.name}"

    @property
    def config_name(self) -> str:
        return f"{self.name}-config"

    @property
    def config_arn(self) -> str:
        return f"{ARN_PREFIX}:endpoint-config/{self.config_name}"

    @property
    def modified(self) -> datetime:
        return self.last_modified or self.created

    def variant(self, name: str) -> Variant | None:
        return next((variant for variant in self.variants if variant.name == name), None)


@dataclass
class InferenceComponent:
    name: str
    endpoint_name: str
    variant_name: str
    image: str
    model: ModelSlot
    model_name: str
    created: datetime
    status: str = "InService"
    copy_count: int = 1
    cpu_cores: float = 2.0
    memory_mb: int = 2048
    artifact_url: str | None = None
    environment: dict[str, str] = field(default_factory=dict)

    @property
    def arn(self) -> str:
        return f"{ARN_PREFIX}:inference-component/{self.name}"


@dataclass(frozen=True)
class ModelRecord:
    """A SageMaker Model as DescribeModel shows it: its container image and environment."""

    name: str
    image: str
    environment: dict[str, str]
    created: datetime
    execution_role_arn: str

    @property
    def arn(self) -> str:
        return f"{ARN_PREFIX}:model/{self.name}"


class Catalog:
    """Endpoints and inference components by name. Safe to read and change from several threads."""

    def __init__(
        self, endpoints: Iterable[Endpoint] = (), components: Iterable[InferenceComponent] = ()
    ) -> None:
        self._lock = threading.Lock()
        self._endpoints = {endpoint.name: endpoint for endpoint in endpoints}
        self._components = {component.name: component for component in components}
        self._original = (dict(self._endpoints), dict(self._components))

    def endpoint(self, name: str) -> Endpoint | None:
        return self._endpoints.get(name)

    def endpoints(self) -> list[Endpoint]:
        with self._lock:
            return list(self._endpoints.values())

    def model(self, name: str) -> ModelRecord | None:
        """The model named `name`: a variant's or an inference component's (what DescribeModel tells)."""
        for endpoint in self.endpoints():
            for variant in endpoint.variants:
                if variant.model_name == name and variant.image:
                    role = endpoint.execution_role_arn or DEFAULT_ROLE
                    return ModelRecord(name, variant.image, variant.environment, endpoint.created, role)
        for component in self.components():
            if component.model_name == name:
                created = component.created
                return ModelRecord(name, component.image, component.environment, created, DEFAULT_ROLE)
        return None

    def endpoint_by_config(self, config_name: str) -> Endpoint | None:
        return next((e for e in self.endpoints() if e.config_name == config_name), None)

    def component(self, name: str) -> InferenceComponent | None:
        return self._components.get(name)

    def components(self, endpoint_name: str | None = None) -> list[InferenceComponent]:
        with self._lock:
            found = list(self._components.values())
        return [c for c in found if endpoint_name is None or c.endpoint_name == endpoint_name]

    def add(self, endpoint: Endpoint, components: Iterable[InferenceComponent] = ()) -> None:
        """Register (or replace) an endpoint and its inference components."""
        with self._lock:
            self._endpoints[endpoint.name] = endpoint
            for component in components:
                self._components[component.name] = component

    def added_count(self) -> int:
        """How many endpoints were added since the baseline (what `restore` would remove)."""
        with self._lock:
            return sum(1 for name in self._endpoints if name not in self._original[0])

    def restore(self) -> None:
        """Forget everything added since construction (bulk endpoints from tests)."""
        with self._lock:
            self._endpoints = dict(self._original[0])
            self._components = dict(self._original[1])

    def commit_baseline(self) -> None:
        """Make the current content the state `restore` returns to (used once the server is configured)."""
        with self._lock:
            self._original = (dict(self._endpoints), dict(self._components))

"""The containers behind an endpoint or an inference component: image and environment, as SageMaker describes
them (DescribeModel; DescribeInferenceComponent). They tell which request format a container speaks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from services import errors
from services.botocore_errors import translated
from services.chat_formats import Container
from services.connection import Clients
from services.endpoints import EndpointDetails, container_image


def containers(clients: Clients, details: EndpointDetails, component: str | None = None) -> list[Container]:
    """The component's container when one is named, else every variant's model's containers. What cannot be
    described is left out (the caller falls back on the first answer's shape)."""
    if component is not None:
        return _component_containers(clients, component)
    found: list[Container] = []
    for variant in details.variants:
        if variant.model_name:
            found += _model_containers(clients, variant.model_name)
        elif variant.images:
            found += [Container(image, {}) for image in variant.images]
    return found


def _component_containers(clients: Clients, name: str) -> list[Container]:
    described = _described(clients.sagemaker.describe_inference_component, InferenceComponentName=name)
    specification = described.get("Specification") or {}
    container = specification.get("Container") or {}
    image = container_image(container)
    if image:
        return [Container(image, _environment(container))]
    model = specification.get("ModelName")
    return _model_containers(clients, model) if isinstance(model, str) and model else []


def _model_containers(clients: Clients, model_name: str) -> list[Container]:
    described = _described(clients.sagemaker.describe_model, ModelName=model_name)
    listed = [described.get("PrimaryContainer") or {}, *(described.get("Containers") or [])]
    return [Container(str(c["Image"]), _environment(c)) for c in listed if c.get("Image")]


def _described(call: Callable[..., dict[str, Any]], **params: str) -> dict[str, Any]:
    """What a describe call answers; {} when it fails (not allowed, gone): the format is told otherwise."""
    try:
        with translated():
            return call(**params)
    except errors.ServiceError:
        return {}


def _environment(container: dict[str, Any]) -> dict[str, str]:
    environment = container.get("Environment") or {}
    return {str(k): str(v) for k, v in environment.items()} if isinstance(environment, dict) else {}

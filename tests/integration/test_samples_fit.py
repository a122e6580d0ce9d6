"""Every demo endpoint's sample request, guessed from what the local server describes through boto3 (as it
would be from SageMaker), is one that endpoint answers: the sample fits the endpoint."""

from __future__ import annotations

import json

import pytest

from local_endpoints.demo_catalog import demo_catalog
from services.connection import Clients
from services.endpoints import describe_endpoint
from services.invocation import invoke, stream
from services.model_containers import containers
from services.results import InvocationRequest, Status
from services.samples import sample_request

_SERVING = [endpoint.name for endpoint in demo_catalog().endpoints() if endpoint.status == "InService"]
_NOT_REAL_TIME = {"demo-async"}  # InvokeEndpointAsync only: the page refuses it before sending


@pytest.mark.parametrize("name", [n for n in _SERVING if n not in _NOT_REAL_TIME])
def test_the_sample_for_each_demo_endpoint_is_answered(clients: Clients, name: str) -> None:
    details = describe_endpoint(clients, name)
    component = details.inference_components[0].name if details.inference_components else None
    sample = sample_request(details, component, containers(clients, details, component))
    request = InvocationRequest(name, sample.body, sample.content_type, inference_component_name=component)
    asks_to_stream = (
        sample.content_type == "application/json" and json.loads(sample.body).get("stream") is True
    )
    if asks_to_stream:
        streaming = stream(clients, request)
        list(streaming)
        result = streaming.result
    else:
        result = invoke(clients, request)
    assert result.status is Status.SUCCESS, (sample.body[:200], result.error)
    assert result.body or result.text

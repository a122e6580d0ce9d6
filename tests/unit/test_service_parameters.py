"""The one parameter table matches botocore's service model and the request type, so no parameter is lost."""

from __future__ import annotations

import dataclasses

import botocore.session

from services.parameters import OPTIONAL_PARAMETERS, STREAM_PARAMETERS
from services.results import InvocationRequest

ALWAYS_SENT = {"EndpointName", "Body", "ContentType"}


def _members(operation: str) -> set[str]:
    model = botocore.session.get_session().get_service_model("sagemaker-runtime")
    return set(model.operation_model(operation).input_shape.members)


def test_every_invoke_endpoint_parameter_is_in_the_table() -> None:
    assert {p.name for p in OPTIONAL_PARAMETERS} == _members("InvokeEndpoint") - ALWAYS_SENT


def test_the_streamed_ones_are_what_the_streaming_call_takes() -> None:
    assert {p.name for p in STREAM_PARAMETERS} == _members("InvokeEndpointWithResponseStream") - ALWAYS_SENT


def test_each_is_a_request_field_and_each_optional_field_is_a_parameter() -> None:
    fields = {f.name for f in dataclasses.fields(InvocationRequest)}
    assert {p.attribute for p in OPTIONAL_PARAMETERS} == fields - {"endpoint_name", "body", "content_type"}


def test_cli_options_are_the_kebab_case_names() -> None:
    for parameter in OPTIONAL_PARAMETERS:
        kebab = "".join(f"-{c.lower()}" if c.isupper() else c for c in parameter.name)
        assert parameter.cli_option == "-" + kebab

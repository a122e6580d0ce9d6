"""invoke(): every parameter on the wire, the result's fields, each failure as a Failed result."""

from __future__ import annotations

import json
import socket
from datetime import UTC, datetime

import pytest

from local_endpoints import LocalEndpoints
from services import errors
from services.connection import Clients, Connection, build_clients
from services.invocation import invoke, request_problem
from services.results import MAX_BODY_BYTES, InvocationRequest, Status

CLASSIFY = b'{"features": ["This is great!"]}'


def local(server: LocalEndpoints, **fields: object) -> Connection:
    return Connection(kind="local", region="us-east-1", local_url=server.url, **fields)  # type: ignore[arg-type]


def classify(**fields: object) -> InvocationRequest:
    values: dict[str, object] = {"endpoint_name": "demo-text-classifier", "body": CLASSIFY, **fields}
    return InvocationRequest(**values)  # type: ignore[arg-type]


def test_success_carries_body_timing_and_metadata(server: LocalEndpoints, clients: Clients) -> None:
    before = datetime.now(UTC)
    result = invoke(clients, classify())
    after = datetime.now(UTC)

    assert result.status is Status.SUCCESS, result.error
    assert result.error is None
    assert result.content_type == "application/json"
    assert isinstance(json.loads(result.body), (dict, list))
    assert result.invoked_variant == "AllTraffic"
    assert result.attempts == 1
    assert result.request_id
    assert result.execution_ms is not None and 0 < result.execution_ms < 10_000
    assert result.returned_at is not None
    assert before <= result.requested_at <= result.returned_at <= after
    assert result.requested_at.tzinfo is not None
    assert result.stream is None
    [recorded] = server.requests()
    assert (recorded.operation, recorded.endpoint_name, recorded.body) == (
        "InvokeEndpoint",
        "demo-text-classifier",
        CLASSIFY,
    )


def test_only_set_parameters_are_sent(server: LocalEndpoints, clients: Clients) -> None:
    invoke(clients, classify())
    headers = server.requests()[0].headers
    assert headers["content-type"] == "application/json"
    sent = {name for name in headers if name.startswith("x-amzn-sagemaker-")}
    assert sent == set()
    assert "accept" not in headers or headers["accept"] in ("", "*/*")  # nothing of ours


@pytest.mark.parametrize(
    ("field", "value", "header"),
    [
        ("accept", "application/json", "accept"),
        ("custom_attributes", "accept_eula=true", "x-amzn-sagemaker-custom-attributes"),
        ("target_model", "model-a.tar.gz", "x-amzn-sagemaker-target-model"),
        ("target_variant", "AllTraffic", "x-amzn-sagemaker-target-variant"),
        ("target_container_hostname", "container-1", "x-amzn-sagemaker-target-container-hostname"),
        ("inference_id", "run-42", "x-amzn-sagemaker-inference-id"),
        ("enable_explanations", "`true`", "x-amzn-sagemaker-enable-explanations"),
        ("inference_component_name", "ic-classifier", "x-amzn-sagemaker-inference-component"),
        ("session_id", "NEW_SESSION", "x-amzn-sagemaker-session-id"),
        ("prefix_aware_id", "app-1", "x-amzn-sagemaker-prefix-aware-id"),
    ],
)
def test_each_parameter_reaches_the_endpoint(
    server: LocalEndpoints, clients: Clients, field: str, value: str, header: str
) -> None:
    invoke(clients, classify(**{field: value}))
    [recorded] = server.requests()
    assert recorded.headers[header] == value


def test_content_type_is_sent_as_given(server: LocalEndpoints, clients: Clients) -> None:
    result = invoke(clients, classify(content_type="text/plain", body=b"This is great!"))
    assert server.requests()[0].headers["content-type"] == "text/plain"
    assert result.status is Status.SUCCESS, result.error


def test_target_variant_picks_the_variant(clients: Clients) -> None:
    for variant in ("variant-a", "variant-b"):
        result = invoke(clients, classify(endpoint_name="demo-ab-test", target_variant=variant))
        assert (result.status, result.invoked_variant) == (Status.SUCCESS, variant)


def test_inference_component(clients: Clients) -> None:
    result = invoke(
        clients, classify(endpoint_name="demo-inference-components", inference_component_name="ic-classifier")
    )
    assert result.status is Status.SUCCESS, result.error


def test_custom_attributes_come_back(clients: Clients) -> None:
    result = invoke(clients, classify(custom_attributes="accept_eula=true"))
    assert result.custom_attributes == "accept_eula=true"


def test_new_session_id_is_returned_and_usable(clients: Clients) -> None:
    opened = invoke(clients, classify(session_id="NEW_SESSION"))
    assert opened.status is Status.SUCCESS, opened.error
    assert opened.new_session_id and "Expires=" in opened.new_session_id
    session = opened.new_session_id.split(";", 1)[0]
    again = invoke(clients, classify(session_id=session))
    assert again.status is Status.SUCCESS, again.error


def test_model_error_hint_blames_the_input_only_for_a_4xx(server: LocalEndpoints, clients: Clients) -> None:
    server.inject_fault("demo-text-classifier", model_error_status=400, model_error_message="bad features")
    error = invoke(clients, classify()).error
    assert isinstance(error, errors.ModelError)
    assert error.original_status == 400
    assert error.hint.startswith("The container rejected this input")


def test_model_error_keeps_original_status_message_and_log_link(
    server: LocalEndpoints, clients: Clients
) -> None:
    server.inject_fault(
        "demo-text-classifier", model_error_status=503, model_error_message="CUDA out of memory"
    )
    result = invoke(clients, classify())
    assert result.status is Status.FAILED
    error = result.error
    assert isinstance(error, errors.ModelError)
    assert (error.code, error.http_status) == ("ModelError", 424)
    assert error.original_status == 503
    assert error.original_message == "CUDA out of memory"
    assert 'Received server error (503) from primary with message "CUDA out of memory"' in error.message
    assert error.hint.startswith("The container failed while handling the request")  # a 5xx: not the input
    assert (
        error.log_stream_arn
        == "arn:aws:logs:us-east-1:123456789012:log-group:/aws/sagemaker/Endpoints/demo-text-classifier"
    )
    assert error.log_url == (
        "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1"
        "#logsV2:log-groups/log-group/$252Faws$252Fsagemaker$252FEndpoints$252Fdemo-text-classifier"
    )
    assert error.request_id and result.request_id == error.request_id
    assert result.attempts == 1
    assert result.execution_ms is not None and result.execution_ms > 0


def test_unknown_endpoint_is_a_validation_error(clients: Clients) -> None:
    result = invoke(clients, classify(endpoint_name="no-such-endpoint"))
    error = result.error
    assert isinstance(error, errors.ValidationError)
    assert (error.code, error.http_status) == ("ValidationError", 400)
    assert error.message == "Endpoint no-such-endpoint of account 123456789012 not found."
    assert "endpoint name" in error.hint


def test_endpoint_not_in_service_is_a_validation_error(clients: Clients) -> None:
    error = invoke(clients, classify(endpoint_name="demo-creating")).error
    assert isinstance(error, errors.ValidationError)
    assert "not in service" in error.message


def test_throttling_is_not_retried_silently(server: LocalEndpoints, clients: Clients) -> None:
    server.inject_fault("demo-text-classifier", throttle_next=1)
    result = invoke(clients, classify())
    error = result.error
    assert isinstance(error, errors.ThrottlingError)
    assert (error.code, error.http_status, result.attempts) == ("ThrottlingException", 429, 1)
    assert "wait a moment" in error.hint
    assert len(server.requests()) == 1


def test_retries_when_allowed_are_counted(server: LocalEndpoints) -> None:
    server.inject_fault("demo-text-classifier", throttle_next=2)
    clients = build_clients(local(server, max_attempts=3))
    result = invoke(clients, classify())
    assert result.status is Status.SUCCESS, result.error
    assert result.attempts == 3
    assert len(server.requests()) == 3


def test_body_over_6_mib_is_refused_before_sending(server: LocalEndpoints, clients: Clients) -> None:
    result = invoke(clients, classify(body=b"x" * (MAX_BODY_BYTES + 1)))
    error = result.error
    assert isinstance(error, errors.InvalidRequestError)
    assert error.message == "The body is 6,291,457 bytes; SageMaker accepts at most 6,291,456 bytes (6 MiB)."
    assert (result.status, result.attempts, result.execution_ms) == (Status.FAILED, 0, None)
    assert server.requests() == []


def test_body_of_exactly_6_mib_may_be_sent() -> None:
    assert request_problem(classify(body=b"x" * MAX_BODY_BYTES), streaming=False) is None


def test_closed_port_is_a_network_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    clients = build_clients(
        Connection(kind="local", region="us-east-1", local_url=f"http://127.0.0.1:{port}")
    )
    result = invoke(clients, classify())
    error = result.error
    assert isinstance(error, errors.NetworkError)
    assert error.code == "EndpointConnectionError"
    assert (
        error.message
        == f'Could not connect to the endpoint URL: "http://127.0.0.1:{port}/endpoints/demo-text-classifier/invocations"'
    )
    assert "network" in error.hint
    assert result.attempts == 1


def test_read_timeout_is_a_network_error(server: LocalEndpoints) -> None:
    server.inject_fault("demo-text-classifier", delay_ms=1500)
    clients = build_clients(local(server), read_timeout_s=0.3)
    result = invoke(clients, classify())
    error = result.error
    assert isinstance(error, errors.NetworkError)
    assert error.code == "ReadTimeoutError"
    assert error.message.startswith("Read timeout on endpoint URL")
    assert "did not answer in time" in error.hint
    assert result.execution_ms is not None and 250 < result.execution_ms < 1400


def test_injected_clock_sets_the_wall_times(clients: Clients) -> None:
    moments = iter([datetime(2025, 1, 1, 12, 0, tzinfo=UTC), datetime(2025, 1, 1, 12, 0, 1, tzinfo=UTC)])
    result = invoke(clients, classify(), clock=lambda: next(moments))
    assert (result.requested_at.second, result.returned_at and result.returned_at.second) == (0, 1)

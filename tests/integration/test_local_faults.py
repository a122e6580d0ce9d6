"""Test controls: fault injection, the request log and the /_local/ HTTP API, seen through real boto3."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError, EventStreamError

from local_endpoints import LocalEndpoints

CLASSIFIER_REQUEST = b'{"features": ["This is great!"]}'
GENERATOR_REQUEST = json.dumps(
    {
        "inputs": "The weather today",
        "parameters": {"max_new_tokens": 12, "ignore_eos_token": True},
        "stream": True,
    }
).encode()


def classify(runtime_client: Any, endpoint: str = "demo-text-classifier") -> Any:
    response = runtime_client.invoke_endpoint(
        EndpointName=endpoint, Body=CLASSIFIER_REQUEST, ContentType="application/json"
    )
    response["Body"].read()  # returns the connection to the pool
    return response


def control(server: LocalEndpoints, method: str, path: str, payload: Any = None) -> tuple[int, Any]:
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(f"{server.url}{path}", data=data, method=method)
    try:
        with urllib.request.urlopen(request) as response:
            raw = response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())
    if not raw:
        return status, None
    return status, json.loads(
        raw
    ) if response.headers.get_content_type() == "application/json" else raw.decode()


def test_injected_model_error(server: LocalEndpoints, runtime_client: Any) -> None:
    server.inject_fault(
        "demo-text-classifier", model_error_status=503, model_error_message="GPU fell off the bus"
    )
    with pytest.raises(ClientError) as raised:
        classify(runtime_client)
    response = raised.value.response
    assert response["Error"]["Code"] == "ModelError"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 424
    assert response["OriginalStatusCode"] == 503
    assert response["OriginalMessage"] == "GPU fell off the bus"
    assert response["Error"]["Message"].startswith(
        'Received server error (503) from primary with message "GPU fell off the bus".'
    )
    assert (
        classify(runtime_client, "demo-ab-test")["ResponseMetadata"]["HTTPStatusCode"] == 200
    )  # other endpoints fine
    server.reset()
    assert classify(runtime_client)["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_injected_delay(server: LocalEndpoints, runtime_client: Any) -> None:
    classify(runtime_client)  # the model is built before timing
    server.inject_fault("demo-text-classifier", delay_ms=300)
    started = time.perf_counter()
    classify(runtime_client)
    assert time.perf_counter() - started >= 0.3


def test_throttling_for_the_next_calls_only(server: LocalEndpoints, runtime_client: Any) -> None:
    server.inject_fault("demo-text-classifier", throttle_next=2)
    for _ in range(2):
        with pytest.raises(ClientError) as raised:
            classify(runtime_client)
        assert raised.value.response["Error"] == {"Code": "ThrottlingException", "Message": "Rate exceeded"}
        assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert classify(runtime_client)["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_boto3_retries_hide_throttling_unless_counted(
    server: LocalEndpoints, boto3_clients: Callable[..., Any]
) -> None:
    retrying = boto3_clients(retries={"mode": "standard", "total_max_attempts": 3})
    server.inject_fault("demo-text-classifier", throttle_next=2)
    response = classify(retrying)
    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    attempts = [r.headers["amz-sdk-request"].split("attempt=")[-1] for r in server.requests()]
    assert attempts == ["1; max=3", "2; max=3", "3; max=3"]


@pytest.mark.parametrize(
    ("stream_error", "code"),
    [("ModelStreamError", "ModelStreamError"), ("InternalStreamFailure", "InternalStreamFailure")],
)
def test_stream_breaks_after_n_parts(
    server: LocalEndpoints, runtime_client: Any, stream_error: str, code: str
) -> None:
    server.inject_fault("demo-tgi-generator", break_stream_after=3, stream_error=stream_error)
    response = runtime_client.invoke_endpoint_with_response_stream(
        EndpointName="demo-tgi-generator", Body=GENERATOR_REQUEST, ContentType="application/json"
    )
    parts = []
    with pytest.raises(EventStreamError) as raised:
        for event in response["Body"]:
            parts.append(event["PayloadPart"]["Bytes"])
    response["Body"].close()  # botocore stops reading at the error event; release the connection
    assert len(parts) == 3
    assert raised.value.response["Error"]["Code"] == code
    assert raised.value.response["Error"]["Message"] == (
        "Injected stream break after 3 parts."
        if code == "ModelStreamError"
        else "Injected stream failure after 3 parts."
    )


def test_invalid_faults_are_refused(server: LocalEndpoints) -> None:
    with pytest.raises(ValueError, match="stream_error must be one of"):
        server.inject_fault("demo-tgi-generator", break_stream_after=1, stream_error="Oops")
    with pytest.raises(ValueError, match="model_error_status must be an HTTP error status"):
        server.inject_fault("demo-tgi-generator", model_error_status=200)


def test_request_log_records_exactly_what_was_sent(server: LocalEndpoints, runtime_client: Any) -> None:
    assert server.requests() == []
    runtime_client.invoke_endpoint(
        EndpointName="demo-text-classifier",
        Body=CLASSIFIER_REQUEST,
        ContentType="application/json",
        Accept="application/json",
        CustomAttributes="trace=xyz",
    )["Body"].read()
    [recorded] = server.requests()
    assert recorded.operation == "InvokeEndpoint"
    assert recorded.endpoint_name == "demo-text-classifier"
    assert (recorded.method, recorded.path) == ("POST", "/endpoints/demo-text-classifier/invocations")
    assert recorded.body == CLASSIFIER_REQUEST
    assert recorded.headers["content-type"] == "application/json"
    assert recorded.headers["accept"] == "application/json"
    assert recorded.headers["x-amzn-sagemaker-custom-attributes"] == "trace=xyz"
    assert recorded.headers["authorization"].startswith("AWS4-HMAC-SHA256 Credential=local/")
    assert recorded.received_at.tzinfo is not None


def test_refused_requests_are_logged_too(server: LocalEndpoints, runtime_client: Any) -> None:
    with pytest.raises(ClientError):
        classify(runtime_client, "no-such-endpoint")
    assert [(r.operation, r.endpoint_name) for r in server.requests()] == [
        ("InvokeEndpoint", "no-such-endpoint")
    ]


def test_http_controls(server: LocalEndpoints, runtime_client: Any) -> None:
    assert control(server, "GET", "/_local/health") == (200, "ok")
    assert (
        control(server, "PUT", "/_local/faults/demo-text-classifier", {"model_error_status": 418})[0] == 204
    )
    status, faults = control(server, "GET", "/_local/faults")
    assert faults["demo-text-classifier"]["model_error_status"] == 418
    with pytest.raises(ClientError) as raised:
        classify(runtime_client)
    assert raised.value.response["OriginalStatusCode"] == 418
    assert control(server, "DELETE", "/_local/faults/demo-text-classifier")[0] == 204
    classify(runtime_client)
    status, log = control(server, "GET", "/_local/requests")
    assert [entry["operation"] for entry in log] == [
        "InvokeEndpoint",
        "InvokeEndpoint",
    ]  # controls are not logged
    assert log[0]["body_base64"] == "eyJmZWF0dXJlcyI6IFsiVGhpcyBpcyBncmVhdCEiXX0="
    assert control(server, "DELETE", "/_local/requests")[0] == 204
    assert server.requests() == []
    status, added = control(server, "POST", "/_local/endpoints", {"count": 2, "prefix": "http-bulk"})
    assert (status, added) == (201, {"added": ["http-bulk-0001", "http-bulk-0002"]})
    assert control(server, "PUT", "/_local/settings", {"token_delay": 0.5}) == (200, {"token_delay": 0.5})
    assert server.token_delay == 0.5
    server.token_delay = 0.002
    assert control(server, "GET", "/_local/settings") == (200, {"token_delay": 0.002})
    assert control(server, "POST", "/_local/reset")[0] == 204
    assert control(server, "PUT", "/_local/faults/x", {"stream_error": "Nope"})[0] == 400
    status, body = control(server, "PUT", "/_local/settings", {"token_delay": -1})
    assert status == 400
    assert "token_delay cannot be negative" in body["error"]

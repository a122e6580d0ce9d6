"""InvokeEndpoint on the local server through a real boto3 client: headers, routing, errors."""

from __future__ import annotations

import io
import json
import re
import time
import urllib.error
import urllib.request
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError
from PIL import Image

from local_endpoints import LocalEndpoints

CLASSIFIER_REQUEST = b'{"features": ["This is great!"]}'
SIX_MIB = 6 * 1024 * 1024


def invoke(runtime_client: Any, **params: Any) -> dict[str, Any]:
    """invoke_endpoint with the body read (an unread body keeps its connection out of the pool)."""
    response = runtime_client.invoke_endpoint(**params)
    response["Body"] = response["Body"].read()
    return dict(response)


def error_of(raised: pytest.ExceptionInfo[ClientError]) -> tuple[str, int, str]:
    response = raised.value.response
    return (
        response["Error"]["Code"],
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Message"],
    )


def test_classifier_answers_the_documented_request(runtime_client: Any) -> None:
    response = invoke(
        runtime_client,
        EndpointName="demo-text-classifier",
        Body=CLASSIFIER_REQUEST,
        ContentType="application/json",
    )
    [prediction] = json.loads(response["Body"])["predictions"]
    assert prediction["label"] == "positive"
    assert response["ContentType"] == "application/json"
    assert response["InvokedProductionVariant"] == "AllTraffic"
    assert "CustomAttributes" not in response
    assert re.fullmatch(r"[0-9a-f-]{36}", response["ResponseMetadata"]["RequestId"])


def test_custom_attributes_are_echoed(runtime_client: Any) -> None:
    response = invoke(
        runtime_client,
        EndpointName="demo-text-classifier",
        Body=CLASSIFIER_REQUEST,
        ContentType="application/json",
        CustomAttributes="accept_eula=true",
    )
    assert response["CustomAttributes"] == "accept_eula=true"


def test_every_reference_header_is_accepted(server: LocalEndpoints, runtime_client: Any) -> None:
    response = invoke(
        runtime_client,
        EndpointName="demo-text-classifier",
        Body=CLASSIFIER_REQUEST,
        ContentType="application/json",
        Accept="application/json",
        CustomAttributes="trace=1",
        TargetModel="model.tar.gz",
        TargetVariant="AllTraffic",
        TargetContainerHostname="primary",
        InferenceId="inference-42",
        EnableExplanations="`false`",
    )
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    headers = server.requests()[-1].headers
    assert headers["x-amzn-sagemaker-target-model"] == "model.tar.gz"
    assert headers["x-amzn-sagemaker-inference-id"] == "inference-42"
    assert headers["x-amzn-sagemaker-target-container-hostname"] == "primary"


def test_csv_model_honours_accept(runtime_client: Any) -> None:
    as_csv = invoke(
        runtime_client,
        EndpointName="demo-csv-regressor",
        Body=b"120,3,15,4.5\n80,2,40,10",
        ContentType="text/csv",
    )
    assert as_csv["ContentType"] == "text/csv"  # exactly what the model said: no charset appended
    assert len(as_csv["Body"].decode().splitlines()) == 2
    as_json = invoke(
        runtime_client,
        EndpointName="demo-csv-regressor",
        Body=b"120,3,15,4.5",
        ContentType="text/csv",
        Accept="application/json",
    )
    assert as_json["ContentType"] == "application/json"
    assert len(json.loads(as_json["Body"])["predictions"]) == 1


def test_image_endpoint_reads_png_bytes(runtime_client: Any) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 32), (200, 30, 30)).save(buffer, format="PNG")
    response = invoke(
        runtime_client, EndpointName="demo-image-inspector", Body=buffer.getvalue(), ContentType="image/png"
    )
    described = json.loads(response["Body"])
    assert (described["width"], described["height"]) == (64, 32)


def test_target_variant_picks_the_variant(runtime_client: Any) -> None:
    for variant in ("variant-a", "variant-b"):
        response = invoke(
            runtime_client,
            EndpointName="demo-ab-test",
            Body=CLASSIFIER_REQUEST,
            ContentType="application/json",
            TargetVariant=variant,
        )
        assert response["InvokedProductionVariant"] == variant


def test_traffic_is_split_by_weight(runtime_client: Any) -> None:
    counts = Counter(
        invoke(
            runtime_client,
            EndpointName="demo-ab-test",
            Body=CLASSIFIER_REQUEST,
            ContentType="application/json",
        )["InvokedProductionVariant"]
        for _ in range(120)
    )
    assert set(counts) == {"variant-a", "variant-b"}
    assert min(counts.values()) > 30  # 50/50 weights; below 31 of 120 happens about once in 10^7 runs


def test_inference_component_is_chosen_by_name(runtime_client: Any) -> None:
    response = invoke(
        runtime_client,
        EndpointName="demo-inference-components",
        InferenceComponentName="ic-classifier",
        Body=CLASSIFIER_REQUEST,
        ContentType="application/json",
    )
    assert json.loads(response["Body"])["predictions"][0]["label"] == "positive"
    assert response["InvokedProductionVariant"] == "AllTraffic"


@pytest.mark.parametrize(
    ("endpoint", "extra", "message"),
    [
        ("demo-inference-components", {}, "Inference Component Name header is required"),
        (
            "demo-inference-components",
            {"InferenceComponentName": "ic-missing"},
            "Inference component ic-missing was not found on endpoint demo-inference-components.",
        ),
        (
            "demo-text-classifier",
            {"InferenceComponentName": "ic-classifier"},
            "Inference Component Name header is not allowed",
        ),
        (
            "demo-ab-test",
            {"TargetVariant": "variant-c"},
            "Variant variant-c not found for endpoint demo-ab-test.",
        ),
    ],
)
def test_routing_mistakes_are_validation_errors(
    runtime_client: Any, endpoint: str, extra: dict[str, str], message: str
) -> None:
    with pytest.raises(ClientError) as raised:
        invoke(
            runtime_client,
            EndpointName=endpoint,
            Body=CLASSIFIER_REQUEST,
            ContentType="application/json",
            **extra,
        )
    code, status, text = error_of(raised)
    assert (code, status) == ("ValidationError", 400)
    assert message in text


def test_new_session_returns_an_id_that_later_calls_can_use(runtime_client: Any) -> None:
    opened = invoke(
        runtime_client,
        EndpointName="demo-text-classifier",
        Body=CLASSIFIER_REQUEST,
        ContentType="application/json",
        SessionId="NEW_SESSION",
    )
    session_id, expires = opened["NewSessionId"].split("; Expires=")
    assert datetime.strptime(expires, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC) > datetime.now(UTC)
    again = invoke(
        runtime_client,
        EndpointName="demo-text-classifier",
        Body=CLASSIFIER_REQUEST,
        ContentType="application/json",
        SessionId=session_id,
    )
    assert "NewSessionId" not in again
    with pytest.raises(ClientError) as raised:
        invoke(
            runtime_client,
            EndpointName="demo-text-classifier",
            Body=CLASSIFIER_REQUEST,
            ContentType="application/json",
            SessionId="nope",
        )
    assert error_of(raised)[:2] == ("ValidationError", 400)
    assert "Session nope was not found" in error_of(raised)[2]


@pytest.mark.parametrize(
    ("endpoint", "message"),
    [
        ("no-such-endpoint", "Endpoint no-such-endpoint of account 123456789012 not found."),
        (
            "demo-creating",
            "Endpoint demo-creating of account 123456789012 is not in service: its status is Creating.",
        ),
        (
            "demo-failed",
            "Endpoint demo-failed of account 123456789012 is not in service: its status is Failed.",
        ),
        ("demo-async", "is an asynchronous inference endpoint; invoke it with InvokeEndpointAsync."),
        ("bad_name", "Member must satisfy regular expression pattern"),
    ],
)
def test_endpoints_that_cannot_answer_are_validation_errors(
    runtime_client: Any, endpoint: str, message: str
) -> None:
    with pytest.raises(ClientError) as raised:
        invoke(runtime_client, EndpointName=endpoint, Body=CLASSIFIER_REQUEST, ContentType="application/json")
    code, status, text = error_of(raised)
    assert (code, status) == ("ValidationError", 400)
    assert message in text


def padded_png(size: int) -> bytes:
    """A small PNG followed by zeros up to `size` bytes (Pillow reads the image and ignores the rest)."""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 4), (10, 20, 30)).save(buffer, format="PNG")
    return buffer.getvalue().ljust(size, b"\0")


def test_body_of_six_mib_is_answered_and_one_byte_more_is_refused(runtime_client: Any) -> None:
    answered = invoke(
        runtime_client, EndpointName="demo-image-inspector", Body=padded_png(SIX_MIB), ContentType="image/png"
    )
    assert (json.loads(answered["Body"])["width"], len(padded_png(SIX_MIB))) == (8, 6_291_456)
    with pytest.raises(ClientError) as raised:
        invoke(
            runtime_client,
            EndpointName="demo-image-inspector",
            Body=padded_png(SIX_MIB + 1),
            ContentType="image/png",
        )
    assert error_of(raised) == (
        "ValidationError",
        400,
        "Received payload of 6291457 bytes, which exceeds the maximum request payload size of 6291456 bytes "
        "for endpoint demo-image-inspector.",
    )


def test_serverless_endpoints_take_at_most_four_mib(runtime_client: Any) -> None:
    with pytest.raises(ClientError) as raised:
        invoke(
            runtime_client,
            EndpointName="demo-serverless",
            Body=b"1" * (4 * 1024 * 1024 + 1),
            ContentType="text/csv",
        )
    assert "exceeds the maximum request payload size of 4194304 bytes" in error_of(raised)[2]


def test_content_type_the_model_cannot_read_is_a_validation_error(runtime_client: Any) -> None:
    with pytest.raises(ClientError) as raised:
        invoke(runtime_client, EndpointName="demo-csv-regressor", Body=b"{}", ContentType="application/json")
    assert error_of(raised) == (
        "ValidationError",
        400,
        "Content type application/json is not supported by endpoint demo-csv-regressor: "
        "its model reads text/csv.",
    )


def test_input_the_model_rejects_is_a_model_error_with_original_fields(runtime_client: Any) -> None:
    with pytest.raises(ClientError) as raised:
        invoke(runtime_client, EndpointName="demo-csv-regressor", Body=b"1,2,banana", ContentType="text/csv")
    response = raised.value.response
    assert error_of(raised)[:2] == ("ModelError", 424)
    assert response["OriginalStatusCode"] == 400
    assert response["OriginalMessage"]
    assert response["Error"]["Message"].startswith(
        f'Received client error (400) from primary with message "{response["OriginalMessage"]}". See https://'
    )
    assert response["LogStreamArn"] == (
        "arn:aws:logs:us-east-1:123456789012:log-group:/aws/sagemaker/Endpoints/demo-csv-regressor"
    )


def test_unknown_paths_are_refused_and_logged(server: LocalEndpoints) -> None:
    import urllib.error
    import urllib.request

    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(f"{server.url}/endpoints/demo-text-classifier/other")
    with raised.value as error:
        assert error.code == 404
        assert error.headers["x-amzn-ErrorType"] == "UnknownOperationException"
        assert error.headers["x-amzn-RequestId"]
    assert [r.operation for r in server.requests()] == ["Unknown"]


def _classify(runtime_client: Any, body: bytes = CLASSIFIER_REQUEST, **session: str) -> dict[str, Any]:
    return invoke(
        runtime_client,
        EndpointName="demo-text-classifier",
        Body=body,
        ContentType="application/json",
        **session,
    )


def test_a_session_opened_by_the_contracts_request_is_used_then_closed(
    runtime_client: Any, server: LocalEndpoints
) -> None:
    opened = _classify(runtime_client, b'{"requestType": "NEW_SESSION"}', SessionId="NEW_SESSION")
    session_id, expires = opened["NewSessionId"].split("; Expires=")
    assert json.loads(opened["Body"]) == {"sessionId": session_id, "expires": expires}
    used = _classify(runtime_client, SessionId=session_id)  # the model answers inside the session
    assert "predictions" in json.loads(used["Body"])
    assert (
        server.requests()[-1].headers["x-amzn-sagemaker-session-id"] == session_id
    )  # the request log shows it

    closed = _classify(runtime_client, b'{"requestType": "CLOSE"}', SessionId=session_id)
    assert closed["ClosedSessionId"] == session_id
    assert json.loads(closed["Body"]) == {"sessionId": session_id, "closed": True}
    with pytest.raises(ClientError) as raised:  # closed: gone
        _classify(runtime_client, SessionId=session_id)
    assert f"Session {session_id} was not found" in error_of(raised)[2]


def test_a_session_expires_and_the_contract_refuses_mismatched_requests(
    runtime_client: Any, server: LocalEndpoints
) -> None:
    server.session_ttl = 0.2
    opened = _classify(
        runtime_client, SessionId="NEW_SESSION"
    )  # any body: the model answers, a session opens
    session_id = opened["NewSessionId"].split("; ")[0]
    with pytest.raises(ClientError) as raised:  # CLOSE while opening one
        _classify(runtime_client, b'{"requestType": "CLOSE"}', SessionId="NEW_SESSION")
    assert error_of(raised)[:2] == ("ValidationError", 400)
    time.sleep(0.3)
    with pytest.raises(ClientError) as raised:
        _classify(runtime_client, SessionId=session_id)
    assert "has expired" in error_of(raised)[2]
    server.reset()
    assert server.session_ttl == 1200


def test_the_log_files_each_request_under_the_request_id_its_answer_carried(
    runtime_client: Any, server: LocalEndpoints
) -> None:
    answered = _classify(runtime_client)
    with pytest.raises(ClientError) as raised:
        _classify(runtime_client, b'{"features": 7}')
    for request_id, status in [
        (answered["ResponseMetadata"]["RequestId"], 200),
        (raised.value.response["ResponseMetadata"]["RequestId"], 424),
    ]:
        with urllib.request.urlopen(f"{server.url}/_local/requests/{request_id}") as response:
            record = json.loads(response.read())
        assert (record["request_id"], record["status"], record["operation"]) == (
            request_id,
            status,
            "InvokeEndpoint",
        )
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(f"{server.url}/_local/requests/no-such-id")
    assert missing.value.code == 404
    missing.value.close()

"""InvokeEndpointWithResponseStream on the local server through a real boto3 client: one PayloadPart per model
part, flushed as produced, each LLM container format intact on the wire."""

from __future__ import annotations

import io
import json
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from local_endpoints import LocalEndpoints
from local_endpoints.models import TextGenerator


def completion_request(max_new_tokens: int = 12, **extra: Any) -> bytes:
    parameters = {"max_new_tokens": max_new_tokens, "seed": 11, "temperature": 0.8, **extra}
    return json.dumps({"inputs": "The river", "parameters": parameters, "stream": True}).encode()


def stream_parts(
    runtime_client: Any, endpoint: str, body: bytes, **params: Any
) -> tuple[dict[str, Any], list[bytes]]:
    response = runtime_client.invoke_endpoint_with_response_stream(
        EndpointName=endpoint, Body=body, ContentType="application/json", **params
    )
    parts = [event["PayloadPart"]["Bytes"] for event in response["Body"]]
    return response, parts


def test_first_part_arrives_long_before_the_last(server: LocalEndpoints, runtime_client: Any) -> None:
    server.token_delay = 0.02
    sent = time.perf_counter()
    response = runtime_client.invoke_endpoint_with_response_stream(
        EndpointName="demo-tgi-generator",
        Body=completion_request(40, ignore_eos_token=True),
        ContentType="application/json",
    )
    arrivals = [time.perf_counter() - sent for _ in response["Body"]]
    assert len(arrivals) == 40
    assert arrivals[-1] >= 39 * 0.02  # paced by the token delay...
    assert arrivals[0] < arrivals[-1] / 4  # ...and each part is flushed as it is produced, not at the end


@pytest.mark.parametrize(
    ("endpoint", "style", "content_type"),
    [
        ("demo-tgi-generator", "tgi", "text/event-stream"),
        ("demo-lmi-generator", "lmi", "application/jsonlines"),
        ("demo-lmi-legacy-generator", "lmi-legacy", "application/jsonlines"),
    ],
)
def test_each_payload_part_is_one_model_part(
    runtime_client: Any, endpoint: str, style: str, content_type: str
) -> None:
    body = completion_request()
    response, parts = stream_parts(runtime_client, endpoint, body, CustomAttributes="trace=7")
    expected = TextGenerator(style=style).stream(body, "application/json", None)
    assert parts == list(expected.parts)  # same seed, same model: byte for byte, part for part
    assert response["ContentType"] == content_type == expected.content_type
    assert response["InvokedProductionVariant"] == "AllTraffic"
    assert response["CustomAttributes"] == "trace=7"
    assert response["ResponseMetadata"]["HTTPHeaders"]["content-type"] == "application/vnd.amazon.eventstream"
    assert response["ResponseMetadata"]["HTTPHeaders"]["transfer-encoding"] == "chunked"
    assert response["ResponseMetadata"]["RequestId"]


def test_tgi_stream_is_server_sent_events_line_by_line(runtime_client: Any) -> None:
    _, parts = stream_parts(
        runtime_client, "demo-tgi-generator", completion_request(8, ignore_eos_token=True)
    )
    lines = b"".join(parts).decode().split("\n")
    events = [json.loads(line.removeprefix("data:")) for line in lines if line.startswith("data:")]
    assert [line for line in lines if line] == [line for line in lines if line.startswith("data:")]
    assert [event["index"] for event in events] == list(range(1, 9))
    assert all(event["generated_text"] is None for event in events[:-1])
    assert events[-1]["generated_text"] == "".join(event["token"]["text"] for event in events)
    assert events[-1]["details"]["finish_reason"] == "length"


def test_lmi_streams_are_json_lines(runtime_client: Any) -> None:
    _, parts = stream_parts(
        runtime_client, "demo-lmi-generator", completion_request(6, ignore_eos_token=True)
    )
    lines = [json.loads(line) for line in b"".join(parts).splitlines()]
    assert all("text" in line["token"] for line in lines)
    assert lines[-1]["generated_text"] == "".join(line["token"]["text"] for line in lines)
    _, parts = stream_parts(
        runtime_client, "demo-lmi-legacy-generator", completion_request(6, ignore_eos_token=True)
    )
    legacy = [json.loads(line) for line in b"".join(parts).splitlines()]
    assert len(legacy) == 6
    assert all(isinstance(line["outputs"][0], str) for line in legacy)


def test_chat_request_streams_openai_chunks_ending_in_done(runtime_client: Any) -> None:
    body = json.dumps(
        {"messages": [{"role": "user", "content": "Tell me about rivers"}], "max_tokens": 6, "stream": True}
    ).encode()
    _, parts = stream_parts(runtime_client, "demo-tgi-generator", body)
    lines = [line for line in b"".join(parts).decode().split("\n") if line]
    assert lines[-1] == "data: [DONE]"
    chunks = [json.loads(line.removeprefix("data:")) for line in lines[:-1]]
    assert all(chunk["object"] == "chat.completion.chunk" for chunk in chunks)
    assert "".join(chunk["choices"][0]["delta"].get("content") or "" for chunk in chunks)


def test_the_lmi_generator_speaks_the_messages_api_in_json_lines(runtime_client: Any) -> None:
    # LMI's chat: the same chunks as TGI's, one JSON object per line, without `data:` and `[DONE]`.
    turns = [{"role": "user", "content": "Tell me about rivers"}]
    body = json.dumps({"messages": turns, "max_tokens": 6, "stream": True}).encode()
    response, parts = stream_parts(runtime_client, "demo-lmi-generator", body)
    assert response["ContentType"] == "application/jsonlines"
    lines = b"".join(parts).decode().splitlines()
    chunks = [json.loads(line) for line in lines]
    assert all(chunk["object"] == "chat.completion.chunk" for chunk in chunks)
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert chunks[-1]["choices"][0]["finish_reason"] in ("stop", "length")
    assert "".join(chunk["choices"][0]["delta"].get("content") or "" for chunk in chunks)


def test_stream_through_an_inference_component(runtime_client: Any) -> None:
    response, parts = stream_parts(
        runtime_client,
        "demo-inference-components",
        completion_request(5),
        InferenceComponentName="ic-generator",
    )
    assert response["ContentType"] == "text/event-stream"
    assert 1 <= len(parts) <= 5


def test_a_model_that_cannot_stream_answers_in_one_part(runtime_client: Any) -> None:
    response, parts = stream_parts(
        runtime_client, "demo-text-classifier", b'{"features": ["This is great!"]}'
    )
    [part] = parts
    assert json.loads(part)["predictions"][0]["label"] == "positive"
    assert response["ContentType"] == "application/json"


def test_accept_travels_in_its_streaming_header(server: LocalEndpoints, runtime_client: Any) -> None:
    stream_parts(runtime_client, "demo-tgi-generator", completion_request(2), Accept="text/event-stream")
    [recorded] = server.requests()
    assert recorded.operation == "InvokeEndpointWithResponseStream"
    assert recorded.path == "/endpoints/demo-tgi-generator/invocations-response-stream"
    assert recorded.headers["x-amzn-sagemaker-accept"] == "text/event-stream"


def test_input_the_model_rejects_is_a_model_error_before_the_stream(runtime_client: Any) -> None:
    with pytest.raises(ClientError) as raised:
        runtime_client.invoke_endpoint_with_response_stream(
            EndpointName="demo-tgi-generator", Body=b'{"inputs": 5}', ContentType="application/json"
        )
    response = raised.value.response
    assert response["Error"]["Code"] == "ModelError"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 424
    assert response["OriginalStatusCode"] == 422
    assert "Input validation error" in response["OriginalMessage"]


@pytest.mark.parametrize(
    ("endpoint", "params", "message"),
    [
        ("no-such-endpoint", {}, "Endpoint no-such-endpoint of account 123456789012 not found."),
        (
            "demo-tgi-generator",
            {"SessionId": "NEW_SESSION"},
            "InvokeEndpointWithResponseStream cannot open a session",
        ),
        (
            "demo-csv-regressor",
            {},
            "Content type application/json is not supported by endpoint demo-csv-regressor",
        ),
    ],
)
def test_refusals_before_the_stream_are_validation_errors(
    runtime_client: Any, endpoint: str, params: dict[str, str], message: str
) -> None:
    with pytest.raises(ClientError) as raised:
        runtime_client.invoke_endpoint_with_response_stream(
            EndpointName=endpoint, Body=completion_request(), ContentType="application/json", **params
        )
    assert raised.value.response["Error"]["Code"] == "ValidationError"
    assert message in raised.value.response["Error"]["Message"]


def test_a_session_opened_by_invoke_can_stream(runtime_client: Any) -> None:
    opened = runtime_client.invoke_endpoint(
        EndpointName="demo-tgi-generator",
        Body=completion_request(2),
        ContentType="application/json",
        SessionId="NEW_SESSION",
    )
    opened["Body"].read()
    session_id = opened["NewSessionId"].split(";")[0]
    _, parts = stream_parts(runtime_client, "demo-tgi-generator", completion_request(2), SessionId=session_id)
    assert parts


class SmrInferenceStream:
    """The client of AWS's post introducing response streaming in SageMaker hosting, as written there: it
    reads the older LMI's `{"outputs": [...]}` JSON lines from the event stream."""

    def __init__(self, sagemaker_runtime: Any, endpoint_name: str) -> None:
        self.sagemaker_runtime = sagemaker_runtime
        self.endpoint_name = endpoint_name
        # A buffered I/O stream to combine the payload parts:
        self.buff = io.BytesIO()
        self.read_pos = 0

    def stream_inference(self, request_body: Any) -> Any:
        # Gets a streaming inference response from the specified model endpoint:
        response = self.sagemaker_runtime.invoke_endpoint_with_response_stream(
            EndpointName=self.endpoint_name, Body=json.dumps(request_body), ContentType="application/json"
        )
        # Gets the EventStream object returned by the SDK:
        event_stream = response["Body"]
        for event in event_stream:
            # Passes the contents of each payload part to be concatenated:
            self._write(event["PayloadPart"]["Bytes"])
            # Iterates over lines to parse whole JSON objects:
            for line in self._readlines():
                resp = json.loads(line)
                part = resp.get("outputs")[0]
                # Returns parts incrementally:
                yield part

    # Writes to the buffer to concatenate the contents of the parts:
    def _write(self, content: bytes) -> None:
        self.buff.seek(0, io.SEEK_END)
        self.buff.write(content)

    # The JSON objects in buffer end with '\n'. This method reads lines to yield a series of JSON objects:
    def _readlines(self) -> Any:
        self.buff.seek(self.read_pos)
        for line in self.buff.readlines():
            self.read_pos += len(line)
            yield line[:-1]


def test_the_aws_posts_own_client_reads_the_older_lmi_generator(runtime_client: Any) -> None:
    # Its request, unchanged: `inputs` is a list (dynamic batching), `enable_sampling` a string.
    request = {
        "inputs": ["Large model inference is"],
        "parameters": {"max_new_tokens": 100, "enable_sampling": "true"},
    }
    parts = list(SmrInferenceStream(runtime_client, "demo-lmi-legacy-generator").stream_inference(request))
    assert len(parts) > 3 and all(isinstance(part, str) for part in parts)
    assert "".join(parts).strip()


def test_the_older_lmi_generator_answers_one_prompt_per_request(runtime_client: Any) -> None:
    body = json.dumps({"inputs": ["one", "two"], "parameters": {"max_new_tokens": 4}}).encode()
    with pytest.raises(ClientError) as refused:
        stream_parts(runtime_client, "demo-lmi-legacy-generator", body)
    assert refused.value.response["Error"]["Code"] == "ModelError"
    assert "one prompt per request" in refused.value.response["Error"]["Message"]

"""stream(): every format from the demo generators, broken streams, stopping, and the parameters it takes."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator

import pytest

from local_endpoints import LocalEndpoints
from services import errors
from services.connection import Clients, Connection, build_clients
from services.invocation import stream
from services.results import MAX_BODY_BYTES, InvocationRequest, Status


@pytest.fixture
def slow_tokens(server: LocalEndpoints) -> Iterator[None]:
    before = server.token_delay
    server.token_delay = 0.4
    yield
    server.token_delay = before


def generate(endpoint: str = "demo-tgi-generator", tokens: int = 12, **fields: object) -> InvocationRequest:
    parameters = {"max_new_tokens": tokens, "ignore_eos_token": True}
    body = {"inputs": "Tell me about the sea", "parameters": parameters, "stream": True}
    values: dict[str, object] = {"endpoint_name": endpoint, "body": json.dumps(body).encode(), **fields}
    return InvocationRequest(**values)  # type: ignore[arg-type]


def chat(tokens: int = 12) -> InvocationRequest:
    messages = [{"role": "user", "content": "Hello"}]
    body = {"messages": messages, "max_tokens": tokens, "ignore_eos": True, "stream": True}
    return InvocationRequest(endpoint_name="demo-tgi-generator", body=json.dumps(body).encode())


@pytest.mark.parametrize(
    ("request_", "fmt", "content_type"),
    [
        (generate("demo-tgi-generator"), "tgi", "text/event-stream"),
        (generate("demo-lmi-generator"), "lmi", "application/jsonlines"),
        (generate("demo-lmi-legacy-generator"), "lmi", "application/jsonlines"),
        (chat(), "openai", "text/event-stream"),
    ],
    ids=["tgi", "lmi", "lmi-legacy", "openai-messages"],
)
def test_every_format_streams_its_tokens(
    server: LocalEndpoints, clients: Clients, request_: InvocationRequest, fmt: str, content_type: str
) -> None:
    streaming = stream(clients, request_)
    pieces = list(streaming)
    result = streaming.result

    assert result.status is Status.SUCCESS, result.error
    assert result.stream is not None
    assert result.stream.format == fmt
    assert len(pieces) == result.stream.token_count == 12
    assert result.text == "".join(pieces) and result.text.strip()
    assert result.stream.parts >= len(pieces)
    assert result.content_type == content_type
    assert result.body.count(b"\n") >= len(pieces)  # the raw bytes are kept too
    stats = result.stream
    assert stats.time_to_first_byte_ms is not None and stats.time_to_first_token_ms is not None
    assert result.execution_ms is not None
    assert 0 < stats.time_to_first_byte_ms <= stats.time_to_first_token_ms <= result.execution_ms
    assert stats.tokens_per_second(result.execution_ms) is not None
    assert (result.attempts, result.invoked_variant) == (1, "AllTraffic")
    assert result.request_id
    [recorded] = server.requests()
    assert recorded.operation == "InvokeEndpointWithResponseStream"


def test_a_forced_format_is_used(clients: Clients) -> None:
    streaming = stream(clients, generate("demo-lmi-generator"), fmt="text")
    text = "".join(streaming)
    result = streaming.result
    assert result.stream is not None and result.stream.format == "text"
    assert text.startswith('{"token"')


def test_a_model_that_cannot_stream_answers_in_one_text_piece(clients: Clients) -> None:
    request = InvocationRequest(
        endpoint_name="demo-text-classifier", body=b'{"features": ["This is great!"]}'
    )
    streaming = stream(clients, request)
    [piece] = list(streaming)
    assert json.loads(piece)
    assert streaming.result.stream is not None and streaming.result.stream.format == "text"


@pytest.mark.parametrize(
    ("field", "value", "header"),
    [
        ("accept", "application/jsonlines", "x-amzn-sagemaker-accept"),
        ("custom_attributes", "accept_eula=true", "x-amzn-sagemaker-custom-attributes"),
        ("target_variant", "AllTraffic", "x-amzn-sagemaker-target-variant"),
        ("target_container_hostname", "container-1", "x-amzn-sagemaker-target-container-hostname"),
        ("inference_id", "run-7", "x-amzn-sagemaker-inference-id"),
        ("prefix_aware_id", "app-1", "x-amzn-sagemaker-prefix-aware-id"),
    ],
)
def test_each_streaming_parameter_reaches_the_endpoint(
    server: LocalEndpoints, clients: Clients, field: str, value: str, header: str
) -> None:
    streaming = stream(clients, generate("demo-lmi-generator", tokens=2, **{field: value}))
    list(streaming)
    [recorded] = server.requests()
    assert recorded.headers[header] == value
    assert "accept" not in recorded.headers or field != "accept"


def test_inference_component_and_session_streaming(clients: Clients) -> None:
    streaming = stream(
        clients, generate("demo-inference-components", tokens=3, inference_component_name="ic-generator")
    )
    assert len(list(streaming)) == 3
    assert streaming.result.status is Status.SUCCESS


@pytest.mark.parametrize(
    ("field", "parameter"), [("target_model", "TargetModel"), ("enable_explanations", "EnableExplanations")]
)
def test_parameters_the_stream_does_not_take_are_refused_before_sending(
    server: LocalEndpoints, clients: Clients, field: str, parameter: str
) -> None:
    streaming = stream(clients, generate(**{field: "x"}))
    assert list(streaming) == []
    error = streaming.result.error
    assert isinstance(error, errors.InvalidRequestError)
    assert error.message == (
        f"{parameter} cannot be used with a streamed response: "
        "InvokeEndpointWithResponseStream does not take it."
    )
    assert server.requests() == []


def test_body_over_6_mib_is_refused_before_sending(server: LocalEndpoints, clients: Clients) -> None:
    streaming = stream(
        clients, InvocationRequest(endpoint_name="demo-tgi-generator", body=b" " * (MAX_BODY_BYTES + 1))
    )
    assert list(streaming) == []
    assert isinstance(streaming.result.error, errors.InvalidRequestError)
    assert streaming.result.attempts == 0
    assert server.requests() == []


@pytest.mark.parametrize(
    ("stream_error", "kind", "code", "message"),
    [
        # the code of a ModelStreamError is its ErrorCode, which botocore alone would drop
        ("ModelStreamError", errors.ModelStreamError, "StreamBroken", "Injected stream break after 4 parts."),
        (
            "InternalStreamFailure",
            errors.InternalStreamFailure,
            "InternalStreamFailure",
            "Injected stream failure after 4 parts.",
        ),
    ],
)
def test_a_broken_stream_keeps_the_partial_text_and_is_typed(
    server: LocalEndpoints,
    clients: Clients,
    stream_error: str,
    kind: type[errors.StreamError],
    code: str,
    message: str,
) -> None:
    server.inject_fault("demo-tgi-generator", break_stream_after=4, stream_error=stream_error)
    streaming = stream(clients, generate())
    pieces = list(streaming)
    result = streaming.result
    assert len(pieces) == 4
    assert result.status is Status.FAILED
    error = result.error
    assert type(error) is kind
    assert (error.code, error.message) == (code, message)
    assert "text received so far is kept" in error.hint
    assert error.partial_text == result.text == "".join(pieces)
    assert error.request_id == result.request_id and result.request_id
    assert result.stream is not None and (result.stream.parts, result.stream.token_count) == (4, 4)


def test_model_error_before_the_stream_is_a_failed_result(server: LocalEndpoints, clients: Clients) -> None:
    server.inject_fault("demo-tgi-generator", model_error_status=400, model_error_message="inputs too long")
    streaming = stream(clients, generate())
    assert list(streaming) == []
    error = streaming.result.error
    assert isinstance(error, errors.ModelError)
    assert (error.original_status, error.original_message) == (400, "inputs too long")
    assert error.log_url and "$252Fdemo-tgi-generator" in error.log_url
    assert streaming.result.stream is not None and streaming.result.stream.parts == 0


def test_stop_mid_stream_from_the_reading_loop(clients: Clients) -> None:
    streaming = stream(clients, generate(tokens=40))
    pieces = []
    for piece in streaming:
        pieces.append(piece)
        if len(pieces) == 3:
            streaming.stop()
    result = streaming.result
    assert len(pieces) == 3
    assert (result.status, result.error, result.text) == (Status.STOPPED, None, "".join(pieces))


def test_breaking_out_of_the_loop_stops_the_stream(clients: Clients) -> None:
    streaming = stream(clients, generate(tokens=40))
    iterator = iter(streaming)
    first = next(iterator)
    iterator.close()  # what a for loop's break plus garbage collection does
    assert streaming.result.status is Status.STOPPED
    assert streaming.result.text == first


def test_stop_from_another_thread_wakes_a_blocked_read(clients: Clients, server: LocalEndpoints) -> None:
    server.token_delay = 4.0  # the next token is 4 s away (reset by the fixture after the test)
    streaming = stream(clients, generate(tokens=20))
    pieces: list[str] = []
    first = threading.Event()

    def read() -> None:
        for piece in streaming:
            pieces.append(piece)
            first.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    assert first.wait(10)
    started = time.perf_counter()
    streaming.stop()
    reader.join(5)
    waited = time.perf_counter() - started
    assert not reader.is_alive()
    assert waited < 2.0  # the next token is 4 s away: the read was woken, not waited out
    assert streaming.result.status is Status.STOPPED
    assert streaming.result.text == "".join(pieces)


def test_stream_read_timeout_is_a_network_error(server: LocalEndpoints) -> None:
    server.inject_fault("demo-tgi-generator", delay_ms=1500)
    clients = build_clients(
        Connection(kind="local", region="us-east-1", local_url=server.url), read_timeout_s=0.3
    )
    streaming = stream(clients, generate())
    assert list(streaming) == []
    error = streaming.result.error
    assert isinstance(error, errors.NetworkError)
    assert error.code == "ReadTimeoutError"


@pytest.mark.parametrize("endpoint", ["demo-tgi-generator", "demo-lmi-generator"])
def test_an_error_inside_a_200_stream_is_a_typed_failure_keeping_the_text(
    clients: Clients, endpoint: str
) -> None:
    body = {"inputs": "please !!model-error!!", "parameters": {"max_new_tokens": 20}, "stream": True}
    streaming = stream(clients, InvocationRequest(endpoint_name=endpoint, body=json.dumps(body).encode()))
    pieces = list(streaming)
    result = streaming.result
    error = result.error
    assert isinstance(error, errors.StreamPayloadError)
    assert error.message.startswith("The model reported an error")  # the wording is services.streaming's
    assert pieces and error.partial_text == result.text and result.text.startswith("".join(pieces))
    assert result.status is Status.FAILED

"""The printed example code runs as printed against the local server and does what the service does.

Python examples are saved to a file and run with the venv's python (a fresh interpreter, like a user's);
CLI commands run in /bin/sh with the venv's `aws`. Both are compared with the service's own result for the
same request, and with what reached the server (every parameter as its header, the body's bytes or its JSON
value).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from local_endpoints import LocalEndpoints
from services.connection import Clients
from services.invocation import invoke, stream
from services.results import InvocationRequest, Status
from services.snippets import cli_command, python_code

VENV_BIN = Path(sys.executable).parent  # .venv/bin: its python runs the tests, its aws is the CLI under test
RUN_TIMEOUT_S = 60

# boto3 parameter -> the header it travels in (InvokeEndpoint); lower-case as the server records them.
HEADERS = {
    "accept": "accept",
    "custom_attributes": "x-amzn-sagemaker-custom-attributes",
    "target_model": "x-amzn-sagemaker-target-model",
    "target_variant": "x-amzn-sagemaker-target-variant",
    "target_container_hostname": "x-amzn-sagemaker-target-container-hostname",
    "inference_id": "x-amzn-sagemaker-inference-id",
    "enable_explanations": "x-amzn-sagemaker-enable-explanations",
    "inference_component_name": "x-amzn-sagemaker-inference-component",
    "session_id": "x-amzn-sagemaker-session-id",
    "prefix_aware_id": "x-amzn-sagemaker-prefix-aware-id",
}

EVERY_PARAMETER = InvocationRequest(
    endpoint_name="demo-inference-components",
    body=json.dumps({"inputs": "What a wonderful, delightful day"}).encode(),
    accept="application/json",
    custom_attributes='accept_eula=true; trace=it\'s "quoted"',
    target_model="model-b.tar.gz",
    target_variant="AllTraffic",
    target_container_hostname="container-1",
    inference_id="inference-42",
    enable_explanations="`true`",
    inference_component_name="ic-classifier",
    session_id="NEW_SESSION",
    prefix_aware_id="prefix-7",
)


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """Where the example runs (it may write response.json, request.bin)."""
    return tmp_path


def run_python(code: str, workdir: Path) -> str:
    """Save the code as example.py, run it with the venv's python in a clean environment, return stdout."""
    script = workdir / "example.py"
    script.write_text(code, encoding="utf-8")
    done = _run([sys.executable, str(script)], workdir)
    return done.stdout


def run_shell(command: str, workdir: Path) -> str:
    """Run a printed shell command in /bin/sh (the venv's bin first on PATH, so `aws` is the venv's CLI)."""
    done = _run(["/bin/sh", "-c", command], workdir)
    return done.stdout


def _run(argv: list[str], workdir: Path) -> subprocess.CompletedProcess[str]:
    # tests/conftest.py removed the developer's AWS settings from os.environ; the children inherit that.
    env = dict(
        os.environ, PATH=f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}", PYTHONIOENCODING="utf-8"
    )
    env.pop("PYTHONPATH", None)  # the example must not need the project on its path
    done = subprocess.run(
        argv, cwd=workdir, capture_output=True, text=True, encoding="utf-8", timeout=RUN_TIMEOUT_S, env=env
    )
    assert done.returncode == 0, f"exit {done.returncode}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    return done


def last_invocation(server: LocalEndpoints) -> tuple[dict[str, str], bytes]:
    """Headers and body of the last runtime request the server received."""
    runtime = [r for r in server.requests() if r.operation.startswith("InvokeEndpoint")]
    assert runtime, "no invocation reached the server"
    return runtime[-1].headers, runtime[-1].body


def sagemaker_headers(headers: dict[str, str]) -> dict[str, str]:
    """The headers that carry the request's parameters (not signatures, dates or user agents)."""
    return {k: v for k, v in headers.items() if k.startswith("x-amzn-sagemaker-") or k == "content-type"}


def png_bytes() -> bytes:
    image = Image.new("RGB", (4, 3), (200, 30, 60))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


# -- Python, not streamed ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "request_",
    [
        InvocationRequest("demo-text-classifier", b'{"inputs": ["I love it", "I hate it"]}'),
        # quotes, backslashes, a docstring terminator, a bidi override and non-ASCII: all embedded safely
        InvocationRequest(
            "demo-text-classifier",
            json.dumps(
                {"inputs": "great \"\"\" ''' \\ \u202e café 日本 \U0001f600 \x07", "n": [1.5, -0.0, 10**20]}
            ).encode(),
        ),
        InvocationRequest(
            "demo-text-classifier", "Ça marche très bien\n".encode(), content_type="text/plain"
        ),
        InvocationRequest(
            "demo-csv-regressor", b"-1.5,2.0,3.25,4\n4,5,6,7\n7,8,9,10", content_type="text/csv"
        ),
        InvocationRequest("demo-ab-test", b'{"inputs": "fine"}', target_variant="variant-b"),
    ],
    ids=["json", "json-hostile-strings", "text-plain", "csv-multiline", "ab-variant-b"],
)
def test_python_example_returns_the_service_body(
    request_: InvocationRequest, server: LocalEndpoints, clients: Clients, workdir: Path
) -> None:
    expected = invoke(clients, request_)
    assert expected.status is Status.SUCCESS, expected.error
    _, service_body = last_invocation(server)

    code = python_code(request_, stream=False, region="us-east-1", endpoint_url=server.url)
    printed = run_python(code, workdir)

    assert printed == expected.body.decode("utf-8") + "\n"
    _, example_body = last_invocation(server)
    if "json" in request_.content_type:
        assert json.loads(example_body) == json.loads(request_.body)  # the same JSON value
    else:
        assert example_body == request_.body == service_body  # text bodies byte for byte


def test_python_example_sends_every_parameter_as_the_service_does(
    server: LocalEndpoints, clients: Clients, workdir: Path
) -> None:
    expected = invoke(clients, EVERY_PARAMETER)
    assert expected.status is Status.SUCCESS, expected.error
    service_headers, _ = last_invocation(server)

    code = python_code(EVERY_PARAMETER, stream=False, region="us-east-1", endpoint_url=server.url)
    printed = run_python(code, workdir)

    assert printed == expected.body.decode() + "\n"
    headers, body = last_invocation(server)
    for attribute, header in HEADERS.items():
        value = getattr(EVERY_PARAMETER, attribute)
        assert headers.get(header) == value == service_headers.get(header), header
    assert headers["content-type"] == "application/json"
    assert json.loads(body) == json.loads(EVERY_PARAMETER.body)


def test_python_example_sends_a_binary_body_byte_for_byte(server: LocalEndpoints, workdir: Path) -> None:
    request_ = InvocationRequest("demo-image-inspector", png_bytes(), content_type="image/png")

    code = python_code(request_, stream=False, region="us-east-1", endpoint_url=server.url)
    printed = run_python(code, workdir)

    _, body = last_invocation(server)
    assert body == request_.body
    assert json.loads(printed)["width"] == 4


def test_examples_for_a_file_body_read_the_file_and_run_as_printed(
    server: LocalEndpoints, workdir: Path
) -> None:
    # The page's file body: the code reads the file the user chose (by its safe name) instead of holding
    # its bytes, and the CLI sends it with fileb://.
    picture = png_bytes()
    (workdir / "cat_photo.png").write_bytes(picture)
    request_ = InvocationRequest("demo-image-inspector", picture, content_type="image/png")

    code = python_code(
        request_, stream=False, region="us-east-1", endpoint_url=server.url, body_file="cat_photo.png"
    )
    assert 'with open("cat_photo.png", "rb") as file:' in code and "b64decode" not in code
    assert json.loads(run_python(code, workdir))["width"] == 4
    assert last_invocation(server)[1] == picture

    command = cli_command(request_, region="us-east-1", endpoint_url=server.url, body_file="cat_photo.png")
    assert "--body fileb://cat_photo.png" in command and "base64" not in command
    run_shell(command, workdir)
    headers, body = last_invocation(server)
    assert body == picture and headers["content-type"] == "image/png"
    assert json.loads((workdir / "response.json").read_text())["height"] == 3


def test_python_example_saves_a_binary_answer_to_a_file(server: LocalEndpoints, workdir: Path) -> None:
    # Accept image/png is refused by the inspector (it answers JSON), so the example must fail loudly, and
    # the code path that saves bytes must still be valid Python that ran up to the call.
    request_ = InvocationRequest(
        "demo-image-inspector", png_bytes(), content_type="image/png", accept="image/png"
    )
    code = python_code(request_, stream=False, region="us-east-1", endpoint_url=server.url)
    assert 'open("response.bin", "wb")' in code
    with pytest.raises(AssertionError, match="ModelError"):
        run_python(code, workdir)
    headers, _ = last_invocation(server)
    assert headers["accept"] == "image/png"


def test_json_that_python_cannot_round_trip_is_sent_as_the_exact_text(
    server: LocalEndpoints, workdir: Path
) -> None:
    # Duplicate keys (a dict keeps one) and NaN (not JSON) would change the value: the text goes as is.
    for body in (b'{"inputs": "bad", "inputs": "I love it"}', b'{"inputs": "I love it", "x": NaN}'):
        request_ = InvocationRequest("demo-text-classifier", body)
        code = python_code(request_, stream=False, region="us-east-1", endpoint_url=server.url)
        assert "json.dumps" not in code
        run_python(code, workdir)
        assert last_invocation(server)[1] == body


# -- Python, streamed --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "request_",
    [
        InvocationRequest(
            "demo-tgi-generator",
            b'{"inputs": "Once upon a time", "parameters": {"max_new_tokens": 24, "seed": 7}, '
            b'"stream": true}',
        ),
        InvocationRequest(
            "demo-lmi-generator", b'{"inputs": "The river", "parameters": {"max_new_tokens": 24, "seed": 7}}'
        ),
        InvocationRequest(
            "demo-lmi-legacy-generator",
            b'{"inputs": "The river", "parameters": {"max_new_tokens": 24, "seed": 7}}',
        ),
        InvocationRequest(
            "demo-tgi-generator",
            json.dumps(
                {
                    "messages": [{"role": "user", "content": "Tell me a story"}],
                    "max_tokens": 24,
                    "seed": 7,  # the demo model samples; a seed makes both runs write the same text
                    "stream": True,
                }
            ).encode(),
        ),
        InvocationRequest(
            "demo-inference-components",
            b'{"inputs": "In the morning", "parameters": {"max_new_tokens": 16, "seed": 7}, "stream": true}',
            inference_component_name="ic-generator",
            custom_attributes="trace=1",
            inference_id="stream-9",
        ),
    ],
    ids=["tgi-sse", "lmi-jsonlines", "lmi-outputs", "openai-chunks", "inference-component"],
)
def test_streaming_python_example_prints_the_decoders_text(
    request_: InvocationRequest, server: LocalEndpoints, clients: Clients, workdir: Path
) -> None:
    streamed = stream(clients, request_)
    pieces = list(streamed)
    expected = streamed.result
    assert expected.status is Status.SUCCESS, expected.error
    assert len(pieces) > 1 and expected.text
    service_headers, _ = last_invocation(server)

    code = python_code(request_, stream=True, region="us-east-1", endpoint_url=server.url)
    printed = run_python(code, workdir)

    assert printed == expected.text + "\n"
    headers, body = last_invocation(server)
    assert sagemaker_headers(headers) == sagemaker_headers(service_headers)
    assert json.loads(body) == json.loads(request_.body)


def test_streaming_example_leaves_out_what_the_stream_call_does_not_take(
    server: LocalEndpoints, workdir: Path
) -> None:
    request_ = InvocationRequest(
        "demo-tgi-generator",
        b'{"inputs": "Hello", "parameters": {"max_new_tokens": 4}, "stream": true}',
        target_model="m.tar.gz",
        enable_explanations="`true`",
        accept="text/event-stream",
    )
    code = python_code(request_, stream=True, region="us-east-1", endpoint_url=server.url)
    assert "# Not sent: the streaming call does not take TargetModel or EnableExplanations." in code
    assert "TargetModel=" not in code and "EnableExplanations=" not in code

    run_python(code, workdir)
    headers, _ = last_invocation(server)
    assert headers["x-amzn-sagemaker-accept"] == "text/event-stream"  # the stream call's Accept header
    assert "x-amzn-sagemaker-target-model" not in headers


# -- AWS CLI -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "request_",
    [
        InvocationRequest("demo-text-classifier", b'{"inputs": "It\'s \\"great\\" $HOME `id` caf\xc3\xa9"}'),
        InvocationRequest("demo-csv-regressor", b"-1.5,2.0,3.25,4\n4,5,6,7\n", content_type="text/csv"),
        InvocationRequest("demo-image-inspector", png_bytes(), content_type="image/png"),
        # An inline --body starting with http:// would be downloaded by the CLI, not sent.
        InvocationRequest(
            "demo-text-classifier", b"https://example.com/ is great", content_type="text/plain"
        ),
    ],
    ids=["json-shell-metacharacters", "csv-leading-dash", "binary-png", "url-like-text"],
)
def test_cli_command_writes_the_service_body_to_response_json(
    request_: InvocationRequest, server: LocalEndpoints, clients: Clients, workdir: Path
) -> None:
    expected = invoke(clients, request_)
    assert expected.status is Status.SUCCESS, expected.error

    command = cli_command(request_, region="us-east-1", endpoint_url=server.url)
    printed = run_shell(command, workdir)

    assert (workdir / "response.json").read_bytes() == expected.body
    assert printed.endswith(expected.body.decode())  # `cat response.json`
    _, body = last_invocation(server)
    assert body == request_.body  # the CLI sends the body byte for byte


def test_cli_command_sends_every_parameter(server: LocalEndpoints, clients: Clients, workdir: Path) -> None:
    # This CLI release predates PrefixAwareId; everything else the CLI knows must arrive.
    request_ = InvocationRequest(**{**EVERY_PARAMETER.__dict__, "prefix_aware_id": None})
    expected = invoke(clients, request_)
    assert expected.status is Status.SUCCESS, expected.error

    command = cli_command(request_, region="us-east-1", endpoint_url=server.url)
    printed = run_shell(command, workdir)

    assert (workdir / "response.json").read_bytes() == expected.body
    answer = expected.body.decode()
    assert printed.endswith(answer)
    metadata = json.loads(printed[: -len(answer)])  # the CLI prints the other response fields first
    assert metadata["ContentType"] == "application/json"
    headers, _ = last_invocation(server)
    for attribute, header in HEADERS.items():
        assert headers.get(header) == getattr(request_, attribute), header


def test_cli_command_shape() -> None:
    command = cli_command(EVERY_PARAMETER, region="eu-west-1", profile="dev")
    assert command.startswith("# The AWS CLI has no command for streaming (InvokeEndpointWithResponseStream)")
    assert "aws sagemaker-runtime invoke-endpoint \\\n" in command
    # The body goes through a file: fileb:// sends it byte for byte in CLI v1 and v2 alike, without
    # --cli-binary-format (which v1 refuses).
    assert "\nprintf '%s' '{\"inputs\": \"What a wonderful, delightful day\"}' > request.json\n" in command
    assert "--body fileb://request.json" in command and "--cli-binary-format" not in command
    assert "--profile dev" in command and "--region eu-west-1" in command
    assert "--endpoint-url" not in command and "AWS_ACCESS_KEY_ID" not in command  # AWS mode: no dummy keys
    assert "--prefix-aware-id prefix-7" in command
    assert "--custom-attributes 'accept_eula=true; trace=it'\"'\"'s \"quoted\"'" in command
    assert command.endswith("    response.json\ncat response.json\n")


def test_python_code_shape_for_aws_mode() -> None:
    code = python_code(EVERY_PARAMETER, stream=False, region=None, profile="dev")
    compile(code, "example.py", "exec")
    assert 'session = boto3.Session(profile_name="dev")' in code
    assert "endpoint_url" not in code and "aws_access_key_id" not in code and "local" not in code.lower()
    assert "region_name" not in code  # left to the profile's configuration
    assert "config=Config(read_timeout=70)" in code
    for parameter in (
        "Accept",
        "CustomAttributes",
        "TargetModel",
        "TargetVariant",
        "TargetContainerHostname",
        "InferenceId",
        "EnableExplanations",
        "InferenceComponentName",
        "SessionId",
        "PrefixAwareId",
    ):
        assert f"    {parameter}=" in code, parameter

    non_loopback = python_code(
        EVERY_PARAMETER,
        stream=True,
        region="us-west-2",
        endpoint_url="https://runtime.sagemaker.us-west-2.amazonaws.com",
    )
    compile(non_loopback, "example.py", "exec")
    assert 'endpoint_url="https://runtime.sagemaker.us-west-2.amazonaws.com"' in non_loopback
    assert "aws_access_key_id" not in non_loopback  # dummy keys only for the local server

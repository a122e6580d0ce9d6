"""A locustfile that sends exactly one request through boto3 and reports every call to Locust's events.

The request's values are embedded as literals that cannot break out of their quotes (``services.snippets``'
helpers): the body as its exact bytes (UTF-8 text written as a str literal and encoded, anything else as
base64), every optional parameter the call takes. Each call is timed with ``time.perf_counter`` around the
call and the body read (a stream: to its last event), with one HTTP attempt, as the app's cards and latency
runs time it. A stream also reports its time to first token (the first non-empty token's arrival minus the
call's start) as a request of its own type, ``TTFT``, so Locust's statistics show its distribution beside the
total. Credentials are never written, except the dummy ones the built-in local server accepts, and only for a
loopback ``endpoint_url``.
"""

from __future__ import annotations

import base64

from services.parameters import OPTIONAL_PARAMETERS
from services.results import InvocationRequest
from services.snippets import (
    _LINE_READER,
    LOCAL_REGION,
    READ_TIMEOUT_S,
    _is_local,
    _py_string,
    _py_text_block,
)

INVOKE_TYPE = "InvokeEndpoint"
STREAM_TYPE = "InvokeEndpointWithResponseStream"
TTFT_TYPE = "TTFT"
POOL_SIZE = 1000  # per Locust process: one connection per simulated user, opened only when needed
_INDENT = "    "

_TOKEN_TEXTS = '''
def token_texts(event_stream):
    """Each token's text as it arrives: SSE or JSON lines (TGI, LMI, OpenAI chunks), else plain lines."""
    for line in lines(event_stream):
        if line.startswith("data:"):
            line = line[len("data:") :]
        elif line.startswith((":", "event:", "id:", "retry:")):
            continue  # SSE comments (keep-alives) and fields without data
        line = line.strip()
        if line == "[DONE]":
            return
        if not line:
            continue
        try:
            chunk = json.loads(line)
        except ValueError:
            yield line  # a plain-text stream
            continue
        yield token_text(chunk)
'''

_USER = '''
class SageMakerUser(User):
    """One simulated client sending the request back to back (-u sets the concurrency)."""

    host = ENDPOINT_URL  # --host / -H points the test at another endpoint URL
    wait_time = constant(0)

    def on_start(self):
        self.runtime = runtime_client(self.host or None)

    def report(self, request_type, started, length, exception=None, *, ended=None):
        elapsed_ms = ((ended or time.perf_counter()) - started) * 1000.0
        self.environment.events.request.fire(
            request_type=request_type,
            name=NAME,
            response_time=elapsed_ms,
            response_length=length,
            exception=exception,
            context={},
        )
'''

_INVOKE_TASK = """
    @task
    def invoke(self):
        started = time.perf_counter()
        try:
            response = self.runtime.invoke_endpoint(Body=BODY, **PARAMETERS)
            length = len(response["Body"].read())
        except Exception as error:  # botocore's ClientError carries the code: Locust groups by it
            self.report(REQUEST_TYPE, started, 0, error)
            return
        self.report(REQUEST_TYPE, started, length)
"""

_STREAM_TASK = """
    @task
    def invoke_stream(self):
        started = time.perf_counter()
        length = 0
        first_token = False
        try:
            response = self.runtime.invoke_endpoint_with_response_stream(Body=BODY, **PARAMETERS)
            for text in token_texts(response["Body"]):
                if text and not first_token:
                    first_token = True
                    self.report(TTFT_TYPE, started, 0)
                length += len(text.encode("utf-8"))
        except Exception as error:
            self.report(REQUEST_TYPE, started, length, error)
            return
        self.report(REQUEST_TYPE, started, length)
"""


def locustfile(
    request: InvocationRequest,
    *,
    stream: bool,
    region: str | None,
    endpoint_url: str | None = None,
    profile: str | None = None,
) -> str:
    """The locustfile's text for this request (``stream`` picks InvokeEndpointWithResponseStream)."""
    local = _is_local(endpoint_url)
    operation = STREAM_TYPE if stream else INVOKE_TYPE
    out = [f'"""{_docstring(request, stream, operation)}"""', ""]
    body_lines = _body_lines(request.body)
    imports = {"time", *(("codecs", "json") if stream else ())}
    if body_lines[0].startswith("BODY = base64"):
        imports.add("base64")
    out += [f"import {name}" for name in sorted(imports)]
    out += [
        "",
        "import boto3",
        "from botocore.config import Config",
        "from locust import User, constant, task",
        "",
    ]
    out += [f"NAME = {_py_string(request.target)}"]
    out += [f"REQUEST_TYPE = {_py_string(operation)}"]
    if stream:
        out += [f"TTFT_TYPE = {_py_string(TTFT_TYPE)}"]
    out += [f"ENDPOINT_URL = {_py_string(endpoint_url) if endpoint_url else 'None'}"]
    out += [f"REGION = {_py_string(region or LOCAL_REGION) if region or local else 'None'}"]
    if profile and not local:
        out += [f"PROFILE = {_py_string(profile)}"]
    out += _parameter_lines(request, stream)
    out += body_lines
    out += ["", ""]
    out += _client_function(local, bool(profile and not local))
    if stream:
        out += ["", "", _LINE_READER.strip(), "", "", _TOKEN_TEXTS.strip()]
    out += ["", "", _USER.strip(), (_STREAM_TASK if stream else _INVOKE_TASK).rstrip()]
    return "\n".join(out) + "\n"


def file_name(request: InvocationRequest) -> str:
    name = "".join(c if c.isalnum() else "_" for c in request.endpoint_name)[:63]
    return f"locustfile_{name}.py"


def _docstring(request: InvocationRequest, stream: bool, operation: str) -> str:
    name = _py_string(request.target)[1:-1].replace('"', "'")
    ttft = (
        f' For each stream the time to first token is reported too, as request type "{TTFT_TYPE}".'
        if stream
        else ""
    )
    return f"""Load test: {operation} on {name}, the request the Latency page ran, through boto3.

Every call is timed with time.perf_counter around the call and the body read (one HTTP attempt, no
retries) and reported to Locust's request events as type "{operation}".{ttft}

    pip install locust boto3
    locust -f THIS_FILE --headless -u 16 -r 16 -t 60s          # 16 users = concurrency 16
    locust -f THIS_FILE --master --headless -u 64 -r 64 -t 60s --expect-workers 4
    locust -f THIS_FILE --worker --master-host MASTER_HOST      # on each of the 4 load machines

--host (-H) sends to another endpoint URL (the built-in local server gets a new port each start).
"""


def _parameter_lines(request: InvocationRequest, stream: bool) -> list[str]:
    lines = ["PARAMETERS = {"]
    lines.append(f"{_INDENT}{_py_string('EndpointName')}: {_py_string(request.endpoint_name)},")
    lines.append(f"{_INDENT}{_py_string('ContentType')}: {_py_string(request.content_type)},")
    for parameter in OPTIONAL_PARAMETERS:
        value = getattr(request, parameter.attribute)
        if value is None or (stream and not parameter.streamed):
            continue
        lines.append(f"{_INDENT}{_py_string(parameter.name)}: {_py_string(value)},")
    lines.append("}")
    return lines


def _body_lines(body: bytes) -> list[str]:
    """BODY: the exact bytes of the request's body."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        encoded = base64.b64encode(body).decode("ascii")
        return [f'BODY = base64.b64decode("{encoded}")']
    return [f'BODY = {_py_text_block(text)}.encode("utf-8")']


def _client_function(local: bool, with_profile: bool) -> list[str]:
    config = (
        f"Config(read_timeout={READ_TIMEOUT_S}, retries={{'total_max_attempts': 1, 'mode': 'standard'}}, "
        f"max_pool_connections={POOL_SIZE})"
    )
    lines = [
        "_runtime = None",
        "",
        "",
        "def runtime_client(endpoint_url):",
        f'{_INDENT}"""One client per Locust process (thread-safe), one HTTP attempt per call."""',
        f"{_INDENT}global _runtime",
        f"{_INDENT}if _runtime is None:",
    ]
    inner = _INDENT * 2
    if with_profile:
        lines.append(f"{inner}session = boto3.Session(profile_name=PROFILE)")
    factory = "session" if with_profile else "boto3"
    lines.append(f"{inner}_runtime = {factory}.client(")
    lines.append(f'{inner}{_INDENT}"sagemaker-runtime",')
    lines.append(f"{inner}{_INDENT}region_name=REGION,")
    lines.append(f"{inner}{_INDENT}endpoint_url=endpoint_url,")
    if local:
        lines.append(f"{inner}{_INDENT}# The built-in local server accepts any credentials; boto3 must sign.")
        lines.append(f'{inner}{_INDENT}aws_access_key_id="local",')
        lines.append(f'{inner}{_INDENT}aws_secret_access_key="local",')
    lines.append(f"{inner}{_INDENT}config={config},")
    lines.append(f"{inner})")
    lines.append(f"{_INDENT}return _runtime")
    return lines

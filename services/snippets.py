"""Example code for a request: the boto3 Python code that makes exactly that call, and the AWS CLI command.

Both run as printed. Values from the request (body, names, headers) are embedded as literals that cannot
break out of their quotes: Python strings are escaped here (non-printable characters such as bidi controls
become escapes, so the code shown is the code that runs), shell words go through ``shlex.quote``. Credentials
are never written, except the dummy ones the built-in local server accepts, and only for a loopback
``endpoint_url``.
"""

from __future__ import annotations

import base64
import json
import math
import shlex
import textwrap
from typing import Any
from urllib.parse import urlsplit

from services.connection import LOCAL_REGION, RUNTIME_READ_TIMEOUT_S
from services.parameters import OPTIONAL_PARAMETERS
from services.results import InvocationRequest

READ_TIMEOUT_S = RUNTIME_READ_TIMEOUT_S  # the service's own: the container has 60 s, AWS recommends 70 s
_LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
_INDENT = "    "

# Response content types worth printing as text; for any other Accept the example saves the bytes to a file.
_TEXT_TYPES = ("json", "text/", "csv", "xml", "*/*")

_LINE_READER = '''
def lines(event_stream):
    """Complete lines from the payload parts. A part may end inside a line or inside a UTF-8 character,
    and the last line may have no newline: keep the unfinished pieces and flush them at the end."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    pending = []  # pieces of the line that has not ended yet
    for event in event_stream:
        if "PayloadPart" in event:
            *complete, rest = decoder.decode(event["PayloadPart"]["Bytes"]).split("\\n")
            for line in complete:
                yield ("".join(pending) + line).rstrip("\\r")
                pending.clear()
            pending.append(rest)
    pending.append(decoder.decode(b"", final=True))
    last = "".join(pending)
    if last:
        yield last.rstrip("\\r")


def token_text(chunk):
    """The generated text in one JSON chunk: TGI and LMI (token.text), older LMI (outputs),
    OpenAI-compatible servers (choices[0].delta.content)."""
    if not isinstance(chunk, dict):
        return ""
    details = chunk.get("details") or {}
    if "error" in chunk or details.get("finish_reason") == "error":
        raise RuntimeError(f"The model reported an error in the stream: {chunk}")
    token = chunk.get("token")
    if isinstance(token, dict):
        special = token.get("special") or token.get("special_token")
        return "" if special else token.get("text") or ""
    outputs = chunk.get("outputs")
    if outputs:
        return outputs[0] if isinstance(outputs[0], str) else outputs[0].get("text") or ""
    choices = chunk.get("choices")
    if choices:
        return (choices[0].get("delta") or {}).get("content") or choices[0].get("text") or ""
    return ""
'''

_STREAM_LOOP = """
for line in lines(response["Body"]):
    if line.startswith("data:"):
        line = line[len("data:") :]  # SSE, with or without a space after the colon
    elif line.startswith((":", "event:", "id:", "retry:")):
        continue  # SSE comments (keep-alives) and fields without data
    line = line.strip()
    if line == "[DONE]":
        break
    if not line:
        continue
    try:
        chunk = json.loads(line)
    except ValueError:
        print(line, flush=True)  # a plain-text stream
        continue
    print(token_text(chunk), end="", flush=True)
print()
"""


def python_code(
    request: InvocationRequest,
    *,
    stream: bool,
    region: str | None,
    endpoint_url: str | None = None,
    profile: str | None = None,
    body_file: str | None = None,
) -> str:
    """The boto3 code that makes this request (``stream`` picks InvokeEndpointWithResponseStream) and prints
    the answer. ``endpoint_url`` is written only when given; a loopback one (the built-in server) also gets
    dummy credentials. ``region`` None leaves the region to the profile's configuration (the local server
    gets us-east-1). The streaming call does not take TargetModel or EnableExplanations: they are left out
    with a comment saying so. ``body_file``: the body is that file (a safe name: services.request_files),
    read from the working directory, rather than bytes written into the code."""
    body = _python_file_body(body_file) if body_file is not None else _python_body(request)
    imports = sorted({*body.imports, *(("codecs", "json") if stream else ())})
    out = [f'"""{_summary(request, stream)}"""', ""]
    if imports:
        out += [*(f"import {name}" for name in imports), ""]
    out += ["import boto3", "from botocore.config import Config", ""]
    if stream:
        out += [_LINE_READER.rstrip(), "", ""]
    out += _client_lines(region, endpoint_url, profile)
    out += ["", *body.lines]
    out += ["", *_call_lines(request, stream, body.expression)]
    if stream:
        out += [_STREAM_LOOP.strip()]
    else:
        out += _print_lines(request)
    return "\n".join(out) + "\n"


def cli_command(
    request: InvocationRequest,
    *,
    region: str | None,
    endpoint_url: str | None = None,
    profile: str | None = None,
    body_file: str | None = None,
) -> str:
    """The AWS CLI (v1 or v2) command for the non-streaming call, for a POSIX shell. The request body is
    written to a file first (``request.json``, ``.csv``, ``.txt`` or ``.bin``) and sent with ``fileb://``;
    the answer's body goes to ``response.json`` (the CLI prints the other response fields), then ``cat``
    shows it. ``body_file``: the body is that file (a safe name), sent as it is from the working directory."""
    local = _is_local(endpoint_url)
    lines = [
        "# The AWS CLI has no command for streaming (InvokeEndpointWithResponseStream):",
        "# use the Python example for a streamed answer.",
    ]
    if body_file is not None:
        body_word = _cli_option("--body", f"fileb://{body_file}")
        lines.append(f"# The body is the file you chose on the page: run this next to {body_file}.")
    else:
        body_word, prelude = _cli_body(request.body, request.content_type)
        lines += prelude
    command = "aws sagemaker-runtime invoke-endpoint"
    if local:
        # The built-in server accepts any credentials; the CLI still needs some to sign the request.
        command = "AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local " + command
    options: list[str] = []
    if profile and not local:
        options.append(_cli_option("--profile", profile))
    if region or local:
        options.append(_cli_option("--region", region or LOCAL_REGION))
    if endpoint_url:
        options.append(_cli_option("--endpoint-url", endpoint_url))
    options.append(_cli_option("--endpoint-name", request.endpoint_name))
    options.append(_cli_option("--content-type", request.content_type))
    for parameter in OPTIONAL_PARAMETERS:
        value = getattr(request, parameter.attribute)
        if value is not None:
            options.append(_cli_option(parameter.cli_option, value))
    if request.prefix_aware_id is not None:
        lines.append("# --prefix-aware-id is new: older AWS CLI releases answer: Unknown options.")
    options.append(body_word)
    options.append("response.json")
    lines.append(" \\\n    ".join([command, *options]))
    lines.append("cat response.json")
    return "\n".join(lines) + "\n"


# -- Python: the client ------------------------------------------------------------------------------------


def _summary(request: InvocationRequest, stream: bool) -> str:
    how = "stream its answer" if stream else "print its answer"
    return f"Invoke the SageMaker endpoint {_docstring_safe(request.endpoint_name)} and {how}."


def _docstring_safe(text: str) -> str:
    # Endpoint names are [a-zA-Z0-9-]; anything else is shown as a literal so it cannot end the docstring.
    return text if text.replace("-", "").isalnum() and text.isascii() else _py_string(text)


def _client_lines(region: str | None, endpoint_url: str | None, profile: str | None) -> list[str]:
    local = _is_local(endpoint_url)
    arguments = ['"sagemaker-runtime"']
    if region or local:
        arguments.append(f"region_name={_py_string(region or LOCAL_REGION)}")
    if endpoint_url:
        arguments.append(f"endpoint_url={_py_string(endpoint_url)}")
    if local:
        arguments += ['aws_access_key_id="local"', 'aws_secret_access_key="local"']
    arguments.append(f"config=Config(read_timeout={READ_TIMEOUT_S})")
    lines = []
    if local:
        lines.append("# The built-in local server accepts any credentials; boto3 still needs some to sign.")
    factory = "boto3"
    if profile and not local:
        lines.append(f"session = boto3.Session(profile_name={_py_string(profile)})")
        factory = "session"
    if not region and not local:
        lines.append("# The region comes from your AWS configuration (AWS_DEFAULT_REGION or the profile).")
    comment = "  # the model has 60 s to answer"
    lines.append(f"runtime = {factory}.client(")
    lines += [f"{_INDENT}{argument}," for argument in arguments[:-1]]
    lines.append(f"{_INDENT}{arguments[-1]},{comment}")
    lines.append(")")
    return lines


def _is_local(endpoint_url: str | None) -> bool:
    if not endpoint_url:
        return False
    try:
        host = urlsplit(endpoint_url).hostname
    except ValueError:
        return False
    return host in _LOCAL_HOSTS


# -- Python: the call --------------------------------------------------------------------------------------


def _call_lines(request: InvocationRequest, stream: bool, body_expression: str) -> list[str]:
    operation = "invoke_endpoint_with_response_stream" if stream else "invoke_endpoint"
    arguments = [
        f"EndpointName={_py_string(request.endpoint_name)}",
        f"ContentType={_py_string(request.content_type)}",
    ]
    skipped = []
    for parameter in OPTIONAL_PARAMETERS:
        value = getattr(request, parameter.attribute)
        if value is None:
            continue
        if stream and not parameter.streamed:
            skipped.append(parameter.name)
            continue
        arguments.append(f"{parameter.name}={_py_string(value)}")
    arguments.append(f"Body={body_expression}")
    lines = []
    if skipped:
        lines.append(f"# Not sent: the streaming call does not take {' or '.join(skipped)}.")
    lines.append(f"response = runtime.{operation}(")
    lines += [f"{_INDENT}{argument}," for argument in arguments]
    lines.append(")")
    return lines


def _print_lines(request: InvocationRequest) -> list[str]:
    accept = (request.accept or "").lower()
    if accept and not any(kind in accept for kind in _TEXT_TYPES):
        return [
            'body = response["Body"].read()',
            'with open("response.bin", "wb") as file:',
            f"{_INDENT}file.write(body)",
            "print(f\"{response['ContentType']}: {len(body)} bytes saved to response.bin\")",
        ]
    return ['print(response["Body"].read().decode("utf-8"))']


# -- Python: the body --------------------------------------------------------------------------------------


class _PythonBody:
    """How the body appears in the code: the lines that define it, the expression passed as Body=."""

    def __init__(self, lines: list[str], expression: str, imports: tuple[str, ...] = ()) -> None:
        self.lines = lines
        self.expression = expression
        self.imports = imports


def _python_body(request: InvocationRequest) -> _PythonBody:
    data = request.body
    if "json" in request.content_type.lower():
        value = _json_value(data)
        if value is not _NOT_JSON:
            try:
                literal = _py_value(value, 0)
            except RecursionError:
                literal = None
            if literal is not None:
                return _PythonBody([f"payload = {literal}"], "json.dumps(payload)", ("json",))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        encoded = base64.b64encode(data).decode("ascii")
        return _PythonBody([f'body = base64.b64decode("{encoded}")'], "body", ("base64",))
    return _PythonBody([f"body = {_py_text_block(text)}"], "body")


def _python_file_body(name: str) -> _PythonBody:
    return _PythonBody(
        [
            "# The body is the file you chose on the page: put it next to this script (or change the path).",
            f'with open({_py_string(name)}, "rb") as file:',
            f"{_INDENT}body = file.read()",
        ],
        "body",
    )


_NOT_JSON = object()


def _json_value(data: bytes) -> Any:
    """The JSON value of the body when it can be written as a Python literal that json.dumps sends as the same
    value; else _NOT_JSON (invalid JSON, several values, NaN/Infinity, duplicate keys, numbers too big)."""

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [key for key, _ in pairs]
        if len(set(keys)) != len(keys):
            raise ValueError("duplicate keys: a dict would keep only the last")
        return dict(pairs)

    def refuse(name: str) -> Any:
        raise ValueError(f"{name} is not JSON")

    def finite(text: str) -> float:
        number = float(text)
        if not math.isfinite(number):
            raise ValueError("out of range")
        return number

    try:
        return json.loads(
            data.decode("utf-8"), object_pairs_hook=no_duplicates, parse_constant=refuse, parse_float=finite
        )
    except (ValueError, RecursionError):
        return _NOT_JSON


def _py_value(value: Any, level: int) -> str:
    """A JSON value as a readable Python literal: objects and nested lists one item per line, flat lists
    inline, strings double-quoted."""
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return _py_string(value)
    inner = _INDENT * (level + 1)
    closing = _INDENT * level
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f"{inner}{_py_string(key)}: {_py_value(item, level + 1)}," for key, item in value.items()]
        return "{\n" + "\n".join(items) + f"\n{closing}}}"
    if not value:
        return "[]"
    if all(not isinstance(item, dict | list) for item in value):
        return "[" + ", ".join(_py_value(item, level + 1) for item in value) + "]"
    items = [f"{inner}{_py_value(item, level + 1)}," for item in value]
    return "[\n" + "\n".join(items) + f"\n{closing}]"


def _py_text_block(text: str) -> str:
    """A str literal; text of several lines becomes one literal per line, joined by Python's implicit
    concatenation, so CSV and JSON-lines bodies read as they are."""
    pieces = text.split("\n")
    if len(pieces) <= 2 and len(text) <= 80:
        return _py_string(text)
    lines = [piece + "\n" for piece in pieces[:-1]]
    if pieces[-1]:
        lines.append(pieces[-1])
    return "(\n" + "\n".join(f"{_INDENT}{_py_string(line)}" for line in lines) + "\n)"


_PY_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _py_string(text: str) -> str:
    """A double-quoted Python str literal with the same value; non-printable characters (controls, bidi
    overrides, lone surrogates) are written as escapes."""
    escaped = text.translate(_PY_ESCAPES)
    if not escaped.isprintable():
        escaped = "".join(char if char.isprintable() else repr(char)[1:-1] for char in escaped)
    return f'"{escaped}"'


# -- CLI -----------------------------------------------------------------------------------------------------


def _cli_option(flag: str, value: str) -> str:
    # A value starting with "-" would be read as an option; the --flag=value form cannot be.
    if value.startswith("-"):
        return f"{flag}={shlex.quote(value)}"
    return f"{flag} {shlex.quote(value)}"


def _cli_body(data: bytes, content_type: str) -> tuple[str, list[str]]:
    """The --body option and the line that writes its file first.

    The body always travels as ``fileb://``: the CLI then sends the file's bytes exactly, the same way in v1
    and v2. An inline ``--body`` would need ``--cli-binary-format raw-in-base64-out`` in v2 (it reads blobs as
    base64), an option v1 refuses, and would be read as a file or downloaded when it starts with file:// or
    http://. Readable text is written with printf (a shell builtin, so no argv size limit); anything else
    (not UTF-8, NUL, invisible characters such as bidi controls) is written from base64."""
    name = "request" + _extension(content_type)
    try:
        text: str | None = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and text.replace("\n", "").replace("\t", "").isprintable():
        return f"--body fileb://{name}", [f"printf '%s' {shlex.quote(text)} > {name}"]
    encoded = textwrap.wrap(base64.b64encode(data).decode("ascii"), 76)
    return f"--body fileb://{name}", [f"base64 --decode > {name} <<'EOF'", *encoded, "EOF"]


def _extension(content_type: str) -> str:
    media_type = content_type.split(";", 1)[0].strip().lower()
    if "json" in media_type:
        return ".json"
    if media_type == "text/csv":
        return ".csv"
    return ".txt" if media_type.startswith("text/") else ".bin"

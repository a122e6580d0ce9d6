"""Any body survives being printed into the example: run the printed code in-process against the local server
and compare what the server received with the request (bytes, or the JSON value for JSON bodies)."""

from __future__ import annotations

import contextlib
import io
import json
import math
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from local_endpoints import LocalEndpoints
from services.results import InvocationRequest
from services.snippets import python_code

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
bodies = st.one_of(
    json_values.map(lambda value: json.dumps(value).encode()),
    json_values.map(lambda value: json.dumps(value, ensure_ascii=False, indent=2).encode()),
    st.text().map(str.encode),
    st.binary(max_size=64),
)
content_types = st.sampled_from(["application/json", "text/plain", "text/csv", "application/octet-stream"])


def run_in_process(code: str) -> None:
    """Run printed code in a fresh namespace. The demo model may refuse the body (a botocore ClientError);
    the server has recorded it by then. A SyntaxError is swallowed too, and then nothing was recorded."""
    namespace: dict[str, Any] = {"__name__": "__main__"}
    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(Exception):
        exec(compile(code, "example.py", "exec"), namespace)


@settings(max_examples=60, deadline=None)
@given(body=bodies, content_type=content_types)
def test_the_printed_body_is_the_request_body(
    local_server: LocalEndpoints, body: bytes, content_type: str
) -> None:
    request = InvocationRequest(
        "demo-csv-regressor", body, content_type=content_type, inference_id="hypothesis"
    )
    code = python_code(request, stream=False, region="us-east-1", endpoint_url=local_server.url)
    before = len(local_server.requests())

    run_in_process(code)

    received = local_server.requests()[before:]
    assert len(received) == 1
    sent = received[0].body
    if "json.dumps(payload)" in code:
        assert same_json(json.loads(sent), json.loads(body))
    else:
        assert sent == body


def same_json(a: Any, b: Any) -> bool:
    """Equality of JSON values where -0.0 == 0.0 differs only in sign, and ints stay ints."""
    if isinstance(a, float) and isinstance(b, float):
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(same_json(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same_json(a[k], b[k]) for k in a)
    return bool(a == b)

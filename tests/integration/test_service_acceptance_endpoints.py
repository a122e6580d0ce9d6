"""Acceptance: an identity allowed to describe an endpoint but not to read its config or list its inference
components still gets the endpoint described (and told what is missing), instead of an error.

A small proxy in front of the local server refuses chosen control-plane operations the way SageMaker does
(JSON 1.1, AccessDeniedException); everything else is forwarded. Real boto3 over HTTP.
"""

from __future__ import annotations

import http.client
import json
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from local_endpoints import LocalEndpoints
from services import errors
from services.connection import Clients, Connection, build_clients
from services.endpoints import describe_endpoint
from services.invocation import invoke
from services.results import InvocationRequest, Status

DENIED_PREFIX = "User: arn:aws:iam::123456789012:user/tester is not authorized to perform: sagemaker:"


class ForwardingProxy:
    """Forwards every POST to the local server at `target_port` and its answer back, except the control-plane
    operations in `denied`, refused as SageMaker refuses them. With `tls` (certificate and key files) it
    speaks HTTPS."""

    def __init__(self, target_port: int, tls: tuple[Path, Path] | None = None) -> None:
        self.denied: set[str] = set()
        proxy = self

        class Forward(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as botocore expects

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                operation = (self.headers.get("X-Amz-Target") or "").removeprefix("SageMaker.")
                if operation in proxy.denied:
                    message = f"{DENIED_PREFIX}{operation}"
                    data = json.dumps({"__type": "AccessDeniedException", "message": message}).encode()
                    self._send(400, [("Content-Type", "application/x-amz-json-1.1")], data)
                    return
                upstream = http.client.HTTPConnection("127.0.0.1", target_port, timeout=30)
                try:
                    upstream.request("POST", self.path, body=body, headers=dict(self.headers.items()))
                    answer = upstream.getresponse()
                    self._send(answer.status, answer.getheaders(), answer.read())
                finally:
                    upstream.close()

            def _send(self, status: int, headers: list[tuple[str, str]], data: bytes) -> None:
                self.send_response(status)
                for name, value in headers:
                    if name.lower() not in ("content-length", "transfer-encoding", "connection", "date"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Forward)
        scheme = "http"
        if tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self._httpd.socket = context.wrap_socket(self._httpd.socket, server_side=True)
            scheme = "https"
        self.url = f"{scheme}://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


@pytest.fixture
def proxy(server: LocalEndpoints) -> Iterator[ForwardingProxy]:
    forwarding = ForwardingProxy(server.port)
    yield forwarding
    forwarding.close()


@pytest.fixture
def proxied(proxy: ForwardingProxy) -> Clients:
    return build_clients(Connection(kind="local", region="us-east-1", local_url=proxy.url))


def test_everything_allowed_reads_everything(proxy: ForwardingProxy, proxied: Clients) -> None:
    details = describe_endpoint(proxied, "demo-inference-components")
    assert {c.name for c in details.inference_components} == {"ic-classifier", "ic-generator"}
    assert details.variants[0].instance_type and details.unavailable == ()


def test_denied_components_and_config_still_describe_the_endpoint(
    proxy: ForwardingProxy, proxied: Clients
) -> None:
    proxy.denied = {"ListInferenceComponents", "DescribeEndpointConfig"}
    details = describe_endpoint(proxied, "demo-inference-components")
    assert (details.status, details.is_invocable, details.inference_components) == ("InService", True, ())
    assert [v.name for v in details.variants] == ["AllTraffic"] and details.variants[0].instance_type is None
    assert details.unavailable == (
        f"Instance types and model names: {DENIED_PREFIX}DescribeEndpointConfig",
        f"Inference components: {DENIED_PREFIX}ListInferenceComponents",
    )
    request = InvocationRequest(
        "demo-inference-components", b'{"inputs": "fine"}', inference_component_name="ic-classifier"
    )
    assert invoke(proxied, request).status is Status.SUCCESS


def test_a_denied_describe_endpoint_is_still_an_error_with_a_hint(
    proxy: ForwardingProxy, proxied: Clients
) -> None:
    proxy.denied = {"DescribeEndpoint"}
    with pytest.raises(errors.AccessDeniedError) as raised:
        describe_endpoint(proxied, "demo-tgi-generator")
    assert raised.value.code == "AccessDeniedException"
    assert "sagemaker:DescribeEndpoint" in raised.value.message
    assert "IAM policy" in raised.value.hint

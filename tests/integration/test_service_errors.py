"""Error codes the local server does not produce (SageMaker's own failures, expired or refused credentials),
answered by a tiny canned HTTP server and read by real boto3, so botocore's parsing is part of the proof."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from services import errors
from services.connection import Connection, account_id, aws_connection, build_clients
from services.invocation import invoke
from services.results import InvocationRequest, Status


class CannedErrors:
    """Answers every request with the error set in `answer` (status, code) and counts the requests."""

    def __init__(self) -> None:
        self.answer = (500, "InternalFailure")
        self.count = 0
        canned = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                request = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                canned.count += 1
                status, code = canned.answer
                if request.startswith(b"Action=GetCallerIdentity"):
                    return self._sts(status, code)
                body = json.dumps({"message": f"canned {code}"}).encode()
                self.send_response(status)
                self.send_header("x-amzn-ErrorType", code)
                self.send_header("x-amzn-RequestId", "req-canned-1")
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _sts(self, status: int, code: str) -> None:
                # STS speaks the query protocol: XML bodies
                if status == 200:
                    body = (
                        "<GetCallerIdentityResponse><GetCallerIdentityResult><Account>210987654321</Account>"
                        "<Arn>arn:aws:iam::210987654321:user/tester</Arn><UserId>AIDA</UserId>"
                        "</GetCallerIdentityResult></GetCallerIdentityResponse>"
                    )
                else:
                    body = (
                        f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>"
                        f"<Message>canned {code}</Message></Error>"
                        "<RequestId>req-sts</RequestId></ErrorResponse>"
                    )
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"


@pytest.fixture(scope="module")
def canned() -> Iterator[CannedErrors]:
    server = CannedErrors()
    thread = threading.Thread(target=server.httpd.serve_forever, daemon=True)
    thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()
    thread.join(timeout=5)


REQUEST = InvocationRequest(endpoint_name="any-endpoint", body=b"{}")


@pytest.mark.parametrize(
    ("status", "code", "kind", "hint_part"),
    [
        (500, "InternalFailure", errors.ServiceFailure, "SageMaker failed"),
        (503, "ServiceUnavailable", errors.ServiceFailure, "SageMaker failed"),
        (530, "InternalDependencyException", errors.ServiceFailure, "quote the request id"),
        (429, "ModelNotReadyException", errors.ThrottlingError, "still loading"),
        (400, "ThrottlingException", errors.ThrottlingError, "wait a moment"),
        (403, "ExpiredTokenException", errors.ExpiredTokenError, "aws sso login"),
        (400, "ExpiredToken", errors.ExpiredTokenError, "Refresh it"),
        (403, "AccessDeniedException", errors.AccessDeniedError, "IAM policy"),
        (403, "UnrecognizedClientException", errors.AccessDeniedError, "access key is not valid"),
        (403, "InvalidSignatureException", errors.AccessDeniedError, "access key is not valid"),
        (400, "ValidationException", errors.ValidationError, "InService"),
        (404, "SomethingNew", errors.RequestError, "Fix the request"),
    ],
)
def test_each_code_becomes_its_class(
    canned: CannedErrors, status: int, code: str, kind: type[errors.ServiceError], hint_part: str
) -> None:
    canned.answer = (status, code)
    clients = build_clients(Connection(kind="local", region="us-east-1", local_url=canned.url))
    result = invoke(clients, REQUEST)
    error = result.error
    assert result.status is Status.FAILED
    assert type(error) is kind
    assert (error.code, error.http_status, error.request_id) == (code, status, "req-canned-1")
    assert error.message == f"canned {code}"
    assert hint_part in error.hint
    assert (result.request_id, result.attempts) == ("req-canned-1", 1)


def test_service_failures_retried_when_allowed_are_all_counted(canned: CannedErrors) -> None:
    canned.answer = (503, "ServiceUnavailable")
    canned.count = 0
    clients = build_clients(
        Connection(kind="local", region="us-east-1", local_url=canned.url, max_attempts=3)
    )
    result = invoke(clients, REQUEST)
    assert isinstance(result.error, errors.ServiceFailure)
    assert (result.attempts, canned.count) == (3, 3)


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, canned: CannedErrors) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", canned.url)


def test_account_id_from_sts(canned: CannedErrors, aws_env: None) -> None:
    canned.answer = (200, "")
    assert account_id(build_clients(aws_connection(region="eu-west-1"))) == "210987654321"


def test_account_id_is_none_when_the_identity_may_not_ask(canned: CannedErrors, aws_env: None) -> None:
    canned.answer = (403, "AccessDenied")
    assert account_id(build_clients(aws_connection(region="eu-west-1"))) is None


def test_account_id_raises_for_expired_credentials(canned: CannedErrors, aws_env: None) -> None:
    canned.answer = (403, "ExpiredToken")
    with pytest.raises(errors.ExpiredTokenError) as raised:
        account_id(build_clients(aws_connection(region="eu-west-1")))
    assert (raised.value.message, raised.value.code) == ("canned ExpiredToken", "ExpiredToken")
    assert "wJalrXUtnFEMI" not in raised.value.message + raised.value.hint

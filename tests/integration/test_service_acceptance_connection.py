"""Acceptance: AWS mode honours the SDK's environment unchanged — AWS_PROFILE, AWS_SESSION_TOKEN,
AWS_CA_BUNDLE — and the runtime client reads for 70 s and makes one attempt unless told otherwise.

AWS mode is pointed at the local server with the SDK's own endpoint variables; AWS_CA_BUNDLE is proved over
real TLS: a proxy with a certificate made here sits in front of the local server.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from local_endpoints import LocalEndpoints
from services import errors
from services.connection import aws_connection, build_clients, default_connection, local_connection
from services.endpoints import list_endpoints
from services.invocation import invoke
from services.results import InvocationRequest, Status
from tests.integration.test_service_acceptance_endpoints import ForwardingProxy
from tests.support.demo_endpoints import DEMO_ENDPOINTS

SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
CLASSIFY = InvocationRequest(endpoint_name="demo-text-classifier", body=b'{"features": ["This is great!"]}')


@pytest.fixture
def aws_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """Empty AWS config and credentials files, and none of the variables these tests set."""
    config, credentials = tmp_path / "config", tmp_path / "credentials"
    config.write_text("")
    credentials.write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    for name in ("AWS_DEFAULT_REGION", "AWS_REGION", "AWS_PROFILE", "AWS_CA_BUNDLE", "LOCAL_ENDPOINTS_URL"):
        monkeypatch.delenv(name, raising=False)
    return config, credentials


def test_aws_profile_picks_the_profiles_credentials_and_region(
    server: LocalEndpoints, aws_env: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    config, credentials = aws_env
    config.write_text("[default]\nregion = eu-west-1\n[profile dev]\nregion = us-east-2\n")
    credentials.write_text(
        f"[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = {SECRET}\n"
        f"[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = {SECRET}\n"
    )
    monkeypatch.setenv("AWS_PROFILE", "dev")
    monkeypatch.setenv("AWS_ENDPOINT_URL", server.url)
    connection = default_connection()
    assert (connection.kind, connection.profile, connection.label) == ("aws", "dev", "AWS · dev · us-east-2")
    clients = build_clients(connection)
    assert invoke(clients, CLASSIFY).status is Status.SUCCESS
    authorization = server.requests()[0].headers["authorization"]
    assert "Credential=AKIDDEV/" in authorization and "/us-east-2/sagemaker/" in authorization


def test_a_session_token_from_the_environment_is_sent(
    server: LocalEndpoints, aws_env: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "ASIATEMPORARY")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", "session-token-from-sts")
    monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME", server.url)
    clients = build_clients(aws_connection(region="eu-west-1"))
    assert invoke(clients, CLASSIFY).status is Status.SUCCESS
    headers = server.requests()[0].headers
    assert headers["x-amz-security-token"] == "session-token-from-sts"
    assert "Credential=ASIATEMPORARY/" in headers["authorization"]


def test_the_runtime_client_reads_for_70_s_and_makes_one_attempt(
    server: LocalEndpoints, aws_env: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOCAL_ENDPOINTS_URL", server.url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    for connection in (aws_connection(region="eu-west-1"), local_connection()):
        config = build_clients(connection).runtime.meta.config  # what botocore actually uses
        assert config.read_timeout == 70
        assert config.retries == {"total_max_attempts": 1, "mode": "standard"}
    retrying = build_clients(aws_connection(region="eu-west-1", max_attempts=3)).runtime.meta.config
    assert retrying.retries == {"total_max_attempts": 3, "mode": "standard"}


# -- AWS_CA_BUNDLE over real TLS -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (its own CA), made with the openssl command."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            *(
                openssl,
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "1",
                "-subj",
                "/CN=127.0.0.1",
            ),
            *("-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


@pytest.fixture
def https_url(server: LocalEndpoints, certificate: tuple[Path, Path]) -> Iterator[str]:
    proxy = ForwardingProxy(server.port, tls=certificate)
    yield proxy.url
    proxy.close()


def test_aws_ca_bundle_is_honoured(
    https_url: str,
    certificate: tuple[Path, Path],
    aws_env: object,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_ENDPOINT_URL", https_url)

    untrusted = invoke(build_clients(aws_connection(region="eu-west-1")), CLASSIFY)
    error = untrusted.error
    assert isinstance(error, errors.NetworkError)
    assert error.code == "SSLError" and "CERTIFICATE_VERIFY_FAILED" in error.message
    assert "network, proxy and endpoint URL" in error.hint

    monkeypatch.setenv("AWS_CA_BUNDLE", str(certificate[0]))
    clients = build_clients(aws_connection(region="eu-west-1"))
    result = invoke(clients, CLASSIFY)
    assert result.status is Status.SUCCESS, result.error
    assert len(list_endpoints(clients)) == len(DEMO_ENDPOINTS)

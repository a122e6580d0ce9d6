"""Connections: the SDK's environment configuration, AWS_REGION, local mode, and setup errors with hints.

AWS mode is proved against the local server by pointing the SDK's own endpoint variables at it; config and
credentials files are temp files written here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from local_endpoints import LocalEndpoints
from services import errors
from services.connection import (
    Connection,
    account_id,
    available_profiles,
    aws_connection,
    build_clients,
    default_connection,
    local_connection,
)
from services.endpoints import list_endpoints
from services.invocation import invoke
from services.results import InvocationRequest, Status
from tests.support.demo_endpoints import DEMO_ENDPOINTS

SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
CLASSIFY = InvocationRequest(endpoint_name="demo-text-classifier", body=b'{"features": ["This is great!"]}')


@pytest.fixture
def aws_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """Empty AWS config and credentials files; no region or credential variables."""
    config, credentials = tmp_path / "config", tmp_path / "credentials"
    config.write_text("")
    credentials.write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    for name in ("AWS_DEFAULT_REGION", "AWS_REGION", "AWS_PROFILE", "LOCAL_ENDPOINTS_URL"):
        monkeypatch.delenv(name, raising=False)
    return config, credentials


@pytest.fixture
def env_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)


def test_per_service_endpoint_variables_reach_the_local_server(
    server: LocalEndpoints, aws_files: object, env_credentials: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME", server.url)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER", server.url)
    clients = build_clients(aws_connection())
    assert invoke(clients, CLASSIFY).status is Status.SUCCESS
    assert len(list_endpoints(clients)) == len(DEMO_ENDPOINTS)
    assert clients.runtime.meta.region_name == "eu-west-1"
    assert "AKIDEXAMPLE" in server.requests()[0].headers["authorization"]  # signed with the env credentials


def test_the_generic_endpoint_variable_and_aws_region(
    server: LocalEndpoints, aws_files: object, env_credentials: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", server.url)
    monkeypatch.setenv("AWS_REGION", "ap-southeast-2")  # botocore alone ignores it
    clients = build_clients(aws_connection())
    assert clients.runtime.meta.region_name == "ap-southeast-2"
    assert invoke(clients, CLASSIFY).status is Status.SUCCESS
    assert "/ap-southeast-2/sagemaker/" in server.requests()[0].headers["authorization"]


def test_an_explicit_region_or_aws_default_region_wins_over_aws_region(
    aws_files: object, env_credentials: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_REGION", "ap-southeast-2")
    assert build_clients(aws_connection(region="us-west-2")).runtime.meta.region_name == "us-west-2"
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")
    assert build_clients(aws_connection()).runtime.meta.region_name == "eu-central-1"


def test_profiles_from_the_files_with_their_region(aws_files: tuple[Path, Path]) -> None:
    config, credentials = aws_files
    config.write_text("[default]\nregion = eu-west-1\n[profile dev]\nregion = us-east-2\n")
    credentials.write_text(f"[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = {SECRET}\n")
    assert available_profiles() == ["default", "dev"]
    clients = build_clients(aws_connection(profile="dev"))
    assert clients.runtime.meta.region_name == "us-east-2"
    assert clients.connection.label == "AWS · dev · default region"
    assert SECRET not in repr(clients) + repr(clients.connection)


def test_no_credentials_has_a_hint(aws_files: object) -> None:
    with pytest.raises(errors.NoCredentialsError) as raised:
        build_clients(aws_connection(region="us-east-1"))
    assert raised.value.message == "No AWS credentials found for profile 'default'."
    assert "aws configure" in raised.value.hint and "Local connection" in raised.value.hint


def test_no_region_has_a_hint(aws_files: object, env_credentials: None) -> None:
    with pytest.raises(errors.NoRegionError) as raised:
        build_clients(aws_connection())
    assert (raised.value.message, raised.value.code) == ("No AWS region is configured.", "NoRegion")
    assert "aws configure set region" in raised.value.hint


def test_an_unknown_profile_has_a_hint(aws_files: object) -> None:
    with pytest.raises(errors.NoCredentialsError) as raised:
        build_clients(aws_connection(profile="missing", region="us-east-1"))
    assert raised.value.code == "ProfileNotFound"
    assert raised.value.message == "The config profile (missing) could not be found"
    assert "profile that exists" in raised.value.hint


def test_partial_env_credentials(aws_files: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    with pytest.raises(errors.NoCredentialsError) as raised:
        build_clients(aws_connection(region="us-east-1"))
    assert raised.value.code == "PartialCredentialsError"
    assert "AWS_SECRET_ACCESS_KEY" in raised.value.message


def test_local_mode_ignores_the_shell_profile_and_endpoint_variables(
    server: LocalEndpoints, aws_files: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_PROFILE", "does-not-exist")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    clients = build_clients(Connection(kind="local", region="us-east-1", local_url=server.url))
    assert invoke(clients, CLASSIFY).status is Status.SUCCESS
    assert account_id(clients) is None


def test_local_connection_uses_the_server_named_in_the_environment(
    server: LocalEndpoints, aws_files: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOCAL_ENDPOINTS_URL", server.url + "/")
    connection = local_connection()
    assert connection == Connection(kind="local", region="us-east-1", local_url=server.url)
    assert connection.label == f"Local · {server.url}"
    assert invoke(build_clients(connection), CLASSIFY).status is Status.SUCCESS


def test_default_connection_is_aws_with_credentials_and_local_without(
    server: LocalEndpoints, aws_files: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOCAL_ENDPOINTS_URL", server.url)
    assert default_connection().kind == "local"
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_REGION", "eu-north-1")
    assert default_connection() == Connection(kind="aws", region="eu-north-1")


def test_the_embedded_server_starts_once(aws_files: object) -> None:
    first = local_connection()
    second = local_connection()
    assert first == second and first.local_url and first.local_url.startswith("http://127.0.0.1:")
    clients = build_clients(first)
    assert invoke(clients, CLASSIFY).status is Status.SUCCESS

"""How to reach SageMaker: an AWS profile and region, or the built-in local server.

Both kinds go through the very same boto3 code path; local mode only sets ``endpoint_url`` and dummy
credentials. AWS mode leaves the SDK's own environment configuration alone (AWS_PROFILE, AWS_DEFAULT_REGION,
credential variables, AWS_ENDPOINT_URL and its per-service forms, AWS_CA_BUNDLE) and adds AWS_REGION, which
botocore ignores.

Retries are explicit: the runtime client makes ``Connection.max_attempts`` HTTP attempts at most
(1 by default, so a measured latency is one call) and every result reports how many it took.
Credentials are never logged, stored or put in a message.
"""

from __future__ import annotations

import atexit
import os
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import boto3
import botocore.session
from botocore.config import Config

from services import errors
from services.botocore_errors import hint_for, translated

if TYPE_CHECKING:
    from local_endpoints import LocalEndpoints

LOCAL_REGION = "us-east-1"
LOCAL_URL_VARIABLE = "LOCAL_ENDPOINTS_URL"  # use this running server instead of starting one (browser tests)
LOCAL_TOKEN_DELAY_S = 0.03  # the embedded server streams at a realistic pace
RUNTIME_READ_TIMEOUT_S = 70  # SageMaker's recommendation: the container has 60 s to answer
CONNECT_TIMEOUT_S = 10
# The control plane (list, describe) and STS answer in well under a second: a page must not hang on them
# for botocore's default 60 s × 3 attempts. At most 2 × (3 + 5) s, typically 2 × 5 s for a silent server.
CONTROL_CONNECT_TIMEOUT_S = 3.0
CONTROL_READ_TIMEOUT_S = 5.0
CONTROL_MAX_ATTEMPTS = 2
_USER_AGENT = "sagemaker-test-inference"
# Dummy keys: the local server does not check signatures, but botocore insists on signing.
_LOCAL_KEY_ID = "local"
_LOCAL_SECRET = "local-secret"  # not a secret: the local server ignores it


LOCAL_LABEL = "Local · "  # how a local connection's label starts (local_url_of reads it back)


@dataclass(frozen=True)
class Connection:
    """Where requests go. Hashable, so the UI can cache clients per connection."""

    kind: Literal["aws", "local"]
    profile: str | None = None  # None: the SDK's default (AWS_PROFILE, else the default chain)
    region: str | None = None  # None: resolved by the SDK, then AWS_REGION
    local_url: str | None = None
    max_attempts: int = 1  # HTTP attempts per invocation; >1 enables botocore's standard retries

    @property
    def label(self) -> str:
        """A short name for the sidebar, e.g. ``AWS · prod · eu-west-1`` or ``Local · http://127.0.0.1:8123``."""
        if self.kind == "local":
            return f"{LOCAL_LABEL}{self.local_url}"
        return f"AWS · {self.profile or 'default'} · {self.region or 'default region'}"


@dataclass(frozen=True)
class Clients:
    """The boto3 clients for one connection (thread-safe once built; build once and share)."""

    connection: Connection
    runtime: Any  # sagemaker-runtime
    sagemaker: Any  # the control plane
    sts: Any | None = None  # None in local mode


def available_profiles() -> list[str]:
    """The profile names in the user's AWS config and credentials files, sorted."""
    try:
        return sorted(botocore.session.Session().available_profiles)
    except Exception:  # a malformed config file must not break the sidebar
        return []


def local_url_of(label: str | None) -> str | None:
    """The local server's address in a connection's label (a card keeps the label it was sent with); None
    for an AWS connection."""
    if label and label.startswith(LOCAL_LABEL):
        return label.removeprefix(LOCAL_LABEL).strip() or None
    return None


def aws_connection(
    profile: str | None = None, region: str | None = None, max_attempts: int = 1
) -> Connection:
    """An AWS connection; None leaves profile or region to the SDK's configuration."""
    return Connection(kind="aws", profile=profile or None, region=region or None, max_attempts=max_attempts)


def local_connection(max_attempts: int = 1) -> Connection:
    """The built-in local server: the one given by LOCAL_ENDPOINTS_URL, else one started for this process."""
    url = os.environ.get(LOCAL_URL_VARIABLE)
    if not url:
        url = _embedded_server().url
    return Connection(kind="local", region=LOCAL_REGION, local_url=url.rstrip("/"), max_attempts=max_attempts)


def default_connection() -> Connection:
    """AWS when boto3 can resolve credentials from the environment and files, the local server otherwise."""
    try:
        session = boto3.session.Session()
        if session.get_credentials() is not None:
            # Name the profile AWS_PROFILE chose, so the sidebar shows and keeps it.
            profile = session.profile_name if session.profile_name != "default" else None
            return aws_connection(profile, session.region_name or os.environ.get("AWS_REGION"))
    except Exception:  # a broken profile or an expired SSO cache means: start locally, show AWS as optional
        pass
    return local_connection()


def build_clients(
    connection: Connection,
    *,
    read_timeout_s: float = RUNTIME_READ_TIMEOUT_S,
    max_pool_connections: int | None = None,
) -> Clients:
    """Build the boto3 clients for a connection (``read_timeout_s`` applies to invocations;
    ``max_pool_connections`` sizes the runtime client's connection pool, botocore's default 10 when None:
    a latency run at concurrency C needs C).

    Raises SetupError subclasses: no credentials, no region, unknown profile.
    """
    runtime_config = Config(
        read_timeout=read_timeout_s,
        connect_timeout=CONNECT_TIMEOUT_S,
        # total_max_attempts counts the first call; botocore's "max_attempts" key would mean retries.
        retries={"total_max_attempts": max(1, connection.max_attempts), "mode": "standard"},
        user_agent_extra=_USER_AGENT,
        **({"max_pool_connections": max_pool_connections} if max_pool_connections else {}),
    )
    control_config = Config(
        connect_timeout=CONTROL_CONNECT_TIMEOUT_S,
        read_timeout=CONTROL_READ_TIMEOUT_S,
        retries={"total_max_attempts": CONTROL_MAX_ATTEMPTS, "mode": "standard"},
        user_agent_extra=_USER_AGENT,
    )
    with translated():
        if connection.kind == "local":
            return _local_clients(connection, runtime_config, control_config)
        return _aws_clients(connection, runtime_config, control_config)


def account_id(clients: Clients) -> str | None:
    """The AWS account id (STS GetCallerIdentity); None in local mode or when the identity may not ask."""
    if clients.sts is None:
        return None
    try:
        with translated():
            return str(clients.sts.get_caller_identity()["Account"])
    except errors.AccessDeniedError:
        return None


def _aws_clients(connection: Connection, runtime_config: Config, control_config: Config) -> Clients:
    session = boto3.session.Session(profile_name=connection.profile)
    region = connection.region or session.region_name or os.environ.get("AWS_REGION") or None
    if session.get_credentials() is None:
        raise errors.NoCredentialsError(
            f"No AWS credentials found for profile {session.profile_name!r}.",
            hint_for("NoCredentials"),
            "NoCredentials",
        )
    return Clients(
        connection=connection,
        runtime=session.client("sagemaker-runtime", region_name=region, config=runtime_config),
        sagemaker=session.client("sagemaker", region_name=region, config=control_config),
        sts=session.client("sts", region_name=region, config=control_config),
    )


def _local_clients(connection: Connection, runtime_config: Config, control_config: Config) -> Clients:
    # A session that ignores AWS_PROFILE: local mode must work whatever profile the shell names.
    core = botocore.session.Session(session_vars={"profile": (None, None, None, None)})
    session = boto3.session.Session(
        aws_access_key_id=_LOCAL_KEY_ID,
        aws_secret_access_key=_LOCAL_SECRET,
        region_name=connection.region or LOCAL_REGION,
        botocore_session=core,
    )
    url = connection.local_url
    return Clients(
        connection=connection,
        runtime=session.client("sagemaker-runtime", endpoint_url=url, config=runtime_config),
        sagemaker=session.client("sagemaker", endpoint_url=url, config=control_config),
    )


_server_lock = threading.Lock()
_server: LocalEndpoints | None = None


def _embedded_server() -> LocalEndpoints:
    global _server
    with _server_lock:
        if _server is None:
            from local_endpoints import LocalEndpoints  # imported late: AWS-only use never loads the models

            server = LocalEndpoints(port=0, token_delay=LOCAL_TOKEN_DELAY_S).start()
            atexit.register(server.stop)
            _server = server
        return _server

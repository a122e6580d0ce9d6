"""The one place where botocore (and urllib3) exceptions become the service's error tree.

Use it around every boto3 call::

    with translated():
        response = clients.runtime.invoke_endpoint(**kwargs)

Inside, any botocore exception is re-raised as a ``services.errors.ServiceError`` subclass
(``raise ... from exc``) carrying the real message, a hint a user can act on, the error code, the HTTP
status and the request id. Exceptions this module does not know (bugs, KeyboardInterrupt) pass through
unchanged.
Credentials never appear in a message: botocore's own messages name providers and variables, never values.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import urllib3.exceptions
from botocore import exceptions as bx
from botocore.parsers import ResponseParserError

from services import errors
from services.console_links import console_encode, log_group_url

# The packages whose exceptions, or whose frames an exception was raised in, are the SDK failing.
_SDK_PACKAGES = frozenset({"botocore", "boto3", "urllib3", "s3transfer"})
_VALIDATION_CODES = frozenset({"ValidationError", "ValidationException", "ResourceNotFound"})
_THROTTLING_CODES = frozenset(
    {"ThrottlingException", "Throttling", "TooManyRequestsException", "ModelNotReadyException"}
)
_EXPIRED_CODES = frozenset({"ExpiredToken", "ExpiredTokenException", "RequestExpired"})
_DENIED_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnrecognizedClient",
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "InvalidSignature",
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        "MissingAuthenticationToken",
    }
)

_HINTS = {
    "ValidationError": "Check the endpoint name, that it is InService, and the content type it accepts.",
    "Throttling": "Too many requests or the model is still loading: wait a moment and send again.",
    "ModelError": "The container rejected this input. Check the body's format; the endpoint's logs say more.",
    "ModelFailed": (
        "The container failed while handling the request, not because of the input's format. "
        "Its logs say why: out of memory, a crash, a timeout."
    ),
    "ServiceFailure": "SageMaker failed, not your request. Try again; if it persists, quote the request id.",
    "Expired": "Your session token has expired. Refresh it (for example `aws sso login`) and reconnect.",
    "Denied": "This identity may not call this operation. Check its IAM policy or pick another profile.",
    "BadCredentials": "The access key is not valid. Check the profile's credentials or pick another profile.",
    "NoCredentials": (
        "Configure credentials (`aws configure` or `aws sso login`), pick another profile, "
        "or use the Local connection."
    ),
    "NoRegion": "Choose a region, or set one in the profile (`aws configure set region eu-west-1`).",
    "ProfileNotFound": "Pick a profile that exists in your AWS config or credentials file.",
    "Network": "Check your network, proxy and endpoint URL; the endpoint may be unreachable from here.",
    "Timeout": "The endpoint did not answer in time. The model may be slow or overloaded: try again.",
    "StreamBroken": "The stream ended early. The text received so far is kept; send again for a full answer.",
    "InvalidParameter": "Fix the request parameters and send again.",
    "NotSageMaker": (
        "The server at this endpoint URL did not answer as AWS does. Check AWS_ENDPOINT_URL "
        "(and its per-service forms) and the proxy settings."
    ),
}


@contextmanager
def translated() -> Iterator[None]:
    """Re-raise botocore exceptions raised inside the block as ``ServiceError`` subclasses."""
    try:
        yield
    except errors.ServiceError:
        raise
    except Exception as exc:
        error = translate(exc)
        if error is None and _raised_inside_the_sdk(exc):
            # botocore failing on an answer it did not expect (a KeyError on well-formed XML that is not
            # AWS's): the server's doing, not a bug of ours, so it is said like a parser error.
            message = f"The server's answer could not be read ({type(exc).__name__} {_first_line(str(exc))})."
            error = errors.ServiceFailure(message, _HINTS["NotSageMaker"], "UnreadableResponse")
        if error is None:
            raise
        raise error from exc


def translate(exc: BaseException) -> errors.ServiceError | None:
    """The ServiceError for a botocore/urllib3 exception; None for an exception this module does not know."""
    if isinstance(exc, bx.EventStreamError):
        return _from_event_stream_error(exc)
    if isinstance(exc, bx.ClientError):
        return _from_client_error(exc)
    if isinstance(exc, bx.BotoCoreError):
        return _from_botocore_error(exc)
    if isinstance(exc, ResponseParserError):  # not a BotoCoreError: an answer that is not AWS's format
        message = f"The server's answer could not be read: {_first_line(str(exc))}"
        return errors.ServiceFailure(message, _HINTS["NotSageMaker"], "ResponseParserError")
    if isinstance(exc, urllib3.exceptions.HTTPError):
        # Reading an event stream goes straight to urllib3; botocore does not wrap its errors there.
        if isinstance(exc, urllib3.exceptions.ReadTimeoutError):
            message = f"Read timeout while streaming: {exc}"
            return errors.NetworkError(message, _HINTS["Timeout"], "ReadTimeout")
        return errors.NetworkError(f"The connection broke: {exc}", _HINTS["Network"], "ConnectionBroken")
    if type(exc).__module__.split(".")[0] in _SDK_PACKAGES:
        # Any other exception of the SDK's own (a new class, one raised outside BotoCoreError's tree)
        message = f"{type(exc).__name__}: {_first_line(str(exc))}"
        return errors.ServiceFailure(message, _HINTS["ServiceFailure"], type(exc).__name__)
    return None


def _raised_inside_the_sdk(exc: BaseException) -> bool:
    """True when the innermost frame of the traceback is the SDK's own code."""
    tb = exc.__traceback__
    if tb is None:
        return False
    while tb.tb_next is not None:
        tb = tb.tb_next
    module = str(tb.tb_frame.f_globals.get("__name__", ""))
    return module.split(".")[0] in _SDK_PACKAGES


def _first_line(text: str, limit: int = 500) -> str:
    """A foreign message's first line, cut short (a parser error quotes the whole unparsable body)."""
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[:limit] + "…"


def hint_for(kind: str) -> str:
    """The hint shown for a kind of failure (``"NoCredentials"``, ``"NoRegion"``, ...), for code that raises
    a ServiceError itself and must say the same thing as a translated one."""
    return _HINTS[kind]


def log_console_url(log_stream_arn: str) -> str | None:
    """The CloudWatch console link for the LogStreamArn of a ModelError; None when it is not a logs ARN.

    SageMaker usually sends the log group's ARN (``...:log-group:/aws/sagemaker/Endpoints/x``), which links to
    the group; a full stream ARN (``...:log-group:G:log-stream:S``) links to that stream's events. The console
    wants each name URL-encoded twice, then ``%`` written as ``$`` (``/aws/x``: ``$252Faws$252Fx``)::

        https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1
        #logsV2:log-groups/log-group/$252Faws$252Fsagemaker$252FEndpoints$252Fx/log-events/AllTraffic$252Fi-0
    """
    head, _, stream = log_stream_arn.partition(":log-stream:")
    parts = head.split(":", 6)
    if len(parts) != 7 or parts[0] != "arn" or parts[2] != "logs" or parts[5] != "log-group":
        return None
    partition, region = parts[1], parts[3]
    group = parts[6].removesuffix(":*")
    if not region or not group:
        return None
    url = log_group_url(region, group, partition)
    return f"{url}/log-events/{console_encode(stream)}" if stream else url


def _from_client_error(exc: bx.ClientError) -> errors.ServiceError:
    response: dict[str, Any] = exc.response or {}
    error = response.get("Error") or {}
    metadata = response.get("ResponseMetadata") or {}
    code = str(error.get("Code") or "")
    message = str(error.get("Message") or error.get("message") or "") or str(exc)
    status = metadata.get("HTTPStatusCode")
    common: dict[str, Any] = {"code": code, "http_status": status, "request_id": metadata.get("RequestId")}

    if code == "ModelError" or status == 424:
        arn = response.get("LogStreamArn")
        original_status = response.get("OriginalStatusCode")
        return errors.ModelError(
            message,
            _model_error_hint(original_status),
            **common,
            original_status=int(original_status) if original_status is not None else None,
            original_message=response.get("OriginalMessage"),
            log_stream_arn=arn,
            log_url=log_console_url(arn) if arn else None,
        )
    if code in _VALIDATION_CODES:
        return errors.ValidationError(message, _HINTS["ValidationError"], **common)
    if code in _THROTTLING_CODES or status == 429:
        return errors.ThrottlingError(message, _HINTS["Throttling"], **common)
    if code in _EXPIRED_CODES:
        return errors.ExpiredTokenError(message, _HINTS["Expired"], **common)
    if code in _DENIED_CODES:
        bad_key = code.startswith(("Unrecognized", "InvalidClientTokenId", "InvalidSignature", "Signature"))
        return errors.AccessDeniedError(message, _HINTS["BadCredentials" if bad_key else "Denied"], **common)
    if isinstance(status, int) and status >= 500:
        return errors.ServiceFailure(message, _HINTS["ServiceFailure"], **common)
    if isinstance(status, int) and 400 <= status < 500:
        return errors.RequestError(message, _HINTS["InvalidParameter"], **common)
    return errors.ServiceError(message, _HINTS["ServiceFailure"], **common)


def _model_error_hint(original_status: object) -> str:
    """A 4xx from the container blames the input; a 5xx (or none) blames the container itself."""
    try:
        status = int(str(original_status))
    except ValueError:
        return _HINTS["ModelFailed"]
    return _HINTS["ModelError"] if 400 <= status < 500 else _HINTS["ModelFailed"]


def _from_event_stream_error(exc: bx.EventStreamError) -> errors.ServiceError:
    error = (exc.response or {}).get("Error") or {}
    code = str(error.get("Code") or "")
    message = str(error.get("Message") or "") or str(exc)
    if code == "ModelStreamError":
        detail = error.get("ErrorCode")
        return errors.ModelStreamError(message, _HINTS["StreamBroken"], str(detail or code))
    if code == "InternalStreamFailure":
        return errors.InternalStreamFailure(message, _HINTS["StreamBroken"], code)
    return errors.StreamError(message, _HINTS["StreamBroken"], code or "StreamError")


def _from_botocore_error(exc: bx.BotoCoreError) -> errors.ServiceError:
    message = str(exc)
    if isinstance(exc, bx.NoRegionError):
        return errors.NoRegionError("No AWS region is configured.", _HINTS["NoRegion"], "NoRegion")
    if isinstance(exc, bx.ProfileNotFound):
        return errors.NoCredentialsError(message, _HINTS["ProfileNotFound"], "ProfileNotFound")
    if isinstance(exc, bx.NoCredentialsError | bx.PartialCredentialsError):
        return errors.NoCredentialsError(message, _HINTS["NoCredentials"], type(exc).__name__)
    if isinstance(exc, bx.TokenRetrievalError | bx.SSOError | bx.CredentialRetrievalError):
        return errors.ExpiredTokenError(message, _HINTS["Expired"], type(exc).__name__)
    if isinstance(exc, bx.ReadTimeoutError | bx.ConnectTimeoutError):
        return errors.NetworkError(message, _HINTS["Timeout"], type(exc).__name__)
    if isinstance(exc, bx.HTTPClientError | bx.ConnectionError):
        # EndpointConnectionError, ConnectionClosedError, SSLError, ProxyConnectionError,
        # ResponseStreamingError
        return errors.NetworkError(message, _HINTS["Network"], type(exc).__name__)
    if isinstance(exc, bx.ParamValidationError):
        return errors.InvalidRequestError(message, _HINTS["InvalidParameter"], "ParamValidationError")
    return errors.SetupError(message, "Check the AWS configuration for this connection.", type(exc).__name__)

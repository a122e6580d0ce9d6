"""The one translation of botocore exceptions: codes the local server cannot produce, and the log link.

HTTP-level codes (ModelError, ValidationError, throttling, 5xx, expired tokens, access denied) are proved
through real boto3 in tests/integration/test_service_errors.py; here: those raised without HTTP.
"""

from __future__ import annotations

import pytest
import urllib3.exceptions
from botocore import exceptions as bx

from services import errors
from services.botocore_errors import log_console_url, translate, translated


def test_log_console_url_double_encodes_group_and_stream_with_dollar_signs() -> None:
    arn = (
        "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/sagemaker/Endpoints/my-endpoint"
        ":log-stream:AllTraffic/i-0abc123def"
    )
    assert log_console_url(arn) == (
        "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1"
        "#logsV2:log-groups/log-group/$252Faws$252Fsagemaker$252FEndpoints$252Fmy-endpoint"
        "/log-events/AllTraffic$252Fi-0abc123def"
    )


def test_log_console_url_encodes_every_special_character() -> None:
    arn = "arn:aws:logs:us-east-1:1:log-group:/a b#c:log-stream:x/y z[1]"
    url = log_console_url(arn)
    assert url is not None
    assert url.endswith("log-group/$252Fa$2520b$2523c/log-events/x$252Fy$2520z$255B1$255D")


def test_log_console_url_uses_the_partition_console() -> None:
    url = log_console_url("arn:aws-cn:logs:cn-north-1:1:log-group:/g:log-stream:s")
    assert url is not None and url.startswith("https://cn-north-1.console.amazonaws.cn/cloudwatch/home?")


def test_log_console_url_for_a_log_group_arn_links_to_the_group() -> None:
    # What SageMaker actually sends in LogStreamArn: the endpoint's log group.
    url = log_console_url("arn:aws:logs:us-west-2:123456789012:log-group:/aws/sagemaker/Endpoints/tgi-1:*")
    assert url == (
        "https://us-west-2.console.aws.amazon.com/cloudwatch/home?region=us-west-2"
        "#logsV2:log-groups/log-group/$252Faws$252Fsagemaker$252FEndpoints$252Ftgi-1"
    )


@pytest.mark.parametrize(
    "arn",
    [
        "",
        "not-an-arn",
        "arn:aws:s3:::bucket",
        "arn:aws:logs::1:log-group:/g:log-stream:s",
        "arn:aws:logs:r:1:x:/g",
    ],
)
def test_log_console_url_refuses_what_is_not_a_log_stream_arn(arn: str) -> None:
    assert log_console_url(arn) is None


@pytest.mark.parametrize(
    ("exc", "kind", "code", "message_part", "hint_part"),
    [
        (
            bx.NoCredentialsError(),
            errors.NoCredentialsError,
            "NoCredentialsError",
            "Unable to locate",
            "aws configure",
        ),
        (
            bx.PartialCredentialsError(provider="env", cred_var="AWS_SECRET_ACCESS_KEY"),
            errors.NoCredentialsError,
            "PartialCredentialsError",
            "missing: AWS_SECRET_ACCESS_KEY",
            "Configure credentials",
        ),
        (
            bx.ProfileNotFound(profile="nope"),
            errors.NoCredentialsError,
            "ProfileNotFound",
            "(nope)",
            "profile that exists",
        ),
        (bx.NoRegionError(), errors.NoRegionError, "NoRegion", "No AWS region", "region"),
        (
            bx.TokenRetrievalError(provider="sso", error_msg="token expired"),
            errors.ExpiredTokenError,
            "TokenRetrievalError",
            "token expired",
            "aws sso login",
        ),
        (
            bx.UnauthorizedSSOTokenError(),
            errors.ExpiredTokenError,
            "UnauthorizedSSOTokenError",
            "SSO session",
            "aws sso login",
        ),
        (
            bx.EndpointConnectionError(endpoint_url="https://x"),
            errors.NetworkError,
            "EndpointConnectionError",
            "Could not connect",
            "network",
        ),
        (
            bx.ReadTimeoutError(endpoint_url="https://x"),
            errors.NetworkError,
            "ReadTimeoutError",
            "Read timeout",
            "in time",
        ),
        (
            bx.ConnectTimeoutError(endpoint_url="https://x"),
            errors.NetworkError,
            "ConnectTimeoutError",
            "Connect timeout",
            "in time",
        ),
        (
            bx.ConnectionClosedError(endpoint_url="https://x"),
            errors.NetworkError,
            "ConnectionClosedError",
            "Connection was closed",
            "network",
        ),
        (
            bx.ParamValidationError(report="Invalid length for parameter EndpointName"),
            errors.InvalidRequestError,
            "ParamValidationError",
            "Invalid length",
            "Fix the request",
        ),
        (
            urllib3.exceptions.ProtocolError("Connection broken: IncompleteRead"),
            errors.NetworkError,
            "ConnectionBroken",
            "IncompleteRead",
            "network",
        ),
    ],
)
def test_botocore_errors_without_http_become_the_tree(
    exc: Exception, kind: type[errors.ServiceError], code: str, message_part: str, hint_part: str
) -> None:
    with pytest.raises(kind) as raised, translated():
        raise exc
    assert raised.value.code == code
    assert message_part in raised.value.message
    assert hint_part in raised.value.hint
    assert raised.value.__cause__ is exc


def test_event_stream_error_codes_become_stream_errors() -> None:
    broken = bx.EventStreamError(
        {"Error": {"Code": "ModelStreamError", "Message": "Stream broken"}},
        "InvokeEndpointWithResponseStream",
    )
    failure = bx.EventStreamError(
        {"Error": {"Code": "InternalStreamFailure", "Message": "oops"}}, "InvokeEndpointWithResponseStream"
    )
    assert type(translate(broken)) is errors.ModelStreamError
    assert type(translate(failure)) is errors.InternalStreamFailure


def test_unknown_exceptions_pass_through_unchanged() -> None:
    with pytest.raises(KeyError), translated():
        raise KeyError("a bug")
    assert translate(ValueError("x")) is None


def test_service_errors_pass_through_untouched() -> None:
    original = errors.InvalidRequestError("too big", "smaller")
    with pytest.raises(errors.InvalidRequestError) as raised, translated():
        raise original
    assert raised.value is original


def test_a_parser_error_is_a_service_failure_quoting_its_first_line() -> None:
    from botocore.parsers import ResponseParserError

    error = translate(ResponseParserError("Unable to parse response, invalid XML received:\nb'<html>'"))
    assert isinstance(error, errors.ServiceFailure) and error.code == "ResponseParserError"
    assert (
        error.message
        == "The server's answer could not be read: Unable to parse response, invalid XML received:"
    )
    assert "AWS_ENDPOINT_URL" in error.hint


def test_an_exception_raised_inside_botocore_is_translated_and_ours_are_not() -> None:
    from botocore.utils import parse_timestamp

    with pytest.raises(errors.ServiceFailure, match="could not be read"), translated():
        parse_timestamp({"not": "a timestamp"})  # botocore's own code fails on what it was given
    with pytest.raises(KeyError), translated():
        {}["ours"]

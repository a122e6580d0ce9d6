"""Console links for an endpoint, in each partition."""

from __future__ import annotations

from services.console_links import endpoint_links


def test_an_endpoint_links_to_its_console_page_and_its_log_group():
    links = endpoint_links("eu-west-1", "my-endpoint")
    assert links["Endpoint and metrics in the SageMaker console"] == (
        "https://eu-west-1.console.aws.amazon.com/sagemaker/home?region=eu-west-1#/endpoints/my-endpoint"
    )
    assert links["Logs in CloudWatch"] == (
        "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1"
        "#logsV2:log-groups/log-group/$252Faws$252Fsagemaker$252FEndpoints$252Fmy-endpoint"
    )


def test_china_and_govcloud_have_their_own_consoles():
    assert endpoint_links("cn-north-1", "e")["Logs in CloudWatch"].startswith(
        "https://cn-north-1.console.amazonaws.cn/"
    )
    assert "console.amazonaws-us-gov.com" in endpoint_links("us-gov-west-1", "e")["Logs in CloudWatch"]

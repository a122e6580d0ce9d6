"""Links into the AWS console for an endpoint: its page in SageMaker (with its metrics) and its CloudWatch
logs. Pure. Only for AWS connections: a local endpoint has no console (its requests are in the local
server's log)."""

from __future__ import annotations

from urllib.parse import quote


def console_domain(region: str, partition: str | None = None) -> str:
    """The console's host for a region (China and GovCloud have their own)."""
    partition = partition or (
        "aws-cn" if region.startswith("cn-") else "aws-us-gov" if "-gov-" in region else "aws"
    )
    return {
        "aws-cn": f"{region}.console.amazonaws.cn",
        "aws-us-gov": f"{region}.console.amazonaws-us-gov.com",
    }.get(partition, f"{region}.console.aws.amazon.com")


def console_encode(name: str) -> str:
    """A name as CloudWatch's console wants it in a link: URL-encoded twice, then '%' written as '$'."""
    return quote(quote(name, safe=""), safe="").replace("%", "$")


def log_group_url(region: str, group: str, partition: str | None = None) -> str:
    domain = console_domain(region, partition)
    return f"https://{domain}/cloudwatch/home?region={region}#logsV2:log-groups/log-group/{console_encode(group)}"


def endpoint_links(region: str, endpoint_name: str) -> dict[str, str]:
    """Label -> URL: the endpoint's page in the SageMaker console (its Monitor tab has the metrics), and its
    CloudWatch log group (/aws/sagemaker/Endpoints/<name>)."""
    domain = console_domain(region)
    name = quote(endpoint_name, safe="")
    return {
        "Endpoint and metrics in the SageMaker console": (
            f"https://{domain}/sagemaker/home?region={region}#/endpoints/{name}"
        ),
        "Logs in CloudWatch": log_group_url(region, f"/aws/sagemaker/Endpoints/{endpoint_name}"),
    }

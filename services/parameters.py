"""The optional InvokeEndpoint parameters, in one table: the request field, the boto3 name, the CLI option.

Invocation, example code and history all walk this table, so a parameter SageMaker adds is added once, here
(and as a field of ``InvocationRequest``). A test checks it against botocore's own service model.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Parameter:
    """One optional InvokeEndpoint parameter."""

    attribute: str  # the InvocationRequest field; None there means "not sent"
    name: str  # the boto3 keyword argument
    cli_option: str  # the AWS CLI's option for it
    streamed: bool = True  # whether InvokeEndpointWithResponseStream takes it too


# The order is the order example code lists them in.
OPTIONAL_PARAMETERS = (
    Parameter("accept", "Accept", "--accept"),
    Parameter("custom_attributes", "CustomAttributes", "--custom-attributes"),
    Parameter("target_variant", "TargetVariant", "--target-variant"),
    Parameter("target_container_hostname", "TargetContainerHostname", "--target-container-hostname"),
    Parameter("inference_id", "InferenceId", "--inference-id"),
    Parameter("inference_component_name", "InferenceComponentName", "--inference-component-name"),
    Parameter("session_id", "SessionId", "--session-id"),
    Parameter("prefix_aware_id", "PrefixAwareId", "--prefix-aware-id"),
    Parameter("target_model", "TargetModel", "--target-model", streamed=False),
    Parameter("enable_explanations", "EnableExplanations", "--enable-explanations", streamed=False),
)
STREAM_PARAMETERS = tuple(p for p in OPTIONAL_PARAMETERS if p.streamed)
NOT_STREAMED = tuple(p for p in OPTIONAL_PARAMETERS if not p.streamed)

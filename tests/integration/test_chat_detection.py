"""The chat format of each local generator, detected from what the local server says (DescribeModel,
DescribeInferenceComponent) through boto3, as it would be from SageMaker."""

from __future__ import annotations

import pytest

from services.chat_formats import ChatFormat, detect
from services.connection import Clients
from services.endpoints import describe_endpoint
from services.model_containers import containers


@pytest.mark.parametrize(
    ("endpoint", "expected"),
    [
        ("demo-tgi-generator", ChatFormat.MESSAGES),  # TGI with MESSAGES_API_ENABLED
        ("demo-lmi-generator", ChatFormat.MESSAGES),  # LMI 0.31, rolling batch: the chat schema
        ("demo-lmi-legacy-generator", ChatFormat.LMI_LEGACY),  # rolling batch disabled
    ],
)
def test_each_generator_is_detected_from_its_model(clients: Clients, endpoint: str, expected: ChatFormat):
    found = containers(clients, describe_endpoint(clients, endpoint))
    assert found and found[0].environment  # DescribeModel's image and environment reached us
    assert detect(found).format is expected


def test_an_inference_component_is_detected_from_its_own_container(clients: Clients):
    details = describe_endpoint(clients, "demo-inference-components")
    found = containers(clients, details, "ic-generator")
    assert [c.environment.get("MESSAGES_API_ENABLED") for c in found] == ["true"]
    assert detect(found).format is ChatFormat.MESSAGES
    classifier = containers(clients, details, "ic-classifier")
    assert detect(classifier).format is None  # a classifier: nothing says chat


def test_a_model_that_cannot_be_described_leaves_the_first_answer_to_tell(clients: Clients):
    details = describe_endpoint(clients, "demo-text-classifier")
    assert detect(containers(clients, details, "no-such-component")).format is None

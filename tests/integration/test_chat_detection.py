"""The chat format of each local generator, detected from what the local server says (DescribeModel,
DescribeInferenceComponent) through boto3, as it would be from SageMaker, and from its answers when nothing
says it."""

from __future__ import annotations

import pytest

from services.chat_formats import ChatFormat, ChatSettings, body_bytes, detect, request_body, told_by_answer
from services.chat_messages import Message
from services.connection import Clients
from services.endpoints import describe_endpoint
from services.invocation import stream
from services.model_containers import containers
from services.results import InvocationRequest, InvocationResult, Status


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


def _streamed(clients: Clients, fmt: ChatFormat) -> InvocationResult:
    turn = [Message("user", "What is Amazon SageMaker?")]
    body = body_bytes(request_body(fmt, turn, ChatSettings(max_new_tokens=12, temperature=0.0)))
    streaming = stream(clients, InvocationRequest(endpoint_name="demo-custom-llm", body=body))
    list(streaming)
    return streaming.result


def test_a_container_nothing_describes_tells_its_format_by_its_answers(clients: Clients):
    found = containers(clients, describe_endpoint(clients, "demo-custom-llm"))
    assert found and detect(found).format is None  # its own image: no TGI, LMI or vLLM in it

    refused = _streamed(clients, ChatFormat.MESSAGES)
    assert refused.status is Status.FAILED and refused.error is not None
    assert "missing field `inputs`" in refused.error.message  # as TGI without MESSAGES_API_ENABLED says
    guess = told_by_answer(ChatFormat.MESSAGES, refused, "plain")
    assert guess is not None and guess.resend
    assert (guess.detection.format, guess.detection.tentative) == (ChatFormat.TGI, True)

    answered = _streamed(clients, ChatFormat.TGI)
    assert answered.status is Status.SUCCESS and answered.text.strip()
    confirmed = told_by_answer(ChatFormat.TGI, answered, "plain")
    assert confirmed is not None and not confirmed.resend
    assert (confirmed.detection.format, confirmed.detection.tentative) == (ChatFormat.TGI, False)
    assert "TGI server-sent tokens" in confirmed.detection.reason


@pytest.mark.parametrize(
    ("endpoint", "sent", "told"),
    [
        ("demo-lmi-generator", ChatFormat.TGI, ChatFormat.LMI),  # LMI takes TGI's body; its lines tell
        ("demo-lmi-legacy-generator", ChatFormat.LMI_LEGACY, ChatFormat.LMI_LEGACY),
        ("demo-tgi-generator", ChatFormat.MESSAGES, ChatFormat.MESSAGES),
    ],
)
def test_each_answer_shape_tells_its_format(
    clients: Clients, endpoint: str, sent: ChatFormat, told: ChatFormat
):
    turn = [Message("user", "Hello")]
    body = body_bytes(request_body(sent, turn, ChatSettings(max_new_tokens=8, temperature=0.0)))
    streaming = stream(clients, InvocationRequest(endpoint_name=endpoint, body=body))
    list(streaming)
    found = told_by_answer(sent, streaming.result, "plain")
    assert found is not None and found.detection.format is told and not found.resend

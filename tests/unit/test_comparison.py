"""The same request to several targets: only the routing changes, and the figures line up."""

from __future__ import annotations

from datetime import UTC, datetime

from services.comparison import Target, check_targets, output_of, request_for, rows
from services.results import InvocationRequest, InvocationResult, Status, StreamStats

ORIGINAL = InvocationRequest(
    endpoint_name="a",
    body=b'{"x": 1}',
    content_type="application/json",
    custom_attributes="trace=on",
    target_variant="old",
    inference_component_name="ic-old",
)
NOW = datetime(2026, 12, 5, tzinfo=UTC)


def _done(ms: float | None, status: Status = Status.SUCCESS, **fields: object) -> InvocationResult:
    return InvocationResult(ORIGINAL, status, NOW, execution_ms=ms, **fields)  # type: ignore[arg-type]


def test_each_target_gets_the_same_request_routed_to_it():
    sent = request_for(ORIGINAL, Target("b", "variant-b"))
    assert (sent.endpoint_name, sent.target_variant, sent.inference_component_name) == (
        "b",
        "variant-b",
        None,
    )
    assert (sent.body, sent.content_type, sent.custom_attributes) == (
        b'{"x": 1}',
        "application/json",
        "trace=on",
    )
    assert request_for(ORIGINAL, Target("c", None, "ic-1")).inference_component_name == "ic-1"


def test_two_to_four_different_targets_can_be_compared():
    assert check_targets([Target("a")]) is not None
    assert check_targets([Target("a"), Target("a")]) is not None  # the same twice
    assert check_targets([Target("a", "v1"), Target("a", "v2")]) is None
    assert check_targets([Target(str(n)) for n in range(5)]) is not None


def test_the_table_marks_the_fastest_and_sets_each_against_the_first():
    targets = [Target("a"), Target("b"), Target("c")]
    stats = StreamStats(format="tgi", time_to_first_token_ms=40.0, token_count=11)
    table = rows(targets, [_done(200.0), _done(100.0, stream=stats), None])
    assert [r.fastest for r in table] == [False, True, False]
    assert [r.vs_first for r in table] == [1.0, 0.5, None]
    assert table[1].ttft_ms == 40.0 and table[1].tokens_per_s == 1000.0 / ((100.0 - 40.0) / 10)
    assert table[2].status == "Pending" and table[2].execution_ms is None
    failed = rows(targets[:2], [_done(50.0, Status.FAILED), _done(80.0)])
    assert [r.fastest for r in failed] == [False, False]  # one success: nothing to beat


def test_a_stream_is_compared_by_its_text_and_an_answer_by_its_body():
    streamed = _done(1.0, stream=StreamStats(format="tgi"), text="héllo", body=b"data:...")
    assert output_of(streamed) == ("héllo".encode(), "text/plain")
    assert output_of(_done(1.0, body=b"{}", content_type="application/json")) == (b"{}", "application/json")

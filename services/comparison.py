"""The same request to two to four targets at once, and how their answers compare. Pure.

A target is an endpoint, optionally one production variant of it (TargetVariant) or one of its inference
components. Each target's request is the original with only the routing changed: the body, content type
and every other parameter stay the same, so the answers differ by the target alone.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from services.results import InvocationRequest, InvocationResult, Status, target_label

MIN_TARGETS = 2
MAX_TARGETS = 4


@dataclass(frozen=True)
class Target:
    endpoint: str
    variant: str | None = None  # None: SageMaker picks by the variants' weights
    component: str | None = None

    @property
    def label(self) -> str:
        base = target_label(self.endpoint, self.component)
        return f"{base} · {self.variant}" if self.variant else base


def request_for(original: InvocationRequest, target: Target) -> InvocationRequest:
    """The original request, sent to `target` (a variant or component the original named is replaced)."""
    return replace(
        original,
        endpoint_name=target.endpoint,
        target_variant=target.variant,
        inference_component_name=target.component,
    )


def check_targets(targets: list[Target]) -> str | None:
    """Why these targets cannot be compared, in a sentence; None when they can."""
    if not MIN_TARGETS <= len(targets) <= MAX_TARGETS:
        return f"Choose {MIN_TARGETS} to {MAX_TARGETS} targets."
    if len(set(targets)) < len(targets):
        return "Each target must differ (another endpoint, variant or component)."
    return None


@dataclass(frozen=True)
class Row:
    """One target's figures beside the others'."""

    label: str
    status: str
    execution_ms: float | None
    ttft_ms: float | None
    tokens_per_s: float | None
    output_bytes: int
    invoked_variant: str | None
    fastest: bool  # the lowest Execution Length of the successful answers
    vs_first: float | None  # this Execution Length over the first target's (1.0: as fast)


def rows(targets: list[Target], results: list[InvocationResult | None]) -> list[Row]:
    """The comparison table; a target still running has no figures yet (status Pending)."""
    times = [
        r.execution_ms
        if r is not None and r.status is Status.SUCCESS and r.execution_ms is not None
        else None
        for r in results
    ]
    known = [t for t in times if t is not None]
    best = min(known) if len(known) > 1 else None
    first = times[0] if times else None
    table = []
    for target, result, took in zip(targets, results, times, strict=True):
        stream = result.stream if result is not None else None
        table.append(
            Row(
                label=target.label,
                status=result.status.value if result is not None else Status.PENDING.value,
                execution_ms=result.execution_ms if result is not None else None,
                ttft_ms=stream.time_to_first_token_ms if stream is not None else None,
                tokens_per_s=stream.tokens_per_second(result.execution_ms) if stream and result else None,
                output_bytes=len(result.body) if result is not None else 0,
                invoked_variant=result.invoked_variant if result is not None else None,
                fastest=best is not None and took == best,
                vs_first=took / first if took is not None and first else None,
            )
        )
    return table


def output_of(result: InvocationResult) -> tuple[bytes, str | None]:
    """What a target answered, to diff: a stream's decoded text, else the body and its content type."""
    if result.stream is not None and result.text:
        return result.text.encode("utf-8"), "text/plain"
    return result.body, result.content_type

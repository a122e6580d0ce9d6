"""The outputs of a comparison diffed against the first target's (text for text, key by key for JSON)."""

from __future__ import annotations

import streamlit as st

from components import output_diff
from services.comparison import Target, output_of
from services.result_diff import diff_outputs
from services.results import InvocationResult, Status


def render(targets: list[Target], results: list[InvocationResult | None]) -> None:
    first, first_result = targets[0], results[0]
    if first_result is None or first_result.status is not Status.SUCCESS:
        st.caption("The outputs are diffed against the first target's, which has no answer to compare.")
        return
    st.subheader("Outputs against the first", anchor=False)
    base = output_of(first_result)
    for index, (target, result) in enumerate(zip(targets[1:], results[1:], strict=True), start=1):
        if result is None or result.status is not Status.SUCCESS:
            continue
        other = output_of(result)
        diff = diff_outputs(base[0], base[1], other[0], other[1])
        output_diff.render(diff, a_label=first.label, b_label=target.label, key=f"compare-diff-{index}")

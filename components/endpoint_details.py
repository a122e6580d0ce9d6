"""The chosen endpoint's details, in a dialog opened beside the picker: status and failure reason, production
variants (weights, instance type and count, or serverless memory and concurrency, the model and its image),
inference components with their specs, when it was created and last changed, data capture, and links to its
page, metrics and logs in the console (AWS only: a local endpoint's requests are in the local server's log).

A dialog is drawn only while open: the page's every run pays nothing for it.
"""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from components.relative_time import describe, exact
from components.safe_text import escape_markdown
from services.connection import Connection
from services.console_links import endpoint_links
from services.endpoints import EndpointDetails, InferenceComponentSummary, VariantDetails


def details_button(details: EndpointDetails, connection: Connection, region: str | None) -> None:
    """The button that opens the dialog."""
    if st.button(
        "Details",
        key="endpoint-details-open",
        icon=":material/info:",
        type="tertiary",
        help="Variants, instances, images, inference components, data capture, logs",
    ):
        _dialog(details, connection, region)


@st.dialog("Endpoint details", width="large")
def _dialog(details: EndpointDetails, connection: Connection, region: str | None) -> None:
    render(details, connection, region)


def render(details: EndpointDetails, connection: Connection, region: str | None) -> None:
    st.markdown(f"### {escape_markdown(details.name)}")
    kind = "asynchronous" if details.is_async else "serverless" if details.is_serverless else "real-time"
    table = _rows(
        [
            ("Status", details.status),
            ("Kind", kind),
            ("Endpoint config", details.config_name or "—"),
            ("Created", _when(details.created_at)),
            ("Last modified", _when(details.modified_at)),
            ("ARN", details.arn or "—"),
        ]
    )
    st.markdown(table)
    if details.failure_reason:
        st.error(escape_markdown(details.failure_reason), icon=":material/error:")
    st.markdown("**Production variants**")
    if details.variants:
        st.dataframe([_variant_row(v) for v in details.variants], hide_index=True)
    else:
        st.caption("None described.")
    if details.inference_components:
        st.markdown("**Inference components**")
        st.dataframe([_component_row(c) for c in details.inference_components], hide_index=True)
    st.markdown("**Data capture**")
    st.caption(escape_markdown(_data_capture(details)))
    for reason in details.unavailable:
        st.caption(escape_markdown(f"Not shown: {reason}"))
    if connection.kind == "local":
        st.caption(
            escape_markdown(
                f"A built-in local endpoint: no console, no CloudWatch. The local server logs every request "
                f"it receives ({connection.local_url}/_local/requests)."
            )
        )
    elif region:
        with st.container(horizontal=True):
            for label, url in endpoint_links(region, details.name).items():
                st.link_button(label, url, icon=":material/open_in_new:")


def _rows(pairs: list[tuple[str, str]]) -> str:
    """A two-column Markdown table of our labels and foreign values (escape_markdown escapes pipes too)."""
    lines = ["| | |", "| --- | --- |"]
    lines += [f"| {label} | {escape_markdown(value)} |" for label, value in pairs]
    return "\n".join(lines)


def _when(moment: datetime | None) -> str:
    if moment is None:
        return "—"
    return f"{exact(moment)} ({describe(moment)})"


def _variant_row(variant: VariantDetails) -> dict[str, object]:
    if variant.serverless is not None:
        capacity = (
            f"serverless: {variant.serverless.memory_size_mb or '?'} MB, "
            f"up to {variant.serverless.max_concurrency or '?'} concurrent"
        )
        if variant.serverless.provisioned_concurrency:
            capacity += f", {variant.serverless.provisioned_concurrency} provisioned"
    else:
        current = variant.current_instance_count
        desired = variant.desired_instance_count
        count = current if current is not None else variant.initial_instance_count
        capacity = f"{variant.instance_type or '?'} × {count if count is not None else '?'}"
        if desired is not None and desired != current:
            capacity += f" (→ {desired})"
    return {
        "Variant": variant.name,
        "Status": variant.status or "settled",
        "Capacity": capacity,
        "Weight": variant.current_weight,
        "Model": variant.model_name or "",
        "Image": ", ".join(variant.images),
    }


def _component_row(component: InferenceComponentSummary) -> dict[str, object]:
    return {
        "Component": component.name,
        "Status": component.status or "",
        "Variant": component.variant_name or "",
        "CPU cores": component.cpu_cores,
        "Memory (MB)": component.memory_mb,
        "Accelerators": component.accelerators,
        "Copies": component.copies,
        "Model": component.model_name or "",
        "Image": component.image or "",
    }


def _data_capture(details: EndpointDetails) -> str:
    capture = details.data_capture
    if capture is None or not capture.enabled:
        return "Off: requests and answers are not captured."
    parts = ["On"]
    if capture.sampling_percentage is not None:
        parts.append(f"{capture.sampling_percentage}% of requests sampled")
    if capture.status:
        parts.append(capture.status.lower())
    if capture.destination:
        parts.append(f"to {capture.destination}")
    return ", ".join(parts) + "."

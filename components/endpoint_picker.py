"""The endpoint picker: a searchable list with each endpoint's status, a manual name, the component choice."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from components.safe_text import escape_markdown
from services.endpoints import EndpointCatalog, EndpointDetails
from services.errors import ServiceError

MANUAL_KEY = "endpoint-manual-name"


@dataclass(frozen=True)
class Picked:
    """The endpoint chosen, what is known about it, and whether (and why not) it can be invoked."""

    name: str
    details: EndpointDetails | None  # None when it could not be described (a manual name, no permission)
    inference_component: str | None
    blocked_reason: str | None  # set when Send must stay disabled

    @property
    def can_send(self) -> bool:
        return self.blocked_reason is None


def render(catalog: EndpointCatalog, *, scope: str) -> Picked | None:
    """Draw the picker; `scope` (the connection) keeps selections of different connections apart."""
    try:
        summaries = catalog.endpoints()
        list_error = None
    except ServiceError as error:
        summaries, list_error = [], error
    labels = {s.name: f"{s.name} · {s.status}" for s in summaries}

    pick, refresh = st.columns([3, 1], vertical_alignment="bottom")
    with pick:
        chosen = st.selectbox(
            "Endpoint",
            list(labels),
            format_func=lambda name: labels.get(name, name),
            index=_first_in_service(summaries),
            placeholder="No endpoints listed: enter a name below" if not labels else "Search endpoints",
            key=f"endpoint-choice-{scope}",
            help="Type to search. Endpoints that are not InService are listed but cannot be invoked.",
        )
    with refresh:
        st.button(
            "Refresh",
            icon=":material/refresh:",
            width="stretch",
            key="endpoints-refresh",
            help="Refresh the endpoint list",
            on_click=catalog.refresh,
        )
    if list_error is not None:
        st.warning(
            f"Could not list endpoints: {escape_markdown(list_error.message)}", icon=":material/warning:"
        )
        if list_error.hint:
            st.caption(list_error.hint)

    with st.expander("Enter an endpoint name", expanded=not labels):
        manual = st.text_input(
            "Endpoint name",
            key=MANUAL_KEY,
            placeholder="my-endpoint",
            help="For endpoints you may invoke but not list. Overrides the selection above.",
        ).strip()
    name = manual or chosen
    if not name:
        return None
    return _describe(catalog, name, manual=bool(manual), scope=scope)


def _first_in_service(summaries: list) -> int | None:
    """Start on the newest endpoint that can take a request (the newest one may still be Creating)."""
    if not summaries:
        return None
    return next((i for i, s in enumerate(summaries) if s.status == "InService"), 0)


def _describe(catalog: EndpointCatalog, name: str, *, manual: bool, scope: str) -> Picked:
    try:
        details = catalog.details(name)
    except ServiceError as error:
        # Invoking may still be allowed where describing is not: let the user try.
        st.caption(f"Could not describe this endpoint: {escape_markdown(error.message)}")
        return Picked(name=name, details=None, inference_component=None, blocked_reason=None)

    component = None
    if details.inference_components:
        names = [c.name for c in details.inference_components]
        status = {c.name: c.status or "" for c in details.inference_components}
        component = st.selectbox(
            "Inference component",
            names,
            format_func=lambda n: f"{n} · {status[n]}" if status[n] else n,
            key=f"inference-component-{scope}-{name}",
            help="This endpoint hosts inference components: requests go to the one chosen here.",
        )
    reason = details.not_invocable_reason
    _status_line(details, reason)
    return Picked(name=name, details=details, inference_component=component, blocked_reason=reason)


def _status_line(details: EndpointDetails, reason: str | None) -> None:
    kind = "asynchronous" if details.is_async else "serverless" if details.is_serverless else "real-time"
    variants = ", ".join(v.name for v in details.variants) or "no variants"
    st.caption(escape_markdown(f"Status: {details.status} · {kind} · variants: {variants}"))
    if reason:
        with st.container(key="endpoint-blocked-reason"):
            st.warning(escape_markdown(reason), icon=":material/block:")

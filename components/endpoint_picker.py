"""The endpoint picker: a searchable list with each endpoint's status, a manual name, the component choice."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass

import streamlit as st

from components import endpoint_details
from components.safe_text import escape_markdown
from services.connection import Connection
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


def choice_key(scope: str) -> str:
    return f"endpoint-choice-{scope}"


def component_key(scope: str, endpoint: str) -> str:
    return f"inference-component-{scope}-{endpoint}"


def chosen(catalog: EndpointCatalog, *, scope: str) -> Picked | None:
    """The endpoint (and component) the picker holds, before (or without) drawing it: a click is acted on
    at the start of a run, before the page draws anything."""
    manual = str(st.session_state.get(MANUAL_KEY) or "").strip()
    name = manual or _listed_choice(catalog, scope)
    if not name:
        return None
    try:
        with _waiting(catalog.needs_fetch(name), f"Describing {escape_markdown(name)}…"):
            details = catalog.details(name)
    except ServiceError:
        # Invoking may still be allowed where describing is not: let the user try (render says why).
        return Picked(name=name, details=None, inference_component=None, blocked_reason=None)
    component = None
    if details.inference_components:
        names = [c.name for c in details.inference_components]
        held = st.session_state.get(component_key(scope, name))
        component = held if held in names else names[0]
    return Picked(name, details, component, details.not_invocable_reason)


def _listed_choice(catalog: EndpointCatalog, scope: str) -> str | None:
    if choice_key(scope) in st.session_state:
        value = st.session_state[choice_key(scope)]
        return str(value) if value else None
    try:  # not drawn yet: the selectbox's default
        summaries = catalog.endpoints()
    except ServiceError:
        return None
    index = _first_in_service(summaries)
    return None if index is None else summaries[index].name


def render(catalog: EndpointCatalog, *, scope: str, connection: Connection | None = None) -> Picked | None:
    """Draw the picker; `scope` (the connection) keeps selections of different connections apart. With
    `connection`, a Details button beside the status opens the endpoint's details."""
    try:
        with _waiting(catalog.needs_fetch(), "Listing the endpoints…"):
            summaries = catalog.endpoints()
        list_error = None
    except ServiceError as error:
        summaries, list_error = [], error
    labels = {s.name: f"{s.name} · {s.status}" for s in summaries}

    with st.container(horizontal=True, vertical_alignment="bottom", gap="small", key="endpoint-row"):
        st.selectbox(
            "Endpoint",
            list(labels),
            format_func=lambda name: labels.get(name, name),
            # Held in session state already (a choice, or one set for a reopened request): no default, which
            # would make Streamlit warn that the widget has both (the key is its identity: same widget).
            index=None if choice_key(scope) in st.session_state else _first_in_service(summaries),
            placeholder="No endpoints listed: enter a name" if not labels else "Search endpoints",
            key=choice_key(scope),
            help="Type to search. Endpoints that are not InService are listed but cannot be invoked.",
        )
        st.button(
            "",
            icon=":material/refresh:",
            key="endpoints-refresh",
            help="Refresh the endpoint list",
            on_click=catalog.refresh,
        )
        typed = str(st.session_state.get(MANUAL_KEY) or "").strip()
        with st.popover(
            "",
            icon=":material/edit:" if not typed else ":material/edit_note:",
            help="Enter an endpoint name (for endpoints you may invoke but not list)",
            type="primary" if typed else "secondary",
        ):
            st.text_input(
                "Endpoint name",
                key=MANUAL_KEY,
                placeholder="my-endpoint",
                help="For endpoints you may invoke but not list. Overrides the selection.",
            )
    if list_error is not None:
        st.warning(
            f"Could not list endpoints: {escape_markdown(list_error.message)}", icon=":material/warning:"
        )
        if list_error.hint:
            st.caption(list_error.hint)
    if not labels and list_error is None:
        st.caption("No endpoints are listed: enter a name with the pencil button.")
    picked = chosen(catalog, scope=scope)
    if picked is not None:
        _details(catalog, picked, scope, connection)
    return chosen(catalog, scope=scope)  # the component selectbox may just have been drawn


def _waiting(needed: bool, what: str) -> AbstractContextManager[object]:
    """A spinner naming the call the page waits for, when it will really call (Streamlit shows it after
    0.5 s); nothing when the answer is cached, so a normal run sends no extra message."""
    return st.spinner(what) if needed else nullcontext()


def _first_in_service(summaries: list) -> int | None:
    """Start on the newest endpoint that can take a request (the newest one may still be Creating)."""
    if not summaries:
        return None
    return next((i for i, s in enumerate(summaries) if s.status == "InService"), 0)


def _details(catalog: EndpointCatalog, picked: Picked, scope: str, connection: Connection | None) -> None:
    """What is known about the chosen endpoint: why it could not be described, its components, its status."""
    if picked.details is None:
        try:
            catalog.details(picked.name)
        except ServiceError as error:
            st.caption(f"Could not describe this endpoint: {escape_markdown(error.message)}")
        return
    details = picked.details
    if details.inference_components:
        names = [c.name for c in details.inference_components]
        status = {c.name: c.status or "" for c in details.inference_components}
        st.selectbox(
            "Inference component",
            names,
            format_func=lambda n: f"{n} · {status[n]}" if status[n] else n,
            key=component_key(scope, picked.name),
            help="This endpoint hosts inference components: requests go to the one chosen here.",
        )
    _status_line(catalog, details, picked.blocked_reason, connection)


def _status_line(
    catalog: EndpointCatalog, details: EndpointDetails, reason: str | None, connection: Connection | None
) -> None:
    kind = "asynchronous" if details.is_async else "serverless" if details.is_serverless else "real-time"
    variants = ", ".join(v.name for v in details.variants) or "no variants"
    with st.container(horizontal=True, vertical_alignment="center", key="endpoint-status-line"):
        st.caption(escape_markdown(f"Status: {details.status} · {kind} · variants: {variants}"))
        if connection is not None:
            endpoint_details.details_button(details, connection, catalog.clients.sagemaker.meta.region_name)
    if reason:
        with st.container(key="endpoint-blocked-reason"):
            st.warning(escape_markdown(reason), icon=":material/block:")

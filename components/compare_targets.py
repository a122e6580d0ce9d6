"""The targets of a comparison: two to four rows of endpoint, production variant (or "by weight") and
inference component, starting from the request's own target and the most useful second one (another
variant of the same endpoint, another component, else another endpoint)."""

from __future__ import annotations

import streamlit as st

from components.safe_text import escape_markdown
from services.comparison import MAX_TARGETS, MIN_TARGETS, Target
from services.endpoints import EndpointCatalog, EndpointDetails
from services.errors import ServiceError
from services.results import InvocationRequest

COUNT_KEY = "compare-count"
_MADE_FOR = "_compare-targets-for"
BY_WEIGHT = "By weight"


def _key(kind: str, index: int) -> str:
    return f"compare-{kind}-{index}"


def _details(catalog: EndpointCatalog, name: str) -> EndpointDetails | None:
    try:
        return catalog.details(name)
    except ServiceError:
        return None


def _defaults(catalog: EndpointCatalog, request: InvocationRequest, names: list[str]) -> list[Target]:
    first = Target(request.endpoint_name, request.target_variant, request.inference_component_name)
    details = _details(catalog, request.endpoint_name)
    if details is not None and len(details.variants) > 1:
        variants = [v.name for v in details.variants]
        return [Target(first.endpoint, variants[0]), Target(first.endpoint, variants[1])]
    if details is not None and len(details.inference_components) > 1:
        components = [c.name for c in details.inference_components]
        return [Target(first.endpoint, None, components[0]), Target(first.endpoint, None, components[1])]
    other = next((name for name in names if name != first.endpoint), first.endpoint)
    return [first, Target(other)]


def render(catalog: EndpointCatalog, request: InvocationRequest) -> list[Target]:
    """Draw the rows; the targets chosen."""
    try:
        summaries = catalog.endpoints()
    except ServiceError as error:
        st.warning(f"Could not list endpoints: {escape_markdown(error.message)}")
        summaries = []
    names = [s.name for s in summaries if s.status == "InService"]
    if request.endpoint_name not in names:
        names.insert(0, request.endpoint_name)
    if COUNT_KEY not in st.session_state or st.session_state.get(_MADE_FOR) is not request:
        st.session_state[_MADE_FOR] = request  # a request handed over anew starts from its own targets
        st.session_state[COUNT_KEY] = MIN_TARGETS
        for index, target in enumerate(_defaults(catalog, request, names)):
            st.session_state[_key("endpoint", index)] = target.endpoint
            st.session_state[_key("variant", index)] = target.variant or BY_WEIGHT
            if target.component:
                st.session_state[_key("component", index)] = target.component
    count = int(st.session_state[COUNT_KEY])
    targets = [_row(catalog, index, names) for index in range(count)]
    with st.container(horizontal=True):
        st.button(
            "Add a target",
            key="compare-add",
            icon=":material/add:",
            disabled=count >= MAX_TARGETS,
            on_click=_resize,
            args=(count + 1,),
        )
        st.button(
            "Remove the last",
            key="compare-remove",
            icon=":material/remove:",
            disabled=count <= MIN_TARGETS,
            on_click=_resize,
            args=(count - 1,),
        )
    return targets


def _resize(count: int) -> None:
    st.session_state[COUNT_KEY] = max(MIN_TARGETS, min(MAX_TARGETS, count))


def _row(catalog: EndpointCatalog, index: int, names: list[str]) -> Target:
    endpoint_box, variant_box, component_box = st.columns([5, 3, 3], vertical_alignment="bottom")
    label = f"Target {index + 1}"
    endpoint = endpoint_box.selectbox(label, names, key=_key("endpoint", index))
    details = _details(catalog, endpoint) if endpoint else None
    variants = [BY_WEIGHT, *(v.name for v in details.variants)] if details is not None else [BY_WEIGHT]
    if st.session_state.get(_key("variant", index)) not in variants:
        st.session_state[_key("variant", index)] = BY_WEIGHT
    variant = variant_box.selectbox(
        "Variant", variants, key=_key("variant", index), help="TargetVariant; by weight: SageMaker picks"
    )
    component = None
    components = [c.name for c in details.inference_components] if details is not None else []
    if components:
        if st.session_state.get(_key("component", index)) not in components:
            st.session_state[_key("component", index)] = components[0]
        component = component_box.selectbox("Inference component", components, key=_key("component", index))
    return Target(str(endpoint), None if variant == BY_WEIGHT else str(variant), component)

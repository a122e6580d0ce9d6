"""What SageMaker says about the containers behind the endpoint picked (DescribeModel, or the inference
component's own container), asked once per target and browser session: it tells the Chat page the request
format, and Test inference the sample to start from."""

from __future__ import annotations

import streamlit as st

from components import endpoint_picker
from services.chat_formats import Container
from services.endpoints import EndpointCatalog
from services.model_containers import containers

_KEY = "_endpoint_containers"


def containers_for(catalog: EndpointCatalog, picked: endpoint_picker.Picked) -> list[Container]:
    """The containers of the picked endpoint (or component); [] when it could not be described."""
    known: dict[tuple[int, str, str | None], list[Container]] = st.session_state.setdefault(_KEY, {})
    key = (id(catalog), picked.name, picked.inference_component)  # a catalog per connection
    if key not in known:
        described = picked.details
        known[key] = (
            [] if described is None else containers(catalog.clients, described, picked.inference_component)
        )
    return known[key]

"""'Use Python SDK example code': the boto3 code and the AWS CLI command for the editor's current request."""

from __future__ import annotations

import streamlit as st

from services.connection import Connection
from services.results import InvocationRequest
from services.snippets import cli_command, python_code


def render(
    request: InvocationRequest,
    *,
    stream: bool,
    connection: Connection,
    key: str = "sdk",
    body_file: str | None = None,
) -> None:
    """Show both snippets (st.code has a copy button) for exactly this request; `key` names their boxes
    (`<key>-python`, `<key>-cli`), one per place on a page. `body_file`: the body is that file (its safe
    name), read by the code rather than written into it."""
    endpoint_url = connection.local_url if connection.kind == "local" else None
    region = connection.region
    st.caption("Python (boto3)")
    with st.container(key=f"{key}-python"):
        st.code(
            python_code(
                request,
                stream=stream,
                region=region,
                endpoint_url=endpoint_url,
                profile=connection.profile,
                body_file=body_file,
            ),
            language="python",
        )
    st.caption("AWS CLI")
    with st.container(key=f"{key}-cli"):
        st.code(
            cli_command(
                request,
                region=region,
                endpoint_url=endpoint_url,
                profile=connection.profile,
                body_file=body_file,
            ),
            language="bash",
            wrap_lines=True,
        )

"""The sidebar's connection picker: the built-in Local endpoints, or an AWS profile and region."""

from __future__ import annotations

import time

import streamlit as st

from components import service_cache
from components.safe_text import escape_markdown
from components.service_cache import account_for
from services.connection import (
    Connection,
    available_profiles,
    aws_connection,
    default_connection,
    local_connection,
)
from services.errors import ServiceError

LOCAL = "Local endpoints"
AWS = "AWS"
_DEFAULT_PROFILE = "(default credentials)"
_KIND_KEY = "connection-kind"
_PROFILE_KEY = "connection-profile"
_REGION_KEY = "connection-region"
STATE_KEY = "connection"
_ACCOUNTS = "_connection_accounts"  # repr(connection) -> (when asked, account or None, error or None)
_FAILURE_TTL_S = 10.0


def _first_run_defaults() -> None:
    """With AWS credentials the app starts on AWS; without, on the local endpoints (started on demand)."""
    if _KIND_KEY in st.session_state:
        return
    try:
        initial = default_connection()
    except ServiceError:
        initial = local_connection()
    st.session_state[_KIND_KEY] = AWS if initial.kind == "aws" else LOCAL
    st.session_state[_REGION_KEY] = initial.region or "" if initial.kind == "aws" else "us-east-1"
    st.session_state[STATE_KEY] = initial


def render() -> Connection:
    """Draw the connection section in the sidebar; returns the connection chosen (also in session_state)."""
    _first_run_defaults()
    with st.sidebar:
        st.subheader("Connection", anchor=False)
        kind = st.radio(
            "Connect to", [LOCAL, AWS], key=_KIND_KEY, horizontal=True, label_visibility="collapsed"
        )
        connection = _local() if kind == LOCAL else _aws()
        st.session_state[STATE_KEY] = connection
        _identity(connection)
    return connection


def _local() -> Connection:
    current = st.session_state.get(STATE_KEY)
    if isinstance(current, Connection) and current.kind == "local":
        return current
    return local_connection()


def _aws() -> Connection:
    profiles = available_profiles()
    options = [_DEFAULT_PROFILE, *profiles]
    profile = st.selectbox(
        "AWS profile", options, key=_PROFILE_KEY, help="Profiles from ~/.aws/config and credentials"
    )
    region = st.text_input("Region", key=_REGION_KEY, placeholder="e.g. us-east-1")
    return aws_connection(None if profile == _DEFAULT_PROFILE else profile, region.strip() or None)


def _account(connection: Connection) -> str | None:
    """The account id (STS), asked once per connection and session: a failure is remembered for
    `_FAILURE_TTL_S`, so a silent STS costs one timeout, not one per rerun. Spins while it asks."""
    known = st.session_state.setdefault(_ACCOUNTS, {})
    entry = known.get(repr(connection))
    if entry is not None and (entry[1] is not None or time.monotonic() - entry[0] < _FAILURE_TTL_S):
        if entry[2] is not None:
            raise entry[2].with_traceback(None)
        return entry[1]
    try:
        with st.spinner("Checking the AWS identity (STS)…"):
            account = account_for(connection)  # builds the clients too (a SetupError says why they cannot be)
    except ServiceError as error:
        known[repr(connection)] = (time.monotonic(), None, error)
        raise
    known[repr(connection)] = (time.monotonic(), account, None)
    return account


def _clients_fail(connection: Connection) -> bool:
    """Whether the connection's clients cannot even be built (no credentials, region or profile), which
    every page reports itself."""
    try:
        service_cache.clients_for(connection)
    except ServiceError:
        return True
    return False


def _identity(connection: Connection) -> None:
    if connection.kind == "local":
        st.caption("Built-in local endpoints (no AWS account needed)")
        st.text(connection.local_url or "")
        return
    try:
        account = _account(connection)
    except ServiceError as error:
        if _clients_fail(connection):
            # The page says what is wrong and what to do: once (the same words twice read as two problems).
            st.caption(":material/key_off: Not connected: the page says why.")
        else:  # only the identity check failed (STS): the page works and says nothing of it
            st.error(escape_markdown(error.message), icon=":material/key_off:")
            if error.hint:
                st.caption(error.hint)
        return
    st.text(connection.label)
    st.caption(
        f"Account {escape_markdown(account)}" if account else "Account unknown (not allowed to ask STS)"
    )

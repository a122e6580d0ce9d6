"""The UI's shared, thread-safe service objects, built once per connection (st.cache_resource).

boto3 clients and the endpoint catalog are safe to share between sessions and threads and are never mutated by
the UI, so they are cached process-wide; everything per user lives in st.session_state.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from services.connection import Clients, Connection, account_id, build_clients
from services.conversation_store import ConversationStore
from services.endpoints import EndpointCatalog
from services.history import History, default_history_path
from services.invoker import Invoker
from services.saved_requests import SavedRequests


@st.cache_resource(show_spinner=False, hash_funcs={Connection: repr})
def clients_for(connection: Connection) -> Clients:
    """The boto3 clients for a connection. Raises SetupError (not cached: the next call tries again)."""
    return build_clients(connection)


@st.cache_resource(show_spinner=False, hash_funcs={Connection: repr})
def catalog_for(connection: Connection) -> EndpointCatalog:
    """The brief-TTL endpoint catalog for a connection."""
    return EndpointCatalog(clients_for(connection), ttl_s=30.0)


@st.cache_data(show_spinner=False, ttl=3600, hash_funcs={Connection: repr})
def account_for(connection: Connection) -> str | None:
    """The AWS account id, or None (local mode, or not allowed to ask). Raises ServiceError."""
    return account_id(clients_for(connection))


@st.cache_resource(show_spinner=False)
def history_at(path: str) -> History:
    """The history store for one file (opening it creates the schema, so do it once). Thread-safe."""
    return History(Path(path))


def history() -> History:
    """The history store the environment points at (SMTI_HISTORY_PATH, else the user's data folder)."""
    return history_at(str(default_history_path()))


def conversations() -> ConversationStore:
    """The chat conversations, kept in the history file."""
    return conversations_at(str(default_history_path()))


@st.cache_resource(show_spinner=False)
def conversations_at(path: str) -> ConversationStore:
    return ConversationStore(history_at(path))


def saved_requests() -> SavedRequests:
    """The requests saved under a name per endpoint, kept in the history file."""
    return saved_requests_at(str(default_history_path()))


@st.cache_resource(show_spinner=False)
def saved_requests_at(path: str) -> SavedRequests:
    return SavedRequests(history_at(path))


@st.cache_resource(show_spinner=False)
def invoker() -> Invoker:
    """The process that runs this app's invocations (one for every session: its child process is shared)."""
    return Invoker()

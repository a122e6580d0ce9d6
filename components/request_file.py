"""A file as the request body: the uploader, the file held (uploaded, a bundled sample, or reopened from
History), and its preview: an image's thumbnail, an audio player, or its size and first bytes.

The file is kept in session state of our own (`hold`), not only in the uploader: a sample or a reopened
request has no upload, and the uploader's value is dropped in a run that does not draw it.
"""

from __future__ import annotations

import io

import streamlit as st

from components import request_options
from components.output_view import hex_dump
from components.safe_text import escape_markdown
from services.output import decode_output
from services.request_files import RequestFile, content_type_for

_HELD = "_request_file"
_GENERATION = "_request_file_generation"
PREVIEW_BYTES = 64


def upload_key() -> str:
    """The uploader shown now (a new one after `hold`, so it does not show a file no longer held)."""
    return f"request-file-upload-{st.session_state.get(_GENERATION, 0)}"


def held() -> RequestFile | None:
    found = st.session_state.get(_HELD)
    return found if isinstance(found, RequestFile) else None


def hold(file: RequestFile | None) -> None:
    """Make `file` the body (a sample or a reopened request); the uploader starts empty."""
    st.session_state[_HELD] = file
    st.session_state[_GENERATION] = st.session_state.get(_GENERATION, 0) + 1


def _uploaded() -> None:
    upload = st.session_state.get(upload_key())
    if upload is None:  # its x was clicked: nothing is held any more
        st.session_state[_HELD] = None
        return
    data = upload.getvalue()
    file = RequestFile(upload.name, data, content_type_for(upload.name, data, upload.type))
    st.session_state[_HELD] = file
    request_options.set_content_type(file.content_type)


def render() -> RequestFile | None:
    """Draw the uploader and the held file's preview; returns the file held."""
    st.file_uploader(
        "File to send",
        key=upload_key(),
        on_change=_uploaded,
        help="Sent byte for byte as the body, with the content type above. SageMaker takes at most 6 MiB.",
    )
    file = held()
    if file is None:
        st.caption("Choose a file: an image, audio, or any bytes the model takes.")
        return None
    with st.container(key="request-file-preview"):
        _preview(file)
    return file


def _preview(file: RequestFile) -> None:
    size = len(file.data)
    st.caption(
        f"**{escape_markdown(file.name)}** · {size:,} bytes · {escape_markdown(file.content_type)}",
    )
    if file.problem:
        st.error(escape_markdown(file.problem), icon=":material/block:")
        return
    shown = decode_output(file.data, file.content_type)
    if shown.kind == "image":
        st.image(io.BytesIO(file.data), width=240)
    elif file.content_type.startswith("audio/") or file.data[:4] == b"RIFF":
        st.audio(file.data, format=file.content_type)
    else:
        first = file.data[:PREVIEW_BYTES]
        st.code(hex_dump(first) + ("\n…" if size > PREVIEW_BYTES else ""), language=None)

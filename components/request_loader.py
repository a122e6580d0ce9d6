"""Put a request back on the Test inference page: a sample, a request reopened from History, a saved one.

Text goes into the editor, in the kind its content type is written in; anything else becomes the file to
send. Call before the form is drawn (at the start of a run, or in a widget's callback).
"""

from __future__ import annotations

from components import body_kind, json_editor, request_file, request_options
from services.request_files import RequestFile, looks_like_text, safe_file_name


def load_body(data: bytes, content_type: str, *, file_name: str = "", as_file: bool = False) -> None:
    """Show this body: in the editor when it is text (unless `as_file`), else as the file held."""
    if looks_like_text(data) and not as_file:
        json_editor.load(data.decode("utf-8"))
        body_kind.set_kind(body_kind.kind_for(content_type))
    else:
        request_file.hold(RequestFile(file_name or safe_file_name("", content_type), data, content_type))
        body_kind.set_kind(body_kind.FILE)
    request_options.set_content_type(content_type)

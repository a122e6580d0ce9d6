"""Errors as SageMaker puts them on the wire. Each class carries its code and HTTP status.

Runtime (rest-json): the code in the `x-amzn-ErrorType` header and a JSON body with `Message` plus any
modelled fields (ModelError's OriginalStatusCode, OriginalMessage, LogStreamArn, which botocore lifts to the
top level of `e.response`). Control plane (JSON 1.1): `{"__type": code, "message": ...}`.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from starlette.responses import JSONResponse, Response


class WireError(Exception):
    code: ClassVar[str] = "InternalFailure"
    status: ClassVar[int] = 500

    def __init__(self, message: str, **fields: Any) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields

    def runtime_response(self) -> Response:
        return runtime_error(self.code, self.status, self.message, **self.fields)

    def control_response(self) -> Response:
        return control_error(self.code, self.status, self.message)


def runtime_error(code: str, status: int, message: str, **fields: Any) -> Response:
    """A rest-json (runtime) error: the code in `x-amzn-ErrorType`, `{"Message": ...}` in the body."""
    return Response(
        json.dumps({"Message": message, **fields}),
        status_code=status,
        media_type="application/json",
        headers={"x-amzn-ErrorType": code},
    )


def control_error(code: str, status: int, message: str) -> Response:
    """A JSON 1.1 (control plane) error: `{"__type": code, "message": ...}`."""
    return Response(
        json.dumps({"__type": code, "message": message}),
        status_code=status,
        media_type="application/x-amz-json-1.1",
        headers={"x-amzn-ErrorType": code},
    )


def refusal(path: str, code: str, status: int, message: str, *, close: bool = False) -> Response:
    """The server's own refusal of a request before any route runs, in the shape that path's callers parse:
    JSON 1.1 for the control plane (`/`), `{"error": ...}` for the /_local/ controls, rest-json otherwise.
    `close`: also end the connection (the request body was not read, or not all of it)."""
    if path == "/":
        response = control_error(code, status, message)
    elif path.startswith("/_local/"):
        response = JSONResponse({"error": message}, status_code=status)
    else:
        response = runtime_error(code, status, message)
    if close:
        response.headers["Connection"] = "close"
    return response


class ValidationError(WireError):
    """The runtime refused the request."""

    code = "ValidationError"
    status = 400


class ModelError(WireError):
    """The model (container) answered with an error status."""

    code = "ModelError"
    status = 424


class ThrottlingException(WireError):
    code = "ThrottlingException"
    status = 429


class InternalFailure(WireError):
    code = "InternalFailure"
    status = 500


class ValidationException(WireError):
    """The control plane refused the request (unknown name, bad parameter)."""

    code = "ValidationException"
    status = 400


class UnknownOperationException(WireError):
    code = "UnknownOperationException"
    status = 400

"""Errors as SageMaker puts them on the wire. Each class carries its code and HTTP status.

Runtime (rest-json): the code in the `x-amzn-ErrorType` header and a JSON body with `Message` plus any
modelled fields (ModelError's OriginalStatusCode, OriginalMessage, LogStreamArn, which botocore lifts to the
top level of `e.response`). Control plane (JSON 1.1): `{"__type": code, "message": ...}`.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from starlette.responses import Response


class WireError(Exception):
    code: ClassVar[str] = "InternalFailure"
    status: ClassVar[int] = 500

    def __init__(self, message: str, **fields: Any) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields

    def runtime_response(self) -> Response:
        body = {"Message": self.message, **self.fields}
        return Response(
            json.dumps(body),
            status_code=self.status,
            media_type="application/json",
            headers={"x-amzn-ErrorType": self.code},
        )

    def control_response(self) -> Response:
        return Response(
            json.dumps({"__type": self.code, "message": self.message}),
            status_code=self.status,
            media_type="application/x-amz-json-1.1",
            headers={"x-amzn-ErrorType": self.code},
        )


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

"""Test controls under /_local/ (never on SageMaker's paths, never recorded in the request log).

GET    /_local/health               "ok"
GET    /_local/requests             the request log, oldest first (bodies base64)
GET    /_local/requests/{id}        the request whose answer carried this x-amzn-RequestId, with its status
DELETE /_local/requests             clear it
GET    /_local/faults               faults in force, by endpoint
PUT    /_local/faults/{name}        set a fault: JSON with the fields of faults.Fault
DELETE /_local/faults[/{name}]      clear one endpoint's fault, or all
POST   /_local/endpoints            add endpoints in bulk: {"count": 300, "prefix": "...", "status": "..."}
GET    /_local/settings             {"token_delay": seconds}
PUT    /_local/settings             change them
POST   /_local/reset                clear faults, request log, sessions and bulk endpoints

Every input is bounded (see `limits`): anything out of bounds, of the wrong type, or not a JSON object is a
400 `{"error": ...}` saying what was expected.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from local_endpoints import limits
from local_endpoints.faults import Fault
from local_endpoints.recording import server_state


async def health(request: Request) -> Response:
    return PlainTextResponse("ok")


async def requests_log(request: Request) -> Response:
    log = server_state(request).log
    if request.method == "DELETE":
        log.clear()
        return Response(status_code=204)
    return JSONResponse([entry.to_json() for entry in log.all()])


async def one_request(request: Request) -> Response:
    found = server_state(request).log.find(request.path_params["request_id"])
    if found is None:
        return JSONResponse({"error": "No request with this id in the log (it keeps the newest 2,000)."}, 404)
    return JSONResponse(found.to_json())


async def faults(request: Request) -> Response:
    book = server_state(request).faults
    name = request.path_params.get("name")
    if request.method == "DELETE":
        book.clear(name)
        return Response(status_code=204)
    if request.method == "PUT" and name is not None:
        try:
            book.set(name, Fault(**await _json(request)))
        except (TypeError, ValueError) as exc:
            return _bad_request(str(exc))
        return Response(status_code=204)
    return JSONResponse({endpoint: fault.to_json() for endpoint, fault in book.all().items()})


async def endpoints(request: Request) -> Response:
    try:
        spec = await _json(request)
        names = server_state(request).add_endpoints(
            spec["count"], spec.get("prefix", "bulk-endpoint"), spec.get("status", "InService")
        )
    except (KeyError, TypeError, ValueError) as exc:
        return _bad_request(f"expected {{'count': N, 'prefix'?: str, 'status'?: str}}: {exc}")
    return JSONResponse({"added": names}, status_code=201)


async def settings(request: Request) -> Response:
    state = server_state(request)
    if request.method == "PUT":
        try:
            delay = limits.token_delay((await _json(request))["token_delay"])
        except (KeyError, TypeError, ValueError) as exc:
            return _bad_request(f"expected {{'token_delay': seconds}}: {exc}")
        state.token_delay = delay
    return JSONResponse({"token_delay": state.token_delay})


async def reset(request: Request) -> Response:
    server_state(request).reset()
    return Response(status_code=204)


async def _json(request: Request) -> dict[str, Any]:
    try:
        parsed = json.loads(await request.body() or b"{}")
    except RecursionError as exc:  # nested deeper than the parser goes (100,000 "[")
        raise ValueError("the body is nested too deeply to be read") from exc
    if not isinstance(parsed, dict):
        raise ValueError("the body must be a JSON object")
    return parsed


def _bad_request(message: str) -> Response:
    return JSONResponse({"error": message}, status_code=400)


ROUTES = [
    Route("/_local/health", health, methods=["GET"]),
    Route("/_local/requests", requests_log, methods=["GET", "DELETE"]),
    Route("/_local/requests/{request_id}", one_request, methods=["GET"]),
    Route("/_local/faults", faults, methods=["GET", "DELETE"]),
    Route("/_local/faults/{name}", faults, methods=["PUT", "DELETE"]),
    Route("/_local/endpoints", endpoints, methods=["POST"]),
    Route("/_local/settings", settings, methods=["GET", "PUT"]),
    Route("/_local/reset", reset, methods=["POST"]),
]

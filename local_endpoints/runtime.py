"""The runtime API (rest-json): InvokeEndpoint and InvokeEndpointWithResponseStream, as boto3 expects them.

Model code is blocking and may be slow to build, so it runs in worker threads; the event loop only moves bytes
and paces streamed parts.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from local_endpoints import eventstream
from local_endpoints.catalog import ACCOUNT_ID, ENDPOINT_NAME, MAX_NAME_CHARS, REGION, Endpoint, ModelSlot
from local_endpoints.container import ContainerModel
from local_endpoints.faults import Fault
from local_endpoints.limits import MAX_RUNTIME_BODY_BYTES
from local_endpoints.models.base import Model, ModelInputError, ModelResponse, ModelStream
from local_endpoints.part_batches import MAX_PARTS, Batch, pull_batch
from local_endpoints.recording import record, server_state
from local_endpoints.sessions import CLOSE, NEW_SESSION, session_request
from local_endpoints.state import ServerState
from local_endpoints.wire_errors import ModelError, ThrottlingException, ValidationError, WireError

MAX_SERVERLESS_BODY_BYTES = 4 * 1024 * 1024
_END = object()  # marks an exhausted part iterator (next() in a worker thread cannot raise StopIteration out)
_SHUTTING_DOWN = "The local SageMaker server is shutting down."


@dataclass
class Call:
    """One validated invocation: where it goes and what it carries."""

    endpoint: Endpoint
    variant_name: str  # reported as InvokedProductionVariant
    container_name: str  # who "answered" in a ModelError message: "primary" or the inference component
    slot: ModelSlot
    body: bytes
    content_type: str
    accept: str | None
    custom_attributes: str | None
    fault: Fault | None
    new_session: bool
    session_id: str | None = None  # an open session the call is made in

    def headers(self) -> dict[str, str]:
        headers = {"x-Amzn-Invoked-Production-Variant": self.variant_name}
        if self.custom_attributes is not None:
            headers["X-Amzn-SageMaker-Custom-Attributes"] = self.custom_attributes
        return headers

    def model_error(self, original_status: int, original_message: str) -> ModelError:
        """ModelError worded as SageMaker words it, with the fields botocore lifts into e.response."""
        kind = "client" if original_status < 500 else "server"
        log_group = f"/aws/sagemaker/Endpoints/{self.endpoint.name}"
        message = (
            f"Received {kind} error ({original_status}) from {self.container_name} "
            f'with message "{original_message}". '
            f"See https://{REGION}.console.aws.amazon.com/cloudwatch/home?region={REGION}#logEventViewer:group="
            f"{log_group} in account {ACCOUNT_ID} for more information."
        )
        return ModelError(
            message,
            OriginalStatusCode=original_status,
            OriginalMessage=original_message,
            LogStreamArn=f"arn:aws:logs:{REGION}:{ACCOUNT_ID}:log-group:{log_group}",
        )


async def invoke_endpoint(request: Request) -> Response:
    state = server_state(request)
    try:
        call = await _prepare(request, state, "InvokeEndpoint")
        control = session_request(call.body) if (call.new_session or call.session_id) else None
        if control is not None:
            return _session_control(state, call, control)
        model = await _ready_model(call)
        try:
            answer = await run_in_threadpool(_invoke, model, call)
        except ModelInputError as exc:
            raise call.model_error(exc.original_status, exc.message) from exc
        except Exception as exc:  # a crashing model is a container answering 500
            raise call.model_error(500, f"{type(exc).__name__}: {exc}") from exc
    except WireError as exc:
        return exc.runtime_response()
    headers = {"Content-Type": answer.content_type, **call.headers()}
    if call.new_session:
        session_id, expires = state.sessions.open(call.endpoint.name)
        headers["X-Amzn-SageMaker-New-Session-Id"] = f"{session_id}; Expires={_iso(expires)}"
    # media_type stays None: Starlette would append "; charset=utf-8" to text/* types the model chose
    return Response(answer.body, headers=headers)


def _session_control(state: ServerState, call: Call, control: str) -> Response:
    """The container's answer to the session contract's own requests (local_endpoints.sessions)."""
    headers = {"Content-Type": "application/json", **call.headers()}
    body: dict[str, object]
    if control == NEW_SESSION and call.new_session:
        session_id, expires = state.sessions.open(call.endpoint.name)
        headers["X-Amzn-SageMaker-New-Session-Id"] = f"{session_id}; Expires={_iso(expires)}"
        body = {"sessionId": session_id, "expires": _iso(expires)}
    elif control == CLOSE and call.session_id is not None:
        state.sessions.close(call.session_id)
        headers["X-Amzn-SageMaker-Closed-Session-Id"] = call.session_id
        body = {"sessionId": call.session_id, "closed": True}
    else:  # NEW_SESSION with an existing id, or CLOSE while opening one: the contract has no such request
        raise ValidationError(
            f'"requestType": "{control}" does not go with this SessionId: open a session with SessionId '
            "NEW_SESSION, close one with its id."
        )
    return Response(json.dumps(body).encode(), headers=headers)


async def invoke_endpoint_with_response_stream(request: Request) -> Response:
    state = server_state(request)
    try:
        call = await _prepare(request, state, "InvokeEndpointWithResponseStream")
        model = await _ready_model(call)
        try:
            stream = await run_in_threadpool(_stream, model, call)
            # The first part is fetched before answering so an input the model refuses is still a ModelError.
            first = await run_in_threadpool(next, stream.parts, _END)
        except ModelInputError as exc:
            raise call.model_error(exc.original_status, exc.message) from exc
        except Exception as exc:
            raise call.model_error(500, f"{type(exc).__name__}: {exc}") from exc
    except WireError as exc:
        return exc.runtime_response()
    headers = {
        "Content-Type": "application/vnd.amazon.eventstream",
        "X-Amzn-SageMaker-Content-Type": stream.content_type,
        **call.headers(),
    }
    return StreamingResponse(_events(state, call, first, stream.parts), headers=headers)


async def _events(
    state: ServerState, call: Call, first: object, parts: Iterator[bytes]
) -> AsyncIterator[bytes]:
    """One PayloadPart per model part, each sent as soon as it exists; an error event ends a broken stream.

    Paced parts go one per HTTP chunk, each after its token delay. With no delay a demo model's parts are
    pulled several per worker-thread hop and written as one chunk (see `part_batches`): still one event-stream
    message per part, and the first part still goes out alone, at once."""
    break_after = call.fault.break_stream_after if call.fault else None
    sent = 0
    ended = first is _END
    try:
        while True:
            if sent == break_after:
                yield _injected_stream_error(call.fault, sent)
                return
            if ended:
                return
            if sent and call.slot.paced and state.token_delay > 0:
                await asyncio.sleep(state.token_delay)
            if state.stopping.is_set():
                yield eventstream.internal_stream_failure(_SHUTTING_DOWN)
                return
            if sent == 0:
                assert isinstance(first, bytes)
                batch = Batch(eventstream.payload_part(first), 1, ended=False)
            else:
                batch = await run_in_threadpool(
                    pull_batch, parts, _batch_limit(state, call, sent, break_after)
                )
            if batch.count:
                yield batch.messages
                sent += batch.count
            if batch.error is not None:
                yield batch.error
                return
            ended = batch.ended
    finally:
        close = getattr(parts, "close", None)
        if close is not None:
            # a passthrough stream holds a connection to the container; a generator still running in a worker
            # (the stream was cancelled mid-part) cannot be closed here and ends with its thread instead
            with contextlib.suppress(ValueError):
                close()


def _batch_limit(state: ServerState, call: Call, sent: int, break_after: int | None) -> int:
    """How many parts the next hop may pull: one when parts are paced or come from a container (whose next
    part may be a long wait), a batch at full speed; never past an injected stream break."""
    limit = MAX_PARTS if call.slot.paced and state.token_delay == 0 else 1
    if break_after is not None:
        limit = min(limit, break_after - sent)
    return limit


def _injected_stream_error(fault: Fault | None, sent: int) -> bytes:
    if fault is not None and fault.stream_error == "InternalStreamFailure":
        return eventstream.internal_stream_failure(f"Injected stream failure after {sent} parts.")
    return eventstream.model_stream_error(f"Injected stream break after {sent} parts.", "StreamBroken")


async def _prepare(request: Request, state: ServerState, operation: str) -> Call:
    """Record the request, apply throttling and delay faults, and validate it the way SageMaker does."""
    name = request.path_params["name"]
    body = await record(request, operation, name)
    if state.faults.take_throttle(name):
        raise ThrottlingException("Rate exceeded")
    fault = state.faults.get(name)
    if fault is not None and fault.delay_ms:
        await asyncio.sleep(fault.delay_ms / 1000)
    endpoint = _invocable_endpoint(state, name)
    serverless = any(v.serverless for v in endpoint.variants)
    limit = MAX_SERVERLESS_BODY_BYTES if serverless else MAX_RUNTIME_BODY_BYTES
    if len(body) > limit:
        raise ValidationError(
            f"Received payload of {len(body)} bytes, which exceeds the maximum request payload size of "
            f"{limit} bytes for endpoint {name}."
        )
    headers = request.headers
    streaming = operation == "InvokeEndpointWithResponseStream"
    variant_name, container_name, slot = _route(
        state,
        endpoint,
        headers.get("x-amzn-sagemaker-target-variant"),
        headers.get("x-amzn-sagemaker-inference-component"),
    )
    call = Call(
        endpoint,
        variant_name,
        container_name,
        slot,
        body=body,
        content_type=headers.get("content-type") or "application/octet-stream",
        accept=headers.get("x-amzn-sagemaker-accept" if streaming else "accept"),
        custom_attributes=headers.get("x-amzn-sagemaker-custom-attributes"),
        fault=fault,
        new_session=_session(state, name, headers.get("x-amzn-sagemaker-session-id"), streaming),
    )
    if not call.new_session:
        call.session_id = headers.get("x-amzn-sagemaker-session-id")
    if fault is not None and fault.model_error_status is not None:
        raise call.model_error(fault.model_error_status, fault.model_error_message)
    return call


def _invocable_endpoint(state: ServerState, name: str) -> Endpoint:
    if len(name) > MAX_NAME_CHARS or not ENDPOINT_NAME.match(name):
        raise ValidationError(
            f"1 validation error detected: Value '{name}' at 'endpointName' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9])*"
        )
    endpoint = state.catalog.endpoint(name)
    if endpoint is None:
        raise ValidationError(f"Endpoint {name} of account {ACCOUNT_ID} not found.")
    if endpoint.status != "InService":
        raise ValidationError(
            f"Endpoint {name} of account {ACCOUNT_ID} is not in service: its status is {endpoint.status}."
        )
    if endpoint.async_config is not None:
        raise ValidationError(
            f"Endpoint {name} of account {ACCOUNT_ID} is an asynchronous inference endpoint; "
            "invoke it with InvokeEndpointAsync."
        )
    return endpoint


def _route(
    state: ServerState,
    endpoint: Endpoint,
    target_variant: str | None,
    component_name: str | None,
) -> tuple[str, str, ModelSlot]:
    """The inference component or production variant that answers: (variant name, container name, model)."""
    components = state.catalog.components(endpoint.name)
    if component_name is not None:
        if not components:
            raise ValidationError(
                "Inference Component Name header is not allowed for endpoints to which you dont plan to "
                f"deploy inference components. Endpoint {endpoint.name} hosts no inference components."
            )
        component = next((c for c in components if c.name == component_name), None)
        if component is None:
            raise ValidationError(
                f"Inference component {component_name} was not found on endpoint {endpoint.name}. "
                f"Its inference components are: {', '.join(sorted(c.name for c in components))}."
            )
        if target_variant is not None and target_variant != component.variant_name:
            raise ValidationError(
                f"Inference component {component_name} is not deployed on variant {target_variant}."
            )
        return component.variant_name, component.name, component.model
    if components:
        raise ValidationError(
            "Inference Component Name header is required for endpoints to which you plan to deploy inference "
            f"components. Endpoint {endpoint.name} hosts: {', '.join(sorted(c.name for c in components))}."
        )
    if target_variant is not None:
        variant = endpoint.variant(target_variant)
        if variant is None:
            raise ValidationError(
                f"Variant {target_variant} not found for endpoint {endpoint.name}. Its variants are: "
                f"{', '.join(v.name for v in endpoint.variants)}."
            )
    else:
        variant = state.rng.choices(endpoint.variants, weights=[v.weight for v in endpoint.variants])[0]
    if variant.model is None:
        raise ValidationError(f"Variant {variant.name} of endpoint {endpoint.name} hosts no model.")
    return variant.name, "primary", variant.model


def _session(state: ServerState, endpoint_name: str, session_id: str | None, streaming: bool) -> bool:
    """True when the caller asks for a new stateful session; an existing id must be one this server issued."""
    if session_id is None:
        return False
    if session_id == "NEW_SESSION":
        if streaming:
            raise ValidationError(
                "InvokeEndpointWithResponseStream cannot open a session: open it with InvokeEndpoint "
                "(SessionId NEW_SESSION), then stream with the session id it returns."
            )
        return True
    if not state.sessions.is_open(session_id, endpoint_name):
        raise ValidationError(
            f"Session {session_id} was not found on endpoint {endpoint_name} or has expired."
        )
    return False


async def _ready_model(call: Call) -> Model:
    """Build the model if needed (off the event loop) and check it can read the request's content type."""
    try:
        model = await run_in_threadpool(call.slot.get)
    except Exception as exc:
        raise call.model_error(500, f"The model could not be loaded: {type(exc).__name__}: {exc}") from exc
    if not _accepts(model.accepts, call.content_type):
        raise ValidationError(
            f"Content type {call.content_type} is not supported by endpoint {call.endpoint.name}: "
            f"its model reads {', '.join(model.accepts)}."
        )
    return model


def _accepts(accepted: tuple[str, ...], content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    for candidate in (a.lower() for a in accepted):
        if candidate in ("*/*", media_type):
            return True
        if candidate.endswith("/*") and media_type.startswith(candidate[:-1]):
            return True
    return False


def _invoke(model: Model, call: Call) -> ModelResponse:
    if isinstance(model, ContainerModel):
        return model.invoke(call.body, call.content_type, call.accept, call.custom_attributes)
    return model.invoke(call.body, call.content_type, call.accept)


def _stream(model: Model, call: Call) -> ModelStream:
    if isinstance(model, ContainerModel):
        return model.stream(call.body, call.content_type, call.accept, call.custom_attributes)
    return model.stream(call.body, call.content_type, call.accept)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")

"""Test inference, as in SageMaker Studio: pick an endpoint, edit the request, Send Request, see the cards."""

from __future__ import annotations

import sqlite3

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from components import (
    body_kind,
    card_stack,
    code_example,
    compare_entry,
    endpoint_picker,
    json_editor,
    latency_entry,
    page_style,
    request_actions,
    request_file,
    request_loader,
    request_options,
    result_card,
    saved_requests,
    session_cards,
    session_control,
    stream_switch,
)
from components.connection_sidebar import STATE_KEY as CONNECTION_KEY
from components.endpoint_containers import containers_for
from components.safe_text import escape_markdown
from components.service_cache import catalog_for, clients_for, history, invoker
from services import live_feed, samples
from services.connection import Connection
from services.endpoints import EndpointCatalog
from services.errors import ServiceError
from services.history import History
from services.request_body import JsonProblem, check_json, check_text, format_json
from services.request_files import RequestFile, safe_file_name, too_large
from services.results import InvocationRequest, target_label
from services.samples import Sample, sample_request

SAMPLE_MODE = "Test the sample request"
SDK_MODE = "Use Python SDK example code"
ACTIONS_KEY = "request-actions"
_SAMPLE_FOR = "_sample_loaded_for"
PENDING_LOAD = "pending_history_load"  # set by the History page: a request to put back into the editor
_NOTICE = "_request_notice"
LARGE_BODY_BYTES = 1_048_576  # past this the editor may not draw the text whole: the page says so


def _sample_for(picked: endpoint_picker.Picked | None, connection: Connection) -> Sample:
    if picked is None or picked.details is None:
        return samples.fallback()
    try:
        found = containers_for(catalog_for(connection), picked)
    except ServiceError:
        found = []
    return sample_request(picked.details, picked.inference_component, found)


def _load_sample_when_target_changes(picked: endpoint_picker.Picked | None, connection: Connection) -> None:
    """A new endpoint (or component) gets its own sample in the editor, as in Studio."""
    target = (
        connection.label,
        picked.name if picked else None,
        picked.inference_component if picked else None,
    )
    if st.session_state.get(_SAMPLE_FOR) == target:
        return
    st.session_state[_SAMPLE_FOR] = target
    pending = st.session_state.pop(PENDING_LOAD, None)
    if pending is not None:  # a request reopened from History wins over the sample
        request_loader.load_body(pending["body"], pending["content_type"])
        request_options.set_advanced(pending.get("options", {}))
        return
    _load_sample(picked, connection)


def _load_sample(picked: endpoint_picker.Picked | None, connection: Connection) -> None:
    sample = _sample_for(picked, connection)
    request_loader.load_body(
        sample.body, sample.content_type, file_name=sample.file_name, as_file=bool(sample.file_name)
    )


def _apply_pending_history_load(connection: Connection, catalog: EndpointCatalog) -> None:
    """Point the picker at the endpoint of a request reopened from History (its body loads once picked)."""
    pending = st.session_state.get(PENDING_LOAD)
    if pending is None:
        return
    try:
        listed = {summary.name for summary in catalog.endpoints()}
    except ServiceError:
        listed = set()
    if pending["endpoint"] in listed:
        st.session_state[endpoint_picker.choice_key(connection.label)] = pending["endpoint"]
        st.session_state[endpoint_picker.MANUAL_KEY] = ""
    else:
        st.session_state[endpoint_picker.MANUAL_KEY] = pending["endpoint"]
    if pending.get("component"):
        st.session_state[endpoint_picker.component_key(connection.label, pending["endpoint"])] = pending[
            "component"
        ]
    st.session_state.pop(_SAMPLE_FOR, None)


def _build_request(
    picked: endpoint_picker.Picked, body: bytes, options: request_options.RequestOptions
) -> InvocationRequest:
    extra = dict(options.extra)
    session = session_control.current(picked)
    if session is not None and "session_id" not in extra:  # a SessionId typed in Advanced wins
        extra["session_id"] = session.id
    return InvocationRequest(
        endpoint_name=picked.name,
        body=body,
        content_type=options.content_type,
        inference_component_name=picked.inference_component,
        **extra,
    )


def _act_on_click(connection: Connection) -> None:
    """Send, Format or Reset, at the very start of the run the click caused: a sent request's card then
    leaves the server before anything else of the page. The form is read as its widgets hold it. A run
    stopped part-way (a newer rerun asked for) leaves the click to the next run, which acts on it afresh."""
    click = request_actions.unhandled(ACTIONS_KEY)
    if click is None:
        return
    _act(click.action, connection)
    click.acted()  # no Streamlit call since the request started (session_cards.start)


def _act(action: request_actions.Action, connection: Connection) -> None:
    json_editor.receive()
    if action.text is not None:
        json_editor.note_text(action.text)
    body = json_editor.text()
    try:
        picked = endpoint_picker.chosen(catalog_for(connection), scope=connection.label)
    except ServiceError as error:
        st.session_state[_NOTICE] = ("error", f"{error.message} {error.hint}".strip())
        return
    if action.kind == "reset":
        _load_sample(picked, connection)
    elif action.kind == "format":
        try:
            json_editor.load(format_json(body))
        except ServiceError as error:
            st.session_state[_NOTICE] = ("error", error.message)
    elif action.kind == "send":
        options = request_options.current()
        if body_kind.current() == body_kind.FILE:
            file = request_file.held()
            if file is None:
                st.session_state[_NOTICE] = ("error", "Choose a file to send first.")
                return
            if file.problem is not None:
                return  # said next to the file; nothing is sent
            _send(picked, file.data, options, stream_switch.current(""), connection, action.nonce)
        elif _body_problem(body, options) is None:  # else the problem is shown by the editor; not sent
            data = body.encode("utf-8")
            if (too_big := too_large(len(data))) is not None:  # a click may carry more than Python had
                st.session_state[_NOTICE] = ("error", too_big)
                return
            _send(picked, data, options, stream_switch.current(body), connection, action.nonce)


def _send(
    picked: endpoint_picker.Picked | None,
    body: bytes,
    options: request_options.RequestOptions,
    stream: bool,
    connection: Connection,
    click: str,
) -> None:
    if picked is None:
        st.session_state[_NOTICE] = ("error", "Choose an endpoint first.")
        return
    if picked.blocked_reason:
        st.session_state[_NOTICE] = ("error", f"Not sent: {picked.blocked_reason}")
        return
    try:
        clients_for(connection)  # a connection that cannot be used is explained here, not on a card
    except ServiceError as error:
        st.session_state[_NOTICE] = ("error", f"{error.message} {error.hint}".strip())
        return
    card = session_cards.start(
        invoker(),
        connection,
        _build_request(picked, body, options),
        stream=stream,
        history=_history_or_none(),
    )
    live_feed.publish(click, card.invocation)  # the browser's instant card shows its text from now on


def _history_or_none() -> History | None:
    try:
        return history()
    except (OSError, sqlite3.Error, RuntimeError):
        return None  # the card says it was not saved; the request goes out all the same


def _body_problem(body: str, options: request_options.RequestOptions) -> JsonProblem | None:
    """What keeps this body from being sent: not JSON (when the content type is JSON), or not encodable."""
    return check_json(body) if options.is_json else check_text(body)


def _problem_box(problem: JsonProblem | None) -> None:
    if problem is None:
        return
    with st.container(key="json-problem"):
        st.error(
            f"{'Invalid JSON' if problem.not_json else 'Cannot send this text'} at line {problem.line}, "
            f"column {problem.column}: {escape_markdown(problem.message)}. "
            "Nothing is sent until it is fixed.",
            icon=":material/data_object:",
        )


def _size_box(text: str) -> str | None:
    """The body's size against SageMaker's limit, and a word when the editor cannot show it whole; the
    problem (None within the limit)."""
    size = len(text.encode("utf-8", "replace"))
    problem = too_large(size)
    with st.container(key="body-size"):  # always drawn: what follows keeps its place
        if problem is not None:
            st.error(escape_markdown(problem), icon=":material/block:")
        elif size > LARGE_BODY_BYTES:
            st.caption(
                f"The body is {size / 1_048_576:.1f} MB: the editor may show only part of it (a very long "
                "line is not drawn whole). What is sent is the whole text."
            )
    return problem


def _notice() -> None:
    notice = st.session_state.pop(_NOTICE, None)
    if notice is not None:
        with st.container(key="request-notice"):
            st.error(escape_markdown(notice[1]), icon=":material/error:")


def main() -> None:
    page_style.apply()
    connection: Connection = st.session_state[CONNECTION_KEY]
    _act_on_click(connection)
    st.title("Test inference", anchor=False)
    st.caption("Send a test request to a real-time endpoint and read the result, as in SageMaker Studio.")
    left, right = st.columns([10, 11], gap="large")  # the cards need the room: a row of five fields
    with right:
        # The SDK example's place: the wide column, where code reads without sideways scrolling. Filled
        # after the editor is drawn (it shows the text Ace hands over in this very run); empty otherwise.
        sdk_place = st.container(key="sdk-example")
        # The cards before the form: what the user waits for leaves the server first. They stay visible
        # even when the connection is broken.
        st.subheader("Results", anchor=False)
        cards = card_stack.render(handled_click=request_actions.handled(ACTIONS_KEY))
    with left:
        _request_side(connection, sdk_place)
    card_stack.follow(cards)  # the run ends by following its running cards: nothing may come after it


def _request_side(connection: Connection, sdk_place: DeltaGenerator) -> None:
    try:
        catalog = catalog_for(connection)
    except ServiceError as error:
        with st.container(key="connection-problem"):
            st.error(escape_markdown(error.message), icon=":material/key_off:")
            if error.hint:
                st.caption(error.hint)  # our own words, in Markdown (`aws sso login` as code)
        return
    _apply_pending_history_load(connection, catalog)
    with st.container():  # however many lines the picker draws, what follows keeps its place (no remount)
        picked = endpoint_picker.render(catalog, scope=connection.label, connection=connection)
    _load_sample_when_target_changes(picked, connection)
    mode = st.radio("Testing options", [SAMPLE_MODE, SDK_MODE], key="testing-mode", horizontal=True)
    with st.container(horizontal=True, vertical_alignment="bottom", key="request-kind-row"):
        kind = body_kind.render()
        request_options.content_type_field()
    with st.container(horizontal=True, vertical_alignment="bottom", key="request-tools-row"):
        saved_requests.render(target_label(picked.name, picked.inference_component) if picked else None)
        session_control.render(picked, connection)
    options = request_options.advanced()
    sdk = sdk_place if mode == SDK_MODE else None
    _editor_and_actions(picked, options, connection, sdk=sdk, file_body=kind == body_kind.FILE)


def _sdk_example(
    picked: endpoint_picker.Picked | None,
    options: request_options.RequestOptions,
    stream: bool,
    connection: Connection,
    file: RequestFile | None,
    *,
    file_body: bool,
) -> None:
    if picked is None:
        st.info("Choose an endpoint to see the example code.")
        return
    if file_body:
        if file is None or file.problem is not None:
            st.info("The example code appears once a file that can be sent is chosen.")
            return
        request = _build_request(picked, file.data, options)
        name = safe_file_name(file.name, file.content_type)
        code_example.render(request, stream=stream, connection=connection, body_file=name)
        return
    if check_text(json_editor.text()) is not None:
        st.info("The example code appears once the body can be sent (see the problem above).")
        return
    request = _build_request(picked, json_editor.text().encode("utf-8"), options)
    code_example.render(request, stream=stream, connection=connection)


def _editor_and_actions(
    picked: endpoint_picker.Picked | None,
    options: request_options.RequestOptions,
    connection: Connection,
    *,
    sdk: DeltaGenerator | None,
    file_body: bool,
) -> None:
    """The editor (or the file), what is wrong with the body, the stream switch, and the buttons (or the
    SDK example).

    The editor stays, at the same place, in both testing options and for a file body (hidden then):
    switching right after typing must not lose the text Ace has not handed over yet (it arrives a moment
    later, and the example follows it). The file's place is drawn, empty, for a text body too, so the
    editor's place never moves (a moved component is a new one, and Ace would lose its text).
    """
    json_editor.receive()
    file_place = st.container(key="request-file")
    file = None
    if file_body:
        with file_place:
            file = request_file.render()
    problem = None if file_body else _body_problem(json_editor.text(), options)
    where = json_editor.Problem(problem.line, problem.column, problem.message) if problem else None
    json_editor.render(language="json" if options.is_json else "plain_text", problem=where, hidden=file_body)
    size_problem = None
    if not file_body:  # checked again: the editor may have handed over newer text while it was drawn
        problem = _body_problem(json_editor.text(), options)
        size_problem = _size_box(json_editor.text())
    _problem_box(problem)
    _notice()
    buttons, switch = st.columns([11, 4], vertical_alignment="center")  # one row: Send is on the first screen
    with switch:
        stream = stream_switch.render("" if file_body else json_editor.text())
    if sdk is not None:  # after the editor: the example shows the text Ace handed over in this very run
        with sdk:
            st.subheader("Python SDK example", anchor=False)
            _sdk_example(picked, options, stream, connection, file, file_body=file_body)
        buttons.caption("The example code for this request is beside, above the results.")
        return
    reason = "Choose an endpoint first." if picked is None else picked.blocked_reason or ""
    if not reason and file_body:
        reason = "Choose a file to send first." if file is None else file.problem or ""
    reason = reason or size_problem or ""
    with buttons:
        _actions(picked, options, stream, reason, file_body=file_body)

    def this_request() -> InvocationRequest | None:  # what Send would send, for the Latency and Compare pages
        body = file.data if file is not None else json_editor.text().encode("utf-8")
        return _build_request(picked, body, options) if picked is not None else None

    body_problem = None if file_body else problem
    not_ready = reason or ("Fix the body first." if body_problem else "")
    with st.container(horizontal=True, key="request-elsewhere"):
        latency_entry.render(this_request, stream, disabled_reason=not_ready)
        compare_entry.render(this_request, stream, disabled_reason=not_ready)


def _actions(
    picked: endpoint_picker.Picked | None,
    options: request_options.RequestOptions,
    stream: bool,
    reason: str,
    *,
    file_body: bool,
) -> None:
    pending = None
    if picked is not None:
        target = target_label(picked.name, picked.inference_component)
        pending = request_actions.PendingCard(target, result_card.request_type(options.content_type), stream)
    request_actions.render(
        key=ACTIONS_KEY,
        editor_key="request-editor",
        send_disabled=bool(reason),
        disabled_reason=reason,
        format_disabled=file_body or not options.is_json,
        check_json=options.is_json and not file_body,
        pending=pending,
    )


main()

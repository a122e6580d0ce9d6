"""The page as served by `streamlit run serve.py` (the README's command): security headers on every response,
a Content-Security-Policy the browser enforces, the app's own server bound to loopback, and a component that
only listens to its own page."""

from __future__ import annotations

import socket
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

PATHS = ["/", "/_stcore/health", "/no/such/page.js", "/_smti/live/not-a-click"]


def headers(url: str) -> dict[str, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return {name.lower(): value for name, value in response.headers.items()}
    except urllib.error.HTTPError as error:  # a 404 is a response too
        return {name.lower(): value for name, value in error.headers.items()}


def assert_secure(got: dict[str, str]) -> None:
    policy = got["content-security-policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'self'" in policy
    assert (
        "object-src 'none'" in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    )
    assert got["x-frame-options"] == "SAMEORIGIN"
    assert got["x-content-type-options"] == "nosniff"
    assert got["referrer-policy"] == "no-referrer"


@pytest.mark.parametrize("path", PATHS)
def test_every_response_carries_the_security_headers(app_url: str, path: str):
    assert_secure(headers(app_url + path))


def test_the_live_feed_serves_only_click_ids_and_no_other_site(app_url: str):
    # The instant card's feed (serve.py): a path that is not a click id is not found; an id nobody
    # published says "gone" (after its 5 s wait) and ends; no answer lets another origin read it.
    for path in ("short", "no%20spaces%20in%20ids%20at%20all", "a" * 65):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{app_url}/_smti/live/{path}", timeout=10)
        refused.value.close()
        assert refused.value.code == 404
    request = urllib.request.Request(
        app_url + "/_smti/live/nobody-published-this-1", headers={"Origin": "http://evil.example"}
    )
    with urllib.request.urlopen(request, timeout=20) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        assert "access-control-allow-origin" not in {name.lower() for name in response.headers}
        assert response.read() == b"event: gone\ndata: {}\n\n"


@pytest.mark.browser
def test_the_browser_refuses_an_inline_script_the_app_did_not_write(browser, app_url: str):
    context = browser.new_context()
    page = context.new_page()
    documents: list = []
    page.on("response", lambda r: documents.append(r) if r.request.resource_type == "document" else None)
    try:
        page.goto(app_url)
        page.get_by_test_id("stMain").get_by_role("heading", name="Test inference").wait_for()
        page.frame_locator('iframe[title="streamlit_ace.streamlit_ace"]').locator(".ace_editor").wait_for()
        # the page and each component's iframe (the editor, the request actions) came with the headers
        assert len(documents) >= 3, [d.url for d in documents]
        for document in documents:
            assert_secure(document.all_headers())
        violations = page.evaluate(
            """() => new Promise(resolve => {
                const seen = [];
                document.addEventListener("securitypolicyviolation", e => seen.push(e.violatedDirective));
                const script = document.createElement("script");
                script.textContent = "window.__injected = true";
                document.body.appendChild(script);
                setTimeout(() => resolve({seen, ran: window.__injected === true}), 300);
            })"""
        )
        assert violations["ran"] is False
        assert any(directive.startswith("script-src") for directive in violations["seen"])
        # The app's own inline script (the page clock) did run: "just now" would not move otherwise.
        assert page.evaluate("() => Boolean(window.__smtiClock)")
    finally:
        context.close()


@pytest.mark.browser
def test_the_request_actions_component_ignores_messages_from_other_frames(browser, app_url: str):
    """A message shaped like Streamlit's render message, posted by a frame that is not the app, changes
    nothing: the component's buttons keep their state."""
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(app_url)
        frame = page.frame_locator('iframe[title="components.request_actions.request_actions"]')
        send = frame.get_by_test_id("smti-send")
        expect(send).to_be_enabled()  # an endpoint is picked: Send Request can be clicked
        # From inside the component's own window (not its parent). Any effect is watched for as it happens:
        # the app's next genuine render message would undo it a moment later.
        effect = frame.locator("body").evaluate(
            """() => new Promise(resolve => {
                const seen = [];
                const send = document.getElementById("send");
                const watch = new MutationObserver(() => seen.push(send.disabled));
                watch.observe(send, {attributes: true});
                watch.observe(document.getElementById("reason"), {childList: true, characterData: true});
                window.postMessage({type: "streamlit:render", disabled: false,
                    args: {send_disabled: true, disabled_reason: "spoofed"}}, "*");
                setTimeout(() => { watch.disconnect(); resolve(seen); }, 300);
            })"""
        )
        assert effect == [], "a message from the component's own window changed the buttons"
    finally:
        context.close()


def _status_line(app_url: str, request: str) -> str:
    host, port = app_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(request.encode())
        return connection.recv(4096).decode("latin-1").split("\r\n", 1)[0]


def test_a_foreign_host_name_is_refused_on_the_page_and_the_websocket(app_url: str):
    # A DNS-rebinding page (its own name re-pointed at 127.0.0.1) sends its name as Host: it gets neither
    # the page nor Streamlit's websocket, which would let it send requests with the user's credentials.
    page = "GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    assert " 403 " in _status_line(app_url, page.format(host="attacker.example:8501"))
    assert " 200 " in _status_line(app_url, page.format(host="localhost:8501"))
    upgrade = (
        "GET /_stcore/stream HTTP/1.1\r\nHost: attacker.example\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        "Origin: http://attacker.example\r\nSec-WebSocket-Protocol: streamlit\r\n\r\n"
    )
    assert " 403 " in _status_line(app_url, upgrade)

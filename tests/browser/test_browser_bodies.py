"""Request bodies other than JSON in Chromium: a picture uploaded and sent byte for byte to the image
inspector, the editor's text kept while a file is the body, a file too large refused before sending, and a
saved request reopened after the app restarts."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import Page, expect

from local_endpoints import LocalEndpoints
from services.results import MAX_BODY_BYTES
from services.samples import SAMPLE_FILES
from tests.browser.helpers import (
    card_output,
    checked_tab,
    code_text,
    editor_text,
    invocations,
    newest_card,
    pick_endpoint,
    replace_editor_text,
    send,
    send_button,
    wait_for_editor_json,
    wait_for_editor_text,
    wait_for_status,
)
from tests.support.real_app import streamlit_app


def _choose_kind(page: Page, kind: str) -> None:
    page.locator(".st-key-body-kind").get_by_role("radio", name=kind, exact=True).click()


def test_the_bundled_picture_is_uploaded_previewed_and_sent_byte_for_byte(page: Page, server: LocalEndpoints):
    pick_endpoint(page, "demo-image-inspector")
    preview = page.locator(".st-key-request-file-preview")
    expect(preview).to_contain_text("sample.png")  # its sample is the bundled picture already
    _choose_kind(page, "JSON")
    _choose_kind(page, "File")  # the file stays held across a switch
    picture = (SAMPLE_FILES / "sample.png").read_bytes()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        str(SAMPLE_FILES / "sample.png")
    )
    expect(preview.get_by_role("img")).to_be_visible()  # the thumbnail
    expect(preview).to_contain_text(f"{len(picture):,} bytes")
    expect(page.locator(".st-key-opt-content-type input")).to_have_value("image/png")
    expect(page.locator(".st-key-request-editor")).to_be_hidden()  # the file is the body, not the editor

    send(page)
    card = newest_card(page)
    wait_for_status(card, "success")
    assert json.loads(code_text(card_output(card)))["width"] == 96
    [sent] = invocations(server)
    assert sent.body == picture and sent.headers["content-type"] == "image/png"


def test_the_editors_text_is_kept_while_a_file_is_the_body(
    page: Page, server: LocalEndpoints, tmp_path: Path
):
    pick_endpoint(page, "demo-text-classifier")
    wait_for_editor_json(page, "value.features")
    typed = '{"features": ["typed just before the switch"]}'
    replace_editor_text(page, typed)
    _choose_kind(page, "File")  # at once, before the editor hands its text over
    expect(send_button(page)).to_be_disabled()  # no file yet
    _choose_kind(page, "JSON")
    expect(page.locator(".st-key-request-editor")).to_be_visible()
    assert editor_text(page) == typed
    send(page)
    wait_for_status(newest_card(page), "success")
    assert [r.body for r in invocations(server)] == [typed.encode()]


def test_a_file_over_6_mib_is_refused_before_anything_is_sent(
    page: Page, server: LocalEndpoints, tmp_path: Path
):
    pick_endpoint(page, "demo-image-inspector")
    _choose_kind(page, "File")
    big = tmp_path / "big.bin"
    big.write_bytes(b"\x00" * (MAX_BODY_BYTES + 1))
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(big))
    expect(page.get_by_text("InvokeEndpoint takes at most", exact=False)).to_be_visible()
    expect(send_button(page)).to_be_disabled()
    assert invocations(server) == []


def test_a_saved_request_is_reopened_after_the_app_restarts(browser, server: LocalEndpoints, tmp_path: Path):  # type: ignore[no-untyped-def]
    history = tmp_path / "history.sqlite3"
    body = '{"features": ["saved before the restart"]}'
    with streamlit_app(server.url, history) as url, checked_tab(browser, url) as page:
        pick_endpoint(page, "demo-text-classifier")
        wait_for_editor_json(page, "value.features")
        replace_editor_text(page, body)
        page.wait_for_timeout(1500)  # the editor hands its text over after a pause in typing
        page.get_by_test_id("stPopover").get_by_role("button", name="Save").click()
        page.get_by_label("Name", exact=True).fill("before the restart")
        page.get_by_role("button", name="Save request").click()
        expect(page.get_by_text("Saved “before the restart”", exact=False)).to_be_visible()
    with streamlit_app(server.url, history) as url, checked_tab(browser, url) as page:  # a new server
        pick_endpoint(page, "demo-text-classifier")
        wait_for_editor_json(page, "value.features")
        saved = page.locator('[class*="st-key-saved-request-choice-"]')
        saved.locator("input").fill("before")
        page.get_by_role("option", name="before the restart").click()
        wait_for_editor_text(page, body)
        send(page)
        wait_for_status(newest_card(page), "success")
        assert [r.body for r in invocations(server)] == [body.encode()]


def test_a_7_mb_paste_is_said_too_large_and_nothing_is_sent(page: Page, server: LocalEndpoints):
    pick_endpoint(page, "demo-text-classifier")
    wait_for_editor_json(page, "value.features")
    replace_editor_text(page, json.dumps({"features": ["x" * (7 * 1024 * 1024)]}))
    expect(page.get_by_text("InvokeEndpoint takes at most 6,291,456 bytes", exact=False)).to_be_visible()
    expect(send_button(page)).to_be_disabled()
    assert invocations(server) == []

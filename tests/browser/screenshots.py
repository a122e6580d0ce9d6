"""Regenerate the README's screenshot and docs/screenshots/*.png (run by hand, not part of the suite):

    .venv/bin/pytest -q -p no:cacheprovider tests/browser/screenshots.py

It drives the real app against the local server like the browser tests, then writes PNGs of the page in each
state. Look at every image afterwards: that is the point of taking them.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from playwright.sync_api import Page, expect

from local_endpoints import LocalEndpoints
from tests.browser.helpers import (
    cards,
    newest_card,
    pick_endpoint,
    replace_editor_text,
    send,
    status_of,
    wait_for_editor_json,
    wait_for_newest_output_longer_than,
    wait_for_status,
)

DOCS = Path(__file__).resolve().parents[2] / "docs"
SHOTS = DOCS / "screenshots"
SIDEBAR_WIDTH = 300  # px at a 1500 px wide viewport
MAX_BYTES = 300_000


def _save(page: Page, path: Path, *, with_sidebar: bool = False, height: int = 1300) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    left = 0 if with_sidebar else SIDEBAR_WIDTH
    page.mouse.move(0, 0)  # no hover effects in the picture
    page.screenshot(path=str(path), clip={"x": left, "y": 0, "width": 1500 - left, "height": height})
    _shrink(path)


def _shrink(path: Path) -> None:
    """Fewer colours when a PNG is over the size budget (pngquant-style, with Pillow)."""
    if path.stat().st_size <= MAX_BYTES:
        return
    from PIL import Image

    with Image.open(path) as image:
        image.convert("RGB").quantize(colors=256).save(path, optimize=True)


def _generation(tokens: int, prompt: str) -> dict[str, object]:
    return {
        "inputs": prompt,
        "parameters": {"max_new_tokens": tokens, "temperature": 0.7, "seed": 7, "ignore_eos_token": True},
        "stream": True,
    }


def test_take_screenshots(page: Page, server: LocalEndpoints) -> None:
    # A Success card for the classifier.
    pick_endpoint(page, "demo-text-classifier")
    wait_for_editor_json(page, "value.features")
    replace_editor_text(
        page, json.dumps({"features": ["The new release is fast and a joy to use!"]}, indent=2)
    )
    send(page)
    wait_for_status(newest_card(page), "success")
    _save(page, SHOTS / "success.png", with_sidebar=True)

    # A Failed card with its Failure Reason.
    server.inject_fault(
        "demo-text-classifier",
        model_error_status=503,
        model_error_message="CUDA out of memory. Tried to allocate 2.00 GiB",
    )
    send(page)
    expect(cards(page)).to_have_count(2)
    wait_for_status(newest_card(page), "failed")
    expect(newest_card(page).get_by_role("button", name="Show the local server's record")).to_be_visible()
    _save(page, SHOTS / "failed.png")
    server.reset()

    # Invalid JSON, reported with line and column.
    replace_editor_text(page, '{\n  "features": [\n    "a trailing comma",\n  ]\n}')
    send(page)
    expect(page.locator(".st-key-json-problem")).to_be_visible()
    _save(page, SHOTS / "invalid-json.png")

    # A stream mid-way (the README's picture), then finished.
    page.get_by_role("button", name="Clear results").click()
    expect(cards(page)).to_have_count(0)
    pick_endpoint(page, "demo-tgi-generator")
    wait_for_editor_json(page, "value.stream === true")
    server.token_delay = 0.03
    body = _generation(400, "Explain how a model learns, in plain words.")
    replace_editor_text(page, json.dumps(body, indent=2))
    send(page)
    card = newest_card(page)
    wait_for_newest_output_longer_than(page, 900, timeout=60)
    expect(status_of(card, "pending")).to_have_count(1)
    _save(page, DOCS / "screenshot.png", with_sidebar=True)
    _save(page, SHOTS / "streaming.png")
    wait_for_status(card, "success", timeout=60)
    _save(page, SHOTS / "streamed.png")
    server.reset()

    # The SDK example for the editor's request.
    page.locator(".st-key-testing-mode").get_by_text("Use Python SDK example code").click()
    expect(page.locator(".st-key-sdk-cli")).to_be_visible()
    _save(page, SHOTS / "sdk.png")

    # The History page.
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="History").click()
    expect(page.get_by_role("heading", name="History")).to_be_visible()
    page.locator('[class*="st-key-open-"] button').first.click()
    expect(page.get_by_role("heading", name="Saved result")).to_be_visible()
    _save(page, SHOTS / "history.png", with_sidebar=True)

    sizes = subprocess.run(
        ["ls", "-l", str(DOCS / "screenshot.png"), str(SHOTS)], capture_output=True, text=True
    )
    print(sizes.stdout)


def test_take_chat_screenshots(page: Page, server: LocalEndpoints) -> None:
    # Two turns with the local TGI generator, then the same in presentation mode.
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Chat").click()
    picker = page.get_by_test_id("stSelectbox").first
    picker.locator("input").fill("demo-tgi-generator")
    expect(page.get_by_role("option", name="demo-tgi-generator · ", exact=False).first).to_be_visible()
    page.keyboard.press("Enter")
    for number, question in enumerate(
        ("What is Amazon SageMaker?", "How do I stream tokens from an endpoint?")
    ):
        box = page.get_by_test_id("stChatInputTextArea")
        box.fill(question)
        box.press("Enter")
        figures = page.locator(f".st-key-chat-answer-{number}").get_by_test_id("stCaptionContainer")
        expect(figures.filter(has_text="finish:")).to_be_visible(timeout=30_000)
    _save(page, SHOTS / "chat.png", with_sidebar=True)
    page.get_by_text("Presentation mode").click()
    expect(page.get_by_text("finish:")).to_have_count(0)
    _save(page, SHOTS / "chat-presentation.png")

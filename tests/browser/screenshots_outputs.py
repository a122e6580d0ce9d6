"""Regenerate docs/screenshots/outputs-*.png, a result card of each kind of answer (run by hand, not part of
the suite):

    .venv/bin/pytest -q -p no:cacheprovider tests/browser/screenshots_outputs.py

The answers come from the replay container (any bytes as model output), through the real page, in a
1400 × 1000 window; each picture is the card alone. Look at every image afterwards.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page

from local_endpoints import LocalEndpoints
from tests.browser.helpers import checked_tab, pick_endpoint, wait_for_idle
from tests.browser.screenshots import SHOTS, _shrink
from tests.browser.test_browser_outputs import answer, outputs_server, outputs_url  # noqa: F401 (fixtures)
from tests.support.audio_samples import wav
from tests.support.replay_container import REPLAY_ENDPOINT

CLASSIFIED = {
    "predictions": [
        {"label": "positive", "score": 0.9731, "scores": {"negative": 0.0062, "neutral": 0.0207}},
        {"label": "neutral", "score": 0.6124, "scores": {"negative": 0.1502, "positive": 0.2374}},
    ],
    "model": {"name": "distilbert-sentiment", "version": "2024-06-01"},
}
SCORED = (
    "label,score,latency_ms\n"
    "positive,0.9731,12.4\nnegative,0.0315,11.9\nneutral,0.6124,12.1\npositive,0.8847,13.0\n"
    "negative,0.7702,12.6\nneutral,0.5518,11.7\n"
)


@pytest.fixture
def tab(browser, outputs_url: str, outputs_server: LocalEndpoints) -> Iterator[Page]:  # noqa: F811
    outputs_server.reset()
    with checked_tab(browser, outputs_url, height=1000) as page:
        page.set_viewport_size({"width": 1400, "height": 1000})
        page.get_by_test_id("stMain").get_by_role("heading", name="Test inference").wait_for()
        pick_endpoint(page, REPLAY_ENDPOINT)
        yield page


def _save(page: Page, card_locator: object, name: str) -> None:
    path = SHOTS / name
    path.parent.mkdir(parents=True, exist_ok=True)
    page.mouse.move(0, 0)
    wait_for_idle(page)
    page.wait_for_timeout(400)  # the tree's and the player's own first paint
    card_locator.evaluate("(card) => card.scrollIntoView({block: 'start'})")  # type: ignore[attr-defined]
    card_locator.screenshot(path=str(path))  # type: ignore[attr-defined]
    _shrink(Path(path))


def _headers(page: Page) -> None:
    """Ask for a session and send custom attributes, so the card's details show every row they can."""
    advanced = page.locator(".st-key-opt-advanced")
    advanced.get_by_text("Advanced").click()
    for field, value in (("custom_attributes", "accept_eula=true"), ("session_id", "NEW_SESSION")):
        box = page.locator(f".st-key-opt-{field} input")
        box.fill(value)
        box.press("Enter")
        wait_for_idle(page)
    advanced.get_by_text("Advanced").click()
    wait_for_idle(page)


def test_json(tab: Page) -> None:
    _headers(tab)
    _save(tab, answer(tab, json.dumps(CLASSIFIED).encode(), "application/json"), "outputs-json.png")


def test_csv(tab: Page) -> None:
    _save(tab, answer(tab, SCORED.encode(), "text/csv"), "outputs-csv.png")


def test_audio(tab: Page) -> None:
    _save(tab, answer(tab, wav(2.5, 22_050, pitch_hz=523.25), "audio/wav"), "outputs-audio.png")


def test_embedding(tab: Page) -> None:
    vector = [round(math.sin(i * 0.7) * math.cos(i * 0.13) / 12, 6) for i in range(384)]
    body = {"object": "list", "data": [{"object": "embedding", "index": 0, "embedding": vector}]}
    _save(tab, answer(tab, json.dumps(body).encode(), "application/json"), "outputs-embedding.png")

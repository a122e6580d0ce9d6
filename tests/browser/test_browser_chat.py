"""The Chat page in Chromium against a real `streamlit run`: answers stream in, the next request carries
the conversation, Stop keeps the partial answer, hostile answers stay text, and presentation mode is clean.

This module has its own local server with a replay container beside the demo endpoints (so an answer can be
any bytes) and its own app on it."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from local_endpoints import LocalEndpoints
from services.chat_formats import ChatFormat
from tests.browser.helpers import checked_tab, hold_streamlit, invocations, make_holdable
from tests.support.real_app import streamlit_app
from tests.support.replay_container import REPLAY_ENDPOINT, replay_request, server_with_replay


@pytest.fixture(scope="module")
def chat_server() -> Iterator[LocalEndpoints]:
    with server_with_replay(token_delay=0.01) as server:
        yield server


@pytest.fixture(scope="module")
def chat_url(chat_server: LocalEndpoints, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with streamlit_app(chat_server.url, tmp_path_factory.mktemp("chat") / "history.sqlite3") as url:
        yield url


@pytest.fixture
def chat(browser, chat_url: str, chat_server: LocalEndpoints) -> Iterator[Page]:  # type: ignore[no-untyped-def]
    chat_server.reset()
    with checked_tab(browser, chat_url, height=1100) as tab:
        tab.get_by_test_id("stSidebarNav").get_by_role("link", name="Chat").click()
        tab.get_by_role("heading", name="Chat").wait_for()
        yield tab


@pytest.fixture
def holdable_chat(browser, chat_url: str, chat_server: LocalEndpoints) -> Iterator[Page]:  # type: ignore[no-untyped-def]
    """The Chat page with Streamlit's messages holdable (tests.browser.helpers.hold_streamlit)."""
    chat_server.reset()
    with checked_tab(browser, chat_url, height=1100) as tab:
        make_holdable(tab)
        tab.goto(f"{chat_url}/chat")
        tab.get_by_role("heading", name="Chat").wait_for()
        yield tab


def _pick(page: Page, name: str) -> None:
    # The page's first selectbox (no stMain to look in: a page with a chat box has none)
    picker = page.get_by_test_id("stSelectbox").first
    picker.locator("input").fill(name)
    expect(page.get_by_role("option", name=f"{name} · ", exact=False).first).to_be_visible()
    page.keyboard.press("Enter")
    expect(picker.locator("input")).to_have_value(f"{name} · InService")


def _say(page: Page, text: str) -> None:
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill(text)
    box.press("Enter")


def _answers(page: Page) -> Locator:
    return page.locator('[class*="st-key-chat-answer-"]')


def _finished(page: Page, count: int, timeout: float = 30.0) -> None:
    """Wait for `count` answers, the last one ended (its figures name the finish reason)."""
    expect(_answers(page)).to_have_count(count, timeout=timeout * 1000)
    figures = _answers(page).nth(count - 1).get_by_test_id("stCaptionContainer").filter(has_text="finish:")
    expect(figures).to_be_visible(timeout=timeout * 1000)


# Records the last answer's text length at every change: a streamed answer grows in many steps.
_WATCH_GROWTH = """() => {
  window.__lengths = [];
  new MutationObserver(() => {
    const answers = document.querySelectorAll(
      '[class*="st-key-chat-answer-"] [data-testid="stMarkdownContainer"]');
    const last = answers[answers.length - 1];
    const length = last ? last.textContent.length : 0;
    if (window.__lengths[window.__lengths.length - 1] !== length) window.__lengths.push(length);
  }).observe(document.body, { subtree: true, childList: true, characterData: true });
}"""


def test_two_turns_stream_in_and_the_second_request_carries_the_first_answer(chat: Page, chat_server):
    _pick(chat, "demo-tgi-generator")
    chat.evaluate(_WATCH_GROWTH)
    _say(chat, "What is Amazon SageMaker?")
    _finished(chat, 1)
    lengths = chat.evaluate("() => window.__lengths")
    assert len([n for n in lengths if n > 0]) >= 5, f"the answer did not grow in steps: {lengths}"
    first = _answers(chat).first.get_by_test_id("stMarkdownContainer").first.inner_text()
    assert "SageMaker" in first
    _say(chat, "And what is an endpoint?")
    _finished(chat, 2)
    bodies = [json.loads(r.body) for r in invocations(chat_server)]
    assert len(bodies) == 2
    messages = bodies[1]["messages"]
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert messages[2]["content"].split() == first.split()  # the first answer, as shown
    expect(chat.get_by_test_id("stChatMessage")).to_have_count(4)


def test_stop_keeps_the_partial_answer(chat: Page, chat_server):
    chat_server.token_delay = 0.05
    _pick(chat, "demo-lmi-generator")
    chat.get_by_test_id("stExpander").filter(has_text="Generation settings").click()
    tokens = chat.get_by_label("Max new tokens")
    tokens.fill("2000")
    tokens.press("Enter")
    _say(chat, "Tell me about streaming responses from an endpoint.")
    answer = _answers(chat).first.get_by_test_id("stMarkdownContainer").first
    expect(answer).to_contain_text(" ", timeout=20_000)  # a few words arrived
    chat.get_by_role("button", name="Stop", exact=True).click()
    _finished(chat, 1)
    expect(_answers(chat).first).to_contain_text("finish: stopped by you")
    expect(_answers(chat).first).to_contain_text("Stopped. The answer so far is kept.")
    assert len(answer.inner_text()) > 5
    assert len(invocations(chat_server)) == 1


def test_an_answer_with_html_shows_it_as_text_and_runs_nothing(chat: Page, chat_server):
    hostile = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"> **bold** costs $5'
    chunk = {"choices": [{"index": 0, "delta": {"content": hostile}, "finish_reason": "stop"}]}
    stream = f"data: {json.dumps(chunk)}\n\ndata: [DONE]\n\n".encode()
    _pick(chat, REPLAY_ENDPOINT)
    _say(chat, replay_request(stream, "text/event-stream", pieces=3))
    _finished(chat, 1)
    shown = _answers(chat).first.get_by_test_id("stMarkdownContainer").first
    expect(shown).to_contain_text("<script>window.__pwned=1</script>")
    expect(shown).to_contain_text('<img src=x onerror="window.__pwned=2">')
    expect(shown).to_contain_text("costs $5")
    expect(shown.locator("strong")).to_have_text("bold")  # Markdown still works
    assert shown.locator("script, img").count() == 0
    assert chat.evaluate("() => window.__pwned") is None


def test_presentation_mode_shows_a_clean_conversation(chat: Page, chat_server, tmp_path: Path):
    _pick(chat, "demo-tgi-generator")
    _say(chat, "What is Amazon SageMaker?")
    _finished(chat, 1)
    expect(chat.get_by_role("button", name="Show request")).to_have_count(1)
    chat.get_by_role("button", name="Show request").click()  # the dialog: the exact body and its code
    dialog = chat.get_by_role("dialog")
    expect(dialog).to_contain_text('"messages"')
    expect(dialog).to_contain_text("invoke_endpoint_with_response_stream")
    chat.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    chat.get_by_text("Presentation mode").click()
    expect(chat.get_by_text("finish:")).to_have_count(0)
    expect(chat.get_by_role("button", name="Show request")).to_have_count(0)
    expect(chat.get_by_text("Request format")).to_have_count(0)
    expect(_answers(chat).first).to_contain_text("SageMaker")
    chat.mouse.move(0, 0)
    shot = tmp_path / "chat-presentation.png"
    chat.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000  # a page was drawn (docs/screenshots has the one to look at)


def test_every_page_opens_by_its_address(chat: Page, chat_url: str):
    pages = (("", "Test inference"), ("latency", "Latency"), ("compare", "Compare"), ("chat", "Chat"))
    for path, heading in (*pages, ("history", "History")):
        chat.goto(f"{chat_url}/{path}")
        expect(chat.get_by_role("heading", name=heading)).to_be_visible()
        nav = chat.get_by_test_id("stSidebarNav")
        expect(nav.get_by_role("link")).to_have_text(
            [re.compile(f"{name}$") for name in ("Test inference", "Latency", "Compare", "Chat", "History")]
        )


def _choose_format(page: Page, label: str) -> None:
    chooser = page.get_by_test_id("stSelectbox").filter(has_text="Request format").locator("input")
    # Open the list and click the option by its whole label: typed, "LMI legacy" also matches the
    # "Automatic: LMI legacy (...)" option, and Enter took whichever the list showed first.
    [full] = [f.label for f in ChatFormat if f.label.startswith(label)]
    chooser.click()
    page.get_by_role("option", name=full, exact=True).click()
    expect(chooser).to_have_value(full)


@pytest.mark.parametrize(
    ("endpoint", "label", "prompt_of"),
    [
        ("demo-tgi-generator", "TGI inputs + parameters", lambda body: body["inputs"]),
        ("demo-lmi-generator", "LMI inputs + parameters", lambda body: body["inputs"]),
        ("demo-lmi-legacy-generator", "LMI legacy", lambda body: body["inputs"][0]),
    ],
)
def test_two_turns_in_each_templated_format(chat: Page, chat_server, endpoint: str, label: str, prompt_of):
    _pick(chat, endpoint)
    _choose_format(chat, label)
    _say(chat, "What is Amazon SageMaker?")
    _finished(chat, 1)
    first = _answers(chat).first.get_by_test_id("stMarkdownContainer").first.inner_text()
    _say(chat, "And an endpoint?")
    _finished(chat, 2)
    prompt = prompt_of(json.loads(invocations(chat_server)[1].body))
    assert prompt.startswith("System: You are a helpful assistant.")  # the plain template, system first
    assert "\n\nUser: What is Amazon SageMaker?\n\nAssistant: " in prompt
    assert "SageMaker" in first  # an answer on the question asked, through the template
    assert " ".join(first.split()) in " ".join(prompt.split())  # the first answer, as shown
    assert prompt.endswith("User: And an endpoint?\n\nAssistant:")


def test_a_broken_stream_keeps_its_words_and_says_what_happened(chat: Page, chat_server):
    chat_server.inject_fault("demo-tgi-generator", break_stream_after=6)
    _pick(chat, "demo-tgi-generator")
    _say(chat, "What is Amazon SageMaker?")
    _finished(chat, 1)
    answer = _answers(chat).first
    expect(answer).to_contain_text("finish: error")
    expect(answer.get_by_test_id("stAlertContainer")).to_contain_text("kept above")
    assert len(answer.get_by_test_id("stMarkdownContainer").first.inner_text().strip()) > 0


# Every frame from now on: the first answer's text as the user can read it (the browser's instant turn while
# it is displayed, else the real answer), counted in letters and digits, the two being laid out alike only
# up to Markdown; when each first showed text; and frames where both showed at once (a doubled answer).
_WATCH_INSTANT = """() => {
  const w = (window.__instantChat = { instantAt: null, realAt: null, instantText: "", shown: [], both: 0,
                                      users: 0 });
  const letters = (t) => (t.match(/[\\p{L}\\p{N}]/gu) || []).length;
  const frame = () => {
    const turn = document.querySelector(".smti-chat-turn");
    const visible = turn !== null && turn.checkVisibility();
    const instant = visible ? turn.querySelector(".smti-chat-answer-text:not(.smti-chat-waiting)") : null;
    const real = [...document.querySelectorAll('.st-key-chat-answer-0 [data-testid="stMarkdownContainer"]')]
      .filter((e) => e.checkVisibility() && !/^(Waiting|Thinking)/.test(e.textContent.trim()));
    let count = 0;
    if (instant && instant.textContent) {
      if (w.instantAt === null) w.instantAt = performance.now();
      w.instantText = instant.textContent;
      count = letters(instant.textContent);
    }
    if (real.length) {
      if (w.realAt === null) w.realAt = performance.now();
      count = Math.max(count, letters(real[0].textContent));
      if (instant) w.both += 1;
    }
    const users = [...document.querySelectorAll('[data-testid="stChatMessage"], .smti-chat-bubble')]
      .filter((m) => m.checkVisibility() && m.textContent.includes("What is Amazon SageMaker?"));
    w.users = Math.max(w.users, users.length);
    if (w.shown[w.shown.length - 1] !== count) w.shown.push(count);
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}"""


def test_a_typed_message_and_its_first_words_show_before_the_run_draws_them(holdable_chat: Page, chat_server):
    # Streamlit's messages held back 800 ms, as on a loaded machine or a long conversation: the message and
    # the answer's first words come from the browser's instant turn and its feed (components.chat_instant),
    # and the real turn takes over without the text going back or showing twice.
    page = holdable_chat
    _pick(page, "demo-tgi-generator")
    page.wait_for_timeout(300)
    hold_streamlit(page, 800)
    page.evaluate(_WATCH_INSTANT)
    _say(page, "What is Amazon SageMaker?")
    expect(page.locator(".smti-chat-turn")).to_contain_text("What is Amazon SageMaker?")
    _finished(page, 1)
    hold_streamlit(page, 0)
    expect(page.locator(".smti-chat-turn")).to_have_count(0)
    watch = page.evaluate("() => window.__instantChat")
    assert watch["instantAt"] is not None, "the instant turn showed no text from its feed"
    assert watch["realAt"] is None or watch["instantAt"] < watch["realAt"], watch
    assert watch["both"] == 0 and watch["users"] == 1, watch  # one message, one answer on screen at a time
    assert watch["shown"] == sorted(watch["shown"]), watch["shown"]  # the text never went back
    real = _answers(page).first.get_by_test_id("stMarkdownContainer").first.inner_text()
    letters = [re.sub(r"[\\W_]", "", text) for text in (watch["instantText"], real)]
    assert letters[0] and letters[1].startswith(letters[0]), letters  # the same words, then more
    expect(page.get_by_test_id("stChatMessage")).to_have_count(2)
    assert len(invocations(chat_server)) == 1


def test_an_instant_turn_for_a_message_the_page_refuses_goes_away(chat: Page, chat_server):
    # Bad extra parameters: the page sends nothing and says why; the message drawn at Enter must not stay
    # on screen as if it had been sent.
    _pick(chat, "demo-tgi-generator")
    chat.get_by_test_id("stExpander").filter(has_text="Generation settings").click()
    extra = chat.get_by_role("textbox", name="Extra parameters (JSON)")
    extra.fill('{"seed": 7,}')
    extra.press("Enter")
    expect(chat.get_by_text("Extra parameters: invalid JSON at line 1").first).to_be_visible()
    chat.evaluate(
        """() => { window.__drawn = 0; new MutationObserver((changes) => {
             for (const change of changes) for (const node of change.addedNodes)
               if (node.classList && node.classList.contains("smti-chat-turn")) window.__drawn += 1;
           }).observe(document.body, { subtree: true, childList: true }); }"""
    )
    _say(chat, "What is Amazon SageMaker?")
    expect(chat.get_by_text("Not sent: Extra parameters: invalid JSON at line 1")).to_be_visible()
    expect(chat.locator(".smti-chat-turn")).to_have_count(0)
    assert chat.evaluate("() => window.__drawn") == 1  # it was drawn at Enter, then taken away
    expect(chat.get_by_test_id("stChatMessage")).to_have_count(0)
    assert invocations(chat_server) == []


# Whether the refusal's words were ever on the screen.
_WATCH_REFUSAL = """() => {
  window.__refusalShown = false;
  new MutationObserver(() => {
    if (document.body.innerText.includes("missing field")) {
      window.__refusalShown = true;
    }
  }).observe(document.body, { subtree: true, childList: true, characterData: true });
}"""


def test_a_container_nothing_describes_answers_the_first_message_in_the_format_it_asked_for(
    chat: Page, chat_server
):
    _pick(chat, "demo-custom-llm")
    chat.evaluate(_WATCH_REFUSAL)
    _say(chat, "What is Amazon SageMaker?")
    _finished(chat, 1)
    answer = _answers(chat).first
    expect(answer.get_by_test_id("stMarkdownContainer").first).to_contain_text("SageMaker")
    expect(answer.get_by_test_id("stAlert")).to_have_count(0)  # the refusal is not shown as a failed answer
    expect(chat.get_by_text("The container answered in TGI server-sent tokens", exact=False)).to_be_visible()
    sent = [json.loads(r.body) for r in invocations(chat_server)]
    assert ["messages" in b for b in sent] == [True, False] and sent[1]["inputs"]
    expect(chat.get_by_test_id("stChatMessage")).to_have_count(2)  # one turn: the refused try is gone
    assert chat.evaluate("() => window.__refusalShown") is False  # not even for a moment

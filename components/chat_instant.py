"""The Chat page's instant turn: the user's message and the answer's first words on the screen at Enter,
ahead of the Streamlit run that draws the turn.

A run that draws a turn reaches the screen only after the browser has laid out the conversation again,
~0.1 s after the request's first token in a long one (bench_ui_chat 9c). The Send button's instant card
(components.request_actions) solved the same for Test inference with the click's live feed
(services.live_feed, serve.py); here the message box is Streamlit's own `st.chat_input`, which carries no
id, so the feed's id comes from the page instead:

- Each run draws a marker in a slot below the turns saying the id the next message will be published
  under (`FeedIds.upcoming`), the index its turn will take, whether an answer is still running (a message
  sent then is refused), and the id of the last message a run took.
- One script of ours (SCRIPT, installed once per tab by page_style) hears Enter (or the send arrow) in the
  message box and at once draws, in the slot, the user's message and an answer that fills from the feed.
- The run that takes the message claims the same id (`FeedIds.claim`, in the box's callback) and publishes
  the turn's invocation under it. The real turn is kept hidden until it shows at least as many letters as
  the instant one; then the instant one goes. A refused message (the marker names it taken, no turn came)
  or a lost feed with no text hands over at once; after HANDOVER_MS, or 15 s in all, in any case.

Foreign text goes in only as text (textContent), never as HTML. The script's look copies the page's own
last chat messages (their nodes, emptied), so the swap is not seen; on the first turn it draws its own.
"""

from __future__ import annotations

import html
import secrets
from dataclasses import dataclass, field

import streamlit as st

_IDS_KEY = "_chat_feed_ids"


@dataclass
class FeedIds:
    """The ids this session's typed messages are published under: a random token and a count."""

    token: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    count: int = 0
    taken: str = ""  # the last id a run acted on (started or refused)

    @property
    def upcoming(self) -> str:
        return f"{self.token}-{self.count}"

    def claim(self) -> str:
        """The id the message sent now goes under (the one the marker showed the browser)."""
        claimed = self.upcoming
        self.count += 1
        return claimed


def feed_ids() -> FeedIds:
    return st.session_state.setdefault(_IDS_KEY, FeedIds())


def slot(ids: FeedIds, *, index: int, busy: bool) -> None:
    """The place the instant turn is drawn in, below the turns. Keep it at a fixed position in its column
    (Streamlit's browser side knows a block by its position, and only that keeps the script's nodes)."""
    with st.container(key="chat-instant"):
        st.html(
            f'<div class="smti-chat-instant" data-next="{html.escape(ids.upcoming, quote=True)}" '
            f'data-index="{index}" data-busy="{"true" if busy else "false"}" '
            f'data-taken="{html.escape(ids.taken, quote=True)}"></div>'
        )


SCRIPT = """
<script>
(function () {
  if (window.__smtiChat) return;
  window.__smtiChat = true;
  const BOX = '[data-testid="stChatInputTextArea"]';
  const SEND = '[data-testid="stChatInputSubmitButton"]';
  const STALE = '[data-stale="true"]';
  const HANDOVER_MS = 1500;
  const LIFE_MS = 15000;

  function fresh(selector) {
    const all = Array.from(document.querySelectorAll(selector));
    return all.filter(function (el) { return !el.closest(STALE); });
  }
  function marker() {
    const found = fresh(".smti-chat-instant");
    return found.length ? found[found.length - 1] : null;
  }
  function letters(text) {
    const found = text.match(/[\\p{L}\\p{N}]/gu);
    return found ? found.length : 0;
  }
  function element(tag, className, text) {
    const el = document.createElement(tag);
    if (className) el.className = className;
    if (text !== undefined) el.textContent = text;
    return el;
  }

  // A message like the page's own: its last one of that role, copied and emptied; else one of ours.
  function message(role) {
    const avatar = role === "user" ? "stChatMessageAvatarUser" : "stChatMessageAvatarAssistant";
    const own = fresh('[data-testid="stChatMessage"]').filter(function (m) {
      return m.querySelector('[data-testid="' + avatar + '"]');
    });
    const text = element("div", "smti-chat-text");
    if (own.length) {
      const copy = own[own.length - 1].cloneNode(true);
      const content = copy.querySelector('[data-testid="stChatMessageContent"]');
      if (content) {
        copy.setAttribute("data-testid", "smtiChatMessage");
        copy.classList.add("smti-chat-bubble");
        content.replaceChildren(text);
        return { node: copy, text: text };
      }
    }
    const bubble = element("div", "smti-chat-bubble smti-chat-own");
    bubble.appendChild(element("span", "smti-chat-avatar", role === "user" ? "You" : "AI"));
    bubble.appendChild(text);
    return { node: bubble, text: text };
  }

  function feedUrl(id) {
    return new URL("_smti/live/" + encodeURIComponent(id), document.baseURI).href;
  }

  function submitted(typed) {
    const mark = marker();
    if (!mark || !typed.trim() || mark.dataset.busy === "true") return;
    const id = mark.dataset.next;
    const index = mark.dataset.index;
    const slot = mark.closest(".st-key-chat-instant");
    if (!id || !slot || slot.querySelector('[data-smti-click="' + CSS.escape(id) + '"]')) return;
    slot.querySelectorAll(".smti-chat-turn").forEach(function (old) { old.remove(); });
    const turn = element("div", "smti-chat-turn");
    turn.dataset.smtiClick = id;
    const user = message("user");
    user.text.textContent = typed;
    const answer = message("assistant");
    answer.text.classList.add("smti-chat-answer-text");
    answer.text.textContent = "Waiting for the first token…";
    answer.text.classList.add("smti-chat-waiting");
    const stop = element("button", "smti-chat-stop", "Stop");
    stop.type = "button";
    answer.text.parentNode.appendChild(stop);
    turn.appendChild(user.node);
    turn.appendChild(answer.node);
    slot.appendChild(turn);
    turn.scrollIntoView({ block: "nearest" });

    const state = { text: "", frozen: false, lost: false };
    const REAL = ".st-key-chat-turn-" + index;
    let hider = null;
    let target = 0;
    let deadline = null;
    let observer = null;
    let source = null;
    let stopWanted = false;
    function append(more) {
      if (!more || state.frozen) return;
      state.text += more;
      answer.text.classList.remove("smti-chat-waiting");
      answer.text.textContent = state.text;
    }
    function done() {
      turn.remove();
      if (hider) hider.remove();
      if (source) source.close();
      if (observer) observer.disconnect();
      if (deadline) clearTimeout(deadline);
    }
    function pressStop() {
      const button = fresh(".st-key-chat-stop-" + index + " button")[0];
      stopWanted = !button;
      if (button) button.click();
    }
    stop.addEventListener("click", pressStop);
    function realLetters(real) {
      let most = 0;
      const texts = '.st-key-chat-answer-' + index + ' [data-testid="stMarkdownContainer"]';
      real.querySelectorAll(texts).forEach(function (el) {
        if (el.closest(STALE)) return;
        const shown = el.textContent.trim();
        if (/^(Waiting|Thinking)/.test(shown)) return;
        most = Math.max(most, letters(shown));
      });
      return most;
    }
    function check() {
      if (!turn.isConnected) return done();
      const real = fresh(REAL)[0];
      if (!real) {
        const now = marker();
        if (now && now.dataset.taken === id) done(); // the run took it and drew no turn: refused
        return;
      }
      const final = fresh(".st-key-chat-actions-" + index).length > 0;
      if (!state.text && (final || state.lost)) return done();
      if (!hider) {
        hider = element("style", "", REAL + " { display: none !important; }");
        slot.appendChild(hider);
      }
      if (stopWanted) pressStop();
      if (state.text && !state.frozen) {
        state.frozen = true; // text that went on growing here could stay ahead of the real turn's for good
        target = letters(state.text);
        deadline = setTimeout(done, HANDOVER_MS);
      }
      if (state.frozen && realLetters(real) >= target) done();
    }
    function lost() {
      if (source) source.close();
      state.lost = true;
      check();
    }
    try {
      source = new EventSource(feedUrl(id));
      source.onmessage = function (event) {
        try { append(String(JSON.parse(event.data).append || "")); } catch (error) { /* not ours */ }
      };
      source.addEventListener("end", function () { source.close(); stop.remove(); });
      source.addEventListener("gone", lost);
      source.onerror = lost;
    } catch (error) {
      state.lost = true;
    }
    observer = new MutationObserver(check);
    const page = slot.closest('[data-testid="stMain"]') || document.body;
    observer.observe(page, { subtree: true, childList: true, characterData: true });
    setTimeout(done, LIFE_MS);
  }

  document.addEventListener("keydown", function (event) {
    const box = event.target;
    if (!(box instanceof HTMLTextAreaElement) || !box.matches(BOX)) return;
    if (event.key !== "Enter" || event.shiftKey || event.isComposing) return;
    submitted(box.value);
  }, true);
  document.addEventListener("click", function (event) {
    const button = event.target instanceof Element ? event.target.closest(SEND) : null;
    const box = document.querySelector(BOX);
    if (button && !button.disabled && box) submitted(box.value);
  }, true);
})();
</script>
"""


def install() -> None:
    """Start the script (once per browser tab; drawing it again changes nothing)."""
    st.html(SCRIPT, unsafe_allow_javascript=True)

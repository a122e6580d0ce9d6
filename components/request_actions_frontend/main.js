// Send Request / Format / Reset, as one Streamlit component (plain JS, no build step).
//
// Why this exists: streamlit-ace hands its text to Python only after a pause in typing, so a Streamlit button
// clicked right after typing would send the previous text. Here the click handler reads the editor's CURRENT text
// straight from the sibling Ace iframe (same origin) and sends it together with the action as ONE component
// value: the text travels atomically with the click. Python acts once per nonce.
"use strict";

(function () {
  const ACE_IFRAME = 'iframe[title="streamlit_ace.streamlit_ace"]';
  const buttons = {
    send: document.getElementById("send"),
    format: document.getElementById("format"),
    reset: document.getElementById("reset"),
  };
  const reason = document.getElementById("reason");
  let editorKey = null;
  let pending = null; // what the instant Pending card says: {target, request_type, streamed}
  let checkJson = false;
  let lastHeight = -1;

  // The app that embeds this component is served from this iframe's own origin (Streamlit serves
  // components itself): messages go only there, and only messages from there are heard.
  const APP_ORIGIN = window.location.origin;

  // The Streamlit component protocol (v1): every message to the app carries isStreamlitMessage.
  function post(type, data) {
    window.parent.postMessage(Object.assign({ isStreamlitMessage: true, type: type }, data), APP_ORIGIN);
  }

  function setHeight() {
    const height = Math.ceil(document.body.getBoundingClientRect().height);
    if (height !== lastHeight) {
      lastHeight = height;
      post("streamlit:setFrameHeight", { height: height });
    }
  }

  // During a rerun an editor being replaced can still be on the page for a moment (marked stale): the
  // current one is the one that is not stale.
  function current(frames) {
    const list = Array.from(frames);
    const fresh = list.filter(function (frame) {
      const holder = frame.closest("[data-stale]");
      return !holder || holder.getAttribute("data-stale") !== "true";
    });
    const pool = fresh.length ? fresh : list;
    return pool.length ? pool[pool.length - 1] : null;
  }

  function aceIframe() {
    const doc = window.parent.document;
    if (editorKey) {
      const keyed = current(doc.querySelectorAll(".st-key-" + CSS.escape(editorKey) + " " + ACE_IFRAME));
      if (keyed) return keyed;
    }
    return current(doc.querySelectorAll(ACE_IFRAME));
  }

  // The editor's text right now, or null when it cannot be read (then Python uses its own copy).
  function editorText() {
    try {
      const frame = aceIframe();
      const element = frame && frame.contentDocument && frame.contentDocument.querySelector(".ace_editor");
      const editor = element && element.env && element.env.editor;
      return editor ? editor.getValue() : null;
    } catch (error) {
      return null;
    }
  }

  function nonce() {
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 10);
  }

  function act(action) {
    const text = editorText();
    const id = nonce();
    if (action === "send") showPending(id, text);
    post("streamlit:setComponentValue", {
      value: { action: action, text: text, nonce: id },
      dataType: "json",
    });
  }

  // -- the instant Pending card ----------------------------------------------------------------------------
  // A run takes ~0.1 s to draw the real card; the user sees this one at once, in the slot the card stack
  // keeps above the cards. It goes as soon as a new card is on the page, or when the server redraws the
  // slot for this click (the click was acted on: card drawn, or refused), or after 15 s at the latest.
  // Only our own values go in, as text (textContent), never as HTML.
  const CARD = '[class*="st-key-result-card-"]';

  function cardKeys(root) {
    return new Set(Array.from(root.querySelectorAll(CARD)).map(function (el) { return el.className; }));
  }

  function element(doc, tag, className, text) {
    const el = doc.createElement(tag);
    if (className) el.className = className;
    if (text !== undefined) el.textContent = text;
    return el;
  }

  function pendingCard(doc, id) {
    const card = element(doc, "div", "smti-instant-card");
    card.dataset.click = id;
    const head = element(doc, "div", "smti-instant-head");
    const badge = element(doc, "span", "smti-instant-badge");
    badge.appendChild(element(doc, "span", "smti-instant-spinner"));
    badge.appendChild(doc.createTextNode("Pending"));
    head.appendChild(badge);
    head.appendChild(element(doc, "strong", "", pending.target));
    if (pending.streamed) head.appendChild(element(doc, "span", "smti-instant-muted", "· streamed"));
    card.appendChild(head);
    const table = element(doc, "table");
    const labels = element(doc, "tr");
    const values = element(doc, "tr");
    const elapsed = element(doc, "span", "", "0 …");
    elapsed.dataset.smtiElapsed = String(Date.now()); // the page clock counts it up
    [
      ["Request type", pending.request_type],
      ["Status", "Pending"],
      ["Execution Length (ms)", elapsed],
      ["Request Time", "just now"],
      ["Result Time", "—"],
    ].forEach(function (field) {
      labels.appendChild(element(doc, "th", "", field[0]));
      const cell = element(doc, "td");
      if (typeof field[1] === "string") cell.textContent = field[1];
      else cell.appendChild(field[1]);
      values.appendChild(cell);
    });
    table.appendChild(labels);
    table.appendChild(values);
    card.appendChild(table);
    const waiting = pending.streamed ? "Waiting for the first token…" : "Waiting for the endpoint…";
    card.appendChild(element(doc, "div", "smti-instant-muted", waiting));
    return card;
  }

  function showPending(id, text) {
    if (!pending || buttons.send.disabled) return;
    if (checkJson && text !== null) {
      try { JSON.parse(text); } catch (error) { return; } // refused at once: the page says why
    }
    let doc;
    try { doc = window.parent.document; } catch (error) { return; }
    // The slot's own block, not the html element in it: Streamlit rewrites that element's content on every
    // redraw, but leaves a block's foreign children alone.
    const slot = doc.querySelector(".st-key-smti-instant");
    if (!slot) return;
    // Watch only the results column, and only for added or removed nodes: cheap while the run draws.
    const root = slot.closest('[data-testid="stColumn"]') || doc.body;
    const before = cardKeys(root);
    const card = pendingCard(doc, id);
    slot.querySelectorAll(".smti-instant-card").forEach(function (old) { old.remove(); });
    slot.prepend(card);
    let observer = null;
    function done() {
      card.remove();
      if (observer) observer.disconnect();
    }
    function handled() {
      const marker = slot.querySelector(".smti-instant");
      return marker !== null && marker.getAttribute("data-handled") === id;
    }
    observer = new MutationObserver(function () {
      if (!card.isConnected || handled()) return done(); // the run acted on this click
      for (const key of cardKeys(root)) if (!before.has(key)) return done(); // the real card is there
    });
    observer.observe(root, { subtree: true, childList: true });
    setTimeout(done, 15000);
  }

  Object.keys(buttons).forEach(function (action) {
    buttons[action].addEventListener("click", function () { act(action); });
  });

  function applyTheme(theme, args) {
    const colors = Object.assign({}, theme || {}, args.theme || {});
    const root = document.documentElement.style;
    if (colors.primaryColor) root.setProperty("--primary", colors.primaryColor);
    if (colors.textColor) root.setProperty("--text", colors.textColor);
    if (colors.backgroundColor) root.setProperty("--bg", colors.backgroundColor);
    if (colors.font) root.setProperty("--font", colors.font);
  }

  window.addEventListener("message", function (event) {
    if (event.source !== window.parent || event.origin !== APP_ORIGIN) return; // another frame or site
    const data = event.data;
    if (!data || data.type !== "streamlit:render") return;
    const args = data.args || {};
    editorKey = args.editor_key || null;
    pending = args.pending || null;
    checkJson = Boolean(args.check_json);
    applyTheme(data.theme, args);
    const allDisabled = Boolean(data.disabled);
    buttons.send.disabled = allDisabled || Boolean(args.send_disabled);
    buttons.format.disabled = allDisabled || Boolean(args.format_disabled);
    buttons.reset.disabled = allDisabled;
    buttons.send.title = args.send_disabled ? (args.disabled_reason || "") : "Send the editor's text to the endpoint";
    reason.textContent = args.send_disabled ? (args.disabled_reason || "") : "";
    setHeight();
  });

  post("streamlit:componentReady", { apiVersion: 1 });
  window.addEventListener("resize", setHeight);
  setHeight();
})();

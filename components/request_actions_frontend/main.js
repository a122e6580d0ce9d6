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
  let lastHeight = -1;

  // The Streamlit component protocol (v1): every message to the app carries isStreamlitMessage.
  function post(type, data) {
    window.parent.postMessage(Object.assign({ isStreamlitMessage: true, type: type }, data), "*");
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
    post("streamlit:setComponentValue", {
      value: { action: action, text: editorText(), nonce: nonce() },
      dataType: "json",
    });
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
    const data = event.data;
    if (!data || data.type !== "streamlit:render") return;
    const args = data.args || {};
    editorKey = args.editor_key || null;
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

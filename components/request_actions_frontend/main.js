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

  // The click's id: it also names the click's live feed (see below), so it is random, not guessable.
  function nonce() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Date.now().toString(36) + "-" + Array.from(bytes, function (b) { return (b % 36).toString(36); }).join("");
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

  // -- the instant card -----------------------------------------------------------------------------------
  // A run takes ~0.1 s to draw the real card, and every later run as long to show its text; the user sees
  // this one at once, in the slot the card stack keeps above the cards. It opens the click's live feed
  // (serve.py: server-sent events) and writes into itself what the request has to show as it arrives: a
  // stream's text, then the end (status, Execution Length, the answer or the failure reason). It hands over
  // to the real card when the server redraws the slot for this click without a new card (refused), or once
  // the new card is on the page and shows at least as much as this one; the real card is kept hidden until
  // then. Once both are on the page and this one shows text, it stops growing, so the text never goes back
  // (it pauses for the ~0.1 s the real card lags); at the latest HANDOVER_MS later (an answer the real card
  // shows otherwise, as a table). Until then this card shows the wait (a stream's Stop here presses the
  // hidden real card's), so a slow first token or answer comes from the feed too; a lost feed hands over at
  // once. After 15 s in any case. Foreign text goes in only as text (textContent), never as HTML.
  const CARD = '[class*="st-key-result-card-"]';
  const FINAL = '[class*="st-key-status-success-"], [class*="st-key-status-failed-"], [class*="st-key-status-stopped-"]';
  const STALE = '[data-stale="true"]';
  const HANDOVER_MS = 1500;

  function cardKey(el) {
    return Array.from(el.classList).find(function (c) { return /^st-key-result-card-\d+$/.test(c); }) || null;
  }

  function cardKeys(root) {
    return new Set(Array.from(root.querySelectorAll(CARD)).map(cardKey));
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
    const spinner = element(doc, "span", "smti-instant-spinner");
    const status = element(doc, "span", "", "Pending");
    badge.appendChild(spinner);
    badge.appendChild(status);
    head.appendChild(badge);
    head.appendChild(element(doc, "strong", "", pending.target));
    let stop = null;
    if (pending.streamed) {
      head.appendChild(element(doc, "span", "smti-instant-muted", "· streamed"));
      stop = element(doc, "button", "smti-instant-stop", "Stop");
      stop.type = "button";
      head.appendChild(stop);
    }
    card.appendChild(head);
    const table = element(doc, "table");
    const labels = element(doc, "tr");
    const values = element(doc, "tr");
    const elapsed = element(doc, "span", "", "0 …");
    elapsed.dataset.smtiElapsed = String(Date.now()); // the page clock counts it up
    const cells = {};
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
      cells[field[0]] = cell;
      values.appendChild(cell);
    });
    table.appendChild(labels);
    table.appendChild(values);
    card.appendChild(table);
    const waiting = pending.streamed ? "Waiting for the first token…" : "Waiting for the endpoint…";
    const note = element(doc, "div", "smti-instant-muted", waiting);
    card.appendChild(note);
    const output = element(doc, "pre", "smti-instant-output");
    output.hidden = true;
    card.appendChild(output);
    return {
      node: card,
      stop: stop, // a stream's Stop: it presses the real card's (the page wires it)
      text: "", // what the output shows
      frozen: false, // the real card is taking over: what this one shows is what it must catch up with
      lost: false, // its feed ended before the request's end (no route, refused, dropped)
      append: function (text) {
        if (!text || this.frozen) return;
        this.text += text;
        output.textContent = this.text;
        output.hidden = false;
        note.hidden = true;
        output.scrollTop = output.scrollHeight; // the newest line in view, as in the real card
      },
      end: function (ending) {
        if (this.frozen) return;
        const word = String(ending.status || "");
        status.textContent = word;
        cells["Status"].textContent = word;
        spinner.remove();
        if (stop) stop.remove();
        badge.dataset.status = word.toLowerCase();
        if (typeof ending.execution_ms === "number") cells["Execution Length (ms)"].textContent = String(ending.execution_ms);
        cells["Result Time"].textContent = "just now";
        if (typeof ending.output === "string") this.append(ending.output);
        if (typeof ending.reason === "string") {
          note.textContent = "Failure Reason: " + ending.reason;
          note.hidden = false;
        } else if (!this.text) {
          note.hidden = true;
        }
      },
    };
  }

  function feedUrl(id) {
    // The app's root is two levels above this page (<root>/component/<name>/index.html).
    return new URL("../../_smti/live/" + encodeURIComponent(id), window.location.href).href;
  }

  // onLost: the feed is gone (no route, refused, dropped) before the end: the card stops waiting on it.
  function openFeed(id, card, onLost) {
    let source;
    function lost() {
      source.close();
      card.lost = true;
      onLost();
    }
    try { source = new EventSource(feedUrl(id)); } catch (error) { card.lost = true; return null; }
    source.onmessage = function (event) {
      try { card.append(String(JSON.parse(event.data).append || "")); } catch (error) { /* not ours */ }
    };
    source.addEventListener("end", function (event) {
      source.close();
      try { card.end(JSON.parse(event.data)); } catch (error) { /* not ours */ }
    });
    source.addEventListener("gone", lost);
    source.onerror = lost; // no feed (e.g. `streamlit run app.py`): the run's card comes as before
    return source;
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
    slot.querySelectorAll("style[data-smti-hide]").forEach(function (old) { old.remove(); });
    slot.prepend(card.node);
    const source = openFeed(id, card, function () { check(); });
    // This card's Stop presses the real card's own (hidden meanwhile, still in the page): one way to stop a
    // stream. Pressed before the real card is there, it waits for it.
    let stopWanted = false;
    function pressStop() {
      const real = realKey ? root.querySelector("." + realKey) : null;
      const button = real && real.querySelector('[class*="st-key-stop-"] button');
      if (button) {
        stopWanted = false;
        button.click();
      } else {
        stopWanted = true;
      }
    }
    if (card.stop) card.stop.addEventListener("click", pressStop);
    let observer = null;
    let realKey = null; // the new card, once on the page
    let hider = null; // the style that keeps it hidden until it has caught up
    let target = 0; // how much text it must show by then
    let deadline = null;
    function done() {
      card.node.remove();
      if (hider) hider.remove();
      if (source) source.close();
      if (observer) observer.disconnect();
      if (deadline) clearTimeout(deadline);
    }
    function handled() {
      const marker = slot.querySelector(".smti-instant");
      return marker !== null && marker.getAttribute("data-handled") === id;
    }
    function freshIn(real, selector) {
      return Array.from(real.querySelectorAll(selector)).some(function (el) { return !el.closest(STALE); });
    }
    // The most text the real card shows in one place: its live text box, or its output block once final.
    function shownLength(real) {
      // A table, a player or a picture is the whole answer in another form than the instant card's text:
      // nothing to catch up with (the CSV's table used to wait out the hand-over's 1.5 s).
      if (freshIn(real, '[data-testid="stDataFrame"], [data-testid="stAudio"], [data-testid="stImage"]')) {
        return Infinity;
      }
      let most = 0;
      real.querySelectorAll('[class*="st-key-chunked-"], [data-testid="stCode"] code').forEach(function (el) {
        if (!el.closest(STALE)) most = Math.max(most, el.textContent.replace(/\s+/g, "").length);
      });
      return most;
    }
    function newCard() {
      if (realKey) return root.querySelector("." + realKey);
      for (const el of root.querySelectorAll(CARD)) {
        const key = cardKey(el);
        if (key && !before.has(key) && !el.closest(STALE)) return el;
      }
      return null;
    }
    function check() {
      if (!card.node.isConnected) return done();
      const real = newCard();
      if (!real) {
        if (handled()) done(); // the run acted on this click and drew no card: refused
        return;
      }
      // Nothing it lacks: a final card, or a lost feed (the real card shows the wait as well).
      if (!card.text && (freshIn(real, FINAL) || card.lost)) return done();
      if (!realKey) {
        realKey = cardKey(real);
        hider = element(doc, "style");
        hider.dataset.smtiHide = "";
        hider.textContent = "." + realKey + " { display: none !important; }";
        slot.appendChild(hider);
      }
      if (stopWanted) pressStop(); // its button may come a moment after the card
      if (card.text && !card.frozen) {
        card.frozen = true; // a text that went on growing here could be ahead of the real card's for good
        target = card.text.replace(/\s+/g, "").length;
        deadline = setTimeout(done, HANDOVER_MS);
      }
      if (card.frozen && shownLength(real) >= target) done();
    }
    observer = new MutationObserver(check);
    observer.observe(root, { subtree: true, childList: true, characterData: true });
    setTimeout(done, 15000);
  }

  Object.keys(buttons).forEach(function (action) {
    buttons[action].addEventListener("click", function () { act(action); });
  });

  // The page's own font. A frame does not see the @font-face rules of the page around it, so the buttons
  // fell back to another sans-serif: borrow the rules (same origin), their addresses made absolute.
  let fontsBorrowed = false;
  function borrowFonts() {
    if (fontsBorrowed) return;
    let sheets;
    try { sheets = window.parent.document.styleSheets; } catch (error) { return; }
    const faces = [];
    Array.from(sheets).forEach(function (sheet) {
      let rules;
      try { rules = sheet.cssRules; } catch (error) { return; } // a sheet from another origin
      const base = sheet.href || window.parent.location.href;
      Array.from(rules).forEach(function (rule) {
        if (rule.type !== 5) return; // CSSRule.FONT_FACE_RULE (instanceof fails across frames)
        faces.push(rule.cssText.replace(/url\((["']?)([^"')]+)\1\)/g, function (whole, quote, address) {
          try { return 'url("' + new URL(address, base).href + '")'; } catch (error) { return whole; }
        }));
      });
    });
    if (!faces.length) return;
    const style = document.createElement("style");
    style.textContent = faces.join("\n");
    document.head.appendChild(style);
    fontsBorrowed = true;
  }

  function applyTheme(theme, args) {
    borrowFonts();
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

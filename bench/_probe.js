// The page probe of the UI benchmarks, installed in the app's top document (bench/_app.py, AppPage).
//
// Every time is performance.now() of the top document. arm(want) notes the cards already on the page; from
// then on a MutationObserver looks, at every DOM mutation, at the NEW card (a st-key-result-card-N key not on
// the page before) and stamps the first moment it
//   card     is in the DOM at all (any status, e.g. Pending),
//   pending / success / failed / stopped   shows that status (st-key-status-{status}- inside the card),
//   instant  the browser's own instant card (.smti-instant-card, drawn by the Send button's script at the
//            click, before any script run) is on the page; while it is displayed, its text counts for output
//            and first as the new card's (it shows the request's live feed, and the new card stays hidden
//            until it has caught up: a hidden card counts for nothing),
//   final    shows a final status (success, failed or stopped),
//   output   shows want.compact in its text, whitespace ignored (a non-streamed JSON answer, however pretty),
//   first    shows want.needle in its text (the first streamed token),
//   full     shows the whole streamed text: the element holding the answer (the card's chunked text box,
//            st-key-chunked-*, when it has one, else the smallest element whose text contains want.head, the
//            answer's first characters) is at least want.length characters long and contains want.tail (the
//            answer's last characters).
// growth lists [time, length] each time that element's text got longer (the card's visible updates), and
// statuses [time, status] each time the card's shown status changed.
// Text inside an element marked [data-stale="true"] (left over from a superseded script run) is not visible
// and does not count, nor does a card or status inside one. The clicks on Send Request (a capture listener
// in the actions iframe, same origin) and on a card's Stop button stamp click and stopClick.
() => {
  if (window.__bench) return;
  const STALE = '[data-stale="true"]';
  const CARD_KEY = /^st-key-result-card-(\d+)$/;
  const ACTIONS = 'iframe[title="components.request_actions.request_actions"]';
  const STATUSES = ["success", "failed", "stopped", "pending"];
  const b = (window.__bench = { armed: false, t: {}, want: {}, known: new Set(), growth: [], statuses: [] });

  const fresh = (el) => !el.closest(STALE);
  const cardKey = (el) => [...el.classList].find((c) => CARD_KEY.test(c)) || null;
  const freshOne = (selector, root) => [...(root || document).querySelectorAll(selector)].find(fresh) || null;

  // textContent without stale subtrees (cheap when there are none, the usual case).
  const visibleText = (el) => {
    if (!el.querySelector(STALE)) return el.textContent;
    const accept = (node) =>
      node.nodeType !== Node.ELEMENT_NODE
        ? NodeFilter.FILTER_ACCEPT
        : node.matches(STALE)
          ? NodeFilter.FILTER_REJECT
          : NodeFilter.FILTER_SKIP;
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT, {
      acceptNode: accept,
    });
    let text = "";
    while (walker.nextNode()) text += walker.currentNode.data;
    return text;
  };

  // The deepest non-stale element under root whose text contains s (null when root's text does not).
  const smallest = (root, s) => {
    if (!visibleText(root).includes(s)) return null;
    let el = root;
    for (;;) {
      if (el.tagName === "PRE") return el; // a code block's lines are elements too: the answer is the block
      const child = [...el.children].find((c) => !c.matches(STALE) && visibleText(c).includes(s));
      if (!child) return el;
      el = child;
    }
  };

  const allCards = () => [...document.querySelectorAll('[class*="st-key-result-card-"]')];

  b.findCard = () => {
    if (b.key) return freshOne("." + b.key);
    for (const el of allCards()) {
      const key = cardKey(el);
      if (key && !b.known.has(key) && fresh(el)) {
        b.key = key;
        b.cardId = key.match(CARD_KEY)[1];
        return el;
      }
    }
    return null;
  };

  const statusOf = (card) =>
    STATUSES.find((s) => freshOne(`[class*="st-key-status-${s}-"]`, card) !== null) || null;

  const check = () => {
    if (!b.armed) return;
    const now = performance.now();
    const t = b.t;
    const w = b.want;
    const instant = document.querySelector(".smti-instant-card");
    const instantShown = instant !== null && instant.checkVisibility();
    if (t.instant == null && instant) t.instant = now;
    // Until the new card has caught up, the instant card shows the request's text (and the new card is
    // kept hidden): the user reads it there. Only a card that is displayed counts.
    if (instantShown) {
      const text = instant.textContent;
      if (w.compact && t.output == null && text.replace(/\s+/g, "").includes(w.compact)) t.output = now;
      if (w.needle && t.first == null && text.includes(w.needle)) t.first = now;
    }
    const card = b.findCard();
    if (!card) return;
    if (!card.checkVisibility()) return;
    if (t.card == null) t.card = now;
    const status = statusOf(card);
    if (status) {
      if (status !== b.status) b.statuses.push([now, status]);
      b.status = status;
      if (t[status] == null) t[status] = now;
      if (status !== "pending" && t.final == null) t.final = now;
    }
    if (w.compact && t.output == null && visibleText(card).replace(/\s+/g, "").includes(w.compact)) {
      t.output = now;
    }
    if (w.needle && t.first == null && visibleText(card).includes(w.needle)) t.first = now;
    if (w.head) {
      if (!b.out || !b.out.isConnected || !card.contains(b.out) || !fresh(b.out)) {
        // A long answer is drawn in chunks inside one box (st-key-chunked-*): the box holds the answer.
        const box = freshOne('[class*="st-key-chunked-"]', card);
        b.out = box && visibleText(box).includes(w.head) ? box : smallest(card, w.head);
      }
      if (b.out) {
        const text = visibleText(b.out);
        if (!text.includes(w.head)) {
          b.out = null;
        } else {
          if (text.length > b.length) b.growth.push([now, text.length]);
          b.length = text.length;
          if (t.full == null && text.length >= w.length && text.includes(w.tail)) t.full = now;
        }
      }
    }
  };
  b.observer = new MutationObserver(check);

  b.arm = (want) => {
    b.known = new Set(allCards().map(cardKey));
    b.t = {};
    b.want = want || {};
    b.key = null;
    b.cardId = null;
    b.status = null;
    b.out = null;
    b.length = 0;
    b.growth = [];
    b.statuses = [];
    b.armed = true;
    b.observer.disconnect();
    b.observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    for (const frame of document.querySelectorAll(ACTIONS)) {
      const doc = frame.contentDocument;
      if (doc && !doc.__benchClick) {
        doc.__benchClick = true;
        doc.addEventListener("click", (e) => {
          if (e.target && e.target.id === "send" && b.armed && b.t.click == null) b.t.click = performance.now();
        }, true);
      }
    }
  };
  b.disarm = () => {
    b.armed = false;
    b.observer.disconnect();
    b.out = null;
  };
  document.addEventListener("click", (e) => {
    const stop = e.target && e.target.closest && e.target.closest('[class*="st-key-stop-"]');
    if (stop && b.armed && b.t.stopClick == null) b.t.stopClick = performance.now();
  }, true);

  // What Python reads afterwards.
  b.state = () => ({ t: b.t, status: b.status, length: b.length, cardId: b.cardId, growth: b.growth.length });
  b.outText = () => {
    const card = b.findCard();
    if (!card || !b.want.head) return "";
    if (!b.out || !b.out.isConnected || !card.contains(b.out) || !fresh(b.out)) b.out = smallest(card, b.want.head);
    return b.out ? visibleText(b.out) : "";
  };
  b.cardText = () => {
    const card = b.findCard();
    return card ? visibleText(card) : "";
  };
  b.field = (label) => {
    const card = b.findCard();
    if (!card) return null;
    for (const table of card.querySelectorAll("table")) {
      if (!fresh(table)) continue;
      const heads = [...table.querySelectorAll("th")].map((th) => th.textContent.trim());
      const index = heads.indexOf(label);
      if (index >= 0) {
        const cell = table.querySelectorAll("td")[index];
        return cell ? cell.textContent.trim() : null;
      }
    }
    return null;
  };
  // Another card of the page (not the measured one) still Pending: the page is busy with it.
  b.othersPending = () =>
    allCards().filter(
      (el) => fresh(el) && cardKey(el) !== b.key && freshOne('[class*="st-key-status-pending-"]', el)
    ).length;
}

// Init script of every benchmark tab (bench/_app.py): runs in each frame before the frame's own scripts.
//
// It stamps, in the two component iframes, the moment they become usable, on the shared clock
// performance.timeOrigin + performance.now() (epoch milliseconds, comparable across frames):
//   the Ace editor iframe: window.__benchReady = when Ace holds text (env.editor.getValue()) and shows it
//     (.ace_content has text);
//   the Send/Format/Reset iframe: window.__benchRendered = when the component first received its arguments
//     from Streamlit (a "streamlit:render" message), window.__benchReady = the first such moment at which
//     #send is enabled.
// A component iframe starts as about:blank and Chromium keeps that first Window for the component's page
// (same origin), without running init scripts again: so the listeners go on the Window (they survive) and
// act by the location at the time of the event.
(() => {
  if (window === window.top || window.__benchFrame) return;
  window.__benchFrame = true;
  // performance.timeOrigin belongs to the document that was current at the start: read it each time.
  const now = () => performance.timeOrigin + performance.now();
  const isAce = () => location.pathname.includes("streamlit_ace.streamlit_ace");
  const isActions = () => location.pathname.includes("components.request_actions.request_actions");

  const watchAce = () => {
    if (!isAce() || window.__benchWatching) return;
    window.__benchWatching = true;
    const check = () => {
      const element = document.querySelector(".ace_editor");
      const editor = element && element.env && element.env.editor;
      const content = document.querySelector(".ace_content");
      return Boolean(editor && editor.getValue() && content && content.textContent.trim());
    };
    const observer = new MutationObserver(() => {
      if (!window.__benchReady && check()) {
        window.__benchReady = now();
        observer.disconnect();
      }
    });
    observer.observe(document, { subtree: true, childList: true, characterData: true });
  };

  window.addEventListener("DOMContentLoaded", watchAce);
  if (document.readyState !== "loading") watchAce();
  window.addEventListener("message", (event) => {
    if (!isActions() || !event.data || event.data.type !== "streamlit:render") return;
    const stamp = now();
    window.__benchRendered = window.__benchRendered || stamp;
    // After the component's own listener (registered later, runs later) has applied the arguments.
    setTimeout(() => {
      const send = document.getElementById("send");
      if (!window.__benchReady && send && !send.disabled) window.__benchReady = stamp;
    }, 0);
  });
})();

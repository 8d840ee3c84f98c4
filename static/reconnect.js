/* A page that comes back by itself when the server restarts (issue #21, part 4).
 *
 * A presenter's slide, or any page, lives in one Streamlit session on one replica. When the replicas stop (a
 * crash, kill -9, a new version) their supervisor starts them again within seconds, and Streamlit's own client
 * looks for the server again (at most 4 s apart), opens a new session and redraws the page in place from its
 * address. This script is the safety net for when it does not: once the page had been connected, it watches
 * for Streamlit's "Connecting"/"Error" status, asks /_stcore/health every half second, and if the site has
 * answered "ok" for GRACE_MS while the page is still not connected, reloads the page from its address. The
 * view (?deck=&slide=, ?org=, #section) is in the address, so the same view comes back either way.
 *
 * Served by the app at /app/static/reconnect.js (server.enableStaticServing) and loaded on every page, the
 * presenter's included, by components/ui/reconnect.py; the Content-Security-Policy's "script-src 'self'"
 * allows it. tests/test_edge.py kills both replicas under a slide and a trust page and times the return.
 */
(function () {
  "use strict";
  if (window.nelReconnect) return;  // the page may load this file again after each rerun: set up once
  window.nelReconnect = true;

  var CHECK_MS = 500;         // how often to look, and to ask the health check while the connection is down
  var LOST_FOR_MS = 1000;     // a blip shorter than this is left to Streamlit
  var GRACE_MS = 4500;        // Streamlit's own client tries again at most 4 s apart: give it that chance first
  var KEY = "nelReconnectAt"; // never reload this tab more than once in RELOAD_GAP_MS (no reload loops)
  var RELOAD_GAP_MS = 10000;
  var connectedOnce = false, lostSince = 0, healthySince = 0, asking = false;

  function widgetSays() {
    var w = document.querySelector('[data-testid="stStatusWidget"]');
    return w ? w.textContent || "" : "";
  }
  function connectionLost() {  // Streamlit's labels for its connection states (1.67): "Connecting", "Error"
    return /Connecting|Error/.test(widgetSays());
  }
  function reloadSoon() {
    var last = Number(sessionStorage.getItem(KEY) || 0);
    if (Date.now() - last < RELOAD_GAP_MS) return;
    sessionStorage.setItem(KEY, String(Date.now()));
    location.reload();
  }

  setInterval(function () {
    if (!connectionLost()) {
      lostSince = 0;
      healthySince = 0;
      if (document.querySelector('[data-testid="stMain"] h1')) connectedOnce = true;
      return;
    }
    if (!connectedOnce) return;              // still opening the page for the first time: Streamlit's job
    if (!lostSince) lostSince = Date.now();
    if (asking || Date.now() - lostSince < LOST_FOR_MS) return;
    asking = true;
    fetch("/_stcore/health", { cache: "no-store", credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (text) {
        if (text.trim() !== "ok") { healthySince = 0; return; }
        if (!healthySince) healthySince = Date.now();
        if (Date.now() - healthySince >= GRACE_MS && connectionLost()) reloadSoon();
      })
      .catch(function () { healthySince = 0; /* still down: ask again on the next tick */ })
      .then(function () { asking = false; });
  }, CHECK_MS);
})();

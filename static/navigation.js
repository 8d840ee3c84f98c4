/* The menu and section links for keyboard, screen-reader and phone users (issue #16, section 4).
 *
 * Served by the app itself at /app/static/navigation.js (server.enableStaticServing) and loaded once per page by
 * components/ui/navigation.py, so the site's Content-Security-Policy ("script-src 'self'") allows it: no inline
 * script, no request to another host. It only adds to what Streamlit draws:
 *   - the sidebar's open control reads "Menu" (visible text and accessible name), its close control "Close menu";
 *   - on a narrow screen, where the menu covers the page, the menu closes once a page is chosen;
 *   - after a page is chosen from the menu, keyboard focus moves to the new page's heading (its first h1);
 *   - links to the dashboard's own pages open in this tab (Streamlit opens every Markdown link in a new one,
 *     which on a phone loses the reader's place and the back button);
 *   - a link that names a section (/workforce#wres) scrolls to it once the page has drawn: Streamlit draws the
 *     page after the browser has looked for the section, and drops the "#wres" when it writes the view's
 *     choices into the address;
 *   - while the menu is closed its links are inert: not Tab stops, not read, since they sit off-screen (issue #20);
 *   - each chart is one image named by its alt text: plotly's own SVG layers (tick labels, legend, hover layer) are
 *     hidden from screen readers, and where the sentence printed under a chart completes its name
 *     (components/ui/chart_card.py), the chart points to it as its description rather than repeating it.
 * Streamlit's markup is matched by its data-testid attributes (Streamlit 1.67); tests/test_browser_navigation.py
 * checks each behaviour in Chromium.
 */
(function () {
  "use strict";
  if (window.nelNavigation) return;  // the page may load this file again after each rerun: set up once
  window.nelNavigation = true;

  var NARROW = "(max-width: 768px)";  // Streamlit's "md" breakpoint: at or below it the menu covers the page
  var MAIN = '[data-testid="stMain"]';
  var NAV_LINK = '[data-testid="stSidebarNavLink"]';

  function sidebar() { return document.querySelector('[data-testid="stSidebar"]'); }
  function running() { return document.querySelector('[data-testid="stStatusWidget"]') !== null; }
  function stale(el) { return el.closest('[data-stale="true"]') !== null; }

  /* ---- "Menu": the sidebar's open and close controls, named in words */
  function labelControls() {
    var open = document.querySelector('[data-testid="stExpandSidebarButton"]');
    if (open && open.getAttribute("aria-label") !== "Menu") open.setAttribute("aria-label", "Menu");
    if (open && !open.querySelector(".nel-menu-label")) {
      var words = document.createElement("span");
      words.className = "nel-menu-label";
      words.textContent = "Menu";
      open.appendChild(words);
    }
    var close = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
    if (close && close.getAttribute("aria-label") !== "Close menu") close.setAttribute("aria-label", "Close menu");
  }
  /* ---- links to the dashboard's own pages open in this tab; downloads and other sites as Streamlit opens them */
  function sameTabLinks() {
    document.querySelectorAll(MAIN + ' a[target="_blank"]').forEach(function (a) {
      var url = new URL(a.href, location.href);
      if (url.origin !== location.origin || /^\/(media|app\/static)\//.test(url.pathname) || a.hasAttribute("download")) return;
      a.removeAttribute("target");
    });
  }

  /* ---- the closed menu's links are off-screen: take them out of the Tab order and the reading order */
  var menuWasOpen = null;   // the menu's state when last seen
  var backToMenu = false;   // it closed while focus was in it: focus "Menu" once Streamlit has drawn that button
  function pageStartFocused() { return !document.activeElement || document.activeElement === document.body; }
  function menuInert() {
    var bar = sidebar();
    if (!bar) return;
    var open = document.querySelector('[data-testid="stExpandSidebarButton"]');
    if (backToMenu && open) {
      backToMenu = false;
      if (pageStartFocused()) open.focus();
    }
    var closed = bar.getAttribute("data-collapsed") === "true";
    var wasOpen = menuWasOpen;
    menuWasOpen = !closed;
    if (closed === bar.hasAttribute("inert")) return;
    if (!closed) {
      backToMenu = false;
      bar.removeAttribute("inert");
      // "Menu" is gone once the menu opens and focus falls to the page's start, after the menu in the Tab order:
      // put it on the menu's first visible control ("Close menu" on a phone), so that Tab goes on to its links.
      if (wasOpen !== false || !pageStartFocused()) return;
      var inside = [bar.querySelector('[data-testid="stSidebarCollapseButton"] button'), bar.querySelector(NAV_LINK)]
        .filter(function (el) { return el && el.getClientRects().length && getComputedStyle(el).visibility === "visible"; })[0];
      if (inside) inside.focus();
      return;
    }
    // Closed with focus in the menu (or already fallen to the page's start): focus "Menu", not the page's start.
    if (wasOpen && (bar.contains(document.activeElement) || pageStartFocused())) {
      if (open) open.focus(); else backToMenu = true;
    }
    bar.setAttribute("inert", "");
  }

  /* ---- a chart is one named image; its sentence, where it completes the name, is its description */
  var CHART = '[data-testid="stPlotlyChart"], [data-testid="stDeckGlJsonChart"]';
  function setOnce(el, name, value) { if (el.getAttribute(name) !== value) el.setAttribute(name, value); }
  function chartsAsImages() {
    document.querySelectorAll(CHART).forEach(function (chart) {
      var said = chart.getAttribute("aria-describedby");  // a card redrawn without its sentence box: drop the link
      if (said && !document.getElementById(said)) chart.removeAttribute("aria-describedby");
    });
    document.querySelectorAll('[data-testid="stPlotlyChart"]').forEach(function (chart) {
      setOnce(chart, "role", "img");
      chart.querySelectorAll(".js-plotly-plot, .main-svg").forEach(function (layer) { setOnce(layer, "aria-hidden", "true"); });
    });
    document.querySelectorAll('[class*="st-key-chart-sentence-"]').forEach(function (box) {
      var key = Array.prototype.find.call(box.classList, function (c) { return c.indexOf("st-key-chart-sentence-") === 0; });
      var card = box.parentElement && box.parentElement.closest('[class*="st-key-card-"]');
      var chart = card && card.querySelector(CHART);
      var words = box.querySelector('[data-testid="stMarkdownContainer"]');
      if (!key || !chart || !words) return;
      setOnce(words, "id", "nel-" + key.slice("st-key-".length));
      setOnce(chart, "aria-describedby", words.id);
    });
  }

  function tidy() { labelControls(); sameTabLinks(); menuInert(); chartsAsImages(); }
  var labelQueued = false;
  new MutationObserver(function () {
    if (labelQueued) return;
    labelQueued = true;
    requestAnimationFrame(function () { labelQueued = false; tidy(); });
  }).observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ["data-collapsed"] });
  tidy();

  /* ---- after a page is chosen from the menu: close the menu on a narrow screen, focus the new page's h1 */
  function closeMenuIfCovering() {
    var bar = sidebar();
    if (!bar || bar.getAttribute("data-collapsed") !== "false" || !window.matchMedia(NARROW).matches) return;
    var close = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
    if (close) close.click();
  }

  function focusHeading(heading) {
    if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
    heading.setAttribute("data-nel-landing", "");
    heading.focus();
  }

  function focusNewPage(target, oldHeading, oldText) {
    var started = Date.now();
    var focused = null;
    var timer = setInterval(function () {
      var waited = Date.now() - started;
      if (waited > 15000) { clearInterval(timer); return; }
      var heading = document.querySelector(MAIN + " h1");
      if (focused) {
        // The page goes on drawing: if it redraws the heading, focus falls to the body; put it back.
        if (heading && heading !== focused && document.activeElement === document.body) focusHeading(heading);
        if (!running() && waited > 3000) clearInterval(timer);
        return;
      }
      if (location.pathname !== target || !heading || stale(heading)) return;
      var isNew = heading !== oldHeading || heading.textContent !== oldText;
      if (!isNew && waited < 2000) return;  // the same page chosen again: no new heading will come
      focusHeading(heading);
      focused = heading;
    }, 100);
  }

  document.addEventListener("click", function (event) {
    var link = event.target instanceof Element ? event.target.closest(NAV_LINK) : null;
    if (!link || !link.closest('[data-testid="stSidebar"]')) return;
    var oldHeading = document.querySelector(MAIN + " h1");
    var target = new URL(link.href, location.href).pathname;
    // After Streamlit's own click handler has started the page change.
    setTimeout(function () {
      closeMenuIfCovering();
      focusNewPage(target, oldHeading, oldHeading ? oldHeading.textContent : null);
    }, 0);
  });

  /* ---- a link that opens at a section: scroll to it once the page has drawn */
  function sectionAsked() {
    if (location.hash.length > 1) return location.hash.slice(1);
    // Streamlit may already have rewritten the address without the "#section": the address the page opened with
    var opened = performance.getEntriesByType("navigation")[0];
    var address = opened ? new URL(opened.name) : null;
    if (!address || address.pathname !== location.pathname || address.hash.length < 2) return "";
    return address.hash.slice(1);
  }

  function scrollToSection(id) {
    var started = Date.now();
    var lastTop = null;
    var steady = 0;
    var cancelled = false;
    function cancel() { cancelled = true; }
    ["wheel", "touchmove", "keydown", "mousedown"].forEach(function (name) {
      window.addEventListener(name, cancel, { once: true, capture: true, passive: true });
    });
    var timer = setInterval(function () {
      if (cancelled || Date.now() - started > 20000) { clearInterval(timer); return; }
      var section = document.getElementById(decodeURIComponent(id));
      if (!section || stale(section)) return;
      var main = document.querySelector(MAIN);
      var top = section.getBoundingClientRect().top + (main ? main.scrollTop : 0);
      // Charts draw after the script has run and push the section down: wait until nothing moves.
      steady = !running() && lastTop !== null && Math.abs(top - lastTop) < 1 ? steady + 1 : 0;
      lastTop = top;
      if (steady < 4) return;
      clearInterval(timer);
      section.scrollIntoView({ block: "start" });
      focusHeading(section);
      if (!location.hash) history.replaceState(history.state, "", location.pathname + location.search + "#" + id);
    }, 150);
  }

  var section = sectionAsked();
  if (section) scrollToSection(section);
})();

"""Hostile text is inert and hostile parameters are harmless.

- Every free-text field of a valid package holds HTML, <script>, event handlers, Markdown and HTML links,
  javascript: and data: URLs, images, very long strings, right-to-left and zero-width characters
  (tests/hostile.py HOSTILE_STRINGS). The text helpers, every page (AppTest) and the real server in
  Chromium show it as plain text: no dialog, no script, no element from the data in the DOM, links only
  http(s), no request to another host.
- Every page with every query parameter set to garbage, huge or repeated values gives a notice and a
  default, never an exception.

Figures for the README's reliability section are written to tests/artifacts/reliability/hostile.json.
"""
from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from bench.harness import RequestLog, app_server, exceptions, wait_for_app
from components.words import link, plain, safe_url
from data.package import load_package
from tests.hostile import ATTACKER, HOSTILE_STRINGS, hostile_package, hostile_urls
from tests.site import PAGES

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "dashboard.py")
ARTIFACTS = ROOT / "tests" / "artifacts" / "reliability"
PAGE_FILES = [f for f, _ in PAGES.values()] + ["pages/present.py"]
URL_PATHS = list(PAGES) + ["present"]
FIGURES: dict[str, int] = {}

# Raw markup that must never reach a Markdown element unescaped (plain() puts a backslash before it).
RAW_MARKUP = re.compile(r"(?<!\\)<\s*/?\s*(script|img|svg|a\b|iframe|link|style|b\b|span|object|embed)"
                        r"|(?<!\\)\]\((?!https?://|#|/)|(?<!\\)!\[|(?<!\\)\]\(https?://" + re.escape(ATTACKER) + r"/(md-link|pixel)",
                        re.IGNORECASE)


@pytest.fixture(scope="module", autouse=True)
def write_figures():
    yield
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / "hostile.json"
    old = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    path.write_text(json.dumps({**old, **FIGURES}, indent=2), encoding="utf-8")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    pkg, cells = hostile_package(tmp_path_factory.mktemp("hostile") / "nel")
    package = load_package(pkg)
    assert package.valid, [str(p) for p in package.problems[:5]]
    FIGURES["hostile strings"] = len(HOSTILE_STRINGS) + len(hostile_urls())
    FIGURES["hostile cells in the package"] = cells
    return pkg


# ---------------------------------------------------------------------------------------------
# The text helpers


INVISIBLE = re.compile("[\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


@pytest.mark.parametrize("text", HOSTILE_STRINGS + hostile_urls())
def test_plain_leaves_no_active_markup(text):
    out = plain(text)
    assert not RAW_MARKUP.search(out), out[:200]
    assert not INVISIBLE.search(out), "no zero-width or direction-control characters"
    assert len(out) <= 2 * 2000
    shown = re.sub(r"\\(.)", r"\1", out).replace("\u2060", "")
    assert shown == INVISIBLE.sub("", text) or (len(text) > 2000 and shown.endswith("…")), "the text itself is kept"


@pytest.mark.parametrize("text", ["\U0001F469\u200D\u2695\uFE0F nurse", "\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645",
                                  "\u0915\u094D\u200D\u0937"])
def test_plain_keeps_the_joiners_that_emoji_and_scripts_need(text):
    """Zero-width (non-)joiners shape Persian and Indic words and join emoji: removing them changes the text."""
    assert re.sub(r"\\(.)", r"\1", plain(text)) == text


def test_chart_downloads_keep_spreadsheet_formulas_from_running():
    import pandas as pd

    from components.cards.base import ChartCard

    cells = ['=HYPERLINK("https://attacker.invalid","x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1",
             "-10.5", "+1.8", "fewer than 5", "a=b"]
    table = pd.DataFrame({"Text": cells, "Value": [-3.25] * len(cells)})
    card = ChartCard("k", "t", "s", None, "alt", "sentence", table)
    rows = list(csv.reader(io.StringIO(card.csv_bytes().decode("utf-8"))))[1:]
    assert [r[0] for r in rows] == ["'" + c for c in cells[:5]] + cells[5:]
    assert {r[1] for r in rows} == {"-3.25"}
    assert list(card.table["Text"]) == cells, "the table on screen is unchanged"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)", "data:text/html,<b>x</b>",
                                 "vbscript:msgbox(1)", "//attacker.invalid/x", "/relative", "file:///etc/passwd",
                                 "https:/no-host", "http://", *hostile_urls()[:1], "https://ok.example/a b",
                                 "https://ok.example/\"onclick", "https://ok.example/<x>", "https://ok.example/`x`"])
def test_links_are_only_ever_plain_http_or_https(url):
    assert safe_url(url) is None
    out = link("Title [x](javascript:alert(1))", url)
    assert "](" not in out.replace("\\]\\(", "")


@pytest.mark.parametrize("text", ["https://attacker.invalid/x", "HTTP://X.INVALID/y", "see WWW.attacker.invalid now",
                                  "write to someone@attacker.invalid", "mailto:a@b.invalid"])
def test_plain_keeps_addresses_in_text_from_becoming_links(text):
    """Streamlit's Markdown links bare URLs, www. names and e-mail addresses even when escaped."""
    bare = plain(text).replace("\\", "")
    assert "://" not in bare and not re.search(r"(?i)www\.", bare) and not re.search("@(?!\u2060)", bare), bare


def test_inert_figure_keeps_the_builders_formatting_and_disarms_the_data():
    import plotly.graph_objects as go

    from components.cards.base import inert_figure

    name = f'<a href="https://{ATTACKER}/html-link">x</a> <span style="font-size:99px">y</span> <b onclick=1>z</b>'
    fig = go.Figure(go.Bar(x=[name, "ok"], y=[1, 2], name=name, customdata=[[name], ["ok"]],
                           hovertemplate="<b>%{x}</b><br>%{customdata[0]}<extra></extra>"))
    fig.update_layout(title="<i>Title</i> < 5 <sup>1</sup>")
    spec = inert_figure(fig).to_plotly_json()
    trace = spec["data"][0]
    for text in (trace["name"], trace["x"][0], trace["customdata"][0][0]):
        assert "<a" not in text and "<span" not in text and "<b " not in text and "&lt;a href" in text
    assert trace["hovertemplate"] == "<b>%{x}</b><br>%{customdata[0]}<extra></extra>"
    assert spec["layout"]["title"]["text"] == "<i>Title</i> &lt; 5 <sup>1</sup>"
    assert list(trace["y"]) == [1, 2]


def test_a_good_link_keeps_its_target_and_escapes_its_text():
    out = link("NHS <b>data</b> [x](javascript:1)", "https://www.england.nhs.uk/a_(b)")
    assert out.endswith("](https://www.england.nhs.uk/a_%28b%29)")
    assert "<b>" not in out and "\\<b\\>" in out


# ---------------------------------------------------------------------------------------------
# Every page on the hostile package (AppTest): no exception, no raw markup in any Markdown element


def markdown_bodies(at: AppTest) -> list[str]:
    out = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "warning", "info", "error", "success"):
        out += [str(e.value) for e in getattr(at, kind)]
    return out


def table_cells(at: AppTest) -> list[str]:
    """st.table renders Markdown in its cells: every string cell must be escaped too."""
    cells = []
    for t in at.table:
        frame = t.value
        for col in frame.columns:
            cells.append(str(col))
            cells += [str(v) for v in frame[col].tolist() if isinstance(v, str)]
    return cells


def test_every_page_shows_hostile_text_as_text(hostile, monkeypatch):
    monkeypatch.setenv("NEL_DATA", str(hostile))
    at = AppTest.from_file(APP, default_timeout=120).run()
    shown = 0
    for page in PAGE_FILES:
        if page != "pages/overview.py":
            at.switch_page(page).run()
        assert not at.exception, (page, [e.value[:300] for e in at.exception])
        assert len(at.title) == 1, page
        for body in markdown_bodies(at) + table_cells(at):
            m = RAW_MARKUP.search(body)
            assert not m, f"{page}: active markup {m.group(0)!r} in {body[:200]!r}"
        shown += sum("\\<script\\>" in b for b in markdown_bodies(at) + table_cells(at))
    assert shown > 0, "the hostile strings are shown (escaped), not dropped"
    FIGURES["pages checked in AppTest"] = len(PAGE_FILES)


# ---------------------------------------------------------------------------------------------
# Hostile query parameters

PARAMS = ("org", "borough", "year", "group", "measure", "deck", "slide")
GARBAGE = [
    "'; DROP TABLE workforce; --",
    "<script>alert(1)</script>",
    "%00\x00",
    "../../etc/passwd",
    "👩🏽‍⚕️ \u202eR1H مرحبا",
    "x" * 5000,
    f"![i](https://{ATTACKER}/pixel.png)",
    "99999999999999999999999",
    ["R1H", "<img src=x onerror=alert(1)>"],
    ["x" * 5000] * 20,
]
# Which parameters each page reads (and must answer with a notice and a default when they are bad).
READS = {"pages/workforce.py": {"org", "group", "year"}, "pages/trust.py": {"org", "group"},
         "pages/remi.py": {"org", "year"}, "pages/boroughs.py": {"borough", "measure"},
         "pages/data.py": {"org"}, "pages/present.py": {"deck", "slide"}, "pages/overview.py": set(),
         "pages/strategy.py": set(), "pages/outcomes.py": set()}
NOTICE = re.compile(r"is not one this page knows|too long to be valid")


def test_pages_read_the_parameters_listed():
    for page, names in READS.items():
        text = (ROOT / page).read_text(encoding="utf-8")
        # and the page's own sections, where it keeps them in components/ui/ (pages/data.py: ui/about_data.py)
        for module in re.findall(r"^from components\.ui\.(\w+) import", text, re.MULTILINE):
            text += (ROOT / "components" / "ui" / f"{module}.py").read_text(encoding="utf-8")
        for name in names:
            assert f'"{name}"' in text, (page, name)
    assert set(READS) == set(PAGE_FILES)


@pytest.mark.parametrize("walk", range(len(GARBAGE)), ids=[f"walk{i}" for i in range(len(GARBAGE))])
def test_hostile_parameters_give_a_notice_and_a_default(walk, monkeypatch):
    """Walk k sets parameter i to GARBAGE[(k + i) % n]: over all walks every parameter meets every value on every page."""
    monkeypatch.delenv("NEL_DATA", raising=False)
    at = AppTest.from_file(APP, default_timeout=120)
    values = {name: GARBAGE[(walk + i) % len(GARBAGE)] for i, name in enumerate(PARAMS)}
    first = True
    for page in PAGE_FILES:
        at.query_params.clear()
        for name, value in values.items():
            at.query_params[name] = value
        if first:
            at.run()
            first = False
            if page != "pages/overview.py":
                at.switch_page(page).run()
        else:
            at.switch_page(page).run()
        assert not at.exception, (page, values, [e.value[:300] for e in at.exception])
        assert len(at.title) == 1 and at.title[0].value, page
        notices = [i.value for i in at.info if NOTICE.search(i.value)]
        assert len(notices) >= len(READS[page]), (page, {k: str(v)[:40] for k, v in values.items()}, notices)
        for n in notices:
            assert len(n) < 300 and not RAW_MARKUP.search(n), n[:300]
        for name in READS[page]:
            now = at.query_params.get(name)
            now = now[-1] if isinstance(now, list) else now
            sent = values[name][-1] if isinstance(values[name], list) else values[name]
            assert now != sent, f"{page} kept the bad {name} in the URL"
    FIGURES["hostile parameter values"] = len(GARBAGE)
    FIGURES["hostile parameter page runs"] = FIGURES.get("hostile parameter page runs", 0) + len(PAGE_FILES)


def test_repeated_good_values_take_the_last(monkeypatch):
    monkeypatch.delenv("NEL_DATA", raising=False)
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["org"] = ["R1H", "RF4"]
    at.run()
    at.switch_page("pages/trust.py").run()
    assert not at.exception
    assert not [i.value for i in at.info if NOTICE.search(i.value)]
    assert "Barking, Havering and Redbridge" in " ".join(m.value for m in at.markdown) or \
        "RF4" in str(at.query_params.get("org"))


# ---------------------------------------------------------------------------------------------
# The real server in Chromium on the hostile package

DOM_CHECK = """() => {
  const bad = [];
  const attacker = %s;
  document.querySelectorAll('[data-hostile], iframe, object, embed').forEach(e => bad.push('element ' + e.outerHTML.slice(0, 120)));
  document.querySelectorAll('script').forEach(s => {
    if ((s.textContent || '').includes('__pwned')) bad.push('script ' + s.textContent.slice(0, 80));
  });
  document.querySelectorAll('img, image, link, source, video, audio').forEach(e => {
     const u = e.getAttribute('src') || e.getAttribute('href') || e.getAttribute('xlink:href') || '';
     if (u.includes(attacker) || u === 'x') bad.push('resource ' + e.outerHTML.slice(0, 120)); });
  document.querySelectorAll('a').forEach(a => {
     const h = a.getAttribute('href') || a.getAttribute('xlink:href');
     if (h === null || h.startsWith('#')) return;  // heading anchors on this page
     const abs = new URL(h, location.href);
     if (!['http:', 'https:'].includes(abs.protocol)) bad.push('link ' + h.slice(0, 120));
     if (/\\/(html-link|md-link|pixel\\.png|frame|x\\.css)/.test(h)) bad.push('link from text ' + h.slice(0, 120)); });
  document.querySelectorAll('*').forEach(e => { for (const at of e.attributes) {
     if (at.name.startsWith('on') && at.value.includes('__pwned')) bad.push('handler ' + e.tagName + ' ' + at.name); } });
  document.querySelectorAll('style').forEach(s => {
    if ((s.textContent || '').includes('display:none!important')) bad.push('style from data');
  });
  if (window.__pwned !== undefined) bad.push('script ran: ' + window.__pwned);
  return bad;
}""" % json.dumps(ATTACKER)


@pytest.mark.browser
def test_hostile_package_in_the_browser(browser, hostile):
    dialogs: list[str] = []
    hovered = literal = 0
    with app_server(data=str(hostile)) as base:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        log = RequestLog(page, base)
        try:
            for path in URL_PATHS:
                min_charts = PAGES[path][1] if path in PAGES else 1
                page.goto(f"{base}/{path}")
                wait_for_app(page, min_charts=min_charts)
                assert exceptions(page) == [], path
                # Expanders' contents (tables, About: sources with links) are in the DOM while closed.
                # Hover the charts so that plotly draws hover labels from the data too.
                for chart in page.locator('[data-testid="stPlotlyChart"] .js-plotly-plot:visible').all()[:3]:
                    chart.scroll_into_view_if_needed()
                    box = chart.bounding_box()
                    if box:
                        for fx in (0.35, 0.65):
                            page.mouse.move(box["x"] + box["width"] * fx, box["y"] + box["height"] * 0.5)
                            page.wait_for_timeout(40)
                            hovered += 1
                page.wait_for_timeout(200)
                bad = page.evaluate(DOM_CHECK)
                assert bad == [], (path, bad[:10])
                literal += "<script>" in page.locator('[data-testid="stMain"]').inner_text()
            assert dialogs == []
            assert literal >= 2, "the hostile text is shown as text on the pages that print it"
            page.wait_for_timeout(500)
            assert log.foreign() == [], log.foreign()[:5]
            assert not [u for u in log.urls if ATTACKER in u]
        finally:
            context.close()
    FIGURES["browser pages on the hostile package"] = len(URL_PATHS)
    FIGURES["browser hover points"] = hovered
    FIGURES["browser requests seen (hostile package)"] = len(log.urls)


@pytest.mark.browser
def test_hostile_parameters_in_the_browser(browser, server):
    """Markup in a link's parameters: no dialog, no script, no image fetched, no element made."""
    dialogs: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    log = RequestLog(page, server)
    import urllib.parse as up
    try:
        for path, value in [("trust", f"![i](https://{ATTACKER}/pixel.png)"), ("workforce", "<img src=x onerror=alert(1) data-hostile=1>"),
                            ("remi", f"[click](https://{ATTACKER}/md-link)"), ("boroughs", "<script>window.__pwned=1</script>"),
                            ("present", "\u202e<svg onload=alert(1) data-hostile=1>")]:
            q = up.urlencode({k: value for k in PARAMS})
            page.goto(f"{server}/{path}?{q}")
            wait_for_app(page, min_charts=1)
            assert exceptions(page) == []
            notices = page.locator('[data-testid="stAlertContentInfo"]').all_inner_texts()
            assert any("not one this page knows" in n or "too long" in n for n in notices), (path, notices)
            assert page.evaluate(DOM_CHECK) == [], path
        assert dialogs == []
        page.wait_for_timeout(500)
        assert log.foreign() == [], log.foreign()[:5]
    finally:
        context.close()


# ---------------------------------------------------------------------------------------------
# Hardening that Streamlit enforces with this configuration (XSRF on, same-origin websocket, no CORS)


def test_the_server_refuses_cross_site_use(server):
    import urllib.error
    import urllib.request

    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect  # sync: the session's Playwright may own this thread's event loop

    with pytest.raises(InvalidStatus) as refused, connect(server.replace("http://", "ws://") + "/_stcore/stream",
                                                          subprotocols=["streamlit"], origin=f"https://{ATTACKER}",
                                                          open_timeout=20):
        pass
    assert refused.value.response.status_code == 403, "a page on another site cannot open a session"
    upload = urllib.request.Request(server + "/_stcore/upload_file/session/file", method="PUT", data=b"x",
                                    headers={"Origin": f"https://{ATTACKER}"})
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(upload, timeout=10)
    assert info.value.code == 403, "uploads need the XSRF token (only /contribute takes uploads)"
    with urllib.request.urlopen(urllib.request.Request(server + "/_stcore/health", headers={"Origin": f"https://{ATTACKER}"}),
                                timeout=10) as r:
        assert r.headers.get("Access-Control-Allow-Origin") in (None, ""), "no CORS grant to another site"

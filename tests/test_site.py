"""`make site`: the low-bandwidth version. Every public page as plain HTML with no script, within
150 KB compressed, every chart an inline SVG named for screen readers, links to and from the app,
no request to another host and no sideways scrolling at 320 px in Chromium, and with
NEL_ILLUSTRATIVE=hide no illustrative marking or value in any file."""
from __future__ import annotations

import csv
import gzip
import io
import os
import re
import shutil
import subprocess
import sys
import threading
import urllib.parse
import xml.etree.ElementTree as ET
from functools import partial
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bench.harness import CHROMIUM, ROOT, RequestLog, chromium_available
from components.publish.site import Writer, check_files, lite_path
from components.publish.site_pages import Content
from data.package import load_package, published_only
from tests.conftest import IN_CI

SHIPPED = ROOT / "data" / "nel"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
LIMIT = 150 * 1024


def organisations() -> list[dict]:
    with (SHIPPED / "organisations.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


TRUSTS = [o["ods_code"] for o in organisations() if "trust" in o["kind"]]


def build(output: Path, mode: str) -> subprocess.CompletedProcess:
    if not chromium_available():   # the charts are drawn by Chromium at build time
        if IN_CI:
            pytest.fail(f"CI=true and Debian chromium is missing at {CHROMIUM}: `make site` needs it")
        pytest.skip("Debian chromium not installed")
    env = {**os.environ, "NEL_ILLUSTRATIVE": mode, "NEL_DATA": str(SHIPPED)}
    env.pop("NEL_PUBLIC_URL", None)
    result = subprocess.run([sys.executable, "-m", "components.publish.site", "--output", str(output)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    result = build(out, "show")
    assert re.search(rf"wrote {re.escape(str(out))}: \d+ pages, \d+ files", result.stdout)
    assert "compressed" in result.stdout                               # the sizes at the end
    assert re.search(r"\[#+\.*\] \d+/\d+ drawing charts", result.stderr)  # the progress bar
    return out


@pytest.fixture(scope="module")
def hidden_site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site-hide") / "site"
    build(out, "hide")
    return out


def pages(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.html"))}


class Parsed(HTMLParser):
    """Links, top-level SVGs (with their accessible names) and chart cards of one page."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []
        self.svgs: list[dict] = []
        self.cards = 0
        self.cards_with_svg = 0
        self._svg_depth = 0
        self._in_card = 0
        self._card_has_svg = False
        self._title_of: dict | None = None
        self._link: list | None = None
        self._depth_at_card: list[int] = []
        self._div_depth = 0
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "div":
            self._div_depth += 1
            if "card" in (a.get("class") or "").split():
                self.cards += 1
                self._depth_at_card.append(self._div_depth)
                self._card_has_svg = False
        if tag == "svg":
            if self._svg_depth == 0:
                self.svgs.append({"attrs": a, "title": ""})
                if self._depth_at_card:
                    self._card_has_svg = True
            self._svg_depth += 1
        elif tag == "title" and self._svg_depth == 1:
            self._title_of = self.svgs[-1]
        elif tag == "a" and self._svg_depth == 0:
            self._link = [a.get("href") or "", ""]

    def handle_endtag(self, tag):
        if tag == "svg":
            self._svg_depth -= 1
        elif tag == "title":
            self._title_of = None
        elif tag == "a" and self._link is not None:
            self.links.append((self._link[0], self._link[1].strip()))
            self._link = None
        elif tag == "div":
            if self._depth_at_card and self._depth_at_card[-1] == self._div_depth:
                self._depth_at_card.pop()
                self.cards_with_svg += self._card_has_svg
            self._div_depth -= 1

    def handle_data(self, data):
        if self._title_of is not None:
            self._title_of["title"] += data
        if self._link is not None:
            self._link[1] += data


def test_every_public_page_is_built(site):
    names = set(pages(site))
    assert {"index.html", "boroughs.html", "strategy.html", "data.html", "workforce-NEL.html"} <= names
    for code in TRUSTS:
        assert {f"workforce-{code}.html", f"trust-{code}.html", f"remi-{code}.html"} <= names, code
    assert "remi-QMF.html" in names            # the app's default REMI view (the ICB)
    assert (site / "site.css").stat().st_size < 8 * 1024
    assert (site / "robots.txt").exists()
    feed = ET.parse(site / "feed.xml").getroot()      # the feed of releases, named in every page's head
    assert len(feed.findall("{http://www.w3.org/2005/Atom}entry")) == len(load_package(SHIPPED).tables["releases"])
    assert all("type='application/atom+xml'" in text.split("</head>")[0] for text in pages(site).values())


def test_no_script_and_within_the_size_limit(site):
    for name, text in pages(site).items():
        assert not re.search(r"<script\b", text, re.IGNORECASE), name
        assert not re.search(r"<[^>]*\son[a-z]+\s*=", text, re.IGNORECASE), name      # no inline event handler
        assert "javascript:" not in text.lower(), name
        assert len(gzip.compress(text.encode("utf-8"), 6)) <= LIMIT, name
        # Nothing is loaded from another host: only the page's own stylesheet.
        loads = re.findall(r"<(?:link|img|iframe|source|video|audio)\b[^>]*(?:src|href)=['\"]([^'\"]+)", text)
        # no favicon request either; the feed of releases is only named (rel=alternate), never loaded
        assert loads == ["data:,", "site.css", "feed.xml"], (name, loads)
        assert "<link rel='alternate' type='application/atom+xml'" in text


def test_every_chart_is_an_svg_with_an_accessible_name(site):
    total = 0
    for name, text in pages(site).items():
        parsed = Parsed(text)
        assert parsed.cards_with_svg == parsed.cards, name     # every card has its chart
        for svg in parsed.svgs:
            attrs = svg["attrs"]
            assert attrs.get("role") == "img", name
            label = attrs.get("aria-label", "")
            assert len(label) > 20 and svg["title"].strip() == label, (name, label)
            assert "viewbox" in attrs and "width" not in attrs, name     # scales to the column
        ids = re.findall(r'\bid="([^"]+)"', text)
        assert len(ids) == len(set(ids)), name                        # inline SVGs' ids do not collide
        total += len(parsed.svgs)
    assert total >= 40
    trust = Parsed(pages(site)["trust-R1H.html"])
    # compare, trend, WRES 2-4, 5-8, board, REMI: each drawn for a phone and for a desktop
    assert trust.cards == 6 and len(trust.svgs) == 12
    assert [s["attrs"]["class"] for s in trust.svgs[:2]] == ["chart narrow", "chart wide"]


def test_each_chart_has_its_sentence_table_csv_and_source(site):
    text = pages(site)["workforce-R1H.html"]
    cards = text.split('<div class="card"')[1:]
    assert len(cards) == 4
    for card in cards:
        assert '<p class="sentence">' in card and "<table" in card and "<strong>Sources:</strong>" in card
        assert "<strong>Status:</strong>" in card and "<strong>Period:</strong>" in card
        href = re.search(r"<a href='(csv/[^']+\.csv)' download>", card).group(1)
        rows = list(csv.reader(io.StringIO((site / href).read_text(encoding="utf-8"))))
        assert "Status" in rows[0] and len(rows) > 1
        # The CSV holds the rows the table shows.
        table = re.search(r"<table\b.*?</table>", card, re.DOTALL).group(0)
        assert table.count("<tr") == len(rows)
    assert "<strong>Includes illustrative values</strong> (not real data)" in text   # marked as in the app


def test_links_both_ways(site):
    for name, text in pages(site).items():
        links = Parsed(text).links
        back = [h for h, label in links if label == "Open the interactive version of this page"]
        assert len(back) == 1, name
        parts = urllib.parse.urlsplit(back[0])
        assert not parts.netloc and parts.path.startswith("/"), back[0]     # the app on the same host
        params = urllib.parse.parse_qs(parts.query)
        assert lite_path(parts.path, params) == "/lite/" + name, (name, back[0])
        for href, _ in links:          # every link inside the site leads to a built file
            target = urllib.parse.urlsplit(href)
            if not target.scheme and not target.path.startswith("/") and target.path:
                assert (site / target.path).is_file(), (name, href)
    assert "href='/trust?org=RF4'" in pages(site)["trust-RF4.html"]
    assert "href='/'" in pages(site)["index.html"]


def test_lite_path():
    assert lite_path("/", {}) == "/lite/index.html"
    assert lite_path("", {}) == "/lite/index.html"
    assert lite_path("/overview", {}) == "/lite/index.html"
    assert lite_path("/boroughs", {"borough": "E09000025", "measure": "x"}) == "/lite/boroughs.html"
    assert lite_path("/trust", {"org": "RF4"}) == "/lite/trust-RF4.html"
    assert lite_path("trust/", {"org": ["R1H", "RF4"]}) == "/lite/trust-RF4.html"    # st.query_params.get_all
    assert lite_path("/trust", {}) == "/lite/trust-R1H.html"                        # the app's defaults
    assert lite_path("/workforce", {"year": "2023"}) == "/lite/workforce-NEL.html"
    assert lite_path("/remi", {"org": None}) == "/lite/remi-QMF.html"
    assert lite_path("/workforce", {"org": "../../etc"}) == "/lite/workforce-NEL.html"
    assert lite_path("/workforce", {"org": "<script>"}) == "/lite/workforce-NEL.html"
    assert lite_path("/strategy", {}) == "/lite/strategy.html"
    assert lite_path("/data", {}) == "/lite/data.html"
    assert lite_path("/present", {"deck": "default", "slide": "2"}) == "/lite/present-default-2.html"
    assert lite_path("/present", {"deck": "../x", "slide": "-1"}) == "/lite/present-default-1.html"


def test_hidden_mode_has_no_illustrative_marking_or_value(site, hidden_site):
    hidden = {p.relative_to(hidden_site): p.read_text(encoding="utf-8") for p in hidden_site.rglob("*") if p.is_file()}
    # The page for each app page's default view exists whatever is published (lite_path's targets).
    for path in ("/", "/boroughs", "/workforce", "/remi", "/trust", "/strategy", "/data"):
        assert Path(lite_path(path, {}).removeprefix("/lite/")) in hidden, path
    for name, text in hidden.items():
        assert "not real data" not in text.lower(), name
        if name.name != "site.css":    # the stylesheet styles the marking for the demonstration build
            assert "illustrative" not in text.lower(), (name, text[max(0, text.lower().find("illustrative") - 80):][:200])
        assert "Includes illustrative values" not in text, name
        if name.suffix == ".csv":
            for row in csv.reader(io.StringIO(text)):
                assert not any(cell.strip().lower().startswith("illustrative") for cell in row), (name, row)
    # The show build marks them, so the check above can fail.
    shown = "".join(p.read_text(encoding="utf-8") for p in site.rglob("*.csv"))
    assert "Illustrative (not real data)" in shown
    # Every chart of the hidden site is drawn from published rows only.
    content = Content(published_only(load_package(SHIPPED)), hidden=True)
    for page in content.pages():
        for block in page.body:
            if hasattr(block, "table") and "Status" in block.table:
                statuses = set(block.table["Status"].dropna().astype(str)) - {""}
                assert statuses <= {"Published"}, (page.file, block.key, statuses)


def test_hostile_text_is_escaped_and_a_script_stops_the_build(tmp_path):
    pkg = tmp_path / "nel"
    shutil.copytree(SHIPPED, pkg)
    path = pkg / "pillars.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("Leadership and workforce",
                                                             "<script>alert(1)</script>"), encoding="utf-8")
    content = Content(load_package(pkg), hidden=False)
    text = Writer(tmp_path / "out", "", False).page_html(content.strategy())
    assert "<script>alert(1)</script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert check_files({"a.html": b"<p>ok</p><script>x()</script>"}, hidden=False) == ["a.html: has a script"]
    assert check_files({"a.csv": b"x,Status\n1,Illustrative (not real data)\n"}, hidden=True)
    assert check_files({"a.csv": b"x,Status\n1,Published\n"}, hidden=True) == []


@pytest.fixture(scope="module")
def served(site):
    handler = partial(SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *args: None
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.browser
def test_pages_in_chromium_at_320px(browser, site, served):
    context = browser.new_context(viewport={"width": 320, "height": 640}, java_script_enabled=True)
    page = context.new_page()
    try:
        for name in pages(site):
            log = RequestLog(page, served)
            page.goto(f"{served}/{name}")
            page.wait_for_load_state("load")
            assert log.foreign() == [] and log.failed == [], name
            # Lay out every card (the CSS defers those below the screen) and open every table, then measure.
            page.add_style_tag(content=".card { content-visibility: visible !important; }")
            page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 320, (name, width)
            clipped = page.evaluate("[...document.querySelectorAll('.card')].filter(c => c.scrollWidth > c.clientWidth).length")
            assert clipped == 0, name
            names = page.evaluate("[...document.querySelectorAll('main svg[role=img]')].map(s => s.getAttribute('aria-label'))")
            assert all(names), name
            if name in ("index.html", "trust-R1H.html", "data.html"):
                page.add_script_tag(path=str(AXE))
                result = page.evaluate("() => axe.run(document, {runOnly: {type: 'tag', values: "
                                       "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})")
                assert [v["id"] for v in result["violations"]] == [], (name, result["violations"][:3])
    finally:
        context.close()


def test_a_broken_table_gives_a_notice_not_a_crash(tmp_path):
    pkg = tmp_path / "nel"
    shutil.copytree(SHIPPED, pkg)
    (pkg / "workforce.csv").write_text("not,the,columns\n1,2,3\n", encoding="utf-8")
    package = load_package(pkg)
    assert package.unavailable("workforce") is not None
    content = Content(package, hidden=False)
    writer = Writer(tmp_path / "out", "", False)
    html = {page.file: writer.page_html(page) for page in content.pages()}
    assert "the published file for workforce failed its checks" in html["workforce-R1H.html"]
    assert "the published file for workforce failed its checks" in html["index.html"]
    assert "<h2>WRES indicators 2 to 9</h2>" in html["workforce-R1H.html"]     # the rest still drawn


def test_static_builds_do_not_load_streamlit():
    """make site and make report draw from the pure chart code: Streamlit's app glue stays out of them."""
    import subprocess
    import sys

    code = "import sys, components.publish.site, components.publish.report, components.publish.share; print('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[1],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-500:]
    assert out.stdout.strip() == "False"


@pytest.mark.browser
def test_each_slide_has_a_page_for_the_phone_that_scans_its_qr_code(browser, hidden_site):
    """The QR code on a slide opens the slide's low-bandwidth page (static: no app session per phone). One page per
    slide as the public deck shows it, numbered the same way; each reads on a 390x844 phone with no sideways
    scrolling, its title at least 80% of the screen wide, its chart, figures or table, and a link to the live slide."""
    from components.publish.deck import load_decks
    from components.publish.deck_public import shown_slides

    slides = shown_slides(published_only(load_package(SHIPPED)), load_decks()[0]["default"], hidden=True)
    names = sorted(p.name for p in hidden_site.glob("present-default-*.html"))
    assert names == sorted(f"present-default-{s.number}.html" for s in slides)
    handler = partial(SimpleHTTPRequestHandler, directory=str(hidden_site))
    handler.log_message = lambda *args: None
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    try:
        for s in slides:
            name = f"present-default-{s.number}.html"
            log = RequestLog(page, base)
            page.goto(f"{base}/{name}")
            page.wait_for_load_state("load")
            assert log.foreign() == [] and log.failed == [], name
            m = page.evaluate("""() => ({width: document.documentElement.clientWidth,
                scrollWidth: document.documentElement.scrollWidth, title: document.querySelector('h1').innerText,
                titleWidth: document.querySelector('h1').getBoundingClientRect().width,
                images: document.querySelectorAll('img').length,
                shows: document.querySelectorAll('main svg[role=img], .big-figures, main table').length,
                live: [...document.querySelectorAll('a')].filter(a => a.innerText.includes('interactive version'))
                      .map(a => a.getAttribute('href'))})""")
            assert m["scrollWidth"] <= m["width"] and m["titleWidth"] >= 0.8 * m["width"], (name, m)
            assert m["title"] == s.card.title and m["title"] != "Not yet published", name
            assert m["images"] == 0 and m["shows"] >= 1, name          # no QR code of its own; something shown
            assert m["live"] == [f"/present?deck=default&slide={s.number}"], name
            text = page.locator("main").inner_text()
            assert f"Slide {s.number} of {len(slides)}" in text and "Source" in text, name
            if s.gaps or s.figures:
                page.add_script_tag(path=str(AXE))
                result = page.evaluate("() => axe.run(document, {runOnly: {type: 'tag', values: "
                                       "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})")
                assert [v["id"] for v in result["violations"]] == [], (name, result["violations"][:3])
    finally:
        context.close()
        httpd.shutdown()
        httpd.server_close()

"""Slides a room can read (presenter mode, /present): the chart fills the screen, text is large, dense charts
have slide layouts, clicker keys move between slides, a QR code leads to the same slide on the public site,
every slide with invented values says so in a banner, and every slide passes axe.

Browser checks measure the real layout in Chromium at 1280x720 and 1920x1080 and write what they measured
to tests/artifacts/slides.json.
"""
from __future__ import annotations

import base64
import io
import json
from typing import ClassVar

import pytest
import segno
from streamlit.testing.v1 import AppTest

from bench.harness import (
    ARTIFACTS,
    ROOT,
    RequestLog,
    app_server,
    exceptions,
    wait_for_app,
)
from components.cards.catalogue import build
from components.charts.palette import ILLUSTRATIVE_LABEL
from components.publish.deck import (
    SLIDE_FONT_PX,
    DeckError,
    finding_beside,
    load_decks,
    parse_deck,
    presentation_figure,
)
from components.ui.package_cache import MODE_LINES
from components.ui.present import (
    ILLUSTRATIVE_BANNER,
    MIXED_BANNER,
    build_slide,
    public_url,
    qr_html,
    qr_png_data_uri,
    slide_url,
)
from data.package import load_package

APP = str(ROOT / "dashboard.py")
PUBLIC = "https://dashboard.example.org"
DECK = load_decks()[0]["default"]
SLIDES = list(range(1, len(DECK.slides) + 1))
REMI_SLIDE = next(i for i, s in enumerate(DECK.slides, start=1) if s.kind == "remi_radar")
MAP_SLIDE = next(i for i, s in enumerate(DECK.slides, start=1) if s.kind == "residents_map")
BANNERS = (ILLUSTRATIVE_BANNER, MIXED_BANNER)


@pytest.fixture(scope="module")
def tables():
    return load_package(ROOT / "data" / "nel").tables  # every row, illustrative ones included


# --- The deck file ------------------------------------------------------------------------------

def test_qr_code_can_be_switched_off_per_deck():
    slides = "slides:\n  - kind: strategy_progress\n"
    assert parse_deck("a", slides).qr_code is True
    assert parse_deck("b", "qr_code: false\n" + slides).qr_code is False
    with pytest.raises(DeckError, match="qr_code"):
        parse_deck("c", "qr_code: sometimes\n" + slides)
    assert DECK.qr_code is True


# --- Slide kinds: one WRES indicator per slide -----------------------------------------------------

@pytest.mark.parametrize("kind,indicators", [("wres_ratio_slide", (2, 3, 4)), ("wres_survey_slide", (5, 6, 7, 8))])
def test_wres_slides_show_one_indicator_with_a_row_per_organisation(tables, kind, indicators):
    for indicator in indicators:
        card = build(tables, kind, org="NEL", indicator=indicator)
        assert card is not None
        assert set(card.table["Indicator"].str.split(".").str[0]) == {str(indicator)}
        rows = list(card.figure.layout.yaxis.categoryarray)
        assert len(rows) == len(card.table) == len(set(rows)) == 6  # five trusts and England, each on its own row
        assert [r.split(":")[0] for r in rows[::-1]][:5] == ["Barts Health", "NELFT", "BHRUT", "Homerton Healthcare", "ELFT"]
        short = card.table["Indicator"].iloc[0].split(". ", 1)[1]
        assert short in card.title
        assert card.title.startswith("Illustrative example: ")  # the trusts' figures are invented in the demo


def test_a_slide_kind_with_a_wrong_indicator_gives_a_notice_not_an_error(tables):
    from components.publish.deck import Slide

    class Pkg:  # build_slide reads .tables and .broken
        broken: ClassVar[dict] = {}

    Pkg.tables = tables
    card, notice = build_slide(Pkg, Slide("wres_ratio_slide", {"org": "NEL", "indicator": 6}))
    assert card is None and "settings do not match" in notice


# --- Slide figures: 28 px text, legend clear of the axis, no fixed height ----------------------------

def _font_sizes(fig) -> list[float]:
    sizes = [fig.layout.font.size, fig.layout.legend.font.size]
    sizes += [a.font.size for a in fig.layout.annotations]
    for axis in [*fig.select_xaxes(), *fig.select_yaxes()]:
        sizes += [axis.tickfont.size, axis.title.font.size]
    for polar in fig.select_polars():
        sizes += [polar.angularaxis.tickfont.size, polar.radialaxis.tickfont.size]
    for trace in fig.data:
        if trace.type in ("scatter", "bar") and trace.textfont.size is not None:
            sizes.append(trace.textfont.size)
    return sizes


@pytest.mark.parametrize("number", SLIDES)
def test_slide_figure_is_made_for_a_projector(tables, number):
    slide = DECK.slides[number - 1]
    card = build(tables, slide.kind, **slide.params)
    fig = presentation_figure(card.figure)
    assert SLIDE_FONT_PX >= 28
    assert min(s for s in _font_sizes(fig) if s is not None) >= 28
    assert fig.layout.height is None  # the slide gives it the screen's height
    legend = fig.layout.legend
    beside = legend.orientation == "v" and legend.x >= 1 and legend.xanchor == "left" and legend.xref == "paper"
    on_top = legend.orientation == "h" and legend.yref == "container" and legend.y == 1 and legend.yanchor == "top"
    assert beside or on_top, legend  # never under the plot, where the x-axis labels are (measured in Chromium below)
    if any(trace.type == "scatterpolar" for trace in fig.data):
        assert beside


def test_a_radar_slide_keeps_a_column_for_its_key_and_finding(tables):
    for number, slide in enumerate(DECK.slides, start=1):
        fig = presentation_figure(build(tables, slide.kind, **slide.params).figure)
        assert finding_beside(fig) == (number == REMI_SLIDE), number
    fig = presentation_figure(build(tables, "remi_radar", org="QMF").figure)
    shown = [t.name for t in fig.data if t.showlegend is not False]
    # every line is illustrative in the demo: the key says so once, in its title, and the lines' names stay short
    assert len(shown) == 3 and not any(ILLUSTRATIVE_LABEL in name or " · " in name for name in shown)
    assert fig.layout.legend.title.text.endswith(f"<br>{ILLUSTRATIVE_LABEL}:")
    assert fig.layout.margin.r >= 400 and fig.layout.margin.autoexpand is not False


def test_map_callouts_stand_in_two_ordered_columns(tables):
    slide = DECK.slides[MAP_SLIDE - 1]
    fig = presentation_figure(build(tables, slide.kind, **slide.params).figure)
    callouts = [a for a in fig.layout.annotations if a.axref == "x"]
    assert len(callouts) == 8
    for anchor in ("left", "right"):
        column = [a for a in callouts if a.xanchor == anchor]
        assert len(column) == 4 and len({a.ax for a in column}) == 1
        # labels top to bottom in the order of their boroughs: the leader lines cannot cross
        assert sorted(column, key=lambda a: -a.ay) == sorted(column, key=lambda a: -a.y)
        assert len({round(a.ay) for a in column}) == 4
    assert all("<br>" not in a.text for a in callouts)  # one line each


# --- The QR code ------------------------------------------------------------------------------

def test_public_url_setting(monkeypatch):
    monkeypatch.delenv("NEL_PUBLIC_URL", raising=False)
    assert public_url() is None
    for bad in ("", "dashboard.example.org", "javascript:alert(1)", "ftp://example.org"):
        monkeypatch.setenv("NEL_PUBLIC_URL", bad)
        assert public_url() is None, bad
    monkeypatch.setenv("NEL_PUBLIC_URL", " https://dashboard.example.org/ ")
    assert public_url() == PUBLIC
    # The QR code leads to the slide's low-bandwidth page (static, served by nginx: no app session per phone).
    assert slide_url(PUBLIC, "summit-2026", 3) == "https://dashboard.example.org/lite/present-summit-2026-3.html"


def _modules(data_uri: str, border: int = 2, scale: int = 10) -> list[list[int]]:
    """The dark (1) and light (0) modules of a QR code PNG, read at the centre of each module."""
    from PIL import Image

    image = Image.open(io.BytesIO(base64.b64decode(data_uri.split(",", 1)[1]))).convert("L")
    size = image.width // scale - 2 * border
    return [[int(image.getpixel(((col + border) * scale + scale // 2, (row + border) * scale + scale // 2)) < 128)
             for col in range(size)] for row in range(size)]


def test_qr_code_encodes_the_slide_on_the_public_site():
    target = "https://dashboard.example.org/lite/present-default-4.html"
    html = qr_html(target)
    assert f'data-qr-target="{target}"' in html
    assert f'alt="QR code: opens this slide on your phone, {target}"' in html
    assert qr_png_data_uri(target) in html
    # The picture holds exactly the symbol segno makes for that address (and not for another slide's).
    expected = [[int(bool(v)) for v in row] for row in segno.make(target, error="m").matrix]
    assert _modules(qr_png_data_uri(target)) == expected
    other = [[int(bool(v)) for v in row] for row in segno.make(target[:-1] + "5", error="m").matrix]
    assert _modules(qr_png_data_uri(target)) != other


def _present(params: dict) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page("pages/present.py").run()
    assert not at.exception
    return at


def _qr_targets(at: AppTest) -> list[str]:
    return [h.proto.body for h in at.get("html") if "data-qr-target" in h.proto.body]


def test_qr_code_only_with_a_public_address_and_when_the_deck_wants_it(monkeypatch):
    monkeypatch.delenv("NEL_PUBLIC_URL", raising=False)
    assert _qr_targets(_present({"slide": "2"})) == []
    monkeypatch.setenv("NEL_PUBLIC_URL", PUBLIC)
    (qr,) = _qr_targets(_present({"slide": "2"}))
    assert 'data-qr-target="https://dashboard.example.org/lite/present-default-2.html"' in qr
    import components.publish.deck

    no_qr = parse_deck("default", "qr_code: false\nslides:\n  - kind: strategy_progress\n  - kind: remi_all\n")
    monkeypatch.setattr(components.publish.deck, "load_decks", lambda: ({"default": no_qr}, []))
    at = _present({"slide": "2"})
    assert "Slide 2 of 2" in " ".join(c.value for c in at.caption)
    assert _qr_targets(at) == []


# --- The banner --------------------------------------------------------------------------------

def _banners(at: AppTest) -> list[str]:
    return [h.proto.body for h in at.get("html") if h.proto.body.startswith("<div class=\"slide-banner\"")]


def test_banner_on_illustrative_slides_in_the_demo_and_never_when_hidden(monkeypatch):
    monkeypatch.setenv("NEL_ILLUSTRATIVE", "show")
    remi = _present({"slide": str(REMI_SLIDE)})  # every REMI score in the package is illustrative
    assert [ILLUSTRATIVE_BANNER in b for b in _banners(remi)] == [True]
    census = _present({"slide": str(MAP_SLIDE)})  # the Census map: every value published
    assert _banners(census) == []
    monkeypatch.setenv("NEL_ILLUSTRATIVE", "hide")
    for number in (1, 2):
        hidden = _present({"slide": str(number)})
        assert _banners(hidden) == []
        assert "Not yet published" not in [t.value for t in hidden.title]
        assert MODE_LINES["hide"] in " ".join(c.value for c in hidden.caption)


# --- In Chromium ------------------------------------------------------------------------------

MEASURE = """() => {
  const chart = document.querySelector('[data-testid="stPlotlyChart"]');
  const box = e => { if (!e) return null; const r = e.getBoundingClientRect();
    return {top: r.top, bottom: r.bottom, left: r.left, right: r.right, width: r.width, height: r.height}; };
  const texts = chart ? [...chart.querySelectorAll('svg text')].filter(t => t.textContent.trim() && t.getBBox().width > 0) : [];
  // as drawn: plotly may scale a text down (a transform) to fit it, so the font size alone is not enough
  const sizes = texts.map(t => { const m = t.getScreenCTM(); return parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b); });
  const findMain = document.querySelector('[data-testid="stMain"]');
  const counter = [...document.querySelectorAll('.st-key-slide-controls p')].find(p => /Slide \\d+ of \\d+/.test(p.textContent));
  const banner = document.querySelector('.slide-banner');
  const qr = document.querySelector('.slide-qr');
  const qrImg = qr && qr.querySelector('img');
  return {
    chart: box(chart), minFont: sizes.length ? Math.min(...sizes) : null,
    legend: box(chart && chart.querySelector('.legend')),
    xlabels: chart ? [...chart.querySelectorAll('.xtick text, .g-xtitle text')].map(box) : [],
    ylabels: chart ? [...chart.querySelectorAll('.ytick text')].filter(t => t.textContent.trim()).map(box) : [],
    callouts: chart ? [...chart.querySelectorAll('.annotation-text-g rect.bg')].map(box) : [],
    radar: box(chart && chart.querySelector('.polar .plotbg')),
    finding: box(document.querySelector('.st-key-slide-finding')),
    controls: [...document.querySelectorAll('.st-key-slide-controls button')].map(box),
    counter: box(counter), counterText: counter ? counter.textContent : '',
    title: document.querySelector('h1') ? document.querySelector('h1').innerText : '',
    banner: banner ? {text: banner.innerText, font: parseFloat(getComputedStyle(banner).fontSize), box: box(banner)} : null,
    qr: qr ? {target: qr.getAttribute('data-qr-target'), alt: qrImg.getAttribute('alt'), box: box(qrImg)} : null,
    status: findMain.innerText.includes('Mixed: some values') || findMain.innerText.includes('Illustrative: these values'),
    scrolled: findMain.scrollTop,
  };
}"""


def _overlaps(boxes: list[dict]) -> list[tuple[int, int]]:
    out = []
    for i, a in enumerate(boxes):
        for j, b in enumerate(boxes[:i]):
            if a["left"] < b["right"] - 1 and b["left"] < a["right"] - 1 and a["top"] < b["bottom"] - 1 and b["top"] < a["bottom"] - 1:
                out.append((j, i))
    return out


def _in_view(b: dict, width: int, height: int) -> bool:
    return b is not None and b["top"] >= 0 and b["left"] >= 0 and b["bottom"] <= height and b["right"] <= width


@pytest.fixture(scope="module")
def public_server():
    with app_server(env={"NEL_PUBLIC_URL": PUBLIC, "NEL_ILLUSTRATIVE": "show"}) as base:
        yield base


@pytest.fixture(scope="module")
def hidden_server():
    with app_server(env={"NEL_PUBLIC_URL": PUBLIC, "NEL_ILLUSTRATIVE": "hide"}) as base:
        yield base


def _open(page, base: str, number: int | None) -> None:
    page.goto(f"{base}/present" + (f"?deck=default&slide={number}" if number else ""))
    wait_for_app(page, min_charts=0)
    # the slide's chart drawn (the projector's, or on a phone-width screen the page's own), its figures or its table
    page.wait_for_function("""() => [...document.querySelectorAll('[data-testid="stPlotlyChart"] .main-svg, '
        + '[data-testid="stAlert"], .big-figures, .slide-gaps')].some(e => e.getBoundingClientRect().height > 0)""",
                           timeout=60_000)
    page.wait_for_timeout(300)  # plotly's resize to the slide's height


@pytest.mark.browser
@pytest.mark.parametrize("width,height", [(1280, 720), (1920, 1080)])
def test_every_slide_fills_the_screen_and_reads_from_the_back(browser, public_server, width, height):
    from tests.test_browser_pages import axe_violations

    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    log = RequestLog(page, public_server)
    measured = {}
    try:
        if width == 1920:
            _open(page, public_server, None)
            assert axe_violations(page) == []
        for number in SLIDES:
            _open(page, public_server, number)
            assert exceptions(page) == [], number
            m = page.evaluate(MEASURE)
            where = f"slide {number} at {width}x{height}"
            measured[number] = {"chart_height_px": round(m["chart"]["height"]), "chart_share": round(m["chart"]["height"] / height, 3),
                                "min_chart_font_px": m["minFont"], "radar_px": m["radar"] and round(m["radar"]["width"]),
                                "radar_share_of_width": m["radar"] and round(m["radar"]["width"] / width, 3)}
            assert m["chart"]["height"] >= 0.55 * height, where
            assert m["minFont"] >= 28, where
            assert m["scrolled"] == 0
            for name in ("finding", "counter"):
                assert _in_view(m[name], width, height), (where, name, m[name])
            assert len(m["controls"]) == 4 and all(_in_view(b, width, height) for b in m["controls"]), where
            assert f"Slide {number} of {len(SLIDES)}" == m["counterText"]
            if m["legend"]:
                assert not any(_overlaps([m["legend"], label]) for label in m["xlabels"]), (where, "legend on the x axis")
            assert _overlaps(m["ylabels"]) == [], (where, "row labels overlap")
            assert _overlaps(m["callouts"]) == [], (where, "callouts overlap")
            chart = m["chart"]
            assert all(b["left"] >= chart["left"] and b["right"] <= chart["right"] and b["top"] >= chart["top"]
                       and b["bottom"] <= chart["bottom"] for b in m["callouts"]), (where, "a callout is cut off")
            # Illustrative values: a banner in words, large and high contrast (axe checks the contrast).
            assert bool(m["banner"]) == m["status"], where
            if m["banner"]:
                assert m["banner"]["text"] in BANNERS and m["banner"]["font"] >= 22
                assert _in_view(m["banner"]["box"], width, height)
            # The QR code: in the top right corner, named for where it leads.
            target = f"{PUBLIC}/lite/present-default-{number}.html"
            assert m["qr"]["target"] == target and target in m["qr"]["alt"], where
            assert m["qr"]["box"]["right"] >= 0.85 * width and m["qr"]["box"]["top"] <= 0.1 * height
            assert m["qr"]["box"]["height"] >= height / 5 and m["qr"]["box"]["width"] >= height / 5, where
            if number == MAP_SLIDE:
                assert len(m["callouts"]) == 8
            if number == REMI_SLIDE:  # a third of the slide wide; the finding beside it, clear of the radar and its key
                assert m["radar"]["width"] >= width / 3, (where, m["radar"])
                assert m["finding"]["left"] >= m["radar"]["right"] and m["finding"]["top"] >= m["legend"]["bottom"], where
                assert _overlaps([m["finding"], m["legend"]]) == [], where
            if width == 1920:
                assert axe_violations(page) == [], where
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "screenshots" / f"slide-last-{width}x{height}.png"))
        assert log.foreign() == []
    finally:
        context.close()
    path = ARTIFACTS / "slides.json"
    record = json.loads(path.read_text()) if path.exists() else {}
    record[f"{width}x{height}"] = measured
    path.write_text(json.dumps(record, indent=1))
    assert sum(1 for n in SLIDES if measured[n]["min_chart_font_px"] >= 28) == len(SLIDES)


@pytest.mark.browser
def test_clicker_keys_move_between_slides(browser, public_server):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    try:
        _open(page, public_server, 2)
        last = len(SLIDES)
        for key, expected in (("PageDown", 3), (" ", 4), ("PageUp", 3), ("End", last), ("Home", 1),
                              ("ArrowRight", 2), ("ArrowLeft", 1)):
            page.keyboard.press(key)
            # the counter beside the buttons is drawn after the slide's charts (the caption at the top, before them)
            page.wait_for_function("(n) => new URLSearchParams(location.search).get('slide') === String(n) && "
                                   "document.querySelector('.st-key-slide-controls').innerText.includes(`Slide ${n} of`)",
                                   arg=expected, timeout=30_000)
            wait_for_app(page, min_charts=0)  # the buttons now carry the new slide's neighbours
        # Space on a focused button still means "next": it never moves twice or backwards.
        _open(page, public_server, 3)
        page.locator(".st-key-slide-previous button").focus()
        page.keyboard.press(" ")
        page.wait_for_function("() => new URLSearchParams(location.search).get('slide') === '4'", timeout=30_000)
        page.wait_for_timeout(1000)
        assert "slide=4" in page.url
        # One arrow per button: the label carries none, the shortcut hint one.
        labels = page.locator(".st-key-slide-controls button").all_inner_texts()
        assert all(label.count("←") + label.count("→") <= 1 for label in labels), labels
    finally:
        context.close()


SHOWS = """() => {
  const drawn = [...document.querySelectorAll('[data-testid="stPlotlyChart"] .main-svg')].some(s => s.getBoundingClientRect().height > 0);
  const qr = document.querySelector('.slide-qr img');
  const r = qr && qr.getBoundingClientRect();
  return {chart: drawn, figures: document.querySelectorAll('.big-figures .big-figure').length,
          table: document.querySelectorAll('table.slide-gaps tbody tr').length,
          qr: qr ? {target: qr.parentElement.getAttribute('data-qr-target'), height: r.height, width: r.width} : null};
}"""


@pytest.mark.browser
def test_published_only_deck_leaves_out_empty_slides_and_numbers_the_rest(browser, hidden_server):
    """With published figures only, no slide is an empty screen or titled 'Not yet published': each has a chart, its
    figures shown large, or the closing table of what is still to be published; the numbers run on without a gap,
    and the QR code (a fifth of the slide's height) leads to the slide's low-bandwidth page."""
    from tests.test_browser_pages import axe_violations

    width, height = 1280, 720
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        _open(page, hidden_server, 1)
        total = int(page.evaluate(MEASURE)["counterText"].rsplit(" ", 1)[1])
        assert 1 < total < len(SLIDES)  # the demo's slides with nothing published are left out
        titles = []
        for number in range(1, total + 1):
            _open(page, hidden_server, number)
            text = page.locator('[data-testid="stMain"]').inner_text()
            m, shows = page.evaluate(MEASURE), page.evaluate(SHOWS)
            where = f"published-only slide {number}"
            assert exceptions(page) == [] and page.locator('[data-testid="stAlert"]').count() == 0, where
            assert page.locator(".slide-banner").count() == 0 and "not real data" not in text.lower(), where
            assert MODE_LINES["hide"] in text
            assert m["title"] and m["title"] != "Not yet published" and "cannot be shown" not in m["title"], where
            assert shows["chart"] or shows["figures"] or shows["table"], (where, "nothing shown")
            assert m["counterText"] == f"Slide {number} of {total}", where
            assert f"Slide {number} of {total}" in text
            assert shows["qr"]["target"] == f"{PUBLIC}/lite/present-default-{number}.html", where
            assert shows["qr"]["height"] >= height / 5 and shows["qr"]["width"] >= height / 5, (where, shows["qr"])
            for name in ("finding", "counter"):
                assert _in_view(m[name], width, height), (where, name, m[name])
            if shows["figures"] or shows["table"] or number == 1:
                assert axe_violations(page) == [], where
            titles.append(m["title"])
        assert titles[-1] == "Still to be published"
        gaps = page.locator("table.slide-gaps").inner_text()
        for needed in ("WRES indicator 2", "2024", "Barts Health NHS Trust", "Homerton Healthcare NHS Foundation Trust",
                       "REMI self-assessment", "NHS North East London Integrated Care Board"):
            assert needed in gaps, needed
        assert len(set(titles)) == total
        page.keyboard.press("Home")  # the keys follow the numbers: End is the last slide shown
        page.wait_for_function("() => document.querySelector('.st-key-slide-controls').innerText.includes('Slide 1 of')",
                               timeout=30_000)
        wait_for_app(page, min_charts=0)
        page.keyboard.press("End")
        page.wait_for_function("(n) => document.querySelector('.st-key-slide-controls').innerText.includes("
                               "`Slide ${n} of ${n}`)", arg=total, timeout=30_000)
    finally:
        context.close()


PHONE = r"""() => {
  const h1 = document.querySelector('h1');
  // A word broken across two lines has more than one box: check each word of the title.
  const broken = [];
  const walker = document.createTreeWalker(h1, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const re = /[^\s-]+/g; let match;  // a line may break after a hyphen, never inside a word
    while ((match = re.exec(node.textContent))) {
      const range = document.createRange(); range.setStart(node, match.index); range.setEnd(node, match.index + match[0].length);
      const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
      if (lines.size > 1) broken.push(match[0]);
    }
  }
  const qr = [...document.querySelectorAll('.slide-qr, .slide-qr img')].filter(e => e.getBoundingClientRect().width > 0);
  const width = document.documentElement.clientWidth;
  const clipped = [...document.querySelectorAll('[data-testid="stPlotlyChart"] svg text')].filter(t => {
    const r = t.getBoundingClientRect(); return r.width > 0 && t.textContent.trim() && (r.left < -1 || r.right > width + 1); })
    .map(t => t.textContent);
  // what the slide shows, its finding and its controls, each where it is drawn (one under another, none on another)
  const shown = [...document.querySelectorAll('[data-testid="stPlotlyChart"], .big-figures, table.slide-gaps, '
                 + '.st-key-slide-finding, .st-key-slide-controls')]
    .map(e => e.getBoundingClientRect()).filter(r => r.height > 0)
    .map(r => ({top: r.top, bottom: r.bottom, left: r.left, right: r.right}));
  return {scrollWidth: document.documentElement.scrollWidth, width, title: h1.getBoundingClientRect().width, broken,
          qr: qr.length, clipped, shown};
}"""


@pytest.mark.browser
@pytest.mark.parametrize("which", ["hidden_server", "public_server"])
def test_present_reads_well_on_a_phone(browser, request, which):
    """For those who open /present on a phone (390x844), published figures only and in the demo: no sideways
    scrolling, the title at least 80% of the screen wide with no word broken, no QR code (the phone is where it
    leads), no chart label cut off at the edge, and nothing drawn over anything else."""
    server = request.getfixturevalue(which)
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        _open(page, server, 1)
        total = int(page.evaluate(MEASURE)["counterText"].rsplit(" ", 1)[1])
        for number in range(1, total + 1):
            _open(page, server, number)
            page.wait_for_timeout(700)
            m = page.evaluate(PHONE)
            where = f"{which} slide {number} at 390x844"
            assert m["scrollWidth"] <= m["width"], (where, m)
            assert m["title"] >= 0.8 * m["width"], (where, m)
            assert m["broken"] == [] and m["qr"] == 0 and m["clipped"] == [], (where, m)
            assert len(m["shown"]) >= 3 and _overlaps(m["shown"]) == [], (where, m["shown"])
            assert exceptions(page) == [], where
            if number in (1, total):
                page.screenshot(path=str(ARTIFACTS / "screenshots" / f"slide-phone-{which.split('_')[0]}-{number}.png"))
    finally:
        context.close()

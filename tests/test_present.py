"""Presenter mode: /present?deck=NAME&slide=N opens exactly that slide; bad parameters never break it."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from bench.harness import ROOT
from components.publish.deck import DeckError, load_decks, parse_deck, presentation_figure

APP = str(ROOT / "dashboard.py")
DECKS, _ = load_decks()
DEFAULT = DECKS["default"]


def open_present(params: dict) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page("pages/present.py").run()
    return at


def test_default_deck_tells_the_strategy_story():
    kinds = [s.kind for s in DEFAULT.slides]
    for needed in ("residents_map", "representation_trend", "wres_ratio_slide", "wres_survey_slide", "remi_radar",
                   "strategy_progress"):
        assert needed in kinds
    # Dense charts are laid out for a slide: one WRES indicator per slide, every indicator 2 to 8 once.
    indicators = [s.params["indicator"] for s in DEFAULT.slides if s.kind.startswith("wres_")]
    assert sorted(indicators) == [2, 3, 4, 5, 6, 7, 8]


@pytest.mark.parametrize("number", range(1, len(DEFAULT.slides) + 1))
def test_each_slide_of_the_default_deck(number):
    at = open_present({"deck": "default", "slide": str(number)})
    assert not at.exception
    assert f"Slide {number} of {len(DEFAULT.slides)}" in " ".join(c.value for c in at.caption)
    charts = at.get("plotly_chart")  # the projector's chart, and the page's own for a phone-width screen
    assert len(charts) == 2 and all(len(c.proto.alt) > 20 for c in charts)
    assert len(at.title) == 1 and at.title[0].value
    assert not at.info, [i.value for i in at.info]


@pytest.mark.parametrize("params,notice", [
    ({"deck": "no-such-deck"}, "deck"),
    ({"slide": "99"}, "slide number"),
    ({"slide": "abc"}, "slide number"),
    ({"slide": "0"}, "slide number"),
    ({"deck": "x" * 5000, "slide": "-1"}, "too long"),
])
def test_bad_parameters_give_a_notice_and_the_first_slide(params, notice):
    at = open_present(params)
    assert not at.exception
    assert any(notice in i.value for i in at.info), [i.value for i in at.info]
    assert "Slide 1 of" in " ".join(c.value for c in at.caption)
    assert len(at.get("plotly_chart")) == 2


def test_next_and_previous_move_and_update_the_link():
    at = open_present({"deck": "default", "slide": "2"})
    at.button(key="slide-next").click().run()
    assert at.query_params["slide"] == ["3"] or at.query_params["slide"] == "3"
    assert "Slide 3 of" in " ".join(c.value for c in at.caption)
    at.button(key="slide-previous").click().run()
    at.button(key="slide-previous").click().run()
    assert "Slide 1 of" in " ".join(c.value for c in at.caption)
    assert at.button(key="slide-previous").disabled


def test_deck_files_are_checked():
    with pytest.raises(DeckError, match="slide 1"):
        parse_deck("bad", "slides:\n  - kind: not_a_chart\n")
    with pytest.raises(DeckError, match="slides"):
        parse_deck("bad", "title: nothing\n")
    deck = parse_deck("mine", "title: Mine\nslides:\n  - kind: strategy_progress\n  - kind: remi_all\n")
    assert [s.kind for s in deck.slides] == ["strategy_progress", "remi_all"]


def test_presentation_figure_is_bigger_and_thicker():
    import plotly.graph_objects as go

    fig = go.Figure(go.Scatter(x=[1, 2], y=[3, 4], mode="lines+markers", line=dict(width=2), marker=dict(size=8)))
    big = presentation_figure(fig)
    assert big.layout.font.size >= 20
    assert big.data[0].line.width >= 4 and big.data[0].marker.size >= 14
    assert fig.data[0].line.width == 2  # the original is untouched


@pytest.mark.browser
@pytest.mark.parametrize("width,height", [(1280, 720), (1920, 1080)])
def test_slides_are_built_for_a_projector(browser, server, width, height):
    from bench.harness import ARTIFACTS, RequestLog, exceptions, wait_for_app

    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    log = RequestLog(page, server)
    try:
        page.goto(f"{server}/present?deck=default&slide=3")
        wait_for_app(page, min_charts=1)
        assert exceptions(page) == []
        title_px = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('h1')).fontSize)")
        assert title_px >= 32
        assert not page.locator('[data-testid="stSidebar"]').is_visible()
        chart = page.locator('.st-key-slide-chart [data-testid="stPlotlyChart"]').bounding_box()
        assert chart["width"] >= width * 0.6
        ARTIFACTS.joinpath("screenshots").mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "screenshots" / f"present-{width}x{height}.png"))
        page.locator("body").press("ArrowRight")
        page.wait_for_function("() => location.search.includes('slide=4')", timeout=30_000)
        page.wait_for_function("() => document.body.innerText.includes('Slide 4 of')", timeout=30_000)
        wait_for_app(page, min_charts=1)
        assert log.foreign() == []
    finally:
        context.close()


# --- The deck as the public site shows it (published figures only) -----------------------------------

@pytest.fixture(scope="module")
def published():
    from data.package import load_package, published_only

    return published_only(load_package(ROOT / "data" / "nel"))


def test_published_only_deck_leaves_out_empty_slides_and_gathers_the_gaps(published):
    from components.publish.deck_public import GAPS_TITLE, NOT_PUBLISHED_NOTICE, shown_slides

    slides = shown_slides(published, DEFAULT, hidden=True)
    assert [s.number for s in slides] == list(range(1, len(slides) + 1))   # numbered without a gap
    assert len(slides) < len(DEFAULT.slides)
    assert all(s.card is not None and s.notice != NOT_PUBLISHED_NOTICE for s in slides)
    kept = [s.slide.kind for s in slides if s.slide is not None]
    # Nothing is published for WRES indicators 2 to 4, band 8a and above or REMI: those slides are left out ...
    assert "remi_radar" not in kept and "wres_ratio_slide" not in kept and "representation_trend" not in kept
    assert kept[0] == "residents_map" and "strategy_progress" in kept
    # ... and named, with the year and who publishes them (full names), on the one closing slide.
    last = slides[-1]
    assert last.gaps and last.card.title == GAPS_TITLE and [s.gaps for s in slides].count(True) == 1
    table = last.card.table
    assert list(table.columns) == ["Not yet published", "Year", "Published by"]
    text = table.to_string()
    for needed in ("WRES indicator 2: appointment from shortlisting", "WRES indicator 4", "band 8a and above",
                   "REMI self-assessment", "NHS North East London Integrated Care Board", "Barts Health NHS Trust",
                   "Barking, Havering and Redbridge University Hospitals NHS Trust", "2024"):
        assert needed in text, needed
    assert all(title != "Not yet published" for title in (s.card.title for s in slides))


def test_a_slide_with_one_organisations_figures_shows_them_large(published):
    from components.publish.deck_public import shown_slides

    slides = shown_slides(published, DEFAULT, hidden=True)
    by_indicator = {s.slide.params.get("indicator"): s for s in slides if s.slide and s.slide.kind == "wres_survey_slide"}
    harassment = by_indicator[5]   # Barts Health's 30% is the one figure published
    assert [(f.value, f.label) for f in harassment.figures] == [  # with England's, the latest it publishes (2023)
        ("30%", "of global-majority staff at Barts Health"), ("30%", "of global-majority staff in England"),
        ("26.8%", "of White staff in England")]
    assert [f.period for f in harassment.figures][1:] == ["WRES 2023 (NHS Staff Survey 2022)"] * 2
    assert all(f.source and f.period for f in harassment.figures)
    assert "Barts Health" in harassment.card.title and "30%" in harassment.card.title
    assert "WRES 2023 and 2024: the figures published so far (Barts Health and England)" in harassment.card.subtitle
    assert "Not yet published: NELFT, BHRUT, Homerton Healthcare and ELFT." in harassment.card.sentence
    profile = next(s for s in slides if s.slide and s.slide.kind == "staff_profile")
    assert [f.value for f in profile.figures] == ["55%", "53.7%"]   # staff, and the Census residents' share
    assert "every staff group shown" not in profile.card.sentence and "53.7%" in profile.card.sentence


def test_the_deck_gives_one_residents_share_the_census(published):
    """The strategy's 53% and the Census 2021 53.7% are different figures: the deck quotes the Census one, and says so."""
    from components.publish.deck_public import shown_slides

    for slides in (shown_slides(published, DEFAULT, hidden=True),):
        words = " ".join(s.card.sentence + " " + s.card.table.to_string() for s in slides[:3])
        assert "53.7" in words and "(as stated in the strategy)" not in words and "NEL residents (strategy)" not in words


def test_the_demo_deck_keeps_every_slide_in_its_place():
    from components.publish.deck_public import shown_slides
    from data.package import load_package

    slides = shown_slides(load_package(ROOT / "data" / "nel"), DEFAULT, hidden=False)
    assert [s.slide.kind for s in slides] == [s.kind for s in DEFAULT.slides]
    assert not any(s.figures or s.gaps for s in slides)


def test_a_slide_is_left_out_only_when_nothing_on_its_subject_is_there():
    """The same rule on the demo's package (every figure there, invented ones included): no slide is left out and
    there is no gap to gather, so the rule looks at what a slide shows, not at its kind."""
    from components.publish.deck_public import shown_slides
    from data.package import load_package

    slides = shown_slides(load_package(ROOT / "data" / "nel"), DEFAULT, hidden=True)
    assert [s.slide.kind for s in slides if s.slide is not None] == [s.kind for s in DEFAULT.slides]
    assert not any(s.gaps for s in slides)

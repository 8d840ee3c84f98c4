"""/boroughs: AppTests with good and bad links, and the real page in Chromium (offline, keyboard, phone width)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from bench.harness import ARTIFACTS, RequestLog, exceptions, wait_for_app
from components.words import plain

APP = str(Path(__file__).resolve().parents[1] / "dashboard.py")
PAGE = "pages/boroughs.py"
NEWHAM, TOWER_HAMLETS, HACKNEY = "E09000025", "E09000030", "E09000012"
GM = "residents_global_majority_percent"


def open_page(deck: bool = True, **params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90).run()  # the overview first, as the app starts
    for k, v in params.items():  # then a link to this page
        at.query_params[k] = v
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    if deck:  # the 3D view is drawn only when asked for
        at.toggle(key="show-3d").set_value(True).run()
        assert not at.exception, at.exception
    return at


def test_the_3d_view_loads_only_when_asked_for():
    at = open_page(deck=False)
    assert len(at.get("deck_gl_json_chart")) == 0 and len(at.get("plotly_chart")) == 1
    at.toggle(key="show-3d").set_value(True).run()
    assert len(at.get("deck_gl_json_chart")) == 1


def map_spec(at: AppTest) -> dict:
    charts = at.get("plotly_chart")
    assert len(charts) == 1
    return json.loads(charts[0].proto.spec)


def deck_spec(at: AppTest) -> dict:
    decks = at.get("deck_gl_json_chart")
    assert len(decks) == 1
    return json.loads(decks[0].proto.json)


def chosen_name(spec: dict) -> str:
    return next(t["name"] for t in spec["data"] if str(t.get("name", "")).startswith("Chosen: "))


def texts(at: AppTest) -> list[str]:
    """Markdown on the page, unescaped (sentences from the data are shown as plain text)."""
    return [m.value.replace("\\", "") for m in at.markdown]


def notices(at: AppTest) -> list[str]:
    return [i.value for i in at.info]


def selectbox(at: AppTest, label: str):
    return next(s for s in at.selectbox if s.label == label)


def test_default_view():
    at = open_page()
    assert [t.value for t in at.title] == ["Borough map"]
    assert notices(at) == []
    assert selectbox(at, "Measure").value == GM and selectbox(at, "Borough").value == NEWHAM
    assert at.query_params["borough"] == NEWHAM and at.query_params["measure"] == GM
    spec = map_spec(at)
    assert chosen_name(spec) == "Chosen: Newham"
    assert sum(1 for t in spec["data"] if t.get("fill") == "toself" and t["x"][0] is not None) == 33
    assert not any(t["type"] != "scatter" for t in spec["data"])
    assert "Map of London's 33 boroughs" in at.get("plotly_chart")[0].proto.alt
    assert any(t.startswith("In Newham, 69.2% of residents are from the global majority") for t in texts(at))
    deck = deck_spec(at)
    assert deck["mapStyle"] == 'data:application/json,{"version":8,"sources":{},"layers":[]}'
    assert [s.value for s in at.subheader][0].startswith("Global\\-majority share of residents is highest in Newham")


def test_borough_from_the_link_is_highlighted_and_stated():
    at = open_page(borough=TOWER_HAMLETS)
    assert notices(at) == []
    assert selectbox(at, "Borough").value == TOWER_HAMLETS
    assert chosen_name(map_spec(at)) == "Chosen: Tower Hamlets"
    assert any(t.startswith("In Tower Hamlets, 60.6% of residents") for t in texts(at))
    labels = json.dumps([layer for layer in deck_spec(at)["layers"] if layer["id"] == "chosen-label"])
    assert "Tower Hamlets: 60.6%" in labels


def test_measure_from_the_link():
    at = open_page(measure="residents_asian_percent")
    assert notices(at) == []
    assert selectbox(at, "Measure").value == "residents_asian_percent"
    spec = map_spec(at)
    assert spec["layout"]["legend"]["title"]["text"] == "Asian share of residents:"
    assert any(t.startswith("In Newham, 42.2% of residents gave their ethnic group as Asian") for t in texts(at))
    assert at.subheader[0].value.startswith("Asian share of residents")


@pytest.mark.parametrize("params, expected_notice", [
    ({"borough": "XYZ"}, "“XYZ” is not one this page knows"),
    ({"borough": "E09000003"}, "is not one this page knows"),  # Barnet: a London borough, but not in NEL
    ({"measure": "x" * 5000}, "too long to be valid"),
    ({"measure": "residents_asian_percent<script>"}, "is not one this page knows"),
])
def test_bad_links_give_a_notice_and_the_default(params, expected_notice):
    at = open_page(deck=False, **params)
    assert any(expected_notice in n for n in notices(at)), notices(at)
    assert selectbox(at, "Borough").value == NEWHAM and selectbox(at, "Measure").value == GM
    assert chosen_name(map_spec(at)) == "Chosen: Newham"
    assert "<script>" not in json.dumps(map_spec(at))


def test_repeated_borough_parameter_uses_the_last_value():
    at = open_page(borough=[TOWER_HAMLETS, HACKNEY])
    assert notices(at) == []
    assert selectbox(at, "Borough").value == HACKNEY
    # ONS TS021 Hackney: 259,147 residents, 137,709 White: 46.9% global majority, published
    assert any(t.startswith("In Hackney, 46.9% of residents are from the global majority (Census 2021)")
               for t in texts(at))


def test_choosing_with_the_widgets_updates_the_link_and_the_views():
    at = open_page()
    selectbox(at, "Borough").select(TOWER_HAMLETS).run()
    assert not at.exception
    assert at.query_params["borough"] == TOWER_HAMLETS
    assert chosen_name(map_spec(at)) == "Chosen: Tower Hamlets"
    selectbox(at, "Measure").select("residents_total").run()
    assert not at.exception
    assert at.query_params["measure"] == "residents_total" and at.query_params["borough"] == TOWER_HAMLETS
    assert any("there were 310,306 usual residents" in t for t in texts(at))  # ONS TS021 total for Tower Hamlets
    selectbox(at, "Borough").select(NEWHAM).run()
    assert any(t.startswith("In Newham, there were 351,030 usual residents") for t in texts(at))
    table = at.table[0].value  # cells are Markdown-escaped by chart_card
    assert table.iloc[0]["Borough or area"] == plain("Newham (chosen)")
    assert table.iloc[0]["Usual residents (number)"] == plain("351,030")
    assert len(table) == 8 + 3  # NEL's boroughs, then NEL, London and England
    selectbox(at, "Boroughs in the table").select("london").run()
    assert at.query_params["area"] == "london"
    assert len(at.table[0].value) == 33 + 3


# --- The real page in Chromium ----------------------------------------------------------------

DECK_CANVAS = '[data-testid="stDeckGlJsonChart"] canvas'
MAP_TRACES = '[data-testid="stPlotlyChart"] .js-plotly-plot .scatterlayer .trace'
BOROUGH_INPUT = 'input[role="combobox"][aria-label="Borough"]'


def load(page, server, query: str = "") -> None:
    page.goto(f"{server}/boroughs{query}")
    wait_for_app(page, min_charts=1)
    assert page.locator(DECK_CANVAS).count() == 0  # not loaded until asked for
    page.get_by_text("Show the 3D view").click()
    page.wait_for_selector(DECK_CANVAS, state="attached", timeout=60_000)


@pytest.mark.browser
def test_browser_map_and_3d_view_render_with_no_network(server, page):
    log = RequestLog(page, server)
    load(page, server)
    assert page.locator(MAP_TRACES).count() >= 33
    assert page.locator(DECK_CANVAS).count() >= 1
    assert page.locator('[data-testid="stPlotlyChart"][role="img"]').get_attribute("aria-label").startswith(
        "Map of London's 33 boroughs")
    assert page.locator('[data-testid="stDeckGlJsonChart"][role="figure"]').get_attribute("aria-label").startswith(
        "Three-dimensional map")
    legend = " ".join(page.locator('[data-testid="stPlotlyChart"] .legendtext').all_text_contents())
    assert "Chosen: Newham" in legend and "Other London boroughs" in legend
    page.wait_for_timeout(2000)  # anything late (fonts, tiles, styles) would show up here
    assert exceptions(page) == []
    assert log.foreign() == [], log.foreign()
    assert log.failed == [], log.failed
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "boroughs-1280.png"))


@pytest.mark.browser
def test_browser_phone_width_has_no_sideways_scroll(server, page):
    page.set_viewport_size({"width": 390, "height": 844})
    load(page, server)
    page.wait_for_timeout(500)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    box = page.locator('[data-testid="stPlotlyChart"]').bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert exceptions(page) == []
    page.screenshot(path=str(ARTIFACTS / "boroughs-390.png"))


@pytest.mark.browser
def test_browser_borough_can_be_chosen_with_the_keyboard_alone(server, page):
    load(page, server)
    page.locator("body").focus()
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('input[role=combobox][aria-label=Borough]')"):
            break
    else:
        pytest.fail("Tab never reached the borough selector")
    page.keyboard.type("Tower")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_function("() => new URL(location.href).searchParams.get('borough') === 'E09000030'", timeout=30_000)
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"] .legendtext')]
                 .some(e => e.textContent === 'Chosen: Tower Hamlets')""", timeout=30_000)
    wait_for_app(page, min_charts=1)
    assert page.locator(BOROUGH_INPUT).input_value() == "Tower Hamlets"
    assert page.get_by_text("In Tower Hamlets, 60.6% of residents are from the global majority").count() >= 1
    assert page.get_by_text("In Newham, 69% of residents").count() == 0
    assert exceptions(page) == []

"""The borough map builders: bins, the offline plotly map, the pydeck view, sentences and tables."""
from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from components.cards import residents_3d, residents_map
from components.cards.base import STATUS_WORDS
from components.charts import borough_3d, borough_map
from components.charts.palette import HIGHLIGHT, ILLUSTRATIVE_LABEL, MUTED, SEQUENTIAL
from data import borough_rows
from data.derive import borough_measures
from data.package import load_package
from data.schema import SHIPPED_PACKAGE
from geo.boundaries import borough_centroids

NEL = {  # gss -> name: the eight NEL boroughs
    "E09000001": "City of London", "E09000002": "Barking and Dagenham", "E09000012": "Hackney",
    "E09000016": "Havering", "E09000025": "Newham", "E09000026": "Redbridge",
    "E09000030": "Tower Hamlets", "E09000031": "Waltham Forest",
}
GM = "residents_global_majority_percent"
NEWHAM, HACKNEY, HAVERING, TOWER_HAMLETS = "E09000025", "E09000012", "E09000016", "E09000030"


def frame(values: dict[str, tuple[float, str]], measure_id: str = GM, label: str = "Global-majority share of residents",
          unit: str = "percent") -> pd.DataFrame:
    """A small borough_measures-shaped frame: every London borough, values only where given."""
    cents = borough_centroids()
    rows = []
    for gss, name in zip(cents["gss_code"], cents["name"], strict=True):
        base = {"gss_code": gss, "name": name, "in_nel": gss in NEL}
        if gss in values:
            v, status = values[gss]
            rows.append({**base, "measure_id": measure_id, "measure": label, "unit": unit, "value": v, "status": status,
                         "source_id": "illustrative" if status == "illustrative" else "src-" + gss,
                         "period": "Census 2021 (illustrative)" if status == "illustrative" else "Census 2021 (21 March 2021)",
                         "note": ""})
        else:
            rows.append({**base, "measure_id": None, "measure": None, "unit": None, "value": np.nan, "status": None,
                         "source_id": None, "period": None, "note": None})
    return pd.DataFrame(rows)


SOURCES = pd.DataFrame({
    "source_id": ["src-" + g for g in NEL] + ["illustrative", "london-boundaries", "bench", "ods-etr"],
    "title": [f"Census table for {n}" for n in NEL.values()] + ["Illustrative values", "London boundaries", "Bench source",
                                                                 "ODS extract"],
    "publisher": ["ONS"] * len(NEL) + ["", "GLA", "ONS", "NHS"],
    "url": ["https://example.org/" + g for g in NEL] + [None, "https://data.london.gov.uk/x", None, None],
})
BENCH = pd.DataFrame({
    "area": ["North East London", "London"], "measure_id": [GM, GM], "value": [53.0, 63.2], "year": [2021, 2021],
    "period": ["As stated in the strategy (January 2025)", "Census 2021 (21 March 2021)"],
    "source_id": ["bench", "bench"], "status": ["published", "published"], "note": ["Method not stated.", ""],
})
MIXED = {NEWHAM: (69.2, "published"), TOWER_HAMLETS: (60.6, "published"), HACKNEY: (46.6, "illustrative"),
         "E09000001": (30.5, "published")}  # four with values, four 'not yet published'


def info(f: pd.DataFrame, measure_id: str = GM) -> dict:
    return borough_rows.measure_info(f, None, measure_id)


def map_figure(rows: pd.DataFrame, measure: dict, chosen: str):
    """The flat map as the card draws it: bins from every borough's value."""
    return borough_map.borough_map_figure(rows, borough_map.make_bins(rows["value"], measure["unit"]), measure, chosen)


def deck_figure(rows: pd.DataFrame, measure: dict, chosen: str, sites: pd.DataFrame):
    """The 3D view as the card draws it: bins from NEL's values."""
    return borough_3d.borough_deck(rows, borough_map.make_bins(rows["value"], measure["unit"]), measure, chosen, sites)


def borough_traces(fig) -> dict[str, object]:
    """The drawn borough polygons (not legend swatches or the highlight), by name."""
    return {t.name: t for t in fig.data if t.fill == "toself" and t.x and t.x[0] is not None}


def legend_names(fig) -> list[str]:
    return [t.name for t in fig.data if t.showlegend]


# --- Bins -------------------------------------------------------------------------------------

def test_bins_cover_the_values_with_round_edges_and_darker_blue_for_higher():
    bins = borough_map.make_bins([23.5, 30.5, 46.6, 55.1, 69.2], "percent")
    assert bins[0].low <= 23.5 and bins[-1].high > 69.2
    assert all(b.low % 10 == 0 and b.high - b.low == 10 for b in bins)
    assert [b.label for b in bins][0] == "20% to under 30%"
    order = [SEQUENTIAL.index(b.colour) for b in bins]
    assert order == sorted(order) and len(set(order)) == len(order)
    assert SEQUENTIAL[0] not in [b.colour for b in bins]  # the lightest is never a value (white means no figure)
    assert borough_map.bin_for(69.2, bins) is bins[-1] and borough_map.bin_for(23.5, bins) is bins[0]
    assert borough_map.bin_for(30.0, bins).label == "30% to under 40%"
    assert borough_map.bin_for(float("nan"), bins) is None


def test_bins_for_counts_single_values_and_nothing():
    counts = borough_map.make_bins([218_900, 310_300], "count")
    assert counts[0].label.startswith("200,000 to under")
    assert borough_map.bin_for(310_300, counts) is not None
    one = borough_map.make_bins([85.24], "percent")
    assert len(one) == 1 and one[0].low <= 85.24 < one[0].high
    assert borough_map.make_bins([np.nan, np.nan], "percent") == []


# --- Rows, sentence, title --------------------------------------------------------------------

def test_measure_rows_lists_every_london_borough_nel_first_and_marks_gaps():
    rows = borough_rows.measure_rows(frame(MIXED), GM)
    assert len(rows) == 33 and rows["in_nel"].sum() == 8
    nel = borough_rows.nel_only(rows)
    assert dict(zip(nel["gss_code"], nel["name"], strict=True)) == dict(sorted(NEL.items(), key=lambda kv: kv[1]))
    assert list(rows["in_nel"][:8]) == [True] * 8
    gaps = nel[nel["value"].isna()]
    assert set(gaps["gss_code"]) == set(NEL) - set(MIXED)
    assert set(gaps["status"]) == {borough_rows.NOT_PUBLISHED}


def test_sentence_states_the_chosen_figure_rank_and_benchmarks():
    f = frame({g: (v, "published") for g, v in zip(NEL, [30.5, 55.1, 46.6, 23.5, 69.2, 63.9, 60.6, 46.8], strict=True)})
    rows = borough_rows.measure_rows(f, GM)
    text = residents_map.borough_sentence(rows, NEWHAM, info(f), borough_rows.benchmark_rows(BENCH, GM))
    assert text.startswith("In Newham, 69.2% of residents are from the global majority (Census 2021), "
                           "the highest of NEL's eight boroughs.")
    assert "London 63.2%" in text and "North East London 53% (as stated in the strategy)" in text
    assert "illustrative" not in text
    low = residents_map.borough_sentence(rows, HAVERING, info(f), borough_rows.benchmark_rows(BENCH, GM))
    assert "the lowest of NEL's eight boroughs" in low and "23.5%" in low
    assert "London's 33" not in low  # the other boroughs have no figure here: no London rank
    mid = residents_map.borough_sentence(rows, TOWER_HAMLETS, info(f), borough_rows.benchmark_rows(None, GM))
    assert "the 3rd highest" in mid and "For comparison" not in mid


def test_sentence_flags_illustrative_values_and_gaps():
    f = frame(MIXED)
    rows = borough_rows.measure_rows(f, GM)
    hackney = residents_map.borough_sentence(rows, HACKNEY, info(f), borough_rows.benchmark_rows(None, GM))
    assert "46.6%" in hackney and "illustrative figure, not real data" in hackney
    assert "of the 4 NEL boroughs with a figure" in hackney and "ranking includes illustrative" in hackney
    havering = residents_map.borough_sentence(rows, HAVERING, info(f), borough_rows.benchmark_rows(None, GM))
    assert "not yet published" in havering and "%" not in havering
    assert "4 of NEL's eight boroughs have a figure" in havering


def test_sentence_phrases_for_groups_and_counts():
    asian = frame({NEWHAM: (42.2, "published")}, "residents_asian_percent", "Asian share of residents")
    text = residents_map.borough_sentence(borough_rows.measure_rows(asian, "residents_asian_percent"), NEWHAM,
                                 info(asian, "residents_asian_percent"), borough_rows.benchmark_rows(None, "x"))
    assert text.startswith("In Newham, 42.2% of residents gave their ethnic group as Asian (Census 2021)")
    total = frame({TOWER_HAMLETS: (310_300, "published")}, "residents_total", "Usual residents", "count")
    text = residents_map.borough_sentence(borough_rows.measure_rows(total, "residents_total"), TOWER_HAMLETS,
                                 info(total, "residents_total"), borough_rows.benchmark_rows(None, "x"))
    assert "there were 310,300 usual residents" in text


def test_title_states_highest_and_lowest_and_marks_illustrative():
    rows = borough_rows.measure_rows(frame(MIXED), GM)
    title = residents_map.map_title(rows, info(frame(MIXED)))
    assert title == ("Global-majority share of residents is highest in Newham (69.2%) and lowest in City of London (30.5%)")
    rows2 = borough_rows.measure_rows(frame({HACKNEY: (10.0, "illustrative"), NEWHAM: (42.0, "published")}), GM)
    assert "lowest in Hackney (10.0%, illustrative)" in residents_map.map_title(rows2, info(frame(MIXED)))
    assert "not yet published" in residents_map.map_title(borough_rows.measure_rows(frame({}), GM), info(frame(MIXED)))


# --- The plotly map ---------------------------------------------------------------------------

def test_map_draws_all_33_boroughs_without_any_geo_trace():
    f = frame(MIXED)
    fig = map_figure(borough_rows.measure_rows(f, GM), info(f), NEWHAM)
    drawn = borough_traces(fig)
    assert len(drawn) == 33
    assert {t.type for t in fig.data} == {"scatter"}
    spec = fig.to_json()
    for banned in ('"choropleth', '"scattergeo', '"geo"', "mapbox", "cdn.plot.ly", "topojson"):
        assert banned not in spec
    assert len(spec) < 40_000, len(spec)
    assert fig.layout.yaxis.scaleanchor == "x"
    assert fig.layout.yaxis.scaleratio == pytest.approx(1 / math.cos(math.radians(51.5)), rel=1e-3)


def test_map_colours_follow_the_data():
    f = frame(MIXED)
    rows = borough_rows.measure_rows(f, GM)
    fig = map_figure(rows, info(f), NEWHAM)
    drawn = borough_traces(fig)
    bins = borough_map.make_bins(rows["value"], "percent")
    # published: the bin's colour, solid outline
    assert drawn["Newham"].fillcolor == borough_map.bin_for(69.2, bins).colour
    assert drawn["Newham"].line.dash in (None, "solid") and not drawn["Newham"].fillpattern.shape
    assert drawn["Tower Hamlets"].fillcolor == borough_map.bin_for(60.6, bins).colour
    # illustrative: hatched and dotted, and named so in the legend
    assert drawn["Hackney"].line.dash == "dot" and drawn["Hackney"].fillpattern.shape == "/"
    assert ILLUSTRATIVE_LABEL in legend_names(fig)
    # not yet published: white, dashed, not a value colour, and in the legend
    assert drawn["Havering"].fillcolor == "#FFFFFF" and drawn["Havering"].line.dash == "dash"
    assert borough_map.NOT_PUBLISHED_LABEL in legend_names(fig)
    # outside NEL: muted, names in the hover
    assert drawn["Camden"].fillcolor == MUTED and "not part of NEL" in drawn["Camden"].text
    # legend: one entry per bin with its range; bins no borough falls in are marked '(none)'
    entries = [n for n in legend_names(fig) if "under" in n]
    assert [b.label for b in bins] == [n.removesuffix(" (none)") for n in entries]
    assert [n for n in entries if n.endswith("(none)")] == ["50% to under 60% (none)"]


def test_map_has_no_illustrative_or_gap_legend_when_there_are_none():
    f = frame({g: (50.0 + i, "published") for i, g in enumerate(NEL)})
    fig = map_figure(borough_rows.measure_rows(f, GM), info(f), NEWHAM)
    names = legend_names(fig)
    assert ILLUSTRATIVE_LABEL not in names and borough_map.NOT_PUBLISHED_LABEL not in names
    assert not any(t.line.dash == "dot" for t in borough_traces(fig).values())


def test_map_highlights_the_chosen_borough_and_labels_every_nel_borough():
    f = frame(MIXED)
    fig = map_figure(borough_rows.measure_rows(f, GM), info(f), TOWER_HAMLETS)
    chosen = [t for t in fig.data if t.name == "Chosen: Tower Hamlets"]
    assert len(chosen) == 1 and chosen[0].line.color == HIGHLIGHT and chosen[0].showlegend
    assert chosen[0].x == borough_traces(fig)["Tower Hamlets"].x
    texts = [a.text for a in fig.layout.annotations]
    assert len(texts) == 8
    assert any(t.startswith("<b>Tower Hamlets</b>") and "60.6%" in t for t in texts)
    assert any(t.startswith("Hackney") and "46.6%" in t and "(illustrative)" in t for t in texts)
    assert any(t.startswith("Havering") and "not yet published" in t for t in texts)
    assert not any("(illustrative)" in t for t in texts if t.startswith("Newham"))


def test_alt_text_lists_every_value():
    f = frame(MIXED)
    alt = residents_map.map_alt(borough_rows.measure_rows(f, GM), info(f), "Newham")
    assert "Newham 69.2%" in alt and "Hackney 46.6% (illustrative)" in alt and "Havering not yet published" in alt
    assert "Newham is outlined in yellow" in alt


# --- Table and card ---------------------------------------------------------------------------

def test_table_puts_the_chosen_borough_first_with_status_source_and_period():
    f = frame(MIXED)
    rows = borough_rows.measure_rows(f, GM)
    table = residents_map.map_table(rows, info(f), HACKNEY, borough_rows.benchmark_rows(BENCH, GM), SOURCES)
    assert list(table.columns) == ["Borough or area", "Part of NEL", "Global-majority share of residents (%)", "Status",
                                   "Source", "Period", "Note"]
    first = table.iloc[0]
    assert first["Borough or area"] == "Hackney (chosen)" and first["Status"] == STATUS_WORDS["illustrative"]
    assert first["Global-majority share of residents (%)"] == "46.6"
    newham = table[table["Borough or area"] == "Newham"].iloc[0]
    assert newham["Source"] == "Census table for Newham" and newham["Period"] == "Census 2021 (21 March 2021)"
    havering = table[table["Borough or area"] == "Havering"].iloc[0]
    assert havering["Global-majority share of residents (%)"] == borough_rows.NOT_PUBLISHED
    assert havering["Status"] == borough_map.NOT_PUBLISHED_LABEL
    assert list(table["Borough or area"].tail(2)) == ["North East London (wider area)", "London (wider area)"]
    assert table.iloc[-1]["Source"] == "Bench source"
    assert len(table) == 8 + 2 and not table["Borough or area"].str.contains("Camden").any()


def test_card_carries_sources_attribution_and_caveats():
    f = frame(MIXED)
    card = residents_map.borough_map_card(f, None, BENCH, SOURCES, GM, NEWHAM)
    titles = [s.title for s in card.sources]
    assert "London boundaries" in titles and "Bench source" in titles and "Census table for Newham" in titles
    assert any("Crown copyright" in c for c in card.caveats)
    assert any("Not yet published for" in c and "Havering" in c for c in card.caveats)
    assert any(c == "North East London: Method not stated." for c in card.caveats)
    assert card.has_illustrative
    assert "global majority" in card.definition.lower()


# --- The pydeck view --------------------------------------------------------------------------

ORGS = pd.DataFrame({
    "ods_code": ["R1H", "RWK", "NEL"], "short_name": ["Barts Health", "ELFT", "NEL system"],
    "site_name": ["The Royal London Hospital", "Robert Dolan House", None],
    "site_lat": [51.5186, 51.5135, np.nan], "site_lon": [-0.0594, -0.0716, np.nan],
    "source_id": ["ods-etr"] * 3, "note": [""] * 3,
})


def deck_json(chosen=NEWHAM, values=MIXED) -> dict:
    f = frame(values)
    deck = deck_figure(borough_rows.nel_only(borough_rows.measure_rows(f, GM)), info(f), chosen, borough_rows.main_sites(ORGS))
    text = deck.to_json()
    assert "\n" not in text  # compact: no pydeck indentation
    return json.loads(text)


def layer(spec: dict, layer_id: str) -> dict:
    return next(lay for lay in spec["layers"] if lay["id"] == layer_id)


def test_deck_has_no_basemap_and_raises_nel_boroughs_by_value():
    spec = deck_json()
    assert spec["mapStyle"] == borough_3d.EMPTY_MAP_STYLE
    assert spec.get("mapProvider") is None
    assert "cartocdn" not in json.dumps(spec) and "mapbox://" not in json.dumps(spec)
    raised = {f["properties"]["name"]: f["properties"] for f in layer(spec, "nel-boroughs")["data"]["features"]}
    assert set(raised) == {"Newham", "Tower Hamlets", "Hackney", "City of London"}
    assert raised["Newham"]["height"] == borough_3d.MAX_HEIGHT_M
    assert raised["Tower Hamlets"]["height"] == round(borough_3d.MAX_HEIGHT_M * 60.6 / 69.2)
    assert raised["Newham"]["fill"][:3] == [int(HIGHLIGHT[i:i + 2], 16) for i in (1, 3, 5)]  # chosen: yellow
    assert raised["Hackney"]["fill"][3] < 255 and "Illustrative" in raised["Hackney"]["tooltip"]
    flat = {f["properties"]["name"]: f["properties"] for f in layer(spec, "other-boroughs")["data"]["features"]}
    assert len(flat) == 33 - 4 and flat["Camden"]["height"] == 0
    assert flat["Camden"]["fill"][:3] == [int(MUTED[i:i + 2], 16) for i in (1, 3, 5)]
    assert "not yet published" in flat["Havering"]["tooltip"]


def test_deck_marks_sites_on_the_roofs_with_names():
    spec = deck_json()
    sites = layer(spec, "trust-sites")["data"]
    assert [s["name"] for s in sites] == ["ELFT", "Barts Health"]  # the system pseudo-org has no site
    tower_hamlets_height = round(borough_3d.MAX_HEIGHT_M * 60.6 / 69.2)
    assert all(s["position"][2] > tower_hamlets_height for s in sites)  # both sites are in Tower Hamlets
    assert layer(spec, "site-labels")["getText"] == "@@=name"
    labels = layer(spec, "chosen-label")["data"]
    assert [label["text"] for label in labels] == ["Newham: 69.2%"]
    assert spec["initialViewState"]["pitch"] > 0


def test_deck_card_alt_and_table():
    f = frame(MIXED)
    card = residents_3d.borough_deck_card(f, None, SOURCES, ORGS, GM, NEWHAM)
    assert "Newham is yellow" in card.alt and "Barts Health" in card.alt
    shown = card.table["Shown as"].tolist()
    assert shown.count("Dot (main site)") == 2 and shown.count("Flat white borough") == 4
    assert card.table.iloc[0]["Name"] == "Newham (chosen)"
    assert "ODS extract" in [s.title for s in card.sources] and "London boundaries" in [s.title for s in card.sources]


# --- On the shipped data ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def shipped():
    from components.cards.catalogue import _measure_definitions
    from data.derive import area_comparators
    pkg = load_package(SHIPPED_PACKAGE)
    return pkg.tables, borough_measures(pkg.tables), _measure_definitions(pkg.tables), area_comparators(pkg.tables)


def test_every_shipped_measure_builds_a_small_map_with_every_borough_valued(shipped):
    tables, f, definitions, comparators = shipped
    measures = list(f["measure_id"].dropna().unique())
    assert len(measures) == 1 + 24 + 1  # global majority, every group, usual residents
    for measure_id in measures:
        card = residents_map.borough_map_card(f, definitions, comparators, tables["sources"], measure_id, NEWHAM)
        drawn = borough_traces(card.figure)
        assert len(drawn) == 33
        assert all("not yet published" not in str(t.text) for t in drawn.values()), measure_id
        assert len(card.figure.to_json()) < 40_000
        assert card.sentence and card.title and card.definition and len(card.table) >= 8
        assert not card.has_illustrative


def test_shipped_default_sentence(shipped):
    tables, f, definitions, comparators = shipped
    card = residents_map.borough_map_card(f, definitions, comparators, tables["sources"],
                                 residents_map.DEFAULT_MEASURE, residents_map.DEFAULT_BOROUGH)
    # ONS TS021: Newham global majority = 351,030 - 107,947 White = 243,083 of 351,030 = 69.25%
    assert card.sentence.startswith("In Newham, 69.2% of residents are from the global majority (Census 2021), "
                                    "the highest of NEL's eight boroughs and the highest of London's 33.")
    assert "North East London (sum of the eight boroughs) 53.7%" in card.sentence
    assert "London (sum of the 33 boroughs) 46.2%" in card.sentence  # 4,068,564 of 8,799,736
    assert "England 19.0%" in card.sentence  # 10,706,647 of 56,490,048 (ONS England row)
    assert "North East London 53% (as stated in the strategy)" in card.sentence
    deck = residents_3d.borough_deck_card(f, definitions, tables["sources"], tables["organisations"],
                                  residents_map.DEFAULT_MEASURE, residents_map.DEFAULT_BOROUGH)
    spec = json.loads(deck.figure.to_json())
    assert len(layer(spec, "trust-sites")["data"]) == 6
    assert len(deck.figure.to_json()) < 60_000


def test_other_london_boroughs_carry_their_values_lighter_in_the_map_and_the_london_table(shipped):
    tables, f, definitions, comparators = shipped
    card = residents_map.borough_map_card(f, definitions, comparators, tables["sources"], "residents_asian_bangladeshi_percent",
                                 residents_map.DEFAULT_BOROUGH, "london")
    drawn = borough_traces(card.figure)
    # Camden, ONS TS021: 14,356 Bangladeshi of 210,136 residents = 6.83%
    assert drawn["Camden"].text.startswith("Camden: 6.8% (not part of NEL)")
    assert drawn["Camden"].opacity == borough_map.OTHER_OPACITY and drawn["Tower Hamlets"].opacity in (None, 1)
    assert len(card.table) == 33 + 3 and set(card.table["Part of NEL"]) == {"Yes", "No", ""}
    nel_table = residents_map.borough_map_card(f, definitions, comparators, tables["sources"],
                                      "residents_asian_bangladeshi_percent", residents_map.DEFAULT_BOROUGH).table
    assert len(nel_table) == 8 + 3 and "Camden" not in set(nel_table["Borough or area"])
    assert "Camden 6.8%" in card.alt

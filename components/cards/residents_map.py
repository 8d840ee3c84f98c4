"""The residents' borough map card: one measure for London's 33 boroughs, NEL's eight outlined, assembled
into figure (components.charts.borough_map), table, sentence and sources. Pure (no Streamlit)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from components.cards.base import ChartCard, sources_for
from components.charts.borough_map import NOT_PUBLISHED_LABEL, borough_map_figure, make_bins, value_text
from components.words import fmt_number, fmt_percent_short, join_words, lower_first, source_ids, source_titles, status_label
from data.borough_rows import (
    NOT_PUBLISHED,
    benchmark_rows,
    cell_text,
    measure_info,
    measure_rows,
    nel_boroughs,
    nel_only,
    short_period,
)
from data.derive import GLOBAL_MAJORITY_MEASURE
from geo.boundaries import ATTRIBUTION

DEFAULT_MEASURE = GLOBAL_MAJORITY_MEASURE
# Newham by default: the ICB's main site (Stratford) is there, and it sits in the middle of NEL,
# so the highlight is easy to find.
DEFAULT_BOROUGH = "E09000025"
TABLE_SCOPES = {"nel": "North East London's eight boroughs", "london": "All 33 London boroughs"}
BOUNDARY_SOURCE = "london-boundaries"
SHARE_SUFFIX = " share of residents"
# First words of a group's or place's name: kept capitalised mid-sentence.
PROPER_FIRST_WORDS = {"Asian", "Black", "Mixed", "White", "Other", "London", "England"}
_NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight"}


def mid_sentence(label: str) -> str:
    """A measure's label for use mid-sentence ('Usual residents' -> 'usual residents'; 'Black …' kept)."""
    return lower_first(label, keep=PROPER_FIRST_WORDS)


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def value_phrase(measure_id: str, label: str, unit: str, value: float) -> str:
    """'69% of residents are from the global majority'; '42% of residents gave their ethnic group as
    Bangladeshi'; 'there were 310,306 usual residents'."""
    if measure_id == GLOBAL_MAJORITY_MEASURE:
        return f"{value_text(value, unit)} of residents are from the global majority"
    if unit == "percent" and label.endswith(SHARE_SUFFIX):
        return f"{value_text(value, unit)} of residents gave their ethnic group as {label[:-len(SHARE_SUFFIX)]}"
    if unit == "count":
        return f"there were {value_text(value, unit)} {mid_sentence(label)}"
    return f"the {mid_sentence(label)} is {value_text(value, unit)}"


def _rank_words(valued: pd.DataFrame, value: float, among: str) -> str:
    rank = int((valued["value"] > value).sum()) + 1
    from_bottom = int((valued["value"] < value).sum()) + 1
    if rank == 1:
        place = "the highest"
    elif from_bottom == 1:
        place = "the lowest"
    elif rank > len(valued) / 2:
        place = f"the {ordinal(from_bottom)} lowest"
    else:
        place = f"the {ordinal(rank)} highest"
    return f"{place} of {among}"


def _places(rows: pd.DataFrame, chosen: str, value: float) -> str:
    """', the 3rd highest of NEL's eight boroughs and the 5th highest of London's 33' ('' when there is no ranking)."""
    nel = nel_only(rows)
    valued = nel.dropna(subset=["value"])
    eight = _NUMBER_WORDS.get(len(nel), len(nel))
    places = []
    if bool(rows.set_index("gss_code").at[chosen, "in_nel"]) and len(valued) > 1:
        among = f"NEL's {eight} boroughs" if len(valued) == len(nel) else f"the {len(valued)} NEL boroughs with a figure"
        places.append(_rank_words(valued, value, among))
    london = rows.dropna(subset=["value"])
    if len(london) == len(rows) and len(rows) > len(nel):
        places.append(_rank_words(london, value, f"London's {len(rows)}"))
    if not places:
        return ""
    ranked = rows if len(london) == len(rows) else valued
    illustrative = " (the ranking includes illustrative figures)" if (ranked["status"] == "illustrative").any() else ""
    return ", " + " and ".join(places) + illustrative


def _comparison(benchmarks: pd.DataFrame, unit: str) -> str:
    """' For comparison: London (sum of the 33 boroughs) 46.2% and …' ('' with no wider areas)."""
    if not len(benchmarks):
        return ""
    parts = []
    for _, b in benchmarks.iterrows():
        as_stated = "strategy" in str(b["period"]).lower()
        value = fmt_percent_short(b["value"]) if as_stated and unit == "percent" else value_text(float(b["value"]), unit)
        parts.append(f"{b['area']} {value}{' (as stated in the strategy)' if as_stated else ''}")
    return " For comparison: " + join_words(parts) + "."


def borough_sentence(rows: pd.DataFrame, chosen: str, info: Mapping[str, Any], benchmarks: pd.DataFrame) -> str:
    """The chosen borough's figure, its rank among NEL's boroughs (and London's, where every borough
    has a figure), and the wider-area comparators."""
    nel = nel_only(rows)
    by_code = rows.set_index("gss_code")
    name = str(by_code.at[chosen, "name"])
    value = by_code.at[chosen, "value"]
    label, unit = info["label"], info["unit"]
    if pd.isna(value):
        count = len(nel.dropna(subset=["value"]))
        return (f"For {name}, the figure for {mid_sentence(label)} is not yet published "
                f"({count} of NEL's {_NUMBER_WORDS.get(len(nel), len(nel))} boroughs have a figure).")
    status = by_code.at[chosen, "status"]
    when = "an illustrative figure, not real data" if status == "illustrative" else short_period(by_code.at[chosen, "period"])
    text = f"In {name}, {value_phrase(info['id'], label, unit, value)} ({when})"
    return text + _places(rows, chosen, value) + "." + _comparison(benchmarks, unit)


def map_title(rows: pd.DataFrame, info: Mapping[str, Any]) -> str:
    """States the finding: where, of NEL's boroughs, the measure is highest and lowest."""
    valued = nel_only(rows).dropna(subset=["value"]).sort_values("value")
    label, unit = info["label"], info["unit"]

    def named(r: pd.Series) -> str:
        return f"{r['name']} ({value_text(r['value'], unit)}{', illustrative' if r['status'] == 'illustrative' else ''})"

    if valued.empty:
        return f"{label}: not yet published for any NEL borough"
    if len(valued) == 1:
        return f"{label}: so far only {named(valued.iloc[0])} has a figure"
    if unit == "count":
        return f"{label}: most in {named(valued.iloc[-1])}, fewest in {named(valued.iloc[0])}"
    return f"{label} is highest in {named(valued.iloc[-1])} and lowest in {named(valued.iloc[0])}"


def map_alt(rows: pd.DataFrame, info: Mapping[str, Any], chosen_name: str) -> str:
    def values(part: pd.DataFrame) -> str:
        return "; ".join(f"{r['name']} {value_text(r['value'], info['unit'])}"
                         f"{' (illustrative)' if r['status'] == 'illustrative' else ''}"
                         for _, r in part.sort_values("value", ascending=False, na_position="last").iterrows())
    nel, others = nel_only(rows), rows[~rows["in_nel"]]
    text = (f"Map of London's 33 boroughs shaded by {mid_sentence(info['label'])}, darker for higher values. "
            f"North East London's eight boroughs are outlined and labelled; the other 25 are drawn lighter. "
            f"{chosen_name} is outlined in yellow. North East London: {values(nel)}.")
    if len(others):
        text += f" Other London boroughs: {values(others)}."
    return text


# --- The table ---------------------------------------------------------------------------------

def source_title_map(ids: object, sources: pd.DataFrame) -> dict[str, str]:
    """Source id -> title as the card's sources list shows it (a home page only is said to be one)."""
    return {sid: found[0].title for sid in source_ids(ids) if (found := sources_for([sid], sources))}


def titles_text(ids: object, titles: Mapping[str, str]) -> str:
    """The titles of a row's sources; 'Not yet published' when it names none."""
    return source_titles(ids, titles) or "Not yet published"


def plain_number(v: float, unit: str) -> str:
    return fmt_number(v, 1).replace(",", "") if unit == "percent" else fmt_number(v, 0)


def map_table(rows: pd.DataFrame, info: Mapping[str, Any], chosen: str, benchmarks: pd.DataFrame, sources: pd.DataFrame,
              scope: str = "nel") -> pd.DataFrame:
    """The chosen borough first, then NEL's boroughs from highest to lowest (with ``scope='london'``, the
    other 25 boroughs after them), then the wider areas."""
    unit = info["unit"]
    value_col = f"{info['label']} ({'%' if unit == 'percent' else 'number'})"
    shown = rows if scope == "london" else pd.concat([nel_only(rows), rows[rows["gss_code"] == chosen]]).drop_duplicates("gss_code")
    rest = shown[shown["gss_code"] != chosen].sort_values(["in_nel", "value"], ascending=[False, False], na_position="last")
    ordered = pd.concat([shown[shown["gss_code"] == chosen], rest])
    titles = source_title_map([*ordered["source_id"], *benchmarks["source_id"]], sources)
    out = []
    for _, r in ordered.iterrows():
        missing = pd.isna(r["value"])
        out.append({
            "Borough or area": f"{r['name']} (chosen)" if r["gss_code"] == chosen else str(r["name"]),
            "Part of NEL": "Yes" if r["in_nel"] else "No",
            value_col: NOT_PUBLISHED if missing else plain_number(r["value"], unit),
            "Status": NOT_PUBLISHED_LABEL if missing else status_label(r["status"]),
            "Source": "" if missing else titles_text(r["source_id"], titles),
            "Period": str(r["period"]), "Note": str(r["note"]),
        })
    for _, b in benchmarks.iterrows():
        out.append({
            "Borough or area": f"{b['area']} (wider area)", "Part of NEL": "",
            value_col: plain_number(float(b["value"]), unit),
            "Status": status_label(b["status"]), "Source": titles_text(b["source_id"], titles),
            "Period": str(b["period"]), "Note": cell_text(b["note"]),
        })
    return pd.DataFrame(out)


# --- The card ----------------------------------------------------------------------------------

def periods_text(rows: pd.DataFrame) -> str:
    return "; ".join(dict.fromkeys(p for p in rows["period"].astype(str) if p))


def map_caveats(rows: pd.DataFrame, benchmarks: pd.DataFrame) -> list[str]:
    notes = []
    missing = nel_only(rows).loc[lambda r: r["value"].isna(), "name"].tolist()
    if missing:
        notes.append(f"Not yet published for {join_words(missing)}: drawn white with a dashed outline, not as a value.")
    if (rows["status"] == "illustrative").any():
        notes.append("Illustrative values are invented to show how the map works. They are hatched, outlined with "
                     "dots and labelled '(illustrative)'; they are not Census figures.")
    for _, b in benchmarks.iterrows():
        if cell_text(b["note"]):
            notes.append(f"{b['area']}: {b['note']}")
    if (~rows["in_nel"]).any():
        notes.append("The other 25 London boroughs are drawn lighter, on the same scale, for context: hover over one, "
                     "or show all of London in the table, to read its value.")
    notes.append(f"Borough boundaries: {ATTRIBUTION} Open Government Licence v3.0. Generalised boundaries "
                 "(vega-datasets), simplified for display.")
    return notes


def borough_map_card(frame: pd.DataFrame, measures: pd.DataFrame | None, benchmarks: pd.DataFrame | None,
                     sources: pd.DataFrame, measure_id: str, chosen: str, scope: str = "nel") -> ChartCard:
    info = measure_info(frame, measures, measure_id)
    rows = measure_rows(frame, measure_id)
    bench = benchmark_rows(benchmarks, measure_id)
    chosen_name = nel_boroughs(frame).get(chosen, chosen)
    ids = source_ids([*rows["source_id"], *bench["source_id"]])
    periods = {short_period(p) for p in rows["period"] if p}
    return ChartCard(
        key="borough-map" if scope == "nel" else "borough-map-london",
        title=map_title(rows, info),
        subtitle=(f"{info['label']}, London's 33 boroughs with North East London's eight outlined, "
                  f"{', '.join(sorted(periods)) or 'no period'}"),
        figure=borough_map_figure(rows, make_bins(rows["value"], info["unit"]), info, chosen),
        alt=map_alt(rows, info, chosen_name),
        sentence=borough_sentence(rows, chosen, info, bench),
        table=map_table(rows, info, chosen, bench, sources, scope),
        download=None if scope == "london" else map_table(rows, info, chosen, bench, sources, "london"),
        definition=info["definition"],
        sources=sources_for(ids + [BOUNDARY_SOURCE], sources),
        period=periods_text(rows),
        caveats=map_caveats(rows, bench),
    )

"""The residents' borough map in 3D: NEL's boroughs raised by one measure, with the NHS organisations'
main sites, assembled into figure (components.charts.borough_3d), table, sentence and sources. Pure."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from components.cards.base import ChartCard, sources_for
from components.cards.residents_map import (
    BOUNDARY_SOURCE,
    borough_sentence,
    map_caveats,
    mid_sentence,
    periods_text,
    plain_number,
    source_title_map,
    titles_text,
)
from components.charts.borough_3d import borough_deck
from components.charts.borough_map import NOT_PUBLISHED_LABEL, make_bins
from components.words import source_ids, status_label
from data.borough_rows import NOT_PUBLISHED, benchmark_rows, main_sites, measure_info, measure_rows, nel_boroughs, nel_only

SITES_SOURCE = "ods-etr"


def deck_table(rows: pd.DataFrame, info: Mapping[str, Any], chosen: str, sites: pd.DataFrame,
               sources: pd.DataFrame) -> pd.DataFrame:
    unit = info["unit"]
    value_col = f"{info['label']} ({'%' if unit == 'percent' else 'number'})"
    ordered = pd.concat([rows[rows["gss_code"] == chosen],
                         rows[rows["gss_code"] != chosen].sort_values("value", ascending=False, na_position="last")])
    titles = source_title_map([*ordered["source_id"], *sites["source_id"]], sources)
    out = []
    for _, r in ordered.iterrows():
        missing = pd.isna(r["value"])
        out.append({
            "Shown as": "Flat white borough" if missing else "Raised borough (height shows the value)",
            "Name": f"{r['name']} (chosen)" if r["gss_code"] == chosen else str(r["name"]),
            value_col: NOT_PUBLISHED if missing else plain_number(r["value"], unit),
            "Status": NOT_PUBLISHED_LABEL if missing else status_label(r["status"]),
            "Source": "" if missing else titles_text(r["source_id"], titles), "Period": str(r["period"]),
        })
    for _, s in sites.iterrows():
        out.append({"Shown as": "Dot (main site)", "Name": f"{s['short_name']}: {s['site_name']}", value_col: "",
                    "Status": "Location approximate", "Source": titles_text(s["source_id"], titles), "Period": ""})
    return pd.DataFrame(out)


def _deck_caveats(rows: pd.DataFrame, measure_id: str) -> list[str]:
    caveats = map_caveats(rows, benchmark_rows(None, measure_id))
    see_through = " Illustrative boroughs are see-through." if (rows["status"] == "illustrative").any() else ""
    caveats.insert(0, "Heights are proportional to the value (the tallest borough is raised 6 km); colours use the "
                      f"same bins as the flat map.{see_through} Drag to turn the view; "
                      "the flat map and the table carry the same figures.")
    caveats.append("Site locations are approximate (placed by hand from the published addresses).")
    return caveats


def borough_deck_card(frame: pd.DataFrame, measures: pd.DataFrame | None, sources: pd.DataFrame,
                      organisations: pd.DataFrame | None, measure_id: str, chosen: str) -> ChartCard:
    info = measure_info(frame, measures, measure_id)
    rows = nel_only(measure_rows(frame, measure_id))
    sites = main_sites(organisations)
    chosen_name = nel_boroughs(frame).get(chosen, chosen)
    valued = rows.dropna(subset=["value"]).sort_values("value")
    label = mid_sentence(info["label"])
    if valued.empty:
        title = f"{info['label']}: not yet published, so no borough is raised"
    else:
        tallest = valued.iloc[-1]
        title = f"{tallest['name']}{' (illustrative)' if tallest['status'] == 'illustrative' else ''} stands tallest for {label}"
    alt = (f"Three-dimensional map of London tilted to look north. North East London's boroughs are raised in proportion "
           f"to {label}; the other London boroughs are flat and grey. {chosen_name} is yellow. "
           f"{len(sites)} dots mark the main sites of the ICB and the NHS trusts: {', '.join(sites['short_name'].astype(str))}.")
    sentence = (f"The taller the borough, the higher its {label}. "
                + borough_sentence(rows, chosen, info, benchmark_rows(None, measure_id)))
    return ChartCard(
        key="borough-3d",
        title=title,
        subtitle=f"{info['label']} as height, with the main sites of the NHS organisations in North East London",
        figure=borough_deck(rows, make_bins(rows["value"], info["unit"]), info, chosen, sites),
        alt=alt,
        sentence=sentence,
        table=deck_table(rows, info, chosen, sites, sources),
        definition=info["definition"],
        sources=sources_for(source_ids(rows["source_id"]) + [BOUNDARY_SOURCE, SITES_SOURCE], sources),
        period=periods_text(rows),
        caveats=_deck_caveats(rows, measure_id),
    )

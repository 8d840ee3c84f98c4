"""The rows the workforce card tests share: a small invented package of workforce shares and WRES indicators
(withheld, illustrative and published values side by side), and ways to read a figure back."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from components.words import status_label
from data import derive, selection
from data.package import load_package

ILL = status_label("illustrative")
PUB = status_label("published")
NAMES = {"R1H": "Barts Health", "RF4": "BHRUT", "NEL": "NEL system", "ENG": "England", "QMF": "NEL ICB"}
SOURCES = pd.DataFrame({
    "source_id": ["pub-a", "pub-eng", "illustrative", "census", "wres-indicators", "larch-remi"],
    "title": ["Trust report A", "England report", "Illustrative values", "Census tables", "WRES indicators", "REMI"],
    "publisher": ["Trust", "NHS England", "Dashboard", "ONS", "NHS England", "LARCH"],
    "url": ["https://example.org/a", "https://example.org/eng", None, "https://example.org/c", "https://example.org/w",
            "https://example.org/r"],
})
GROUPS = {"all_staff": ("All staff", 1), "bands_1_4": ("Agenda for Change bands 1 to 4", 2),
          "band_8a_plus": ("Band 8a and above", 4), "board": ("Board (voting members)", 6)}
META = pd.DataFrame({
    "indicator": list(range(1, 10)),
    "short_name": ["Representation", "Appointment from shortlisting", "Entry into formal disciplinary process",
                   "Access to non-mandatory training", "Harassment from the public", "Harassment from staff",
                   "Equal opportunities for progression", "Discrimination from a manager", "Board representation"],
    "definition": [f"Definition {i}." for i in range(1, 10)],
    "expressed_as": ["Percentage"] + ["Ratio"] * 3 + ["Percentage"] * 4 + ["Points"],
    "disadvantage_when": ["The share falls as the band rises",
                          "Above 1.0: White applicants are more likely to be appointed",
                          "Above 1.0: global-majority staff are more likely to enter the process",
                          "Above 1.0: White staff are more likely to get training",
                          "The global-majority percentage is higher", "The global-majority percentage is higher",
                          "The global-majority percentage is lower", "The global-majority percentage is higher",
                          "Below zero: the board is less diverse than the workforce"],
})


def share_row(org, year, group, share=None, gm=None, total=None, status="illustrative", source="illustrative",
              suppressed=False, period=None):
    if gm is not None and total is not None and not suppressed:
        share = 100 * gm / total
    label, order = GROUPS[group]
    return {"ods_code": org, "org": NAMES[org], "year": year, "staff_group": group, "group_label": label,
            "sort_order": order, "gm_headcount": np.nan if suppressed else gm, "total_headcount": total,
            "share": np.nan if suppressed else share, "suppressed": suppressed, "status": status, "source_id": source,
            "period": period or f"31 March {year}", "note": "", "derived": False}


def shares_frame() -> pd.DataFrame:
    rows = [
        share_row("R1H", 2022, "all_staff", gm=590, total=1000),
        share_row("R1H", 2023, "all_staff", gm=600, total=1000),
        share_row("R1H", 2024, "all_staff", gm=630, total=1000),
        share_row("R1H", 2022, "bands_1_4", gm=330, total=500),
        share_row("R1H", 2023, "bands_1_4", gm=3, total=500, suppressed=True),  # the rest would be 497: withheld by rule
        share_row("R1H", 2024, "bands_1_4", gm=340, total=500),
        share_row("R1H", 2022, "band_8a_plus", share=27.0, status="published", source="pub-a"),
        share_row("R1H", 2023, "band_8a_plus", gm=36, total=100),
        share_row("R1H", 2024, "band_8a_plus", share=40.0, status="published", source="pub-a", period="WRES 2024/25"),
        share_row("R1H", 2023, "board", gm=5, total=16),
        share_row("R1H", 2024, "board", gm=3, total=16, suppressed=True),
        share_row("NEL", 2024, "all_staff", share=55.0, status="published", source="pub-a"),
        share_row("NEL", 2024, "board", total=70, suppressed=True),
        share_row("ENG", 2023, "all_staff", share=26.4, status="published", source="pub-eng"),
        share_row("ENG", 2024, "all_staff", share=28.6, status="published", source="pub-eng"),
        share_row("ENG", 2024, "board", share=16.5, status="published", source="pub-eng"),
    ]
    return pd.DataFrame(rows)


RESIDENTS = {"value": 59.4, "status": "published", "source_id": "census", "boroughs": 4, "period": "Census 2021"}


def traces_named(fig, name):
    return [t for t in fig.data if t.name == name]


def legend_names(fig):
    return [t.name for t in fig.data if t.showlegend is not False]


def all_numbers(fig) -> set[float]:
    out = set()
    for t in fig.data:
        for arr in (t.x, t.y):
            for v in arr or ():
                if isinstance(v, (int, float)) and v is not None and not (isinstance(v, float) and math.isnan(v)):
                    out.add(round(float(v), 6))
    return out


def assert_table_basics(card):
    for col in ("Source", "Period", "Status"):
        assert col in card.table.columns, col
    assert set(card.table["Status"]) <= {PUB, ILL, ""}
    assert not card.table.isna().any().any(), "every cell says something (a value or why there is none)"


def wres_row(org, year, ind, group, value, *, num=None, den=None, low=np.nan, high=np.nan, status="illustrative",
             source="illustrative", suppressed=False, unit=None):
    return {"ods_code": org, "year": year, "indicator": ind, "group": group, "value": np.nan if suppressed else value,
            "unit": unit or ("ratio" if group == "comparison" else "percent"), "numerator": num, "denominator": den,
            "period": f"WRES {year}", "source_id": source, "status": status, "note": "", "suppressed": suppressed,
            "low": low, "high": high}


def wres_frame() -> pd.DataFrame:
    rows = [
        wres_row("R1H", 2024, 2, "comparison", 1.32, low=1.13, high=1.54),
        wres_row("R1H", 2024, 3, "comparison", 1.15),  # no numerators: no interval
        wres_row("R1H", 2024, 4, "comparison", 0.7, suppressed=True),
        wres_row("RF4", 2024, 2, "comparison", 1.1, status="published", source="pub-a", low=0.9, high=1.3),
        wres_row("ENG", 2023, 2, "comparison", 1.59, status="published", source="pub-eng"),
        wres_row("ENG", 2025, 2, "comparison", 9.99, status="published", source="pub-eng"),  # later than the year chosen
        wres_row("ENG", 2022, 3, "comparison", 1.14, status="published", source="pub-eng"),
        wres_row("R1H", 2024, 5, "global_majority", 30.0, status="published", source="pub-a"),
        wres_row("R1H", 2024, 6, "global_majority", 25.4),
        wres_row("R1H", 2024, 6, "white", 22.8),
        wres_row("R1H", 2024, 7, "global_majority", 45.0, status="published", source="pub-a"),
        wres_row("R1H", 2024, 7, "white", 57.0, status="published", source="pub-a"),
        wres_row("R1H", 2024, 8, "global_majority", 13.0),
        wres_row("R1H", 2024, 8, "white", None, suppressed=True),
        wres_row("ENG", 2024, 6, "global_majority", 24.9, status="published", source="pub-eng"),
        wres_row("ENG", 2024, 6, "white", 20.7, status="published", source="pub-eng"),
        wres_row("ENG", 2024, 7, "black", 42.2, status="published", source="pub-eng"),
    ]
    return pd.DataFrame(rows)


def panel_traces(fig, prefix="Indicator"):
    return {t.name: t for t in fig.data if t.name and t.name.startswith(prefix)}


def shipped_package():
    pkg = load_package("data/nel")
    assert pkg.valid
    t = pkg.tables
    return t, derive.workforce_shares(t), derive.wres_long(t), selection.org_names(t["organisations"])

"""The borough map's rows: one measure for every London borough, NEL's eight first, and the wider areas.

Pure pandas over data/derive.py's long frames (``borough_measures``, ``area_comparators``); no drawing.
"""
from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pandas as pd

from data.derive import GLOBAL_MAJORITY_MEASURE
from data.schema import GLOBAL_MAJORITY_DEFINITION

NOT_PUBLISHED = "not yet published"
ROW_COLUMNS = ["gss_code", "name", "in_nel", "value", "status", "source_id", "period", "note"]
BENCHMARK_COLUMNS = ["area", "value", "status", "source_id", "period", "note"]


def cell_text(value: object) -> str:
    """A cell as text: '' for None, NaN and NA."""
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA else str(value)


def short_period(period: object) -> str:
    """'Census 2021 (21 March 2021)' -> 'Census 2021'."""
    return re.sub(r"\s*\([^)]*\)\s*$", "", str(period)).strip() or str(period)


def nel_boroughs(frame: pd.DataFrame) -> dict[str, str]:
    """GSS code -> name of the NEL boroughs, in alphabetical order of name."""
    nel = frame[frame["in_nel"].fillna(False).astype(bool)].drop_duplicates("gss_code").sort_values("name")
    return dict(zip(nel["gss_code"].astype(str), nel["name"].astype(str), strict=True))


def measure_info(frame: pd.DataFrame, measures: pd.DataFrame | None, measure_id: str) -> dict[str, Any]:
    """Label, unit and definition of one measure (``measures``: measure_id, definition)."""
    rows = frame[frame["measure_id"] == measure_id]
    label = str(rows["measure"].iloc[0]) if len(rows) else measure_id
    unit = str(rows["unit"].iloc[0]) if len(rows) else "percent"
    definition = ""
    if measures is not None and len(measures):
        m = measures[measures["measure_id"] == measure_id]
        if len(m) and isinstance(m["definition"].iloc[0], str):
            definition = m["definition"].iloc[0]
    if measure_id == GLOBAL_MAJORITY_MEASURE and "WRES" not in definition:
        definition = f"{definition} {GLOBAL_MAJORITY_DEFINITION}".strip()
    return {"id": measure_id, "label": label, "unit": unit, "definition": definition}


def measure_rows(frame: pd.DataFrame, measure_id: str) -> pd.DataFrame:
    """One row per London borough for one measure (value NaN and status 'not yet published' where missing).

    Columns: gss_code, name, in_nel, value, status, source_id, period, note; NEL's boroughs first, each
    part sorted by name.
    """
    boroughs = frame.drop_duplicates("gss_code")[["gss_code", "name", "in_nel"]].copy()
    boroughs["in_nel"] = boroughs["in_nel"].fillna(False).astype(bool)
    have = frame[frame["measure_id"] == measure_id].drop_duplicates("gss_code").set_index("gss_code")
    rows = []
    for gss, name, in_nel in zip(boroughs["gss_code"].astype(str), boroughs["name"].astype(str), boroughs["in_nel"], strict=True):
        if gss in have.index and pd.notna(have.at[gss, "value"]):
            r = have.loc[gss]
            rows.append({"gss_code": gss, "name": name, "in_nel": bool(in_nel), "value": float(r["value"]),
                         "status": str(r["status"]), "source_id": cell_text(r["source_id"]),
                         "period": cell_text(r["period"]), "note": cell_text(r["note"])})
        else:
            rows.append({"gss_code": gss, "name": name, "in_nel": bool(in_nel), "value": np.nan, "status": NOT_PUBLISHED,
                         "source_id": "", "period": "", "note": ""})
    out = pd.DataFrame(rows, columns=ROW_COLUMNS)
    return out.sort_values(["in_nel", "name"], ascending=[False, True]).reset_index(drop=True)


def nel_only(rows: pd.DataFrame) -> pd.DataFrame:
    return rows[rows["in_nel"]].reset_index(drop=True)


def benchmark_rows(benchmarks: pd.DataFrame | None, measure_id: str) -> pd.DataFrame:
    """Wider-area figures (North East London, London, England; see derive.area_comparators) for the same measure."""
    if benchmarks is None or not len(benchmarks):
        return pd.DataFrame(columns=BENCHMARK_COLUMNS)
    b = benchmarks[(benchmarks["measure_id"] == measure_id) & benchmarks["value"].notna()]
    return b[BENCHMARK_COLUMNS].reset_index(drop=True)


def main_sites(organisations: pd.DataFrame | None) -> pd.DataFrame:
    """Main sites of the ICB and the trusts with a location, west to east: ods_code, short_name, site_name, lon,
    lat, source_id, note."""
    cols = ["ods_code", "short_name", "site_name", "lon", "lat", "source_id", "note"]
    if organisations is None or not len(organisations) or "site_lat" not in organisations:
        return pd.DataFrame(columns=cols)
    o = organisations.dropna(subset=["site_lat", "site_lon"]).copy()
    o["lon"] = o["site_lon"].astype(float)
    o["lat"] = o["site_lat"].astype(float)
    return o[cols].sort_values("lon").reset_index(drop=True)

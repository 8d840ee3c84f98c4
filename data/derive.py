"""Tidy frames the pages, the deck and the report draw from: shares, system totals, benchmarks.

Pure pandas over the checked, suppressed tables of a Package (``tables`` is a mapping from table
name to DataFrame). Suppression has already happened in the loader, so nothing here can reveal a
withheld count: a total that would include one is itself withheld.
"""
from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

TRUST_KINDS = ("acute trust", "community and mental health trust")
SYSTEM = "NEL"
NATIONAL = "ENG"
GROUP_SHARE_MEASURES = {  # measure id -> (label, ethnic groups counted)
    "residents_global_majority_percent": ("Global-majority share of residents", None),
    "residents_asian_percent": ("Asian share of residents", ("asian",)),
    "residents_black_percent": ("Black share of residents", ("black",)),
    "residents_mixed_or_other_percent": ("Mixed or Other share of residents", ("mixed", "other", "mixed_or_other")),
    "residents_white_percent": ("White share of residents", ("white",)),
}
Tables = Mapping[str, pd.DataFrame]


def combined_status(statuses) -> str:
    return "illustrative" if "illustrative" in set(map(str, statuses)) else "published"


def trusts(tables: Tables) -> pd.DataFrame:
    orgs = tables["organisations"]
    return orgs[orgs["kind"].isin(TRUST_KINDS)].sort_values("ods_code")


# --- Residents ---------------------------------------------------------------------------------

def resident_group_counts(tables: Tables) -> pd.DataFrame:
    """One row per borough: total residents, global-majority residents and counts per group."""
    pop = tables["population"].merge(tables["ethnic_groups"][["ethnic_group", "global_majority"]], on="ethnic_group")
    rows = []
    for gss, g in pop.groupby("gss_code", sort=True):
        counts = g.set_index("ethnic_group")["count"].astype(float)
        rows.append({
            "gss_code": gss, "total": counts.sum(), "global_majority": counts[g.set_index("ethnic_group")["global_majority"].astype(bool)].sum(),
            **{gid: counts.reindex(list(groups or [])).sum() for gid, (_, groups) in GROUP_SHARE_MEASURES.items() if groups},
            "status": combined_status(g["status"]), "source_id": ";".join(sorted(set(g["source_id"].astype(str)))),
            "period": str(g["period"].iloc[0]),
        })
    return pd.DataFrame(rows)


def borough_measures(tables: Tables) -> pd.DataFrame:
    """Every borough measure, long and tidy: gss_code, name, in_nel, measure_id, measure, unit, value, status, source_id, period, note.

    Shares computed from the population counts come first; then the package's other borough measures.
    """
    boroughs = tables["boroughs"][["gss_code", "name", "in_nel"]]
    counts = resident_group_counts(tables)
    rows = []
    for _, r in counts.iterrows():
        for mid, (label, groups) in GROUP_SHARE_MEASURES.items():
            numerator = r["global_majority"] if groups is None else r[mid]
            rows.append({"gss_code": r["gss_code"], "measure_id": mid, "measure": label, "unit": "percent",
                         "value": 100 * numerator / r["total"] if r["total"] else np.nan,
                         "status": r["status"], "source_id": r["source_id"], "period": r["period"], "note": ""})
    computed = pd.DataFrame(rows)
    measures = tables["measures"][["measure_id", "name", "unit"]].rename(columns={"name": "measure"})
    other = tables["borough_measures"].merge(measures, on="measure_id")
    other = other[["gss_code", "measure_id", "measure", "unit", "value", "status", "source_id", "period", "note"]]
    out = pd.concat([computed, other.astype({"value": float})], ignore_index=True)
    out = boroughs.merge(out, on="gss_code", how="left")
    out["value"] = out["value"].astype(float)
    return out


def measure_choices(frame: pd.DataFrame) -> dict[str, str]:
    """measure_id -> label, in a stable order (computed shares first)."""
    seen = frame.dropna(subset=["measure_id"]).drop_duplicates("measure_id")
    return dict(zip(seen["measure_id"], seen["measure"]))


def residents_share_for(tables: Tables, gss_codes) -> dict | None:
    """Global-majority share of the residents of some boroughs (e.g. those a trust serves)."""
    counts = resident_group_counts(tables)
    part = counts[counts["gss_code"].isin(list(gss_codes))]
    if part.empty:
        return None
    return {"value": 100 * part["global_majority"].sum() / part["total"].sum(),
            "status": combined_status(part["status"]), "source_id": ";".join(sorted(set(";".join(part["source_id"]).split(";")))),
            "boroughs": len(part), "period": "Census 2021"}


def served_boroughs(tables: Tables, ods_code: str) -> list[str]:
    links = tables["organisation_boroughs"]
    return sorted(links.loc[links["ods_code"] == ods_code, "gss_code"].astype(str))


# --- Workforce ---------------------------------------------------------------------------------

def workforce_shares(tables: Tables) -> pd.DataFrame:
    """Global-majority share by organisation, year and staff group, with the system rows.

    Columns: ods_code, org, year, staff_group, group_label, sort_order, gm_headcount, total_headcount,
    share, suppressed, status, source_id, period, note, derived.
    """
    wf = tables["workforce"].copy()
    wf["share"] = (100 * wf["gm_headcount"].astype(float) / wf["total_headcount"].astype(float)).where(
        wf["total_headcount"].notna() & (wf["total_headcount"] > 0), wf["gm_percent"].astype(float))
    wf["derived"] = False
    trust_codes = set(trusts(tables)["ods_code"])
    system_rows = []
    have = set(zip(wf["ods_code"], wf["year"], wf["staff_group"]))
    for (year, group), g in wf[wf["ods_code"].isin(trust_codes)].groupby(["year", "staff_group"]):
        if (SYSTEM, year, group) in have or set(g["ods_code"]) != trust_codes:
            continue
        if g["total_headcount"].isna().any() and not g["suppressed"].any():
            continue  # a trust published only a percentage: no honest total
        withheld = bool(g["suppressed"].any())
        gm = np.nan if withheld else float(g["gm_headcount"].sum())
        total = float(g["total_headcount"].sum())
        system_rows.append({
            "ods_code": SYSTEM, "year": year, "staff_group": group, "gm_headcount": gm, "total_headcount": total,
            "gm_percent": np.nan, "share": np.nan if withheld else 100 * gm / total, "suppressed": withheld,
            "status": combined_status(g["status"]), "source_id": ";".join(sorted(set(g["source_id"]))),
            "period": f"31 March {year}", "note": "Sum of the five NEL trusts", "derived": True,
        })
    out = pd.concat([wf, pd.DataFrame(system_rows)], ignore_index=True) if system_rows else wf
    groups = tables["staff_groups"][["staff_group", "label", "sort_order"]].rename(columns={"label": "group_label"})
    orgs = tables["organisations"][["ods_code", "short_name"]].rename(columns={"short_name": "org"})
    out = out.merge(groups, on="staff_group").merge(orgs, on="ods_code")
    out["year"] = out["year"].astype(int)
    out["suppressed"] = out["suppressed"].fillna(False).astype(bool)
    return out.sort_values(["ods_code", "sort_order", "year"]).reset_index(drop=True)


def board_gap(shares: pd.DataFrame) -> pd.DataFrame:
    """WRES indicator 9: board share minus all-staff share, in percentage points, per org and year."""
    board = shares[shares["staff_group"] == "board"].set_index(["ods_code", "year"])
    staff = shares[shares["staff_group"] == "all_staff"].set_index(["ods_code", "year"])
    joined = board.join(staff, lsuffix="_board", rsuffix="_staff", how="inner")
    out = pd.DataFrame({
        "value": joined["share_board"] - joined["share_staff"],
        "status": [combined_status(s) for s in zip(joined["status_board"], joined["status_staff"])],
        "suppressed": joined["suppressed_board"] | joined["suppressed_staff"],
        "source_id": joined["source_id_board"] + ";" + joined["source_id_staff"],
    }).reset_index()
    return out


# --- WRES --------------------------------------------------------------------------------------

def relative_likelihood_interval(n1, d1, n2, d2, z: float = 1.96) -> tuple[float, float] | None:
    """95% interval for the ratio (n1/d1)/(n2/d2) by the log method (Katz); None if undefined."""
    try:
        if min(n1, n2) <= 0 or min(d1, d2) <= 0 or n1 > d1 or n2 > d2:
            return None
        ratio = (n1 / d1) / (n2 / d2)
        se = math.sqrt(1 / n1 - 1 / d1 + 1 / n2 - 1 / d2)
        return ratio * math.exp(-z * se), ratio * math.exp(z * se)
    except (TypeError, ValueError, ZeroDivisionError):
        return None


def wres_long(tables: Tables) -> pd.DataFrame:
    """WRES indicators 2-8 per org and year, with intervals for relative likelihoods.

    Columns: ods_code, year, indicator, group, value, unit, numerator, denominator, low, high,
    suppressed, status, source_id, period, note.
    """
    w = tables["wres"].copy()
    w["low"] = np.nan
    w["high"] = np.nan
    groups = w[w["group"].isin(["global_majority", "white"])].set_index(["ods_code", "year", "indicator", "group"])
    for i, r in w[w["group"] == "comparison"].iterrows():
        key = (r["ods_code"], r["year"], r["indicator"])
        try:
            gm = groups.loc[key + ("global_majority",)]
            white = groups.loc[key + ("white",)]
        except KeyError:
            continue
        if pd.isna(r["value"]) or any(pd.isna(x) for x in (gm["numerator"], gm["denominator"], white["numerator"], white["denominator"])):
            continue
        first, second = (gm, white) if int(r["indicator"]) == 3 else (white, gm)
        ci = relative_likelihood_interval(int(first["numerator"]), int(first["denominator"]),
                                          int(second["numerator"]), int(second["denominator"]))
        if ci:
            w.loc[i, ["low", "high"]] = ci
    w["year"] = w["year"].astype(int)
    w["indicator"] = w["indicator"].astype(int)
    return w.sort_values(["ods_code", "indicator", "year", "group"]).reset_index(drop=True)


def latest_national(frame: pd.DataFrame, year: int, **match) -> pd.Series | None:
    """The national (ENG) row for the same measure in the latest year up to ``year``."""
    nat = frame[(frame["ods_code"] == NATIONAL) & (frame["year"] <= year)]
    for k, v in match.items():
        nat = nat[nat[k] == v]
    nat = nat.dropna(subset=["value"] if "value" in nat else ["share"])
    return None if nat.empty else nat.sort_values("year").iloc[-1]

"""Tidy frames the pages, the deck and the report draw from: shares, system totals, benchmarks.

Pure pandas over the checked, suppressed tables of a Package (``tables`` is a mapping from table
name to DataFrame). Suppression has already happened in the loader, so nothing here can reveal a
withheld count: a total that would include one is itself withheld.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

TRUST_KINDS = ("acute trust", "community and mental health trust")
SYSTEM = "NEL"
NATIONAL = "ENG"
TOTAL_MEASURE = "residents_total"
GLOBAL_MAJORITY_MEASURE = "residents_global_majority_percent"
NEL_AREA = "North East London (sum of the eight boroughs)"
LONDON_AREA = "London (sum of the 33 boroughs)"
SUMMED_NOTE = "Worked out by this dashboard from the ONS counts of the boroughs (a sum, not an ONS figure)."
Tables = Mapping[str, pd.DataFrame]


def combined_status(statuses: Iterable[object]) -> str:
    return "illustrative" if "illustrative" in set(map(str, statuses)) else "published"


def latest_row(frame: pd.DataFrame, year: str = "year") -> pd.Series | None:
    """The latest published row; the latest row only when nothing is published. An invented figure is
    never shown as 'the latest' in place of a published one, even an older one."""
    if frame.empty:
        return None
    ordered = frame.sort_values(year, kind="stable")
    published = ordered[ordered["status"].astype(str) == "published"]
    return (published if len(published) else ordered).iloc[-1]


def trusts(tables: Tables) -> pd.DataFrame:
    orgs = tables["organisations"]
    return orgs[orgs["kind"].isin(TRUST_KINDS)].sort_values("ods_code")


# --- Residents ---------------------------------------------------------------------------------

def group_measure_id(ethnic_group: str) -> str:
    return f"residents_{ethnic_group}_percent"


def resident_measures(tables: Tables) -> pd.DataFrame:
    """Every residents' measure worked out from the counts, in display order: the global-majority share,
    then each high-level group followed by its detailed groups, then the number of residents.

    Columns: measure_id, measure (label), unit, ethnic_group (empty for the first and last), level
    ('high' or 'detailed' for a group).
    """
    groups = tables["ethnic_groups"].sort_values("sort_order")
    census = "Census 2021, ONS table TS021"
    rows = [{"measure_id": GLOBAL_MAJORITY_MEASURE, "measure": "Global-majority share of residents", "unit": "percent",
             "ethnic_group": "", "level": "",
             "definition": f"Residents in every ethnic group except the White groups, as a percentage of all usual residents ({census})."}]
    for g, label, census_label, parent in zip(groups["ethnic_group"], groups["label"], groups["census_label"],
                                              groups["parent"].fillna(""), strict=True):
        rows.append({"measure_id": group_measure_id(str(g)), "measure": f"{label} share of residents", "unit": "percent",
                     "ethnic_group": str(g), "level": "detailed" if str(parent) else "high",
                     "definition": (f"Residents who gave their ethnic group as '{census_label}' ({census}), as a percentage "
                                    "of all usual residents." + ("" if str(parent) else " Includes every detailed group within it."))})
    rows.append({"measure_id": TOTAL_MEASURE, "measure": "Usual residents", "unit": "count", "ethnic_group": "", "level": "",
                 "definition": f"Everyone usually resident in the area on census day, 21 March 2021 ({census}, total)."})
    return pd.DataFrame(rows)


def _area_counts(pop: pd.DataFrame, groups: pd.DataFrame, key: str) -> pd.DataFrame:
    """One row per area (``key``): total (sum of the high-level groups), global_majority, one column
    per ethnic group, and the rows' combined status, sources and period."""
    if pop.empty:
        return pd.DataFrame()
    pop = pop.merge(groups[["ethnic_group", "parent", "global_majority"]], on="ethnic_group")
    counts = pop["count"].astype(float)
    high = pop["parent"].isna() | (pop["parent"].astype(str) == "")
    wide = pop.pivot_table(index=key, columns="ethnic_group", values="count", aggfunc="sum").astype(float)
    out = pd.DataFrame({
        "total": counts.where(high, 0.0).groupby(pop[key]).sum(),
        "global_majority": counts.where(high & pop["global_majority"].astype(bool), 0.0).groupby(pop[key]).sum(),
    }).join(wide)
    grouped = pop.groupby(key, sort=True)
    out["status"] = grouped["status"].agg(combined_status)
    out["source_id"] = grouped["source_id"].agg(lambda s: ";".join(sorted(set(s.astype(str)))))
    out["period"] = grouped["period"].agg(lambda s: str(s.iloc[0]))
    return out.rename_axis(key).reset_index()


def resident_group_counts(tables: Tables) -> pd.DataFrame:
    """One row per borough: gss_code, total, global_majority, a count per ethnic group, status, source_id, period."""
    return _area_counts(tables["population"], tables["ethnic_groups"], "gss_code")


def _shares(counts: pd.DataFrame, measures: pd.DataFrame, key: str) -> pd.DataFrame:
    """Long frame: the counts' key, measure_id, measure, unit, value, status, source_id, period, note."""
    parts = []
    columns = (measures["measure_id"], measures["measure"], measures["unit"], measures["ethnic_group"])
    for mid, label, unit, group in zip(*columns, strict=True):
        if mid == TOTAL_MEASURE:
            value = counts["total"]
        else:
            numerator = counts["global_majority"] if mid == GLOBAL_MAJORITY_MEASURE else counts.get(group)
            if numerator is None:
                continue
            value = (100 * numerator / counts["total"]).where(counts["total"] != 0, np.nan)
        parts.append(pd.DataFrame({
            key: counts[key], "measure_id": mid, "measure": label, "unit": unit, "value": value.astype(float),
            "status": counts["status"], "source_id": counts["source_id"], "period": counts["period"], "note": "",
        }))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def borough_measures(tables: Tables) -> pd.DataFrame:
    """Every borough measure, long and tidy: gss_code, name, in_nel, measure_id, measure, unit, value, status, source_id, period, note.

    The residents' measures worked out from the Census counts come first (see :func:`resident_measures`);
    then the package's other borough measures.
    """
    boroughs = tables["boroughs"][["gss_code", "name", "in_nel"]]
    computed = _shares(resident_group_counts(tables), resident_measures(tables), "gss_code")
    measures = tables["measures"][["measure_id", "name", "unit"]].rename(columns={"name": "measure"})
    other = tables["borough_measures"].merge(measures, on="measure_id")
    other = other[["gss_code", "measure_id", "measure", "unit", "value", "status", "source_id", "period", "note"]]
    out = pd.concat([f for f in (computed, other.astype({"value": float})) if len(f)], ignore_index=True)
    out = boroughs.merge(out, on="gss_code", how="left")
    out["value"] = out["value"].astype(float)
    return out


def area_comparators(tables: Tables) -> pd.DataFrame:
    """Wider-area figures for every borough measure: North East London and London as sums of their
    boroughs' counts, England as ONS publishes it, then the package's published area benchmarks
    (for example the strategy's own figure for North East London).

    Columns: area, measure_id, value, status, source_id, period, note.
    """
    measures = resident_measures(tables)
    counts = resident_group_counts(tables)
    parts = []
    if len(counts):
        boroughs = tables["boroughs"]
        nel = set(boroughs.loc[boroughs["in_nel"].fillna(False).astype(bool), "gss_code"].astype(str))
        for area, members, expected in ((NEL_AREA, nel, len(nel)), (LONDON_AREA, set(boroughs["gss_code"].astype(str)), len(boroughs))):
            part = counts[counts["gss_code"].isin(members)]
            if len(part) != expected or not expected:
                continue  # a sum over some of the boroughs would be a different area
            summed = part.drop(columns=["gss_code", "status", "source_id", "period"]).sum().to_frame().T
            summed["area"] = area
            summed["status"] = combined_status(part["status"])
            summed["source_id"] = ";".join(sorted(set(";".join(part["source_id"]).split(";"))))
            summed["period"] = str(part["period"].iloc[0])
            parts.append(_shares(summed, measures, "area").assign(note=SUMMED_NOTE))
    area_pop = tables.get("area_population")
    if area_pop is not None and len(area_pop):
        wide = _area_counts(area_pop, tables["ethnic_groups"], "area")
        parts.append(_shares(wide, measures, "area"))
    bench = tables.get("area_benchmarks")
    if bench is not None and len(bench):
        parts.append(bench[["area", "measure_id", "value", "status", "source_id", "period", "note"]].astype({"value": float}))
    cols = ["area", "measure_id", "value", "status", "source_id", "period", "note"]
    if not parts:
        return pd.DataFrame(columns=cols)
    return pd.concat(parts, ignore_index=True)[cols]


def measure_choices(frame: pd.DataFrame) -> dict[str, str]:
    """measure_id -> label, in a stable order (computed shares first)."""
    seen = frame.dropna(subset=["measure_id"]).drop_duplicates("measure_id")
    return dict(zip(seen["measure_id"], seen["measure"], strict=True))


def residents_share_for(tables: Tables, gss_codes: Iterable[str]) -> dict | None:
    """Global-majority share of the residents of some boroughs (e.g. those a trust serves)."""
    counts = resident_group_counts(tables)
    if counts.empty:
        return None
    part = counts[counts["gss_code"].isin(list(gss_codes))]
    if part.empty:
        return None
    return {"value": 100 * part["global_majority"].sum() / part["total"].sum(),
            "status": combined_status(part["status"]), "source_id": ";".join(sorted(set(";".join(part["source_id"]).split(";")))),
            "boroughs": len(part), "period": "Census 2021"}


def serving_organisations(tables: Tables, gss_code: str) -> pd.DataFrame:
    """The NHS organisations that serve a borough (ods_code, name, short_name, kind), the ICB first,
    then the trusts by name."""
    links = tables["organisation_boroughs"]
    orgs = tables["organisations"]
    codes = set(links.loc[links["gss_code"] == gss_code, "ods_code"].astype(str))
    out = orgs[orgs["ods_code"].astype(str).isin(codes) & ~orgs["kind"].isin(("system", "national"))]
    out = out[["ods_code", "name", "short_name", "kind"]]
    return out.assign(_icb=out["kind"] != "ICB").sort_values(["_icb", "name"]).drop(columns="_icb").reset_index(drop=True)


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
    have = set(zip(wf["ods_code"], wf["year"], wf["staff_group"], strict=True))
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
        "status": [combined_status(s) for s in zip(joined["status_board"], joined["status_staff"], strict=True)],
        "suppressed": joined["suppressed_board"] | joined["suppressed_staff"],
        "source_id": joined["source_id_board"] + ";" + joined["source_id_staff"],
    }).reset_index()
    return out


# --- WRES --------------------------------------------------------------------------------------

def relative_likelihood_interval(n1: float, d1: float, n2: float, d2: float, z: float = 1.96) -> tuple[float, float] | None:
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
    key = ["ods_code", "year", "indicator"]
    comparisons = w[w["group"] == "comparison"]
    where = pd.MultiIndex.from_frame(comparisons[key])

    def counts(group: str) -> tuple[np.ndarray, np.ndarray]:
        """This group's numerator and denominator beside each comparison row (NaN where it has none):
        one reindex, not a lookup per row (the loop it replaced took 37 s on a package 100x this one)."""
        found = w.loc[w["group"] == group, [*key, "numerator", "denominator"]].drop_duplicates(key).set_index(key)
        found = found.reindex(where)
        return tuple(found[c].astype("Float64").to_numpy(dtype=float, na_value=np.nan) for c in ("numerator", "denominator"))

    (gm_n, gm_d), (white_n, white_d) = counts("global_majority"), counts("white")
    value = comparisons["value"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    indicator = comparisons["indicator"].to_numpy(dtype=float, na_value=np.nan)
    known = ~np.isnan(value) & ~np.isnan(gm_n) & ~np.isnan(gm_d) & ~np.isnan(white_n) & ~np.isnan(white_d)
    rows, lows, highs = [], [], []
    for pos in np.flatnonzero(known):
        gm, white = (int(gm_n[pos]), int(gm_d[pos])), (int(white_n[pos]), int(white_d[pos]))
        first, second = (gm, white) if indicator[pos] == 3 else (white, gm)
        ci = relative_likelihood_interval(*first, *second)
        if ci:
            rows.append(comparisons.index[pos])
            lows.append(ci[0])
            highs.append(ci[1])
    if rows:
        w.loc[rows, "low"] = lows
        w.loc[rows, "high"] = highs
    w["year"] = w["year"].astype(int)
    w["indicator"] = w["indicator"].astype(int)
    return w.sort_values(["ods_code", "indicator", "year", "group"]).reset_index(drop=True)


def latest_national(frame: pd.DataFrame, year: int, **match: object) -> pd.Series | None:
    """The national (ENG) row for the same measure in the latest year up to ``year``."""
    nat = frame[(frame["ods_code"] == NATIONAL) & (frame["year"] <= year)]
    for k, v in match.items():
        nat = nat[nat[k] == v]
    nat = nat.dropna(subset=["value"] if "value" in nat else ["share"])
    return None if nat.empty else nat.sort_values("year").iloc[-1]

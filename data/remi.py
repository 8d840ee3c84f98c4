"""REMI (Race Equity Maturity Index) as a tidy frame: one stage (1 to 6) per organisation, year and domain,
the domains' fixed order, the NEL median, and the choices of organisation and year. Pure pandas."""
from __future__ import annotations

import math
from collections.abc import Iterable

import pandas as pd

NOT_PUBLISHED = "not yet published"


def remi_long(remi: pd.DataFrame, domains: pd.DataFrame, stages: pd.DataFrame,
              organisations: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per organisation, year and domain with names: ods_code, org_name, short_name, year,
    domain_id, domain, sort_order, stage, stage_name, period, source_id, status."""
    frame = remi.dropna(subset=["stage", "year"]).copy()
    frame = frame.merge(domains[["domain_id", "name", "sort_order"]].rename(columns={"name": "domain"}),
                        on="domain_id", how="inner")
    names = stages.set_index("stage")["name"]
    frame["stage"] = frame["stage"].astype(int)
    frame["year"] = frame["year"].astype(int)
    frame["stage_name"] = frame["stage"].map(lambda s: str(names.get(s, f"Stage {s}")))
    if organisations is not None and len(organisations):
        orgs = organisations.set_index("ods_code")
        frame["org_name"] = frame["ods_code"].map(lambda c: str(orgs["name"].get(c, c)))
        frame["short_name"] = frame["ods_code"].map(lambda c: str(orgs["short_name"].get(c, c)))
    else:
        frame["org_name"] = frame["ods_code"].astype(str)
        frame["short_name"] = frame["ods_code"].astype(str)
    cols = ["ods_code", "org_name", "short_name", "year", "domain_id", "domain", "sort_order", "stage",
            "stage_name", "period", "source_id", "status"]
    return frame[cols].sort_values(["ods_code", "year", "sort_order"]).reset_index(drop=True)


def domain_order(domains: pd.DataFrame) -> list[tuple[str, str]]:
    """(domain_id, name) in the fixed sort order: the order of the radar's axes."""
    d = domains.sort_values(["sort_order", "domain_id"])
    return list(zip(d["domain_id"].astype(str), d["name"].astype(str), strict=True))


def stage_names(stages: pd.DataFrame) -> dict[int, str]:
    return {int(s): str(n) for s, n in zip(stages["stage"], stages["name"], strict=True)}


def org_choices(long: pd.DataFrame, organisations: pd.DataFrame | None = None) -> list[str]:
    """Organisations with REMI rows, in the organisations table's order (the ICB first)."""
    present = set(long["ods_code"].astype(str))
    ordered = [c for c in (organisations["ods_code"].astype(str) if organisations is not None else []) if c in present]
    return ordered + sorted(present - set(ordered))


def year_choices(long: pd.DataFrame, org: str | None = None) -> list[str]:
    """Years with REMI rows (for ``org`` if given), oldest first; the default is the last."""
    rows = long if org is None else long[long["ods_code"] == org]
    return [str(y) for y in sorted(set(rows["year"].astype(int)))]


def org_label(long: pd.DataFrame, code: str, short: bool = False) -> str:
    rows = long[long["ods_code"] == code]
    if rows.empty:
        return code
    return str(rows["short_name" if short else "org_name"].iloc[0])


def org_year(long: pd.DataFrame, org: str, year: int, order: list[tuple[str, str]]) -> pd.DataFrame:
    """One row per domain in axis order (a domain without a score has stage NaN)."""
    rows = long[(long["ods_code"] == org) & (long["year"] == int(year))].set_index("domain_id")
    out = pd.DataFrame({"domain_id": [d for d, _ in order], "domain": [n for _, n in order]})
    for col in ("stage", "stage_name", "status", "source_id", "period"):
        out[col] = out["domain_id"].map(lambda d, c=col: rows[c].get(d) if d in rows.index else None)
    out["stage"] = pd.to_numeric(out["stage"], errors="coerce")
    return out


def nel_median(long: pd.DataFrame, year: int, order: list[tuple[str, str]]) -> pd.DataFrame:
    """Median stage per domain across every organisation with a score that year (domain order)."""
    rows = long[long["year"] == int(year)]
    out = []
    for did, name in order:
        d = rows[rows["domain_id"] == did]
        out.append({"domain_id": did, "domain": name,
                    "stage": float(d["stage"].median()) if len(d) else math.nan,
                    "n": int(d["ods_code"].nunique()),
                    "status": "illustrative" if (d["status"] == "illustrative").any() else "published"})
    return pd.DataFrame(out)


def previous_year(long: pd.DataFrame, org: str, year: int) -> int | None:
    earlier = [int(y) for y in year_choices(long, org) if int(y) < int(year)]
    return max(earlier) if earlier else None


def stage_text(stage: object, names: dict[int, str]) -> str:
    """'3 (Implementation)', '2.5 (between Commitment and Implementation)', or 'not yet published'."""
    if stage is None or pd.isna(stage):
        return NOT_PUBLISHED
    s = float(stage)  # type: ignore[arg-type]
    if s.is_integer():
        return f"{int(s)} ({names.get(int(s), '')})"
    lo, hi = int(math.floor(s)), int(math.ceil(s))
    return f"{s:g} (between {names.get(lo, lo)} and {names.get(hi, hi)})"


def _statuses(statuses: Iterable[object]) -> list[str]:
    return [str(s) for s in statuses if s is not None and not pd.isna(s)]


def all_illustrative(statuses: Iterable[object]) -> bool:
    values = _statuses(statuses)
    return bool(values) and all(v == "illustrative" for v in values)


def any_illustrative(statuses: Iterable[object]) -> bool:
    return any(v == "illustrative" for v in _statuses(statuses))

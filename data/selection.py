"""Which organisations, years and staff groups a reader can choose on the workforce and trust pages, and what
each choice is called. Pure pandas."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from data.derive import SYSTEM, TRUST_KINDS


def org_names(organisations: pd.DataFrame, column: str = "short_name") -> dict[str, str]:
    return dict(zip(organisations["ods_code"].astype(str), organisations[column].astype(str), strict=True))


def org_choice_names(organisations: pd.DataFrame) -> dict[str, str]:
    """What a person choosing an organisation reads: the full name, then the short one
    ('Barking, Havering and Redbridge University Hospitals NHS Trust (BHRUT)')."""
    out = {}
    for code, name, short in zip(organisations["ods_code"].astype(str), organisations["name"].astype(str),
                                 organisations["short_name"].astype(str), strict=True):
        out[code] = name if short == name or short in name else f"{name} ({short})"
    return out


def org_choices(tables: Mapping[str, pd.DataFrame], *, include_icb: bool = False) -> list[str]:
    """The five trusts (sorted), the ICB if asked and it has any data, then the NEL system."""
    orgs = tables["organisations"]
    codes = sorted(orgs.loc[orgs["kind"].isin(TRUST_KINDS), "ods_code"].astype(str))
    if include_icb:
        icbs = orgs.loc[orgs["kind"] == "ICB", "ods_code"].astype(str)
        for code in icbs:
            if any(name in tables and (tables[name]["ods_code"].astype(str) == code).any() for name in ("workforce", "wres", "remi")):
                codes.append(code)
    return codes + [SYSTEM]


def profile_choices(tables: Mapping[str, pd.DataFrame]) -> list[str]:
    """The trust page's organisations: the five trusts, every ICB (with figures or not: its profile says who
    publishes what), then the NEL system."""
    orgs = tables["organisations"]
    codes = org_choices(tables)
    return codes[:-1] + list(orgs.loc[orgs["kind"] == "ICB", "ods_code"].astype(str)) + codes[-1:]


def wres_orgs(wres: pd.DataFrame, org: str, trust_codes: Sequence[str]) -> list[str]:
    """Whose WRES figures to show: the organisation, or for the system every trust side by side."""
    if org == SYSTEM and not (wres["ods_code"] == SYSTEM).any():
        return [c for c in trust_codes if c != SYSTEM]
    return [org]


def wres_years(wres: pd.DataFrame, orgs: Sequence[str]) -> list[int]:
    part = wres[wres["ods_code"].isin(list(orgs))]
    return sorted({int(y) for y in part["year"]})


def group_labels(staff_groups: pd.DataFrame) -> dict[str, str]:
    """Each staff group's label, in the package's order."""
    g = staff_groups.sort_values("sort_order")
    return dict(zip(g["staff_group"].astype(str), g["label"].astype(str), strict=True))

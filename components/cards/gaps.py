"""Where a figure is missing, the empty state says what is missing (the measure, for whom, which year), who
publishes it (the organisation's full name, linked to its own website), how often, and where every gap is
listed (the coverage on /data). Pure: Markdown strings, no Streamlit.

"Not in this dashboard yet", not "not yet published": the dashboard cannot know that an organisation has not
published a figure, only that it does not hold one.
"""
from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from components.cards.workforce import NOT_HELD
from components.words import cap_first, link, lower_first, plain

COVERAGE_PATH = "/data#coverage"
NATIONAL, SYSTEM = "ENG", "NEL"

# What each kind of figure is, who publishes it and how often (from the WRES's rules and the strategy).
HOW_PUBLISHED = {
    "workforce": "in its Workforce Race Equality Standard (WRES) report, which every NHS trust publishes each year",
    "wres": "in its Workforce Race Equality Standard (WRES) report, which every NHS trust publishes each year",
    "remi": "in its Race Equity Maturity Index (REMI) self-assessment, which the strategy asks every partner to "
            "complete each year",
}
NATIONAL_WORDS = "in its national WRES data, which it publishes each year for all nine indicators"


def organisation(orgs: pd.DataFrame | None, code: str) -> Mapping[str, str]:
    """One organisation's row as text (name, short_name, kind, website); the code itself when it is not known."""
    if orgs is not None and "ods_code" in orgs:
        row = orgs[orgs["ods_code"].astype(str) == str(code)]
        if len(row):
            r = row.iloc[0]
            return {k: ("" if k not in r or pd.isna(r[k]) else str(r[k])) for k in ("name", "short_name", "kind", "website")}
    return {"name": str(code), "short_name": str(code), "kind": "", "website": ""}


def named_link(orgs: pd.DataFrame | None, code: str) -> str:
    """The organisation's full name as Markdown, linked to its own website where the data gives one."""
    org = organisation(orgs, code)
    return link(org["name"], org["website"]) if org["website"] else plain(org["name"])


def who_publishes(orgs: pd.DataFrame | None, code: str, kind: str) -> str:
    """'Who publishes it: [Homerton Healthcare NHS Foundation Trust](https://…), in its WRES report, which …'."""
    if code == SYSTEM and kind == "remi":
        return ("Who publishes it: each partner publishes its own self-assessment, which the strategy asks it to "
                "complete each year; the system's view is drawn from theirs.")
    if code == SYSTEM:
        return ("Who publishes it: the system's figures are summed from the five trusts' own, each published in "
                "its trust's WRES report every year, so they appear here once every trust's figure is in the dashboard.")
    if code == NATIONAL:
        return f"Who publishes it: {named_link(orgs, code)}, {NATIONAL_WORDS}."
    how = HOW_PUBLISHED.get(kind, HOW_PUBLISHED["wres"])
    if organisation(orgs, code)["kind"] == "ICB" and kind != "remi":
        how = "in its own Workforce Race Equality Standard (WRES) reporting as an employer, each year"
    return f"Who publishes it: {named_link(orgs, code)}, {how}."


def gap_notice(what: str, orgs: pd.DataFrame | None, code: str, kind: str, year: object = None) -> str:
    """The empty state of a card, as Markdown (text escaped, links checked)."""
    org = organisation(orgs, code)
    name = lower_first(org["name"]) if org["kind"] in ("system", "national") else org["name"]  # 'all NHS trusts in …'
    when = f", {year}" if year not in (None, "") else ""
    return (f"**{plain(cap_first(what))} for {plain(name)}{plain(when)}: {NOT_HELD}.** "
            f"{who_publishes(orgs, code, kind)} "
            f"Every gap, for every organisation and year, is listed in [what the dashboard holds]({COVERAGE_PATH}).")

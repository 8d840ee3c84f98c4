"""Small-number suppression: the one rule, applied in one place (the loader) before any figure
reaches a page, a chart, a table or a download.

The rule: a count of staff from 1 to 4 could identify a person, so it is never shown. When such a
count is withheld, so is every figure derived from it: the percentage, the complementary count (a
total minus a withheld count would give it back) and any ratio computed from it. Withheld cells are
empty and the row's ``suppressed`` column is True; pages show them as "fewer than 5". Zero is shown:
it describes nobody. Census counts of residents are published by ONS after its own disclosure
control and are not suppressed again here.

The rule's scope is part of the package: ``staff_groups.csv`` says per staff group whether it applies
(``suppress``). It is on for every group of staff and off for the board, whose voting members are
named public office-holders and whose composition WRES indicator 9 publishes without suppression.
"""
from __future__ import annotations

import pandas as pd

THRESHOLD = 5
SUPPRESSED_LABEL = "fewer than 5"
RULE_TEXT = (
    "To protect staff privacy, any count of staff from 1 to 4 is withheld and shown as 'fewer than 5'. "
    "Every figure that could be worked out from it (its percentage, the matching count for the other "
    "group, and any ratio using it) is withheld too. System-wide totals that would include a withheld "
    "count are not shown."
)


def is_small(counts: pd.Series) -> pd.Series:
    """True where a count is 1 to THRESHOLD - 1."""
    c = pd.to_numeric(counts, errors="coerce")
    return ((c >= 1) & (c < THRESHOLD)).fillna(False).astype(bool)


def exempt_groups(staff_groups: pd.DataFrame | None) -> set[str]:
    """Staff groups the rule does not apply to (``suppress`` false); none if the table is unusable."""
    if staff_groups is None or "suppress" not in staff_groups:
        return set()
    off = staff_groups["suppress"].astype("boolean").fillna(True) == False  # noqa: E712 (nullable boolean)
    return set(staff_groups.loc[off, "staff_group"].astype(str))


def _suppress_workforce(t: pd.DataFrame, exempt: set[str]) -> pd.DataFrame:
    rest = t["total_headcount"] - t["gm_headcount"]
    hide = is_small(t["gm_headcount"]) | is_small(rest)
    if exempt and "staff_group" in t:
        hide = hide & ~t["staff_group"].astype(str).isin(exempt)
    t["gm_headcount"] = t["gm_headcount"].mask(hide)
    t["gm_percent"] = t["gm_percent"].mask(hide)
    t["suppressed"] = hide
    return t


def _suppress_wres(t: pd.DataFrame, exempt: set[str]) -> pd.DataFrame:
    rest = t["denominator"] - t["numerator"]
    hide = is_small(t["numerator"]) | is_small(rest)
    cells = pd.MultiIndex.from_frame(t[["ods_code", "year", "indicator"]].astype(str))  # one cell per row
    derived = (t["group"] == "comparison") & cells.isin(cells[hide.to_numpy(dtype=bool)])
    hide = hide | derived
    t["numerator"] = t["numerator"].mask(hide)
    t["value"] = t["value"].mask(hide)
    t["suppressed"] = hide
    return t


SUPPRESSORS = {"workforce": _suppress_workforce, "wres": _suppress_wres}


def apply_suppression(table: str, frame: pd.DataFrame, staff_groups: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return the table with small staff counts, and what derives from them, withheld.

    ``staff_groups`` (the package's table) exempts the groups whose ``suppress`` is false; without it
    the rule applies to every group."""
    suppress = SUPPRESSORS.get(table)
    return suppress(frame.copy(), exempt_groups(staff_groups)) if suppress else frame

"""What the workforce cards (/workforce and /trust) share: the words for missing and withheld figures, places,
gaps in points, the WRES indicators' guide, the trust's leadership table and the page's status summary.

One module per card beside this one (representation_trend, representation_comparison, wres_ratio, wres_survey,
board_gap, remi_summary): each prepares its rows once, draws them (components.charts) and writes its table and
sentence from the same rows. Every card draws exactly what its table lists: each row carries Status, Source and
Period; withheld (suppressed) values are left out of the figure and read "fewer than 5" in the table;
illustrative values are drawn hollow (and named in the legend). A builder returns None when there is nothing
to draw, and :func:`missing_text` says so in plain words.
"""
from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping

import pandas as pd

from components.cards.base import ChartCard
from components.charts.palette import SERIES_COLOURS, TEXT
from components.words import cap_first, fmt_percent, lower_first, round_half_up, source_titles, status_label
from data.derive import SYSTEM, latest_row
from data.suppression import SUPPRESSED_LABEL

NOT_PUBLISHED = "not yet published"
NOT_HELD = "not in this dashboard yet"  # where someone publishes the figure (a trust's WRES report) but it is not here
NO_NATIONAL = "England's figure not in this dashboard yet"  # NHS England publishes all nine each year
BAND_LOW, BAND_HIGH = 0.8, 1.25
BAND_LABEL = "0.8 to 1.25: guide range (grey band)"
RATIO_INDICATORS = (2, 3, 4)
SURVEY_INDICATORS = (5, 6, 7, 8)
DEFAULT_FOCUS = "band_8a_plus"
NATIONAL_COLOUR = TEXT
GM_COLOUR, WHITE_COLOUR = SERIES_COLOURS[0], SERIES_COLOURS[1]

# Which way is worse for global-majority staff on the staff survey indicators (WRES 5-8).
WORSE_WHEN_HIGHER = {5: True, 6: True, 7: False, 8: True}
SHORT_GROUPS = {"all_staff": "all staff", "bands_1_4": "bands 1 to 4", "bands_5_7": "bands 5 to 7",
                "band_8a_plus": "band 8a and above", "vsm": "very senior managers", "board": "the board"}
CARD_NAMES = {
    "representation-trend": "Representation over time",
    "representation-compare": "Representation compared with NEL and England",
    "wres-ratios": "WRES indicators 2 to 4",
    "wres-survey": "WRES indicators 5 to 8",
    "wres-board": "WRES indicator 9",
    "remi": "REMI self-assessment",
}
LEADERSHIP = ("band_8a_plus", "vsm", "board")


# --- cells -------------------------------------------------------------------------------------

def number(x: object) -> float | None:
    """A cell as a float, None when it is blank or not a number."""
    try:
        if x is None or pd.isna(x):
            return None
        return float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def is_true(x: object) -> bool:
    try:
        return bool(x) and not pd.isna(x)
    except (TypeError, ValueError):
        return False


def withheld(r: Mapping, column: str = "value") -> bool:
    """Whether a row's figure is withheld (suppressed) or missing, and so not drawn."""
    return is_true(r["suppressed"]) or bool(pd.isna(r[column]))


def title_map(sources: pd.DataFrame) -> dict[str, str]:
    """Each source id's title, for :func:`components.words.source_titles`."""
    return dict(zip(sources["source_id"].astype(str), sources["title"].astype(str), strict=True))


# --- words ---------------------------------------------------------------------------------------

def place_name(names: Mapping[str, str], org: str) -> str:
    return names.get(org, org)


def whose(org: str) -> str:
    return "the system's" if org == SYSTEM else "the trust's" if org != "QMF" else "the ICB's"


def served(org: str) -> str:
    return "the residents of north east London" if org == SYSTEM else "the residents of the boroughs it serves"


def points(gap: float) -> str:
    n = abs(round_half_up(gap))
    return f"{n} point{'s' if n != 1 else ''}"


def compare_words(value: float, ref: float, ref_words: str, ref_label: str) -> str:
    gap = round_half_up(value) - round_half_up(ref)
    if gap == 0:
        return f"the same as {ref_words} ({ref_label})"
    return f"{points(gap)} {'below' if gap < 0 else 'above'} {ref_words} ({ref_label})"


def missing_text(what: str, place: str, year: object = None) -> str:
    when = f" for {year}" if year not in (None, "") else ""
    return (f"{cap_first(what)} for {place}{when}: not in this dashboard yet. Every gap is listed on the "
            "'About the data' page.")


def wrap(text: str, width: int = 44) -> str:
    return "<br>".join(textwrap.wrap(str(text), width)) or str(text)


def disadvantage_words(text: str) -> str:
    """'Above 1.0: White applicants are more likely' -> 'Disadvantage when above 1.0 (White applicants are more likely)'."""
    text = str(text).strip().rstrip(".")
    if not text:
        return ""
    cond, sep, why = text.partition(": ")
    return f"Disadvantage when {lower_first(cond)} ({why})" if sep else f"Disadvantage when {lower_first(text)}"


def panel_title(number: int, info: Mapping[str, str]) -> str:
    return f"<b>{wrap(f'{number}. ' + info['short_name'], 40)}</b><br>" + wrap(disadvantage_words(info["disadvantage_when"]), 46)


def indicator_definitions(infos: Mapping[int, Mapping[str, str]]) -> str:
    return " ".join(f"Indicator {i}: {info['definition']} Disadvantage when: {lower_first(info['disadvantage_when'])}."
                    for i, info in infos.items())


# --- the WRES indicators --------------------------------------------------------------------------

def indicator_guide(meta: pd.DataFrame) -> pd.DataFrame:
    """The nine WRES indicators with the direction that means disadvantage, as a plain table."""
    m = meta.sort_values("indicator")
    return pd.DataFrame({
        "Indicator": m["indicator"].astype(int).astype(str).to_numpy(),
        "Measure": m["short_name"].astype(str).to_numpy(),
        "Expressed as": m["expressed_as"].astype(str).to_numpy(),
        "Global-majority staff are at a disadvantage when": m["disadvantage_when"].astype(str).to_numpy(),
    })


def indicator_info(meta: pd.DataFrame, indicator: int) -> dict[str, str]:
    row = meta[meta["indicator"].astype(int) == int(indicator)]
    if row.empty:
        return {"short_name": f"Indicator {indicator}", "definition": "", "disadvantage_when": "", "expressed_as": ""}
    r = row.iloc[0]
    return {k: ("" if pd.isna(r.get(k)) else str(r.get(k))) for k in ("short_name", "definition", "disadvantage_when", "expressed_as")}


def wres_rows(wres: pd.DataFrame, orgs: Iterable[str], year: int) -> dict[tuple[str, int, str], pd.Series]:
    """The year's rows of these organisations by (organisation, indicator, group): one filter, not one per cell."""
    part = wres[(wres["year"] == int(year)) & wres["ods_code"].isin(list(orgs))]
    rows: dict[tuple[str, int, str], pd.Series] = {}
    for k, key in enumerate(zip(part["ods_code"].astype(str), part["indicator"].astype(int), part["group"].astype(str), strict=True)):
        if key not in rows:
            rows[key] = part.iloc[k]
    return rows


# --- the trust page ------------------------------------------------------------------------------

def leadership_summary(shares: pd.DataFrame, org: str, residents: Mapping | None, sources: pd.DataFrame,
                       borough: Mapping | None = None) -> pd.DataFrame:
    """The organisation's leadership (band 8a and above, very senior managers, board) against the residents
    of the boroughs it serves (and, with ``borough``, of the reader's own borough first): one row each, the
    latest published figure where there is one, with its source."""
    rows = []
    titles = title_map(sources)
    mine = shares[shares["ods_code"] == org]
    for group in LEADERSHIP:
        g = mine[(mine["staff_group"] == group) & (mine["share"].notna() | mine["suppressed"].astype(bool))]
        r = latest_row(g)
        label = str(g["group_label"].iloc[0]) if len(g) else cap_first(SHORT_GROUPS.get(group, group))
        if r is None:
            rows.append({"Who": label, "Global-majority share": NOT_HELD, "Year": "", "Status": "", "Source": ""})
        else:
            value = SUPPRESSED_LABEL if is_true(r["suppressed"]) else fmt_percent(float(r["share"]), 1)
            rows.append({"Who": label, "Global-majority share": value, "Year": str(int(r["year"])),
                         "Status": status_label(r["status"]), "Source": source_titles(r["source_id"], titles)})
    for who, r in ((f"Residents of {borough.get('name')}" if borough else "", borough),
                   (residents_label(int(residents.get("boroughs") or 0)) if residents else "", residents)):
        if r and r.get("value") is not None:
            rows.append(residents_row(who, r, titles))
    return pd.DataFrame(rows, columns=LEADERSHIP_COLUMNS)


LEADERSHIP_COLUMNS = ["Who", "Global-majority share", "Year", "Status", "Source"]


def residents_row(who: str, r: Mapping, titles: Mapping[str, str]) -> dict[str, str]:
    """A leadership table's row for some residents' global-majority share (see data.derive.residents_share_for)."""
    return {"Who": who, "Global-majority share": fmt_percent(float(r["value"]), 1),
            "Year": str(r.get("period", "Census 2021")), "Status": status_label(r.get("status", "published")),
            "Source": source_titles(r.get("source_id", ""), titles)}


def residents_label(boroughs: int) -> str:
    """'Residents of the borough it serves' / 'Residents of the 3 boroughs it serves, together'."""
    return "Residents of the borough it serves" if boroughs == 1 else f"Residents of the {boroughs} boroughs it serves, together"


def _verdict(n_pub: int, n_ill: int) -> str:
    if not n_pub and not n_ill:
        return "none of its own figures is in this dashboard yet"
    ill = f"{n_ill} {'figure is' if n_ill == 1 else 'figures are'} illustrative (not real data)"
    if n_ill and not n_pub:
        return "its one figure is illustrative (not real data)" if n_ill == 1 else f"all {ill}"
    if n_ill:
        return f"{ill} and {n_pub} {'is' if n_pub == 1 else 'are'} published"
    return "its one figure is published" if n_pub == 1 else f"all {n_pub} figures are published"


def status_summary(cards: Iterable[ChartCard | None], place: str | None = None) -> list[str]:
    """One line per card: how many of its figures are published and how many illustrative. With ``place``,
    only that organisation's own figures count (never England's or the system's beside them)."""
    out = []
    pub, ill = status_label("published"), status_label("illustrative")
    for card in cards:
        if card is None or "Status" not in card.table:
            continue
        table = card.table
        if place is not None and "Organisation" in table:
            table = table[table["Organisation"].astype(str) == place]
        s = table["Status"].astype(str)
        name = next((v for k, v in CARD_NAMES.items() if card.key.startswith(k)), card.key)
        out.append(f"{name}: {_verdict(int((s == pub).sum()), int((s == ill).sum()))}.")
    return out


def residents_for(tables: Mapping[str, pd.DataFrame], org: str) -> dict | None:
    """Global-majority share of the residents of the boroughs an organisation serves (None if unknown)."""
    try:
        from data.derive import residents_share_for, served_boroughs
        return residents_share_for(tables, served_boroughs(tables, org))
    except KeyError:  # a table it needs failed its checks
        return None


def borough_residents(tables: Mapping[str, pd.DataFrame], gss_code: str) -> dict | None:
    """Global-majority share of one borough's residents, with its name (None if unknown or not asked for)."""
    if not gss_code:
        return None
    from data.derive import residents_share_for
    try:
        found = residents_share_for(tables, [gss_code])
        names = dict(zip(tables["boroughs"]["gss_code"].astype(str), tables["boroughs"]["name"].astype(str), strict=True))
    except KeyError:  # a table it needs failed its checks
        return None
    return {**found, "name": names.get(gss_code, gss_code)} if found else None

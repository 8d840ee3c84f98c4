"""Pure builders for the workforce pages (/workforce and /trust): tidy frames in, ChartCards out.

No Streamlit here. Every builder draws exactly what its table lists: each row carries Status,
Source and Period; withheld (suppressed) values are left out of the figure and read "fewer than 5"
in the table; illustrative values are drawn hollow (and named in the legend). A builder returns
None when there is nothing to draw, and :func:`missing_text` says so in plain words.
"""
from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from components.cards.base import ChartCard, finding_title, sources_for, status_label
from components.charts.palette import GUIDE, ILLUSTRATIVE_LABEL, MUTED, SERIES_COLOURS, TEXT, base_layout, series_style
from components.words import fmt_number, fmt_percent, fmt_points, fmt_signed, round_half_up, trend_sentence
from data.derive import NATIONAL, SYSTEM, board_gap, combined_status, latest_national, latest_row
from data.schema import GLOBAL_MAJORITY_DEFINITION
from data.suppression import SUPPRESSED_LABEL

NOT_PUBLISHED = "not yet published"
NO_NATIONAL = "England's figure not yet published"
PUBLISHED_KEY = "Published (filled marker)"
ILLUSTRATIVE_KEY = f"{ILLUSTRATIVE_LABEL}: hollow marker"
BAND_LOW, BAND_HIGH = 0.8, 1.25
BAND_LABEL = "0.8 to 1.25: guide range (grey band)"
RATIO_INDICATORS = (2, 3, 4)
SURVEY_INDICATORS = (5, 6, 7, 8)
DEFAULT_FOCUS = "band_8a_plus"
NATIONAL_COLOUR = TEXT
GM_COLOUR, WHITE_COLOUR = SERIES_COLOURS[0], SERIES_COLOURS[1]

# How each relative likelihood reads in words (WRES technical guidance; the ratio's direction).
RATIO_PHRASES = {
    2: ("White applicants", "global-majority applicants", "to be appointed from shortlisting"),
    3: ("global-majority staff", "White staff", "to enter the formal disciplinary process"),
    4: ("White staff", "global-majority staff", "to access non-mandatory training"),
}
# Which way is worse for global-majority staff on the staff survey indicators (WRES 5-8).
WORSE_WHEN_HIGHER = {5: True, 6: True, 7: False, 8: True}
GROUP_PHRASES = {
    "all_staff": "Across all staff",
    "bands_1_4": "In Agenda for Change bands 1 to 4",
    "bands_5_7": "In Agenda for Change bands 5 to 7",
    "band_8a_plus": "At band 8a and above",
    "vsm": "Among very senior managers",
    "board": "On the board",
}
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


# --- small helpers ---------------------------------------------------------------------------

def _num(x) -> float | None:
    try:
        if x is None or pd.isna(x):
            return None
        return float(x)
    except (TypeError, ValueError):
        return None


def _is_true(x) -> bool:
    try:
        return bool(x) and not pd.isna(x)
    except (TypeError, ValueError):
        return False


def _open(symbol: str, status: str) -> str:
    return f"{symbol}-open" if str(status) == "illustrative" else symbol


def _fmt1(x) -> str:
    v = _num(x)
    return "" if v is None else fmt_number(v, 1)


def _fmt2(x) -> str:
    v = _num(x)
    return "" if v is None else fmt_number(v, 2)


def _ids(values: Iterable) -> list[str]:
    out: list[str] = []
    for v in values:
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            continue
        out += [s for s in str(v).split(";") if s]
    return list(dict.fromkeys(out))


def source_titles(ids, sources: pd.DataFrame) -> str:
    """'Title A; Title B' for a source id or ';'-joined ids (ids themselves when unknown)."""
    titles = dict(zip(sources["source_id"].astype(str), sources["title"].astype(str), strict=True))
    return "; ".join(titles.get(i, i) for i in _ids([ids] if isinstance(ids, str) else ids))


def _wrap(text: str, width: int = 44) -> str:
    return "<br>".join(textwrap.wrap(str(text), width)) or str(text)


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


def _lower_first(s: str) -> str:
    return s[:1].lower() + s[1:] if s and not s[:2].isupper() else s


def _status_keys(fig: go.Figure, statuses: Iterable[str], *, row: int | None = None) -> None:
    """Legend entries saying what filled and hollow markers mean (only those used)."""
    used = set(map(str, statuses))
    kw = dict(row=row, col=1) if row else {}
    for status, name, symbol in (("published", PUBLISHED_KEY, "circle"), ("illustrative", ILLUSTRATIVE_KEY, "circle-open")):
        if status in used:
            fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=name, hoverinfo="skip",
                                     marker=dict(symbol=symbol, size=11, color=GUIDE, line=dict(width=2, color=GUIDE))),
                          **kw)


def _place(names: Mapping[str, str], org: str) -> str:
    return names.get(org, org)


def _whose(org: str) -> str:
    return "the system's" if org == SYSTEM else "the trust's" if org != "QMF" else "the ICB's"


def _served(org: str) -> str:
    return "the residents of north east London" if org == SYSTEM else "the residents of the boroughs it serves"


def _points(gap: float) -> str:
    n = abs(round_half_up(gap))
    return f"{n} point{'s' if n != 1 else ''}"


def _compare(value: float, ref: float, ref_words: str, ref_label: str) -> str:
    gap = round_half_up(value) - round_half_up(ref)
    if gap == 0:
        return f"the same as {ref_words} ({ref_label})"
    return f"{_points(gap)} {'below' if gap < 0 else 'above'} {ref_words} ({ref_label})"


def missing_text(what: str, place: str, year=None) -> str:
    when = f" for {year}" if year not in (None, "") else ""
    return f"{_cap(what)} for {place}{when}: {NOT_PUBLISHED}. This package has no figures to show here yet."


# --- choices ---------------------------------------------------------------------------------

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


LEADERSHIP = ("band_8a_plus", "vsm", "board")


def leadership_summary(shares: pd.DataFrame, org: str, residents: Mapping | None, sources: pd.DataFrame) -> pd.DataFrame:
    """The organisation's leadership (band 8a and above, very senior managers, board) against the residents
    of the boroughs it serves: one row each, the latest published figure where there is one, with its source."""
    rows = []
    mine = shares[shares["ods_code"] == org]
    for group in LEADERSHIP:
        g = mine[(mine["staff_group"] == group) & (mine["share"].notna() | mine["suppressed"].astype(bool))]
        r = latest_row(g)
        label = str(g["group_label"].iloc[0]) if len(g) else SHORT_GROUPS.get(group, group)
        if r is None:
            rows.append({"Who": label, "Global-majority share": NOT_PUBLISHED, "Year": "", "Status": "", "Source": ""})
        else:
            value = SUPPRESSED_LABEL if _is_true(r["suppressed"]) else fmt_percent(float(r["share"]), 1)
            rows.append({"Who": label, "Global-majority share": value, "Year": str(int(r["year"])),
                         "Status": status_label(r["status"]), "Source": source_titles(r["source_id"], sources)})
    if residents and residents.get("value") is not None:
        rows.append({"Who": f"Residents of the {residents.get('boroughs')} boroughs it serves",
                     "Global-majority share": fmt_percent(float(residents["value"]), 1),
                     "Year": str(residents.get("period", "Census 2021")), "Status": status_label(residents.get("status", "published")),
                     "Source": source_titles(residents.get("source_id", ""), sources)})
    return pd.DataFrame(rows, columns=["Who", "Global-majority share", "Year", "Status", "Source"])


def org_choices(tables: Mapping[str, pd.DataFrame], *, include_icb: bool = False) -> list[str]:
    """The five trusts (sorted), the ICB if asked and it has any data, then the NEL system."""
    orgs = tables["organisations"]
    codes = list(orgs.loc[orgs["kind"].isin(("acute trust", "community and mental health trust")), "ods_code"].astype(str))
    codes = sorted(codes)
    if include_icb:
        icbs = orgs.loc[orgs["kind"] == "ICB", "ods_code"].astype(str)
        for code in icbs:
            if any(name in tables and (tables[name]["ods_code"].astype(str) == code).any() for name in ("workforce", "wres", "remi")):
                codes.append(code)
    return codes + [SYSTEM]


def wres_orgs(wres: pd.DataFrame, org: str, trust_codes: Sequence[str]) -> list[str]:
    """Whose WRES figures to show: the organisation, or for the system every trust side by side."""
    if org == SYSTEM and not (wres["ods_code"] == SYSTEM).any():
        return [c for c in trust_codes if c != SYSTEM]
    return [org]


def wres_years(wres: pd.DataFrame, orgs: Sequence[str]) -> list[int]:
    part = wres[wres["ods_code"].isin(list(orgs))]
    return sorted({int(y) for y in part["year"]})


def group_labels(staff_groups: pd.DataFrame) -> dict[str, str]:
    g = staff_groups.sort_values("sort_order")
    return dict(zip(g["staff_group"].astype(str), g["label"].astype(str), strict=True))


def indicator_guide(meta: pd.DataFrame) -> pd.DataFrame:
    """The nine WRES indicators with the direction that means disadvantage, as a plain table."""
    m = meta.sort_values("indicator")
    return pd.DataFrame({
        "Indicator": m["indicator"].astype(int).astype(str).to_numpy(),
        "Measure": m["short_name"].astype(str).to_numpy(),
        "Expressed as": m["expressed_as"].astype(str).to_numpy(),
        "Global-majority staff are at a disadvantage when": m["disadvantage_when"].astype(str).to_numpy(),
    })


def _meta(meta: pd.DataFrame, indicator: int) -> dict:
    row = meta[meta["indicator"].astype(int) == int(indicator)]
    if row.empty:
        return {"short_name": f"Indicator {indicator}", "definition": "", "disadvantage_when": "", "expressed_as": ""}
    r = row.iloc[0]
    return {k: ("" if pd.isna(r.get(k)) else str(r.get(k))) for k in ("short_name", "definition", "disadvantage_when", "expressed_as")}


# --- WRES indicator 1: representation over time ----------------------------------------------

def _latest_drawn(frame: pd.DataFrame):
    return latest_row(frame[~frame["suppressed"].astype(bool) & frame["share"].notna()])


def _share_row(r, names, sources, label=None) -> dict:
    withheld = _is_true(r["suppressed"])
    gm, total = _num(r.get("gm_headcount")), _num(r.get("total_headcount"))
    if withheld:
        share_s, gm_s = SUPPRESSED_LABEL, SUPPRESSED_LABEL
    else:
        share_s = _fmt1(r["share"]) or NOT_PUBLISHED
        gm_s = fmt_number(gm) if gm is not None else "not published (percentage only)"
    return {
        "Organisation": _place(names, str(r["ods_code"])), "Staff group": label or str(r["group_label"]),
        "Year": str(int(r["year"])), "Global-majority share (%)": share_s, "Global-majority staff": gm_s,
        "All staff in the group": fmt_number(total) if total is not None else "not published (percentage only)",
        "Status": status_label(r["status"]), "Source": source_titles(r["source_id"], sources), "Period": str(r["period"]),
    }


def representation_gap_sentence(shares: pd.DataFrame, org: str, names: Mapping[str, str], focus: str,
                                residents: Mapping | None = None) -> str:
    """'At band 8a and above, 40% of Barts Health staff were from the global majority in 2024, 23 points below ...'"""
    mine = shares[shares["ods_code"] == org]
    place = _place(names, org)
    g = mine[mine["staff_group"] == focus]
    label = SHORT_GROUPS.get(focus, focus)
    if g.empty:
        return f"There are no figures for {label} at {place} in this package ({NOT_PUBLISHED})."
    last = _latest_drawn(g)
    latest_year = int(g["year"].max())
    withheld_latest = bool(g.loc[g["year"] == latest_year, "suppressed"].astype(bool).any())
    note = (f" The {latest_year} figure is withheld because it involves {SUPPRESSED_LABEL} people." if withheld_latest else "")
    if last is None:
        return f"Every figure for {label} at {place} is withheld because it involves {SUPPRESSED_LABEL} people."
    value, year = float(last["share"]), int(last["year"])
    lead = GROUP_PHRASES.get(focus, f"In the group {label}")
    who = f"{place}'s voting members" if focus == "board" else f"{place} staff"
    parts = [f"{lead}, {fmt_percent(value)} of {who} were from the global majority in {year}"]
    whole = _latest_drawn(mine[mine["staff_group"] == "all_staff"])
    if whole is not None and focus != "all_staff":
        parts.append(_compare(value, float(whole["share"]), f"{_whose(org)} whole workforce",
                              f"{fmt_percent(float(whole['share']))} in {int(whole['year'])}"))
    if residents and _num(residents.get("value")) is not None:
        parts.append(_compare(value, float(residents["value"]), _served(org),
                              f"{fmt_percent(float(residents['value']))}, {residents.get('period', 'Census 2021')}"))
    text = parts[0] + (", " + " and ".join(parts[1:]) if len(parts) > 1 else "") + "."
    return text + note


def representation_trend_card(shares: pd.DataFrame, org: str, names: Mapping[str, str], sources: pd.DataFrame, *,
                              residents: Mapping | None = None, focus: str | None = None,
                              staff_groups: pd.DataFrame | None = None) -> ChartCard | None:
    """WRES indicator 1: the global-majority share of each staff group over the years, with the
    whole-workforce and residents reference lines."""
    mine = shares[shares["ods_code"] == org].sort_values(["sort_order", "year"])
    if mine.empty:
        return None
    place = _place(names, org)
    groups = list(dict.fromkeys(mine["staff_group"].astype(str)))
    focus = focus if focus in groups else (DEFAULT_FOCUS if DEFAULT_FOCUS in groups else groups[-1])
    labels = dict(zip(mine["staff_group"].astype(str), mine["group_label"].astype(str), strict=True))
    fig = go.Figure()
    for i, group in enumerate(groups):
        g = mine[mine["staff_group"] == group].sort_values("year")
        style = series_style(i)
        drawn = ~g["suppressed"].astype(bool) & g["share"].notna()
        y = [float(v) if ok else None for v, ok in zip(g["share"], drawn, strict=True)]
        statuses = list(g["status"].astype(str))
        is_focus = group == focus
        last_i = max((k for k, ok in enumerate(drawn) if ok), default=None)
        fig.add_trace(go.Scatter(
            x=[int(v) for v in g["year"]], y=y, mode="lines+markers+text" if is_focus else "lines+markers",
            name=labels[group], legendgroup=labels[group], showlegend=False,
            text=[fmt_percent(v) if is_focus and k == last_i else "" for k, v in enumerate(y)], textposition="top center",
            textfont=dict(size=14, color=style["colour"]),
            line=dict(color=style["colour"], dash=style["dash"], width=4 if is_focus else 2),
            marker=dict(symbol=[_open(style["symbol"], s) for s in statuses], size=12 if is_focus else 9,
                        color=style["colour"], line=dict(width=2, color=style["colour"])),
            customdata=[status_label(s) for s in statuses],
            hovertemplate=f"{labels[group]}<br>%{{x}}: %{{y:.1f}}%<br>%{{customdata}}<extra></extra>",
        ))
        _identity_key(fig, _cap(SHORT_GROUPS.get(group, labels[group]).removeprefix("the ")) + (" (described below)" if is_focus else ""),
                      style["symbol"], style["colour"],
                      row=None, mode="lines+markers", dash=style["dash"], width=4 if is_focus else 2)
    whole = _latest_drawn(mine[mine["staff_group"] == "all_staff"])
    refs = []
    if whole is not None:
        refs.append((float(whole["share"]), f"Reference: whole workforce {int(whole['year'])}: {fmt_percent(float(whole['share']))}",
                     str(whole["status"]), TEXT, "longdash", 2.5))
    res_value = _num(residents.get("value")) if residents else None
    if res_value is not None:
        refs.append((res_value, f"Reference: {'residents of NEL' if org == SYSTEM else 'residents served'},<br>"
                                f"{residents.get('period', 'Census 2021')}: {fmt_percent(res_value)}",
                     str(residents.get("status", "published")), GUIDE, "dashdot", 2))
    for value, text, status, colour, dash, width in refs:
        illustrative = status == "illustrative"
        line = dict(color=colour, width=width, dash="dot" if illustrative else dash)
        fig.add_hline(y=value, line=line, layer="below")
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", line=line, hoverinfo="skip",
                                 name=text + ("<br>(illustrative, dotted)" if illustrative else "")))
    _status_keys(fig, mine.loc[~mine["suppressed"].astype(bool), "status"])
    years = sorted(int(y) for y in mine["year"].unique())
    top = max([float(v) for v in mine["share"].dropna()] + [r[0] for r in refs] + [10])
    fig.update_xaxes(tickmode="array", tickvals=years, tickformat="d", tickangle=0)
    fig.update_yaxes(range=[0, min(100, math.ceil((top + 8) / 10) * 10)], ticksuffix="%", dtick=10)
    base_layout(fig, height=700)
    fig.update_layout(legend=dict(y=-0.1, font=dict(size=14)))

    focus_rows = mine[mine["staff_group"] == focus]
    sentence = representation_gap_sentence(shares, org, names, focus, residents)
    ordered = focus_rows.sort_values("year")
    drawn_focus = ordered[~ordered["suppressed"].astype(bool) & ordered["share"].notna()]
    if len(drawn_focus) > 1:
        sentence += " " + trend_sentence(f"the share in {SHORT_GROUPS.get(focus, labels[focus])}",
                                         drawn_focus["year"], drawn_focus["share"].astype(float))
    last = _latest_drawn(focus_rows)
    if last is not None and whole is not None and focus != "all_staff":
        gap = round_half_up(float(last["share"])) - round_half_up(float(whole["share"]))
        where = "below" if gap < 0 else "above"
        title = (f"{place}: {SHORT_GROUPS.get(focus, labels[focus])} is {_points(gap)} {where} the whole workforce"
                 if gap else f"{place}: {SHORT_GROUPS.get(focus, labels[focus])} matches the whole workforce")
        title = finding_title(title, [last["status"], whole["status"]])
    elif last is not None:
        title = finding_title(f"{place}: {fmt_percent(float(last['share']))} of {SHORT_GROUPS.get(focus, labels[focus])} "
                              f"are from the global majority ({int(last['year'])})", [last["status"]])
    else:
        title = f"{place}: figures for {SHORT_GROUPS.get(focus, labels[focus])} are withheld"

    rows = [_share_row(r, names, sources) for _, r in mine.iterrows()]
    if whole is not None:
        rows.append({**_share_row(whole, names, sources), "Staff group": "Reference: whole workforce (latest)"})
    if res_value is not None:
        rows.append({"Organisation": place, "Staff group": f"Reference: {_served(org)}", "Year": "2021",
                     "Global-majority share (%)": _fmt1(res_value), "Global-majority staff": "not applicable (residents)",
                     "All staff in the group": "not applicable (residents)",
                     "Status": status_label(residents.get("status", "published")),
                     "Source": source_titles(residents.get("source_id", ""), sources),
                     "Period": str(residents.get("period", "Census 2021"))})
    table = pd.DataFrame(rows)
    ids = _ids(mine["source_id"]) + (_ids([residents.get("source_id", "")]) if res_value is not None else [])
    n_withheld = int(mine["suppressed"].astype(bool).sum())
    caveats = []
    if (mine["status"].astype(str) == "illustrative").any() or (residents or {}).get("status") == "illustrative":
        caveats.append("Illustrative values are drawn as hollow markers; reference lines are dotted when illustrative.")
    if (mine.get("derived", pd.Series(False, index=mine.index)).astype(bool)).any():
        caveats.append("System figures are the sum of the five NEL trusts' headcounts; a year is left out when a trust "
                       "published only a percentage, and a share is withheld when any trust's count is.")
    if n_withheld:
        caveats.append(f"{n_withheld} value(s) withheld (fewer than 5 people) are left as gaps in the lines.")
    caveats.append("Some published figures use a different date or rounding from the 31 March headcount; see each row's Period.")
    definition = ("WRES indicator 1: the percentage of each staff group who are from the global majority, with the whole "
                  "workforce and the residents served as reference lines. " + GLOBAL_MAJORITY_DEFINITION)
    if staff_groups is not None:
        definition += " Staff groups: " + "; ".join(f"{r['label']}: {r['definition']}" for _, r in staff_groups.sort_values("sort_order").iterrows())
    first, last_year = min(years), max(years)
    ref_words = []
    if whole is not None:
        ref_words.append(f"whole workforce {fmt_percent(float(whole['share']))}")
    if res_value is not None:
        ref_words.append(f"residents served {fmt_percent(res_value)}")
    alt = (f"Line chart: the global-majority share of {len(groups)} staff groups at {place}, {first} to {last_year}, "
           f"one line per group" + (f", with reference lines for the {' and the '.join(ref_words)}" if ref_words else "")
           + f". {sentence}")
    return ChartCard(
        key=f"representation-trend-{org}", title=title,
        subtitle=f"Global-majority share of each staff group, {place}, {first} to {last_year}",
        figure=fig, alt=alt, sentence=sentence, table=table, definition=definition,
        sources=sources_for(ids, sources), period=f"{first} to {last_year} (31 March each year unless stated); residents: Census 2021",
        caveats=caveats,
    )


# --- Representation compared with the system and England (trust profile) ---------------------

def representation_comparison_card(shares: pd.DataFrame, org: str, names: Mapping[str, str], sources: pd.DataFrame,
                                   comparators: Sequence[str] = (SYSTEM, NATIONAL)) -> ChartCard | None:
    """The latest share of each staff group for an organisation beside the NEL system and England."""
    mine = shares[shares["ods_code"] == org]
    if mine.empty:
        return None
    place = _place(names, org)
    orgs = [org] + [c for c in comparators if c != org]
    groups = (shares[["staff_group", "group_label", "sort_order"]].drop_duplicates("staff_group").sort_values("sort_order"))
    glabels = dict(zip(groups["staff_group"].astype(str), groups["group_label"].astype(str), strict=True))
    order = list(glabels)
    fig = _panel_figure([len(order)], [""], top_px=20)
    row_labels: list[dict] = []
    ypos_of = {g: len(order) - 1 - k for k, g in enumerate(order)}
    rows, statuses, ids, latest_by = [], [], [], {}
    symbols = ["circle", "square", "diamond"]
    for i, code in enumerate(orgs):
        sub = shares[shares["ods_code"] == code]
        xs, ys, syms, custom = [], [], [], []
        for group in order:
            g = sub[sub["staff_group"] == group]
            if g.empty:
                rows.append({"Organisation": _place(names, code), "Staff group": glabels[group], "Year": "",
                             "Global-majority share (%)": NOT_PUBLISHED, "Status": "", "Source": "", "Period": ""})
                continue
            r = latest_row(g)
            latest_by[(code, group)] = r
            withheld = _is_true(r["suppressed"]) or pd.isna(r["share"])
            rows.append({"Organisation": _place(names, code), "Staff group": glabels[group], "Year": str(int(r["year"])),
                         "Global-majority share (%)": SUPPRESSED_LABEL if _is_true(r["suppressed"]) else (_fmt1(r["share"]) or NOT_PUBLISHED),
                         "Status": status_label(r["status"]), "Source": source_titles(r["source_id"], sources),
                         "Period": str(r["period"])})
            ids += _ids([r["source_id"]])
            if withheld:
                continue
            xs.append(float(r["share"]))
            ys.append(ypos_of[group])
            syms.append(_open(symbols[i % 3], str(r["status"])))
            statuses.append(str(r["status"]))
            custom.append(f"{_place(names, code)}, {glabels[group]}, {int(r['year'])}: {fmt_percent(float(r['share']), 1)}<br>"
                          f"{status_label(r['status'])}")
        colour = NATIONAL_COLOUR if code == NATIONAL else SERIES_COLOURS[i % len(SERIES_COLOURS)]
        fig.add_trace(go.Scatter(
            x=xs, y=ys, mode="markers", name=_place(names, code), customdata=custom, showlegend=False,
            marker=dict(symbol=syms, size=13 if i == 0 else 11, color=colour, line=dict(width=2, color=colour)),
            hovertemplate="%{customdata}<extra></extra>",
        ), row=1, col=1)
        _identity_key(fig, _place(names, code), symbols[i % 3], colour)
    for group in order:
        r = latest_by.get((org, group))
        head = _cap(SHORT_GROUPS.get(group, glabels[group]).removeprefix("the "))
        if r is None:
            text = f"{head}: {place} {NOT_PUBLISHED}"
        elif _is_true(r["suppressed"]) or pd.isna(r["share"]):
            text = f"{head}: {place} withheld ({SUPPRESSED_LABEL})"
        else:
            text = f"{head}: {place} <b>{fmt_percent(float(r['share']))}</b> ({int(r['year'])})"
        _row_label(row_labels, 1, ypos_of[group], text)
    _place_labels(fig, row_labels)
    _status_keys(fig, statuses, row=1)
    fig.update_xaxes(title_text="Global-majority share", range=[0, 100], ticksuffix="%", dtick=20,
                     tickangle=0, showgrid=True, gridcolor="#F0F4F5")

    own = [(g, latest_by[(org, g)]) for g in order if (org, g) in latest_by and not _is_true(latest_by[(org, g)]["suppressed"])
           and pd.notna(latest_by[(org, g)]["share"])]
    withheld_own = [g for g in order if (org, g) in latest_by and (g, latest_by[(org, g)]) not in own]
    if own:
        hi = max(own, key=lambda t: float(t[1]["share"]))
        lo = min(own, key=lambda t: float(t[1]["share"]))
        title = finding_title(
            f"{place}: the global-majority share ranges from {fmt_percent(float(lo[1]['share']))} ({SHORT_GROUPS.get(lo[0], glabels[lo[0]])}) "
            f"to {fmt_percent(float(hi[1]['share']))} ({SHORT_GROUPS.get(hi[0], glabels[hi[0]])})", [lo[1]["status"], hi[1]["status"]])
    else:
        title = f"{place}: every representation figure is withheld or {NOT_PUBLISHED}"
    bits, missing = [], {}
    for group in order:
        r = latest_by.get((org, group))
        if r is None:
            continue
        if group in withheld_own:
            bits.append(f"{glabels[group]}: {place} withheld ({SUPPRESSED_LABEL}) in {int(r['year'])}")
            continue
        line = f"{glabels[group]}: {place} {fmt_percent(float(r['share']))} ({int(r['year'])})"
        for code in orgs[1:]:
            c = latest_by.get((code, group))
            if c is None:
                missing.setdefault(code, []).append(SHORT_GROUPS.get(group, glabels[group]))
            elif _is_true(c["suppressed"]) or pd.isna(c["share"]):
                line += f", {_place(names, code)} withheld ({SUPPRESSED_LABEL})"
            else:
                line += f", {_place(names, code)} {fmt_percent(float(c['share']))} ({int(c['year'])})"
        bits.append(line)
    sentence = ("Latest global-majority share of each staff group. " + "; ".join(bits) + ".") if bits else title + "."
    for code, groups_missing in missing.items():
        what = NO_NATIONAL if code == NATIONAL else NOT_PUBLISHED
        sentence += f" {_place(names, code)} for {', '.join(groups_missing)}: {what}."
    table = pd.DataFrame(rows)
    years = sorted({int(r["year"]) for r in latest_by.values()})
    period = f"Latest year for each organisation and group ({years[0]} to {years[-1]})" if years else ""
    return ChartCard(
        key=f"representation-compare-{org}", title=title,
        subtitle=f"Global-majority share by staff group: {place} compared with " + " and ".join(_place(names, c) for c in orgs[1:]),
        figure=fig, alt=f"Dot chart: one row per staff group, with a marker for each of {', '.join(_place(names, c) for c in orgs)}. {sentence}",
        sentence=sentence, table=table,
        definition="WRES indicator 1 in the latest year available for each organisation. " + GLOBAL_MAJORITY_DEFINITION,
        sources=sources_for(ids, sources), period=period,
        caveats=["Years can differ between organisations: each marker is that organisation's latest figure (see the table).",
                 "England figures are national averages across all NHS trusts, where the package has them."],
    )


# --- Panels: one row per organisation, its label (with the figure) written above the marks ----

ROW_PX, GAP_PX, BOTTOM_PX = 46, 100, 210  # the bottom margin holds the x axis and a legend of up to 6 rows


def _axis_names(k: int) -> tuple[str, str]:
    return ("x", "y") if k == 1 else (f"x{k}", f"y{k}")


def _panel_figure(counts: Sequence[int], titles: Sequence[str], row_px: int = ROW_PX, top_px: int = GAP_PX) -> go.Figure:
    """Stacked panels sharing the x axis, sized in pixels so that labels fit on a phone."""
    heights = [max(int(c), 1) * row_px for c in counts]
    n = len(heights)
    plot_h = sum(heights) + GAP_PX * (n - 1)
    fig = make_subplots(rows=n, cols=1, shared_xaxes=True, row_heights=heights,
                        vertical_spacing=(GAP_PX / plot_h) if n > 1 else 0)
    base_layout(fig, height=plot_h + top_px + BOTTOM_PX)
    fig.update_layout(margin=dict(l=10, r=20, t=top_px, b=BOTTOM_PX),
                      legend=dict(y=-80 / plot_h, yanchor="top"))
    for k, (count, title) in enumerate(zip(counts, titles, strict=True), start=1):
        xa, ya = _axis_names(k)
        if title:
            fig.add_annotation(xref=f"{xa} domain", yref=f"{ya} domain", x=0, y=1, yshift=6, xanchor="left", yanchor="bottom",
                               text=title, showarrow=False, align="left", font=dict(size=14, color=TEXT))
        fig.update_yaxes(range=[-0.55, max(int(count), 1) - 0.2], showticklabels=False, showgrid=False, zeroline=False,
                         showline=False, ticks="", row=k, col=1)
    return fig


def _row_label(labels: list[dict], k: int, y: float, text: str, *, wrap: int | None = None) -> None:
    """A row's label above its dots in panel k; collected, then placed at once by :func:`_place_labels`."""
    xa, ya = _axis_names(k)
    if wrap and len(text.replace("<b>", "").replace("</b>", "")) > wrap:
        head, _, tail = text.partition(": ")
        text = f"{head}:<br>{tail}" if tail else text
    labels.append(dict(xref=f"{xa} domain", yref=ya, x=0, y=y + 0.22, xanchor="left", yanchor="bottom", text=text,
                       showarrow=False, align="left", font=dict(size=13, color=TEXT)))


def _place_labels(fig: go.Figure, labels: list[dict]) -> None:
    # One assignment: add_annotation re-validates every annotation already in the figure, so adding a
    # label per row grew as rows squared (95 s for a WRES chart of 156 trusts).
    fig.update_layout(annotations=[*fig.layout.annotations, *labels])


def disadvantage_words(text: str) -> str:
    """'Above 1.0: White applicants are more likely' -> 'Disadvantage when above 1.0 (White applicants are more likely)'."""
    text = str(text).strip().rstrip(".")
    if not text:
        return ""
    cond, sep, why = text.partition(": ")
    return f"Disadvantage when {_lower_first(cond)} ({why})" if sep else f"Disadvantage when {_lower_first(text)}"


def _panel_title(number: int, info: dict) -> str:
    return f"<b>{_wrap(f'{number}. ' + info['short_name'], 40)}</b><br>" + _wrap(disadvantage_words(info["disadvantage_when"]), 46)


def _identity_key(fig: go.Figure, name: str, symbol: str, colour: str, *, row: int | None = 1, mode: str = "markers",
                  dash: str = "solid", width: float = 2) -> None:
    """A legend-only entry naming a series by its colour, line and (filled) symbol."""
    fig.add_trace(go.Scatter(x=[None], y=[None], mode=mode, name=name, hoverinfo="skip", legendgroup=name,
                             line=dict(color=colour, dash=dash, width=width),
                             marker=dict(symbol=symbol, size=11, color=colour, line=dict(width=2, color=colour))),
                  **(dict(row=row, col=1) if row else {}))


# --- WRES indicators 2-4: relative likelihoods ------------------------------------------------

def _wres_rows(wres: pd.DataFrame, orgs: Sequence[str], year: int) -> dict[tuple[str, int, str], pd.Series]:
    """The year's rows of these organisations by (organisation, indicator, group): one filter, not one per cell."""
    part = wres[(wres["year"] == int(year)) & wres["ods_code"].isin(list(orgs))]
    rows: dict[tuple[str, int, str], pd.Series] = {}
    for k, key in enumerate(zip(part["ods_code"].astype(str), part["indicator"].astype(int), part["group"].astype(str), strict=True)):
        if key not in rows:
            rows[key] = part.iloc[k]
    return rows


def _national(wres: pd.DataFrame, year: int, indicator: int, group: str):
    return latest_national(wres, int(year), indicator=int(indicator), group=group)


def _ratio_words(indicator: int, value: float, short_name: str) -> str:
    if indicator in RATIO_PHRASES:
        a, b, what = RATIO_PHRASES[indicator]
        return f"{_cap(a)} were {fmt_number(value, 2)} times as likely as {b} {what}"
    return f"{short_name}: {fmt_number(value, 2)}"


def _band(value: float) -> str:
    v = round_half_up(value, 2)
    return "above" if v > BAND_HIGH else "below" if v < BAND_LOW else "within"


def wres_ratio_card(wres: pd.DataFrame, meta: pd.DataFrame, orgs: Sequence[str], names: Mapping[str, str], year: int,
                    sources: pd.DataFrame, *, place: str | None = None) -> ChartCard | None:
    """WRES indicators 2-4 against 1.0, with the neutral 0.8-1.25 guide band, 95% intervals and England."""
    year = int(year)
    place = place or ", ".join(_place(names, o) for o in orgs)
    found = _wres_rows(wres, orgs, year)
    cells = {(ind, org): found.get((org, ind, "comparison")) for ind in RATIO_INDICATORS for org in orgs}
    if all(v is None for v in cells.values()):
        return None
    infos = {ind: _meta(meta, ind) for ind in RATIO_INDICATORS}
    entries_by = {ind: [(org, cells[(ind, org)]) for org in orgs] + [(NATIONAL, _national(wres, year, ind, "comparison"))]
                  for ind in RATIO_INDICATORS}
    fig = _panel_figure([len(orgs) + 1] * len(RATIO_INDICATORS), [_panel_title(i, infos[i]) for i in RATIO_INDICATORS])
    row_labels: list[dict] = []
    rows, statuses, ids, xmax = [], [], ["wres-indicators"], 2.0
    counts = {"above": 0, "within": 0, "below": 0}
    words = []
    for k, ind in enumerate(RATIO_INDICATORS, start=1):
        info, entries = infos[ind], entries_by[ind]
        xs, ys, syms, cols, plus, minus, custom, drawn_here = [], [], [], [], [], [], [], []
        for j, (org, r) in enumerate(entries):
            label, ypos = _place(names, org), len(entries) - 1 - j
            base = {"Organisation": label, "Indicator": f"{ind}. {info['short_name']}",
                    "Disadvantage when": info["disadvantage_when"]}
            if r is None:
                missing = NO_NATIONAL if org == NATIONAL else NOT_PUBLISHED
                rows.append({**base, "Year": "", "Relative likelihood": missing, "95% interval from": "",
                             "95% interval to": "", "Status": "", "Source": "", "Period": ""})
                _row_label(row_labels, k, ypos, f"{label}: {missing}")
                continue
            withheld = _is_true(r["suppressed"]) or pd.isna(r["value"])
            low, high = _num(r.get("low")), _num(r.get("high"))
            rows.append({**base, "Year": str(int(r["year"])),
                         "Relative likelihood": SUPPRESSED_LABEL if _is_true(r["suppressed"]) else (_fmt2(r["value"]) or NOT_PUBLISHED),
                         "95% interval from": "" if withheld else _fmt2(low), "95% interval to": "" if withheld else _fmt2(high),
                         "Status": status_label(r["status"]), "Source": source_titles(r["source_id"], sources),
                         "Period": str(r["period"])})
            ids += _ids([r["source_id"]])
            if withheld:
                _row_label(row_labels, k, ypos, f"{label}: withheld ({SUPPRESSED_LABEL})")
                continue
            v = float(r["value"])
            ci = (f" (95% interval {fmt_number(low, 2)} to {fmt_number(high, 2)})"
                  if low is not None and high is not None else "")
            when = f" in {int(r['year'])}" if int(r["year"]) != year else ""
            short_ci = f" ({fmt_number(low, 2)} to {fmt_number(high, 2)})" if ci else ""
            _row_label(row_labels, k, ypos, f"{label}: <b>{fmt_number(v, 2)}</b>{short_ci}{when}")
            xs.append(v)
            ys.append(ypos)
            syms.append(_open("diamond" if org == NATIONAL else "circle", str(r["status"])))
            cols.append(NATIONAL_COLOUR if org == NATIONAL else SERIES_COLOURS[j % len(SERIES_COLOURS)])
            plus.append(high - v if high is not None else None)
            minus.append(v - low if low is not None else None)
            custom.append(f"{label}, {int(r['year'])}: {fmt_number(v, 2)}{ci}<br>{status_label(r['status'])}")
            statuses.append(str(r["status"]))
            xmax = max(xmax, v * 1.15, (high or 0) * 1.05)
            if org != NATIONAL:
                counts[_band(v)] += 1
                drawn_here.append((org, v, low, high))
        fig.add_trace(go.Scatter(
            x=xs, y=ys, mode="markers", name=f"Indicator {ind}", showlegend=False, customdata=custom,
            marker=dict(symbol=syms, size=13, color=cols, line=dict(width=2, color=cols)),
            error_x=dict(type="data", symmetric=False, array=plus, arrayminus=minus, color=TEXT, thickness=1.5, width=5,
                         visible=any(p is not None for p in plus)),
            hovertemplate="%{customdata}<extra></extra>",
        ), row=k, col=1)
        words.append(_ratio_sentence(ind, info, drawn_here, entries, names))
    _place_labels(fig, row_labels)
    for k in range(1, len(RATIO_INDICATORS) + 1):
        fig.add_vrect(x0=BAND_LOW, x1=BAND_HIGH, fillcolor=MUTED, opacity=0.6, line_width=0, layer="below",
                      row=k, col=1, exclude_empty_subplots=False)
        fig.add_vline(x=1.0, line=dict(color=GUIDE, width=1.5), row=k, col=1, exclude_empty_subplots=False)
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=BAND_LABEL, hoverinfo="skip",
                             marker=dict(symbol="square", size=16, color=MUTED, line=dict(width=1, color=GUIDE))), row=1, col=1)
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name="95% interval (line through a marker)", hoverinfo="skip",
                             line=dict(color=TEXT, width=1.5)), row=1, col=1)
    if len(orgs) == 1:
        _identity_key(fig, _place(names, orgs[0]), "circle", SERIES_COLOURS[0])
    _identity_key(fig, _place(names, NATIONAL), "diamond", NATIONAL_COLOUR)
    _status_keys(fig, statuses, row=1)
    ticks = [t for t in (0, 0.5, 1, 1.5, 2, 2.5, 3, 4, 5) if t <= xmax]
    fig.update_xaxes(range=[0, xmax], tickmode="array", tickvals=ticks, ticktext=[f"{t:g}" for t in ticks],
                     tickangle=0, showgrid=False, zeroline=False)
    fig.update_xaxes(title_text="Relative likelihood (1 = equal)", row=len(RATIO_INDICATORS), col=1)

    n = sum(counts.values())
    if n == 0:
        title = f"{place}, WRES {year}: no relative likelihoods are published"
    elif counts["above"] == 0:
        title = (f"{place}, WRES {year}: none of {n} relative likelihood{'s' if n != 1 else ''} "
                 f"{'is' if n == 1 else 'are'} above the 0.8 to 1.25 guide range")
    else:
        title = (f"{place}, WRES {year}: {counts['above']} of {n} relative likelihood{'s' if n != 1 else ''} "
                 f"{'is' if counts['above'] == 1 else 'are'} above the 0.8 to 1.25 guide range, to global-majority staff's disadvantage")
    if n:
        title = finding_title(title, statuses)
    if n and counts["below"]:
        title += f"; {counts['below']} below it"
    sentence = " ".join(words)
    labels = [_place(names, o) for o in orgs] + [_place(names, NATIONAL)]
    return ChartCard(
        key=f"wres-ratios-{'-'.join(orgs)}-{year}", title=title,
        subtitle=f"WRES indicators 2 to 4: relative likelihoods, {place}, WRES {year}, with England",
        figure=fig,
        alt=(f"Dot chart in three panels, one per WRES indicator 2 to 4, each with a row for {', '.join(labels)}. "
             f"A vertical line marks 1 (equal likelihood) and a grey band marks the 0.8 to 1.25 guide range; "
             f"horizontal lines through markers show 95% intervals where they can be calculated. {sentence}"),
        sentence=sentence, table=pd.DataFrame(rows),
        definition=" ".join(f"Indicator {i}: {infos[i]['definition']} Disadvantage when: {_lower_first(infos[i]['disadvantage_when'])}."
                            for i in RATIO_INDICATORS),
        sources=sources_for(ids, sources), period=f"WRES {year} (England: latest year up to {year} in the package)",
        caveats=["The grey band from 0.8 to 1.25 is a neutral guide used in WRES reporting (the 'four-fifths' rule); it is not "
                 "a test of statistical significance. The intervals show the uncertainty where the package has numerators and "
                 "denominators.",
                 "A relative likelihood of 1 means equal likelihood for global-majority and White staff."],
    )


def _ratio_sentence(ind: int, info: dict, drawn: list, entries: list, names: Mapping[str, str]) -> str:
    nat = next((r for o, r in entries if o == NATIONAL), None)
    nat_words = (f"England {fmt_number(float(nat['value']), 2)} in {int(nat['year'])}" if nat is not None and pd.notna(nat["value"])
                 else NO_NATIONAL)
    if not drawn:
        return f"{info['short_name']}: {NOT_PUBLISHED} ({nat_words})."
    if len(drawn) == 1:
        org, v, low, high = drawn[0]
        ci = f"; 95% interval {fmt_number(low, 2)} to {fmt_number(high, 2)}" if low is not None and high is not None else ""
        return f"{_ratio_words(ind, v, info['short_name'])} ({_band(v)} the guide range{ci}; {nat_words})."
    above = [d for d in drawn if _band(d[1]) == "above"]
    top = max(drawn, key=lambda d: d[1])
    return (f"{info['short_name']}: above the guide range at {len(above)} of {len(drawn)} trusts; highest "
            f"{_place(names, top[0])} ({fmt_number(top[1], 2)}); {nat_words}.")


# --- WRES indicators 5-8: staff survey, global majority beside White ----------------------------

def _pct_cell(r) -> float | str:
    """A survey value as a float, or the words for why there is none."""
    if r is None:
        return NOT_PUBLISHED
    if _is_true(r["suppressed"]):
        return SUPPRESSED_LABEL
    v = _num(r["value"])
    return NOT_PUBLISHED if v is None else v


def _pct_words(cell) -> str:
    return fmt_percent(cell) if isinstance(cell, float) else str(cell)


def wres_survey_card(wres: pd.DataFrame, meta: pd.DataFrame, orgs: Sequence[str], names: Mapping[str, str], year: int,
                     sources: pd.DataFrame, *, place: str | None = None) -> ChartCard | None:
    """WRES indicators 5-8 as pairs (global majority and White) per organisation, England beside."""
    year = int(year)
    place = place or ", ".join(_place(names, o) for o in orgs)
    found = _wres_rows(wres, orgs, year)
    pairs = {(ind, org): (found.get((org, ind, "global_majority")), found.get((org, ind, "white")))
             for ind in SURVEY_INDICATORS for org in orgs}
    if all(a is None and b is None for a, b in pairs.values()):
        return None
    infos = {ind: _meta(meta, ind) for ind in SURVEY_INDICATORS}
    fig = _panel_figure([len(orgs) + 1] * len(SURVEY_INDICATORS), [_panel_title(i, infos[i]) for i in SURVEY_INDICATORS],
                        row_px=62)
    row_labels: list[dict] = []
    rows, statuses, ids = [], [], ["wres-indicators"]
    worse, compared, words = 0, 0, []
    for k, ind in enumerate(SURVEY_INDICATORS, start=1):
        info = infos[ind]
        entries = [(org, *pairs[(ind, org)]) for org in orgs]
        entries.append((NATIONAL, _national(wres, year, ind, "global_majority"), _national(wres, year, ind, "white")))
        series = {"global_majority": ([], [], [], []), "white": ([], [], [], [])}
        link_x, link_y, ind_words = [], [], []
        for j, (org, gm, wh) in enumerate(entries):
            label, ypos = _place(names, org), len(entries) - 1 - j
            present = [r for r in (gm, wh) if r is not None]
            cell = {"global_majority": _pct_cell(gm), "white": _pct_cell(wh)}
            if org == NATIONAL:
                cell = {g: (NO_NATIONAL if r is None else cell[g]) for g, r in (("global_majority", gm), ("white", wh))}
            for group, r in (("global_majority", gm), ("white", wh)):
                if r is None:
                    continue
                ids += _ids([r["source_id"]])
                if not isinstance(cell[group], float):
                    continue
                xs, ys, syms, custom = series[group]
                xs.append(cell[group])
                ys.append(ypos)
                syms.append(_open("circle" if group == "global_majority" else "square", str(r["status"])))
                custom.append(f"{label}, {'global majority' if group == 'global_majority' else 'White'}, {int(r['year'])}: "
                              f"{fmt_percent(cell[group], 1)}<br>{status_label(r['status'])}")
                statuses.append(str(r["status"]))
            rows.append({
                "Organisation": label, "Indicator": f"{ind}. {info['short_name']}", "Disadvantage when": info["disadvantage_when"],
                "Year": ", ".join(sorted({str(int(r["year"])) for r in present})),
                "Global majority (%)": _fmt1(cell["global_majority"]) if isinstance(cell["global_majority"], float) else cell["global_majority"],
                "White (%)": _fmt1(cell["white"]) if isinstance(cell["white"], float) else cell["white"],
                "Status": status_label(combined_status([r["status"] for r in present])) if present else "",
                "Source": source_titles(_ids(r["source_id"] for r in present), sources) if present else "",
                "Period": "; ".join(dict.fromkeys(str(r["period"]) for r in present)),
            })
            g_v, w_v = cell["global_majority"], cell["white"]
            if g_v == w_v == NO_NATIONAL:
                text = f"{label}: {NO_NATIONAL}"
            else:
                text = f"{label}: global majority <b>{_pct_words(g_v)}</b>, White <b>{_pct_words(w_v)}</b>"
                years = {int(r["year"]) for r in present}
                if years and years != {year}:
                    text += f" ({', '.join(map(str, sorted(years)))})"
            _row_label(row_labels, k, ypos, text, wrap=38)
            if isinstance(g_v, float) and isinstance(w_v, float):
                link_x += [g_v, w_v, None]
                link_y += [ypos, ypos, None]
                if org != NATIONAL:
                    compared += 1
                    diff = round_half_up(g_v) - round_half_up(w_v)
                    bad = bool(diff) and (diff > 0 if WORSE_WHEN_HIGHER.get(ind, True) else diff < 0)
                    worse += bad
                    ind_words.append((org, g_v, w_v, bad))
        fig.add_trace(go.Scatter(x=link_x, y=link_y, mode="lines", line=dict(color=GUIDE, width=2), hoverinfo="skip",
                                 showlegend=False, name="gap"), row=k, col=1)
        for group, colour, name in (("global_majority", GM_COLOUR, "Global majority"), ("white", WHITE_COLOUR, "White")):
            xs, ys, syms, custom = series[group]
            fig.add_trace(go.Scatter(
                x=xs, y=ys, mode="markers", name=name, legendgroup=group, showlegend=False, customdata=custom,
                marker=dict(symbol=syms, size=13, color=colour, line=dict(width=2, color=colour)),
                hovertemplate="%{customdata}<extra></extra>",
            ), row=k, col=1)
        words.append(_survey_sentence(ind, info, entries, ind_words, names, len(orgs) > 1))
    _place_labels(fig, row_labels)
    _identity_key(fig, "Global majority (circle)", "circle", GM_COLOUR)
    _identity_key(fig, "White (square)", "square", WHITE_COLOUR)
    _status_keys(fig, statuses, row=1)
    fig.update_xaxes(range=[0, 100], ticksuffix="%", dtick=20, showgrid=True, gridcolor="#F0F4F5")
    fig.update_xaxes(title_text="% of survey respondents in the group", row=len(SURVEY_INDICATORS), col=1)
    if compared:
        title = finding_title(
            f"{place}, WRES {year}: global-majority staff fared worse than White staff on {worse} of {compared} "
            f"{'staff survey measures' if len(orgs) == 1 else 'trust-and-measure comparisons'} with both groups published",
            statuses)
    else:
        title = f"{place}, WRES {year}: no staff survey measure has both groups' figures published"
    sentence = " ".join(words)
    labels = [_place(names, o) for o in orgs] + [_place(names, NATIONAL)]
    return ChartCard(
        key=f"wres-survey-{'-'.join(orgs)}-{year}", title=title,
        subtitle=f"WRES indicators 5 to 8: global-majority and White staff, {place}, WRES {year}, with England",
        figure=fig,
        alt=(f"Dot chart in four panels, one per WRES indicator 5 to 8, each with a row for {', '.join(labels)}: a circle for "
             f"global-majority staff and a square for White staff, joined by a line. {sentence}"),
        sentence=sentence, table=pd.DataFrame(rows),
        definition=" ".join(f"Indicator {i}: {infos[i]['definition']} Disadvantage when: {_lower_first(infos[i]['disadvantage_when'])}."
                            for i in SURVEY_INDICATORS) + " " + GLOBAL_MAJORITY_DEFINITION,
        sources=sources_for(ids, sources), period=f"WRES {year} (NHS Staff Survey; England: latest year up to {year} in the package)",
        caveats=["'Fared worse' counts a difference of at least 1 percentage point in the direction that means disadvantage; "
                 "survey percentages have sampling error, which this chart does not show.",
                 "England publishes some of these figures for Black staff only; those are not shown beside global-majority figures."],
    )


def _survey_sentence(ind: int, info: dict, entries, ind_words, names, many: bool) -> str:
    nat = next(((gm, wh) for o, gm, wh in entries if o == NATIONAL), (None, None))
    nat_bits = [f"{g} {fmt_percent(float(r['value']))}" for g, r in (("global majority", nat[0]), ("White", nat[1]))
                if r is not None and pd.notna(r["value"])]
    nat_year = next((int(r["year"]) for r in nat if r is not None), None)
    nat_words = "England " + ", ".join(nat_bits) + f" in {nat_year}" if nat_bits else NO_NATIONAL
    if many:
        if not ind_words:
            return f"{info['short_name']}: no trust has both groups' figures ({nat_words})."
        n_bad = sum(1 for w in ind_words if w[3])
        return f"{info['short_name']}: global-majority staff fared worse at {n_bad} of {len(ind_words)} trusts ({nat_words})."
    org, gm, wh = entries[0]
    return (f"{info['short_name']}: global majority {_pct_words(_pct_cell(gm))}, "
            f"White {_pct_words(_pct_cell(wh))} ({nat_words}).")


# --- WRES indicator 9: board minus workforce ----------------------------------------------------

def _gap_words(gap: float) -> str:
    n = round_half_up(gap)
    if n == 0:
        return "the board matches the workforce"
    return f"the board is {_points(n)} {'less' if n < 0 else 'more'} diverse than the workforce"


def _board_rows(gaps: pd.DataFrame, names, sources) -> list[dict]:
    return [{"Organisation": _place(names, str(r["ods_code"])), "Year": str(int(r["year"])),
             "Board minus workforce (points)": SUPPRESSED_LABEL if _is_true(r["suppressed"]) else fmt_signed(float(r['value']), 1),
             "Status": status_label(r["status"]), "Source": source_titles(r["source_id"], sources),
             "Period": f"{int(r['year'])} (see the representation table for each figure's date)"}
            for _, r in gaps.iterrows()]


def board_gap_card(shares: pd.DataFrame, org: str, names: Mapping[str, str], sources: pd.DataFrame,
                   meta: pd.DataFrame | None = None, year: int | None = None,
                   orgs: Sequence[str] | None = None) -> ChartCard | None:
    """WRES indicator 9: board share minus whole-workforce share. One organisation: over the years, with
    England. Several (the system view): each trust in ``year``, with the system and England."""
    if orgs and len(orgs) > 1 and year is not None:
        return _board_gap_by_org(shares, org, list(orgs), names, sources, meta, int(year))
    gaps = board_gap(shares)
    mine = gaps[gaps["ods_code"] == org].sort_values("year")
    if mine.empty:
        return None
    place = _place(names, org)
    info = _meta(meta, 9) if meta is not None else {"definition": "", "disadvantage_when": "Below zero: the board is less diverse than the workforce"}
    fig = go.Figure()
    drawn = ~mine["suppressed"].astype(bool) & mine["value"].notna()
    fig.add_trace(go.Scatter(
        x=[int(y) for y in mine["year"]], y=[float(v) if ok else None for v, ok in zip(mine["value"], drawn, strict=True)],
        mode="lines+markers", name=place, line=dict(color=SERIES_COLOURS[0], width=3),
        marker=dict(symbol=[_open("circle", s) for s in mine["status"].astype(str)], size=12, color=SERIES_COLOURS[0],
                    line=dict(width=2, color=SERIES_COLOURS[0])),
        customdata=[status_label(s) for s in mine["status"]], showlegend=False,
        hovertemplate=f"{place} %{{x}}: %{{y:+.0f}} points<br>%{{customdata}}<extra></extra>",
    ))
    _identity_key(fig, place, "circle", SERIES_COLOURS[0], row=None, mode="lines+markers")
    nat = gaps[(gaps["ods_code"] == NATIONAL) & ~gaps["suppressed"].astype(bool) & gaps["value"].notna()].sort_values("year")
    if org == NATIONAL:
        nat = nat.iloc[0:0]
    if not nat.empty:
        fig.add_trace(go.Scatter(
            x=[int(y) for y in nat["year"]], y=[float(v) for v in nat["value"]], mode="markers", name=_place(names, NATIONAL),
            marker=dict(symbol=[_open("diamond", s) for s in nat["status"].astype(str)], size=13, color=NATIONAL_COLOUR,
                        line=dict(width=2, color=NATIONAL_COLOUR)),
            hovertemplate=f"{_place(names, NATIONAL)} %{{x}}: %{{y:+.0f}} points<extra></extra>",
        ))
    _status_keys(fig, list(mine.loc[drawn, "status"]) + list(nat["status"]))
    fig.add_hline(y=0, line=dict(color=GUIDE, width=2), annotation_text="0 = board matches the workforce",
                  annotation_position="top left", annotation_font=dict(size=13, color=TEXT))
    values = [float(v) for v in mine.loc[drawn, "value"]] + [float(v) for v in nat["value"]]
    lo, hi = min(values + [-10]), max(values + [10])
    fig.update_yaxes(title_text="Board minus workforce (points)", range=[min(lo - 8, -40), max(hi + 8, 20)], zeroline=False)
    years = sorted({int(y) for y in mine["year"]} | {int(y) for y in nat["year"]})
    fig.update_xaxes(tickmode="array", tickvals=years, tickformat="d", tickangle=0)
    base_layout(fig, height=440)

    pick = mine[mine["year"] == int(year)] if year is not None else mine.iloc[0:0]
    target = pick.iloc[0] if not pick.empty else mine.iloc[-1]
    ty = int(target["year"])
    boards = "the five NEL trusts' boards together" if org == SYSTEM else f"{place}'s board"
    board = shares[(shares["ods_code"] == org) & (shares["staff_group"] == "board") & (shares["year"] == ty)]
    staff = shares[(shares["ods_code"] == org) & (shares["staff_group"] == "all_staff") & (shares["year"] == ty)]
    if _is_true(target["suppressed"]) or pd.isna(target["value"]):
        title = f"{place}: the {ty} board comparison is withheld ({SUPPRESSED_LABEL} people)"
        sentence = (f"The {ty} comparison of {boards} with the workforce is withheld because a count involves "
                    f"{SUPPRESSED_LABEL} people.")
        last_ok = mine[drawn]
        if not last_ok.empty:
            r = last_ok.iloc[-1]
            sentence += f" The latest figure shown is {int(r['year'])}: {_gap_words(float(r['value']))}."
    else:
        b, s = float(board["share"].iloc[0]), float(staff["share"].iloc[0])
        gap = round_half_up(b) - round_half_up(s)
        title = finding_title(
            f"{place}: the board's global-majority share was {_points(gap)} {'below' if gap < 0 else 'above'} "
            f"the workforce's in {ty}" if gap else f"{place}: the board matched the workforce in {ty}",
            [*board["status"], *staff["status"]])
        sentence = (f"In {ty}, {fmt_percent(b)} of {boards} were from the global majority, against {fmt_percent(s)} of the whole workforce: "
                    f"{_gap_words(gap)}.")
        total = _num(board["total_headcount"].iloc[0])
        if total and org != SYSTEM:
            sentence += (f" With {fmt_number(total)} voting members, one person is about {fmt_number(100 / total)} "
                         "points of the board.")
    nat_row = nat[nat["year"] <= ty].tail(1)
    if org != NATIONAL:
        sentence += (f" England: {_gap_words(float(nat_row['value'].iloc[0]))} ({int(nat_row['year'].iloc[0])})."
                     if not nat_row.empty else f" {_cap(NO_NATIONAL)}.")
    table = pd.DataFrame(_board_rows(mine, names, sources) + _board_rows(nat, names, sources))
    ids = _ids(mine["source_id"]) + _ids(nat["source_id"]) + ["wres-indicators"]
    return ChartCard(
        key=f"wres-board-{org}", title=title,
        subtitle=f"WRES indicator 9: board minus whole-workforce global-majority share, {place}, {years[0]} to {years[-1]}",
        figure=fig,
        alt=(f"Line chart of the difference between the board's and the whole workforce's global-majority share at {place}, "
             f"by year, with a line at zero" + (" and England as diamonds" if not nat.empty else "") + f". {sentence}"),
        sentence=sentence, table=table,
        definition=f"Indicator 9: {info['definition']} Disadvantage when: {_lower_first(info['disadvantage_when'])}.",
        sources=sources_for(ids, sources), period=f"{years[0]} to {years[-1]}",
        caveats=["Boards are small: one appointment can move the share by several points.",
                 "A year is withheld when the board's or the workforce's count involves fewer than 5 people."],
    )


def _board_gap_by_org(shares, place_org, orgs, names, sources, meta, year) -> ChartCard | None:
    gaps = board_gap(shares)
    codes = orgs + [c for c in (place_org, NATIONAL) if c not in orgs]
    if gaps[gaps["ods_code"].isin(orgs) & (gaps["year"] == year)].empty:
        return None
    place = _place(names, place_org)
    info = _meta(meta, 9) if meta is not None else {"short_name": "Board representation", "definition": "",
                                                      "disadvantage_when": "Below zero: the board is less diverse than the workforce"}
    fig = _panel_figure([len(codes)], [_panel_title(9, info)])
    row_labels: list[dict] = []
    xs, ys, syms, cols, custom, statuses, used = [], [], [], [], [], [], []
    below, drawn_n = 0, 0
    for j, code in enumerate(codes):
        label, ypos = _place(names, code), len(codes) - 1 - j
        sub = gaps[(gaps["ods_code"] == code) & (gaps["year"] <= year)] if code == NATIONAL else \
            gaps[(gaps["ods_code"] == code) & (gaps["year"] == year)]
        if sub.empty:
            _row_label(row_labels, 1, ypos, f"{label}: {NO_NATIONAL if code == NATIONAL else NOT_PUBLISHED}")
            continue
        r = sub.sort_values("year").iloc[-1]
        used.append(r)
        if _is_true(r["suppressed"]) or pd.isna(r["value"]):
            _row_label(row_labels, 1, ypos, f"{label}: withheld ({SUPPRESSED_LABEL})")
            continue
        v = float(r["value"])
        when = f" in {int(r['year'])}" if int(r["year"]) != year else ""
        _row_label(row_labels, 1, ypos, f"{label}: <b>{fmt_points(v, 0)}</b>{when}")
        xs.append(v)
        ys.append(ypos)
        syms.append(_open("diamond" if code == NATIONAL else "circle", str(r["status"])))
        cols.append(NATIONAL_COLOUR if code == NATIONAL else SERIES_COLOURS[j % len(SERIES_COLOURS)])
        custom.append(f"{label}, {int(r['year'])}: {fmt_points(v, 1)}<br>{status_label(r['status'])}")
        statuses.append(str(r["status"]))
        if code in orgs:
            drawn_n += 1
            below += round_half_up(v) < 0
    _place_labels(fig, row_labels)
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="markers", showlegend=False, customdata=custom, name="Board minus workforce",
                             marker=dict(symbol=syms, size=13, color=cols, line=dict(width=2, color=cols)),
                             hovertemplate="%{customdata}<extra></extra>"), row=1, col=1)
    fig.add_vline(x=0, line=dict(color=GUIDE, width=2), exclude_empty_subplots=False)
    _identity_key(fig, _place(names, NATIONAL), "diamond", NATIONAL_COLOUR)
    _status_keys(fig, statuses, row=1)
    lo, hi = min(xs + [-10]), max(xs + [10])
    fig.update_xaxes(range=[min(lo - 8, -50), max(hi + 8, 20)], title_text="Points (0 = board matches workforce)",
                     zeroline=False, tickangle=0)
    withheld = sum(1 for r in used if str(r["ods_code"]) in orgs and (_is_true(r["suppressed"]) or pd.isna(r["value"])))
    title = finding_title(
        f"WRES {year}: the board was less diverse than the workforce at {below} of {drawn_n} trusts with figures"
        + (f" ({withheld} withheld)" if withheld else ""), statuses) if drawn_n else \
        f"WRES {year}: every trust's board figure is withheld or {NOT_PUBLISHED}"
    sentence = title + ". Each point is the board's global-majority share minus the whole workforce's, in percentage points."
    table = pd.DataFrame(_board_rows(pd.DataFrame(used), names, sources)) if used else pd.DataFrame(
        columns=["Organisation", "Year", "Board minus workforce (points)", "Status", "Source", "Period"])
    ids = _ids(r["source_id"] for r in used) + ["wres-indicators"]
    return ChartCard(
        key=f"wres-board-{place_org}-{year}", title=title,
        subtitle=f"WRES indicator 9: board minus whole-workforce global-majority share, {place}, WRES {year}, with England",
        figure=fig, alt=f"Dot chart with a row for each of {', '.join(_place(names, c) for c in codes)} and a line at zero. {sentence}",
        sentence=sentence, table=table,
        definition=f"Indicator 9: {info['definition']} Disadvantage when: {_lower_first(info['disadvantage_when'])}.",
        sources=sources_for(ids, sources), period=f"WRES {year} (England: latest year up to {year} in the package)",
        caveats=["Boards are small: one appointment can move the share by several points.",
                 "A figure is withheld when the board's or the workforce's count involves fewer than 5 people."],
    )



# --- REMI (trust profile) ---------------------------------------------------------------------

def remi_card(remi: pd.DataFrame, domains: pd.DataFrame, stages: pd.DataFrame, org: str, names: Mapping[str, str],
              sources: pd.DataFrame) -> ChartCard | None:
    """The organisation's REMI stage in each domain, latest year filled in, the year before beside it."""
    mine = remi[remi["ods_code"] == org]
    if mine.empty:
        return None
    place = _place(names, org)
    years = sorted({int(y) for y in mine["year"]})
    latest = years[-1]
    shown_years = years[-2:]
    dom = domains.sort_values("sort_order")
    dnames = dict(zip(dom["domain_id"].astype(str), dom["name"].astype(str), strict=True))
    snames = dict(zip(stages["stage"].astype(int), stages["name"].astype(str), strict=True))
    fig = _panel_figure([len(dnames)], [""], top_px=20, row_px=62)
    row_labels: list[dict] = []
    ypos_of = {d: len(dnames) - 1 - k for k, d in enumerate(dnames)}
    statuses = []
    for i, y in enumerate(shown_years):
        sub = mine[mine["year"] == y].copy()
        sub["order"] = sub["domain_id"].map({d: k for k, d in enumerate(dnames)})
        sub = sub.sort_values("order")
        ok = sub["stage"].notna()
        is_latest = y == latest
        colour = SERIES_COLOURS[0] if is_latest else SERIES_COLOURS[4]
        symbol = "circle" if is_latest else "square"
        fig.add_trace(go.Scatter(
            x=[int(s) for s in sub.loc[ok, "stage"]], y=[ypos_of.get(d, -1) for d in sub.loc[ok, "domain_id"]],
            mode="markers", name=str(y), showlegend=False,
            marker=dict(symbol=[_open(symbol, s) for s in sub.loc[ok, "status"].astype(str)], size=15 if is_latest else 11,
                        color=colour, line=dict(width=2, color=colour)),
            customdata=[f"Stage {int(s)}: {snames.get(int(s), '')}, {status_label(st)}" for s, st in zip(sub.loc[ok, "stage"], sub.loc[ok, "status"], strict=True)],
            hovertemplate=f"{y}: %{{customdata}}<extra></extra>",
        ), row=1, col=1)
        _identity_key(fig, f"{y} ({symbol})", symbol, colour)
        statuses += list(sub.loc[ok, "status"].astype(str))
    _status_keys(fig, statuses, row=1)
    fig.update_xaxes(title_text="Stage (1 to 6)", range=[0.5, 6.5], tickmode="array", tickangle=0,
                     tickvals=list(range(1, 7)), showgrid=True, gridcolor="#F0F4F5")

    cur = mine[mine["year"] == latest]
    prev = mine[mine["year"] == shown_years[0]] if len(shown_years) > 1 else mine.iloc[0:0]
    prev_stage = dict(zip(prev["domain_id"].astype(str), prev["stage"], strict=True))
    parts = []
    for d in dnames:
        r = cur[cur["domain_id"] == d]
        if r.empty or pd.isna(r["stage"].iloc[0]):
            parts.append(f"{dnames[d]} {NOT_PUBLISHED}")
            continue
        s = int(r["stage"].iloc[0])
        p = prev_stage.get(d)
        change = "" if p is None or pd.isna(p) else (" (unchanged)" if int(p) == s else f" (from stage {int(p)})")
        parts.append(f"{dnames[d]} stage {s}, {snames.get(s, '')}{change}")
        _row_label(row_labels, 1, ypos_of[d], f"{dnames[d]}: <b>stage {s}, {snames.get(s, '')}</b>{change}", wrap=36)
    _place_labels(fig, row_labels)
    stages_now = [int(s) for s in cur["stage"].dropna()]
    title = (finding_title(f"{place}'s REMI self-assessment, {latest}: stages {min(stages_now)} to {max(stages_now)} "
                           f"across {len(stages_now)} domains", cur["status"])
             if stages_now else f"{place}'s REMI self-assessment, {latest}: {NOT_PUBLISHED}")
    sentence = f"In {latest}: " + "; ".join(parts) + "."
    rows = []
    for _, r in mine.sort_values(["year", "domain_id"]).iterrows():
        s = _num(r["stage"])
        rows.append({"Organisation": place, "Year": str(int(r["year"])), "Domain": dnames.get(str(r["domain_id"]), str(r["domain_id"])),
                     "Stage": f"{int(s)}: {snames.get(int(s), '')}" if s is not None else NOT_PUBLISHED,
                     "Status": status_label(r["status"]), "Source": source_titles(r["source_id"], sources), "Period": str(r["period"])})
    ids = _ids(mine["source_id"]) + ["larch-remi"]
    return ChartCard(
        key=f"remi-{org}", title=title,
        subtitle=f"Race Equity Maturity Index (REMI) stage by domain, {place}, {', '.join(map(str, shown_years))}",
        figure=fig,
        alt=f"Dot chart for {place}: one row per REMI domain, stage 1 to 6 across, {latest} as circles" +
            (f" and {shown_years[0]} as squares" if len(shown_years) > 1 else "") + f". {sentence}",
        sentence=sentence, table=pd.DataFrame(rows),
        definition="REMI stages: " + "; ".join(f"{k} {v}" for k, v in sorted(snames.items())) + ".",
        sources=sources_for(ids, sources), period=", ".join(f"Self-assessment {y}" for y in shown_years),
        caveats=["REMI stages are the organisation's own self-assessment."],
    )


# --- page summaries -------------------------------------------------------------------------

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
        n_pub, n_ill = int((s == pub).sum()), int((s == ill).sum())
        if not n_pub and not n_ill:
            verdict = "none of its own figures is published yet"
        elif n_ill and not n_pub:
            verdict = f"all {n_ill} figures are illustrative (not real data)"
        elif n_ill:
            verdict = (f"{n_ill} figures are illustrative (not real data) and {n_pub} "
                       f"{'is' if n_pub == 1 else 'are'} published")
        else:
            verdict = f"all {n_pub} figures are published"
        out.append(f"{name}: {verdict}.")
    return out


def residents_for(tables: Mapping[str, pd.DataFrame], org: str) -> dict | None:
    """Global-majority share of the residents of the boroughs an organisation serves (None if unknown)."""
    try:
        from data.derive import residents_share_for, served_boroughs
        return residents_share_for(tables, served_boroughs(tables, org))
    except KeyError:  # a table it needs failed its checks
        return None

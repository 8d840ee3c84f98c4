"""Every chart the deck and the report can show, by name: the same builders the pages call.

``build(tables, kind, **params)`` returns a ChartCard (or None where the package has no figures for
it). A deck file or the report names a kind and its parameters; no chart is built twice in two ways.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import pandas as pd
import plotly.graph_objects as go

from components.cards import maps, overview
from components.cards import remi as remi_charts
from components.cards import strategy as strategy_view
from components.cards import workforce as wc
from components.cards.base import STATUS_WORDS, ChartCard, finding_title
from components.charts.palette import GUIDE, ILLUSTRATIVE_LABEL, MUTED, SERIES_COLOURS, TEXT, base_layout
from data import derive
from data import schema as canonical_schema
from data.package import TableUnavailable

Tables = Mapping[str, pd.DataFrame]


def _measure_definitions(t: Tables) -> pd.DataFrame:
    """Definitions of every borough measure: the package's own, then those worked out from the counts."""
    return pd.concat([t["measures"][["measure_id", "definition"]],
                      derive.resident_measures(t)[["measure_id", "definition"]]], ignore_index=True)


def residents_map(t: Tables, measure: str = maps.DEFAULT_MEASURE, borough: str = maps.DEFAULT_BOROUGH,
                  scope: str = "nel") -> ChartCard:
    frame = derive.borough_measures(t)
    return maps.borough_map_card(frame, _measure_definitions(t), derive.area_comparators(t), t["sources"],
                                 measure, borough, scope)


def residents_3d(t: Tables, measure: str = maps.DEFAULT_MEASURE, borough: str = maps.DEFAULT_BOROUGH) -> ChartCard:
    frame = derive.borough_measures(t)
    return maps.borough_deck_card(frame, _measure_definitions(t), t["sources"], t.get("organisations"), measure, borough)


def staff_profile(t: Tables, org: str = derive.SYSTEM) -> ChartCard:
    shares = derive.workforce_shares(t)
    return overview.staff_profile_card(shares, overview.residents_published_headline(t), t["sources"], org)


def representation_trend(t: Tables, org: str = derive.SYSTEM, group: str | None = None) -> ChartCard | None:
    names = wc.org_names(t["organisations"])
    return wc.representation_trend_card(derive.workforce_shares(t), org, names, t["sources"],
                                        residents=wc.residents_for(t, org), focus=group or wc.DEFAULT_FOCUS,
                                        staff_groups=t["staff_groups"])


def representation_compare(t: Tables, org: str = derive.SYSTEM) -> ChartCard | None:
    return wc.representation_comparison_card(derive.workforce_shares(t), org, wc.org_names(t["organisations"]),
                                             t["sources"])


def _wres_inputs(t: Tables, org: str, year: int | None):
    names = wc.org_names(t["organisations"])
    if "wres" not in t:  # failed its checks: indicator 9 (from the workforce table) can still be drawn
        return names, None, [org], None
    wres = derive.wres_long(t)
    orgs = wc.wres_orgs(wres, org, wc.org_choices(t))
    years = wc.wres_years(wres, orgs)
    year = int(year) if year is not None and int(year) in years else (years[-1] if years else None)
    return names, wres, orgs, year


def wres_ratios(t: Tables, org: str = derive.SYSTEM, year: int | None = None) -> ChartCard | None:
    names, wres, orgs, year = _wres_inputs(t, org, year)
    if year is None:
        return None
    return wc.wres_ratio_card(wres, t["wres_indicators"], orgs, names, year, t["sources"], place=names.get(org, org))


def wres_survey(t: Tables, org: str = derive.SYSTEM, year: int | None = None) -> ChartCard | None:
    names, wres, orgs, year = _wres_inputs(t, org, year)
    if year is None:
        return None
    return wc.wres_survey_card(wres, t["wres_indicators"], orgs, names, year, t["sources"], place=names.get(org, org))


def board_gap(t: Tables, org: str = derive.SYSTEM, year: int | None = None) -> ChartCard | None:
    names, _, orgs, year = _wres_inputs(t, org, year)
    return wc.board_gap_card(derive.workforce_shares(t), org, names, t["sources"], t.get("wres_indicators"), year, orgs)


def _remi(t: Tables):
    long = remi_charts.remi_long(t["remi"], t["remi_domains"], t["remi_stages"], t["organisations"])
    return long, remi_charts.org_choices(long, t["organisations"])


def _remi_views(t: Tables, org: str, year: int | None):
    long, codes = _remi(t)
    if long.empty or org not in codes:
        return None, None
    years = remi_charts.year_choices(long, org)
    chosen = str(year) if year is not None and str(year) in years else years[-1]
    return remi_charts.remi_views(long, t["remi_domains"], t["remi_stages"], org, int(chosen), t["sources"])


def remi_radar(t: Tables, org: str = remi_charts.DEFAULT_ORG, year: int | None = None) -> ChartCard | None:
    return _remi_views(t, org, year)[0]


def remi_stages(t: Tables, org: str = remi_charts.DEFAULT_ORG, year: int | None = None) -> ChartCard | None:
    return _remi_views(t, org, year)[1]


def remi_trust(t: Tables, org: str = remi_charts.DEFAULT_ORG) -> ChartCard | None:
    return wc.remi_card(t["remi"], t["remi_domains"], t["remi_stages"], org, wc.org_names(t["organisations"]), t["sources"])


def remi_all(t: Tables, year: int | None = None) -> ChartCard | None:
    long, codes = _remi(t)
    if long.empty:
        return None
    years = remi_charts.year_choices(long)
    chosen = str(year) if year is not None and str(year) in years else years[-1]
    return remi_charts.small_multiples_card(long, t["remi_domains"], t["remi_stages"], int(chosen), codes, t["sources"])


def strategy_progress(t: Tables) -> ChartCard:
    return strategy_view.progress_card(t["commitments"], t["pillars"], t["sources"])


# --- Slide kinds: dense charts laid out for a projector (one indicator panel per slide) -------------
# Built from the page card's own table (the same rows, words and numbers as written there), so a slide
# never computes a figure a second way; only the layout differs.

_ILLUSTRATIVE_WORDS = STATUS_WORDS["illustrative"]


def _raw_status(label) -> str:
    return "illustrative" if str(label) == _ILLUSTRATIVE_WORDS else "published"


def _indicator_rows(card: ChartCard, indicator: int) -> pd.DataFrame:
    rows = card.table[card.table["Indicator"].astype(str).str.startswith(f"{int(indicator)}. ")]
    return rows.reset_index(drop=True)


def _number(cell) -> float | None:
    try:
        return float(str(cell).replace(",", ""))
    except ValueError:
        return None


def _place_of(t: Tables, org: str) -> str:
    return wc._place(wc.org_names(t["organisations"]), org)


def _missing_label(name: str, words) -> str:
    """'NELFT: not yet published'; England's own words already name it ("England's figure not yet published")."""
    words = str(words)
    return words[0].upper() + words[1:] if words.startswith(name) else f"{name}: {words}"


def _legend_key(fig: go.Figure, name: str, **marker) -> None:
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=name, hoverinfo="skip", marker=marker))


def _slide_card(card: ChartCard, indicator: int, rows: pd.DataFrame, title: str, sentence: str, fig: go.Figure,
                alt: str, statuses: list[str]) -> ChartCard:
    return ChartCard(
        key=f"{card.key}-ind{int(indicator)}", title=finding_title(title, statuses),
        subtitle=f"WRES indicator {int(indicator)}: " + card.subtitle.split(": ", 1)[-1], figure=fig, alt=alt,
        sentence=sentence, table=rows, definition=card.definition, sources=card.sources, period=card.period,
        caveats=card.caveats,
    )


def _wres_slide_inputs(card: ChartCard | None, indicator: int, allowed: tuple[int, ...]):
    if int(indicator) not in allowed:
        raise ValueError(f"indicator must be one of {', '.join(map(str, allowed))}")
    if card is None:
        return None
    rows = _indicator_rows(card, indicator)
    return rows if len(rows) else None


def wres_ratio_slide(t: Tables, org: str = derive.SYSTEM, indicator: int = 2, year: int | None = None) -> ChartCard | None:
    """One of WRES indicators 2 to 4 on its own: a row per organisation (and England), its figure in the
    row's label, 95% intervals, the 0.8 to 1.25 guide band and the line at 1."""
    card = wres_ratios(t, org, year)
    rows = _wres_slide_inputs(card, indicator, wc.RATIO_INDICATORS)
    if rows is None:
        return None
    england = wc._place(wc.org_names(t["organisations"]), wc.NATIONAL)
    short = str(rows["Indicator"].iloc[0]).split(". ", 1)[-1]
    fig, labels, statuses, drawn, xmax = go.Figure(), [], [], [], 2.0
    for _, r in rows.iterrows():
        name, value = str(r["Organisation"]), _number(r["Relative likelihood"])
        when = f" ({r['Year']})" if value is not None and name == england and r["Year"] else ""
        labels.append(f"{name}: <b>{r['Relative likelihood']}</b>{when}" if value is not None
                      else _missing_label(name, r["Relative likelihood"]))
        if value is None:
            continue
        status = _raw_status(r["Status"])
        statuses.append(status)
        low, high = _number(r["95% interval from"]), _number(r["95% interval to"])
        xmax = max(xmax, value * 1.15, (high or 0) * 1.05)
        colour = wc.NATIONAL_COLOUR if name == england else SERIES_COLOURS[0]
        symbol = ("diamond" if name == england else "circle") + ("-open" if status == "illustrative" else "")
        fig.add_trace(go.Scatter(
            x=[value], y=[labels[-1]], mode="markers", showlegend=False, name=name,
            marker=dict(symbol=symbol, size=24, color=colour, line=dict(width=3, color=colour)),
            error_x=dict(type="data", symmetric=False, array=[high - value if high is not None else 0],
                         arrayminus=[value - low if low is not None else 0], color=TEXT, thickness=3, width=10,
                         visible=low is not None and high is not None),
            hovertemplate=f"{name}: {r['Relative likelihood']} ({r['Status']})<extra></extra>"))
        if name != england:
            drawn.append((name, value))
    fig.add_vrect(x0=wc.BAND_LOW, x1=wc.BAND_HIGH, fillcolor=MUTED, opacity=0.6, line_width=0, layer="below")
    fig.add_vline(x=1.0, line=dict(color=GUIDE, width=3))
    _legend_key(fig, wc.BAND_LABEL, symbol="square", size=24, color=MUTED, line=dict(width=1, color=GUIDE))
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name="95% interval", line=dict(color=TEXT, width=3)))
    _legend_key(fig, "England (diamond)", symbol="diamond", size=20, color=wc.NATIONAL_COLOUR)
    if "illustrative" in statuses:
        _legend_key(fig, f"{ILLUSTRATIVE_LABEL}: hollow", symbol="circle-open", size=20, color=SERIES_COLOURS[0],
                    line=dict(width=3, color=SERIES_COLOURS[0]))
    base_layout(fig, legend_below=False)
    fig.update_layout(showlegend=True)
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=labels[::-1], range=[-0.6, len(labels) - 0.4],
                     showgrid=False, ticks="", showline=False)
    fig.update_xaxes(range=[0, xmax], title_text="Relative likelihood (1 = equal)", showgrid=False, zeroline=False)
    above = [d for d in drawn if d[1] > wc.BAND_HIGH]
    place = rows["Organisation"].iloc[0] if len(drawn) == 1 else None
    year_words = card.key.rsplit("-", 1)[-1]
    if not drawn:
        title = f"WRES {year_words}, {short}: no relative likelihood is published"
    elif place:
        band = "above" if above else "below" if drawn[0][1] < wc.BAND_LOW else "within"
        title = f"{place}, WRES {year_words}, {short}: {rows['Relative likelihood'].iloc[0]}, {band} the 0.8 to 1.25 guide range"
    else:
        title = (f"{_place_of(t, org)}, WRES {year_words}, {short}: above the 0.8 to 1.25 guide range at "
                 f"{len(above)} of {len(drawn)} trusts")
    info = str(rows["Disadvantage when"].iloc[0])
    sentence = f"{wc.disadvantage_words(info)}." if info else ""
    if len(drawn) > 1:
        top = max(drawn, key=lambda d: d[1])
        sentence += f" Highest: {top[0]} ({next(r['Relative likelihood'] for _, r in rows.iterrows() if r['Organisation'] == top[0])})."
    national = rows[rows["Organisation"] == england]
    if len(national) and _number(national["Relative likelihood"].iloc[0]) is not None:
        sentence += f" England: {national['Relative likelihood'].iloc[0]} ({national['Year'].iloc[0]})."
    alt = (f"Dot chart of WRES indicator {int(indicator)}, {short}: one row per organisation and England, "
           f"with a vertical line at 1 (equal likelihood), a grey band for the 0.8 to 1.25 guide range and lines for "
           f"95% intervals. " + "; ".join(labels).replace("<b>", "").replace("</b>", "") + ".")
    return _slide_card(card, indicator, rows, title, sentence.strip(), fig, alt, statuses)


def wres_survey_slide(t: Tables, org: str = derive.SYSTEM, indicator: int = 5, year: int | None = None) -> ChartCard | None:
    """One of WRES indicators 5 to 8 on its own: global-majority and White staff side by side per row,
    each figure written beside its marker on the outer side."""
    card = wres_survey(t, org, year)
    rows = _wres_slide_inputs(card, indicator, wc.SURVEY_INDICATORS)
    if rows is None:
        return None
    short = str(rows["Indicator"].iloc[0]).split(". ", 1)[-1]
    worse_when_higher = wc.WORSE_WHEN_HIGHER.get(int(indicator), True)
    england = wc._place(wc.org_names(t["organisations"]), wc.NATIONAL)
    fig, labels, statuses, compared, worse = go.Figure(), [], [], 0, 0
    link_x, link_y = [], []
    points = {"gm": ([], [], [], [], []), "white": ([], [], [], [], [])}
    for _, r in rows.iterrows():
        name = str(r["Organisation"])
        gm, wh = _number(r["Global majority (%)"]), _number(r["White (%)"])
        label = name if gm is not None or wh is not None else _missing_label(name, r["Global majority (%)"])
        labels.append(label)
        status = _raw_status(r["Status"])
        if gm is not None or wh is not None:
            statuses.append(status)
        for key, value, other in (("gm", gm, wh), ("white", wh, gm)):
            if value is None:
                continue
            xs, ys, texts, positions, symbols = points[key]
            xs.append(value)
            ys.append(label)
            texts.append(f"{r['Global majority (%)' if key == 'gm' else 'White (%)']}%")
            outer_left = other is not None and (value < other or (value == other and key == "gm"))
            positions.append("middle left" if outer_left else "middle right")
            symbols.append(("circle" if key == "gm" else "square") + ("-open" if status == "illustrative" else ""))
        if gm is not None and wh is not None:
            link_x += [gm, wh, None]
            link_y += [label, label, None]
            if name != england:
                compared += 1
                diff = gm - wh
                worse += bool(diff) and abs(diff) >= 1 and (diff > 0 if worse_when_higher else diff < 0)
    fig.add_trace(go.Scatter(x=link_x, y=link_y, mode="lines", line=dict(color=GUIDE, width=4), hoverinfo="skip",
                             showlegend=False))
    for key, colour, name in (("gm", wc.GM_COLOUR, "Global majority (circle)"), ("white", wc.WHITE_COLOUR, "White (square)")):
        xs, ys, texts, positions, symbols = points[key]
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="markers+text", name=name, text=texts, textposition=positions,
                                 cliponaxis=False, textfont=dict(color=TEXT),
                                 marker=dict(symbol=symbols, size=24, color=colour, line=dict(width=3, color=colour)),
                                 hovertemplate="%{y}: %{text}<extra>" + name + "</extra>"))
    if "illustrative" in statuses:
        _legend_key(fig, f"{ILLUSTRATIVE_LABEL}: hollow", symbol="circle-open", size=20, color=TEXT,
                    line=dict(width=3, color=TEXT))
    base_layout(fig, legend_below=False)
    fig.update_layout(showlegend=True)
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=labels[::-1], range=[-0.6, len(labels) - 0.4],
                     showgrid=False, ticks="", showline=False)
    drawn = points["gm"][0] + points["white"][0]
    low = max(0, math.floor((min(drawn, default=0) - 10) / 10) * 10)  # room for the figures written outside
    high = min(100, math.ceil((max(drawn, default=100) + 10) / 10) * 10)
    fig.update_xaxes(range=[low - 0.12 * (high - low), high + 0.12 * (high - low)], tickvals=list(range(low, high + 1, 10)),
                     ticktext=[f"{v}%" for v in range(low, high + 1, 10)], tickmode="array", showgrid=True, gridcolor="#F0F4F5", zeroline=False,
                     title_text="% of survey respondents in the group")
    year_words = card.key.rsplit("-", 1)[-1]
    if compared == 0:
        title = f"WRES {year_words}, {short}: no organisation has both groups' figures published"
    elif compared == 1 and len(rows) <= 2:
        r = rows.iloc[0]
        title = (f"{r['Organisation']}, WRES {year_words}, {short}: global majority {r['Global majority (%)']}%, "
                 f"White {r['White (%)']}%")
    else:
        title = f"{_place_of(t, org)}, WRES {year_words}, {short}: global-majority staff fared worse at {worse} of {compared} trusts"
    info = str(rows["Disadvantage when"].iloc[0])
    sentence = (f"{wc.disadvantage_words(info)}. " if info else "") + (
        "'Fared worse' means a difference of at least 1 percentage point in the direction of disadvantage.")
    alt = (f"Dot chart of WRES indicator {int(indicator)}, {short}: one row per organisation and England, a circle for "
           f"global-majority staff and a square for White staff, joined by a line. "
           + "; ".join(f"{r['Organisation']}: global majority {r['Global majority (%)']}, White {r['White (%)']}"
                       for _, r in rows.iterrows()) + ".")
    return _slide_card(card, indicator, rows, title, sentence, fig, alt, statuses)


KINDS: dict[str, Callable[..., ChartCard | None]] = {
    "residents_map": residents_map,
    "residents_3d": residents_3d,
    "staff_profile": staff_profile,
    "representation_trend": representation_trend,
    "representation_compare": representation_compare,
    "wres_ratios": wres_ratios,
    "wres_survey": wres_survey,
    "board_gap": board_gap,
    "remi_radar": remi_radar,
    "remi_stages": remi_stages,
    "remi_trust": remi_trust,
    "remi_all": remi_all,
    "strategy_progress": strategy_progress,
    "wres_ratio_slide": wres_ratio_slide,
    "wres_survey_slide": wres_survey_slide,
}


def build(tables: Tables, kind: str, **params) -> ChartCard | None:
    """The card; TableUnavailable (naming the table) when a table it needs failed its checks."""
    if kind not in KINDS:
        raise KeyError(f"unknown chart kind {kind!r}; known: {', '.join(KINDS)}")
    try:
        return KINDS[kind](tables, **params)
    except KeyError as exc:
        missing = exc.args[0] if exc.args else None
        if isinstance(missing, str) and missing in canonical_schema.resources() and missing not in tables:
            raise TableUnavailable(missing, []) from exc  # the loader left out a table that failed its checks
        raise

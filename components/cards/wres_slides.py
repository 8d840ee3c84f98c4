"""Slide kinds: WRES's dense charts laid out for a projector, one indicator panel a slide.

Built from the page card's own table (the same rows, words and numbers as written there), so a slide never
computes a figure a second way; only the layout differs (components.charts.wres_slides)."""
from __future__ import annotations

import pandas as pd

from components.cards import workforce as wc
from components.cards.base import ChartCard, finding_title
from components.charts.wres_slides import RatioPoint, SurveyPoints, ratio_dot_figure, survey_dot_figure
from components.words import STATUS_WORDS, cap_first

_ILLUSTRATIVE_WORDS = STATUS_WORDS["illustrative"]


def _raw_status(label) -> str:
    return "illustrative" if str(label) == _ILLUSTRATIVE_WORDS else "published"


def _number(cell) -> float | None:
    try:
        return float(str(cell).replace(",", ""))
    except ValueError:
        return None


def _missing_label(name: str, words) -> str:
    """'NELFT: not yet published'; England's own words already name it ("England's figure not yet published")."""
    words = str(words)
    return cap_first(words) if words.startswith(name) else f"{name}: {words}"


def indicator_rows(card: ChartCard | None, indicator: int, allowed: tuple[int, ...]) -> pd.DataFrame | None:
    """The page card's table rows for one indicator (None when the card or the rows are missing)."""
    if int(indicator) not in allowed:
        raise ValueError(f"indicator must be one of {', '.join(map(str, allowed))}")
    if card is None:
        return None
    rows = card.table[card.table["Indicator"].astype(str).str.startswith(f"{int(indicator)}. ")].reset_index(drop=True)
    return rows if len(rows) else None


def _slide_card(card: ChartCard, indicator: int, rows: pd.DataFrame, title: str, sentence: str, fig, alt: str,
                statuses: list[str]) -> ChartCard:
    return ChartCard(
        key=f"{card.key}-ind{int(indicator)}", title=finding_title(title, statuses),
        subtitle=f"WRES indicator {int(indicator)}: " + card.subtitle.split(": ", 1)[-1], figure=fig, alt=alt,
        sentence=sentence, table=rows, definition=card.definition, sources=card.sources, period=card.period,
        caveats=card.caveats,
    )


# --- Indicators 2 to 4: relative likelihoods ---------------------------------------------------------

def ratio_points(rows: pd.DataFrame, england: str) -> tuple[list[RatioPoint], list[str]]:
    """A point for each row with a figure, and every row's label (its figure written in it)."""
    points, labels = [], []
    for _, r in rows.iterrows():
        name, value = str(r["Organisation"]), _number(r["Relative likelihood"])
        when = f" ({r['Year']})" if value is not None and name == england and r["Year"] else ""
        labels.append(f"{name}: <b>{r['Relative likelihood']}</b>{when}" if value is not None
                      else _missing_label(name, r["Relative likelihood"]))
        if value is not None:
            points.append(RatioPoint(name, labels[-1], value, _number(r["95% interval from"]),
                                     _number(r["95% interval to"]), _raw_status(r["Status"]),
                                     str(r["Relative likelihood"]), str(r["Status"]), name == england))
    return points, labels


def _ratio_title(rows: pd.DataFrame, drawn: list[RatioPoint], year_words: str, short: str, system_place: str) -> str:
    above = [p for p in drawn if p.value > wc.BAND_HIGH]
    if not drawn:
        return f"WRES {year_words}, {short}: no relative likelihood is published"
    if len(drawn) == 1:
        band = "above" if above else "below" if drawn[0].value < wc.BAND_LOW else "within"
        return (f"{rows['Organisation'].iloc[0]}, WRES {year_words}, {short}: {rows['Relative likelihood'].iloc[0]}, "
                f"{band} the 0.8 to 1.25 guide range")
    return (f"{system_place}, WRES {year_words}, {short}: above the 0.8 to 1.25 guide range at "
            f"{len(above)} of {len(drawn)} trusts")


def _ratio_sentence(rows: pd.DataFrame, drawn: list[RatioPoint], england: str) -> str:
    info = str(rows["Disadvantage when"].iloc[0])
    sentence = f"{wc.disadvantage_words(info)}." if info else ""
    if len(drawn) > 1:
        top = max(drawn, key=lambda p: p.value)
        sentence += f" Highest: {top.name} ({top.shown})."
    national = rows[rows["Organisation"] == england]
    if len(national) and _number(national["Relative likelihood"].iloc[0]) is not None:
        sentence += f" England: {national['Relative likelihood'].iloc[0]} ({national['Year'].iloc[0]})."
    return sentence.strip()


def wres_ratio_slide(card: ChartCard | None, indicator: int, *, england: str, system_place: str) -> ChartCard | None:
    """One of WRES indicators 2 to 4 on its own: a row per organisation (and England), its figure in the
    row's label, 95% intervals, the 0.8 to 1.25 guide band and the line at 1."""
    rows = indicator_rows(card, indicator, wc.RATIO_INDICATORS)
    if card is None or rows is None:
        return None
    short = str(rows["Indicator"].iloc[0]).split(". ", 1)[-1]
    points, labels = ratio_points(rows, england)
    fig = ratio_dot_figure(points, labels, band=(wc.BAND_LOW, wc.BAND_HIGH), band_label=wc.BAND_LABEL,
                           national_colour=wc.NATIONAL_COLOUR)
    drawn = [p for p in points if not p.national]
    title = _ratio_title(rows, drawn, card.key.rsplit("-", 1)[-1], short, system_place)
    alt = (f"Dot chart of WRES indicator {int(indicator)}, {short}: one row per organisation and England, "
           f"with a vertical line at 1 (equal likelihood), a grey band for the 0.8 to 1.25 guide range and lines for "
           f"95% intervals. " + "; ".join(labels).replace("<b>", "").replace("</b>", "") + ".")
    return _slide_card(card, indicator, rows, title, _ratio_sentence(rows, drawn, england), fig, alt,
                       [p.status for p in points])


# --- Indicators 5 to 8: the staff survey's two groups side by side ------------------------------------

def survey_points(rows: pd.DataFrame, england: str, worse_when_higher: bool):
    """Each group's markers, the lines joining them, every row's label, the statuses drawn, and how many trusts
    were compared and fared worse (a difference of at least 1 point in the direction of disadvantage)."""
    groups = {"gm": SurveyPoints(), "white": SurveyPoints()}
    link_x: list = []
    link_y: list = []
    labels, statuses, compared, worse = [], [], 0, 0
    for _, r in rows.iterrows():
        name = str(r["Organisation"])
        gm, wh = _number(r["Global majority (%)"]), _number(r["White (%)"])
        label = name if gm is not None or wh is not None else _missing_label(name, r["Global majority (%)"])
        labels.append(label)
        status = _raw_status(r["Status"])
        if gm is not None or wh is not None:
            statuses.append(status)
        for key, value, other in (("gm", gm, wh), ("white", wh, gm)):
            if value is not None:
                _add_survey_point(groups[key], r, key, label, value, other, status)
        if gm is not None and wh is not None:
            link_x += [gm, wh, None]
            link_y += [label, label, None]
            if name != england:
                compared += 1
                diff = gm - wh
                worse += bool(diff) and abs(diff) >= 1 and (diff > 0 if worse_when_higher else diff < 0)
    return groups, (link_x, link_y), labels, statuses, compared, worse


def _add_survey_point(points: SurveyPoints, r: pd.Series, key: str, label: str, value: float, other: float | None,
                      status: str) -> None:
    points.xs.append(value)
    points.ys.append(label)
    points.texts.append(f"{r['Global majority (%)' if key == 'gm' else 'White (%)']}%")
    outer_left = other is not None and (value < other or (value == other and key == "gm"))
    points.positions.append("middle left" if outer_left else "middle right")
    points.symbols.append(("circle" if key == "gm" else "square") + ("-open" if status == "illustrative" else ""))


def _figures_words(r: pd.Series) -> str:
    """'global majority 30.0%, White not yet published': one row's two figures, as written in the table."""
    return ", ".join(f"{group} {str(r[column]).removesuffix('.0')}%" if _number(r[column]) is not None
                     else f"{group} {r[column]}"
                     for group, column in (("global majority", "Global majority (%)"), ("White", "White (%)")))


def _survey_title(rows: pd.DataFrame, compared: int, worse: int, year_words: str, short: str, system_place: str) -> str:
    with_figures = [r for _, r in rows.iterrows()
                    if _number(r["Global majority (%)"]) is not None or _number(r["White (%)"]) is not None]
    if len(with_figures) == 1:  # one organisation's figures: say them
        r = with_figures[0]
        return f"{r['Organisation']}, WRES {year_words}, {short}: {_figures_words(r)}"
    if len(with_figures) == 2 and compared <= 1:  # one trust's figures and England's
        return f"WRES {year_words}, {short}: " + "; ".join(f"{r['Organisation']}, {_figures_words(r)}" for r in with_figures)
    if compared == 0:
        return f"WRES {year_words}, {short}: no organisation has both groups' figures published"
    if compared == 1 and len(rows) <= 2:
        r = rows.iloc[0]
        return f"{r['Organisation']}, WRES {year_words}, {short}: {_figures_words(r)}"
    return f"{system_place}, WRES {year_words}, {short}: global-majority staff fared worse at {worse} of {compared} trusts"


def wres_survey_slide(card: ChartCard | None, indicator: int, *, england: str, system_place: str) -> ChartCard | None:
    """One of WRES indicators 5 to 8 on its own: global-majority and White staff side by side per row,
    each figure written beside its marker on the outer side."""
    rows = indicator_rows(card, indicator, wc.SURVEY_INDICATORS)
    if card is None or rows is None:
        return None
    short = str(rows["Indicator"].iloc[0]).split(". ", 1)[-1]
    groups, links, labels, statuses, compared, worse = survey_points(
        rows, england, wc.WORSE_WHEN_HIGHER.get(int(indicator), True))
    fig = survey_dot_figure([(groups["gm"], wc.GM_COLOUR, "Global majority (circle)"),
                             (groups["white"], wc.WHITE_COLOUR, "White (square)")], links, labels,
                            illustrative="illustrative" in statuses)
    title = _survey_title(rows, compared, worse, card.key.rsplit("-", 1)[-1], short, system_place)
    info = str(rows["Disadvantage when"].iloc[0])
    sentence = (f"{wc.disadvantage_words(info)}. " if info else "") + (
        "'Fared worse' means a difference of at least 1 percentage point in the direction of disadvantage.")
    alt = (f"Dot chart of WRES indicator {int(indicator)}, {short}: one row per organisation and England, a circle for "
           f"global-majority staff and a square for White staff, joined by a line. "
           + "; ".join(f"{r['Organisation']}: global majority {r['Global majority (%)']}, White {r['White (%)']}"
                       for _, r in rows.iterrows()) + ".")
    return _slide_card(card, indicator, rows, title, sentence, fig, alt, statuses)

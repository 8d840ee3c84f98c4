"""A slide resting on a few figures shows them as numbers, large, each with its source and period, rather than as an
axis holding a dot or two: what a slide made for one figure looks like. Read from the card's own table (the same
figures, as written there). Pure: no Streamlit."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pandas as pd

from components.cards import workforce as wc
from components.cards.base import ChartCard
from components.words import STATUS_WORDS, join_words

MAX_FIGURES = 4   # more than this and the chart says it better
_PUBLISHED = STATUS_WORDS["published"]


@dataclass
class BigFigure:
    value: str      # as written in the table, with its unit: '30%', '1.45'
    label: str      # what it counts: 'of global-majority staff at Barts Health'
    source: str
    period: str


def _number(cell) -> float | None:
    try:
        return float(str(cell).replace(",", ""))
    except ValueError:
        return None


def _written(cell, unit: str = "") -> str:
    text = str(cell)
    return (text[:-2] if text.endswith(".0") else text) + unit


def _where(org: str) -> str:
    return "in England" if org == "England" else f"at {org}"


def _published_rows(card: ChartCard, columns: tuple[str, ...]) -> list[pd.Series]:
    """The rows with a figure, when every one of them is published (else none: the chart marks what is not)."""
    rows = [r for _, r in card.table.iterrows() if any(_number(r.get(c, "")) is not None for c in columns)]
    return rows if all(str(r.get("Status", "")) == _PUBLISHED for r in rows) else []


def _survey(card: ChartCard) -> list[BigFigure]:
    rows = _published_rows(card, ("Global majority (%)", "White (%)"))
    figures = [BigFigure(_written(r[column], "%"), f"of {group} staff {_where(str(r['Organisation']))}",
                         str(r["Source"]), f"{r['Period']}")
               for r in rows for column, group in (("Global majority (%)", "global-majority"), ("White (%)", "White"))
               if _number(r[column]) is not None]
    return figures if len(rows) <= 2 and len(figures) <= MAX_FIGURES else []


def _ratio(card: ChartCard) -> list[BigFigure]:
    rows = _published_rows(card, ("Relative likelihood",))
    figures = [BigFigure(_written(r["Relative likelihood"]), f"relative likelihood {_where(str(r['Organisation']))} "
                         "(1 = equal)", str(r["Source"]), str(r["Period"])) for r in rows]
    return figures if len(figures) <= MAX_FIGURES else []


def _profile(card: ChartCard) -> list[BigFigure]:
    table = card.table
    residents = table[table["Group"].astype(str).str.startswith("NEL residents")]
    staff = table[~table.index.isin(residents.index)]
    staff = staff[staff["Global-majority share (%)"].map(_number).notna()]
    if len(staff) != 1 or str(staff["Status"].iloc[0]) != _PUBLISHED:
        return []
    r = staff.iloc[0]
    out = [BigFigure(_written(r["Global-majority share (%)"], "%"),
                     f"of {str(r['Group']).lower()} in north east London's five NHS trusts are from the global majority "
                     f"({r['Year']})", str(r["Source"]), str(r["Period"]))]
    for _, res in residents.iterrows():
        out.append(BigFigure(_written(res["Global-majority share (%)"], "%"),
                             "of north east London's residents are from the global majority (every ethnic group other "
                             "than White; Census 2021, the eight boroughs)", str(res["Source"]), str(res["Period"])))
    return out


def big_figures(kind: str, card: ChartCard | None) -> list[BigFigure]:
    """The figures to show large on this slide, or [] when its chart shows them better."""
    if card is None or "Status" not in card.table:
        return []
    if kind == "wres_survey_slide":
        return _survey(card)
    if kind == "wres_ratio_slide":
        return _ratio(card)
    if kind == "staff_profile":
        return _profile(card)
    return []


def figures_card(kind: str, card: ChartCard, figures: list[BigFigure]) -> ChartCard:
    """The card with a subtitle and a sentence that describe the figures shown, not a chart that is not drawn."""
    if kind == "staff_profile":
        staff, *residents = figures
        gap = (_number(staff.value.rstrip("%")) or 0) - (_number(residents[0].value.rstrip("%")) or 0) if residents else None
        sentence = (f"{staff.value} {staff.label}"
                    + (f", {abs(gap):.1f} points {'above' if gap >= 0 else 'below'} the {residents[0].value} of the "
                       "residents they serve" if gap is not None else "")
                    + ". The other staff groups' figures are not yet published.")
        return dataclasses.replace(card, subtitle="Global-majority share of all staff in north east London's five NHS "
                                   "trusts, beside the residents they serve", sentence=sentence)
    table = card.table
    rows = _published_rows(card, ("Relative likelihood", "Global majority (%)", "White (%)"))
    shown = [str(r["Organisation"]) for r in rows]
    missing = [str(o) for o in table["Organisation"] if str(o) not in shown and str(o) != "England"]
    years = sorted({str(r["Year"]) for r in rows if str(r.get("Year", ""))})
    what = card.subtitle.split(":", 1)[0] + (f", WRES {join_words(years)}" if years else "")
    info = str(table["Disadvantage when"].iloc[0]) if "Disadvantage when" in table else ""
    sentence = (f"{wc.disadvantage_words(info)}. " if info else "") + (
        f"Not yet published: {join_words(missing)}." if missing else "")
    return dataclasses.replace(card, subtitle=f"{what}: the figures published so far ({join_words(shown)})",
                               sentence=sentence.strip() or card.sentence)

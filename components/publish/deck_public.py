"""A deck as it is shown: every slide built once, and on the public site (published figures only) no empty screen.

With illustrative values hidden, a slide with nothing published is left out (the slides after it move up, so the
numbering, the keys and the QR codes follow) and what it would have shown is named, with who publishes it, on one
closing slide, "Still to be published". A slide resting on a handful of figures shows them as numbers, large, with
their source and period (``components.publish.deck_figures``), rather than as an axis with a dot or two. Pure: no
Streamlit here, so the app, the low-bandwidth site and the tests share it.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from components.cards.base import ChartCard
from components.cards.catalogue import build
from components.publish.deck import Deck, Slide
from components.publish.deck_figures import BigFigure, big_figures, figures_card
from components.words import join_words
from data import derive, selection
from data.package import Package, TableUnavailable

NOT_PUBLISHED_NOTICE = "No figures for this slide have been published yet."
GAPS_TITLE = "Still to be published"
GAPS_COLUMNS = ["Not yet published", "Year", "Published by"]
WRES_KINDS = ("wres_ratio_slide", "wres_survey_slide")


@dataclass
class ShownSlide:
    number: int                       # as shown: "Slide N of M"
    slide: Slide | None               # the deck file's slide; None for the closing "Still to be published" slide
    card: ChartCard | None
    notice: str = ""                  # why there is no card (broken data, bad parameters)
    figures: list[BigFigure] = field(default_factory=list)   # a few figures shown large instead of the chart

    @property
    def gaps(self) -> bool:
        return self.slide is None


@dataclass
class Gap:
    what: str
    year: str
    who: tuple[str, ...]


def build_slide(package: Package, slide: Slide, make=None) -> tuple[ChartCard | None, str]:
    """The slide's card, or None and a plain notice (broken data, bad parameters): never an exception.

    ``make(kind, **params)`` builds the card (the app passes its cached ``components.ui.package_cache.card``)."""
    try:
        card = build(package.tables, slide.kind, **slide.params) if make is None else make(slide.kind, **slide.params)
    except TableUnavailable as exc:
        return None, _unavailable(exc.table, exc.problems or package.broken.get(exc.table, []))
    except (KeyError, TypeError, ValueError) as exc:
        missing = exc.args[0] if isinstance(exc, KeyError) and exc.args else None
        if isinstance(missing, str) and missing in package.broken:  # a table that failed its checks
            return None, _unavailable(missing, package.broken[missing])
        return None, "The slide's settings do not match the data; check the deck file."
    if card is None:
        return None, NOT_PUBLISHED_NOTICE
    return card, ""


def _unavailable(table: str, problems) -> str:
    """Name the file and its first problem (as code, so text from the file stays inert)."""
    first = str(problems[0]).replace("`", "'") if problems else table
    return (f"The data for this slide cannot be shown: the published file for **{table}** failed its checks "
            f"(`{first}`). The 'About the data' page lists every problem.")


def shown_slides(package: Package, deck: Deck, *, hidden: bool, make: Callable | None = None) -> list[ShownSlide]:
    """The deck's slides as shown. ``hidden`` (published figures only): slides with nothing published are left
    out and gathered on a closing "Still to be published" slide. In the demo every slide stays, in its place."""
    tables = package.tables
    out: list[ShownSlide] = []
    gaps: list[Gap] = []
    for slide in deck.slides:
        card, notice = build_slide(package, slide, make)
        empty = hidden and _nothing_published(tables, slide, card, notice)
        if hidden and (empty or card is not None):
            gaps += _gaps_for(tables, slide, None if empty else card)
        if empty:
            continue
        figures = big_figures(slide.kind, card) if card is not None else []
        if figures and card is not None:
            card = figures_card(slide.kind, card, figures)
        out.append(ShownSlide(len(out) + 1, slide, card, notice, figures))
    if hidden and (card := gaps_card(gaps)) is not None:
        out.append(ShownSlide(len(out) + 1, None, card))
    return out


def _nothing_published(tables: Mapping[str, pd.DataFrame], slide: Slide, card: ChartCard | None, notice: str) -> bool:
    """Whether the slide has no published figure on its subject (a notice about broken data is kept: it is news)."""
    if card is None:
        return notice == NOT_PUBLISHED_NOTICE
    if slide.kind in WRES_KINDS:
        return not _wres_orgs(card, with_figures=True)
    if slide.kind == "representation_trend" and slide.params.get("group"):
        return not _group_shown(card, _group_label(tables, str(slide.params["group"])))
    return False


# --- What is missing, and who publishes it ---------------------------------------------------------------

def _number(cell) -> float | None:
    try:
        return float(str(cell).replace(",", ""))
    except ValueError:
        return None


_VALUE_COLUMNS = ("Relative likelihood", "Global majority (%)", "White (%)")


def _wres_orgs(card: ChartCard, *, with_figures: bool) -> list[str]:
    """The organisations (never England) on a WRES slide with at least one figure, or (False) with none."""
    out = []
    for _, r in card.table.iterrows():
        if str(r["Organisation"]) == "England":
            continue
        has = any(_number(r[c]) is not None for c in _VALUE_COLUMNS if c in r.index)
        if has == with_figures:
            out.append(str(r["Organisation"]))
    return out


def _group_label(tables: Mapping[str, pd.DataFrame], group: str) -> str:
    return selection.group_labels(tables["staff_groups"]).get(group, group) if "staff_groups" in tables else group


def _group_shown(card: ChartCard, group_label: str | None = None) -> bool:
    column = "Staff group" if "Staff group" in card.table else None
    if column is None or group_label is None:
        return True
    labels = set(card.table[column].astype(str))
    return group_label in labels or any(group_label.lower() == x.lower() for x in labels)


def _full_names(tables: Mapping[str, pd.DataFrame], names_or_codes) -> tuple[str, ...]:
    """Organisations' full names, from short names or codes ('Barts Health' or 'R1H' -> 'Barts Health NHS Trust')."""
    if "organisations" not in tables:
        return tuple(names_or_codes)
    orgs = tables["organisations"]
    full = dict(zip(orgs["short_name"].astype(str), orgs["name"].astype(str), strict=True))
    full.update(zip(orgs["ods_code"].astype(str), orgs["name"].astype(str), strict=True))
    return tuple(full.get(str(n), str(n)) for n in names_or_codes)


def _orgs_of(tables: Mapping[str, pd.DataFrame], org: str) -> tuple[str, ...]:
    """Who publishes an organisation's figures: for the NEL system, each of its trusts."""
    if org == derive.SYSTEM and "organisations" in tables:
        return _full_names(tables, [c for c in selection.org_choices(tables) if c != derive.SYSTEM])
    return _full_names(tables, [org])


def _latest_year(tables: Mapping[str, pd.DataFrame], table: str, year) -> str:
    if year is not None:
        return str(year)
    frame = tables.get(table)
    return str(int(frame["year"].max())) if frame is not None and len(frame) else "latest"


def _wres_what(tables: Mapping[str, pd.DataFrame], indicator: int) -> str:
    names = tables.get("wres_indicators")
    if names is not None and (row := names[names["indicator"].astype(int) == int(indicator)]).shape[0]:
        return f"WRES indicator {int(indicator)}: {str(row['short_name'].iloc[0]).lower()}"
    return f"WRES indicator {int(indicator)}"


def _gaps_for(tables: Mapping[str, pd.DataFrame], slide: Slide, card: ChartCard | None) -> list[Gap]:
    """What the slide lacks (all of it when ``card`` is None or shows nothing on its subject), and by whom."""
    org = str(slide.params.get("org", derive.SYSTEM))
    if slide.kind in WRES_KINDS:
        indicator = int(slide.params.get("indicator", 2 if slide.kind == "wres_ratio_slide" else 5))
        who = _full_names(tables, _wres_orgs(card, with_figures=False)) if card is not None else _orgs_of(tables, org)
        if card is not None and not _wres_orgs(card, with_figures=True):
            who = _orgs_of(tables, org)
        return [Gap(_wres_what(tables, indicator), _latest_year(tables, "wres", slide.params.get("year")), who)] if who else []
    if slide.kind == "representation_trend":
        group = _group_label(tables, str(slide.params.get("group") or "band_8a_plus"))
        if card is not None and _group_shown(card, group):
            return []
        return [Gap(f"Global-majority share of staff: {group.lower()}", _latest_year(tables, "workforce", None),
                    _orgs_of(tables, org))]
    if card is not None:
        return []
    if slide.kind.startswith("remi"):
        return [Gap("REMI self-assessment", str(slide.params.get("year") or "each year"), _orgs_of(tables, org))]
    return [Gap(slide.kind.replace("_", " "), str(slide.params.get("year") or "latest"), _orgs_of(tables, org))]


def gaps_table(gaps: list[Gap]) -> pd.DataFrame:
    """One row per year and set of publishers, naming everything they have still to publish."""
    rows: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for gap in gaps:
        whats = rows.setdefault((gap.year, gap.who), [])
        if gap.what not in whats:
            whats.append(gap.what)
    return pd.DataFrame([{"Not yet published": "; ".join(whats), "Year": year, "Published by": join_words(list(who))}
                         for (year, who), whats in rows.items()], columns=GAPS_COLUMNS)


def gaps_card(gaps: list[Gap]) -> ChartCard | None:
    """The closing slide: what the deck would show once it is published, and who publishes it (None: no gap)."""
    if not gaps:
        return None
    table = gaps_table(gaps)
    publishers = sorted({name for gap in gaps for name in gap.who})
    return ChartCard(
        key="deck-gaps", title=GAPS_TITLE,
        subtitle="What this deck would show once it is published, and who publishes it",
        figure=None, alt="", table=table,
        sentence=(f"{len(publishers)} organisation{'s' if len(publishers) != 1 else ''} "
                  f"{'have' if len(publishers) != 1 else 'has'} figures still to publish. Each NHS trust publishes "
                  "its WRES figures once a year; each partner publishes its REMI self-assessment as the strategy "
                  "sets out. The 'About the data' page shows every figure the dashboard holds and every gap."),
        period="As at this version of the dashboard's data",
    )

"""The chart card's content, as plain data: built by pure functions, rendered by the app, the
presenter deck and the static report alike."""
from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from components.words import HOME_PAGE_NOTE, STATUS_WORDS, home_page_only, plain
from data.suppression import RULE_TEXT, SUPPRESSED_LABEL


@dataclass
class Source:
    title: str
    publisher: str = ""
    url: str | None = None
    licence: str = ""


@dataclass
class ChartCard:
    key: str                    # stable identifier (widget keys, file names, slide references)
    title: str                  # states the finding
    subtitle: str               # measure, place and period
    figure: Any                 # plotly Figure (or pydeck Deck)
    alt: str                    # what the chart shows, for screen readers
    sentence: str               # the finding in plain English, generated from the data
    table: pd.DataFrame         # exactly what is drawn, with Status and Source columns
    definition: str = ""
    sources: list[Source] = field(default_factory=list)
    period: str = ""
    caveats: list[str] = field(default_factory=list)
    download: pd.DataFrame | None = None   # when the chart draws more rows than the table lists (the map's 33 boroughs)

    def __post_init__(self):
        # Every way a card is shown (page, slide, report) gets a figure whose data text is inert.
        if isinstance(self.figure, go.Figure):
            self.figure = inert_figure(self.figure)

    @cached_property
    def statuses(self) -> set[str]:
        if "Status" not in self.table:
            return set()
        return set(self.table["Status"].dropna().astype(str))

    @property
    def has_illustrative(self) -> bool:
        return STATUS_WORDS["illustrative"] in self.statuses

    @property
    def has_suppressed(self) -> bool:
        return bool((self.table == SUPPRESSED_LABEL).to_numpy().any()) if len(self.table) else False

    @property
    def status_note(self) -> str:
        if self.has_illustrative and STATUS_WORDS["published"] in self.statuses:
            return "Mixed: some values are published, others are illustrative (invented to show the view; not real data)."
        if self.has_illustrative:
            return "Illustrative: these values are invented to show the view and are not real data."
        return "Published: every value is taken from the source named below."

    def all_caveats(self) -> list[str]:
        notes = list(self.caveats)
        if self.has_suppressed:
            notes.append(RULE_TEXT)
        return notes

    def csv_bytes(self) -> bytes:
        """The download: every row drawn, with status, source, and the source's licence and attribution on every row."""
        return self._csv

    @cached_property
    def escaped_table(self) -> pd.DataFrame:
        """The table with its text shown literally where Markdown is rendered (st.table): made once per card."""
        return self.table.map(lambda v: plain(v) if isinstance(v, str) else v)

    @cached_property
    def _csv(self) -> bytes:  # cards are cached and shared (components.ui.package_cache.built): write the CSV once
        frame = self.table if self.download is None else self.download
        if "Source" in frame and len(frame):
            frame = frame.assign(**{LICENCE_COLUMN: frame["Source"].map(self._licence_text)})
        return spreadsheet_safe(frame).to_csv(index=False).encode("utf-8")

    def _licence_text(self, titles: object) -> str:
        """'Open Government Licence v3.0 (Office for National Statistics: Census 2021 ...)' for each source a row names."""
        by_title = {s.title: s for s in self.sources}
        named = [by_title[t] for t in str(titles or "").split("; ") if t in by_title]
        return "; ".join(f"{s.licence or 'Licence not stated'} (attribution: {s.publisher + ', ' if s.publisher else ''}{s.title})"
                         for s in named)


LICENCE_COLUMN = "Licence and attribution"


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _defused(value):
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        try:
            float(value)  # '-10.5' or '+1.8' is a number written as text, not a formula
            return value
        except ValueError:
            return "'" + value
    return value


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """For a CSV that people open in a spreadsheet: a text cell that would run as a formula (first
    character =, +, -, @, tab or carriage return) gets a leading apostrophe, as OWASP advises."""
    text = [c for c in frame.columns if pd.api.types.is_object_dtype(frame[c]) or pd.api.types.is_string_dtype(frame[c])]
    return frame.assign(**{c: frame[c].map(_defused) for c in text}) if text else frame


ILLUSTRATIVE_FINDING = "Illustrative example: "
# The notice above a chart with invented values: (lead, rest), bold lead in every renderer.
ILLUSTRATIVE_NOTICE = ("Includes illustrative values", " (not real data): drawn hollow, hatched or dotted, "
                       "and marked in the table and the download.")


def finding_title(title: str, statuses) -> str:
    """A title that states a finding says so in the title itself when any figure it rests on is
    illustrative: 'Illustrative example: Barts Health: band 8a and above is 20 points below …'."""
    return ILLUSTRATIVE_FINDING + title if "illustrative" in {str(s) for s in statuses} else title



def sources_for(ids, sources: pd.DataFrame) -> list[Source]:
    wanted = [i for i in dict.fromkeys(map(str, ids)) if i]
    rows = sources.set_index("source_id")
    out = []
    for sid in wanted:
        if sid in rows.index:
            r = rows.loc[sid]
            url = r["url"] if isinstance(r["url"], str) else None
            title = str(r["title"])
            if url is not None and home_page_only(url):  # say so, rather than link a home page as if it were the source
                title, url = f"{title} ({HOME_PAGE_NOTE}: {urllib.parse.urlsplit(url).netloc})", None
            licence = r["licence"] if isinstance(r.get("licence"), str) else ""
            out.append(Source(title, str(r["publisher"]), url, licence))
    return out


# plotly reads tags in any text it draws (trace names, ticks, hover labels, titles): <a href> makes a
# link, <span style> styles. Keep the bare formatting tags the builders write; show any other '<' as text.
_PLOTLY_MARKUP = re.compile(r"<(?!(?:br\s*/?|/?(?:b|i|em|sup|sub|extra))>)", re.IGNORECASE)


def inert_figure(fig: go.Figure) -> go.Figure:
    """The figure, with text from the data unable to become a link or a styled element: the same
    figure when nothing in it needs disarming (the usual case), else a disarmed copy."""
    changed = False

    def clean(v):
        nonlocal changed
        if isinstance(v, str):
            if "<" not in v:
                return v
            out = _PLOTLY_MARKUP.sub("&lt;", v)
            changed = changed or out != v
            return out
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [clean(x) for x in v]
        if isinstance(v, np.ndarray) and v.dtype == object:
            return clean(v.tolist())
        return v
    # Trace by trace, so that number arrays stay arrays (the figure's to_plotly_json writes them as base64).
    spec = {"data": [clean(trace.to_plotly_json()) for trace in fig.data], "layout": clean(fig.layout.to_plotly_json())}
    # The builder's figure was validated as it was built: validating the copy again cost 20-140 ms a chart.
    return go.Figure(spec, _validate=False) if changed else fig

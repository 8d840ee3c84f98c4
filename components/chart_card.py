"""Render a ChartCard: title, subtitle, chart, sentence, table, download and About.

The one way every chart reaches the screen, so every chart gets the same accessible parts.
"""
from __future__ import annotations

import re

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from components.cards import ChartCard
from components.palette import PLOTLY_CONFIG
from components.text import link, plain


def chart_card(card: ChartCard, *, height: int | None = None) -> None:
    with st.container(border=True, key=f"card-{card.key}"):
        st.subheader(plain(card.title), anchor=False)
        st.caption(plain(card.subtitle))
        if card.has_illustrative:
            st.markdown("**Includes illustrative values** (not real data): drawn hollow, hatched or dotted, "
                        "and marked in the table and the download.")
        if isinstance(card.figure, go.Figure):
            st.plotly_chart(inert_figure(card.figure), theme=None, config=PLOTLY_CONFIG, alt=card.alt,
                            key=f"chart-{card.key}", height=height or "content")
        else:
            st.pydeck_chart(card.figure, alt=card.alt, key=f"deck-{card.key}", height=height or 500)
        st.markdown(plain(card.sentence))
        with st.expander("Show the data as a table"):
            st.table(escaped(card.table), hide_index=True)
        st.download_button(
            "Download this data (CSV)", card.csv_bytes(), file_name=f"{card.key}.csv", mime="text/csv",
            key=f"download-{card.key}", on_click="ignore",
        )
        with st.expander("About this chart: definition, source and caveats"):
            about(card)


# plotly reads tags in any text it draws (trace names, ticks, hover labels, titles): <a href> makes a
# link, <span style> styles. Keep the bare formatting tags the builders write; show any other '<' as text.
_PLOTLY_MARKUP = re.compile(r"<(?!(?:br\s*/?|/?(?:b|i|em|sup|sub|extra))>)", re.IGNORECASE)


def inert_figure(fig: go.Figure) -> go.Figure:
    """A copy of the figure in which text from the data cannot become a link or a styled element."""
    def clean(v):
        if isinstance(v, str):
            return _PLOTLY_MARKUP.sub("&lt;", v) if "<" in v else v
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [clean(x) for x in v]
        if isinstance(v, np.ndarray) and v.dtype == object:
            return clean(v.tolist())
        return v
    return go.Figure(clean(fig.to_plotly_json()))


def escaped(table):
    """st.table renders Markdown in cells: show data text literally."""
    return table.map(lambda v: plain(v) if isinstance(v, str) else v)


def about(card: ChartCard) -> None:
    if card.definition:
        st.markdown(f"**Definition.** {plain(card.definition)}")
    if card.period:
        st.markdown(f"**Period.** {plain(card.period)}")
    st.markdown(f"**Status.** {plain(card.status_note)}")
    if card.sources:
        lines = "\n".join(f"- {link(s.title, s.url)}" + (f" ({plain(s.publisher)})" if s.publisher else "")
                          for s in card.sources)
        st.markdown("**Sources.**\n" + lines)
    for note in card.all_caveats():
        st.markdown(f"- {plain(note)}")


def chart_or_notice(card: ChartCard | None, notice: str) -> None:
    """Render the card, or say plainly why there is no chart (for example 'not yet published')."""
    if card is None:
        st.info(plain(notice), icon="ℹ️")
    else:
        chart_card(card)

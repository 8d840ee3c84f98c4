"""Render a ChartCard: title, subtitle, chart, sentence, table, download and About.

The one way every chart reaches the screen, so every chart gets the same accessible parts.
"""
from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from components.cards.base import ILLUSTRATIVE_NOTICE, ChartCard
from components.charts.palette import PLOTLY_CONFIG
from components.words import link, plain


def chart_card(card: ChartCard, *, height: int | None = None) -> None:
    with st.container(border=True, key=f"card-{card.key}"):
        st.subheader(plain(card.title), anchor=False)
        st.caption(plain(card.subtitle))
        if card.has_illustrative:
            st.markdown(f"**{ILLUSTRATIVE_NOTICE[0]}**{ILLUSTRATIVE_NOTICE[1]}")
        label, described = chart_label(card)
        if isinstance(card.figure, go.Figure):
            st.plotly_chart(card.figure, theme=None, config=PLOTLY_CONFIG, alt=label,
                            key=f"chart-{card.key}", height=height or "content")
        else:
            st.pydeck_chart(card.figure, alt=label, key=f"deck-{card.key}", height=height or 500)
        if described:  # static/navigation.js makes this sentence the chart's description (aria-describedby)
            with st.container(key=f"chart-sentence-{card.key}"):
                st.markdown(plain(card.sentence))
        else:
            st.markdown(plain(card.sentence))
        with st.expander("Show the data as a table"):
            st.table(card.escaped_table, hide_index=True)
        st.download_button(
            "Download this data (CSV)", card.csv_bytes(), file_name=f"{card.key}.csv", mime="text/csv",
            key=f"download-{card.key}", on_click="ignore",
        )
        with st.expander("About this chart: definition, source and caveats"):
            about(card)


def chart_label(card: ChartCard) -> tuple[str, bool]:
    """The chart's accessible name: its alt text without the sentence printed under the chart, which a screen reader
    would otherwise read twice. True when the sentence was taken out: the chart then points to it as its
    description, so the name and the description still carry all the alt text did."""
    alt, sentence = card.alt.strip(), card.sentence.strip()
    if sentence and alt.endswith(sentence) and alt[: -len(sentence)].strip():
        return alt[: -len(sentence)].rstrip(), True
    return alt, False


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


def chart_or_notice(card: ChartCard | None, notice: str, *, markdown: bool = False) -> None:
    """Render the card, or say plainly why there is no chart (for example 'not yet published'); ``markdown``:
    the notice is already Markdown with its text escaped (components.cards.gaps)."""
    if card is None:
        st.info(notice if markdown else plain(notice), icon="ℹ️")
    else:
        chart_card(card)

"""Render the strategy tracker list and the 'you said, together, we did' log (Streamlit).

Every data string goes through components.words.plain(); progress is given in words (a badge with
text and no icon), so colour is never the only carrier.
"""
from __future__ import annotations

import streamlit as st

from components.cards.strategy import ActionView, PillarView
from components.words import link, plain


def render_tracker(pillars: list[PillarView]) -> None:
    n = 0
    for p in pillars:
        st.subheader(plain(p.name), anchor=False)
        st.markdown(f"**Aim.** {plain(p.aim)}")
        st.markdown(f"**We will know we are progressing by:** {plain(p.progress_measure)}")
        st.markdown(plain(p.summary))
        for c in p.commitments:
            n += 1  # keys by position: ids come from a data file and need not be unique or CSS-safe
            with st.container(border=True, key=f"commitment-{n}"):
                st.markdown(f"**{plain(c.text)}**")
                st.badge(f"Progress: {plain(c.progress)}", color=c.badge_colour)  # type: ignore[arg-type]  # one of st.badge's colours: cards.strategy
                measure = ("the pillar's measure above" if c.same_measure_as_pillar else plain(c.progress_measure))
                st.markdown(
                    f"**Progress measure:** {measure}  \n"
                    f"**Evidence:** {plain(c.evidence)}  \n"
                    f"**{c.date_label}:** {plain(c.last_updated)}"
                )
                st.markdown(f"**Source:** {link(c.source_title, c.source_url)} · {plain(c.status)}")


def render_actions(log: list[ActionView]) -> None:
    for i, a in enumerate(log):
        with st.container(border=True, key=f"action-{i}"):
            if a.illustrative:
                st.badge("Illustrative (not real data)", color="violet")
            st.markdown(f"**You said:** {plain(a.you_said)}")
            st.markdown(f"**Together, we did:** {plain(a.we_did)}")
            meta = [a.organisation, a.pillar, a.date, f"Source: {a.source_title}"] + ([] if a.illustrative else [a.status])
            st.markdown(" · ".join(plain(m) for m in meta))

"""Strategy tracker: the five pillars, each commitment's reported progress, and the feedback log."""
import streamlit as st

from components.app import ensure_navigation, table
from components.chart_card import chart_card
from components.strategy_render import render_actions, render_tracker
from components.strategy_view import actions_log, actions_notice, progress_card, tracker

ensure_navigation()
st.title("Strategy tracker")
st.markdown("The NHS North East London anti-racist strategy (January 2025) sets five pillars, each with "
            "commitments. This page shows what has been reported against each one. Where nothing has been "
            "published, it says so.")
pillars, commitments, sources = table("pillars"), table("commitments"), table("sources")
if pillars is None or commitments is None or sources is None:
    st.stop()

st.header("Progress at a glance")
chart_card(progress_card(commitments, pillars, sources))

st.header("The five pillars and their commitments")
render_tracker(tracker(pillars, commitments, sources))

st.header("You said, together, we did")
st.markdown("The strategy promises to feed back openly on how staff and community input has shaped decisions.")
actions, orgs = table("actions"), table("organisations")
if actions is not None:
    log = actions_log(actions, pillars, orgs, sources)
    notice = actions_notice(log)
    if any(a.illustrative for a in log):
        st.warning(notice, icon="⚠️")
    else:
        st.info(notice)
    render_actions(log)

"""Strategy tracker: the five pillars, each commitment's reported progress, and the feedback log."""
import streamlit as st

from components.cards.strategy import actions_log, actions_notice, tracker
from components.ui.chart_card import chart_card
from components.ui.package_cache import available, built, card, ensure_navigation
from components.ui.strategy_render import render_actions, render_tracker

ensure_navigation()
st.title("Strategy tracker")
st.markdown("The NHS North East London anti-racist strategy (January 2025) sets five pillars, each with "
            "commitments. This page shows what has been reported against each one. Where nothing has been "
            "published, it says so.")
if not available("pillars", "commitments", "sources"):
    st.stop()

st.header("Progress at a glance")
chart_card(card("strategy_progress"))

st.header("The five pillars and their commitments")
render_tracker(built("strategy_tracker", lambda t: tracker(t["pillars"], t["commitments"], t["sources"])))

st.header("You said, together, we did")
st.markdown("The strategy promises to feed back openly on how staff and community input has shaped decisions.")
available("organisations")  # if it failed its checks, say so here: the log then shows codes, not names
if available("actions"):
    log = built("strategy_actions", lambda t: actions_log(t["actions"], t["pillars"], t.get("organisations"), t["sources"]))
    notice = actions_notice(log)
    if any(a.illustrative for a in log):
        st.warning(notice, icon="⚠️")
    else:
        st.info(notice)
    render_actions(log)

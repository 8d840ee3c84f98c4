"""/workforce: representation by staff group (WRES indicator 1) and WRES indicators 2 to 9."""
import streamlit as st

from components import workforce_charts as wc
from components.app import ensure_navigation, package, table
from components.chart_card import chart_or_notice, escaped
from components.text import plain
from components.view_state import copy_link_control, view_select
from data import derive

ensure_navigation()


def show_card(card, what, place, year=None):
    chart_or_notice(card, wc.missing_text(what, place, year))


st.title("Representation and WRES")
st.markdown("How the share of staff from the global majority changes with seniority in north east London's NHS, and "
            "the Workforce Race Equality Standard (WRES) indicators. Choose one trust or the whole system.")
t = package().tables
if table("organisations") is None or table("sources") is None:
    st.stop()
names, sources = wc.org_names(t["organisations"]), t["sources"]
org = view_select("org", wc.org_choices(t), derive.SYSTEM, "organisation", names.get)
place = names[org]
params = {"org": org}

st.header("Representation by staff group (WRES indicator 1)")
shares = None
if table("workforce") is not None and table("staff_groups") is not None:
    labels = wc.group_labels(t["staff_groups"])
    params["group"] = group = view_select("group", list(labels), wc.DEFAULT_FOCUS, "staff group to describe", labels.get)
    shares = derive.workforce_shares(t)
    show_card(wc.representation_trend_card(shares, org, names, sources, residents=wc.residents_for(t, org), focus=group,
                                      staff_groups=t["staff_groups"]), "workforce figures", place)

st.header("WRES indicators 2 to 9")
if table("wres") is not None and table("wres_indicators") is not None:
    wres, meta = derive.wres_long(t), t["wres_indicators"]
    orgs = wc.wres_orgs(wres, org, wc.org_choices(t))
    years = [str(y) for y in wc.wres_years(wres, orgs)]
    with st.expander("The nine WRES indicators, and which direction means disadvantage"):
        st.table(escaped(wc.indicator_guide(meta)), hide_index=True)
    if not years:
        st.info(plain(wc.missing_text("WRES indicators", place)), icon="ℹ️")
    else:
        params["year"] = year = int(view_select("year", years, years[-1], "WRES year", str))
        if len(orgs) > 1:
            st.caption("WRES figures are published trust by trust, so the system view shows the five trusts side by side.")
        show_card(wc.wres_ratio_card(wres, meta, orgs, names, year, sources, place=place), "WRES indicators 2 to 4", place, year)
        show_card(wc.wres_survey_card(wres, meta, orgs, names, year, sources, place=place), "WRES indicators 5 to 8", place, year)
        if shares is not None:
            show_card(wc.board_gap_card(shares, org, names, sources, meta, year, orgs), "WRES indicator 9", place)
copy_link_control("workforce", params)

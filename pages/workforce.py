"""/workforce: representation by staff group (WRES indicator 1) and WRES indicators 2 to 9."""
import streamlit as st

from components.cards import representation_trend as rt
from components.cards import workforce as wc
from components.cards.gaps import gap_notice
from components.ui.chart_card import chart_or_notice, escaped
from components.ui.chrome import words_used
from components.ui.package_cache import available, built, card, ensure_navigation, package
from components.ui.view_state import copy_link_control, view_select
from data import derive, selection

ensure_navigation()


def show_card(chart, what, kind, year=None):
    chart_or_notice(chart, gap_notice(what, t["organisations"], org, kind, year), markdown=True)


st.title("Representation and WRES")
st.markdown("How the share of staff from the global majority changes with seniority in north east London's NHS, and "
            "the Workforce Race Equality Standard (WRES) indicators. Choose one trust or the whole system.")
words_used("Global majority", "BME (Black and minority ethnic)", "WRES", "Band 8a and above", "VSM",
           "Relative likelihood", "Guide range")
t = package().tables
if not available("organisations", "sources"):
    st.stop()
org = view_select("org", selection.org_choices(t), derive.SYSTEM, "organisation", selection.org_choice_names(t["organisations"]).get)
params = {"org": org}
share = st.container()  # the share control sits near the top; it is filled once every choice is known
st.markdown("On this page: [representation by staff group](#representation) · [WRES indicators 2 to 9](#wres)")

st.header("Representation by staff group (WRES indicator 1)", anchor="representation")
workforce_ok = available("workforce", "staff_groups")
drawn = built("trend_groups", lambda tables, o: rt.groups_for(derive.workforce_shares(tables), o), org) if workforce_ok else []
if workforce_ok and not drawn:  # nothing to describe: no staff group to choose
    show_card(None, "workforce figures", "workforce")
elif workforce_ok:
    labels = selection.group_labels(t["staff_groups"])
    choices = [g for g in labels if g in drawn]  # only the groups the chart has figures for
    default = wc.DEFAULT_FOCUS if wc.DEFAULT_FOCUS in choices else choices[-1]
    params["group"] = group = view_select("group", choices, default, "staff group to describe", labels.get)
    show_card(card("representation_trend", org=org, group=group), "workforce figures", "workforce")

st.header("WRES indicators 2 to 9", anchor="wres")
if available("wres", "wres_indicators"):
    wres = built("wres_long", derive.wres_long)
    orgs = selection.wres_orgs(wres, org, selection.org_choices(t))
    years = [str(y) for y in selection.wres_years(wres, orgs)]
    with st.expander("The nine WRES indicators, and which direction means disadvantage"):
        st.table(escaped(wc.indicator_guide(t["wres_indicators"])), hide_index=True)
    if not years:
        st.info(gap_notice("WRES indicators", t["organisations"], org, "wres"), icon="ℹ️")
    else:
        params["year"] = year = int(view_select("year", years, years[-1], "WRES year", str))
        if len(orgs) > 1:
            st.caption("WRES figures are published trust by trust, so the system view shows the five trusts side by side.")
        show_card(card("wres_ratios", org=org, year=year), "WRES indicators 2 to 4", "wres", year)
        show_card(card("wres_survey", org=org, year=year), "WRES indicators 5 to 8", "wres", year)
        if workforce_ok:
            show_card(card("board_gap", org=org, year=year), "WRES indicator 9", "wres")
with share:
    copy_link_control("workforce", params)

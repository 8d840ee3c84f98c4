"""/trust?org=ODS: every workforce race equity measure for one organisation, beside NEL and England."""
import streamlit as st

from components.cards import representation_trend as rt
from components.cards import workforce as wc
from components.cards.gaps import gap_notice, named_link
from components.cards.releases import org_arrival_line
from components.ui.chart_card import chart_or_notice, escaped
from components.ui.chrome import words_used
from components.ui.package_cache import available, built, card, ensure_navigation, package, showing_illustrative
from components.ui.view_state import copy_link_control, optional_param, view_param, view_select
from components.words import page_link, plain
from data import derive, selection

ensure_navigation()


def show_card(chart, what, kind, year=None):
    chart_or_notice(chart, gap_notice(what, t["organisations"], org, kind, year), markdown=True)


st.title("Trust profile")
st.markdown("Every workforce race equity measure in this dashboard for one organisation: its representation beside "
            "the NEL system and England, its WRES indicators beside England's (the WRES is published trust by trust: "
            "there is no NEL-wide figure for indicators 2 to 8, and the system's indicator 9 is on the Workforce "
            "page), and its leadership beside the residents it serves. "
            "Staff networks can share a link that opens their own organisation's view.")
words_used("Global majority", "Band 8a and above", "VSM", "Board", "WRES", "Relative likelihood", "Guide range",
           "REMI stage")
t = package().tables
if not available("organisations", "sources"):
    st.stop()
names, full = selection.org_names(t["organisations"]), selection.org_names(t["organisations"], "name")
org = view_select("org", selection.profile_choices(t), "R1H", "organisation",
                  selection.org_choice_names(t["organisations"]).get)
place = names[org]
st.markdown(f"**{named_link(t['organisations'], org)}**")
if arrived := org_arrival_line(t, org, place):
    st.markdown(plain(arrived) + " [What changed](/data#what-changed)")
share = st.container()  # the share control sits near the top; it is filled once every choice is known
params = {"org": org}
st.markdown("On this page: [leadership](#leadership) · [representation](#representation) · [WRES indicators](#wres) · "
            "[REMI](#remi)")
mine = None
if available("boroughs", "organisation_boroughs"):
    served = derive.served_boroughs(t, org)
    borough_names = dict(zip(t["boroughs"]["gss_code"], t["boroughs"]["name"], strict=True))
    mine = optional_param("borough", served, f"{place} does not serve {{value}}, the link's borough, so its "
                          "leadership is shown beside the boroughs it serves.", lambda g: borough_names.get(g, f"“{g}”"))
    if mine:
        params["borough"] = mine
    if served:
        st.markdown("**Serves:** " + ", ".join(page_link(borough_names.get(g, g), "boroughs", borough=g) for g in served)
                    + ". Residents' figures for each are on the borough map.")

ok = {n: available(n) for n in ("workforce", "staff_groups", "wres", "wres_indicators", "remi", "remi_domains", "remi_stages")}
workforce_ok = ok["workforce"] and ok["staff_groups"]
focus = view_param("group", list(selection.group_labels(t["staff_groups"])), wc.DEFAULT_FOCUS, "staff group") if workforce_ok else None
compare = card("representation_compare", org=org) if workforce_ok else None
trend = card("representation_trend", org=org, group=focus) if workforce_ok else None
if trend is not None and focus == built("trend_focus", lambda tables, o, g: rt.shown_focus(
        derive.workforce_shares(tables), o, g), org, focus):
    params["group"] = focus  # else the card describes another group, and ?group= leaves the address
year = None
if ok["wres"] and ok["wres_indicators"]:
    wres = built("wres_long", derive.wres_long)
    years = selection.wres_years(wres, selection.wres_orgs(wres, org, selection.org_choices(t)))
    year = years[-1] if years else None
wres_cards = [card("wres_ratios", org=org, year=year), card("wres_survey", org=org, year=year)] if year else [None, None]
board = card("board_gap", org=org, year=year) if workforce_ok else None
remi = card("remi_trust", org=org) if ok["remi"] and ok["remi_domains"] and ok["remi_stages"] else None

if workforce_ok:
    st.header("Leadership against the residents it serves", anchor="leadership")
    st.markdown("The global-majority share of the organisation's senior staff (band 8a and above), very senior "
                "managers and board, beside the residents " + (f"of {plain(borough_names[mine])}, and of " if mine else "of ")
                + "the boroughs it serves. Global majority means every ethnic group except the White groups.")
    st.table(built("leadership", lambda tables, o, b: escaped(wc.leadership_summary(
        derive.workforce_shares(tables), o, wc.residents_for(tables, o), tables["sources"],
        wc.borough_residents(tables, b))), org, mine or ""), hide_index=True)
lines = wc.status_summary([compare, trend, *wres_cards, board, remi], place)
st.header("Which figures are illustrative" if showing_illustrative() else "Which figures are published")
st.markdown("\n".join(f"- {plain(line)}" for line in lines)
            or f"None of {plain(place)}'s own figures is in this dashboard yet: each section below says who publishes "
               "them and how often.")
st.header("Representation by staff group", anchor="representation")
show_card(compare, "representation figures", "workforce")
show_card(trend, "representation over time", "workforce")
st.header("WRES indicators" + (f", {year}" if year else ""), anchor="wres")
show_card(wres_cards[0], "WRES indicators 2 to 4", "wres", year)
show_card(wres_cards[1], "WRES indicators 5 to 8", "wres", year)
show_card(board, "WRES indicator 9", "wres")
st.header("Race Equity Maturity Index (REMI)", anchor="remi")
show_card(remi, "REMI self-assessment", "remi")
with share:
    copy_link_control("trust", params)

"""/trust?org=ODS: every workforce race equity measure for one organisation, beside NEL and England."""
import streamlit as st

from components.cards import workforce as wc
from components.cards.releases import org_arrival_line
from components.ui.chart_card import chart_or_notice, escaped
from components.ui.chrome import words_used
from components.ui.package_cache import available, built, card, ensure_navigation, package, showing_illustrative
from components.ui.view_state import copy_link_control, view_param, view_select
from components.words import page_link, plain
from data import derive, selection

ensure_navigation()


def show_card(chart, what, place, year=None):
    chart_or_notice(chart, wc.missing_text(what, place, year))


st.title("Trust profile")
st.markdown("Every workforce race equity measure in this dashboard for one organisation, beside the NEL system and "
            "England. Staff networks can share a link that opens their own organisation's view.")
words_used("Global majority", "Band 8a and above", "VSM", "Board", "WRES", "Relative likelihood", "Guide range",
           "REMI stage")
t = package().tables
if not available("organisations", "sources"):
    st.stop()
names, full = selection.org_names(t["organisations"]), selection.org_names(t["organisations"], "name")
org = view_select("org", selection.org_choices(t, include_icb=True), "R1H", "organisation",
                  selection.org_choice_names(t["organisations"]).get)
place = names[org]
st.markdown(f"**{plain(full[org])}**")
if arrived := org_arrival_line(t, org, place):
    st.markdown(plain(arrived) + " [What changed](/data#what-changed)")
copy_link_control("trust", {"org": org})
st.markdown("On this page: [leadership](#leadership) · [representation](#representation) · [WRES indicators](#wres) · "
            "[REMI](#remi)")
if available("boroughs", "organisation_boroughs"):
    served = derive.served_boroughs(t, org)
    borough_names = dict(zip(t["boroughs"]["gss_code"], t["boroughs"]["name"], strict=True))
    if served:
        st.markdown("**Serves:** " + ", ".join(page_link(borough_names.get(g, g), "boroughs", borough=g) for g in served)
                    + ". Residents' figures for each are on the borough map.")

ok = {n: available(n) for n in ("workforce", "staff_groups", "wres", "wres_indicators", "remi", "remi_domains", "remi_stages")}
workforce_ok = ok["workforce"] and ok["staff_groups"]
focus = view_param("group", list(selection.group_labels(t["staff_groups"])), wc.DEFAULT_FOCUS, "staff group") if workforce_ok else None
compare = card("representation_compare", org=org) if workforce_ok else None
trend = card("representation_trend", org=org, group=focus) if workforce_ok else None
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
                "managers and board, beside the residents of the boroughs it serves. Global majority means every "
                "ethnic group except the White groups.")
    st.table(built("leadership", lambda tables, o: escaped(wc.leadership_summary(
        derive.workforce_shares(tables), o, wc.residents_for(tables, o), tables["sources"])), org), hide_index=True)
lines = wc.status_summary([compare, trend, *wres_cards, board, remi], place)
st.header("Which figures are illustrative" if showing_illustrative() else "Which figures are published")
st.markdown("\n".join(f"- {plain(line)}" for line in lines) or f"No figures for {plain(place)} are in the package yet.")
st.header("Representation by staff group", anchor="representation")
show_card(compare, "representation figures", place)
show_card(trend, "representation over time", place)
st.header("WRES indicators" + (f", {year}" if year else ""), anchor="wres")
show_card(wres_cards[0], "WRES indicators 2 to 4", place, year)
show_card(wres_cards[1], "WRES indicators 5 to 8", place, year)
show_card(board, "WRES indicator 9", place)
st.header("Race Equity Maturity Index (REMI)", anchor="remi")
show_card(remi, "REMI self-assessment", place)

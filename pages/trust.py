"""/trust?org=ODS: every workforce race equity measure for one organisation, beside NEL and England."""
import streamlit as st

from components import workforce_charts as wc
from components.app import ensure_navigation, package, table
from components.chart_card import chart_or_notice
from components.text import plain
from components.view_state import copy_link_control, view_param, view_select
from data import derive

ensure_navigation()


def show_card(card, what, place, year=None):
    chart_or_notice(card, wc.missing_text(what, place, year))


st.title("Trust profile")
st.markdown("Every workforce race equity measure in this dashboard for one organisation, beside the NEL system and "
            "England. Staff networks can share a link that opens their own organisation's view.")
t = package().tables
if table("organisations") is None or table("sources") is None:
    st.stop()
names, full, sources = wc.org_names(t["organisations"]), wc.org_names(t["organisations"], "name"), t["sources"]
org = view_select("org", wc.org_choices(t, include_icb=True), "R1H", "organisation", names.get)
place = names[org]
st.markdown(f"**{plain(full[org])}**")
copy_link_control("trust", {"org": org})

ok = {n: table(n) is not None for n in ("workforce", "staff_groups", "wres", "wres_indicators", "remi", "remi_domains", "remi_stages")}
shares = derive.workforce_shares(t) if ok["workforce"] and ok["staff_groups"] else None
focus = view_param("group", list(wc.group_labels(t["staff_groups"])), wc.DEFAULT_FOCUS, "staff group") if shares is not None else None
compare = wc.representation_comparison_card(shares, org, names, sources) if shares is not None else None
trend = (wc.representation_trend_card(shares, org, names, sources, residents=wc.residents_for(t, org), focus=focus,
                                      staff_groups=t["staff_groups"]) if shares is not None else None)
wres_cards, year, orgs = [None, None], None, [org]
if ok["wres"] and ok["wres_indicators"]:
    wres, meta = derive.wres_long(t), t["wres_indicators"]
    orgs = wc.wres_orgs(wres, org, wc.org_choices(t))
    years = wc.wres_years(wres, orgs)
    year = years[-1] if years else None
    if year is not None:
        wres_cards = [wc.wres_ratio_card(wres, meta, orgs, names, year, sources, place=place),
                      wc.wres_survey_card(wres, meta, orgs, names, year, sources, place=place)]
board = wc.board_gap_card(shares, org, names, sources, t.get("wres_indicators"), year, orgs) if shares is not None else None
remi = (wc.remi_card(t["remi"], t["remi_domains"], t["remi_stages"], org, names, sources)
        if ok["remi"] and ok["remi_domains"] and ok["remi_stages"] else None)

st.header("Which figures are illustrative")
lines = wc.status_summary([compare, trend, *wres_cards, board, remi])
st.markdown("\n".join(f"- {plain(line)}" for line in lines) or f"No figures for {plain(place)} are in the package yet.")
st.header("Representation by staff group")
show_card(compare, "representation figures", place)
show_card(trend, "representation over time", place)
st.header("WRES indicators" + (f", {year}" if year else ""))
show_card(wres_cards[0], "WRES indicators 2 to 4", place, year)
show_card(wres_cards[1], "WRES indicators 5 to 8", place, year)
show_card(board, "WRES indicator 9", place)
st.header("Race Equity Maturity Index (REMI)")
show_card(remi, "REMI self-assessment", place)

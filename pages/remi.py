"""REMI maturity: one organisation's stages by domain, against its previous year and the NEL median."""
import streamlit as st

from components.cards import remi_about
from components.cards.remi import CONVENTION, DEFAULT_ORG, illustrative_notice, sources_markdown, stages_markdown
from components.ui.chart_card import chart_card
from components.ui.chrome import words_used
from components.ui.package_cache import available, built, card, ensure_navigation, package
from components.ui.view_state import copy_link_control, keep_only, remember, view_param
from data.remi import org_choices, org_label, remi_long, year_choices

ensure_navigation()


def about_remi(tables) -> None:
    """What REMI is, its domains and stages, who has published and where partners fill theirs in."""
    st.header("What REMI is", anchor="about")
    st.markdown(remi_about.WHAT_REMI_IS)
    st.subheader("The five domains", anchor=False)
    st.markdown(remi_about.domains_markdown(tables["remi_domains"]))
    st.markdown(f"**Domains.** {CONVENTION}")
    st.subheader("The six stages", anchor=False)
    st.markdown(stages_markdown(tables["remi_stages"]))
    st.header("Who has published", anchor="published")
    st.markdown(remi_about.published_markdown(tables["remi"], tables["organisations"]))
    st.markdown(remi_about.partners_markdown())
    st.markdown("**Sources.**\n" + sources_markdown(["nel-strategy-2025", "larch-remi", "larch-remi-faqs",
                                                     "dashboard-convention"], tables["sources"]))

st.title("REMI maturity")
st.markdown("How far each NHS organisation in north east London has moved along the six stages of the Race Equity "
            "Maturity Index (REMI), which the strategy asks every partner to self-assess each year.")
if not available("remi", "remi_domains", "remi_stages", "organisations", "sources"):
    st.stop()
words_used("REMI", "REMI stage")
t = package().tables
long = built("remi_long", lambda t: remi_long(t["remi"], t["remi_domains"], t["remi_stages"], t["organisations"]))
if long.empty:
    st.info("No partner's REMI self-assessment is in this dashboard yet: what REMI is, who has published and how "
            "partners fill theirs in are below.", icon="ℹ️")
    keep_only({})
    about_remi(t)
    st.stop()
if notice := illustrative_notice(long):
    st.warning(notice, icon="⚠️")
st.markdown("**The five domains are this dashboard's convention:** they are the areas LARCH names, used as the "
            "charts' axes until the official REMI progress sheet is published (more below).")

codes = org_choices(long, t["organisations"])
org = view_param("org", codes, DEFAULT_ORG if DEFAULT_ORG in codes else codes[0], "organisation")
st.selectbox("Organisation", codes, index=codes.index(org), key="remi-org", format_func=lambda c: org_label(long, c),
             on_change=lambda: remember("org", st.session_state["remi-org"]))
years = year_choices(long, org)
year = view_param("year", years, years[-1], "year")
st.selectbox("Year", years, index=years.index(year), key="remi-year",
             on_change=lambda: remember("year", st.session_state["remi-year"]))

st.header("Stages by domain")
chart_card(card("remi_radar", org=org, year=int(year)))
chart_card(card("remi_stages", org=org, year=int(year)))

st.header(f"All partners in {year}")
chart_card(card("remi_all", year=int(year)))

about_remi(t)
copy_link_control("remi", {"org": org, "year": year})

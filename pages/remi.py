"""REMI maturity: one organisation's stages by domain, against its previous year and the NEL median."""
import streamlit as st

from components.app import ensure_navigation, table
from components.chart_card import chart_card
from components.remi_charts import (CONVENTION, DEFAULT_ORG, illustrative_notice, org_choices, org_label, remi_long,
                                    remi_views, small_multiples_card, sources_markdown, stages_markdown, year_choices)
from components.view_state import copy_link_control, remember, view_param

ensure_navigation()
st.title("REMI maturity")
st.markdown("How far each NHS organisation in north east London has moved along the six stages of the Race Equity "
            "Maturity Index (REMI), which the strategy asks every partner to self-assess each year.")
frames = [table(n) for n in ("remi", "remi_domains", "remi_stages", "organisations", "sources")]
if any(f is None for f in frames):
    st.stop()
remi, domains, stages, orgs, sources = frames
long = remi_long(remi, domains, stages, orgs)
if long.empty:
    st.info("No REMI self-assessment has been published yet.")
    st.stop()
if notice := illustrative_notice(long):
    st.warning(notice, icon="⚠️")
st.markdown("**The five domains are this dashboard's convention:** they are the areas LARCH names, used as the "
            "charts' axes until the official REMI progress sheet is published (more below).")

codes = org_choices(long, orgs)
org = view_param("org", codes, DEFAULT_ORG if DEFAULT_ORG in codes else codes[0], "organisation")
st.selectbox("Organisation", codes, index=codes.index(org), key="remi-org", format_func=lambda c: org_label(long, c),
             on_change=lambda: remember("org", st.session_state["remi-org"]))
years = year_choices(long, org)
year = view_param("year", years, years[-1], "year")
st.selectbox("Year", years, index=years.index(year), key="remi-year",
             on_change=lambda: remember("year", st.session_state["remi-year"]))

st.header("Stages by domain")
radar, dots = remi_views(long, domains, stages, org, int(year), sources)
chart_card(radar)
chart_card(dots)

st.header(f"All partners in {year}")
chart_card(small_multiples_card(long, domains, stages, int(year), codes, sources))

st.header("The six REMI stages")
st.markdown(stages_markdown(stages))
st.markdown(f"**Domains.** {CONVENTION}")
st.markdown("**Sources.**\n" + sources_markdown(["larch-remi", "larch-remi-faqs", "dashboard-convention"], sources))
copy_link_control("remi", {"org": org, "year": year})

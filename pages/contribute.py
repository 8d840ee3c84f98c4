"""/contribute: publishers check their figures before they send them, fill the REMI self-assessment,
and download the templates. Uploads live in this session's memory only: never on disk, never logged,
never in the shared chart cache."""
import streamlit as st

from components.cards import contribute as cb
from components.ui.contribute import FORMS, TABS, check_tab, remi_tab, templates_tab
from components.ui.package_cache import ensure_navigation

ensure_navigation()

st.title("Check your figures before you send them")
st.markdown("For partners who publish their figures here once a year: fill the template, check it on this page, "
            "then send it to the ICB's data team. " + cb.PRIVACY)

form = st.query_params.get("form")
if form is not None and form not in FORMS:
    st.info("The link's form is not one this page knows, so the first tab is shown.", icon="ℹ️")
tabs = st.tabs(TABS, default=FORMS.get(form, TABS[0]), key="contribute-tabs")

with tabs[0]:
    check_tab()
with tabs[1]:
    remi_tab()
with tabs[2]:
    templates_tab()

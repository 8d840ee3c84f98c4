"""/outcomes Residents' outcomes: published outcomes for residents by ethnic group, beside London and England."""
import streamlit as st

from components.ui.chart_card import chart_or_notice
from components.ui.package_cache import available, card, ensure_navigation

ensure_navigation()
st.title("Residents' outcomes")
st.markdown("The anti-racist strategy asks the NHS in north east London to put race and ethnicity data beside "
            "residents' outcomes. This page shows the outcomes by ethnic group that are published for north east "
            "London itself, beside London's other integrated care boards and England. Each comes from its publisher "
            "as it stands; where the dashboard works something out, such as a ratio between two groups, it says so.")

st.header("Detentions under the Mental Health Act")
if available("outcomes", "ethnic_groups", "sources"):
    chart_or_notice(card("outcomes"), "NHS England's figures on detentions under the Mental Health Act by ethnic "
                                      "group are not in this dashboard yet.")

"""/boroughs: NEL's eight boroughs in London, by any borough measure, as a map, a 3D view and a table."""
import streamlit as st

from components import maps
from components.app import available, built, card, ensure_navigation
from components.chart_card import chart_card
from components.view_state import copy_link_control, view_select
from data.derive import borough_measures, measure_choices

ensure_navigation()

NEEDED = ("boroughs", "population", "ethnic_groups", "measures", "borough_measures", "sources")
OPTIONAL = ("area_benchmarks", "organisations")

st.title("Borough map")
st.markdown("Where North East London's residents live, by ethnic group: the eight boroughs the NHS in "
            "North East London serves, in their London context. Choose a measure and a borough; "
            "the map, the 3D view and the tables follow.")

ready = available(*NEEDED)
available(*OPTIONAL)  # the page works without them; say so if they failed their checks
if ready:
    frame = built("borough_measures", borough_measures)
    choices = measure_choices(frame)
    boroughs = maps.nel_boroughs(frame)
    left, right = st.columns(2)
    with left:
        measure = view_select("measure", list(choices), maps.DEFAULT_MEASURE, "measure", choices.get,
                              help="What the map shades and the 3D view raises.")
    with right:
        borough = view_select("borough", list(boroughs), maps.DEFAULT_BOROUGH, "borough", boroughs.get,
                              help="Outlined in yellow on the map and stated in the sentence below it.")
    copy_link_control("boroughs", {"measure": measure, "borough": borough})
    chart_card(card("residents_map", measure=measure, borough=borough))
    chart_card(card("residents_3d", measure=measure, borough=borough), height=420)

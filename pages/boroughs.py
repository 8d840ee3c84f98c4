"""/boroughs: London's 33 boroughs with NEL's eight outlined, by any borough measure, as a map, a 3D view and a table."""
import streamlit as st

from components.cards import residents_map
from components.cards.overview import serving_line
from components.ui.chart_card import chart_card
from components.ui.package_cache import available, built, card, ensure_navigation
from components.ui.view_state import copy_link_control, view_select
from data.borough_rows import nel_boroughs
from data.derive import borough_measures, measure_choices, serving_organisations

ensure_navigation()

NEEDED = ("boroughs", "population", "ethnic_groups", "measures", "borough_measures", "sources")
OPTIONAL = ("area_population", "area_benchmarks", "organisations")

st.title("Borough map")
st.markdown("Who lives in North East London, by ethnic group (Census 2021): the eight boroughs the NHS in "
            "North East London serves, beside London's other 25 boroughs and England. Choose a measure (the "
            "global-majority share, one of the five high-level ethnic groups or one of the 19 detailed groups) "
            "and a borough; the map, the 3D view and the tables follow.")

ready = available(*NEEDED)
available(*OPTIONAL)  # the page works without them; say so if they failed their checks
if ready:
    frame = built("borough_measures", borough_measures)
    choices = measure_choices(frame)
    boroughs = nel_boroughs(frame)
    left, right = st.columns(2)
    with left:
        measure = view_select("measure", list(choices), residents_map.DEFAULT_MEASURE, "measure", choices.get,
                              help="What the map shades and the 3D view raises.")
    with right:
        borough = view_select("borough", list(boroughs), residents_map.DEFAULT_BOROUGH, "borough", boroughs.get,
                              help="Outlined in yellow on the map and stated in the sentence below it.")
    if available("organisations", "organisation_boroughs"):
        st.markdown(serving_line(boroughs[borough], built("serving", serving_organisations, borough), borough))
    scope = view_select("area", list(residents_map.TABLE_SCOPES), "nel", "boroughs in the table", residents_map.TABLE_SCOPES.get,
                        help="The map always shows all 33 boroughs; the table can list North East London's eight or all of London.")
    copy_link_control("boroughs", {"measure": measure, "borough": borough, "area": scope})
    st.header("Map and table")  # h2 before the cards' h3 titles: headings never skip a level
    chart_card(card("residents_map", measure=measure, borough=borough, scope=scope))
    st.header("3D view")
    # Loaded when asked for: the 3D map library is most of what a first visit to this page downloads.
    if st.toggle("Show the 3D view", key="show-3d",
                 help="The same figures as the map and table above, as heights, with the NHS organisations' main sites."):
        chart_card(card("residents_3d", measure=measure, borough=borough), height=420)
    else:
        st.markdown("The 3D view raises each North East London borough by the chosen measure and marks the NHS "
                    "organisations' main sites. It carries the same figures as the map and table above.")

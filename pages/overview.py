"""/ Overview: what the dashboard is, the headline figures with their sources, how to read it, and the way in to every section."""
import streamlit as st

from components.cards.glossary import how_to_read
from components.cards.outcomes import outcome_summary
from components.cards.overview import figure_with_source, headline_caption, headlines, serving_line
from components.cards.residents_map import DEFAULT_BOROUGH, DEFAULT_MEASURE
from components.routes import CONTENTS, SITE_NAME
from components.ui.chart_card import chart_card
from components.ui.package_cache import available, built, card, ensure_navigation, package, showing_illustrative
from components.ui.view_state import view_select
from components.words import page_link, plain
from data.borough_rows import measure_rows, nel_boroughs
from data.derive import borough_measures, serving_organisations

ensure_navigation()
st.title("Race equity in NHS North East London")
st.markdown(
    f"The {SITE_NAME} shows how NHS organisations in north east London are doing on the "
    "**anti-racist strategy** that NHS North East London published in January 2025: who lives here, who works "
    "in the NHS here and at what level, and what each organisation has reported. It is for residents, staff and "
    "the people who hold the system to account. Every figure says where it comes from and whether it is real."
)

NEEDED = ("sources", "boroughs", "population", "ethnic_groups", "area_benchmarks", "workforce", "staff_groups",
          "organisations")
ready = available(*NEEDED)

st.header("Your borough")
if available("boroughs", "population", "ethnic_groups", "measures", "borough_measures", "sources", "organisations",
             "organisation_boroughs"):
    frame = built("borough_measures", borough_measures)
    boroughs = nel_boroughs(frame)
    borough = view_select("borough", list(boroughs), DEFAULT_BOROUGH, "borough", boroughs.get,
                          help="One of the eight boroughs the NHS in north east London serves.")
    rows = measure_rows(frame, DEFAULT_MEASURE)
    st.markdown(figure_with_source(card("residents_map", borough=borough).sentence,
                                   rows.loc[rows["gss_code"] == borough, "source_id"], package().tables["sources"]))
    serving = built("serving", serving_organisations, borough)
    st.markdown(serving_line(boroughs[borough], serving, borough) + " "
                + page_link(f"See {boroughs[borough]} on the borough map", "boroughs", borough=borough) + ".")


def show(h, column) -> None:
    with column.container(border=True):
        flat = h.change is not None and abs(h.change) < 0.05
        st.metric(h.title, h.value_text, delta=h.change_text, delta_color="off", delta_arrow="off" if flat else "auto",
                  delta_description=h.change_note if h.change_text else None)
        if not h.change_text:
            st.markdown(plain(h.change_note))
        st.markdown(headline_caption(h))
        for note in h.notes:
            st.markdown(plain(note))


st.header("Headline figures")
st.markdown("The global-majority share of NEL's residents and of the staff of its five NHS trusts, in the latest "
            "year with a figure, and the change since the year before.")
if ready:
    items = built("overview_headlines", headlines)
    for start in range(0, len(items), 3):
        for h, column in zip(items[start:start + 3], st.columns(3), strict=False):  # the last row may be short
            show(h, column)
    chart_card(card("staff_profile"))
else:
    st.info("The headline figures cannot be shown until the data files above pass their checks.")

st.header("Residents' outcomes")
if available("outcomes", "ethnic_groups", "sources") and (outcome := card("outcomes")) is not None:
    st.markdown(f"**{plain(outcome.title)}.** " + outcome_summary(outcome) + " "
                + page_link("See residents' outcomes", "outcomes") + ".")

st.header("How to read this dashboard")
for paragraph in how_to_read(showing_illustrative()):
    st.markdown(paragraph)

st.header("Sections")
for start in range(0, len(CONTENTS), 3):  # rows of three, so a phone reads them in order
    for route, column in zip(CONTENTS[start:start + 3], st.columns(3), strict=False):  # the last row may be short
        with column.container(border=True):
            st.page_link(route.file, label=f"Go to **{route.title}**")
            st.markdown(route.blurb)

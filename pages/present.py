"""/present?deck=NAME&slide=N: one chart per slide, built for screen-sharing to a room."""
from contextlib import nullcontext

import streamlit as st

from components.cards.releases import last_changed_line
from components.charts.palette import PLOTLY_CONFIG
from components.publish.deck import DEFAULT_DECK, finding_beside, load_decks, phone_figure, presentation_figure
from components.publish.deck_public import NOT_PUBLISHED_NOTICE, shown_slides
from components.publish.site_slides import figures_html
from components.ui.package_cache import built, card, ensure_navigation, mode_line, package, showing_illustrative
from components.ui.present import (
    FINDING_BESIDE_CSS,
    PRESENTER_CSS,
    banner_html,
    gaps_html,
    go_to,
    public_url,
    qr_html,
    slide_url,
)
from components.ui.view_state import view_param
from components.words import plain

ensure_navigation()
st.html(PRESENTER_CSS)
decks, problems = load_decks()
for problem in problems:
    st.info(f"A deck file could not be read: {plain(problem)}", icon="ℹ️")
name = view_param("deck", list(decks), DEFAULT_DECK, "deck")
deck = decks[name]
# Every slide as shown, built once per package version (and deck file): with published figures only, a slide with
# nothing published is left out and named on a closing "Still to be published" slide, so the numbers follow.
slides = built("deck-slides", lambda t, _name, _file: shown_slides(package(), deck, hidden=not showing_illustrative(),
                                                                   make=card), name, repr(deck))
total = len(slides)
number = int(view_param("slide", [str(i) for i in range(1, total + 1)], "1", "slide number"))
shown = slides[number - 1]
slide, notice = shown.card, shown.notice

base = public_url()
with st.container(horizontal=True, key="slide-head", gap="medium"):
    with st.container(key="slide-heading", gap="small"):
        st.caption(f"{plain(deck.title)} · Slide {number} of {total} · {mode_line()}")
        if slide is not None and (banner := banner_html(slide)):
            st.html(banner)
        if slide is None:
            st.title("Not yet published" if notice == NOT_PUBLISHED_NOTICE else "This slide cannot be shown")
        else:
            st.title(plain(slide.title))
    if deck.qr_code and base:
        st.html(qr_html(slide_url(base, name, number)), width="content")
beside = False
if slide is None:
    st.info(notice, icon="ℹ️")
elif shown.gaps or shown.figures:
    with st.container(key="slide-chart"):
        st.html(gaps_html(slide.table) if shown.gaps else figures_html(shown.figures))
    with st.container(key="slide-finding"):
        st.markdown(plain(slide.sentence))
else:
    assert shown.slide is not None
    kind, params = shown.slide.kind, shown.slide.params
    figure = built("presentation_figure", lambda t, kind, *params: presentation_figure(card(kind, **dict(params)).figure),
                   kind, *sorted(params.items()))
    beside = finding_beside(figure)
    with st.container(key="slide-body") if beside else nullcontext():
        with st.container(key="slide-chart"):
            st.plotly_chart(figure, theme=None, config=PLOTLY_CONFIG, alt=slide.alt, key=f"slide-{name}-{number}",
                            height="stretch")
        with st.container(key="slide-phone-chart"):  # shown instead on a phone-width screen (PRESENTER_CSS)
            st.plotly_chart(built("phone_figure", lambda t, kind, *params: phone_figure(card(kind, **dict(params)).figure),
                                  kind, *sorted(params.items())),
                            theme=None, config=PLOTLY_CONFIG, alt=slide.alt, key=f"slide-phone-{name}-{number}")
        with st.container(key="slide-finding"):
            st.markdown(plain(slide.sentence))

with st.container(horizontal=True, key="slide-controls", gap="small"):
    st.button("First slide", on_click=go_to, args=(name, 1, total), disabled=number == 1, shortcut="Home",
              key="slide-first")
    st.button("Previous slide", on_click=go_to, args=(name, number - 1, total), disabled=number == 1,
              shortcut="Left", key="slide-previous")
    st.markdown(f"**Slide {number} of {total}**", width="content")
    st.button("Next slide", on_click=go_to, args=(name, number + 1, total), disabled=number == total,
              shortcut="Right", key="slide-next")
    st.button("Last slide", on_click=go_to, args=(name, total, total), disabled=number == total, shortcut="End",
              key="slide-last")
    st.page_link("pages/overview.py", label="Leave presenter mode")
changed = last_changed_line(package().tables)
if shown.gaps:
    st.caption(f"{plain(slide.subtitle)} · Source: this dashboard's record of what is published, on the "
               "'About the data' page." + (f" · {plain(changed)}" if changed else ""))
elif slide is not None:  # last: on a small screen the sources may fall below the fold, never the controls
    st.caption(f"{plain(slide.subtitle)} · {plain(slide.status_note)} · Sources: "
               + "; ".join(plain(s.title) for s in slide.sources) + (f" · {plain(changed)}" if changed else ""))
elif changed:
    st.caption(plain(changed))
# What presentation clickers send (PageDown, PageUp) and Space: one hidden button per key, since a
# Streamlit button takes one shortcut; the visible buttons above carry the others.
with st.container(key="slide-keys"):
    st.button("Next slide (PageDown)", on_click=go_to, args=(name, number + 1, total), disabled=number == total,
              shortcut="PageDown", key="slide-next-pagedown")
    st.button("Next slide (Space)", on_click=go_to, args=(name, number + 1, total), disabled=number == total,
              shortcut="Space", key="slide-next-space")
    st.button("Previous slide (PageUp)", on_click=go_to, args=(name, number - 1, total), disabled=number == 1,
              shortcut="PageUp", key="slide-previous-pageup")
    if beside:  # here, where it takes no room on the slide
        st.html(FINDING_BESIDE_CSS)

"""/present?deck=NAME&slide=N: one chart per slide, built for screen-sharing to a room."""
import streamlit as st

from components.app import built, card, ensure_navigation, mode_line, package
from components.deck import DEFAULT_DECK, load_decks, presentation_figure
from components.palette import PLOTLY_CONFIG
from components.present import NOT_PUBLISHED_NOTICE, PRESENTER_CSS, build_slide, go_to
from components.text import plain
from components.view_state import view_param

ensure_navigation()
st.html(PRESENTER_CSS)
decks, problems = load_decks()
for problem in problems:
    st.info(f"A deck file could not be read: {plain(problem)}", icon="ℹ️")
name = view_param("deck", list(decks), DEFAULT_DECK, "deck")
deck = decks[name]
total = len(deck.slides)
number = int(view_param("slide", [str(i) for i in range(1, total + 1)], "1", "slide number"))
chosen = deck.slides[number - 1]
slide, notice = build_slide(package(), chosen, make=card)

st.caption(f"{plain(deck.title)} · Slide {number} of {total} · {mode_line()}")
if slide is None:
    st.title("Not yet published" if notice == NOT_PUBLISHED_NOTICE else "This slide cannot be shown")
    st.info(notice, icon="ℹ️")
else:
    figure = built("presentation_figure", lambda t, kind, *params: presentation_figure(card(kind, **dict(params)).figure),
                   chosen.kind, *sorted(chosen.params.items()))
    st.title(plain(slide.title))
    st.plotly_chart(figure, theme=None, config=PLOTLY_CONFIG, alt=slide.alt, key=f"slide-{name}-{number}")
    st.markdown(f"#### {plain(slide.sentence)}")
    st.caption(f"{plain(slide.subtitle)} · {plain(slide.status_note)} · Sources: "
               + "; ".join(plain(s.title) for s in slide.sources))

previous, counter, following = st.columns([1, 2, 1])
previous.button("← Previous slide", on_click=go_to, args=(name, number - 1, total), disabled=number == 1,
                shortcut="ArrowLeft", key="slide-previous", width="stretch")
counter.markdown(f"**Slide {number} of {total}** · arrow keys move between slides")
following.button("Next slide →", on_click=go_to, args=(name, number + 1, total), disabled=number == total,
                 shortcut="ArrowRight", key="slide-next", width="stretch")
st.page_link("pages/overview.py", label="Leave presenter mode")

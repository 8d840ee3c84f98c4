"""Everything between the data package and the screen, in layers that only reach down (pyproject.toml's contracts):

- ``ui``: the only modules that import Streamlit (the cached package, chart cards on a page, view state, chrome).
- ``publish``: what is built outside the app from the same cards (the static report, the low-bandwidth site,
  link previews, summit decks).
- ``cards``: one module per card: a prepared frame assembled into figure, table, sentence and sources.
- ``charts``: figure drawing only (prepared frame in, plotly figure out) and the palette.
- ``words`` and ``routes``: the one number formatter and the plain-English helpers; the one table of pages.
"""

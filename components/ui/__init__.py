"""The only Streamlit modules: the cached package and cards per session, chart cards on a page, view state, chrome."""

"""Entry point: page set-up, navigation and the chrome shared by every page.

Run with `make run` (or `streamlit run dashboard.py`). The data package comes from NEL_DATA
(a folder or an http(s) URL of a datapackage.json), default data/nel.
"""
from __future__ import annotations

import streamlit as st

import components.oplog  # noqa: F401  JSON-lines operator logs: set up once per process (deploy/README.md, "Logs")
from components.app import SITE_NAME, ensure_navigation
from components.chrome import footer, header

PAGES = [
    st.Page("pages/overview.py", title="Overview", url_path="overview", default=True),
    st.Page("pages/boroughs.py", title="Borough map", url_path="boroughs"),
    st.Page("pages/workforce.py", title="Workforce and WRES", url_path="workforce"),
    st.Page("pages/remi.py", title="REMI maturity", url_path="remi"),
    st.Page("pages/trust.py", title="Trust profile", url_path="trust"),
    st.Page("pages/strategy.py", title="Strategy tracker", url_path="strategy"),
    st.Page("pages/data.py", title="About the data", url_path="data"),
    st.Page("pages/contribute.py", title="Check your figures", url_path="contribute"),
    st.Page("pages/present.py", title="Presenter mode", url_path="present"),
]
PRESENTER = "present"

ensure_navigation()

page = st.navigation(PAGES)
presenting = page.url_path == PRESENTER
st.set_page_config(page_title=f"{page.title} – {SITE_NAME}", layout="wide",
                   initial_sidebar_state="collapsed" if presenting else "auto")
if not presenting:
    header(page.url_path)
page.run()
if not presenting:
    footer()

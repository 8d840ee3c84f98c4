"""Entry point: page set-up, navigation and the chrome shared by every page.

Run with `make run` (or `streamlit run dashboard.py`). The data package comes from NEL_DATA
(a folder or an http(s) URL of a datapackage.json), default data/nel.
"""
from __future__ import annotations

import streamlit as st

import components.ui.oplog  # noqa: F401  JSON-lines operator logs: set up once per process (deploy/README.md, "Logs")
import components.ui.upload_memory  # noqa: F401  uploads parsed in memory, never spooled to disk
from components.routes import HOME, PRESENTER, ROUTES, tab_title
from components.ui.chrome import footer, header
from components.ui.package_cache import ensure_navigation
from components.ui.reconnect import reconnect_script

PAGES = [st.Page(r.file, title=r.title, url_path=r.url_path, default=r.url_path == HOME) for r in ROUTES]

ensure_navigation()

page = st.navigation(PAGES)
presenting = page.url_path == PRESENTER
st.set_page_config(page_title=tab_title(page.title), layout="wide",
                   initial_sidebar_state="collapsed" if presenting else "auto")
reconnect_script()  # every page, the presenter's too: back by itself after a server restart
if not presenting:
    header(page.url_path)
page.run()
if not presenting:
    footer()

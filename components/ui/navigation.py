"""The menu and section links for keyboard, screen-reader and phone users (issue #16, section 4).

Streamlit's own menu opens from an unlabelled arrow, stays open over the page on a phone, leaves focus in the menu
after a page is chosen and cannot open a page at a section (#wres). static/navigation.js fixes each of these in the
browser. The app serves it at /app/static/ (server.enableStaticServing), so the Content-Security-Policy's
"script-src 'self'" allows it where an inline script would be blocked; static/navigation.css rides along as a style
element, which takes no room on the page.
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

STATIC = Path(__file__).resolve().parents[2] / "static"
SCRIPT_URL = "/app/static/navigation.js"


def navigation_script() -> None:
    """Load the menu's script and style on this page (once per page run; the script sets itself up once)."""
    st.html(STATIC / "navigation.css")
    st.html(f'<script src="{SCRIPT_URL}"></script>', unsafe_allow_javascript=True)

"""A page that comes back by itself when the server restarts (issue #21, part 4): static/reconnect.js.

Loaded on every page, the presenter's included (dashboard.py), from /app/static/ like static/navigation.js, so the
Content-Security-Policy's "script-src 'self'" allows it. Its element is hidden, so it takes no room on a slide.
"""
from __future__ import annotations

import streamlit as st

SCRIPT_URL = "/app/static/reconnect.js"
KEY = "nel-reconnect"


def reconnect_script() -> None:
    """Load the script on this page (once per page run; the script sets itself up once)."""
    # Style only (no room either); the container's layout wrapper too, or it would add a gap above the page.
    st.html(f"<style>.st-key-{KEY}, [data-testid='stLayoutWrapper']:has(> .st-key-{KEY}) {{ display: none; }}</style>")
    with st.container(key=KEY):
        st.html(f'<script src="{SCRIPT_URL}"></script>', unsafe_allow_javascript=True)

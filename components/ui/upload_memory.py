"""Uploads stay in memory, as /contribute promises (never on disk).

Streamlit 1.67's server (Starlette) parses an upload's multipart body into a SpooledTemporaryFile that rolls
over to a temporary file on disk once a part passes 1 MB. Raising that threshold above the upload limit
(server.maxUploadSize, whose bodies Streamlit caps as they arrive) keeps every upload in memory. Imported once
per process by dashboard.py.
"""
from __future__ import annotations

import streamlit as st
from starlette.formparsers import MultiPartParser

SPOOL_BYTES = (int(st.get_option("server.maxUploadSize")) + 1) * 1024 * 1024
MultiPartParser.spool_max_size = max(MultiPartParser.spool_max_size, SPOOL_BYTES)

"""/data About the data: checks, sources, definitions, coverage, downloads, licences, accessibility and privacy."""
import streamlit as st

from components.cards import about_data, glossary
from components.ui.about_data import (
    accessibility_section,
    checks_section,
    coverage_section,
    downloads_section,
    licences_section,
    releases_section,
)
from components.ui.package_cache import ensure_navigation, package, showing_illustrative
from components.words import plain

ensure_navigation()
pkg = package()
st.title("About the data")
st.markdown("Where every figure comes from, what the words mean, what is published and what is missing, and "
            "how to download it all. Contents: [checks](#checks) · [what changed](#what-changed) · [sources](#sources) · "
            "[definitions](#definitions) · [coverage](#coverage) · [downloads](#downloads) · [licences](#licences) · "
            "[accessibility](#accessibility) · [privacy](#privacy)")

checks_section(pkg)
releases_section(pkg)
sources = pkg.tables.get("sources")
st.markdown("Publishing your organisation's figures? [Check them before you send them](/contribute), fill in the "
            "[REMI self-assessment](/contribute?form=remi), or [download the templates](/contribute?form=templates).")

st.header("Sources", anchor="sources")
if sources is not None:
    st.markdown("Grade says how close a source is to the publisher: " + "; ".join(
        f"*{k}*: {v}" for k, v in about_data.grade_words(sources).items()) + ".")
    st.markdown("\n".join(f"- {line}" for line in about_data.source_lines(sources)))

st.header("Definitions", anchor="definitions")
st.markdown("\n".join(f"- **{term}.** {plain(text)}" for term, text in glossary.glossary(showing_illustrative())))

coverage_section(pkg)
downloads_section(pkg)
licences_section(pkg)
accessibility_section()

st.header("Privacy", anchor="privacy")
st.markdown(about_data.PRIVACY)

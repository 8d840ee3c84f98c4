"""The header and footer around every page."""
from __future__ import annotations

import streamlit as st

from components.app import SITE_NAME, mode_line, package, showing_illustrative


def header() -> None:
    st.caption(f"{SITE_NAME} · NHS North East London anti-racist strategy (January 2025)")
    st.markdown(f"**{mode_line()}**")
    pkg = package()
    if pkg.problems:
        st.warning(
            f"Some published data files failed their checks ({len(pkg.problems)} problem(s)). "
            "Pages that need them say so; the 'About the data' page lists every problem.",
            icon="⚠️",
        )


def footer() -> None:
    st.divider()
    marking = ("Figures marked illustrative are invented to show how a view works and are not real data. "
               if showing_illustrative() else "")
    st.caption(
        f"{marking}Every figure's source and period is in the chart's 'About' section and on the 'About the data' page. "
        "Staff counts from 1 to 4 are withheld to protect privacy."
    )

"""The header and footer around every page."""
from __future__ import annotations

import os

import streamlit as st

from components.cards.glossary import terms_line
from components.cards.releases import last_changed_line
from components.routes import SITE_NAME
from components.ui.navigation import navigation_script
from components.ui.package_cache import mode_line, package, showing_illustrative

LITE_SETTING = "NEL_LITE_URL"  # where the low-bandwidth pages are served (make serve-prod: /lite/); unset: no link


def lite_link(url_path: str) -> str | None:
    """The link to this view's low-bandwidth page, where the site serves those pages."""
    base = os.environ.get(LITE_SETTING, "").strip()
    if not base:
        return None
    from components.publish.site import LITE_PREFIX, lite_path

    params = {k: st.query_params.get_all(k) for k in st.query_params}
    return base.rstrip("/") + "/" + lite_path("/" + url_path, params).removeprefix(LITE_PREFIX)


def feed_url() -> str | None:
    """The feed of new releases (/lite/feed.xml, built by make site), where the site serves the low-bandwidth pages."""
    base = os.environ.get(LITE_SETTING, "").strip()
    return base.rstrip("/") + "/feed.xml" if base else None


def header(url_path: str = "") -> None:
    navigation_script()
    st.caption(f"{SITE_NAME} · NHS North East London anti-racist strategy (January 2025)")
    line = f"**{mode_line()}**"
    if target := lite_link(url_path):
        line += f" · [Low-bandwidth version]({target})"
    st.markdown(line)
    pkg = package()
    if pkg.problems:
        st.warning(
            f"Some published data files failed their checks ({len(pkg.problems)} problem(s)). "
            "Pages that need them say so; the 'About the data' page lists every problem.",
            icon="⚠️",
        )


def footer() -> None:
    st.divider()
    changed = last_changed_line(package().tables)
    if changed:  # in body text, not the caption: a link in the caption's grey falls below 4.5:1 (axe)
        st.markdown(f"{changed[:-1]} ([what changed](/data#what-changed)).")
    marking = ("Figures marked illustrative are invented to show how a view works and are not real data. "
               if showing_illustrative() else "")
    st.caption(
        f"{marking}Every figure's source and period is in the chart's 'About' section and on the 'About the data' page. "
        "Staff counts from 1 to 4 are withheld to protect privacy."
    )


def words_used(*terms: str) -> None:
    """The page's technical terms explained near the top, where they first appear: one line naming them until a
    reader opens it, so the page's answer is not pushed down a phone's screen (the full list is on /data)."""
    with st.expander("Words used on this page: " + ", ".join(terms)):
        st.markdown(terms_line(*terms))

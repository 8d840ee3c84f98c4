"""The 'About the data' page's statements as plain data: the sources (linked, with licence, date and grade),
the licences, when the package was updated, the accessibility statement and the privacy note. Pure (no Streamlit)."""
from __future__ import annotations

from typing import Any

import pandas as pd

from components.words import link, plain, source_link


def _text(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%d %B %Y").lstrip("0")
    return str(value)


def source_lines(sources: pd.DataFrame) -> list[str]:
    """One Markdown line per source: linked title, publisher, licence, date retrieved, grade (all escaped)."""
    lines = []
    for _, r in sources.iterrows():
        parts = [f"**{source_link(_text(r['title']), _text(r['url']))}**"]
        if _text(r["publisher"]):
            parts.append(plain(_text(r["publisher"])))
        parts.append(f"Licence: {plain(_text(r['licence']) or 'not stated')}")
        if _text(r["date_retrieved"]):
            parts.append(f"Retrieved {plain(_text(r['date_retrieved']))}")
        if _text(r["grade"]):
            parts.append(f"Grade: {plain(_text(r['grade']))}")
        line = " · ".join(parts)
        if _text(r.get("note")):
            line += f"  \n{plain(_text(r['note']))}"
        lines.append(line)
    return lines


def licence_groups(sources: pd.DataFrame) -> list[tuple[str, list[str]]]:
    """(licence, [source titles]) with the most common licence first."""
    groups: dict[str, list[str]] = {}
    for _, r in sources.iterrows():
        groups.setdefault(_text(r["licence"]) or "Not stated", []).append(_text(r["title"]))
    return sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))


def package_licences(manifest: dict[str, Any]) -> list[str]:
    """Markdown lines for the package's own licences (escaped, links checked)."""
    out = []
    for lic in manifest.get("licenses") or []:
        if isinstance(lic, dict):
            out.append(link(lic.get("title") or lic.get("name") or "Licence", lic.get("path")))
    return out


def grade_words(sources: pd.DataFrame) -> dict[str, str]:
    """What each grade used by these sources means."""
    used = set(sources["grade"].astype(str)) if "grade" in sources else set(GRADE_WORDS)
    return {k: v for k, v in GRADE_WORDS.items() if k in used}


GRADE_WORDS = {"primary": "the publisher's own document", "secondary": "a third party quoting the publisher",
               "github-copy": "a public copy on GitHub", "dashboard": "this dashboard's own conventions",
               "illustrative": "invented by this dashboard"}


def package_date(manifest: dict[str, Any]) -> str:
    """When the package was last updated, as a reader writes a date ('27 November 2026'); 'an unstated date'."""
    created = str(manifest.get("created") or "")[:10]
    try:
        return pd.Timestamp(created).strftime("%-d %B %Y")
    except ValueError:
        return "an unstated date"


ACCESSIBILITY = {
    "intro": (
        "NHS North East London wants as many people as possible to be able to use this dashboard. It aims to meet "
        "the Web Content Accessibility Guidelines (WCAG) version 2.2 at level AA, as the Public Sector Bodies "
        "(Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018 require."
    ),
    "status": (
        "**Compliance status.** This dashboard is partially compliant with WCAG 2.2 AA because of the known "
        "limitations listed below, most of which come from the Streamlit framework it is built with."
    ),
    "tested": [
        "Every page is checked automatically with axe-core in the Chromium browser.",
        "A borough can be chosen with the keyboard alone.",
        "Every page is checked at 390 pixels wide, so the content reflows on a phone without scrolling sideways.",
        "Every chart has a text description for screen readers, a sentence that states the finding, the data as a "
        "table and a CSV download.",
        "Colours pass contrast checks, and no meaning rests on colour alone: a figure's status is also shown by line "
        "style, pattern or words in the legend, and coverage cells carry letters.",
    ],
    "limitations": [
        "The page language is fixed to English by the Streamlit framework.",
        "The charts' pop-up details (tooltips) need a mouse or touch. Every value is also in the chart's table and sentence.",
        "Streamlit's single-key shortcut R reloads the page's figures wherever the keyboard focus is, and cannot be "
        "switched off (WCAG 2.1.4). It changes nothing else; the developer menu is switched off for visitors.",
        "Interactive data grids are not fully keyboard-accessible, so the dashboard uses plain tables instead.",
        "Maps cannot be read without sight; every map has the same figures in a table under it.",
    ],
    "report": (
        "If you find a problem, or need the information in another format, contact NHS North East London "
        "through the contact page of its website ({link}). If you are not happy with the response, contact the "
        "Equality Advisory and Support Service (EASS); the Equality and Human Rights Commission enforces the regulations."
    ),
    "report_url": "https://northeastlondon.icb.nhs.uk/",
}

PRIVACY = (
    "This dashboard uses no analytics or tracking. It sets two strictly necessary cookies and no others: "
    "`_streamlit_xsrf`, set by Streamlit, the framework it runs on, to protect the connection against cross-site "
    "request forgery; and `nel_lb`, set by the site's load balancer so that your visit stays on the same server "
    "(the open page keeps a live connection to it). Neither identifies you and neither is used for anything else. "
    "Streamlit remembers your choices (for example the organisation) for "
    "that visit only. Pages make no requests to other websites: fonts, charts and maps are served by the dashboard "
    "itself, and the map has no background tiles from a third party."
)

"""Presenter mode's Streamlit pieces: the projector stylesheet, building a slide safely, moving on."""
from __future__ import annotations

import streamlit as st

from components.cards import ChartCard
from components.catalogue import build
from components.deck import Slide
from components.view_state import remember
from data.package import Package, TableUnavailable

# Static CSS (no data in it): large type, no sidebar or app chrome, dark text on a light ground.
PRESENTER_CSS = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"] { display: none !important; }
[data-testid="stMain"] .block-container { padding-top: 1rem; max-width: 1800px; }
[data-testid="stMain"] h1 { font-size: 40px !important; line-height: 1.2; color: #212B32; }
[data-testid="stMain"] h4 { font-size: 28px !important; font-weight: 400; color: #212B32; }
[data-testid="stMain"] p, [data-testid="stMain"] button p { font-size: 22px; }
[data-testid="stCaptionContainer"] p { font-size: 18px !important; color: #425563; }
</style>"""


def build_slide(package: Package, slide: Slide) -> tuple[ChartCard | None, str]:
    """The slide's card, or None and a plain notice (broken data, bad parameters): never an exception."""
    try:
        card = build(package.tables, slide.kind, **slide.params)
    except TableUnavailable as exc:
        return None, f"The data for this slide failed its checks ({exc.table}); see the 'About the data' page."
    except (KeyError, TypeError, ValueError) as exc:
        return None, f"The slide's settings do not match the data ({type(exc).__name__}); check the deck file."
    if card is None:
        return None, "There are no published or illustrative figures for this slide yet."
    return card, ""


def go_to(deck: str, number: int, total: int) -> None:
    number = min(max(1, number), total)
    remember("deck", deck)
    remember("slide", str(number))

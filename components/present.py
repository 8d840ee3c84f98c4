"""Presenter mode's Streamlit pieces: the projector stylesheet, building a slide safely, moving on."""
from __future__ import annotations


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


NOT_PUBLISHED_NOTICE = "No figures for this slide have been published yet."


def build_slide(package: Package, slide: Slide, make=None) -> tuple[ChartCard | None, str]:
    """The slide's card, or None and a plain notice (broken data, bad parameters): never an exception.

    ``make(kind, **params)`` builds the card (the app passes its cached ``components.app.card``)."""
    try:
        if make is None:
            card = build(package.tables, slide.kind, **slide.params)
        else:
            card = make(slide.kind, **slide.params)
    except TableUnavailable as exc:
        return None, _unavailable(exc.table, exc.problems)
    except (KeyError, TypeError, ValueError) as exc:
        missing = exc.args[0] if isinstance(exc, KeyError) and exc.args else None
        if isinstance(missing, str) and missing in package.broken:  # a table that failed its checks
            return None, _unavailable(missing, package.broken[missing])
        return None, "The slide's settings do not match the data; check the deck file."
    if card is None:
        return None, NOT_PUBLISHED_NOTICE
    return card, ""


def _unavailable(table: str, problems) -> str:
    """Name the file and its first problem (as code, so text from the file stays inert)."""
    first = str(problems[0]).replace("`", "'") if problems else table
    return (f"The data for this slide cannot be shown: the published file for **{table}** failed its checks "
            f"(`{first}`). The 'About the data' page lists every problem.")


def go_to(deck: str, number: int, total: int) -> None:
    number = min(max(1, number), total)
    remember("deck", deck)
    remember("slide", str(number))

"""Each slide of every deck as a low-bandwidth page, for the phones that scan a slide's QR code at a summit.

``make site`` writes ``present-DECK-N.html`` beside the other low-bandwidth pages (served by nginx at /lite/, so
500 phones open 500 static files, not 500 app sessions): the slide's title, its chart as an inline SVG (or its few
figures, large; or, on the closing slide, the table of what is still to be published), its sentence, its data as a
table and a CSV file, its source and period, and a link to the live slide. No QR code of its own. The slides and
their numbers are the app's (components.publish.deck_public.shown_slides), in the same mode.
"""
from __future__ import annotations

import dataclasses
import re
import urllib.parse
from collections.abc import Callable, Mapping

import plotly.graph_objects as go

from components.cards.base import ChartCard
from components.cards.releases import last_changed_line
from components.publish.deck import DEFAULT_DECK, Deck, load_decks, phone_figure
from components.publish.deck_figures import BigFigure
from components.publish.deck_public import ShownSlide, shown_slides
from components.publish.feed import FEED_LINK
from components.publish.report import about_html, esc, table_html
from components.publish.svg import accessible_svg
from components.routes import SITE_NAME
from components.words import MODE_LINES
from data.package import Package

LITE_PREFIX = "/lite/"   # as components.publish.site (where deploy/nginx/site.conf.template serves build/site)
SLIDES_CSS = """
.slide-count { color: #505a5f; margin: 16px 0 0; }
.big-figures { display: flex; flex-wrap: wrap; gap: 16px 32px; margin: 16px 0; padding: 0; list-style: none; }
.big-figure { flex: 1 1 220px; margin: 0; }
.big-figure .value { display: block; font-size: 3.5rem; line-height: 1.1; font-weight: bold; color: #005eb8; }
.big-figure .label { display: block; font-size: 1.2rem; }
.big-figure .source { display: block; font-size: 0.9rem; color: #505a5f; margin-top: 4px; }
.slide-nav ul { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 8px 24px; }
"""


def slide_file(deck: str, number: int) -> str:
    """The low-bandwidth page of a slide: 'present-default-3.html'."""
    return f"present-{urllib.parse.quote(deck, safe='')}-{int(number)}.html"


_DECK_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def slide_page(params: Mapping) -> str:
    """The low-bandwidth page for /present's parameters (components.publish.site.lite_path): the deck's slide, or
    the first slide of the default deck when a parameter is missing or malformed."""
    def one(name: str) -> str:
        value = params.get(name)
        value = value[-1] if isinstance(value, (list, tuple)) and value else value
        return "" if value is None or isinstance(value, (list, tuple)) else str(value).strip()
    deck, number = one("deck"), one("slide")
    return slide_file(deck if _DECK_NAME.match(deck) else DEFAULT_DECK, int(number) if number.isdigit() and
                      0 < int(number) < 1000 else 1)


def lite_slide_url(base: str, deck: str, number: int) -> str:
    """Where a slide's QR code leads: its low-bandwidth page on the public site."""
    return base.rstrip("/") + LITE_PREFIX + slide_file(deck, number)


def live_slide_href(app_url: str, deck: str, number: int) -> str:
    return app_url.rstrip("/") + "/present?" + urllib.parse.urlencode({"deck": deck, "slide": str(number)})


def figures_html(figures: list[BigFigure]) -> str:
    """A few figures, each large, with what it counts and its source and period (a list, so each is read whole)."""
    items = "".join(f'<li class="big-figure"><span class="value">{esc(f.value)}</span> '
                    f'<span class="label">{esc(f.label)}</span> '
                    f'<span class="source">Source: {esc(f.source)}; {esc(f.period)}</span></li>' for f in figures)
    return f'<ul class="big-figures">{items}</ul>'


def _for_a_phone(s: ShownSlide) -> ShownSlide:
    """The slide with its chart as a phone draws it (long key entries wrapped: components.publish.deck.phone_figure)."""
    if s.card is None or not isinstance(s.card.figure, go.Figure):
        return s
    return dataclasses.replace(s, card=dataclasses.replace(s.card, figure=phone_figure(s.card.figure)))


def _scrolling(table: str, name: str) -> str:
    """A table in a box that scrolls sideways on its own (as the site's other pages have them), so that the page
    never does on a narrow phone."""
    return f"<div class='scroll' tabindex='0' role='region' aria-label='{esc(name)} (scrolls sideways)'>{table}</div>"


class SlidePages:
    """Every deck's slides as shown in this mode: their cards (for the site's one chart-drawing pass) and pages."""

    def __init__(self, package: Package, hidden: bool, decks: dict[str, Deck] | None = None):
        self.hidden = hidden
        self.last_changed = last_changed_line(package.tables)  # "Figures last changed 7 December 2026." (releases)
        decks = load_decks()[0] if decks is None else decks
        self.decks = {name: (deck, [_for_a_phone(s) for s in shown_slides(package, deck, hidden=hidden)])
                      for name, deck in decks.items()}

    def cards(self) -> list[ChartCard]:
        """The cards whose chart is drawn on a page (not those shown as figures or as a table)."""
        return [s.card for _, slides in self.decks.values() for s in slides
                if s.card is not None and not s.figures and isinstance(s.card.figure, go.Figure)]

    def files(self, svgs: dict[int, dict[str, str]], csv_link: Callable[[str, bytes, str], str],
              app_url: str = "") -> dict[str, bytes]:
        out = {}
        for name, (deck, slides) in self.decks.items():
            for s in slides:
                out[slide_file(name, s.number)] = self.page(deck, s, len(slides), svgs, csv_link, app_url).encode("utf-8")
        return out

    def page(self, deck: Deck, s: ShownSlide, total: int, svgs: dict[int, dict[str, str]],
             csv_link: Callable[[str, bytes, str], str], app_url: str) -> str:
        card = s.card
        title = card.title if card is not None else "This slide cannot be shown"
        live = live_slide_href(app_url, deck.name, s.number)
        body = [f'<p class="slide-count">{esc(deck.title)} · Slide {s.number} of {total}</p>', f"<h1>{esc(title)}</h1>",
                f"<p class='interactive'>The summit slide, as a fast page for your phone. "
                f"<a href='{esc(live)}'>Open the interactive version of this page</a> to follow the live slide.</p>"]
        if card is None:
            body.append(f"<p class='notice'>{esc(s.notice.replace('**', '').replace('`', ''))}</p>")
        else:
            body.append(self.card_body(card, s, svgs, csv_link))
        body.append(self.nav(deck.name, s.number, total))
        footer = ((f"{self.last_changed} " if self.last_changed else "") + "Every figure's source and period is given with it. "
                  + ("" if self.hidden else "Figures marked illustrative are invented to show how a view works "
                     "and are not real data."))
        return (
            "<!doctype html>\n<html lang='en-GB'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>Slide {s.number} of {total}: {esc(title)} – {esc(SITE_NAME)} (low-bandwidth version)</title>"
            f"<meta name='description' content='{esc(card.sentence if card is not None else title)}'>"
            f"<link rel='icon' href='data:,'><link rel='stylesheet' href='site.css'>{FEED_LINK}"
            f"<style>{SLIDES_CSS.strip()}</style></head><body>\n"
            "<a class='skip' href='#main'>Skip to main content</a>"
            f"<header class='site'><div class='wrap'><p class='sitename'>{esc(SITE_NAME)}</p>"
            f"<p><strong>{esc(MODE_LINES['hide' if self.hidden else 'show'])}</strong></p></div></header>"
            f"<div class='wrap'><main id='main'>{''.join(body)}</main>"
            f"<footer><p>{esc(footer)}</p></footer></div>\n</body></html>\n")

    def card_body(self, card: ChartCard, s: ShownSlide, svgs: dict[int, dict[str, str]],
                  csv_link: Callable[[str, bytes, str], str]) -> str:
        parts = [f'<p class="subtitle">{esc(card.subtitle)}</p>']
        if card.has_illustrative:
            parts.append('<p class="marked"><strong>Includes illustrative values</strong> (not real data).</p>')
        if s.gaps:
            parts.append(_scrolling(table_html(card.table), "What is still to be published"))
        elif s.figures:
            parts.append(figures_html(s.figures))
        elif id(card) in svgs:
            parts += [accessible_svg(svg, card.alt, f"s{s.number}{size[0]}", size) for size, svg in svgs[id(card)].items()]
        parts.append(f'<p class="sentence">{esc(card.sentence)}</p>')
        if s.gaps:
            parts.append("<p class='about'>Source: this dashboard's record of what is published. Every gap is listed "
                         "under <a href='data.html#coverage'>Coverage</a> on the About the data page.</p>")
        else:
            parts.append(f"<details><summary>Show the data as a table</summary>"
                         f"{_scrolling(table_html(card.table), 'The data')}</details>")
            parts.append(csv_link(f"slide-{card.key}.csv", card.csv_bytes(), f"Download this data: {card.title}"))
            parts.append(about_html(card))
        return "\n".join(parts)

    @staticmethod
    def nav(deck: str, number: int, total: int) -> str:
        links = []
        if number > 1:
            links.append(f"<li><a href='{slide_file(deck, number - 1)}'>Previous slide</a></li>")
        if number < total:
            links.append(f"<li><a href='{slide_file(deck, number + 1)}'>Next slide</a></li>")
        links.append("<li><a href='index.html'>The low-bandwidth dashboard</a></li>")
        return f"<nav class='slide-nav' aria-label='Slides'><ul>{''.join(links)}</ul></nav>"

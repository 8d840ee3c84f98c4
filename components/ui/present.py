"""Presenter mode's Streamlit pieces: the projector stylesheet, building a slide safely, moving on."""
from __future__ import annotations

import html
import os
import urllib.parse
from functools import lru_cache

import segno

from components.cards.base import STATUS_WORDS, ChartCard
from components.publish.deck import RADAR_KEY_PX
from components.publish.deck_public import NOT_PUBLISHED_NOTICE, build_slide  # noqa: F401 (the app's names for them)
from components.publish.site_slides import lite_slide_url
from components.ui.view_state import remember

# Static CSS (no data in it). The slide is one screen: a flex column as tall as the window in which the
# chart's container takes every pixel the words leave (at least 55% of the height); type is large, text
# dark on white (at least 7:1), and no sidebar or app chrome is drawn.
PRESENTER_CSS = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"] { display: none !important; }
[data-testid="stMain"] .block-container { padding: 0.5rem 2rem 0.25rem; max-width: none; }
[data-testid="stMain"] .block-container > [data-testid="stVerticalBlock"] {
  height: calc(100vh - 0.75rem); gap: 0.25rem; flex-wrap: nowrap; }
[data-testid="stMain"] .block-container > [data-testid="stVerticalBlock"] > * { flex: 0 0 auto; }
[data-testid="stMain"] .block-container > [data-testid="stVerticalBlock"] > :has(> .st-key-slide-chart) {
  flex: 1 1 0; min-height: 56vh; display: flex; flex-direction: column; }
.st-key-slide-chart { flex: 1 1 0; min-height: 0; }
.st-key-slide-chart > [data-testid="stElementContainer"] { flex: 1 1 0; min-height: 0; }
.st-key-slide-chart [data-testid="stFullScreenFrame"], .st-key-slide-chart [data-testid="stPlotlyChart"] { height: 100%; }
[data-testid="stMain"] h1 { font-size: 40px !important; line-height: 1.1; color: #212B32; padding: 0; }
[data-testid="stMain"] .st-key-slide-finding p { font-size: 28px; line-height: 1.2; color: #212B32; margin: 0; }
[data-testid="stMain"] p, [data-testid="stMain"] button p { font-size: 22px; }
[data-testid="stMain"] [data-testid="stCaptionContainer"], [data-testid="stMain"] [data-testid="stCaptionContainer"] p {
  font-size: 17px !important; line-height: 1.35; color: #212B32 !important; opacity: 1 !important; margin: 0; }
.slide-banner { background: #FFB81C; color: #000000; border: 4px solid #000000; font-size: 28px; font-weight: 700;
  line-height: 1.2; padding: 0.3rem 0.8rem; }
.slide-qr-box { display: flex; gap: 4px; margin-top: -0.5rem; }
/* The code's note runs up its side, so that it takes neither height from the chart nor width from the title. */
.slide-qr-note { writing-mode: vertical-rl; transform: rotate(180deg); font-size: 15px !important; line-height: 1.1;
  color: #212B32; margin: 0; text-align: center; white-space: nowrap; }
.slide-qr { display: block; width: 20.5vh; height: 20.5vh; min-width: 144px; min-height: 144px; background: #FFFFFF; flex: none; }
.slide-qr img { width: 100%; height: 100%; display: block; image-rendering: pixelated; }
.st-key-slide-phone-chart { display: none !important; }
.st-key-slide-chart > :has(.big-figures), .st-key-slide-chart > :has(.slide-gaps) { margin: auto 0; }
.big-figures { display: flex; flex-wrap: wrap; gap: 2vh 4vw; margin: 0; padding: 0; list-style: none; align-items: flex-start; }
.big-figure { flex: 1 1 0; min-width: 14em; margin: 0; color: #212B32; }
.big-figure .value { display: block; font-size: min(18vh, 10vw); line-height: 1; font-weight: 700; color: #005EB8; }
.big-figure .label { display: block; font-size: 28px; line-height: 1.2; margin-top: 0.3rem; }
.big-figure .source { display: block; font-size: 17px; line-height: 1.3; margin-top: 0.4rem; }
table.slide-gaps { border-collapse: collapse; width: 100%; font-size: 22px; line-height: 1.25; color: #212B32; }
table.slide-gaps th, table.slide-gaps td { text-align: left; vertical-align: top; padding: 0.35rem 0.8rem 0.35rem 0;
  border-bottom: 2px solid #AEB7BD; }
[data-testid="stMain"] :has(> .st-key-slide-keys) { display: none !important; }
[data-testid="stMain"] [data-testid="stMarkdownContainer"] { margin-bottom: 0 !important; }
[data-testid="stMain"] [data-testid="stMarkdownContainer"] p { margin-bottom: 0; }
.st-key-slide-head { flex-wrap: nowrap; align-items: flex-start; }
.st-key-slide-head, .st-key-slide-heading, .st-key-slide-finding, .st-key-slide-controls { flex: 0 0 auto !important; }
.st-key-slide-head > :has(> .st-key-slide-heading) { flex: 1 1 auto; min-width: 0; }
.st-key-slide-controls { align-items: center; }
@media (max-height: 800px) {
  [data-testid="stMain"] h1 { font-size: 32px !important; }
  [data-testid="stMain"] .st-key-slide-finding p { font-size: 20px; }
  [data-testid="stMain"] p, [data-testid="stMain"] button p { font-size: 18px; }
  [data-testid="stMain"] [data-testid="stCaptionContainer"], [data-testid="stMain"] [data-testid="stCaptionContainer"] p {
    font-size: 14px !important; }
  .slide-banner { font-size: 22px; padding: 0.05rem 0.5rem; border-width: 3px; }
  table.slide-gaps { font-size: 18px; }
  .big-figure .label { font-size: 24px; }
}
/* On a phone (for those who open the slide there rather than its low-bandwidth page): the page scrolls down, the
   title takes the width (no QR code: the phone is where it leads), words wrap whole, and the chart is the page's own,
   drawn for a phone, rather than the projector's. */
@media (max-width: 640px) {
  [data-testid="stMain"] .block-container { padding: 0.5rem 1rem 1rem; }
  [data-testid="stMain"] .block-container > [data-testid="stVerticalBlock"] { height: auto; }
  [data-testid="stMain"] .block-container > [data-testid="stVerticalBlock"] > :has(> .st-key-slide-chart) {
    flex: 0 0 auto; min-height: 0; }
  .st-key-slide-head { flex-wrap: wrap; }
  [data-testid="stMain"] :has(> .slide-qr-box), .slide-qr-box { display: none !important; }
  [data-testid="stMain"] h1 { font-size: 26px !important; line-height: 1.2; overflow-wrap: normal; word-break: normal;
    hyphens: manual; }
  .st-key-slide-body, .st-key-slide-body > *, .st-key-slide-chart, .st-key-slide-chart > *,
  .st-key-slide-phone-chart > * { flex: 0 0 auto !important; }
  .st-key-slide-chart:has([data-testid="stPlotlyChart"]) { display: none !important; }
  .st-key-slide-phone-chart { display: flex !important; }
  [data-testid="stMain"] .st-key-slide-finding p { font-size: 18px; }
  [data-testid="stMain"] p, [data-testid="stMain"] button p { font-size: 16px; }
  .st-key-slide-controls { flex-wrap: wrap; }
  .slide-banner { font-size: 20px; padding: 0.1rem 0.5rem; border-width: 3px; }
  .big-figure .value { font-size: 56px; }
  .big-figure .label { font-size: 20px; }
  table.slide-gaps { font-size: 16px; }
}
</style>"""

# Added to a slide whose finding goes beside its chart (a single radar: components.publish.deck.finding_beside):
# the finding sits in the column on the right, under the chart's key, which the figure keeps clear for it
# (RADAR_KEY_PX), and the chart takes at least 70% of the height, so that the radar, as tall as the chart less
# its domain names, is a third of the slide's width at 1280x720 (the sources may then fall below the fold).
FINDING_BESIDE_CSS = f"""<style>
[data-testid="stMain"] .block-container > [data-testid="stVerticalBlock"] > :has(> .st-key-slide-body) {{
  flex: 1 1 0; min-height: 70vh; display: flex; flex-direction: column; }}
.st-key-slide-body {{ flex: 1 1 0; min-height: 0; position: relative; }}
.st-key-slide-body > :has(> .st-key-slide-chart) {{ flex: 1 1 0; min-height: 0; display: flex; flex-direction: column; }}
.st-key-slide-body > :has(> .st-key-slide-finding) {{ position: absolute; right: 0; bottom: 0;
  width: {RADAR_KEY_PX - 10}px; }}
@media (max-width: 640px) {{
  [data-testid="stMain"] .block-container > [data-testid="stVerticalBlock"] > :has(> .st-key-slide-body) {{
    flex: 0 0 auto; min-height: 0; }}
  .st-key-slide-body > :has(> .st-key-slide-finding) {{ position: static; width: auto; }}
}}
</style>"""

# Every slide whose chart shows an illustrative value says so in words, large, not only by hatching.
ILLUSTRATIVE_BANNER = "Illustrative example: not real data."
MIXED_BANNER = "Illustrative example: some values on this slide are invented, not real data."


def banner_html(card: ChartCard) -> str:
    """The banner for a slide with illustrative values ('' when every value is published)."""
    if not card.has_illustrative:
        return ""
    words = MIXED_BANNER if STATUS_WORDS["published"] in card.statuses else ILLUSTRATIVE_BANNER
    return f'<div class="slide-banner" role="note">{html.escape(words)}</div>'


def public_url() -> str | None:
    """NEL_PUBLIC_URL (the public site's address, http or https), or None when unset or unusable."""
    raw = os.environ.get("NEL_PUBLIC_URL", "").strip()
    parts = urllib.parse.urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return raw.rstrip("/")


def slide_url(base: str, deck: str, number: int) -> str:
    """Where a slide's QR code leads: the slide's low-bandwidth page on the public site (a static file served by
    nginx, made for a phone: no app session per phone), which links to the live slide."""
    return lite_slide_url(base, deck, number)


@lru_cache(maxsize=256)
def qr_png_data_uri(url: str) -> str:
    """The QR code for ``url`` as a PNG data URI: drawn on the server by segno (pure Python), sent inline
    with the page, so the code costs no request anywhere. Module size 10 px keeps edges sharp when scaled."""
    return segno.make(url, error="m").png_data_uri(scale=10, border=2, dark="#000000", light="#FFFFFF")


def qr_name(url: str) -> str:
    return f"QR code: opens this slide on your phone, {url}"


def qr_html(url: str) -> str:
    """A QR code that opens ``url``, named for screen readers by where it leads; at least a fifth of the slide's
    height, so that it scans from the middle of a room."""
    return (f'<div class="slide-qr-box"><p class="slide-qr-note">Follow on your phone</p>'
            f'<div class="slide-qr" data-qr-target="{html.escape(url)}">'
            f'<img src="{qr_png_data_uri(url)}" alt="{html.escape(qr_name(url))}"></div></div>')


def gaps_html(table) -> str:
    """The closing slide's table: what is still to be published, the year, and who publishes it."""
    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in table.columns)
    rows = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in r) + "</tr>"
                   for r in table.itertuples(index=False))
    return f'<table class="slide-gaps"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


def go_to(deck: str, number: int, total: int) -> None:
    number = min(max(1, number), total)
    remember("deck", deck)
    remember("slide", str(number))

"""What a link to an app page shows when it is posted in a chat or found by a search engine: its title,
a one-sentence description and a preview image (Open Graph), and robots.txt.

Streamlit cannot set meta tags, so nginx writes them into the page's HTML (deploy/prodctl.py render,
from components.routes). The preview images are PNGs of each page's headline chart, drawn at build time by
`make site` into build/site/preview/ (served at /lite/preview/), or on their own with

    python -m components.publish.share [--data PATH_OR_URL] [--output build/site]

Standard library only at import time: deploy/prodctl.py imports this module.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from components.routes import PREVIEW_DIR, ROUTES

if TYPE_CHECKING:
    from components.cards.base import ChartCard

PREVIEW_SIZE = (1200, 630)               # the size chat apps and social networks show a large card at
ROBOTS_TXT = "User-agent: *\nAllow: /\nDisallow: /_stcore/\nDisallow: /media/\n"   # every page is public


# ---------------------------------------------------------------- preview images (build time)

def headline_cards(site_pages) -> dict[str, ChartCard]:
    """The first drawn chart card of each app page's low-bandwidth page (components.publish.site_pages.Page objects), by
    url_path; pages with none (or no headline page) get the overview's."""
    import plotly.graph_objects as go

    from components.cards.base import ChartCard
    from components.publish.site_pages import page_file

    first = {}
    for page in site_pages:
        card = next((b for b in page.body if isinstance(b, ChartCard) and isinstance(b.figure, go.Figure)), None)
        if card is not None and page.file not in first:
            first[page.file] = card
    home = first.get(page_file("overview"))
    out = {}
    for app_page in ROUTES:
        fig = (first.get(page_file(app_page.headline)) if app_page.headline else None) or home
        if fig is not None:
            out[app_page.url_path] = fig
    return out


def _wrapped(title: str, width: int = 70) -> str:
    import textwrap
    from html import escape
    return "<br>".join(escape(line) for line in textwrap.wrap(title, width)[:2])


def render_pngs(cards: list) -> list[bytes]:
    """Each card's chart under its title, as a PNG of PREVIEW_SIZE, drawn by one kaleido browser (Debian's
    Chromium)."""
    if not cards:
        return []
    import asyncio

    import kaleido
    import plotly.graph_objects as go

    from components.publish.svg import CHROMIUM

    if not os.environ.get("BROWSER_PATH"):
        if not Path(CHROMIUM).exists():
            raise SystemExit(f"Chromium is needed to draw the preview images: apt-get install chromium "
                             f"(or set BROWSER_PATH). Not found: {CHROMIUM}")
        os.environ["BROWSER_PATH"] = CHROMIUM
    width, height = PREVIEW_SIZE

    async def draw() -> list[bytes]:
        async with kaleido.Kaleido(n=1, mathjax=False, timeout=120) as k:
            out = []
            for card in cards:
                fig = go.Figure(card.figure)
                fig.update_layout(width=width, height=height, paper_bgcolor="white",
                                  title={"text": _wrapped(card.title), "x": 0.02, "xanchor": "left",
                                         "font": {"size": 26, "color": "#0b0c0c"}},
                                  margin={"t": 110})
                data = await k.calc_fig(fig, opts={"format": "png", "width": width, "height": height})
                out.append(bytes(data))
            return out

    return asyncio.run(draw())


def preview_files(site_pages) -> dict[str, bytes]:
    """{"preview/overview.png": PNG bytes, ...} for every app page (the same chart drawn once)."""
    cards = headline_cards(site_pages)
    unique = list({id(c): c for c in cards.values()}.values())
    drawn = dict(zip(map(id, unique), render_pngs(unique), strict=True))
    return {page.preview: drawn[id(cards[page.url_path])] for page in ROUTES if page.url_path in cards}


def main(argv: list[str] | None = None) -> int:
    from components.publish.site import DEFAULT_OUTPUT, hide_illustrative
    from components.publish.site_pages import Content
    from data.package import load_for_site, published_only

    parser = argparse.ArgumentParser(description="Draw the preview images (Open Graph) of every app page.")
    parser.add_argument("--data", default=os.environ.get("NEL_DATA") or "data/nel")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT,
                        help="the low-bandwidth site's folder; images go in its preview/ folder")
    args = parser.parse_args(argv)
    hidden = hide_illustrative()
    package = load_for_site(args.data)
    if hidden:
        package = published_only(package)
    files = preview_files(Content(package, hidden).pages())
    for name, data in files.items():
        path = args.output / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    print(f"wrote {len(files)} preview images to {args.output / PREVIEW_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Charts as inline SVG for the low-bandwidth site: drawn at build time by plotly's static export (kaleido driving
Debian's Chromium, one browser for every chart), at a phone's width and a desktop's, each made accessible."""
from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Callable
from pathlib import Path

import plotly.graph_objects as go

from components.publish.report import esc

CHROMIUM = "/usr/bin/chromium"
# Each chart is drawn twice, at a phone's width (as the app draws it on a phone) and at a desktop's; the page's
# CSS shows the one that fits, so text stays legible at 320 px and charts are not blown up on a desktop.
CHART_WIDTHS = {"narrow": 340, "wide": 720}


def chart_height(fig: go.Figure) -> int:
    return int(fig.layout.height or 450)


def render_svgs(figures: list[go.Figure], progress: Callable[[int, int, str], None] | None = None
                ) -> list[dict[str, str]]:
    """Every figure as SVG text at each of CHART_WIDTHS, drawn by one kaleido browser for them all
    (Debian's Chromium; BROWSER_PATH overrides)."""
    if not figures:
        return []
    import kaleido

    if not os.environ.get("BROWSER_PATH"):
        if not Path(CHROMIUM).exists():
            raise SystemExit(f"Chromium is needed to draw the charts: install Debian's package (apt-get install "
                             f"chromium) or set BROWSER_PATH to a Chrome-family browser. Not found: {CHROMIUM}")
        os.environ["BROWSER_PATH"] = CHROMIUM

    async def draw() -> list[dict[str, str]]:
        out: list[dict[str, str]] = [{} for _ in figures]
        done, total = 0, len(figures) * len(CHART_WIDTHS)
        # One browser with two tabs for every chart. mathjax=False: no request to a CDN; plotly.js comes
        # from the installed plotly package.
        async with kaleido.Kaleido(n=2, mathjax=False, timeout=120) as k:
            async def one(i: int, size: str, width: int) -> None:
                nonlocal done
                fig = figures[i]
                data = await k.calc_fig(fig, opts={"format": "svg", "width": width, "height": chart_height(fig)})
                out[i][size] = data.decode("utf-8") if isinstance(data, bytes) else str(data)
                done += 1
                if progress:
                    progress(done, total, "drawing charts")
            await asyncio.gather(*(one(i, size, width) for i in range(len(figures))
                                   for size, width in CHART_WIDTHS.items()))
        return [{size: drawn[size] for size in CHART_WIDTHS} for drawn in out]

    return asyncio.run(draw())


_ROOT_SVG = re.compile(r"<svg\b[^>]*>", re.IGNORECASE)
_ID = re.compile(r'\bid="([^"]+)"')


def accessible_svg(svg: str, alt: str, prefix: str, size: str = "narrow") -> str:
    """plotly's SVG made to sit inline in a page: scalable (viewBox, no fixed size), the alt text as its
    accessible name (role=img, aria-label and <title>), and its ids made unique within the page."""
    svg = re.sub(r"<\?xml[^>]*\?>\s*", "", svg).strip()
    root = _ROOT_SVG.search(svg)
    if not root:
        raise ValueError("the static export returned no <svg> element")
    attrs = dict(re.findall(r'([\w:-]+)="([^"]*)"', root.group(0)))
    width, height = attrs.get("width", str(CHART_WIDTHS[size])), attrs.get("height", "450")
    view_box = attrs.get("viewBox") or f"0 0 {width} {height}"
    ids = set(_ID.findall(svg))
    for old in sorted(ids, key=len, reverse=True):
        new = f"{prefix}-{old}"
        svg = svg.replace(f'id="{old}"', f'id="{new}"').replace(f"url(#{old})", f"url(#{new})") \
                 .replace(f'url("#{old}")', f'url("#{new}")').replace(f'href="#{old}"', f'href="#{new}"')
    root = _ROOT_SVG.search(svg)
    assert root is not None  # the ids were renamed, not the root element
    title_id = f"{prefix}-title"
    opening = (f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
               f'class="chart {size}" viewBox="{esc(view_box)}" role="img" aria-label="{esc(alt)}" '
               f'aria-labelledby="{title_id}" focusable="false"><title id="{title_id}">{esc(alt)}</title>')
    return opening + svg[root.end():]

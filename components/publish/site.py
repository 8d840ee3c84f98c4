"""The low-bandwidth version: a static, JavaScript-free copy of every public page, for slow phones.

    python -m components.publish.site [--data PATH_OR_URL] [--output build/site] [--app-url https://dashboard.example]

Every page of the app (overview, boroughs, workforce and REMI for each organisation, each trust profile,
strategy, about the data) as plain HTML, with the same chart cards from the catalogue as the app, the
slides and the report: each chart as an inline SVG drawn at build time by plotly's static export
(kaleido driving Debian's Chromium, one browser for every chart), its title, its alt text as the SVG's
accessible name, its sentence, its data as a table and a CSV file, source, period and status. No
script, no web font, no request to any other host. With NEL_ILLUSTRATIVE=hide no illustrative value or
marking is written. The folder can be served from any static host or CDN; `make serve-prod` serves it
at /lite/. ``lite_path`` maps an app view to its low-bandwidth page.
"""
from __future__ import annotations

import argparse
import gzip
import os
import re
import shutil
import sys
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import plotly.graph_objects as go

from components.cards.base import ILLUSTRATIVE_NOTICE, ChartCard
from components.cards.releases import last_changed_line
from components.publish.feed import FEED_LINK, releases_feed
from components.publish.report import about_html, esc, progress_bar, table_html
from components.publish.site_pages import ORG_PAGES, SINGLE_PAGES, Content, Page, page_file
from components.publish.site_slides import SlidePages, slide_page
from components.publish.svg import accessible_svg, render_svgs
from components.routes import SITE_NAME
from components.words import MODE_LINES
from data import export
from data.package import Package, illustrative_mode, load_for_site, published_only
from data.suppression import RULE_TEXT

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUTPUT = ROOT / "build" / "site"
LITE_PREFIX = "/lite/"          # where `make serve-prod` (deploy/nginx/site.conf.template) serves build/site
PAGE_LIMIT = 150 * 1024         # bytes per page as served compressed
NAV = [("overview", "Overview"), ("boroughs", "Borough map"), ("workforce", "Workforce and WRES"),
       ("remi", "REMI maturity"), ("trust", "Trust profiles"), ("outcomes", "Residents' outcomes"),
       ("strategy", "Strategy tracker"),
       ("data", "About the data")]
CURRENT = " aria-current='page'"
_ORG_CODE = re.compile(r"^[A-Za-z0-9]{1,16}$")
# The app's words (components/ui/chart_card.py), for a card with illustrative values.
ILLUSTRATIVE_NOTE = f'<p class="marked"><strong>{ILLUSTRATIVE_NOTICE[0]}</strong>{ILLUSTRATIVE_NOTICE[1]}</p>'


# ---------------------------------------------------------------- paths

def _param(params: Mapping, name: str) -> str:
    value = params.get(name)
    if isinstance(value, (list, tuple)):
        value = value[-1] if value else None
    return "" if value is None else str(value).strip()


def lite_path(url_path: str, params: dict) -> str:
    """The low-bandwidth page for an app view: ``lite_path("/trust", {"org": "RF4"})`` is
    ``"/lite/trust-RF4.html"``. Pure. Organisation pages follow ``org`` (the app's default when it is
    missing or malformed); the low-bandwidth pages show the latest year and the default staff group,
    borough and measure, so other parameters do not change the page. /present gives the slide's page; unknown paths
    give the overview."""
    page = (url_path or "").strip().strip("/").split("/")[0].split("?")[0].lower()
    if page == "present":  # a summit slide's own page (components/publish/site_slides.py)
        return LITE_PREFIX + slide_page(params or {})
    if page in ORG_PAGES:
        org = _param(params or {}, "org")
        return LITE_PREFIX + page_file(page, org if _ORG_CODE.match(org) else None)
    return LITE_PREFIX + SINGLE_PAGES.get(page, "index.html")


def app_href(app_url: str, page: str, org: str | None = None) -> str:
    """The interactive page for a low-bandwidth page (root-relative unless the app's public URL is given)."""
    path = "/" if page == "overview" else f"/{page}"
    query = f"?{urllib.parse.urlencode({'org': org})}" if org else ""
    return app_url.rstrip("/") + path + query


# ---------------------------------------------------------------- hide mode

# What marks a value as illustrative on a page or in a CSV file (components/cards/base.py STATUS_WORDS, the
# app's card note, the status cell): none of it may be written when NEL_ILLUSTRATIVE=hide.
MARKINGS = re.compile(r"Illustrative \(not real data\)|Includes illustrative values|illustrative examples|"
                      r"(^|,)\"?illustrative\"?(,|\r?$)", re.IGNORECASE | re.MULTILINE)


def hide_illustrative() -> bool:
    """The loader's NEL_ILLUSTRATIVE setting (data/package.py: fails closed, only 'show' shows them)."""
    return illustrative_mode() == "hide"


# ---------------------------------------------------------------- content


# ---------------------------------------------------------------- HTML

CSS = """
html { -webkit-text-size-adjust: 100%; }
body { font-family: Arial, Helvetica, sans-serif; color: #0b0c0c; background: #fff; margin: 0; line-height: 1.5;
       font-size: 1rem; overflow-wrap: break-word; }
.wrap { max-width: 960px; margin: 0 auto; padding: 0 16px; }
a { color: #1d70b8; } a:visited { color: #4c2c92; } a:hover { color: #003078; }
a:focus { outline: 3px solid transparent; background: #ffdd00; color: #0b0c0c;
          box-shadow: 0 -2px #ffdd00, 0 4px #0b0c0c; text-decoration: none; }
.skip { position: absolute; left: -9999px; } .skip:focus { position: static; left: auto; display: inline-block; margin: 8px 0; }
header.site { background: #005eb8; color: #fff; padding: 8px 0; }
header.site a, header.site a:visited { color: #fff; } header.site a:focus { color: #0b0c0c; }
header.site p { margin: 4px 0; } .sitename { font-weight: bold; font-size: 1.1rem; }
nav ul { list-style: none; padding: 0; margin: 8px 0; display: flex; flex-wrap: wrap; gap: 4px 16px; }
nav.pages { border-bottom: 1px solid #b1b4b6; } nav a[aria-current] { font-weight: bold; color: #0b0c0c; }
.interactive { background: #f3f2f1; border-left: 5px solid #1d70b8; padding: 8px 12px; margin: 16px 0; }
h1 { font-size: 1.9rem; line-height: 1.2; margin: 24px 0 16px; } h2 { font-size: 1.5rem; margin: 40px 0 12px;
     padding-top: 12px; border-top: 2px solid #1d70b8; } h3 { font-size: 1.2rem; margin: 0 0 4px; }
.card { margin: 24px 0; padding: 12px; border: 1px solid #b1b4b6; }
/* A chart below the screen is laid out when it nears it: the first view of a page with six charts is not held up. */
.card { content-visibility: auto; contain-intrinsic-size: auto 1200px; }
.subtitle { color: #505a5f; margin-top: 0; }
svg.chart { display: block; width: 100%; height: auto; margin: 8px 0; } svg.narrow { max-width: 480px; }
svg.wide { display: none; max-width: 720px; }
@media (min-width: 641px) { svg.narrow { display: none; } svg.wide { display: block; } }
.sentence { font-size: 1.1rem; } .about { font-size: 0.9rem; color: #505a5f; } .about p { margin: 4px 0; }
.marked, .illustrative { background: #fff4d6; border-left: 6px solid #b35900; padding: 8px 12px; }
.notice { background: #f3f2f1; border-left: 6px solid #505a5f; padding: 8px 12px; }
.scroll { overflow-x: auto; max-width: 100%; margin: 8px 0; }
.scroll:focus { outline: 3px solid #ffdd00; }
table { border-collapse: collapse; font-size: 0.875rem; min-width: 100%; }
th, td { border-bottom: 1px solid #b1b4b6; padding: 4px 8px 4px 0; text-align: left; vertical-align: top; }
summary { color: #1d70b8; text-decoration: underline; cursor: pointer; }
pre { white-space: pre-wrap; font-size: 0.875rem; } dt { font-weight: bold; } dd { margin: 0 0 8px; }
footer { margin-top: 48px; padding: 16px 0 32px; border-top: 2px solid #1d70b8; font-size: 0.9rem; color: #505a5f; }
@media (min-width: 641px) { h1 { font-size: 2.4rem; } }
@media print { .card { content-visibility: visible; } nav, .skip, .interactive { display: none; } }
"""


class Writer:
    """Turns pages into files: card HTML, CSV files, the nav and the page shell."""

    def __init__(self, output: Path, app_url: str, hidden: bool):
        self.output, self.app_url, self.hidden = output, app_url, hidden
        self.files: dict[str, bytes] = {}
        self.svgs: dict[int, dict[str, str]] = {}
        self.last_changed = ""   # "Figures last changed 27 November 2026." (components.cards.releases)

    def csv_link(self, path: str, data: bytes, label: str, item: bool = False) -> str:
        name = f"csv/{path}"
        if name in self.files and self.files[name] != data:
            stem, n = name[:-4], 2
            while f"{stem}-{n}.csv" in self.files and self.files[f"{stem}-{n}.csv"] != data:
                n += 1
            name = f"{stem}-{n}.csv"
        self.files[name] = data
        anchor = f"<a href='{esc(name)}' download>{esc(label)} (CSV, {esc(export.size_text(len(data)))})</a>"
        return f"<li>{anchor}</li>" if item else f"<p class='download'>{anchor}</p>"

    def card_html(self, card: ChartCard, index: int) -> str:
        parts = [f'<div class="card" id="chart-{index}">', f"<h3>{esc(card.title)}</h3>",
                 f'<p class="subtitle">{esc(card.subtitle)}</p>']
        if card.has_illustrative:
            parts.append(ILLUSTRATIVE_NOTE)
        if id(card) in self.svgs:
            parts += [accessible_svg(svg, card.alt, f"c{index}{size[0]}", size) for size, svg in self.svgs[id(card)].items()]
        parts.append(f'<p class="sentence">{esc(card.sentence)}</p>')
        parts.append(f"<details><summary>Show the data as a table</summary>"
                     f"{table_html(card.table)}</details>")
        parts.append(self.csv_link(f"{card.key}.csv", card.csv_bytes(), f"Download this data: {card.title}"))
        parts.append(about_html(card))
        parts.append("</div>")
        return "\n".join(parts)

    def page_html(self, page: Page) -> str:
        body: list[str] = []
        index = 0
        for block in page.body:
            if isinstance(block, ChartCard):
                index += 1
                body.append(self.card_html(block, index))
            elif isinstance(block, tuple) and block and block[0] == "download":
                _, path, data, label = block
                body.append(self.csv_link(path, data, label, item=path.startswith("tables/")))
            elif isinstance(block, str) and block:
                body.append(block)
        text = wrap_tables("\n".join(body))
        nav = "".join(
            f"<li><a href='{page_file(key)}'{CURRENT if key == page.page else ''}>{esc(label)}</a></li>"
            for key, label in NAV)
        orgs = ""
        if page.orgs:
            orgs = ("<nav class='orgs' aria-label='Organisations'><p>Choose an organisation:</p><ul>" + "".join(
                f"<li><a href='{page_file(page.page, code)}'"
                f"{CURRENT if code == page.org else ''}>{esc(name)}</a></li>"
                for code, name in page.orgs) + "</ul></nav>")
        interactive = app_href(self.app_url, page.page, page.org)
        footer = ((f"{self.last_changed} " if self.last_changed else "")
                  + "Every figure's source and period is given with its chart and on the About the data page. "
                  + ("" if self.hidden else "Figures marked illustrative are invented to show how a view works "
                     "and are not real data. ") + RULE_TEXT)
        return (
            "<!doctype html>\n<html lang='en-GB'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{esc(page.title)} – {esc(SITE_NAME)} (low-bandwidth version)</title>"
            f"<meta name='description' content='{esc(page.description)}'>"
            f"<link rel='icon' href='data:,'><link rel='stylesheet' href='site.css'>{FEED_LINK}</head><body>\n"
            "<a class='skip' href='#main'>Skip to main content</a>"
            f"<header class='site'><div class='wrap'><p class='sitename'>{esc(SITE_NAME)}</p>"
            "<p>NHS North East London anti-racist strategy (January 2025) · low-bandwidth version</p>"
            f"<p><strong>{esc(MODE_LINES['hide' if self.hidden else 'show'])}</strong></p></div></header>"
            f"<div class='wrap'><nav class='pages' aria-label='Pages'><ul>{nav}</ul></nav>"
            f"<main id='main'><h1>{esc(page.title)}</h1>"
            f"<p class='interactive'>A fast page with no scripts. <a href='{esc(interactive)}'>Open the interactive "
            f"version of this page</a> to choose years, staff groups and boroughs.</p>{orgs}\n{text}\n</main>"
            f"<footer><p>{esc(footer)}</p></footer></div>\n</body></html>\n")


def wrap_tables(text: str) -> str:
    """Each table in a box that scrolls sideways on its own (and can take keyboard focus to do so),
    so that the page itself never does on a narrow phone."""
    count = 0

    def open_box(match):
        nonlocal count
        count += 1
        return (f"<div class='scroll' tabindex='0' role='region' aria-label='Table {count} (scrolls sideways)'>"
                + match.group(0))
    text = re.sub(r"<table\b", open_box, text)
    return text.replace("</table>", "</table></div>")


@dataclass
class BuildResult:
    output: Path
    pages: dict[str, int]          # file -> size in bytes
    compressed: dict[str, int]     # file -> gzip size in bytes
    files: int
    seconds: float


def gzip_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=5, mtime=0))   # nginx's gzip_comp_level in deploy/


def build_site(package: Package, output: Path = DEFAULT_OUTPUT, *, app_url: str = "", hidden: bool | None = None,
               progress: Callable[[int, int, str], None] | None = None) -> BuildResult:
    """Write the whole site into ``output`` (replaced). Fails if a page would break its promises:
    a script, a page over the size limit, or (hidden) an illustrative word."""
    start = time.monotonic()
    hidden = hide_illustrative() if hidden is None else hidden
    if hidden:  # as the app does (data.package.load_for_site); a no-op on a package loaded that way
        package = published_only(package)
    content = Content(package, hidden)
    pages = content.pages()
    feed = releases_feed(package.tables, pages, app_url)   # the feed, and "What changed" on the data page
    cards = list({id(b): b for p in pages for b in p.body if isinstance(b, ChartCard)}.values())
    slides = SlidePages(package, hidden)  # each summit slide's page, where its QR code leads (site_slides.py)
    cards += slides.cards()
    drawn = [c for c in cards if isinstance(c.figure, go.Figure)]
    writer = Writer(output, app_url, hidden)
    writer.last_changed = last_changed_line(package.tables)
    svgs = render_svgs([c.figure for c in drawn], progress)
    writer.svgs = {id(c): s for c, s in zip(drawn, svgs, strict=True)}
    for page in pages:
        writer.files[page.file] = writer.page_html(page).encode("utf-8")
    writer.files.update(slides.files(writer.svgs, writer.csv_link, app_url))
    writer.files["site.css"] = CSS.strip().encode("utf-8") + b"\n"
    writer.files["robots.txt"] = b"User-agent: *\nAllow: /\n"
    writer.files.update(feed)
    problems = check_files(writer.files, hidden)
    if problems:
        raise SystemExit("the low-bandwidth site was not written:\n" + "\n".join(problems))
    tmp = output.with_name(output.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    for name, data in writer.files.items():
        path = tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    shutil.rmtree(output, ignore_errors=True)
    tmp.rename(output)
    html_files = {p.file: len(writer.files[p.file]) for p in pages}
    return BuildResult(output, html_files, {f: gzip_size(writer.files[f]) for f in html_files}, len(writer.files),
                       time.monotonic() - start)


def check_files(files: Mapping[str, bytes], hidden: bool) -> list[str]:
    problems = []
    for name, data in files.items():
        text = data.decode("utf-8", errors="replace")
        if name.endswith(".html"):
            if re.search(r"<script\b|\bon[a-z]+\s*=\s*['\"]|javascript:", text, re.IGNORECASE):
                problems.append(f"{name}: has a script")
            if gzip_size(data) > PAGE_LIMIT:
                problems.append(f"{name}: {gzip_size(data) / 1024:.0f} KB compressed, over {PAGE_LIMIT // 1024} KB")
        if hidden and (where := MARKINGS.search(text)):
            problems.append(f"{name}: illustrative values are hidden, but the file says "
                            f"{text[max(0, where.start() - 60):where.end() + 60]!r}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the low-bandwidth, JavaScript-free version of the dashboard.")
    parser.add_argument("--data", default=os.environ.get("NEL_DATA") or str(ROOT / "data" / "nel"))
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--app-url", default=os.environ.get("NEL_PUBLIC_URL", ""),
                        help="the interactive app's public address, for the links back to it when the site is "
                             "hosted elsewhere (default NEL_PUBLIC_URL, else links relative to this host)")
    args = parser.parse_args(argv)
    package = load_for_site(args.data)
    if package.problems:
        print(f"note: the package has {len(package.problems)} problem(s); affected charts are left out "
              f"(python -m data.validate {args.data} lists them)", file=sys.stderr)
    result = build_site(package, args.output, app_url=args.app_url, progress=progress_bar)
    sizes = sorted(result.compressed.values())
    print(f"wrote {result.output}: {len(result.pages)} pages, {result.files} files, in {result.seconds:.0f} s")
    print(f"page size: {min(result.pages.values()) / 1024:.0f} to {max(result.pages.values()) / 1024:.0f} KB; "
          f"compressed (gzip) {sizes[0] / 1024:.0f} to {sizes[-1] / 1024:.0f} KB (limit {PAGE_LIMIT // 1024} KB)")
    for name in sorted(result.pages):
        print(f"  {name:<24} {result.pages[name] / 1024:7.0f} KB  {result.compressed[name] / 1024:5.0f} KB compressed")
    return 0


if __name__ == "__main__":
    sys.exit(main())

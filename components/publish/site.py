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
import asyncio
import gzip
import os
import re
import shutil
import sys
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from components.cards import coverage as cov
from components.cards import overview
from components.cards import remi as remi_charts
from components.cards import workforce as wc
from components.cards.base import ILLUSTRATIVE_NOTICE, ChartCard
from components.cards.catalogue import build
from components.publish.report import about_html, esc, headlines_html, progress_bar, strategy_html, table_html
from components.routes import CONTENTS, SITE_NAME
from components.words import MODE_LINES
from data import derive
from data.package import Package, TableUnavailable, illustrative_mode, load_for_site, published_only
from data.suppression import RULE_TEXT

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUTPUT = ROOT / "build" / "site"
LITE_PREFIX = "/lite/"          # where `make serve-prod` (deploy/nginx/site.conf.template) serves build/site
CHROMIUM = "/usr/bin/chromium"
# Each chart is drawn twice, at a phone's width (as the app draws it on a phone) and at a desktop's; the page's
# CSS shows the one that fits, so text stays legible at 320 px and charts are not blown up on a desktop.
CHART_WIDTHS = {"narrow": 340, "wide": 720}
PAGE_LIMIT = 150 * 1024         # bytes per page as served compressed
ORG_PAGES = ("workforce", "remi", "trust")
DEFAULT_ORG = {"workforce": derive.SYSTEM, "remi": remi_charts.DEFAULT_ORG, "trust": "R1H"}
SINGLE_PAGES = {"": "index.html", "overview": "index.html", "boroughs": "boroughs.html",
                "strategy": "strategy.html", "data": "data.html"}
NAV = [("overview", "Overview"), ("boroughs", "Borough map"), ("workforce", "Workforce and WRES"),
       ("remi", "REMI maturity"), ("trust", "Trust profiles"), ("strategy", "Strategy tracker"),
       ("data", "About the data")]
CURRENT = " aria-current='page'"
_ORG_CODE = re.compile(r"^[A-Za-z0-9]{1,16}$")
ILLUSTRATIVE_WORDS = re.compile(r"illustrative|not real data", re.IGNORECASE)
# The app's words (components/ui/chart_card.py), for a card with illustrative values.
ILLUSTRATIVE_NOTE = f'<p class="marked"><strong>{ILLUSTRATIVE_NOTICE[0]}</strong>{ILLUSTRATIVE_NOTICE[1]}</p>'


# ---------------------------------------------------------------- paths

def _param(params: Mapping, name: str) -> str:
    value = params.get(name)
    if isinstance(value, (list, tuple)):
        value = value[-1] if value else None
    return "" if value is None else str(value).strip()


def page_file(page: str, org: str | None = None) -> str:
    """The file name of a low-bandwidth page: 'index.html', 'boroughs.html', 'trust-R1H.html'."""
    if page in ORG_PAGES:
        return f"{page}-{org or DEFAULT_ORG[page]}.html"
    return SINGLE_PAGES.get(page, "index.html")


def lite_path(url_path: str, params: dict) -> str:
    """The low-bandwidth page for an app view: ``lite_path("/trust", {"org": "RF4"})`` is
    ``"/lite/trust-RF4.html"``. Pure. Organisation pages follow ``org`` (the app's default when it is
    missing or malformed); the low-bandwidth pages show the latest year and the default staff group,
    borough and measure, so other parameters do not change the page. Unknown paths (and /present) give
    the overview."""
    page = (url_path or "").strip().strip("/").split("/")[0].split("?")[0].lower()
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

Block = str | ChartCard | tuple   # HTML, a chart card, or ('download', path, bytes, label)


@dataclass
class Page:
    page: str                   # the app's page: overview, boroughs, workforce, ...
    org: str | None
    title: str                  # the h1
    description: str            # meta description
    body: list[Block] = field(default_factory=list)
    orgs: list[tuple[str, str]] = field(default_factory=list)   # organisation links (code, name)

    @property
    def file(self) -> str:
        return page_file(self.page, self.org)


_MD = None


def md(text: str, inline: bool = False) -> str:
    """Markdown written by the app's content functions (data already escaped by components.words.plain)
    as HTML. Raw HTML in it stays text."""
    global _MD
    if _MD is None:
        from markdown_it import MarkdownIt
        _MD = MarkdownIt("commonmark", {"html": False})
    text = text.replace("\u2060", "")
    return _MD.renderInline(text) if inline else _MD.render(text)


class Content:
    """Builds each page's blocks from the package: cards through the catalogue, once per view."""

    def __init__(self, package: Package, hidden: bool):
        self.package = package
        self.hidden = hidden
        self.tables = package.tables
        self._cards: dict[tuple, ChartCard | str | None] = {}

    def unavailable(self, *names: str) -> str | None:
        for name in names:
            if name not in self.tables:
                exc = self.package.unavailable(name) or TableUnavailable(name, [])
                return self.unavailable_text(exc)
        return None

    @staticmethod
    def unavailable_text(exc: TableUnavailable) -> str:
        return (f"<p class='notice'>This part cannot be shown: the published file for {esc(exc.table)} failed its "
                "checks. The 'About the data' page lists every problem.</p>")

    def card(self, kind: str, missing: str = "", **params) -> Block | None:
        """The catalogue's card, or a short notice saying why there is none."""
        key = (kind, tuple(sorted(params.items())))
        if key not in self._cards:
            try:
                self._cards[key] = build(self.tables, kind, **params)
            except TableUnavailable as exc:
                self._cards[key] = self.unavailable_text(exc)
            except KeyError as exc:   # a table the builder needs is not in the package
                self._cards[key] = self.unavailable_text(TableUnavailable(str(exc.args[0]), []))
        found = self._cards[key]
        if found is None and missing:
            return f"<p class='notice'>{esc(missing)}</p>"
        return found

    def say(self, text: str) -> str:
        """A paragraph unless it speaks of illustrative values and those are hidden."""
        return "" if self.hidden and ILLUSTRATIVE_WORDS.search(text) else text

    # -- the pages ----------------------------------------------------------------------------

    def org_names(self) -> dict[str, str]:
        return wc.org_names(self.tables["organisations"]) if "organisations" in self.tables else {}

    def pages(self) -> list[Page]:
        names = self.org_names()
        out = [self.overview(), self.boroughs()]
        workforce_orgs = wc.org_choices(self.tables) if names else [derive.SYSTEM]
        trust_orgs = wc.org_choices(self.tables, include_icb=True) if names else [DEFAULT_ORG["trust"]]
        # Every organisation the app's /remi may be linked with, published figures or not (then the page says so).
        remi_orgs = list(dict.fromkeys([*self.remi_orgs(), *(c for c in trust_orgs if c != derive.SYSTEM)]))
        for page, orgs in (("workforce", workforce_orgs), ("remi", remi_orgs), ("trust", trust_orgs)):
            if DEFAULT_ORG[page] not in orgs:  # lite_path's page for the app's default view always exists
                orgs.insert(0, DEFAULT_ORG[page])
        for org in workforce_orgs:
            out.append(self.workforce(org, [(c, names.get(c, c)) for c in workforce_orgs]))
        for org in remi_orgs:
            out.append(self.remi(org, [(c, names.get(c, c)) for c in remi_orgs]))
        for org in trust_orgs:
            out.append(self.trust(org, [(c, names.get(c, c)) for c in trust_orgs]))
        out += [self.strategy(), self.data()]
        return out

    def overview(self) -> Page:
        p = Page("overview", None, "Race equity in NHS North East London",
                 "Headline figures on race equity in north east London's NHS: residents and staff by ethnic group, "
                 "with sources, in a fast page without scripts.")
        p.body.append(f"<p>The {esc(SITE_NAME)} shows how NHS organisations in north east London are doing on the "
                      "anti-racist strategy that NHS North East London published in January 2025: who lives here, "
                      "who works in the NHS here and at what level, and what each organisation has reported.</p>")
        p.body.append("<h2>Headline figures</h2>")
        if missing := self.unavailable("sources", "workforce", "staff_groups", "organisations", "population",
                                       "ethnic_groups", "boroughs"):
            p.body.append(missing)
        else:
            p.body.append(headlines_html(self.tables))
            p.body.append(self.card("staff_profile"))
        p.body.append("<h2>How to read this dashboard</h2>")
        p.body += [md(para) for para in overview.how_to_read(not self.hidden)]
        p.body.append("<h2>Sections</h2><ul class='sections'>")
        for route in CONTENTS:
            p.body.append(f"<li><a href='{page_file(route.url_path)}'>{esc(route.title)}</a>: {esc(route.blurb)}</li>")
        p.body.append("</ul>")
        return p

    def boroughs(self) -> Page:
        p = Page("boroughs", None, "Borough map",
                 "Who lives in north east London, by ethnic group (Census 2021): London's 33 boroughs on a map, "
                 "NEL's eight outlined, with the figures as a table.")
        p.body.append("<p>Who lives in North East London, by ethnic group (Census 2021): the eight boroughs the NHS in "
                      "North East London serves, beside London's other 25 boroughs and England. The interactive "
                      "version lets you choose another measure or borough, and has a 3D view.</p>"
                      "<h2>Residents by borough</h2>")
        p.body.append(self.unavailable("boroughs", "population", "ethnic_groups", "measures", "borough_measures",
                                       "sources") or self.card("residents_map"))
        return p

    def workforce(self, org: str, orgs: list[tuple[str, str]]) -> Page:
        place = dict(orgs).get(org, org)
        p = Page("workforce", org, f"Representation and WRES: {place}",
                 f"Global-majority staff by pay band over the years, and the nine WRES indicators, for {place}.",
                 orgs=orgs)
        p.body.append("<p>How the share of staff from the global majority changes with seniority in north east "
                      "London's NHS, and the Workforce Race Equality Standard (WRES) indicators.</p>")
        p.body.append("<h2>Representation by staff group (WRES indicator 1)</h2>")
        workforce_missing = self.unavailable("workforce", "staff_groups", "sources")
        p.body.append(workforce_missing or self.card(
            "representation_trend", wc.missing_text("workforce figures", place), org=org, group=wc.DEFAULT_FOCUS))
        p.body.append("<h2>WRES indicators 2 to 9</h2>")
        if missing := self.unavailable("wres", "wres_indicators"):
            p.body.append(missing)
        else:
            p.body.append("<details><summary>The nine WRES indicators, and which direction means disadvantage"
                          "</summary>" + table_html(wc.indicator_guide(self.tables["wres_indicators"])) + "</details>")
            p.body.append(self.card("wres_ratios", wc.missing_text("WRES indicators 2 to 4", place), org=org))
            p.body.append(self.card("wres_survey", wc.missing_text("WRES indicators 5 to 8", place), org=org))
            if not workforce_missing:
                p.body.append(self.card("board_gap", wc.missing_text("WRES indicator 9", place), org=org))
        return p

    def remi_long(self) -> pd.DataFrame:
        if self.unavailable("remi", "remi_domains", "remi_stages", "organisations", "sources"):
            return pd.DataFrame()
        t = self.tables
        return remi_charts.remi_long(t["remi"], t["remi_domains"], t["remi_stages"], t["organisations"])

    def remi_orgs(self) -> list[str]:
        long = self.remi_long()
        return [] if long.empty else remi_charts.org_choices(long, self.tables["organisations"])

    def remi(self, org: str, orgs: list[tuple[str, str]]) -> Page:
        place = dict(orgs).get(org, org)
        p = Page("remi", org, f"REMI maturity: {place}",
                 f"{place}'s self-assessed stage on each domain of the Race Equity Maturity Index (REMI), against "
                 "its previous year and the NEL median.", orgs=orgs)
        p.body.append("<p>How far each NHS organisation in north east London has moved along the six stages of the "
                      "Race Equity Maturity Index (REMI), which the strategy asks every partner to self-assess each "
                      "year.</p>")
        if missing := self.unavailable("remi", "remi_domains", "remi_stages", "organisations", "sources"):
            p.body.append(missing)
            return p
        long = self.remi_long()
        if long.empty:
            p.body.append("<p class='notice'>No REMI self-assessment has been published yet.</p>")
            return p
        if notice := remi_charts.illustrative_notice(long):
            p.body.append(f"<p class='marked'>{esc(notice)}</p>")
        p.body.append("<p><strong>The five domains are this dashboard's convention:</strong> they are the areas "
                      "LARCH names, used as the charts' axes until the official REMI progress sheet is published.</p>")
        p.body.append("<h2>Stages by domain</h2>")
        if org in remi_charts.org_choices(long, self.tables["organisations"]):
            p.body.append(self.card("remi_radar", org=org))
            p.body.append(self.card("remi_stages", org=org))
        else:
            p.body.append(f"<p class='notice'>{esc(wc.missing_text('REMI self-assessment', place))}</p>")
        year = remi_charts.year_choices(long)[-1]
        p.body.append(f"<h2>All partners in {esc(year)}</h2>")
        p.body.append(self.card("remi_all", year=int(year)))
        t = self.tables
        p.body.append("<h2>The six REMI stages</h2>" + md(remi_charts.stages_markdown(t["remi_stages"])))
        p.body.append(f"<p><strong>Domains.</strong> {esc(remi_charts.CONVENTION)}</p>")
        p.body.append("<p><strong>Sources.</strong></p>" + md(remi_charts.sources_markdown(remi_charts.REMI_SOURCES,
                                                                                            t["sources"])))
        return p

    def trust(self, org: str, orgs: list[tuple[str, str]]) -> Page:
        place = dict(orgs).get(org, org)
        full = wc.org_names(self.tables["organisations"], "name").get(org, place) if "organisations" in self.tables else place
        p = Page("trust", org, f"Trust profile: {place}",
                 f"Every workforce race equity measure for {full}, beside the NEL system and England.", orgs=orgs)
        p.body.append("<p>Every workforce race equity measure in this dashboard for one organisation, beside the NEL "
                      f"system and England.</p><p><strong>{esc(full)}</strong></p>")
        ok = {n: not self.unavailable(n) for n in ("workforce", "staff_groups", "wres", "wres_indicators", "remi",
                                                   "remi_domains", "remi_stages", "sources")}
        workforce_ok = ok["workforce"] and ok["staff_groups"] and ok["sources"]
        compare = self.card("representation_compare", org=org) if workforce_ok else None
        trend = self.card("representation_trend", org=org, group=wc.DEFAULT_FOCUS) if workforce_ok else None
        wres_ok = ok["wres"] and ok["wres_indicators"]
        ratios = self.card("wres_ratios", org=org) if wres_ok else None
        survey = self.card("wres_survey", org=org) if wres_ok else None
        board = self.card("board_gap", org=org) if workforce_ok else None
        remi = self.card("remi_trust", org=org) if ok["remi"] and ok["remi_domains"] and ok["remi_stages"] else None
        cards = [c for c in (compare, trend, ratios, survey, board, remi) if isinstance(c, ChartCard)]
        lines = wc.status_summary(cards, place)
        p.body.append("<h2>Which figures are published</h2>" if self.hidden else
                      "<h2>Which figures are illustrative</h2>")
        p.body.append("<ul>" + "".join(f"<li>{esc(line)}</li>" for line in lines) + "</ul>" if lines else
                      f"<p>No figures for {esc(place)} are in the package yet.</p>")

        def show(card, what):
            return card if card is not None else f"<p class='notice'>{esc(wc.missing_text(what, place))}</p>"
        p.body += ["<h2>Representation by staff group</h2>", show(compare, "representation figures"),
                   show(trend, "representation over time"), "<h2>WRES indicators</h2>",
                   show(ratios, "WRES indicators 2 to 4"), show(survey, "WRES indicators 5 to 8"),
                   show(board, "WRES indicator 9"), "<h2>Race Equity Maturity Index (REMI)</h2>",
                   show(remi, "REMI self-assessment")]
        return p

    def strategy(self) -> Page:
        p = Page("strategy", None, "Strategy tracker",
                 "The NHS North East London anti-racist strategy's five pillars, its commitments and the progress "
                 "reported against each.")
        p.body.append("<p>The NHS North East London anti-racist strategy (January 2025) sets five pillars, each with "
                      "commitments. This page shows what has been reported against each one. Where nothing has been "
                      "published, it says so.</p>")
        if missing := self.unavailable("pillars", "commitments", "sources", "actions"):
            p.body.append(missing)
            return p
        p.body += ["<h2>Progress at a glance</h2>", self.card("strategy_progress"),
                   "<h2>The five pillars and their commitments</h2>",
                   strategy_html(self.tables).replace("<h3>You said, together, we did</h3>",
                                                      "<h2>You said, together, we did</h2>")]
        return p

    def data(self) -> Page:
        pkg, t = self.package, self.tables
        p = Page("data", None, "About the data",
                 "Where every figure comes from, what the words mean, what is published or missing, and downloads "
                 "of every table.")
        p.body.append("<h2 id='checks'>Data checks</h2>")
        if pkg.problems:
            p.body.append(f"<p>{len(pkg.problems)} problem(s) were found in the published data files. Each line gives "
                          "FILE:ROW:COLUMN and the problem. Tables with problems are not used.</p><pre>"
                          + esc("\n".join(str(x)[:500] for x in pkg.problems[:500])) + "</pre>")
        else:
            p.body.append(f"<p>All {len(pkg.tables)} tables passed their checks (package version "
                          f"{esc(pkg.version)}).</p>")
        sources = t.get("sources")
        if sources is not None:
            p.body.append("<h2 id='sources'>Sources</h2>")
            grades = {k: v for k, v in cov.GRADE_WORDS.items() if not (self.hidden and k == "illustrative")}
            p.body.append(md("Grade says how close a source is to the publisher: "
                             + "; ".join(f"*{k}*: {v}" for k, v in grades.items()) + "."))
            p.body.append(md("\n".join(f"- {line}" for line in cov.source_lines(sources))))
        p.body.append("<h2 id='definitions'>Definitions</h2><dl>" + "".join(
            f"<dt>{esc(term)}</dt><dd>{esc(text)}</dd>" for term, text in cov.glossary(not self.hidden)) + "</dl>")
        p.body.append("<h2 id='coverage'>Coverage: published or missing</h2>" if self.hidden else
                      "<h2 id='coverage'>Coverage: published, illustrative or missing</h2>")
        long = cov.coverage_long(t) if sources is not None else None
        if long is not None and len(long):
            p.body.append(f"<p>{esc(cov.coverage_sentence(long))}</p>")
            p.body.append(table_html(cov.coverage_summary_table(long)))
            for family in cov.FAMILIES:
                card = cov.coverage_card(long, family, derive.SYSTEM if derive.SYSTEM in cov.coverage_orgs(long)
                                         else next(iter(cov.coverage_orgs(long))), t["sources"])
                if card is not None:
                    p.body.append(card)
            p.body.append("<h3>Every organisation</h3>" + table_html(cov.coverage_by_org(long)))
            p.body.append(("download", "coverage.csv", cov.coverage_csv(long), "Download the whole coverage matrix"))
        p.body.append("<h2 id='downloads'>Downloads</h2><p>Each table as the dashboard uses it. Withheld staff "
                      "counts (fewer than 5) are empty, with suppressed set to True.</p><ul>")
        titles = cov.table_titles(pkg.manifest)
        for name, frame in t.items():
            data = cov.table_csv(frame)
            p.body.append(("download", f"tables/{name}.csv", data,
                           f"{titles.get(name, name)} ({name}.csv, {len(frame):,} rows)"))
        p.body.append("</ul>")
        p.body.append("<h2 id='licences'>Licences and attribution</h2><ul>")
        p.body += [f"<li>This data package: {md(lic, inline=True)}</li>" for lic in cov.package_licences(pkg.manifest)]
        p.body.append("<li>Borough boundaries: Contains National Statistics data © Crown copyright and database right "
                      "2015. Contains Ordnance Survey data © Crown copyright and database right 2015. Source: London "
                      "Datastore (Open Government Licence v3.0).</li><li>Built with Streamlit, plotly, pandas, "
                      "geopandas and pydeck, under their open-source licences.</li></ul>")
        if sources is not None:
            p.body.append("<p>Each source keeps its own licence:</p><ul>" + "".join(
                f"<li>{esc(lic)}: {esc('; '.join(names))}</li>" for lic, names in cov.licence_groups(sources)) + "</ul>")
        text = cov.ACCESSIBILITY
        p.body.append("<h2 id='accessibility'>Accessibility statement</h2>" + md(text["intro"]))
        p.body.append("<p>This low-bandwidth version is plain HTML with no scripts: every chart is an image with a "
                      "text description, followed by its finding in a sentence, its data as a table and a CSV file. "
                      "It reflows on a screen 320 pixels wide.</p>")
        p.body.append(md(text["status"]) + "<h3>How it is tested</h3>" + md("\n".join(f"- {x}" for x in text["tested"]
                                                                                 if self.say(x))))
        p.body.append("<h3>Known limitations</h3>" + md("\n".join(f"- {x}" for x in text["limitations"])))
        p.body.append("<h3>Reporting a problem</h3>" + md(text["report"].format(
            link=f"[NHS North East London website]({text['report_url']})")))
        p.body.append("<h2 id='privacy'>Privacy</h2><p>This low-bandwidth version sets no cookies, runs no scripts "
                      "and uses no analytics or tracking.</p>" + md(cov.PRIVACY))
        return p


# ---------------------------------------------------------------- charts as SVG

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
    title_id = f"{prefix}-title"
    opening = (f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
               f'class="chart {size}" viewBox="{esc(view_box)}" role="img" aria-label="{esc(alt)}" '
               f'aria-labelledby="{title_id}" focusable="false"><title id="{title_id}">{esc(alt)}</title>')
    return opening + svg[root.end():]


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

    def csv_link(self, path: str, data: bytes, label: str, item: bool = False) -> str:
        name = f"csv/{path}"
        if name in self.files and self.files[name] != data:
            stem, n = name[:-4], 2
            while f"{stem}-{n}.csv" in self.files and self.files[f"{stem}-{n}.csv"] != data:
                n += 1
            name = f"{stem}-{n}.csv"
        self.files[name] = data
        anchor = f"<a href='{esc(name)}' download>{esc(label)} (CSV, {esc(cov.size_text(len(data)))})</a>"
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
        body, index = [], 0
        for block in page.body:
            if isinstance(block, ChartCard):
                index += 1
                body.append(self.card_html(block, index))
            elif isinstance(block, tuple) and block and block[0] == "download":
                _, path, data, label = block
                body.append(self.csv_link(path, data, label, item=path.startswith("tables/")))
            elif block:
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
        footer = ("Every figure's source and period is given with its chart and on the About the data page. "
                  + ("" if self.hidden else "Figures marked illustrative are invented to show how a view works "
                     "and are not real data. ") + RULE_TEXT)
        return (
            "<!doctype html>\n<html lang='en-GB'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{esc(page.title)} – {esc(SITE_NAME)} (low-bandwidth version)</title>"
            f"<meta name='description' content='{esc(page.description)}'>"
            "<link rel='icon' href='data:,'><link rel='stylesheet' href='site.css'></head><body>\n"
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
    cards = list({id(b): b for p in pages for b in p.body if isinstance(b, ChartCard)}.values())
    drawn = [c for c in cards if isinstance(c.figure, go.Figure)]
    writer = Writer(output, app_url, hidden)
    svgs = render_svgs([c.figure for c in drawn], progress)
    writer.svgs = {id(c): s for c, s in zip(drawn, svgs, strict=True)}
    for page in pages:
        writer.files[page.file] = writer.page_html(page).encode("utf-8")
    writer.files["site.css"] = CSS.strip().encode("utf-8") + b"\n"
    writer.files["robots.txt"] = b"User-agent: *\nAllow: /\n"
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

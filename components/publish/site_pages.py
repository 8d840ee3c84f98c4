"""The low-bandwidth site's pages: what each page holds (HTML, chart cards from the catalogue, CSV downloads), built
from the package once per view. components.publish.site turns them into files."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from components.cards import about_data, gaps, glossary
from components.cards import coverage as cov
from components.cards import remi as remi_cards
from components.cards import workforce as wc
from components.cards.base import ChartCard
from components.cards.catalogue import build
from components.cards.releases import org_arrival_line
from components.publish import site_links, site_outcomes
from components.publish.report import esc, headlines_html, strategy_html, table_html
from components.routes import CONTENTS, SITE_NAME
from data import derive, export, selection
from data import remi as remi_data
from data.package import Package, TableUnavailable

ORG_PAGES = ("workforce", "remi", "trust")
DEFAULT_ORG = {"workforce": derive.SYSTEM, "remi": remi_cards.DEFAULT_ORG, "trust": "R1H"}
SINGLE_PAGES = {"": "index.html", "overview": "index.html", "boroughs": "boroughs.html",
                "strategy": "strategy.html", "data": "data.html", site_outcomes.PAGE: site_outcomes.FILE}
ILLUSTRATIVE_WORDS = re.compile(r"illustrative|not real data", re.IGNORECASE)


def page_file(page: str, org: str | None = None) -> str:
    """The file name of a low-bandwidth page: 'index.html', 'boroughs.html', 'trust-R1H.html'."""
    if page in ORG_PAGES:
        return f"{page}-{org or DEFAULT_ORG[page]}.html"
    return SINGLE_PAGES.get(page, "index.html")



Block = str | ChartCard | tuple   # HTML, a chart card, or ('download', path, bytes, label)


@dataclass
class Page:
    page: str                   # the app's page: overview, boroughs, workforce, ...
    org: str | None
    title: str                  # the h1
    description: str            # meta description
    body: list[Block | None] = field(default_factory=list)   # None: a card with nothing to show
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
        self._trust_orgs: set[str] = set()
        self._remi_orgs: set[str] = set()

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

    def gap(self, what: str, org: str, kind: str) -> str:
        """The app's empty state (what, who publishes it, where every gap is listed), linking this site's pages."""
        text = gaps.gap_notice(what, self.tables.get("organisations"), org, kind)
        return "<div class='notice'>" + md(text.replace(gaps.COVERAGE_PATH, page_file("data") + "#coverage")) + "</div>"

    def say(self, text: str) -> str:
        """A paragraph unless it speaks of illustrative values and those are hidden."""
        return "" if self.hidden and ILLUSTRATIVE_WORDS.search(text) else text

    # -- the pages ----------------------------------------------------------------------------

    def org_names(self) -> dict[str, str]:
        return selection.org_names(self.tables["organisations"]) if "organisations" in self.tables else {}

    def pages(self) -> list[Page]:
        names = self.org_names()
        out = [self.overview()]
        workforce_orgs = selection.org_choices(self.tables) if names else [derive.SYSTEM]
        trust_orgs = selection.org_choices(self.tables, include_icb=True) if names else [DEFAULT_ORG["trust"]]
        # Every organisation the app's /remi may be linked with, published figures or not (then the page says so).
        remi_orgs = list(dict.fromkeys([*self.remi_orgs(), *(c for c in trust_orgs if c != derive.SYSTEM)]))
        for page, orgs in (("workforce", workforce_orgs), ("remi", remi_orgs), ("trust", trust_orgs)):
            if DEFAULT_ORG[page] not in orgs:  # lite_path's page for the app's default view always exists
                orgs.insert(0, DEFAULT_ORG[page])
        self._trust_orgs, self._remi_orgs = set(trust_orgs), set(remi_orgs)
        out.append(self.boroughs())   # after the organisations' pages are known: it links to them
        for org in workforce_orgs:
            out.append(self.workforce(org, [(c, names.get(c, c)) for c in workforce_orgs]))
        for org in remi_orgs:
            out.append(self.remi(org, [(c, names.get(c, c)) for c in remi_orgs]))
        for org in trust_orgs:
            out.append(self.trust(org, [(c, names.get(c, c)) for c in trust_orgs]))
        out.append(Page(site_outcomes.PAGE, None, site_outcomes.TITLE, site_outcomes.DESCRIPTION,
                        site_outcomes.outcomes_body(self)))
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
        if not self.unavailable(*site_links.NEEDED):
            p.body.append(site_links.your_borough_html(self.tables, page_file("boroughs")))
        p.body += site_outcomes.overview_section(self)
        p.body.append("<h2>How to read this dashboard</h2>")
        p.body += [md(para) for para in glossary.how_to_read(not self.hidden)]
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
        if not self.unavailable(*site_links.NEEDED):
            p.body.append(site_links.borough_sections_html(self.tables, self.org_page))
        return p

    def org_page(self, code: str) -> str | None:
        """This site's page for an organisation: its trust profile, else its REMI page (the ICB), else none."""
        for page, orgs in (("trust", self._trust_orgs), ("remi", self._remi_orgs)):
            if code in orgs:
                return page_file(page, code)
        return None

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
        return remi_data.remi_long(t["remi"], t["remi_domains"], t["remi_stages"], t["organisations"])

    def remi_orgs(self) -> list[str]:
        long = self.remi_long()
        return [] if long.empty else remi_data.org_choices(long, self.tables["organisations"])

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
        if notice := remi_cards.illustrative_notice(long):
            p.body.append(f"<p class='marked'>{esc(notice)}</p>")
        p.body.append("<p><strong>The five domains are this dashboard's convention:</strong> they are the areas "
                      "LARCH names, used as the charts' axes until the official REMI progress sheet is published.</p>")
        p.body.append("<h2>Stages by domain</h2>")
        if org in remi_data.org_choices(long, self.tables["organisations"]):
            p.body.append(self.card("remi_radar", org=org))
            p.body.append(self.card("remi_stages", org=org))
        else:
            p.body.append(f"<p class='notice'>{esc(wc.missing_text('REMI self-assessment', place))}</p>")
        year = remi_data.year_choices(long)[-1]
        p.body.append(f"<h2>All partners in {esc(year)}</h2>")
        p.body.append(self.card("remi_all", year=int(year)))
        t = self.tables
        p.body.append("<h2>The six REMI stages</h2>" + md(remi_cards.stages_markdown(t["remi_stages"])))
        p.body.append(f"<p><strong>Domains.</strong> {esc(remi_cards.CONVENTION)}</p>")
        p.body.append("<p><strong>Sources.</strong></p>" + md(remi_cards.sources_markdown(remi_cards.REMI_SOURCES,
                                                                                            t["sources"])))
        return p

    def trust(self, org: str, orgs: list[tuple[str, str]]) -> Page:
        place = dict(orgs).get(org, org)
        full = selection.org_names(self.tables["organisations"], "name").get(org, place) if "organisations" in self.tables else place
        p = Page("trust", org, f"Trust profile: {place}",
                 f"Every workforce race equity measure for {full}, beside the NEL system and England.", orgs=orgs)
        p.body.append("<p>Every workforce race equity measure in this dashboard for one organisation, beside the NEL "
                      f"system and England.</p><p><strong>{esc(full)}</strong></p>")
        if arrived := org_arrival_line(self.tables, org, place):
            p.body.append(f"<p>{esc(arrived)} <a href='data.html#what-changed'>What changed</a></p>")
        missing = {n for n in ("workforce", "staff_groups", *site_links.NEEDED) if self.unavailable(n)}
        if not missing & set(site_links.NEEDED):
            p.body.append(site_links.serves_html(self.tables, org, page_file("boroughs")))
        p.body.append(site_links.leadership_html(self.tables, org, missing))
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
                      f"<p>No figures for {esc(place)} are in this dashboard yet.</p>")

        def show(card, what, kind):
            return card if card is not None else self.gap(what, org, kind)
        p.body += ["<h2>Representation by staff group</h2>", show(compare, "representation figures", "workforce"),
                   show(trend, "representation over time", "workforce"), "<h2>WRES indicators</h2>",
                   show(ratios, "WRES indicators 2 to 4", "wres"), show(survey, "WRES indicators 5 to 8", "wres"),
                   show(board, "WRES indicator 9", "wres"), "<h2>Race Equity Maturity Index (REMI)</h2>",
                   show(remi, "REMI self-assessment", "remi")]
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
        p = Page("data", None, "About the data",
                 "Where every figure comes from, what the words mean, what is published or missing, and downloads "
                 "of every table.")
        p.body += self._checks() + self._sources_and_coverage() + self._downloads_and_licences()
        p.body += self._accessibility_and_privacy()
        return p

    def _checks(self) -> list[Block | None]:
        pkg = self.package
        if pkg.problems:
            return ["<h2 id='checks'>Data checks</h2>",
                    f"<p>{len(pkg.problems)} problem(s) were found in the published data files. Each line gives "
                    "FILE:ROW:COLUMN and the problem. Tables with problems are not used.</p><pre>"
                    + esc("\n".join(str(x)[:500] for x in pkg.problems[:500])) + "</pre>"]
        return ["<h2 id='checks'>Data checks</h2>",
                f"<p>All {len(pkg.tables)} tables passed their checks (package version {esc(pkg.version)}).</p>"]

    def _sources_and_coverage(self) -> list[Block | None]:
        t = self.tables
        body: list[Block | None] = []
        sources = t.get("sources")
        if sources is not None:
            body.append("<h2 id='sources'>Sources</h2>")
            grades = {k: v for k, v in about_data.GRADE_WORDS.items() if not (self.hidden and k == "illustrative")}
            body.append(md("Grade says how close a source is to the publisher: "
                           + "; ".join(f"*{k}*: {v}" for k, v in grades.items()) + "."))
            body.append(md("\n".join(f"- {line}" for line in about_data.source_lines(sources))))
        body.append("<h2 id='definitions'>Definitions</h2><dl>" + "".join(
            f"<dt>{esc(term)}</dt><dd>{esc(text)}</dd>" for term, text in glossary.glossary(not self.hidden)) + "</dl>")
        body.append("<h2 id='coverage'>Coverage: published or missing</h2>" if self.hidden else
                    "<h2 id='coverage'>Coverage: published, illustrative or missing</h2>")
        long = cov.coverage_long(t) if sources is not None else None
        if long is not None and len(long):
            body.append(f"<p>{esc(cov.coverage_sentence(long))}</p>")
            body.append(table_html(cov.coverage_summary_table(long)))
            for family in cov.FAMILIES:
                card = cov.coverage_card(long, family, derive.SYSTEM if derive.SYSTEM in cov.coverage_orgs(long)
                                         else next(iter(cov.coverage_orgs(long))), t["sources"])
                if card is not None:
                    body.append(card)
            body.append("<h3>Every organisation</h3>" + table_html(cov.coverage_by_org(long)))
            body.append(("download", "coverage.csv", cov.coverage_csv(long), "Download the whole coverage matrix"))
        return body

    def _downloads_and_licences(self) -> list[Block | None]:
        pkg, t = self.package, self.tables
        body: list[Block | None] = [
            "<h2 id='downloads'>Downloads</h2><p>Each table as the dashboard uses it. Withheld staff "
            "counts (fewer than 5) are empty, with suppressed set to True.</p><ul>"]
        titles = export.table_titles(pkg.manifest)
        for name, frame in t.items():
            data = export.table_csv(frame)
            body.append(("download", f"tables/{name}.csv", data,
                         f"{titles.get(name, name)} ({name}.csv, {len(frame):,} rows)"))
        body.append("</ul>")
        body.append("<h2 id='licences'>Licences and attribution</h2><ul>")
        body += [f"<li>This data package: {md(lic, inline=True)}</li>" for lic in about_data.package_licences(pkg.manifest)]
        body.append("<li>Borough boundaries: Contains National Statistics data © Crown copyright and database right "
                    "2015. Contains Ordnance Survey data © Crown copyright and database right 2015. Source: London "
                    "Datastore (Open Government Licence v3.0).</li><li>Built with Streamlit, plotly, pandas, "
                    "geopandas and pydeck, under their open-source licences.</li></ul>")
        sources = t.get("sources")
        if sources is not None:
            body.append("<p>Each source keeps its own licence:</p><ul>" + "".join(
                f"<li>{esc(lic)}: {esc('; '.join(names))}</li>" for lic, names in about_data.licence_groups(sources)) + "</ul>")
        return body

    def _accessibility_and_privacy(self) -> list[Block | None]:
        text = about_data.ACCESSIBILITY
        intro, status, report = (str(text[k]) for k in ("intro", "status", "report"))
        return [
            "<h2 id='accessibility'>Accessibility statement</h2>" + md(intro),
            "<p>This low-bandwidth version is plain HTML with no scripts: every chart is an image with a "
            "text description, followed by its finding in a sentence, its data as a table and a CSV file. "
            "It reflows on a screen 320 pixels wide.</p>",
            md(status) + "<h3>How it is tested</h3>" + md("\n".join(f"- {x}" for x in text["tested"] if self.say(x))),
            "<h3>Known limitations</h3>" + md("\n".join(f"- {x}" for x in text["limitations"])),
            "<h3>Reporting a problem</h3>" + md(report.format(
                link=f"[NHS North East London website]({text['report_url']})")),
            "<h2 id='privacy'>Privacy</h2><p>This low-bandwidth version sets no cookies, runs no scripts "
            "and uses no analytics or tracking.</p>" + md(about_data.PRIVACY),
        ]

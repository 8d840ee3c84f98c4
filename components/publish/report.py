"""The static annual system report: one self-contained HTML file, no server, no network.

    python -m components.publish.report [--data PATH_OR_URL] [--output build/report/index.html]

Every section of the dashboard (overview, boroughs, residents' outcomes, workforce and WRES, REMI, strategy tracker,
sources), each chart with its sentence, its data table, its source and the illustrative marking,
built by the same catalogue of chart builders as the app and the presenter deck. plotly.js is
inlined once, so the file opens from disk and can be served from any static host or CDN.
"""
from __future__ import annotations

import argparse
import datetime as dt
import html
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from components.cards import overview
from components.cards.about_data import package_date
from components.cards.base import ChartCard
from components.cards.catalogue import build
from components.words import safe_url
from data import derive
from data.package import Package, TableUnavailable, load_for_site
from data.schema import GLOBAL_MAJORITY_DEFINITION
from data.suppression import RULE_TEXT

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUTPUT = ROOT / "build" / "report" / "index.html"
TITLE = "NHS North East London anti-racist strategy: annual system report"


@dataclass
class Section:
    anchor: str
    heading: str
    intro: str
    charts: list[tuple[str, dict]]


def sections(tables) -> list[Section]:
    trust_codes = list(derive.trusts(tables)["ods_code"])
    return [
        Section("overview", "Overview", "The global-majority share of north east London's residents and NHS staff.",
                [("staff_profile", {"org": derive.SYSTEM})]),
        Section("boroughs", "Boroughs", "Residents of London's boroughs by ethnic group (Census 2021), with NEL's eight outlined.",
                [("residents_map", {})]),
        Section("outcomes", "Residents' outcomes",
                "Published outcomes for residents by ethnic group: detentions under the Mental Health Act in north east "
                "London, beside London's other integrated care boards and England.", [("outcomes", {})]),
        Section("workforce", "Workforce and WRES",
                "Representation by staff group over the years, and the Workforce Race Equality Standard indicators.",
                [("representation_trend", {"org": derive.SYSTEM}),
                 *[("representation_trend", {"org": code}) for code in trust_codes],
                 ("wres_ratios", {"org": derive.SYSTEM}), ("wres_survey", {"org": derive.SYSTEM}),
                 ("board_gap", {"org": derive.SYSTEM})]),
        Section("remi", "REMI maturity",
                "Self-assessed stage on the Race Equity Maturity Index. "
                + ("Scores marked illustrative are invented until organisations publish their own; "
                   if _has_illustrative({"remi": tables["remi"]} if "remi" in tables else {}) else
                   "No organisation has published its scores yet; ")
                + "the five domains are this dashboard's convention.",
                [("remi_all", {}), ("remi_radar", {})]),
        Section("strategy", "Strategy tracker", "Progress reported against each commitment of the strategy.",
                [("strategy_progress", {})]),
    ]


def esc(text: object) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def link(title: object, url: object) -> str:
    target = safe_url(url)
    return f'<a href="{esc(target)}">{esc(title)}</a>' if target else esc(title)


def figure_html(fig: go.Figure, alt: str, div_id: str) -> str:
    body = fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id,
                       config={"displayModeBar": False, "responsive": True, "staticPlot": False})
    return f'<div class="chart" role="img" aria-label="{esc(alt)}">{body}</div>'


def card_html(card: ChartCard, index: int) -> str:
    parts = [f'<figure class="card" id="{esc(card.key)}-{index}">', f"<h3>{esc(card.title)}</h3>",
             f'<p class="subtitle">{esc(card.subtitle)}</p>']
    if card.has_illustrative:
        parts.append('<p class="illustrative"><strong>Includes illustrative values (not real data)</strong>: drawn hollow '
                     "or dotted, and marked in the table.</p>")
    if isinstance(card.figure, go.Figure):
        parts.append(figure_html(card.figure, card.alt, f"chart-{index}"))
    parts.append(f'<p class="sentence">{esc(card.sentence)}</p>')
    parts.append('<details open><summary>Data table</summary>' + table_html(card.table) + "</details>")
    parts.append(about_html(card))
    parts.append("</figure>")
    return "\n".join(parts)


def table_html(frame) -> str:
    """A card's data (or any frame) as a plain HTML table, every cell escaped."""
    return frame.to_html(index=False, escape=True, border=0, classes="data", na_rep="")


def about_html(card: ChartCard) -> str:
    """Status, period, sources, definition and caveats: what the app shows under 'About this chart'."""
    about = [f"<strong>Status:</strong> {esc(card.status_note)}"]
    if card.period:
        about.append(f"<strong>Period:</strong> {esc(card.period)}")
    if card.sources:
        about.append("<strong>Sources:</strong> " + "; ".join(
            link(s.title, s.url) + (f" ({esc(s.publisher)})" if s.publisher else "") for s in card.sources))
    if card.definition:
        about.append(f"<strong>Definition:</strong> {esc(card.definition)}")
    about += [esc(c) for c in card.all_caveats()]
    return '<div class="about">' + "".join(f"<p>{a}</p>" for a in about) + "</div>"


def headlines_html(tables) -> str:
    items = []
    for h in overview.headlines(tables):
        change = f" ({esc(h.change_text)} {esc(h.change_note)})" if h.change_text else f" ({esc(h.change_note)})"
        sources = "; ".join(link(s.title, s.url) for s in h.sources)
        items.append(f"<li><strong>{esc(h.title)}: {esc(h.value_text)}</strong>{change}. "
                     f"{esc(h.status_text)}. Source: {sources}.</li>")
    return '<ul class="headlines">' + "".join(items) + "</ul>"


def strategy_html(tables) -> str:
    pillars = tables["pillars"].sort_values("sort_order")
    commitments = tables["commitments"]
    out = []
    for _, p in pillars.iterrows():
        rows = commitments[commitments["pillar_id"] == p["pillar_id"]]
        out.append(f"<h3>{esc(p['name'])}</h3><p>{esc(p['aim'])}</p>"
                   f"<p><strong>We will know we are progressing by:</strong> {esc(p['progress_measure'])}</p>")
        table = rows[["commitment", "progress", "evidence", "last_updated", "status"]].copy()
        table["last_updated"] = table["last_updated"].dt.strftime("%d %B %Y")
        table.columns = ["Commitment", "Progress", "Evidence", "Last updated", "Status"]
        out.append(table.to_html(index=False, escape=True, border=0, classes="data"))
    actions = tables["actions"]
    if len(actions):
        out.append("<h3>You said, together, we did</h3>")
        if (actions["status"] == "illustrative").any():
            out.append('<p class="illustrative"><strong>Illustrative examples (not real data)</strong>: '
                       "no log has been published yet.</p>")
        table = actions[["you_said", "we_did", "date", "status"]].copy()
        table["date"] = table["date"].dt.strftime("%d %B %Y")
        table.columns = ["You said", "Together, we did", "Date", "Status"]
        out.append(table.to_html(index=False, escape=True, border=0, classes="data"))
    return "\n".join(out)


def sources_html(tables) -> str:
    rows = "".join(
        f"<tr><td>{link(r['title'], r['url'])}</td><td>{esc(r['publisher'])}</td><td>{esc(r['licence'])}</td>"
        f"<td>{esc(r['date_retrieved'].strftime('%d %B %Y'))}</td></tr>" for _, r in tables["sources"].iterrows())
    return ("<table class='data'><thead><tr><th>Source</th><th>Publisher</th><th>Licence</th><th>Retrieved</th>"
            f"</tr></thead><tbody>{rows}</tbody></table>")


CSS = """
body { font-family: Arial, Helvetica, sans-serif; color: #212B32; background: #fff; margin: 0 auto; max-width: 960px;
       padding: 0 16px 48px; line-height: 1.5; font-size: 16px; }
h1 { font-size: 2rem; } h2 { border-top: 4px solid #005EB8; padding-top: 12px; margin-top: 40px; }
a { color: #005EB8; } nav ul { columns: 2; }
.card { margin: 24px 0; padding: 16px; border: 1px solid #D8DDE0; border-radius: 4px; }
.card h3 { margin-top: 0; } .subtitle { color: #4C6272; margin-top: 0; }
.illustrative { background: #FFF4D6; border-left: 6px solid #B35900; padding: 8px 12px; }
.sentence { font-size: 1.1rem; } .about { font-size: 0.9rem; color: #425563; }
table.data { border-collapse: collapse; width: 100%; font-size: 0.85rem; margin: 8px 0; }
table.data th, table.data td { border-bottom: 1px solid #D8DDE0; padding: 4px 6px; text-align: left; vertical-align: top; }
.chart { width: 100%; }
@page { size: A4; margin: 14mm; }
@media print {
  body { max-width: none; font-size: 11pt; } nav { display: none; }
  .card { break-inside: avoid-page; border: none; padding: 0; } h2, h3 { break-after: avoid-page; }
  details > summary { display: none; } a { color: #212B32; }
}
"""


def _has_illustrative(tables) -> bool:
    return any("status" in t and (t["status"].astype(str) == "illustrative").any() for t in tables.values())


def render(package: Package, progress=None) -> str:
    tables = package.tables
    plan = sections(tables)
    steps = sum(len(s.charts) for s in plan) + 2
    done = 0

    def tick(label: str) -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, steps, label)

    generated = dt.date.today().strftime("%d %B %Y")
    body = [f"<header><h1>{esc(TITLE)}</h1>",
            f"<p>Made on {esc(generated)} from the data as updated on {esc(package_date(package.manifest))}. "
            + ("Figures marked <strong>illustrative</strong> are invented to show how a view works and are not real data.</p>"
               if _has_illustrative(tables) else "Published figures only.</p>"),
            f"<p>{esc(GLOBAL_MAJORITY_DEFINITION)}</p><p>{esc(RULE_TEXT)}</p>",
            "<nav aria-label='Contents'><h2>Contents</h2><ul>"
            + "".join(f"<li><a href='#{s.anchor}'>{esc(s.heading)}</a></li>" for s in plan)
            + "<li><a href='#sources'>Sources and licences</a></li></ul></nav></header><main>"]
    index = 0
    for section in plan:
        body.append(f"<section id='{section.anchor}'><h2>{esc(section.heading)}</h2><p>{esc(section.intro)}</p>")
        if section.anchor == "overview":
            body.append(headlines_html(tables))
        for kind, params in section.charts:
            try:
                card = build(tables, kind, **params)
            except TableUnavailable as exc:
                card = None
                body.append(f"<p>This chart cannot be shown: the file for {esc(exc.table)} failed its checks.</p>")
            if card is not None:
                index += 1
                body.append(card_html(card, index))
            tick(f"{section.heading}: {kind}")
        if section.anchor == "strategy":
            body.append(strategy_html(tables))
        body.append("</section>")
    tick("strategy tracker")
    body.append(f"<section id='sources'><h2>Sources and licences</h2>{sources_html(tables)}"
                "<p>Borough boundaries: Contains National Statistics data © Crown copyright and database right 2015. "
                "Contains Ordnance Survey data © Crown copyright and database right 2015. Source: London Datastore "
                "(Open Government Licence v3.0).</p></section></main>")
    tick("sources")
    return ("<!doctype html>\n<html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{esc(TITLE)}</title><style>{CSS}</style>"
            f"<script>{get_plotlyjs()}</script></head><body>\n" + "\n".join(body) + "\n</body></html>\n")


def progress_bar(done: int, total: int, label: str, width: int = 30) -> None:
    filled = round(width * done / total)
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {label[:40]:<40}")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the static annual system report.")
    parser.add_argument("--data", default=os.environ.get("NEL_DATA") or str(ROOT / "data" / "nel"))
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    package = load_for_site(args.data)  # published figures only unless NEL_ILLUSTRATIVE=show
    if package.problems:
        print(f"note: the package has {len(package.problems)} problem(s); affected charts are left out "
              f"(python -m data.validate {args.data} lists them)", file=sys.stderr)
    text = render(package, progress_bar)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    size = args.output.stat().st_size
    print(f"wrote {args.output} ({size / 1024 / 1024:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

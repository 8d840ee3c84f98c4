"""The low-bandwidth site's ways between boroughs and the NHS organisations that serve them: "your borough" links on
the overview, each borough's residents' figure and serving organisations on the borough page, and a trust page's
"serves" line and leadership table beside each borough it serves. Plain HTML from the package's tables."""
from __future__ import annotations

from collections.abc import Callable, Collection, Mapping

import pandas as pd

from components.cards import workforce as wc
from components.publish.report import esc, table_html
from components.words import fmt_percent
from data import derive

Tables = Mapping[str, pd.DataFrame]
NEEDED = ("boroughs", "organisations", "organisation_boroughs", "population", "ethnic_groups", "sources")


def _nel_boroughs(tables: Tables) -> dict[str, str]:
    b = tables["boroughs"]
    nel = b[b["in_nel"].astype(bool)]
    return dict(zip(nel["gss_code"].astype(str), nel["name"].astype(str), strict=True))


def your_borough_html(tables: Tables, borough_file: str) -> str:
    """The overview's 'Your borough' list: each NEL borough, a link to its section of the borough page."""
    links = ", ".join(f"<a href='{borough_file}#{gss}'>{esc(name)}</a>" for gss, name in _nel_boroughs(tables).items())
    return ("<h2>Your borough</h2><p>Choose your borough to see who lives there and the NHS organisations that serve "
            f"it: {links}.</p>")


def _org_link(row, page_for: Callable[[str], str | None]) -> str:
    label = esc(f"{row.name} ({row.short_name})")
    target = page_for(str(row.ods_code))
    return f"<a href='{target}'>{label}</a>" if target else label


def borough_sections_html(tables: Tables, page_for: Callable[[str], str | None]) -> str:
    """For each NEL borough: its residents' global-majority share and the organisations serving it, each linked to
    its page on this site (``page_for(code)``: the file, or None where this site has no page for it)."""
    out = ["<h2>The NHS organisations serving each borough</h2>"]
    for gss, name in _nel_boroughs(tables).items():
        share = derive.residents_share_for(tables, [gss])
        serving = derive.serving_organisations(tables, gss)
        out.append(f"<h3 id='{esc(gss)}'>{esc(name)}</h3>")
        if share is not None:
            out.append(f"<p>Residents from the global majority: {esc(fmt_percent(share['value'], 1))} "
                       f"({esc(share['period'])}; Office for National Statistics).</p>")
        if len(serving):
            out.append("<p>Served by: " + ", ".join(_org_link(r, page_for) for r in serving.itertuples()) + ".</p>")
    return "".join(out)


def serves_html(tables: Tables, org: str, borough_file: str) -> str:
    """A trust page's 'Serves:' line, each borough a link to its section of the borough page."""
    names = dict(zip(tables["boroughs"]["gss_code"].astype(str), tables["boroughs"]["name"].astype(str), strict=True))
    served = derive.served_boroughs(tables, org)
    if not served:
        return ""
    links = ", ".join(f"<a href='{borough_file}#{g}'>{esc(names.get(g, g))}</a>" for g in served)
    return f"<p><strong>Serves:</strong> {links}.</p>"


def leadership_table(tables: Tables, org: str) -> pd.DataFrame:
    """The trust page's leadership table: band 8a and above, very senior managers and board, beside the residents
    of all the boroughs it serves and of each one on its own (a reader comes from one borough)."""
    frame = wc.leadership_summary(derive.workforce_shares(tables), org, wc.residents_for(tables, org), tables["sources"])
    served = derive.served_boroughs(tables, org)
    if len(served) < 2:
        return frame
    titles = wc.title_map(tables["sources"])
    rows = [wc.residents_row(f"Residents of {b['name']}", b, titles)
            for b in (wc.borough_residents(tables, g) for g in served) if b]
    return pd.concat([frame, pd.DataFrame(rows, columns=frame.columns)], ignore_index=True)


def leadership_html(tables: Tables, org: str, missing: Collection[str]) -> str:
    """The leadership section of a trust page, or '' where a table it needs failed its checks."""
    if any(n in missing for n in ("workforce", "staff_groups", *NEEDED)):
        return ""
    return ("<h2 id='leadership'>Leadership against the residents it serves</h2><p>The global-majority share of the "
            "organisation's senior staff (band 8a and above), very senior managers and board, beside the residents of "
            "the boroughs it serves, together and one by one. Global majority means every ethnic group except the "
            "White groups.</p>" + table_html(leadership_table(tables, org)))

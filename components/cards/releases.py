"""The release log (releases.csv, data/releases.py) in words: when the figures last changed (every page's and
slide's footer), when an organisation's figures last arrived (trust profiles), and each release with its summary
and the views it touched (/data's "What changed", the low-bandwidth page and the feed). Pure (no Streamlit).
"""
from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from components.routes import BY_PATH
from components.words import join_words

LOG = "releases"
MAX_ORG_LINKS = 8
# Where each table's figures are seen: (page, section). A table not listed here is linked to /data's downloads;
# a new table gets a line here.
TABLE_VIEWS: dict[str, tuple[str, str]] = {
    "population": ("boroughs", ""), "area_population": ("boroughs", ""), "ethnic_groups": ("boroughs", ""),
    "boroughs": ("boroughs", ""), "borough_measures": ("boroughs", ""), "measures": ("boroughs", ""),
    "area_benchmarks": ("overview", ""), "workforce": ("workforce", ""), "staff_groups": ("workforce", ""),
    "wres": ("workforce", "wres"), "wres_indicators": ("workforce", "wres"), "remi": ("remi", ""),
    "remi_stages": ("remi", ""), "remi_domains": ("remi", ""), "pillars": ("strategy", ""),
    "commitments": ("strategy", ""), "actions": ("strategy", ""), "sources": ("data", "sources"),
    "organisations": ("data", "sources"), "organisation_boroughs": ("boroughs", ""), "outcomes": ("outcomes", ""),
}


def date_words(value: object) -> str:
    """A release's date as a reader writes it: '7 December 2026'."""
    return pd.Timestamp(value).strftime("%-d %B %Y")


@dataclass(frozen=True)
class View:
    """A link to one of the dashboard's views: its words, page, parameters and section."""
    label: str
    page: str
    params: tuple[tuple[str, str], ...] = ()
    section: str = ""

    @property
    def href(self) -> str:
        """The app's address for it: '/trust?org=R1H', '/workforce#wres'."""
        query = urllib.parse.urlencode(dict(self.params))
        path = "/" if self.page == "overview" else f"/{self.page}"
        return path + (f"?{query}" if query else "") + (f"#{self.section}" if self.section else "")


@dataclass(frozen=True)
class ReleaseView:
    release_id: str
    date: pd.Timestamp
    summary: str
    counts: str                          # '7 rows added and 1 changed'
    tables: tuple[str, ...]
    organisations: tuple[str, ...]
    views: list[View] = field(default_factory=list)

    @property
    def date_text(self) -> str:
        return date_words(self.date)

    @property
    def heading(self) -> str:
        return f"{self.date_text} (release {self.release_id})"


def _log(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame | None:
    log = tables.get(LOG)
    return None if log is None or log.empty else log.dropna(subset=["date"])


def _split(cell: object) -> tuple[str, ...]:
    return () if cell is None or pd.isna(cell) else tuple(p for p in str(cell).split(";") if p)


def counts_words(added: int, changed: int, removed: int) -> str:
    """'7 rows added and 1 changed', '1 row changed' ('no rows changed')."""
    counts = [(n, w) for n, w in ((added, "added"), (changed, "changed"), (removed, "removed")) if n]
    parts = [f"{n:,} {'row ' if n == 1 else 'rows '}{w}" if i == 0 else f"{n:,} {w}" for i, (n, w) in enumerate(counts)]
    return join_words(parts) or "no rows changed"


SECTION_WORDS = {"wres": ": WRES indicators", "sources": ": sources", "downloads": ": downloads"}


def views_for(tables: tuple[str, ...], organisations: tuple[str, ...], names: Mapping[str, str]) -> list[View]:
    """The views a release touched: each page (and section) its tables feed, then the profile of each organisation
    in ``names`` (England's figures are comparators: they have no profile)."""
    seen: dict[tuple[str, str], View] = {}
    for table in tables:
        page, section = TABLE_VIEWS.get(table, ("data", "downloads"))
        title = BY_PATH[page].title if page in BY_PATH else page
        if (page, section) not in seen:
            seen[(page, section)] = View(title + SECTION_WORDS.get(section, ""), page, (), section)
    views = list(seen.values())
    for code in [c for c in organisations if c in names][:MAX_ORG_LINKS]:
        views.append(View(f"Trust profile: {names.get(code, code)}", "trust", (("org", code),)))
    return views


def org_names(tables: Mapping[str, pd.DataFrame]) -> dict[str, str]:
    """Short names of the organisations with a trust profile (all but the national comparator)."""
    orgs = tables.get("organisations")
    if orgs is None:
        return {}
    orgs = orgs[orgs["kind"].astype(str) != "national"]
    return dict(zip(orgs["ods_code"].astype(str), orgs["short_name"].astype(str), strict=True))


def releases(tables: Mapping[str, pd.DataFrame]) -> list[ReleaseView]:
    """Every release, newest first."""
    log = _log(tables)
    if log is None:
        return []
    names = org_names(tables)
    out = []
    for r in log.sort_values(["date", "release_id"], ascending=False, kind="stable").itertuples():
        added, changed, removed = (int(v) if not pd.isna(v) else 0 for v in (r.rows_added, r.rows_changed, r.rows_removed))
        tabs, orgs = _split(r.tables), _split(r.organisations)
        out.append(ReleaseView(str(r.release_id), pd.Timestamp(r.date), str(r.summary), counts_words(added, changed, removed),
                               tabs, orgs, views_for(tabs, orgs, names)))
    return out


def latest(tables: Mapping[str, pd.DataFrame]) -> ReleaseView | None:
    found = releases(tables)
    return found[0] if found else None


def last_changed_line(tables: Mapping[str, pd.DataFrame]) -> str:
    """Every page's and slide's footer: 'Figures last changed 27 November 2026.' ('' when the data has no log)."""
    newest = latest(tables)
    return f"Figures last changed {newest.date_text}." if newest else ""


def release_name(tables: Mapping[str, pd.DataFrame]) -> str:
    """The release a download or the report holds: 'release 2026-11-27-2 (27 November 2026)' ('' with no log)."""
    newest = latest(tables)
    return f"release {newest.release_id} ({newest.date_text})" if newest else ""


def org_arrival_line(tables: Mapping[str, pd.DataFrame], org: str, place: str) -> str:
    """A trust profile's line on when this organisation's published figures last arrived, from the log's
    organisations column."""
    if _log(tables) is None:
        return ""
    mine = [r for r in releases(tables) if org in r.organisations]
    if not mine:
        return f"No published figures for {place} have arrived in this dashboard yet."
    return f"{place}'s figures last arrived on {mine[0].date_text} (release {mine[0].release_id})."

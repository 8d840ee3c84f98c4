"""/contribute, as plain data: problems grouped by file, the change summary, the organisation's preview
cards (the catalogue's own builders, over the merged package) and the REMI self-assessment rows.

No Streamlit here: pages/contribute.py renders what these functions return. Nothing is cached
across sessions: every value here is built from one session's upload.
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence

import pandas as pd

from components.cards import catalogue
from components.cards import workforce as wc
from components.cards.base import ChartCard
from data import schema as canonical_schema
from data import selection
from data.checks import Problem
from data.package_files import Current, illustrative_hidden
from data.submission import MergeResult, merge
from data.submission_read import Part
from data.submission_view import MAX_PROBLEMS_KEPT, SubmissionView, view_of
from data.submission_view import preview_tables as merged_tables
from data.submission_worker import Busy, TooLarge, run_check

MAX_PROBLEMS_SHOWN = MAX_PROBLEMS_KEPT   # per file; the rest are counted
FIRST_PROBLEMS = 10        # shown at once, above the fold; the rest in an expander
PARTNER_KINDS = ("ICB", "acute trust", "community and mental health trust", "other partner")

# The organisation's own views: (catalogue kind, what it shows, parameters beyond org)
PREVIEW = [
    ("representation_trend", "Workforce representation over time"),
    ("representation_compare", "Trust profile: representation by staff group"),
    ("wres_ratios", "WRES indicators 2 to 4"),
    ("wres_survey", "WRES indicators 5 to 8"),
    ("board_gap", "WRES indicator 9: board and workforce"),
    ("remi_radar", "REMI self-assessment"),
]

TOO_LARGE = ("This file is too large to check here: split it into smaller files (one table or one year each), or "
             "send it to the ICB's data team.")
BUSY = "The checker is busy with other people's files just now: try again in a minute."
WAITING = "Another check is running on this server: yours starts as soon as it finishes."
UNCHECKABLE = ("Your files could not be checked. Save them again (as CSV UTF-8 or as an Excel workbook, .xlsx) and "
               "upload them again; if it happens again, send them to the ICB's data team.")
PRIVACY = ("**Your files stay private.** They are held in this browser session's memory only while you use this page: "
           "nothing is written to the server's disk, nothing is logged, and nothing is kept after you close or reload "
           "the page. Nothing is published from here: you send your files to the ICB's data team, who merge them.")


def where(problem: Problem, letters: Mapping[str, Mapping[str, str]]) -> tuple[str, str]:
    """(row, column) as the publisher sees them: a workbook's column gets its letter."""
    row = "–" if problem.row is None else str(problem.row)
    column = problem.column or "–"
    letter = letters.get(problem.file, {}).get(problem.column or "")
    if letter:
        column = f"{column} (column {letter})"
    return row, column


def problems_by_file(problems: list[Problem], letters: Mapping[str, Mapping[str, str]] | None = None,
                     more: Mapping[str, int] | None = None) -> list[tuple[str, pd.DataFrame, int]]:
    """[(file, table of Row/Column/Problem, how many more)] in the order the files were given."""
    letters = letters or {}
    more = more or {}
    groups: dict[str, list[Problem]] = {}
    for p in problems:
        groups.setdefault(p.file, []).append(p)
    out = []
    for file, items in groups.items():
        items = sorted(items, key=lambda p: (p.row is not None, p.row or 0))
        shown = items[:MAX_PROBLEMS_SHOWN]
        rows = [dict(zip(("Row", "Column"), where(p, letters), strict=True), Problem=p.message) for p in shown]
        out.append((file, pd.DataFrame(rows, columns=["Row", "Column", "Problem"]),
                    len(items) - len(shown) + more.get(file, 0)))
    return out


def file_heading(file: str) -> str:
    m = re.fullmatch(r"(.+\.xlsx) sheet (.+)", file, flags=re.IGNORECASE)
    return f"{m.group(1)}, sheet {m.group(2)}" if m else file


def problem_sentence(view: SubmissionView | None, refusals: list[str]) -> str:
    checked = view is not None and view.checked
    n = view.problem_count if view is not None else 0
    files = view.problem_files if view is not None else 0
    parts = []
    if refusals:
        parts.append(f"{len(refusals)} file{'s' if len(refusals) != 1 else ''} refused")
    if n:
        parts.append(f"{n} problem{'s' if n != 1 else ''} in {files} file{'s' if files != 1 else ''}")
    if not parts and checked and view is not None and view.current_problem_count:
        return ("Your files pass their checks, but the dashboard's current package has problems of its own, so the "
                "merged package cannot be completed here. The ICB's data team will fix them.")
    if not parts:
        return "No problems: your figures pass every check, and the merged package validates."
    return ", ".join(parts)[:1].upper() + ", ".join(parts)[1:] + ". Fix them in your file and upload it again."


def summary_table(view: SubmissionView) -> pd.DataFrame:
    titles = {n: r.get("title", n) for n, r in canonical_schema.resources().items()}
    rows = [{"Table": titles.get(s["table"], s["table"]), "File": canonical_schema.resources()[s["table"]]["path"],
             "Added": s["added"], "Changed": s["changed"], "Unchanged": s["unchanged"], "Removed": s["removed"]}
            for s in view.summary]
    return pd.DataFrame(rows, columns=["Table", "File", "Added", "Changed", "Unchanged", "Removed"])


def changed_values_table(view: SubmissionView) -> pd.DataFrame:
    rows = [{"File": r["table"] + ".csv", "Row key": r["key"], "Column": r["column"], "Old value": r["old"],
             "New value": r["new"]} for r in view.changed]
    return pd.DataFrame(rows, columns=["File", "Row key", "Column", "Old value", "New value"])


def check_submission(source: str, uploads: list[tuple[str, bytes]], on_wait=None) -> SubmissionView:
    """The uploads read and merged over the package at ``source`` by a worker process (illustrative rows left
    out when the site hides them; old values the dashboard withholds masked in the change summary). A file
    the worker cannot check within its limits, or a checker busy for too long, is a refusal in plain words."""
    try:
        return run_check(source, uploads, on_wait=on_wait)
    except TooLarge:
        return SubmissionView([TOO_LARGE])
    except Busy:
        return SubmissionView([BUSY])


def preview_tables(view: SubmissionView) -> Mapping[str, pd.DataFrame]:
    """The merged package's tables as the site would show them (no illustrative row unless it shows them)."""
    return view.tables


def preview_orgs(view: SubmissionView) -> list[str]:
    return list(view.orgs)


def org_name(tables: Mapping[str, pd.DataFrame], code: str) -> str:
    orgs = tables.get("organisations")
    return selection.org_names(orgs, "name").get(code, code) if orgs is not None else code


def preview_cards(tables: Mapping[str, pd.DataFrame], org: str, remi_year: int | None = None
                  ) -> list[tuple[str, ChartCard | None, str]]:
    """[(what, card or None, why there is none)] for the organisation's own views."""
    name = org_name(tables, org)
    out = []
    for kind, what in PREVIEW:
        params: dict[str, object] = {"org": org}
        if kind == "remi_radar" and remi_year is not None:
            params["year"] = remi_year
        try:
            card = catalogue.build(tables, kind, **params)
        except Exception:  # noqa: BLE001 (a view that cannot be drawn from these figures gets the notice)
            card = None
        out.append((what, _renamed(card, "preview"), wc.missing_text(what, name)))
    return out


def _renamed(card: ChartCard | None, suffix: str) -> ChartCard | None:
    """The same card with its own widget keys, so the page can show it beside the dashboard's."""
    return None if card is None else dataclasses.replace(card, key=f"{card.key}-{suffix}")


# --- The REMI self-assessment ------------------------------------------------------------------

def partner_choices(organisations: pd.DataFrame) -> list[str]:
    return list(organisations.loc[organisations["kind"].isin(PARTNER_KINDS), "ods_code"].astype(str))


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def remi_source_id(org: str, year: int) -> str:
    return slug(f"remi-self-assessment-{org}-{year}")


def remi_rows(org: str, year: int, stages: Mapping[str, int | None], evidence: Mapping[str, str],
              title: str, url: str, publisher: str, today: str) -> tuple[list[dict[str, str]], dict[str, str]]:
    """The remi rows (one per domain with a stage chosen) and their source row, ready for data.merge."""
    sid = remi_source_id(org, year)
    rows = [{"ods_code": org, "year": str(year), "domain_id": domain, "stage": str(int(stage)),
             "period": f"Self-assessment {year}", "source_id": sid, "status": "published",
             "note": (evidence.get(domain) or "").strip()}
            for domain, stage in stages.items() if stage is not None]
    source = {"source_id": sid, "title": title.strip(), "publisher": publisher.strip(), "url": url.strip(),
              "licence": "Not stated by the publisher", "date_retrieved": today, "grade": "primary",
              "note": "REMI self-assessment submitted through the dashboard's /contribute page."}
    return rows, source


def rows_part(table: str, rows: Sequence[Mapping[str, str]], label: str) -> Part:
    names = [f["name"] for f in canonical_schema.resources()[table]["schema"]["fields"]]
    return Part(table, label, names, [[str(r.get(n, "")) for n in names] for r in rows], list(range(2, 2 + len(rows))))


def remi_view(check: MergeResult) -> SubmissionView:
    """The REMI form's check as the page shows it (its problems; nothing to download but the rows)."""
    return view_of(check, [])


def remi_check(current: Current, rows: list[dict[str, str]], source: dict[str, str]) -> MergeResult:
    """The form's rows merged over the current package and checked, as data.merge would."""
    base = current.without_illustrative() if illustrative_hidden() else current
    return merge(base, [rows_part("remi", rows, "remi.csv"), rows_part("sources", [source], "sources.csv")])


def remi_preview(current: Current, org: str, year: int, rows: list[dict[str, str]], source: dict[str, str]
                 ) -> ChartCard | None:
    """The radar, drawn live from the form's rows against the previous year and the NEL median.
    Until a title is given the source row gets a placeholder, so the chart can be drawn as stages are chosen."""
    if not rows:
        return None
    draft = dict(source, title=source.get("title") or "Title not yet given")
    tables = merged_tables(remi_check(current, rows, draft).package)
    if not {"remi", "remi_domains", "remi_stages", "organisations", "sources"} <= set(tables):
        return None
    try:
        return _renamed(catalogue.build(tables, "remi_radar", org=org, year=year), "form")
    except (KeyError, ValueError, IndexError, TypeError):
        return None

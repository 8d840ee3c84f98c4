"""What /contribute shows of a checked submission, and nothing more: the problems it lists (at most
MAX_PROBLEMS_KEPT per file, the rest counted), the change summary, the tables its preview draws, and the
merged zip and change-summary CSV it offers. The worker (``data.submission_worker``) builds it from the
merge and sends it back; the session keeps this, never the merge itself (its files, rows and changes).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from data.checks import Problem
from data.package import Package, published_only
from data.package_files import Current, illustrative_hidden
from data.submission import MergeResult
from data.submission_output import change_rows, change_summary_csv, masked_old_values, merged_zip

MAX_PROBLEMS_KEPT = 200     # per file: the page lists these; the rest are counted
MAX_CHANGED_KEPT = 500      # changed values listed on the page


@dataclass
class SubmissionView:
    refusals: list[str]
    problems: list[Problem] = field(default_factory=list)         # at most MAX_PROBLEMS_KEPT per file
    more: dict[str, int] = field(default_factory=dict)            # file -> problems counted, not kept
    current_problems: list[Problem] = field(default_factory=list)  # the current package's own (at most 20)
    current_problem_count: int = 0
    letters: dict[str, dict[str, str]] = field(default_factory=dict)
    summary: list[dict] = field(default_factory=list)
    changed: list[dict[str, str]] = field(default_factory=list)   # at most MAX_CHANGED_KEPT
    changed_count: int = 0
    orgs: list[str] = field(default_factory=list)                 # organisations the preview offers
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)  # what the preview draws (valid only)
    zip: bytes | None = None
    summary_csv: bytes | None = None
    checked: bool = False                                         # False: nothing could be read

    @property
    def problem_count(self) -> int:
        return len(self.problems) + sum(self.more.values())

    @property
    def problem_files(self) -> int:
        return len({p.file for p in self.problems} | set(self.more))

    @property
    def valid(self) -> bool:
        return self.checked and not self.problem_count and not self.current_problem_count

    @property
    def ok(self) -> bool:
        return self.valid and not self.refusals


def _kept(problems: list[Problem]) -> tuple[list[Problem], dict[str, int]]:
    """The first MAX_PROBLEMS_KEPT problems of each file in row order (as the page lists them), and how
    many more each file has."""
    groups: dict[str, list[Problem]] = {}
    for p in problems:
        groups.setdefault(p.file, []).append(p)
    kept: list[Problem] = []
    more: dict[str, int] = {}
    for file, items in groups.items():
        items = sorted(items, key=lambda p: (p.row is not None, p.row or 0))
        kept += items[:MAX_PROBLEMS_KEPT]
        if len(items) > MAX_PROBLEMS_KEPT:
            more[file] = len(items) - MAX_PROBLEMS_KEPT
    return kept, more


def _preview_orgs(result: MergeResult) -> list[str]:
    known = result.package.tables.get("organisations")
    codes = result.organisations()
    if known is not None:
        codes = [c for c in codes if c in set(known["ods_code"].astype(str))]
    return codes


def preview_tables(package: Package) -> dict[str, pd.DataFrame]:
    """The merged package's tables as the site would show them (no illustrative row unless it shows them)."""
    return dict((published_only(package) if illustrative_hidden() else package).tables)


def view_of(result: MergeResult | None, refusals: list[str], base: Current | None = None,
            current_package: Package | None = None) -> SubmissionView:
    """The page's view of a merge. With ``base`` (the package merged into), a valid merge also gets the merged
    zip, the change-summary CSV and the preview's tables; with ``current_package`` (the package the site
    shows), old values the site withholds are masked in the change summary."""
    view = SubmissionView(list(refusals))
    if result is None:
        return view
    if current_package is not None:
        masked_old_values(result, current_package)
    view.checked = True
    view.problems, view.more = _kept(result.problems)
    view.current_problems = result.current_problems[:20]
    view.current_problem_count = len(result.current_problems)
    view.letters = {k: dict(v) for k, v in result.letters.items()}
    view.summary = result.summary()
    changed = change_rows(result, changed_only=True)
    view.changed, view.changed_count = changed[:MAX_CHANGED_KEPT], len(changed)
    if base is not None and view.ok:
        view.zip = merged_zip(result, base)
        view.summary_csv = change_summary_csv(result)
        view.orgs = _preview_orgs(result)
        view.tables = preview_tables(result.package) if view.orgs else {}
    return view

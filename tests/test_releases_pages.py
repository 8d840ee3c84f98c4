"""The release log where people look: /data's "What changed", every page's and slide's footer, the trust profiles,
and the strategy's own date (AppTest, in the demo and in published-only mode)."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from components.cards import releases as rel
from components.cards import strategy
from data import merge as merge_cli
from data import releases
from data.package import load_package
from tests.test_merge import workforce_rows
from tests.test_pages_overview_data import run
from tests.test_releases import submission

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "data" / "nel"


def captions(at: AppTest) -> str:
    """The captions and the body text: the footer's date is body text, a slide's is in its caption."""
    return "\n".join([c.value for c in at.caption] + [m.value for m in at.markdown]).replace("\\", "")


def markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown).replace("\\", "")


@pytest.fixture
def merged(tmp_path, monkeypatch) -> Path:
    """A copy of the package with one submission merged on 8 December 2026, served by the app."""
    target = tmp_path / "nel"
    shutil.copytree(SHIPPED, target)
    monkeypatch.setattr(releases, "today", lambda: dt.date(2026, 12, 8))
    assert merge_cli.main([*map(str, submission(tmp_path, workforce_rows())), "--package", str(target),
                           "--summary", "Barts Health's workforce figures for 2025"]) == 0
    monkeypatch.setenv("NEL_DATA", str(target))
    return target


def test_data_lists_the_new_release_first_and_the_footer_follows_it(merged):
    at = run("pages/data.py")
    subheads = [s.value for s in at.subheader]
    mine = [s for s in subheads if "(release " in s]
    assert mine[0] == "8 December 2026 (release 2026-12-08-1)"
    assert mine[1:] == ["7 December 2026 (release 2026-12-07-3)", "7 December 2026 (release 2026-12-07-2)",
                        "7 December 2026 (release 2026-12-07-1)", "27 November 2026 (release 2026-11-27-2)",
                        "27 November 2026 (release 2026-11-27-1)",
                        "25 November 2026 (release 2026-11-25-1)"]
    text = markdown(at)
    assert "Barts Health's workforce figures for 2025" in text
    assert "7 rows added in sources and workforce representation." in text
    assert "[Workforce and WRES](/workforce)" in text and "[Trust profile: Barts Health](/trust?org=R1H)" in text
    tables = len(load_package(merged).tables)
    assert f"All {tables} tables passed their checks (release 2026-12-08-1 (8 December 2026))" in text
    assert "Figures last changed 8 December 2026" in captions(at)


def test_every_page_footer_and_the_slides_say_when_the_figures_last_changed():
    # the shipped log's last release: England's WRES figures, 7 December 2026
    assert rel.last_changed_line(load_package(SHIPPED).tables) == "Figures last changed 7 December 2026."
    for page in ("pages/overview.py", "pages/workforce.py", "pages/strategy.py"):
        assert "Figures last changed 7 December 2026 ([what changed](/data#what-changed))" in captions(run(page)), page
    slide = run("pages/present.py", deck="default", slide="3")
    assert "Figures last changed 7 December 2026." in captions(slide)


def test_a_trust_profile_says_when_its_figures_last_arrived(merged):
    at = run("pages/trust.py", org="R1H")
    assert "Barts Health's figures last arrived on 8 December 2026 (release 2026-12-08-1)." in markdown(at)
    at = run("pages/trust.py", org="RQX")
    assert "No published figures for Homerton Healthcare have arrived in this dashboard yet." in markdown(at)


def test_published_only_mode_shows_the_whole_log_and_no_illustrative_word(monkeypatch):
    monkeypatch.setenv("NEL_ILLUSTRATIVE", "hide")
    at = run("pages/data.py")
    assert [s.value for s in at.subheader if "(release " in s.value] == [
        "7 December 2026 (release 2026-12-07-3)", "7 December 2026 (release 2026-12-07-2)",
        "7 December 2026 (release 2026-12-07-1)", "27 November 2026 (release 2026-11-27-2)", "27 November 2026 (release 2026-11-27-1)",
        "25 November 2026 (release 2026-11-25-1)"]
    section = markdown(at)
    section = section[section.index("Every release of these figures"):section.index("Publishing your organisation")]
    assert "Census 2021 ethnic group (ONS table TS021)" in section
    assert "illustrative" not in section.lower() and "not real data" not in section.lower()


def test_commitments_without_a_report_carry_the_strategy_date_not_last_updated():
    pkg = load_package(SHIPPED)
    views = strategy.tracker(pkg.tables["pillars"], pkg.tables["commitments"], pkg.tables["sources"])
    first = views[0].commitments[0]
    assert first.progress == "Not yet reported"
    assert (first.date_label, first.last_updated) == ("Strategy published", "31 January 2025")
    text = markdown(run("pages/strategy.py"))
    assert "**Strategy published:** 31 January 2025" in text
    assert "Last updated" not in text


def test_the_footer_date_changes_only_when_a_version_that_passes_its_checks_is_served(tmp_path, monkeypatch):
    """With the last good package (data/last_good.py): a new release whose files fail their checks is not served,
    so the footer keeps the date of the figures actually shown; once the files pass, the date follows the log."""
    from components.ui import package_cache
    monkeypatch.setattr(package_cache, "FINGERPRINT_SECONDS", 0.0)   # look at the files on every run
    target = tmp_path / "nel"
    shutil.copytree(SHIPPED, target)
    monkeypatch.setenv("NEL_DATA", str(target))
    assert "Figures last changed 7 December 2026" in captions(run("pages/strategy.py"))
    good = (target / "workforce.csv").read_bytes()
    (target / "workforce.csv").write_text("not,the,columns\n1,2,3\n", encoding="utf-8")
    releases.append_release(target, "New workforce figures", changes=releases.Changes(("workforce",), ("R1H",), 1),
                            date=dt.date(2026, 12, 8))
    assert "Figures last changed 7 December 2026" in captions(run("pages/strategy.py"))   # the last good version
    (target / "workforce.csv").write_bytes(good)
    assert "Figures last changed 8 December 2026" in captions(run("pages/strategy.py"))

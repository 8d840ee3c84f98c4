"""Privacy: small staff counts never reach the reader, and the browser talks only to the dashboard.

A package with counts under the suppression threshold (tests/hostile.py small_number_package) is served
and every view is opened in Chromium. For each withheld count the test knows what would reveal it: the
count itself where it is distinctive, its complement, its percentage, the system total it would feed and
the WRES 9 gap built on it. None of these may appear in the page text (tables included), in the charts'
data (plotly's figure data read from the DOM) or in any downloaded file (CSV and the package zip). Text
tokens that the shipped package's rendering of the same view already contains for other reasons cannot
be told apart and are not used; full-precision numbers in chart data are always checked.

Figures for the README's reliability section are written to tests/artifacts/reliability/privacy.json.
"""
from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pytest

from bench.harness import RequestLog, app_server, exceptions, wait_for_app
from data.package import load_package
from data.suppression import SUPPRESSED_LABEL
from tests.hostile import read_rows, small_number_package

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts" / "reliability"
TRUSTS = ["R1H", "RF4", "RQX", "RWK", "RAT"]
VIEWS = ["", "workforce", "workforce?org=R1H", "workforce?org=RQX", "trust?org=RF4", "trust?org=RWK",
         "data?org=R1H", "present?slide=2", "present?slide=3"]
CHART_DATA = """() => JSON.stringify(Array.from(document.querySelectorAll('.js-plotly-plot')).map(
    el => ({data: el.data, layout: {annotations: (el.layout || {}).annotations, shapes: (el.layout || {}).shapes}})))"""
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")


def _pct(part: float, whole: float) -> float:
    return 100.0 * part / whole


def forbidden(pkg: Path, cells) -> tuple[list[str], list[float]]:
    """(text tokens, exact numbers) that would reveal a withheld count or a figure derived from it. Numbers are
    the full-precision percentages and ratios (checked in chart data and files); counts are checked as text."""
    tokens: list[str] = []
    numbers: list[float] = []

    def pct(p: float) -> None:
        numbers.append(p)
        tokens.extend([f"{p:.1f}", f"{p:.2f}"])

    def count(n: int) -> None:
        if n >= 100:  # small numbers occur everywhere; a distinctive large one (a complement) does not
            tokens.extend([str(n), f"{n:,}"])

    header, rows = read_rows(pkg / "workforce.csv")
    col = {c: i for i, c in enumerate(header)}
    by_key = {(r[col["ods_code"]], r[col["year"]], r[col["staff_group"]]): r for r in rows}

    def share(org, year, group):
        r = by_key.get((org, str(year), group))
        if r is None:
            return None
        if r[col["total_headcount"]]:
            return _pct(int(r[col["gm_headcount"]]), int(r[col["total_headcount"]]))
        return float(r[col["gm_percent"]]) if r[col["gm_percent"]] else None

    for c in cells:
        if c.table == "workforce":
            g, t = c.values["gm_headcount"], c.values["total_headcount"]
            org, year, group = c.key["ods_code"], c.key["year"], c.key["staff_group"]
            pct(_pct(g, t))
            pct(_pct(t - g, t))
            count(g)
            count(t - g)
            rows_ = [by_key.get((o, str(year), group)) for o in TRUSTS]
            if all(r is not None and r[col["total_headcount"]] for r in rows_):  # the NEL system figure
                G = sum(int(r[col["gm_headcount"]]) for r in rows_)
                T = sum(int(r[col["total_headcount"]]) for r in rows_)
                count(G)
                pct(_pct(G, T))
            if group == "board":  # WRES 9: board share minus all-staff share, in percentage points
                overall = share(org, year, "all_staff")
                if overall is not None:
                    pct(_pct(g, t) - overall)
        else:
            n, d = c.values["numerator"], c.values["denominator"]
            numbers.append(c.values["value"])
            tokens.append(f"{c.values['value']}")
            pct(_pct(n, d))
            count(d - n)
            count(n)
        tokens += c.forbidden
    tokens = sorted({t for t in tokens if t.strip("-0.") != ""})
    return tokens, numbers


def token_re(token: str) -> re.Pattern:
    return re.compile(rf"(?<![\d.,]){re.escape(token)}(?!\d)")


def leaked_numbers(blob: str, numbers: list[float]) -> list[float]:
    found = []
    values = {float(m) for m in NUMBER.findall(blob)}
    for n in numbers:
        if any(abs(v - n) <= 1e-9 * max(1.0, abs(n)) for v in values):
            found.append(n)
    return found


def settle(page, min_charts: int) -> None:
    """Wait for the script to finish and the page to stop changing (charts, buttons and text stable)."""
    wait_for_app(page, min_charts=min_charts)
    last, stable = None, 0
    for _ in range(60):
        now = page.evaluate("""() => [document.querySelectorAll('[data-testid="stPlotlyChart"]').length,
            document.querySelectorAll('[data-testid="stDownloadButton"]').length,
            (document.querySelector('[data-testid="stMain"]') || {innerText: ''}).innerText.length,
            !!document.querySelector('[data-testid="stStatusWidget"]')]""")
        stable = stable + 1 if now == last and not now[3] else 0
        if stable >= 3:
            return
        last = now
        page.wait_for_timeout(250)


def download_all(page) -> dict[str, str]:
    """Click every download button (one at a time, so Chromium does not hold back a burst) and read the files."""
    files: dict[str, str] = {}
    got = []

    def on_download(d):
        got.append(d)

    page.on("download", on_download)
    buttons = page.locator('[data-testid="stDownloadButton"] button')
    for i in range(buttons.count()):
        before = len(got)
        for _attempt in range(2):
            buttons.nth(i).click()
            for _ in range(40):
                if len(got) > before:
                    break
                page.wait_for_timeout(100)
            if len(got) > before:
                break
        assert len(got) > before, f"download button {i} ({buttons.nth(i).inner_text()[:60]}) gave no file"
        d = got[-1]
        data = Path(d.path()).read_bytes()
        if d.suggested_filename.endswith(".zip"):
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                for name in zf.namelist():
                    files[f"{d.suggested_filename}/{name}"] = zf.read(name).decode("utf-8")
        else:
            files[d.suggested_filename] = data.decode("utf-8")
    page.remove_listener("download", on_download)
    return files


def render(page, base: str, view: str, downloads: bool) -> dict:
    page.goto(f"{base}/{view}")
    settle(page, min_charts=1)
    assert exceptions(page) == [], view
    out = {"text": page.locator('[data-testid="stMain"]').inner_text(), "charts": page.evaluate(CHART_DATA),
           "files": download_all(page) if downloads else {}}
    return out


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    pkg, cells = small_number_package(tmp_path_factory.mktemp("small") / "nel")
    package = load_package(pkg)
    assert package.valid, [str(p) for p in package.problems[:5]]
    wf = package.table("workforce")
    for c in cells:  # the loader withholds every one of them
        t = package.table(c.table)
        mask = (t[list(c.key)].astype(str) == {k: str(v) for k, v in c.key.items()}).all(axis=1)
        assert mask.sum() == 1 and bool(t.loc[mask, "suppressed"].iloc[0]), c.key
    assert len(wf)
    return pkg, cells


# ---------------------------------------------------------------------------------------------
# Without a browser: every card the pages and the deck build (chart data and CSV)


CARDS = [("staff_profile", {"org": o}) for o in ["NEL", *TRUSTS]]
CARDS += [(k, {"org": o}) for k in ("representation_trend", "wres_ratios", "wres_survey", "board_gap") for o in ["NEL", *TRUSTS]]


def card_leaks(tables, tokens, numbers) -> tuple[list[str], int]:
    from components.cards.base import inert_figure
    from components.cards.catalogue import build

    leaks, built = [], 0
    for kind, params in CARDS:
        card = build(tables, kind, **params)
        if card is None:
            continue
        built += 1
        for where, blob in (("chart", inert_figure(card.figure).to_json()), ("csv", card.csv_bytes().decode("utf-8")),
                            ("sentence", f"{card.title}\n{card.subtitle}\n{card.sentence}\n{card.alt}")):
            leaks += [f"{kind}{params} {where}: {t}" for t in tokens if token_re(t).search(blob)]
            if where != "sentence":
                leaks += [f"{kind}{params} {where}: {n!r}" for n in leaked_numbers(blob, numbers)]
    return leaks, built


def test_cards_never_carry_a_withheld_count(small, monkeypatch):
    pkg, cells = small
    tokens, numbers = forbidden(pkg, cells)
    shipped_leaks, _ = card_leaks(load_package(Path(__file__).resolve().parents[1] / "data" / "nel").tables, tokens, numbers)
    ambient = {line.rsplit(": ", 1)[1] for line in shipped_leaks}  # tokens the shipped package shows for other reasons
    leaks, built = card_leaks(load_package(pkg).tables, tokens, numbers)
    leaks = [line for line in leaks if line.rsplit(": ", 1)[1] not in ambient]
    assert built >= 20
    assert leaks == [], leaks[:20]


def test_the_check_would_see_a_leak(small, monkeypatch):
    """Control: with suppression switched off, the same tokens are found in the cards."""
    import data.package as package_module

    pkg, cells = small
    tokens, numbers = forbidden(pkg, cells)
    shipped_leaks, _ = card_leaks(load_package(Path(__file__).resolve().parents[1] / "data" / "nel").tables, tokens, numbers)
    ambient = {line.rsplit(": ", 1)[1] for line in shipped_leaks}
    monkeypatch.setattr(package_module, "apply_suppression", lambda name, frame, *_: frame.assign(suppressed=False)
                        if name in ("workforce", "wres") else frame)
    leaks, _ = card_leaks(load_package(pkg).tables, tokens, numbers)
    leaks = [line for line in leaks if line.rsplit(": ", 1)[1] not in ambient]
    found = {line.rsplit(": ", 1)[1] for line in leaks}
    assert len(found) >= 8, sorted(found)


# ---------------------------------------------------------------------------------------------
# In Chromium: the rendered DOM, the charts' data and every downloaded file


@pytest.mark.browser
def test_small_numbers_never_reach_the_page_the_charts_or_the_downloads(browser, server, small):
    pkg, cells = small
    tokens, numbers = forbidden(pkg, cells)
    assert len(tokens) >= 20 and len(numbers) >= 10
    figures = {"small counts written": len(cells), "views": len(VIEWS), "files downloaded": 0, "checks": 0,
               "values leaked": 0, "requests seen": 0, "requests to other hosts": 0}
    leaks: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    base_log = RequestLog(page, server)
    try:
        baseline = {v: render(page, server, v, downloads=True) for v in VIEWS}
    finally:
        context.close()
    with app_server(data=str(pkg)) as base:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        page = context.new_page()
        log = RequestLog(page, base)
        suppressed_shown = 0
        try:
            for view in VIEWS:
                seen = render(page, base, view, downloads=True)
                ambient = baseline[view]["text"] + "\n" + baseline[view]["charts"]
                surfaces = {"page text": seen["text"], "chart data": seen["charts"], **seen["files"]}
                for where, blob in surfaces.items():
                    # a token the shipped package's rendering already shows here cannot be told apart
                    here = ambient + "\n" + baseline[view]["files"].get(where, "")
                    for t in (t for t in tokens if not token_re(t).search(here)):
                        figures["checks"] += 1
                        if token_re(t).search(blob):
                            leaks.append(f"/{view} {where}: {t}")
                    if where != "page text":
                        figures["checks"] += len(numbers)
                        leaks += [f"/{view} {where}: {n!r}" for n in leaked_numbers(blob, numbers)]
                figures["files downloaded"] += len(seen["files"])
                suppressed_shown += seen["text"].count(SUPPRESSED_LABEL) + sum(f.count(SUPPRESSED_LABEL) for f in seen["files"].values())
            page.wait_for_timeout(500)
            figures["requests seen"] = len(log.urls) + len(base_log.urls)
            figures["requests to other hosts"] = len(log.foreign()) + len(base_log.foreign())
            assert log.foreign() == [] and base_log.foreign() == [], (log.foreign() + base_log.foreign())[:5]
        finally:
            context.close()
    figures["values leaked"] = len(leaks)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "privacy.json").write_text(json.dumps({**figures, "tokens": len(tokens), "numbers": len(numbers),
                                                         "leaks": leaks[:50]}, indent=2), encoding="utf-8")
    assert leaks == [], leaks[:20]
    assert figures["files downloaded"] >= 20
    assert suppressed_shown > 0, f"withheld cells are shown as '{SUPPRESSED_LABEL}'"

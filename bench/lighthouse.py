"""Lighthouse on a list of pages: the four category scores, largest contentful paint, total blocking time
and the bytes transferred (issue #14).

    python -m bench.lighthouse URL [URL ...]      # prints one JSON object per page

Lighthouse is the npm package pinned in package.json (`npm install`), run by node with Debian's Chromium
(CHROME_PATH, the launch flags of bench/harness.py): its default mobile preset (a mid-range phone, simulated
slow 4G and a 4x slower CPU), categories performance, accessibility, best practices and SEO, one run per
page. `make bench` (bench/run.py) runs it through `make serve-prod` on the app's pages and on every
low-bandwidth page (/lite/), on loopback only; every host a page contacted is recorded, so a request to
another host would show in the results.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import urllib.parse
from collections.abc import Callable
from pathlib import Path

from bench.harness import CHROMIUM, LAUNCH_ARGS

ROOT = Path(__file__).resolve().parents[1]
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
CATEGORY_NAMES = {"performance": "performance", "accessibility": "accessibility",
                  "best-practices": "best practices", "seo": "SEO"}
# The issue's targets for the low-bandwidth pages (reported as met / not met; no test asserts them).
LITE_TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}
# The app's pages measured by `make bench`; the quick mode takes the first of each list.
APP_PAGES = ("/", "/boroughs", "/workforce", "/trust?org=R1H")
QUICK_LITE_PAGE = "/lite/boroughs.html"
LOOPBACK = {"127.0.0.1", "localhost", "[::1]"}
TIMEOUT_S = 300
# When the issue was filed (Lighthouse 12, mobile, Debian Chromium, through make serve-prod on this
# machine), as the issue states them: the "before" of the app's pages.
ISSUE_BEFORE = {"/": {"performance": 28, "lcp_s": 9.7, "tbt_ms": 4300, "bytes": 2.6e6},
                "/boroughs": {"performance": 26, "tbt_ms": 10800}}


def available() -> bool:
    return LIGHTHOUSE.exists() and Path(CHROMIUM).exists()


def version() -> str:
    try:
        return json.loads((ROOT / "node_modules" / "lighthouse" / "package.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        return "not installed"


def chromium_version() -> str:
    try:
        words = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, timeout=30).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return "Chromium"
    return " ".join(words[:2]) or "Chromium"


def lite_pages(site_dir: Path) -> list[str]:
    """Every low-bandwidth page of a built site, as its path under /lite/ (the contents page first)."""
    names = sorted(p.name for p in site_dir.glob("*.html"))
    return ["/lite/" if name == "index.html" else f"/lite/{name}"
            for name in sorted(names, key=lambda n: (n != "index.html", n))]


def parse(report: dict) -> dict:
    """One page's figures from Lighthouse's JSON report."""
    audits = report.get("audits", {})

    def number(audit: str) -> float | None:
        value = audits.get(audit, {}).get("numericValue")
        return float(value) if value is not None else None

    scores = {}
    for cat in CATEGORIES:
        score = report.get("categories", {}).get(cat, {}).get("score")
        scores[cat] = None if score is None else round(score * 100)
    requests = (audits.get("network-requests", {}).get("details") or {}).get("items", [])
    hosts = sorted({urllib.parse.urlsplit(r["url"]).hostname or "" for r in requests
                    if urllib.parse.urlsplit(r["url"]).scheme in ("http", "https")})
    lcp = number("largest-contentful-paint")
    error = report.get("runtimeError", {}).get("message") if report.get("runtimeError") else None
    return {"scores": scores, "lcp_s": None if lcp is None else round(lcp / 1000, 2),
            "tbt_ms": number("total-blocking-time"), "bytes": number("total-byte-weight"),
            "requests": len(requests), "hosts": hosts,
            "foreign": sorted(r["url"] for r in requests if urllib.parse.urlsplit(r["url"]).hostname
                              and urllib.parse.urlsplit(r["url"]).hostname not in LOOPBACK),
            "final_url": report.get("finalDisplayedUrl"), "warnings": report.get("runWarnings", []),
            "error": error}


def audit(url: str, timeout: float = TIMEOUT_S) -> dict:
    """Run Lighthouse once on ``url``; raise RuntimeError if it fails or times out."""
    with tempfile.TemporaryDirectory(prefix="lighthouse-") as tmp:
        out = Path(tmp) / "report.json"
        cmd = [str(LIGHTHOUSE), url, "--output=json", f"--output-path={out}", "--quiet", "--no-enable-error-reporting",
               f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={' '.join(LAUNCH_ARGS)}"]
        env = {**os.environ, "CHROME_PATH": CHROMIUM, "TMPDIR": tmp}
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                start_new_session=True)  # its own group: Chromium goes with it on a timeout
        try:
            _, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise RuntimeError(f"Lighthouse took over {timeout:.0f} s on {url}") from None
        if proc.returncode != 0 or not out.exists():
            raise RuntimeError(f"Lighthouse failed on {url} ({proc.returncode}): {stderr[-1500:]}")
        return parse(json.loads(out.read_text(encoding="utf-8")))


def run_pages(base: str, pages: dict[str, str], log: Callable[[str], None] = print) -> dict[str, dict]:
    """Lighthouse on each page (path -> "app" or "lite") under ``base``; a page that fails keeps its error."""
    out = {}
    for i, (path, kind) in enumerate(pages.items(), 1):
        try:
            try:
                result = audit(base + path)
            except RuntimeError as first:  # Lighthouse's own advice for a failed trace: run it again
                log(f"Lighthouse failed on {path}, once more: {str(first)[:200]}")
                result = audit(base + path)
        except RuntimeError as exc:
            result = {"scores": dict.fromkeys(CATEGORIES), "lcp_s": None, "tbt_ms": None, "bytes": None,
                      "requests": 0, "hosts": [], "foreign": [], "error": str(exc)}
        result["kind"] = kind
        out[path] = result
        scores = " ".join(f"{c} {result['scores'][c]}" for c in CATEGORIES)
        log(f"Lighthouse {i}/{len(pages)} {path}: {scores}, LCP {result['lcp_s']} s"
            + (f" ({result['error'][:200]})" if result["error"] else ""))
    return out


def meets_lite_targets(result: dict) -> bool | None:
    scores = result["scores"]
    if any(scores[c] is None for c in LITE_TARGETS):
        return None
    return all(scores[c] >= limit for c, limit in LITE_TARGETS.items())


# --- The section of bench/results.md --------------------------------------------------------------

def _bytes(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value / 1024:,.0f} KB" if value < 1024 * 1024 else f"{value / 1024 / 1024:,.2f} MB"


def _row(path: str, r: dict) -> list[str]:
    scores = [("—" if r["scores"][c] is None else str(r["scores"][c])) for c in CATEGORIES]
    return [f"`{path}`", *scores, "—" if r["lcp_s"] is None else f"{r['lcp_s']:.1f} s",
            "—" if r["tbt_ms"] is None else f"{r['tbt_ms']:,.0f} ms", _bytes(r["bytes"])]


def _table(rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(r) + " |" for r in rows[:1]] + ["|" + "---|" * len(rows[0])] + \
        ["| " + " | ".join(r) + " |" for r in rows[1:]]


def _missed(r: dict) -> str:
    return ", ".join(f"{CATEGORY_NAMES[c]} {r['scores'][c]}" for c, limit in LITE_TARGETS.items()
                     if r["scores"][c] is not None and r["scores"][c] < limit)


def section(lh: dict) -> list[str]:
    """The Lighthouse section of bench/results.md, from what ``run_pages`` returned (and its settings)."""
    pages = lh["pages"]
    head = ["page", *[CATEGORY_NAMES[c] for c in CATEGORIES], "LCP", "total blocking time", "bytes"]
    hosts = sorted({h for r in pages.values() for h in r["hosts"]})
    foreign = sorted({u for r in pages.values() for u in r["foreign"]})
    lines = ["## Lighthouse: the app and the low-bandwidth pages", "",
             f"Lighthouse {lh['version']} in {lh['browser']}, its default mobile preset (a mid-range phone, simulated "
             "slow 4G, CPU 4× slower; scores 0–100), one run per page, through `make serve-prod` (nginx in front of "
             "two replicas, NEL_ILLUSTRATIVE=hide, Streamlit's static files precompressed) on loopback. The "
             f"low-bandwidth pages were built just before (`python -m components.publish.site`, {lh['site_pages']} "
             "pages, NEL_ILLUSTRATIVE=hide) and served at /lite/. LCP = largest contentful paint; bytes = what "
             "Lighthouse counts as transferred over HTTP (the app's websocket payload, its content and charts, is not "
             "included; the first view below counts it). Hosts contacted: " + (", ".join(hosts) or "none") + "; "
             + (f"**requests to other hosts: {', '.join(foreign)}**." if foreign else "no request left the machine."),
             ""]
    app = {p: r for p, r in pages.items() if r["kind"] == "app"}
    if app:
        lines += ["### The app", "", *_table([head, *[_row(p, r) for p, r in app.items()]])]
        before = [(p, b) for p, b in ISSUE_BEFORE.items() if p in app]
        if before:
            lines += ["", "Before, when issue #14 was filed (the figures it gives): " + "; ".join(
                f"`{p}` " + ", ".join(
                    ([f"performance {b['performance']}"] if "performance" in b else [])
                    + ([f"LCP {b['lcp_s']:.1f} s"] if "lcp_s" in b else [])
                    + ([f"total blocking time {b['tbt_ms']:,.0f} ms"] if "tbt_ms" in b else [])
                    + ([f"{b['bytes'] / 1e6:.1f} MB"] if "bytes" in b else []))
                for p, b in before) + ". Streamlit's own bundle and plotly.js set a ceiling on the app's "
                "performance score; the low-bandwidth pages are the fast version."]
    lite = {p: r for p, r in pages.items() if r["kind"] == "lite"}
    if lh.get("site_error"):
        lines += ["", "### The low-bandwidth pages", "", f"**Not measured:** {lh['site_error']}"]
    if lite:
        targets = ", ".join(f"{CATEGORY_NAMES[c]} {'≥ ' if limit < 100 else ''}{limit}" for c, limit in LITE_TARGETS.items())
        verdicts = {p: meets_lite_targets(r) for p, r in lite.items()}
        rows = [[*_row(p, r), {True: "met", False: f"**not met** ({_missed(r)})", None: "not measured"}[verdicts[p]]]
                for p, r in lite.items()]
        met = sum(1 for v in verdicts.values() if v)
        lines += ["", "### The low-bandwidth pages", "", f"The issue's targets for every page: {targets}.", "",
                  *_table([[*head, "targets"], *rows]), "",
                  f"**{met} of {len(lite)} low-bandwidth pages meet all four targets.**"]
    errors = {p: r["error"] for p, r in pages.items() if r.get("error")}
    if errors:
        lines += ["", "Lighthouse reported an error on: " + "; ".join(f"`{p}`: {e[:200]}" for p, e in errors.items())]
    return lines


def main(argv: list[str] | None = None) -> int:
    urls = argv if argv is not None else sys.argv[1:]
    if not urls:
        print(__doc__)
        return 2
    for url in urls:
        print(json.dumps({"url": url, **audit(url)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

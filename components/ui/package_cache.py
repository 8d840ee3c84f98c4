"""What every page shares: the cached data package, view state from the URL, notices.

The only Streamlit-aware glue between pages and the data layer.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

import streamlit as st

from components.words import MODE_LINES
from data.last_good import LastGood
from data.package import (
    Package,
    TableUnavailable,
    illustrative_mode,
    load_for_site,
    package_fingerprint,
)

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA = "data/nel"


def ensure_navigation() -> None:
    """Make every run go through dashboard.py's st.navigation.

    Streamlit treats a folder named pages/ beside the entry point as its legacy multipage API until
    the process first calls st.navigation: a page opened first after a restart (or in AppTest) would
    run on its own, without the site's navigation, header and URL paths. Switch that mode off and
    rerun, so the entry point takes over. Called first by dashboard.py and by every page.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def data_source() -> str:
    source = os.environ.get("NEL_DATA", "").strip() or DEFAULT_DATA
    if "://" not in source and not Path(source).is_absolute():
        source = str(ROOT / source)
    return source


@st.cache_resource(max_entries=4, ttl=600, show_spinner="Loading the data…")
def _load(source: str, fingerprint: str, mode: str) -> Package:
    from components.ui import oplog
    pkg = load_for_site(source, mode)
    oplog.note_package(pkg, event="package_loaded")  # one log line per package version, for operators
    return pkg


def showing_illustrative() -> bool:
    """Whether this site shows illustrative values (NEL_ILLUSTRATIVE=show). No URL or control changes it."""
    return illustrative_mode() == "show"


def mode_line() -> str:
    """The one short line every page and slide carries saying which figures the site shows."""
    return MODE_LINES[illustrative_mode()]


FINGERPRINT_SECONDS = 2.0  # how long a look at the package's files is trusted: a new package shows within 2 s
_fingerprints: dict[str, tuple[float, str]] = {}


def _fingerprint(source: str) -> str:
    """package_fingerprint, at most once every FINGERPRINT_SECONDS per source: it stats every file, which
    was 7-9% of a replica's busy time under load (bench/capacity.md)."""
    now = time.monotonic()
    seen = _fingerprints.get(source)
    if seen is None or now - seen[0] > FINGERPRINT_SECONDS:
        seen = (now, package_fingerprint(source))
        _fingerprints[source] = seen
    return seen[1]


# The last version of each package that passed every check, served while a newer one fails (data/last_good.py).
LAST_GOOD = LastGood()


def package() -> Package:
    """The checked package, without any illustrative row unless the site shows them; cached per source,
    per version of its files and per mode. When the files change and the new version fails its checks, the
    last version that passed is served (and the refusal logged) until a valid one appears."""
    source, mode = data_source(), illustrative_mode()
    return LAST_GOOD.choose((source, mode), _load(source, _fingerprint(source), mode))


@st.cache_resource(max_entries=256, ttl=3600, show_spinner=False)
def _built(version: str, name: str, params: tuple, _build, _tables):
    return _build(_tables, *params)


def built(name: str, build, *params):
    """``build(tables, *params)``, computed once per package version and parameters and shared by
    every session: derived frames and chart cards, so that a rerun only renders.

    ``name`` identifies the builder (unique per page and purpose); ``params`` are the view's plain
    values (strings, numbers). Whatever comes back is shared: never modify it.
    """
    pkg = package()
    return _built(pkg.version, name, tuple(params), build, pkg.tables)


def card(kind: str, **params):
    """The catalogue's chart ``kind`` (components/cards/catalogue.py) for these view parameters, built once
    per package version: the pages, the slides and the report draw every chart the same way."""
    for value in params.values():
        if not isinstance(value, (str, int, float, bool, type(None))):
            raise TypeError(f"chart parameter {value!r} is not a plain value")
    return built(f"card:{kind}", _catalogue_card, kind, *sorted(params.items()))


def _catalogue_card(tables, kind, *items):
    from components.cards.catalogue import build
    return build(tables, kind, **dict(items))


def available(*names: str) -> bool:
    """Whether every named table passed its checks, after a plain-English notice (naming the file and
    its problem) for each one that did not. Pages read the tables from ``package().tables``: shared,
    never modified, so no copy is made on a rerun."""
    pkg = package()
    problems = [exc for exc in map(pkg.unavailable, names) if exc is not None]
    for exc in problems:
        show_unavailable(exc)
    return not problems


def show_unavailable(exc: TableUnavailable) -> None:
    first = exc.problems[0] if exc.problems else None
    where = f" (`{str(first).replace('`', chr(39))}`)" if first else ""  # as code: text from the file stays inert
    st.warning(
        f"This part of the dashboard cannot be shown: the published file for **{exc.table}** failed its "
        f"checks{where}. The rest of the dashboard still works; the 'About the data' page lists every problem.",
        icon="⚠️",
    )

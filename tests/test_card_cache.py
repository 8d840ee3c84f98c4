"""Chart cards are built once per package version and view, then only drawn (components.ui.package_cache.built/card)."""
from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import components.ui.package_cache as app_module
from components.cards import catalogue
from components.publish.deck import parse_deck
from components.ui.package_cache import card
from components.ui.present import build_slide
from data.package import load_package

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "dashboard.py")


@pytest.fixture
def builds(monkeypatch):
    """Count the catalogue's builder calls, from an empty cache."""
    calls = Counter()
    for kind, build in list(catalogue.KINDS.items()):
        def counted(*args, _kind=kind, _build=build, **kwargs):
            calls[_kind] += 1
            return _build(*args, **kwargs)
        monkeypatch.setitem(catalogue.KINDS, kind, counted)
    st.cache_resource.clear()
    yield calls
    st.cache_resource.clear()


def chart_specs(at: AppTest) -> list[str]:
    return [c.proto.spec for c in at.get("plotly_chart")]


def test_a_rerun_draws_the_cards_built_before_and_a_new_view_builds_its_own(monkeypatch, builds):
    monkeypatch.delenv("NEL_DATA", raising=False)
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("pages/workforce.py").run()
    assert not at.exception
    first, specs = dict(builds), chart_specs(at)
    assert {"representation_trend", "wres_ratios", "wres_survey", "board_gap"} <= set(first)
    assert all(n == 1 for n in first.values()), first

    at.run()
    assert dict(builds) == first, "a rerun of the same view must not build any card again"
    assert chart_specs(at) == specs

    at.query_params["org"] = "R1H"
    at.run()
    assert not at.exception
    assert builds["representation_trend"] == 2 and builds["wres_ratios"] == 2
    assert chart_specs(at) != specs


def test_a_changed_package_is_drawn_afresh(monkeypatch, tmp_path, builds):
    data = tmp_path / "nel"
    shutil.copytree(ROOT / "data" / "nel", data)
    monkeypatch.setenv("NEL_DATA", str(data))
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("pages/strategy.py").run()
    pillars = load_package(data).tables["pillars"]
    old = str(pillars["name"].iloc[0])
    assert any(old in h.value for h in at.subheader), [h.value for h in at.subheader]

    path = data / "pillars.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(old, "Renamed pillar for the cache test"), encoding="utf-8")
    monkeypatch.setattr(app_module, "FINGERPRINT_SECONDS", 0.0)  # look at the files on this run (see below)
    at.run()
    assert not at.exception
    shown = " ".join(h.value for h in at.subheader)
    assert "Renamed pillar for the cache test" in shown and old not in shown


def test_a_slide_with_a_parameter_that_is_not_a_plain_value_gets_a_notice():
    with pytest.raises(TypeError):
        card("wres_ratios", org=["R1H", "RQX"])
    deck = parse_deck("mine", "slides:\n  - kind: wres_ratios\n    params: {org: [R1H, RQX]}\n")
    slide, notice = build_slide(load_package(ROOT / "data" / "nel"), deck.slides[0], make=card)
    assert slide is None and "settings do not match the data" in notice


def test_the_packages_files_are_looked_at_once_per_window(monkeypatch, tmp_path):
    """package_fingerprint stats every file: the app does it at most once every FINGERPRINT_SECONDS per source."""
    calls = []
    monkeypatch.setattr(app_module, "package_fingerprint", lambda source: calls.append(source) or f"v{len(calls)}")
    monkeypatch.setattr(app_module, "_fingerprints", {})
    clock = [100.0]
    monkeypatch.setattr(app_module.time, "monotonic", lambda: clock[0])
    assert app_module._fingerprint("pkg") == "v1" and app_module._fingerprint("pkg") == "v1"
    clock[0] += app_module.FINGERPRINT_SECONDS / 2
    assert app_module._fingerprint("pkg") == "v1" and len(calls) == 1
    clock[0] += app_module.FINGERPRINT_SECONDS
    assert app_module._fingerprint("pkg") == "v2" and len(calls) == 2  # a changed package shows after the window

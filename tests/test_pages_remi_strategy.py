"""AppTests for the REMI and strategy pages through dashboard.py, with good and bad links."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from components.charts.palette import ILLUSTRATIVE_LABEL
from tests.site import PAGES

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "dashboard.py")
REMI_PAGE = PAGES["remi"][0]
STRATEGY_PAGE = PAGES["strategy"][0]


def run(page: str, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def charts(at: AppTest) -> list[tuple[dict, str]]:
    return [(json.loads(c.proto.spec), c.proto.alt) for c in at.get("plotly_chart")]


def notices(at: AppTest) -> list[str]:
    return [n.value for n in at.info]


def radar_of(at: AppTest) -> dict:
    return next(spec for spec, _ in charts(at) if spec["data"][0]["type"] == "scatterpolar" and "polar2" not in spec["layout"])


def test_remi_default_view():
    at = run(REMI_PAGE)
    assert [t.value for t in at.title] == ["REMI maturity"]
    assert any("Every REMI score on this page is illustrative" in w.value for w in at.warning)
    assert any("this dashboard's convention" in m.value for m in at.markdown)
    found = charts(at)
    assert len(found) == 3 and all(alt.strip() for _, alt in found)
    assert at.selectbox(key="remi-org").value == "QMF" and at.selectbox(key="remi-year").value == "2025"
    assert at.query_params["org"] == "QMF" and at.query_params["year"] == "2025"
    radar = radar_of(at)
    names = [t["name"] for t in radar["data"]]
    assert any(n.startswith("NEL ICB, 2025") for n in names) and any(n.startswith("NEL ICB, 2024") for n in names)
    assert any(n.startswith("NEL median, 2025") for n in names)
    assert all(ILLUSTRATIVE_LABEL in n for n in names)
    assert not notices(at)
    # the stages explained, with LARCH cited
    assert any("**Championing**" in m.value for m in at.markdown)
    assert any("anti-racism.london" in m.value for m in at.markdown)


def test_remi_linked_organisation_and_year():
    at = run(REMI_PAGE, org="R1H", year="2024")
    assert at.selectbox(key="remi-org").value == "R1H" and at.selectbox(key="remi-year").value == "2024"
    radar = radar_of(at)
    current = next(t for t in radar["data"] if t["name"].startswith("Barts Health, 2024"))
    remi = pd.read_csv(ROOT / "data" / "nel" / "remi.csv")
    domains = pd.read_csv(ROOT / "data" / "nel" / "remi_domains.csv").sort_values("sort_order")
    want = remi[(remi.ods_code == "R1H") & (remi.year == 2024)].set_index("domain_id").loc[domains.domain_id, "stage"].tolist()
    assert current["r"] == want + want[:1]
    assert not any(t["name"].startswith("Barts Health, 2023") for t in radar["data"])  # no earlier year in the data
    assert not notices(at)


@pytest.mark.parametrize("params,expected", [
    ({"org": "NOPE"}, "organisation “NOPE” is not one this page knows"),
    ({"year": "abc"}, "year “abc” is not one this page knows"),
    ({"year": "1999"}, "year “1999” is not one this page knows"),
    ({"org": "R" * 5000}, "organisation was too long"),
])
def test_remi_bad_links_give_a_notice_and_the_default(params, expected):
    at = run(REMI_PAGE, **params)
    assert any(expected in n for n in notices(at)), notices(at)
    assert at.selectbox(key="remi-org").value == "QMF" and at.selectbox(key="remi-year").value == "2025"
    found = charts(at)
    assert len(found) == 3 and all(alt.strip() for _, alt in found)


def test_remi_changing_the_organisation_updates_the_link():
    at = run(REMI_PAGE)
    at.selectbox(key="remi-org").set_value("RF4").run()
    assert not at.exception
    assert at.query_params["org"] == "RF4"
    assert any(t["name"].startswith("BHRUT, 2025") for t in radar_of(at)["data"])


def test_strategy_page():
    at = run(STRATEGY_PAGE)
    assert [t.value for t in at.title] == ["Strategy tracker"]
    found = charts(at)
    assert len(found) == 1 and found[0][1].startswith("Horizontal stacked bar chart")
    assert found[0][0]["data"][0]["type"] == "bar"
    n = len(pd.read_csv(ROOT / "data" / "nel" / "commitments.csv"))
    assert any(m.value.startswith(f"0 of {n} commitments have a published progress report yet") for m in at.markdown)
    pillars = pd.read_csv(ROOT / "data" / "nel" / "pillars.csv").sort_values("sort_order")["name"].tolist()
    subheaders = [s.value for s in at.subheader]
    assert [s for s in subheaders if s in pillars] == pillars
    assert [h.value for h in at.header] == ["Progress at a glance", "The five pillars and their commitments",
                                            "You said, together, we did"]
    badges = [m.value for m in at.markdown if "badge[" in m.value]
    assert sum("Progress: Not yet reported" in b for b in badges) == n
    assert any("illustrative examples, not real data" in w.value for w in at.warning)


@pytest.mark.parametrize("params", [{}, {"org": "R1H", "year": "2024"}, {"org": "NOPE", "year": "abc"},
                                    {"year": "1999"}, {"org": "x" * 5000}])
def test_strategy_ignores_view_parameters_safely(params):
    at = run(STRATEGY_PAGE, **params)
    assert len(at.get("plotly_chart")) == 1


def test_strategy_escapes_text_from_the_data(tmp_path, monkeypatch):
    data = tmp_path / "nel"
    shutil.copytree(ROOT / "data" / "nel", data)
    path = data / "commitments.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[0, "commitment"] = "**Bold** [click](javascript:alert(1)) <b>x</b>"
    frame.to_csv(path, index=False)
    monkeypatch.setenv("NEL_DATA", str(data))
    at = run(STRATEGY_PAGE)
    texts = [m.value for m in at.markdown]
    assert any("\\*\\*Bold\\*\\* \\[click\\]\\(javascript\\:alert\\(1\\)\\) \\<b\\>x\\</b\\>" in t for t in texts), \
        [t for t in texts if "Bold" in t]

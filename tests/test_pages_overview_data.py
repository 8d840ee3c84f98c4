"""AppTests for / (Overview) and /data (About the data), with and without (bad) query parameters."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data.package import load_package
from data.schema import SHIPPED_PACKAGE

APP = str(Path(__file__).resolve().parents[1] / "dashboard.py")
LONG = "x" * 5000


def run(page: str | None = None, **params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def markdown_text(at: AppTest) -> str:
    """All Markdown on the page, with the escaping backslashes removed (as a reader sees it)."""
    return "\n".join(m.value for m in at.markdown).replace("\\", "")


def check_overview(at: AppTest) -> None:
    assert at.title[0].value == "Race equity in NHS North East London"
    metrics = {m.label: m for m in at.metric}
    assert len(metrics) == 6
    assert metrics["NEL residents (from ONS Census counts)"].value == "53.7%"
    assert metrics["NEL residents (as stated in the strategy)"].value == "53%"
    assert metrics["NHS staff, 2024"].value == "55%"
    assert metrics["Board members, 2024"].value.endswith("%")  # board members are never withheld
    band = next(m for label, m in metrics.items() if label.startswith("Staff on band 8a and above"))
    assert band.proto.delta.endswith(" points") and band.proto.delta_description.startswith("since ")
    assert band.proto.color == band.proto.GRAY          # a change is neither good nor bad by colour
    text = markdown_text(at)
    assert text.count("**Source:**") == 6 and text.count("**Status:**") == 6 and text.count("**Period:**") == 6
    assert "https://northeastlondon.icb.nhs.uk/" in text
    assert "Worked out by this dashboard from the ONS counts" in text
    assert "No figure for the year before (2023)" in text
    charts = at.get("plotly_chart")
    assert len(charts) == 1 and charts[0].proto.alt.startswith("Horizontal bar chart")
    spec = json.loads(charts[0].proto.spec)
    assert {t.get("name") for t in spec["data"]} >= {"Published", "Illustrative (not real data)"}
    links = [p.proto.page for p in at.get("page_link")]
    assert links == ["boroughs", "workforce", "remi", "trust", "outcomes", "strategy", "data"]
    assert [h.value for h in at.header] == ["Your borough", "Headline figures", "Residents' outcomes",
                                           "How to read this dashboard", "Sections"]
    assert "In Newham, 69.2% of residents are from the global majority" in text.replace("\\", "")
    assert "/trust?org=R1H" in text and "/boroughs?borough=E09000025" in text  # one step to the answer


def test_overview_default():
    check_overview(run())


@pytest.mark.parametrize("params", [
    {"org": LONG}, {"year": "abc", "borough": "E09999999"}, {"org": "<script>alert(1)</script>", "group": "[x](javascript:1)"},
])
def test_overview_ignores_junk_parameters(params):
    at = run(**params)
    check_overview(at)
    if "borough" in params:
        assert any("is not one this page knows" in i.value for i in at.info)
    assert "javascript" not in markdown_text(at)


def check_data_page(at: AppTest, org: str = "NEL") -> None:
    assert at.title[0].value == "About the data"
    headers = [h.value for h in at.header]
    assert headers == ["Data checks", "Sources", "Definitions", "Coverage: published, illustrative or missing",
                       "Downloads", "Licences and attribution", "Accessibility statement", "Privacy"]
    pkg = load_package(SHIPPED_PACKAGE)
    ids = [b.proto.id for b in at.get("download_button")]
    for name in pkg.tables:                                   # one download per table
        assert sum(i.endswith(f"download-table-{name}") for i in ids) == 1, name
    assert any(i.endswith("download-package") for i in ids)
    assert any(i.endswith("download-coverage") for i in ids)
    labels = [b.proto.label for b in at.get("download_button")]
    assert any(label.startswith("Download the whole data package (zip") for label in labels)
    assert at.selectbox(key="coverage-org").value == org
    charts = at.get("plotly_chart")
    assert charts and all('"heatmap"' in c.proto.spec for c in charts)
    text = markdown_text(at)
    assert "Open Government Licence v3" in text and "Contains Ordnance Survey data" in text
    assert "https://northeastlondon.icb.nhs.uk/" in text and "WCAG 2.2" in text
    assert "**BME (Black and minority ethnic).**" in text and "global majority" in text
    assert "All 21 tables passed their checks" in text


def test_data_page_default():
    at = run("pages/data.py")
    check_data_page(at)
    assert len(at.get("plotly_chart")) == 1          # the NEL system only has workforce figures
    assert not at.info


def test_data_page_long_org_is_ignored_with_a_notice():
    at = run("pages/data.py", org=LONG)
    check_data_page(at)
    assert any("too long" in i.value for i in at.info)


def test_data_page_org_from_link():
    at = run("pages/data.py", org="R1H")
    check_data_page(at, org="R1H")
    charts = at.get("plotly_chart")
    assert len(charts) == 3                            # workforce, WRES and REMI for a trust
    assert [c.proto.alt.split(".")[0] for c in charts][0].endswith("Barts Health")


def test_data_page_choosing_an_organisation():
    at = run("pages/data.py")
    at.selectbox(key="coverage-org").set_value("QMF").run()
    assert not at.exception
    assert at.query_params["org"] == "QMF"                # the choice is in the link
    assert len(at.get("plotly_chart")) == 1            # the ICB: REMI only


def test_data_page_lists_problems(tmp_path, monkeypatch):
    src = tmp_path / "pkg"
    shutil.copytree(SHIPPED_PACKAGE, src)
    lines = (src / "remi.csv").read_text().splitlines()
    lines[2] = lines[2].replace("illustrative,illustrative", "illustrative,maybe")
    (src / "remi.csv").write_text("\n".join(lines) + "\n")
    monkeypatch.setenv("NEL_DATA", str(src))
    at = run("pages/data.py")
    code = "\n".join(c.value for c in at.code)
    assert "remi.csv:3:status: unknown value 'maybe'" in code
    assert any("problem(s)" in w.value for w in at.warning)
    ids = [b.proto.id for b in at.get("download_button")]
    assert not any(i.endswith("download-table-remi") for i in ids)

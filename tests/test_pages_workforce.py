"""/workforce and /trust through dashboard.py: good and bad links give charts with text alternatives,
a notice for each bad value and a sensible default, never an exception."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "dashboard.py")
WORKFORCE, TRUST = "pages/workforce.py", "pages/trust.py"
LONG = "R1H" * 1667  # 5,001 characters


def open_page(page: str, **params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    at.query_params.clear()  # as a browser following a link: not the home page's own ?borough=
    for k, v in params.items():
        at.query_params[k] = v
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def charts(at: AppTest) -> list[dict]:
    out = []
    for el in at.get("plotly_chart"):
        assert el.proto.alt.strip(), "every chart has a text alternative"
        out.append({"alt": el.proto.alt, "spec": json.loads(el.proto.spec)})
    return out


def notices(at: AppTest) -> list[str]:
    return [unescape(i.value) for i in at.info]


def unescape(text: str) -> str:
    """Text as the reader sees it (components.words.plain escapes Markdown characters with a backslash)."""
    return re.sub(r"\\(.)", r"\1", text)


def subheaders(at: AppTest) -> list[str]:
    return [unescape(s.value) for s in at.subheader]


def markdown(at: AppTest) -> list[str]:
    return [unescape(m.value) for m in at.markdown]


def param(at: AppTest, name: str):
    value = at.query_params.get(name)
    return value[-1] if isinstance(value, list) else value


# --- /workforce ----------------------------------------------------------------------------------

def test_workforce_default_is_the_system_with_four_charts():
    at = open_page(WORKFORCE)
    assert [t.value for t in at.title] == ["Representation and WRES"]
    assert notices(at) == []
    assert param(at, "org") == "NEL" and param(at, "year") == "2024" and param(at, "group") == "band_8a_plus"
    drawn = charts(at)
    assert len(drawn) == 4
    assert drawn[0]["alt"].startswith("Line chart: the global-majority share of 6 staff groups at NEL system")
    assert "the five trusts" in " ".join(c.value for c in at.caption)
    # the system view of WRES shows each trust (rows labelled in the chart)
    labels = " ".join(a.get("text", "") for a in drawn[1]["spec"]["layout"]["annotations"])
    for trust in ("Barts Health", "BHRUT", "Homerton Healthcare", "ELFT", "NELFT", "England"):
        assert trust in labels
    # the guide to the nine indicators is a table with the direction of disadvantage
    guide = next(t.value for t in at.table if "Global-majority staff are at a disadvantage when" in t.value.columns)
    assert list(guide["Indicator"]) == [str(i) for i in range(1, 10)]


def test_workforce_for_one_trust():
    at = open_page(WORKFORCE, org="R1H")
    assert notices(at) == []
    drawn = charts(at)
    assert len(drawn) == 4 and all("Barts Health" in c["alt"] for c in drawn)
    heads = subheaders(at)
    # both published: band 8a and above 40% (2024) and all staff 'around 60%' (May 2023 pay-gap report)
    assert heads[0] == "Barts Health: band 8a and above is 20 points below the whole workforce"
    assert any(h.startswith("Barts Health, WRES 2024:") for h in heads)
    # the ratio chart has its neutral guide band and the line at 1
    ratio = drawn[1]["spec"]["layout"]["shapes"]
    assert any(s["type"] == "rect" and (s["x0"], s["x1"]) == (0.8, 1.25) for s in ratio)
    assert any(s["type"] == "line" and s["x0"] == s["x1"] == 1 for s in ratio)
    assert any("Illustrative (not real data)" in (t.get("name") or "") for t in drawn[0]["spec"]["data"])
    link = at.code[-1].value
    assert link.endswith("/workforce?org=R1H&group=band_8a_plus&year=2024")


@pytest.mark.parametrize("params,word", [
    ({"org": "NOPE"}, "NOPE"),
    ({"year": "abc"}, "abc"),
    ({"group": "nope"}, "nope"),
    ({"org": LONG}, "too long"),
    ({"org": "R1H", "year": "1999"}, "1999"),
])
def test_workforce_bad_values_give_a_notice_and_the_default(params, word):
    at = open_page(WORKFORCE, **params)
    assert any(word in n for n in notices(at)), notices(at)
    assert len(charts(at)) == 4
    assert param(at, "year") == "2024"
    assert param(at, "org") == ("R1H" if params.get("org") == "R1H" else "NEL")


def test_workforce_group_focuses_the_sentence():
    at = open_page(WORKFORCE, org="R1H", group="board")
    assert notices(at) == []
    assert subheaders(at)[0].startswith("Illustrative example: Barts Health: the board is")
    assert any(m.startswith("On the board,") for m in markdown(at))


def test_workforce_choosing_an_organisation_updates_the_link():
    at = open_page(WORKFORCE)
    at.selectbox(key="select-org").set_value("RF4").run()
    assert not at.exception
    assert param(at, "org") == "RF4"
    assert all("BHRUT" in c["alt"] for c in charts(at))
    at.selectbox(key="select-year").set_value("2022").run()
    assert param(at, "year") == "2022"
    assert any(h.startswith(("BHRUT, WRES 2022:", "Illustrative example: BHRUT, WRES 2022:")) for h in subheaders(at))


# --- /trust ----------------------------------------------------------------------------------------

def test_trust_default_is_barts_health_with_every_measure():
    at = open_page(TRUST)
    assert [t.value for t in at.title] == ["Trust profile"]
    assert notices(at) == []
    assert param(at, "org") == "R1H"
    drawn = charts(at)
    assert len(drawn) == 6
    alts = [c["alt"] for c in drawn]
    assert alts[0].startswith("Dot chart of the latest global-majority share of each staff group, one row per group")
    assert all(f"{name} ({shape}): " in alts[0] for name, shape in
               (("Barts Health", "circles"), ("NEL system", "squares"), ("England", "diamonds")))
    assert alts[-1].startswith("Dot chart for Barts Health: one row per REMI domain")
    headers = [h.value for h in at.header]
    assert headers == ["Leadership against the residents it serves", "Which figures are illustrative",
                       "Representation by staff group", "WRES indicators, 2024", "Race Equity Maturity Index (REMI)"]
    summary = " ".join(markdown(at))
    assert "REMI self-assessment: all 10 figures are illustrative (not real data)." in summary
    assert "WRES indicators 5 to 8: all 4 figures are published." in summary  # Barts' own: England's are not counted
    assert at.code[0].value.endswith("/trust?org=R1H&group=band_8a_plus")  # the group the trend card describes


@pytest.mark.parametrize("params,word", [({"org": "NOPE"}, "NOPE"), ({"org": LONG}, "too long"),
                                         ({"org": "R1H", "group": "nope"}, "nope")])
def test_trust_bad_values_give_a_notice_and_the_default(params, word):
    at = open_page(TRUST, **params)
    assert any(word in n for n in notices(at)), notices(at)
    assert param(at, "org") == "R1H"
    assert len(charts(at)) == 6


@pytest.mark.parametrize("org,name,n_charts", [("RWK", "ELFT", 6), ("NEL", "NEL system", 5), ("QMF", "NEL ICB", 1)])
def test_trust_other_organisations(org, name, n_charts):
    at = open_page(TRUST, org=org, year="abc", group="board")
    drawn = charts(at)
    assert len(drawn) == n_charts and all(name in c["alt"] or "Barts Health" in c["alt"] for c in drawn)
    if org == "QMF":  # the ICB has REMI figures only: every other part says so
        assert sum("not in this dashboard yet" in n for n in notices(at)) == 5
    if org == "NEL":
        assert any("REMI self-assessment for all NHS trusts in north east London: not in this dashboard yet" in n
                   for n in notices(at))
    # ?group= stays only where the trend card describes that group (the ICB has no workforce figures)
    assert at.code[0].value.endswith(f"/trust?org={org}" + ("&group=board" if org != "QMF" else ""))

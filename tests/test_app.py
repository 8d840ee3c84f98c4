"""The app shell: runs on the shipped package, survives a broken one, keeps the public settings."""
from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.site import PAGES

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "dashboard.py")


def run_app(monkeypatch, data: Path | str | None = None, page: str | None = None) -> AppTest:
    if data is not None:
        monkeypatch.setenv("NEL_DATA", str(data))
    at = AppTest.from_file(APP, default_timeout=90).run()
    if page:
        at.switch_page(page).run()
    return at


def test_dashboard_runs_on_the_shipped_package(monkeypatch):
    monkeypatch.delenv("NEL_DATA", raising=False)
    at = run_app(monkeypatch)
    assert not at.exception
    assert len(at.title) == 1 and at.title[0].value
    assert not [w for w in at.warning if "failed their checks" in w.value]


def test_site_notice_names_a_broken_file(monkeypatch, tmp_path):
    broken = tmp_path / "nel"
    shutil.copytree(ROOT / "data" / "nel", broken)
    (broken / "wres.csv").write_bytes(b"")
    at = run_app(monkeypatch, broken)
    assert not at.exception
    assert [w.value for w in at.warning if "failed their checks" in w.value]


# Pages that need WRES must say so, naming the file; the others must work as normal.
NEEDS_WRES = {"workforce", "trust"}


@pytest.mark.parametrize("url_path", list(PAGES))
def test_every_page_survives_a_broken_package(monkeypatch, tmp_path, url_path):
    broken = tmp_path / "nel"
    shutil.copytree(ROOT / "data" / "nel", broken)
    (broken / "wres.csv").write_bytes(b"")
    at = run_app(monkeypatch, broken, PAGES[url_path][0])
    assert not at.exception
    assert len(at.title) == 1
    notices = [w.value for w in at.warning]
    texts = " ".join(m.value for m in [*at.markdown, *at.warning, *at.info, *at.caption])
    assert "Traceback" not in texts and "Error:" not in texts
    if url_path in NEEDS_WRES:
        assert any("wres.csv" in n and "file is empty" in n for n in notices), notices
    else:
        assert not any("wres" in n for n in notices), notices
        assert at.get("plotly_chart") or url_path == "", "pages that do not need WRES still draw their charts"


def test_public_deployment_settings():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["browser"]["gatherUsageStats"] is False
    assert config["server"]["address"] == "127.0.0.1"
    assert config["server"]["enableXsrfProtection"] is True
    assert config["client"]["toolbarMode"] == "viewer"
    assert config["client"]["showErrorDetails"] == "none"


def test_data_and_geo_layers_never_import_streamlit():
    for folder in ("data", "geo"):
        for path in (ROOT / folder).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            assert "import streamlit" not in text and "from streamlit" not in text, path

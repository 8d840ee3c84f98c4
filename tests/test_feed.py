"""The feed of releases (components/publish/feed.py, /lite/feed.xml): it parses as Atom with one entry per release,
each with an id, a title, an updated date, a link and a summary; every low-bandwidth page names it in its head; the
low-bandwidth data page lists the releases; the package zip and the report name the release they hold."""
from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from components.publish import feed
from components.publish.site import Writer
from components.publish.site_pages import Content
from data import export, releases
from data import merge as merge_cli
from data.package import load_package, published_only
from deploy import prodctl
from tests.test_merge import workforce_rows
from tests.test_releases import submission

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "data" / "nel"
A = "{http://www.w3.org/2005/Atom}"


def entries(data: bytes) -> list[ET.Element]:
    root = ET.fromstring(data)
    assert root.tag == f"{A}feed"
    for name in ("id", "title", "updated"):
        assert (root.findtext(f"{A}{name}") or "").strip(), name
    assert root.find(f"{A}author/{A}name") is not None
    return root.findall(f"{A}entry")


def check_entry(entry: ET.Element) -> dict[str, str]:
    found = {name: (entry.findtext(f"{A}{name}") or "").strip() for name in ("id", "title", "updated", "summary")}
    assert all(found.values()), found
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", found["updated"])
    assert found["id"].startswith("urn:uuid:")
    links = entry.findall(f"{A}link")
    alternate = [x.get("href") for x in links if x.get("rel") == "alternate"]
    assert len(alternate) == 1 and alternate[0]
    found["link"] = alternate[0]
    found["related"] = " ".join(x.get("href") or "" for x in links if x.get("rel") == "related")
    return found


@pytest.fixture
def merged(tmp_path, monkeypatch) -> Path:
    target = tmp_path / "nel"
    shutil.copytree(SHIPPED, target)
    monkeypatch.setattr(releases, "today", lambda: dt.date(2026, 12, 8))
    assert merge_cli.main([*map(str, submission(tmp_path, workforce_rows())), "--package", str(target)]) == 0
    return target


def test_the_feed_has_one_entry_per_release_newest_first():
    tables = load_package(SHIPPED).tables
    found = [check_entry(e) for e in entries(feed.feed_xml(tables))]
    log = tables["releases"]
    assert len(found) == len(log) == 6
    assert len({f["id"] for f in found}) == 6
    assert [f["link"] for f in found] == [f"data.html#release-{i}" for i in ("2026-12-07-3", "2026-12-07-2", "2026-12-07-1",
                                                                            "2026-11-27-2", "2026-11-27-1", "2026-11-25-1")]
    assert found[0]["updated"] == "2026-12-07T00:00:00Z" and found[-1]["updated"] == "2026-11-25T00:00:00Z"
    assert found[4]["title"].startswith("27 November 2026: Census 2021 ethnic group")
    assert "boroughs.html" in found[4]["related"]
    # the same release keeps its id in every build and wherever the site is served
    again = [check_entry(e) for e in entries(feed.feed_xml(tables, "https://dashboard.example.org"))]
    assert [f["id"] for f in again] == [f["id"] for f in found]
    assert again[0]["link"] == "https://dashboard.example.org/data#release-2026-12-07-3"


def test_a_merged_release_is_the_feeds_newest_entry(merged):
    tables = load_package(merged).tables
    found = [check_entry(e) for e in entries(feed.feed_xml(tables))]
    assert len(found) == len(load_package(SHIPPED).tables["releases"]) + 1
    assert found[0]["updated"] == "2026-12-08T00:00:00Z" and found[0]["link"] == "data.html#release-2026-12-08-1"
    assert "trust-R1H.html" in found[0]["related"] and "workforce-NEL.html" in found[0]["related"]
    assert found[0]["summary"].endswith(". 7 rows added.")


def test_low_bandwidth_pages_name_the_feed_and_the_data_page_lists_the_releases(tmp_path):
    pkg = published_only(load_package(SHIPPED))
    pages = Content(pkg, hidden=True).pages()
    files = feed.releases_feed(pkg.tables, pages)
    assert set(files) == {"feed.xml"} and len(entries(files["feed.xml"])) == len(pkg.tables["releases"])
    writer = Writer(tmp_path, "", True)
    writer.last_changed = "Figures last changed 7 December 2026."
    html = {p.file: writer.page_html(p) for p in pages}
    head_link = "<link rel='alternate' type='application/atom+xml'"
    assert all(head_link in text.split("</head>")[0] and "href='feed.xml'" in text for text in html.values())
    assert all("<footer><p>Figures last changed 7 December 2026." in text for text in html.values())
    data = html["data.html"]
    assert data.index("id='checks'") < data.index("id='what-changed'") < data.index("id='sources'")
    assert "<h3 id='release-2026-11-25-1'>25 November 2026 (release 2026-11-25-1)</h3>" in data
    assert "illustrative" not in data[data.index("id='what-changed'"):data.index("id='sources'")].lower()
    assert "Barts Health&#x27;s figures last arrived on 25 November 2026" in html["trust-R1H.html"]


def test_the_app_pages_name_the_feed_through_nginx_once_the_site_is_built(tmp_path):
    assert "application/atom+xml" not in prodctl.share_conf(tmp_path)
    (tmp_path / "feed.xml").write_bytes(feed.feed_xml(load_package(SHIPPED).tables))
    conf = prodctl.share_conf(tmp_path)
    heads = [ln for ln in conf.splitlines() if ln.strip().startswith(("overview \"<meta", "trust \"<meta"))]
    assert len(heads) == 2 and all('type=\\"application/atom+xml\\"' in h and '/lite/feed.xml' in h for h in heads)


def test_the_package_zip_names_the_release_it_holds(merged):
    archive = export.package_zip(load_package(merged))
    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
        manifest = json.loads(zf.read("datapackage.json"))
        log = zf.read("releases.csv").decode()
    assert manifest["release"] == {"id": "2026-12-08-1", "date": "2026-12-08"}
    assert manifest["description"].endswith("This download holds release 2026-12-08-1 of 8 December 2026.")
    assert log.splitlines()[-1].startswith("2026-12-08-1,2026-12-08,sources;workforce,R1H,7,0,0,")
    assert export.package_zip(load_package(merged)) == archive    # still the same bytes every time

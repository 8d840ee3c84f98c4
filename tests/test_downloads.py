"""Downloads say what they are (#20 part 5): a chart's CSV holds every row the chart draws, each with its
source's licence and attribution; the package zip carries a README and the licence."""
from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

from components.cards import catalogue
from components.cards.base import LICENCE_COLUMN
from data import export
from data.package import load_for_site, load_package

PACKAGE = Path(__file__).resolve().parents[1] / "data" / "nel"
HAVERING = "E09000016"


def rows_of(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def test_the_map_csv_holds_all_33_boroughs_the_map_draws():
    tables = load_package(PACKAGE).tables
    card = catalogue.residents_map(tables, borough=HAVERING)
    rows = rows_of(card.csv_bytes())
    boroughs = {r["Borough or area"].removesuffix(" (chosen)") for r in rows if r["Part of NEL"] in ("Yes", "No")}
    assert boroughs == set(tables["boroughs"]["name"])
    assert len(boroughs) == 33
    assert len(card.table) < len(rows)  # the page's table lists NEL's eight; the download holds the whole map


def test_every_chart_csv_row_names_its_sources_licence_and_publisher():
    tables = load_package(PACKAGE).tables
    for card in (catalogue.residents_map(tables, borough=HAVERING), catalogue.staff_profile(tables)):
        rows = rows_of(card.csv_bytes())
        published = [r for r in rows if r["Status"] == "Published"]
        assert published, card.key
        for r in published:
            assert "(attribution: " in r[LICENCE_COLUMN] and r["Source"] in r[LICENCE_COLUMN], (card.key, r)
        census = [r for r in published if "TS021" in r["Source"]]
        assert card.key != "borough-map" or census
        assert all(r[LICENCE_COLUMN].startswith("Open Government Licence v3.0 (attribution: Office for National "
                                                           "Statistics") for r in census)


def test_the_package_zip_carries_a_readme_and_the_licence():
    pkg = load_package(PACKAGE)
    with zipfile.ZipFile(io.BytesIO(export.package_zip(pkg))) as zf:
        readme = zf.read("README.md").decode("utf-8")
        licence = zf.read("LICENCE.md").decode("utf-8")
        csvs = [n for n in zf.namelist() if n.endswith(".csv")]
    assert all(f"`{name}`" in readme for name in csvs)
    assert "withheld" in readme.lower() or "small-number" in readme
    assert "illustrative" in readme  # the demo's zip says what its invented rows are
    assert "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/" in licence
    assert "Census 2021: TS021 Ethnic group" in licence and "Open Government Licence v3.0" in licence


def test_the_published_only_zip_readme_says_so():
    with zipfile.ZipFile(io.BytesIO(export.package_zip(load_for_site(PACKAGE, "hide")))) as zf:
        readme = zf.read("README.md").decode("utf-8")
    assert "published figures only" in readme and "illustrative" not in readme.lower()

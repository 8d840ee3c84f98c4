"""Which organisations and years a reader can choose (data.selection), on the shipped package."""
from __future__ import annotations

import pytest

from data import selection
from tests.workforce_rows import shipped_package


@pytest.fixture(scope="module")
def shipped():
    return shipped_package()


def test_org_choices_and_years_on_the_shipped_package(shipped):
    t, shares, wres, names = shipped
    assert selection.org_choices(t) == ["R1H", "RAT", "RF4", "RQX", "RWK", "NEL"]
    assert selection.org_choices(t, include_icb=True) == ["R1H", "RAT", "RF4", "RQX", "RWK", "QMF", "NEL"]  # QMF has REMI rows
    assert selection.wres_orgs(wres, "NEL", selection.org_choices(t)) == ["R1H", "RAT", "RF4", "RQX", "RWK"]
    assert selection.wres_years(wres, ["R1H"])[-1] == 2024

"""The loader: typed frames from a folder or an http(s) URL; a version key that follows the files."""
from __future__ import annotations

import functools
import http.server
import shutil
import threading
from pathlib import Path

import pandas as pd
import pytest

from data.package import load_package, package_fingerprint

SHIPPED = Path(__file__).resolve().parents[1] / "data" / "nel"


@pytest.fixture
def http_package(tmp_path):
    """Serve a copy of the shipped package from a local http.server on 127.0.0.1."""
    root = tmp_path / "site"
    shutil.copytree(SHIPPED, root / "nel")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a, **k: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/nel/datapackage.json", root / "nel"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_folder_gives_typed_frames():
    package = load_package(SHIPPED)
    assert package.valid, [str(p) for p in package.problems]
    workforce = package.table("workforce")
    assert str(workforce["year"].dtype) == "Int64"
    assert str(workforce["gm_percent"].dtype) == "Float64"
    assert str(package.table("boroughs")["in_nel"].dtype) == "boolean"
    assert package.table("boroughs")["in_nel"].sum() == 8
    assert len(package.table("boroughs")) == 33
    assert pd.api.types.is_datetime64_any_dtype(package.table("sources")["date_retrieved"])


def test_table_returns_a_copy():
    package = load_package(SHIPPED)
    frame = package.table("organisations")
    frame.loc[:, "name"] = "changed"
    assert (package.table("organisations")["name"] != "changed").all()


def test_url_gives_the_same_tables_as_the_folder(http_package):
    url, _ = http_package
    remote = load_package(url)
    local = load_package(SHIPPED)
    assert remote.valid, [str(p) for p in remote.problems]
    assert remote.version == local.version
    for name, frame in local.tables.items():
        pd.testing.assert_frame_equal(remote.tables[name], frame, check_like=False)


def test_url_with_a_missing_file_reports_http_error(http_package):
    url, folder = http_package
    (folder / "remi.csv").unlink()
    package = load_package(url)
    assert any(str(p) == "remi.csv:-:-: could not download the file (HTTP 404)" for p in package.problems)
    assert "remi" in package.broken and "workforce" not in package.broken


def test_unreachable_url_is_a_problem_not_an_exception():
    package = load_package("http://127.0.0.1:9/nel/datapackage.json")
    assert not package.valid
    assert package.problems[0].file == "datapackage.json"
    assert "could not download" in package.problems[0].message


def test_version_and_fingerprint_change_when_a_file_changes(tmp_path):
    folder = tmp_path / "nel"
    shutil.copytree(SHIPPED, folder)
    before = (package_fingerprint(folder), load_package(folder).version)
    path = folder / "pillars.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("Resources and enablers", "Resources & enablers"), encoding="utf-8")
    after = (package_fingerprint(folder), load_package(folder).version)
    assert before[0] != after[0] and before[1] != after[1]
    assert package_fingerprint(folder) == after[0]

"""components/ui/oplog.py: JSON-lines operator logs. The start-up line (package version and validation
summary), one line per table that failed its checks, an uncaught error in a session logged with its
request id and traceback, and no IP address anywhere. (The same lines from real replicas under
supervisord: tests/test_supervisor.py.)"""
from __future__ import annotations

import io
import json
import logging
import re
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from components.ui import oplog
from data.package import load_package

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def captured():
    buf = io.StringIO()
    oplog.setup(buf)
    oplog._seen_versions.clear()
    yield buf
    oplog.setup()


def lines(buf: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in buf.getvalue().splitlines()]


def test_start_up_line_has_the_package_version_and_validation_summary(captured):
    manifest = json.loads((ROOT / "data" / "nel" / "datapackage.json").read_text(encoding="utf-8"))
    oplog.note_package(load_package(ROOT / "data" / "nel"))
    oplog.note_package(load_package(ROOT / "data" / "nel"))          # same version: logged once
    (start,) = lines(captured)
    assert (start["event"], start["level"], start["logger"]) == ("start", "info", "nel")
    assert start["package"] == manifest["name"] and start["package_version"] == manifest["version"]
    assert start["validation"] == {"tables_checked": len(manifest["resources"]), "tables_passed": len(manifest["resources"]),
                                   "tables_failed": [], "problems": 0, "valid": True}


def test_a_table_that_failed_its_checks_gets_its_own_line(captured, tmp_path):
    package = tmp_path / "nel"
    shutil.copytree(ROOT / "data" / "nel", package)
    manifest = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))
    path = next(r["path"] for r in manifest["resources"] if r["name"] == "wres")
    rows = (package / path).read_text(encoding="utf-8").splitlines()
    rows[1] = rows[1] + ",one cell too many"
    (package / path).write_text("\n".join(rows) + "\n", encoding="utf-8")
    oplog.note_package(load_package(package))
    start, failed = lines(captured)
    assert start["validation"]["tables_failed"] == ["wres"] and start["validation"]["valid"] is False
    assert start["validation"]["tables_passed"] == len(manifest["resources"]) - 1
    assert (failed["event"], failed["level"], failed["table"], failed["file"]) == ("table_failed", "warning", "wres", path)
    assert failed["problem_count"] >= 1
    assert any(p.startswith(f"{path}:2:") for p in failed["problems"]), failed["problems"]


def test_an_uncaught_error_in_a_session_is_one_json_line_with_a_request_id():
    oplog.setup()
    error_logger = logging.getLogger("streamlit.error_util")
    # Streamlit's own console handler now writes JSON lines with the request context
    assert error_logger.handlers and all(isinstance(h.formatter, oplog.JsonLines) for h in error_logger.handlers)
    assert all(oplog._FILTER in h.filters for h in error_logger.handlers)
    buf = io.StringIO()
    probe = logging.StreamHandler(buf)                     # the same formatter and filter, into a buffer
    probe.setFormatter(error_logger.handlers[0].formatter)
    probe.addFilter(oplog._FILTER)
    error_logger.addHandler(probe)
    try:
        app = AppTest.from_string("import components.ui.oplog\nraise RuntimeError('broken page for 192.168.4.7')\n")
        app.run(timeout=60)
    finally:
        error_logger.removeHandler(probe)
    assert app.exception                                   # the session saw the error
    (entry,) = [e for e in lines(buf) if e.get("error") == "RuntimeError"]
    assert (entry["level"], entry["logger"], entry["message"]) == ("error", "streamlit.error_util", "Uncaught app execution")
    assert entry["request_id"] == f"session-{entry['session']}" and re.fullmatch(r"[0-9a-f]{12}", entry["session"])
    assert "RuntimeError: broken page for [address]" in entry["traceback"]
    assert "192.168.4.7" not in buf.getvalue()


def test_the_request_id_comes_from_the_proxy_header_when_there_is_one(monkeypatch):
    record = logging.LogRecord("streamlit.error_util", logging.ERROR, __file__, 1, "boom", None, None)
    monkeypatch.setattr(oplog, "_request_context", lambda: ("3f2a9c0d1e", "abcdef012345"))
    oplog._FILTER.filter(record)
    entry = json.loads(oplog.JsonLines().format(record))
    assert (entry["request_id"], entry["session"], entry["event"]) == ("3f2a9c0d1e", "abcdef012345", "error")


@pytest.mark.parametrize("text, expected", [
    ("from 10.20.30.40 via 2001:db8::7 at 10:42:07", "from [address] via [address] at 10:42:07"),
    ("client fe80:0:0:0:200:f8ff:fe21:67cf closed", "client [address] closed"),
    ("version 1.67.0 on port 8501", "version 1.67.0 on port 8501"),
])
def test_addresses_are_redacted_and_nothing_else(text, expected):
    assert oplog.redact(text) == expected


def test_uvicorn_access_lines_with_client_addresses_are_never_written():
    oplog.setup()
    assert logging.getLogger("uvicorn.access").getEffectiveLevel() >= logging.WARNING

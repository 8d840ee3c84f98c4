"""Logs an operator can use: one JSON object a line on stderr, from the app and from Streamlit itself.

dashboard.py imports this module once (`import components.ui.oplog`); Python runs it once per process,
so the set-up and the start-up line happen once, whatever the number of sessions and reruns.

Every line has ``time`` (UTC, ISO 8601), ``level``, ``logger``, ``event`` and ``message``. Events:

- ``start``: the data package as loaded: its name, version and digest, where it came from, the
  validation summary (tables checked, passed, failed; problems), Streamlit's version and the
  ``NEL_ILLUSTRATIVE`` setting. Written when the first session runs the app (Streamlit runs no app
  code before that).
- ``table_failed``: one line per table that failed its checks: the table, its file, the number of
  problems and the first few, as ``FILE:ROW:COLUMN: message``.
- ``error`` (and any other warning or error, Streamlit's own included, e.g. "Uncaught app
  execution"): with ``request_id`` (the ``X-Request-ID`` that nginx or the Ingress sent with the
  session's websocket, the same id as in the access log; without a proxy, ``session-`` and a hash of
  the session) and the traceback.

Never logged: a visitor's IP address (anything that looks like one is replaced by ``[address]``),
cookies, other request headers, or personal data (the app holds none).
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import sys
import threading
import time
import urllib.parse

LOGGER = logging.getLogger("nel")
_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_seen_versions: set[str] = set()
_lock = threading.Lock()


def redact(text: str) -> str:
    """``text`` with anything shaped like an IPv4 or IPv6 address replaced (times like 10:42:07 stay)."""
    text = _IPV4.sub("[address]", text)
    return _IPV6.sub(lambda m: "[address]" if m.group(0).count(":") >= 4 or "::" in m.group(0) else m.group(0), text)


def _request_context() -> tuple[str | None, str | None]:
    """(request id, session hash) for a record logged in a session's script thread, else (None, None)."""
    try:
        from streamlit.runtime.scriptrunner_utils.script_run_context import (
            get_script_run_ctx,
        )

        ctx = get_script_run_ctx(suppress_warning=True)
    except Exception:  # noqa: BLE001  (logging must never fail)
        return None, None
    if ctx is None:
        return None, None
    session = hashlib.sha256(ctx.session_id.encode()).hexdigest()[:12]
    request_id = None
    try:
        import streamlit as st

        request_id = st.context.headers.get("X-Request-ID")
    except Exception:  # noqa: BLE001
        pass
    if not request_id or not _REQUEST_ID.fullmatch(request_id):
        request_id = f"session-{session}"
    return request_id, session


class RequestContext(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id, record.session = _request_context()
        return True


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": getattr(record, "event", "error" if record.levelno >= logging.ERROR else "log"),
            "message": redact(record.getMessage()),
        }
        entry.update(getattr(record, "fields", {}))
        if request_id := getattr(record, "request_id", None):
            entry["request_id"] = request_id
            entry["session"] = getattr(record, "session", None)
        if record.exc_info:
            entry["error"] = record.exc_info[0].__name__ if record.exc_info[0] else None
            entry["traceback"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


_FORMATTER = JsonLines()
_FILTER = RequestContext()


def _adopt(logger: logging.Logger) -> None:
    for handler in logger.handlers:
        handler.setFormatter(_FORMATTER)
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)


def setup(stream=None) -> None:
    """JSON lines for the app's logger ``nel`` and for Streamlit's loggers (each of which has its own
    console handler), including those Streamlit creates later."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(_FORMATTER)
    handler.addFilter(_FILTER)
    LOGGER.handlers[:] = [handler]
    LOGGER.setLevel(logging.INFO)
    LOGGER.propagate = False
    # uvicorn's access lines carry the client's address: never at a level that is written.
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
    try:
        import streamlit as st
        import streamlit.logger as st_logger
    except ImportError:
        return
    # Streamlit prints uncaught errors with rich (coloured boxes, outside logging) when rich is installed:
    # through logging instead, so they become JSON lines with their request id.
    st.set_option("logger.enableRich", False)
    for name, logger in list(logging.Logger.manager.loggerDict.items()):
        if isinstance(logger, logging.Logger) and name.split(".")[0] in ("streamlit", "uvicorn", "tornado", "websockets"):
            _adopt(logger)
    if not getattr(st_logger.setup_formatter, "_nel_json", False):
        original = st_logger.setup_formatter

        def setup_formatter(logger: logging.Logger) -> None:
            original(logger)
            _adopt(logger)

        setup_formatter._nel_json = True  # type: ignore[attr-defined]  # a mark: adopted once per process
        st_logger.setup_formatter = setup_formatter


def _safe_source(source: str) -> str:
    """A data URL without credentials or query string; a folder as it is."""
    parts = urllib.parse.urlsplit(source)
    if parts.scheme in ("http", "https"):
        return urllib.parse.urlunsplit((parts.scheme, parts.hostname or "", parts.path, "", ""))
    return source


def note_package(pkg, event: str = "start") -> None:
    """Log a package's version and validation summary, and one line per failed table: once per
    package version in this process."""
    with _lock:
        if pkg.version in _seen_versions:
            return
        if not _seen_versions:
            event = "start"  # the process's first package, whoever loads it first
        _seen_versions.add(pkg.version)
    failed = sorted(pkg.broken)
    try:
        import streamlit

        streamlit_version = streamlit.__version__
    except ImportError:
        streamlit_version = None
    manifest = pkg.manifest if isinstance(pkg.manifest, dict) else {}
    summary = {
        "tables_checked": len(pkg.tables) + len(failed),
        "tables_passed": len(pkg.tables),
        "tables_failed": failed,
        "problems": len(pkg.problems),
        "valid": pkg.valid,
    }
    LOGGER.info(
        "data package %s version %s loaded: %d of %d tables passed their checks",
        manifest.get("name", "?"), manifest.get("version", "?"), summary["tables_passed"], summary["tables_checked"],
        extra={"event": event, "fields": {
            "package": manifest.get("name"), "package_version": manifest.get("version"),
            "package_digest": pkg.version, "source": _safe_source(pkg.source), "validation": summary,
            "illustrative": os.environ.get("NEL_ILLUSTRATIVE", "").strip() or None,
            "streamlit_version": streamlit_version, "pid": os.getpid(),
        }})
    for name in failed:
        problems = pkg.broken[name]
        LOGGER.warning(
            "table %s failed its checks (%d problems); the pages that need it show a notice", name, len(problems),
            extra={"event": "table_failed", "fields": {
                "table": name, "file": problems[0].file if problems else None, "problem_count": len(problems),
                "problems": [str(p) for p in problems[:5]], "package_digest": pkg.version,
            }})


def start() -> None:
    """Set up the logs and write the start-up line for the package the app serves."""
    setup()
    try:
        from components.ui.package_cache import package

        note_package(package())
    except Exception:  # noqa: BLE001  (the app must run even if this fails; the error is logged)
        LOGGER.exception("could not log the data package at start-up", extra={"event": "start_failed"})


start()

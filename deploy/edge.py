"""What the edge (nginx here, the static server on Kubernetes) answers by itself: /.well-known/security.txt
(RFC 9116) and the page for a client over its request rate (429). Used by deploy/prodctl.py render and
static-conf; standard library only.

    PROD_SECURITY_CONTACT  where to report a vulnerability: one or more URIs (mailto:, https:), space separated
                           [the ICB's website, until the site's security team sets its own]
"""
from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent / "nginx"
TOO_MANY_REQUESTS_PAGE = "too-many-requests.html"      # deploy/nginx/, served at /_errors/ (internal)
DEFAULT_CONTACT = "https://northeastlondon.icb.nhs.uk/"
# RFC 9116 2.5.5: Expires SHOULD be less than a year ahead. Each render (every serve-prod start, every
# `systemctl reload nel-nginx`, every static image build) sets it this far ahead again.
SECURITY_TXT_DAYS = 180
SECURITY_TXT_PATH = "/.well-known/security.txt"
# The upload endpoint Streamlit's file uploader sends each file to (PUT, and DELETE when it is removed).
UPLOAD_PATH = "/_stcore/upload_file/"


def contacts() -> list[str]:
    found = (os.environ.get("PROD_SECURITY_CONTACT", "") or DEFAULT_CONTACT).split()
    for uri in found:
        if not re.fullmatch(r"(mailto:[^\s@]+@[^\s@]+|https://[^\s\"$\\]+|tel:\+?[\d-]+)", uri):
            raise SystemExit(f"PROD_SECURITY_CONTACT: {uri!r} is not a mailto:, https: or tel: URI")
    return found


def security_txt(canonical: str, now: dt.datetime | None = None) -> str:
    """The file's text (RFC 9116): Contact, Expires, Preferred-Languages and Canonical."""
    now = now or dt.datetime.now(dt.timezone.utc)
    expires = (now + dt.timedelta(days=SECURITY_TXT_DAYS)).replace(microsecond=0)
    lines = [f"Contact: {uri}" for uri in contacts()]
    lines += [f"Expires: {expires.strftime('%Y-%m-%dT%H:%M:%SZ')}",
              "Preferred-Languages: en",
              f"Canonical: {canonical}"]
    return "\n".join(lines) + "\n"


def nginx_quoted(text: str) -> str:
    """``text`` as a double-quoted nginx string (its variables, such as $share_origin, still expand)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def security_txt_location(canonical: str, headers: str) -> str:
    """An nginx location answering /.well-known/security.txt; ``headers`` are the add_header lines."""
    return "\n".join([
        f"location = {SECURITY_TXT_PATH} {{",
        "    default_type text/plain;          # with charset utf-8 (RFC 9116: text/plain; charset=utf-8)",
        "    charset utf-8;",
        '    add_header Cache-Control "max-age=86400" always;',
        headers,
        f"    return 200 {nginx_quoted(security_txt(canonical))};",
        "}",
    ])


def write_pages(error_dir: Path, write) -> None:
    """The edge's own error pages into ``error_dir`` (served internally at /_errors/)."""
    for name in ("report-404.html", TOO_MANY_REQUESTS_PAGE):
        write(error_dir / name, (TEMPLATES / name).read_text(encoding="utf-8"))

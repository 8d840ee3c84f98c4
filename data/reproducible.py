"""Zip files that are the same bytes for the same contents: no build-time stamps.

A reader who downloads twice, a checksum quoted in a publication and the byte-for-byte comparisons of
bench/page_bytes.py all rely on it. Zip's earliest date stands in for "no time".
"""
from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable

FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def zip_bytes(entries: Iterable[tuple[str, bytes | str]]) -> bytes:
    """A deflated zip of (path, contents), in the order given."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for path, contents in entries:
            info = zipfile.ZipInfo(path, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, contents)
    return buffer.getvalue()


def rezip(data: bytes) -> bytes:
    """The same zip (an .xlsx, say) with every entry's timestamp fixed."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zip_bytes((info.filename, zf.read(info)) for info in zf.infolist())

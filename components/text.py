"""Make text from the data safe to show: Markdown and HTML in a data file are shown as plain text."""
from __future__ import annotations

import re
import urllib.parse

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=&])")
# Zero-width space, direction marks, embeddings, overrides and isolates, BOM: they can hide or reorder
# text. Not U+200C/U+200D (zero-width non-joiner and joiner): Persian, Indic scripts and emoji need them.
_INVISIBLE = re.compile("[\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
# Streamlit's Markdown turns bare URLs, www. names and e-mail addresses into links even when escaped:
# a word joiner (U+2060, invisible, not read aloud) after '://', 'www' and '@' keeps them text.
_AUTOLINK = re.compile(r"(?<=\\:)(?=//)|(?<=www)(?=\\\.)|(?<=@)", re.IGNORECASE)


def plain(text: object, limit: int = 2000) -> str:
    """Escape Markdown/HTML so a data string renders literally in st.markdown and friends."""
    s = "" if text is None else str(text)
    s = _INVISIBLE.sub("", s)
    if len(s) > limit:
        s = s[: limit - 1] + "…"
    return _AUTOLINK.sub("\u2060", _MARKDOWN_SPECIAL.sub(r"\\\1", s))


def safe_url(url: object) -> str | None:
    """The URL if it is plain http(s), else None (no javascript:, data: or relative tricks)."""
    s = "" if url is None else str(url).strip()
    parsed = urllib.parse.urlparse(s)
    if parsed.scheme in ("http", "https") and parsed.netloc and not any(c in s for c in ' "<>\n\r\t`'):
        return s
    return None


def link(title: object, url: object) -> str:
    """A Markdown link with escaped text, or the escaped text alone if the URL is not http(s)."""
    target = safe_url(url)
    label = plain(title, 300)
    if not target:
        return label
    return f"[{label}]({target.replace('(', '%28').replace(')', '%29')})"


def percent(value: float | None, digits: int = 0) -> str:
    if value is None or value != value:
        return "not available"
    return f"{value:.{digits}f}%"

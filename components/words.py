"""The words: text from the data made safe to show, the one number formatter, joining and casing, source ids
and titles, status words, and the sentences beside charts. Pure (no Streamlit, no plotly)."""
from __future__ import annotations

import math
import re
import urllib.parse
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal

from pandas import NA as pd_NA

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


HOME_PAGE_NOTE = "the document's own web address is not known; only the publisher's home page"
_INDEX_PATHS = {"", "articles", "news", "news_events", "news-events", "data", "publications"}


def home_page_only(url: object) -> bool:
    """Whether a source's address is only a website's home page or a section index (e.g.
    'https://www.nhsemployers.org/articles/'), not the document itself."""
    target = safe_url(url)
    if not target:
        return False
    path = urllib.parse.urlsplit(target).path.strip("/").lower()
    return path in _INDEX_PATHS


def source_link(title: object, url: object) -> str:
    """A source's title linked to the document itself; where only a home page is known, the title and
    that fact, with no link that would pass the home page off as the source."""
    if home_page_only(url):
        return f"{plain(title, 300)} ({HOME_PAGE_NOTE}: {plain(urllib.parse.urlsplit(str(url)).netloc)})"
    return link(title, url)


def page_link(title: object, path: str, **params: str) -> str:
    """A Markdown link to one of this site's own pages ('/trust?org=RF4'), with escaped text."""
    query = urllib.parse.urlencode({k: str(v) for k, v in params.items()})
    return f"[{plain(title, 300)}](/{urllib.parse.quote(path.strip('/'))}{'?' + query if query else ''})"


def link(title: object, url: object) -> str:
    """A Markdown link with escaped text, or the escaped text alone if the URL is not http(s)."""
    target = safe_url(url)
    label = plain(title, 300)
    if not target:
        return label
    return f"[{label}]({target.replace('(', '%28').replace(')', '%29')})"


# --- The one way to write a number -------------------------------------------------------------
# Every figure on a page, a slide, in the report or a table goes through these, so the same value
# reads the same everywhere: halves round up (16.5 -> 17, 0.125 -> 0.13), as readers expect; Python's
# own round() and format() send halves to the even digit and work on the binary value (16.45 -> 16.4).

NOT_AVAILABLE = "not available"
# The one short line every page, slide and low-bandwidth page carries: which figures the site shows.
MODE_LINES = {
    "show": "Demonstration: published figures and illustrative examples (not real data), each marked as such.",
    "hide": "Published figures only.",
}


def _missing(value: object) -> bool:
    return value is None or value is pd_NA or (isinstance(value, float) and math.isnan(value))


def half_up(value: float, digits: int = 0) -> Decimal:
    """``value`` rounded half-up to ``digits`` decimal places, as written (from its shortest repr)."""
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def round_half_up(value: float, digits: int = 0) -> float:
    """The number a reader sees (half-up), for arithmetic on shown figures: gaps between two shown
    percentages are worked out from the shown values, so the words and the numbers agree."""
    q = half_up(float(value), digits)
    return int(q) if digits == 0 else float(q)


def fmt_number(value: object, digits: int = 0, missing: str = NOT_AVAILABLE) -> str:
    """'1,998,679'; '53.7' (digits=1); no sign for zero ('-0.0' reads as '0.0')."""
    if _missing(value):
        return missing
    q = half_up(float(value), digits)  # type: ignore[arg-type]  # numbers and numeric strings, as pandas gives them
    if q == 0:
        q = abs(q)
    return f"{q:,.{digits}f}"


def fmt_percent(value: object, digits: int = 0, missing: str = NOT_AVAILABLE) -> str:
    """'69%' (digits=0), '53.7%' (digits=1)."""
    return missing if _missing(value) else f"{fmt_number(value, digits)}%"


def fmt_percent_short(value: object, missing: str = NOT_AVAILABLE) -> str:
    """A headline figure: '55%' when it is a whole number, else one decimal ('53.7%')."""
    if _missing(value):
        return missing
    v = float(value)  # type: ignore[arg-type]  # as fmt_number
    return fmt_percent(v, 0 if v == int(v) else 1)


def fmt_signed(value: float, digits: int = 1) -> str:
    """With its sign: '+2.1', '-0.4', '0.0'."""
    text = fmt_number(value, digits)
    return "+" + text if float(half_up(value, digits)) > 0 else text


def fmt_points(change: float, digits: int = 1) -> str:
    """A change in percentage points with its sign: '+2.1 points', '-0.4 points', '0.0 points'."""
    return f"{fmt_signed(change, digits)} points"


def fmt_value(value: object, unit: str, digits: int = 0, missing: str = NOT_AVAILABLE) -> str:
    """A value in its measure's unit: a percentage, or a count."""
    if unit == "percent":
        return fmt_percent(value, digits, missing)
    return fmt_number(value, digits if unit != "count" else 0, missing)


# --- Sentences generated from the data (the text alternative beside every chart) ---

def _valid_points(years: Sequence, values: Sequence) -> list[tuple[int, float]]:
    return [(int(y), float(v)) for y, v in zip(years, values, strict=True) if v is not None and not math.isnan(float(v))]


def trend_sentence(subject: str, years: Sequence, values: Sequence, *, unit: str = "%", digits: int = 0) -> str:
    """'The global-majority share of band 8a and above at Barts Health rose from 27% in 2019 to 40% in 2024.'"""
    points = _valid_points(years, values)
    fmt = (lambda v: fmt_percent(v, digits)) if unit == "%" else (lambda v: fmt_number(v, 2))
    if not points:
        return f"No figures for {subject} are available to show."
    if len(points) == 1:
        y, v = points[0]
        return f"{subject[0].upper()}{subject[1:]} was {fmt(v)} in {y}; there is only one year of figures."
    (y0, v0), (y1, v1) = points[0], points[-1]
    change = v1 - v0
    threshold = 0.5 if unit == "%" else 0.02
    if abs(change) < threshold:
        verb = f"stayed at about {fmt(v1)} between {y0} and {y1}"
    else:
        verb = f"{'rose' if change > 0 else 'fell'} from {fmt(v0)} in {y0} to {fmt(v1)} in {y1}"
    return f"{subject[0].upper()}{subject[1:]} {verb}."


# --- Joining, casing, source ids and titles, status words: one copy each, for every card ---

STATUS_WORDS = {"published": "Published", "illustrative": "Illustrative (not real data)"}


def status_label(status: object) -> str:
    """A row's status as a reader sees it ('Illustrative (not real data)'); any other word as it is."""
    return STATUS_WORDS.get(str(status), str(status))


def join_words(items: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c' ('' for none)."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def year_span(first: object, last: object) -> str:
    """'2023 to 2024'; one year alone when both ends are the same ('2023', not '2023 to 2023')."""
    return str(first) if str(first) == str(last) else f"{first} to {last}"


def plural(n: int, one: str, many: str | None = None) -> str:
    """'1 staff group', '3 staff groups' ('many' when adding an s is wrong)."""
    return f"{n} {one if n == 1 else (many or one + 's')}"


def k_of_n(k: int, n: int, noun: str) -> str:
    """'2 of 5 trusts'; of one, 'the only trust' or 'no trust' (not '1 of 1 trusts')."""
    if n == 1:
        return f"the only {noun}" if k else f"no {noun}"
    return f"{k} of {n} {noun}s"


def cap_first(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def lower_first(text: str, keep: Iterable[str] = ()) -> str:
    """Lower-case the first letter for use mid-sentence, unless it starts an acronym or a first word in ``keep``
    (a name: 'Black', 'London')."""
    if not text or text[:2].isupper() or text.split(" ", 1)[0] in set(keep):
        return text
    return text[:1].lower() + text[1:]


def source_ids(values: object) -> list[str]:
    """The source ids in a ';'-joined cell or in an iterable of them, in order, once each; blanks and NA skipped."""
    cells = [values] if isinstance(values, str) or not isinstance(values, Iterable) else values
    out: list[str] = []
    for cell in cells:
        if _missing(cell):
            continue
        out += [i for i in str(cell).split(";") if i and i != "<NA>"]
    return list(dict.fromkeys(out))


def source_titles(ids: object, titles: Mapping[str, str]) -> str:
    """'Title A; Title B' for source ids (see source_ids), each id itself when its title is not known."""
    return "; ".join(titles.get(i, i) for i in source_ids(ids))

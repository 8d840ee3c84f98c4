"""The view's state lives in the URL: ?org=&borough=&year=&group=&measure=&area=.

Values are checked against what the data offers; anything unknown or malformed gives a short
notice and a sensible default, never an exception. The last good value of each parameter is kept
in the session so that it survives moving between pages (Streamlit clears the query string when
the sidebar navigation changes page).
"""
from __future__ import annotations

import urllib.parse
from collections.abc import Mapping, Sequence

import streamlit as st

from components.words import plain

PARAMS = ("org", "borough", "year", "group", "measure", "area", "deck", "slide")
MAX_LENGTH = 64
_SESSION_KEY = "_view_state"


def choose(raw: object, choices: Sequence[str], default: str, label: str) -> tuple[str, str | None]:
    """Pure: pick ``raw`` if it is one of ``choices``; else ``default`` and a notice for the reader."""
    if raw is None or raw == "":
        return default, None
    if isinstance(raw, (list, tuple)):
        raw = raw[-1] if raw else ""
    value = str(raw).strip()
    if value in choices:
        return value, None
    shown = plain(value if len(value) <= 30 else value[:30] + "…")  # the notice is Markdown: a link's text stays text
    if len(value) > MAX_LENGTH:
        return default, f"The link's {label} was too long to be valid, so the default is shown."
    return default, f"The link's {label} “{shown}” is not one this page knows, so the default is shown."


def view_param(name: str, choices: Sequence[str], default: str, label: str) -> str:
    """Read one parameter from the URL (or the session), validate it and write it back to the URL."""
    remembered = st.session_state.setdefault(_SESSION_KEY, {})
    raw = st.query_params.get_all(name) if name in st.query_params else remembered.get(name)
    value, notice = choose(raw, [str(c) for c in choices], str(default), label)
    if notice:
        st.info(notice, icon="ℹ️")
    remembered[name] = value
    if st.query_params.get(name) != value:
        st.query_params[name] = value
    return value


def optional_param(name: str, choices: Sequence[str], notice: str, format_func=str) -> str | None:
    """A parameter a page uses only when a link gives it (the reader's borough on /trust): the URL's value if it
    is one of ``choices``, else None, a notice (``notice`` with {value}, the value through ``format_func``) and
    the parameter leaves the URL. Not remembered between pages: a reader's own link, not a default, sets it."""
    if name not in st.query_params:
        return None
    value = str((st.query_params.get_all(name) or [""])[-1]).strip()
    if value in choices:
        return value
    if value:
        shown = str(format_func(value)) if len(value) <= MAX_LENGTH else value[:30]
        st.info(notice.format(value=plain(shown[:60])), icon="ℹ️")
    del st.query_params[name]
    return None


def keep_only(params: Mapping[str, object]) -> None:
    """The address holds only what the page uses: drop the view parameters it does not (a ?group= left over
    from another page, or one whose chart is not shown)."""
    for name in PARAMS:
        if name in st.query_params and name not in params:
            del st.query_params[name]


def remember(name: str, value: str) -> None:
    """Record a value chosen with a widget, in the session and the URL."""
    st.session_state.setdefault(_SESSION_KEY, {})[name] = str(value)
    st.query_params[name] = str(value)


def shareable_link(path: str, params: Mapping[str, str]) -> str:
    """A link that opens exactly this view."""
    base = ""
    try:
        url = st.context.url or ""
        parts = urllib.parse.urlsplit(url)
        base = f"{parts.scheme}://{parts.netloc}" if parts.scheme else ""
    except Exception:  # noqa: BLE001 (no context in some test runners)
        base = ""
    query = urllib.parse.urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"{base}/{path.lstrip('/')}" + (f"?{query}" if query else "")


# Streamlit shows a code box's copy button only on hover, which a phone never has: keep it in view.
SHARE_CSS = ("<style>[data-testid='stCode'] > div:last-child "
             "{ opacity: 1 !important; visibility: visible !important; }</style>")


def copy_link_control(path: str, params: Mapping[str, str]) -> None:
    """'Share this view': the link in a code box with a visible Copy button, near the top of the page."""
    keep_only(params)
    st.html(SHARE_CSS)
    st.markdown("**Share this view.** This link opens the page with the same choices; the Copy button is at "
                "the right of the link.")
    st.code(shareable_link(path, params), language=None, wrap_lines=True)  # wrapped: no scrolling box


def view_select(name: str, choices: Sequence[str], default: str, label: str, format_func=str, *,
                help: str | None = None) -> str:
    """A keyboard-operable selectbox kept in step with ?name= (a notice and the default on a bad value)."""
    key = f"select-{name}"
    value = view_param(name, choices, default, label)
    st.session_state[key] = value
    st.selectbox(label[:1].upper() + label[1:], list(choices), key=key, format_func=format_func, help=help,
                 on_change=lambda: remember(name, st.session_state[key]))
    return value

"""The feed of releases: an Atom document (RFC 4287) at /lite/feed.xml, one entry per release of the figures, so
that a staff network or a journalist can follow new figures in a feed reader instead of comparing downloads.

Written by ``make site`` (components/publish/site.py calls :func:`releases_feed`), which also gives the
low-bandwidth "About the data" page its "What changed" section. Every low-bandwidth page names the feed in its
head (:data:`FEED_LINK`); the app's pages do too when nginx serves them (deploy/prodctl.py share_conf). Entries
come from the package's release log (releases.csv) through components.cards.releases, newest first.
"""
from __future__ import annotations

import html
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Mapping

import pandas as pd

from components.cards.releases import ReleaseView, View, releases
from components.publish.site_pages import Page, page_file
from components.routes import SITE_NAME
from components.words import cap_first

FEED_FILE = "feed.xml"
FEED_TYPE = "application/atom+xml"
FEED_TITLE = f"{SITE_NAME}: new figures"
ATOM = "http://www.w3.org/2005/Atom"
# In the head of every low-bandwidth page (they sit beside feed.xml).
FEED_LINK = f"<link rel='alternate' type='{FEED_TYPE}' title='{html.escape(FEED_TITLE)}' href='{FEED_FILE}'>"
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/nel-race-equity-dashboard/releases")


def entry_id(release_id: str) -> str:
    """A release's permanent id in the feed: the same for the same release, wherever the site is served."""
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, release_id)}"


def lite_href(view: View) -> str:
    """A view's low-bandwidth page, relative to the feed and the pages beside it."""
    org = dict(view.params).get("org")
    anchor = f"#{view.section}" if view.page == "data" and view.section else ""
    return page_file(view.page, org) + anchor


def _href(app_url: str, lite: str, app: str) -> str:
    """The interactive page when the app's public address is known, else the low-bandwidth page."""
    return app_url.rstrip("/") + app if app_url else lite


def _lite_views(views: list[View]) -> dict[str, str]:
    """href -> label of a release's low-bandwidth pages, once each (WRES and representation share a page)."""
    out: dict[str, str] = {}
    for view in views:
        out.setdefault(lite_href(view), view.label)
    return out


def title(r: ReleaseView, limit: int = 100) -> str:
    """An entry's title: its date and the summary's first words."""
    words = r.summary if len(r.summary) <= limit else r.summary[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return f"{r.date_text}: {words}"


def _stamp(date: pd.Timestamp) -> str:
    return date.strftime("%Y-%m-%dT00:00:00Z")


def _entry(feed: ET.Element, r: ReleaseView, app_url: str) -> None:
    entry = ET.SubElement(feed, "entry")
    ET.SubElement(entry, "id").text = entry_id(r.release_id)
    ET.SubElement(entry, "title").text = title(r)
    ET.SubElement(entry, "updated").text = _stamp(r.date)
    ET.SubElement(entry, "published").text = _stamp(r.date)
    ET.SubElement(entry, "link", rel="alternate", type="text/html",
                  href=_href(app_url, f"data.html#release-{r.release_id}", f"/data#release-{r.release_id}"))
    views = {view.href: view.label for view in r.views} if app_url else _lite_views(r.views)
    for href, label in views.items():
        ET.SubElement(entry, "link", rel="related", type="text/html", title=label, href=_href(app_url, href, href))
    ET.SubElement(entry, "summary", type="text").text = f"{r.summary} {cap_first(r.counts)}."


def feed_xml(tables: Mapping[str, pd.DataFrame], app_url: str = "") -> bytes:
    """The Atom feed of every release, newest first (links to the interactive pages when ``app_url`` is given)."""
    found = releases(tables)
    ET.register_namespace("", ATOM)
    feed = ET.Element("feed", xmlns=ATOM)
    ET.SubElement(feed, "id").text = f"urn:uuid:{_NAMESPACE}"
    ET.SubElement(feed, "title").text = FEED_TITLE
    ET.SubElement(feed, "subtitle").text = ("Each release of the figures behind the dashboard: when, what changed, "
                                            "and where to see it.")
    ET.SubElement(feed, "updated").text = _stamp(found[0].date) if found else "1970-01-01T00:00:00Z"
    author = ET.SubElement(feed, "author")
    ET.SubElement(author, "name").text = SITE_NAME
    ET.SubElement(feed, "link", rel="self", type=FEED_TYPE, href=_href(app_url, FEED_FILE, f"/lite/{FEED_FILE}"))
    ET.SubElement(feed, "link", rel="alternate", type="text/html",
                  href=_href(app_url, "data.html#what-changed", "/data#what-changed"))
    for r in found:
        _entry(feed, r, app_url)
    ET.indent(feed)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="utf-8", xml_declaration=False) + b"\n"


def releases_html(tables: Mapping[str, pd.DataFrame]) -> str:
    """The low-bandwidth "What changed" section: every release, newest first, with links to its pages."""
    found = releases(tables)
    out = ["<h2 id='what-changed'>What changed</h2>"]
    if not found:
        return out[0] + "<p>This data carries no log of its releases.</p>"
    out.append(f"<p>Every release of these figures, newest first. Follow new releases with the "
               f"<a href='{FEED_FILE}'>feed of releases</a> (Atom) in a feed reader.</p>")
    for r in found:
        links = " · ".join(f"<a href='{html.escape(h)}'>{html.escape(label)}</a>" for h, label in _lite_views(r.views).items())
        out.append(f"<h3 id='release-{html.escape(r.release_id)}'>{html.escape(r.heading)}</h3>"
                   f"<p>{html.escape(r.summary)}<br>{html.escape(cap_first(r.counts))}.</p>" + (f"<p>See: {links}</p>" if links else ""))
    return "\n".join(out)


def releases_feed(tables: Mapping[str, pd.DataFrame], pages: list[Page], app_url: str = "") -> dict[str, bytes]:
    """For make site: "What changed" on the "About the data" page (after its checks), and the feed's file."""
    for page in pages:
        if page.page == "data":
            checks = next((i for i, b in enumerate(page.body) if isinstance(b, str) and "id='checks'" in b), None)
            page.body.insert(0 if checks is None else checks + 2, releases_html(tables))  # heading, then its text
    return {FEED_FILE: feed_xml(tables, app_url)}

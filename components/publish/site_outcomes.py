"""The low-bandwidth site's residents' outcomes: its own page (the same card as the app's /outcomes) and the short
section on the overview that leads to it. Kept apart from site_pages.py, which calls these two functions."""
from __future__ import annotations

from typing import TYPE_CHECKING

from components.cards.base import ChartCard
from components.publish.report import esc

if TYPE_CHECKING:
    from components.publish.site_pages import Block, Content

PAGE = "outcomes"
FILE = "outcomes.html"
TITLE = "Residents' outcomes"
DESCRIPTION = ("How often residents of each ethnic group in north east London were detained under the Mental Health "
               "Act (NHS England, 2023/24), beside London's other integrated care boards and England.")
INTRO = ("<p>The anti-racist strategy asks the NHS in north east London to put race and ethnicity data beside "
         "residents' outcomes. This page shows the outcomes by ethnic group that are published for north east London "
         "itself, beside London's other integrated care boards and England. Each comes from its publisher as it "
         "stands; where the dashboard works something out, such as a ratio between two groups, it says so.</p>")
MISSING = ("NHS England's figures on detentions under the Mental Health Act by ethnic group are not in this "
           "dashboard yet.")


def outcomes_body(content: Content) -> list[Block | None]:
    """The page's blocks: the introduction and the detentions card (or why it cannot be shown)."""
    body: list[Block | None] = [INTRO, "<h2>Detentions under the Mental Health Act</h2>"]
    body.append(content.unavailable("outcomes", "ethnic_groups", "sources") or content.card("outcomes", MISSING))
    return body


def overview_section(content: Content) -> list[Block | None]:
    """The overview's short section: the finding, where it comes from, and the link to the page."""
    if content.unavailable("outcomes", "ethnic_groups", "sources"):
        return []
    card = content.card("outcomes")
    if not isinstance(card, ChartCard):
        return []
    sources = "; ".join(f"{s.publisher}, {s.title}" if s.publisher else s.title for s in card.sources)
    return ["<h2>Residents' outcomes</h2>",
            f"<p><strong>{esc(card.title)}.</strong> Crude rates per 100,000 residents worked out by the publisher; "
            f"the ratio by this dashboard. Source: {esc(sources)}. Period: {esc(card.period)}. "
            f"<a href='{FILE}'>See residents' outcomes</a>.</p>"]

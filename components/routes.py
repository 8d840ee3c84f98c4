"""The one table of the dashboard's pages: read by dashboard.py's navigation, the overview's contents, the link
previews and the nginx page map (components.publish.share, deploy/prodctl.py), the tests and the benchmarks."""
from __future__ import annotations

from dataclasses import dataclass

PREVIEW_DIR = "preview"  # inside build/site, so at /lite/preview/


@dataclass(frozen=True)
class Route:
    url_path: str       # the page's address (/boroughs); the overview is also the home page, /
    file: str           # its script, run by st.navigation
    title: str          # in the menu, the browser tab and the page's own heading
    description: str    # the meta description and the link preview's text
    blurb: str = ""     # the overview's line about it ("": not listed in the overview's contents)
    headline: str = ""  # the low-bandwidth page whose first chart is its link preview ("": none)

    @property
    def preview(self) -> str:
        """The link preview's PNG, inside build/site (served at /lite/preview/...)."""
        return f"{PREVIEW_DIR}/{self.url_path}.png"


SITE_NAME = "NEL Race Equity Dashboard"
HOME = "overview"
PRESENTER = "present"

ROUTES = [
    Route("overview", "pages/overview.py", "Overview",
          "How NHS organisations in north east London are doing on race equity: who lives here, who works in "
          "the NHS here and at what level, with every source.", headline="overview"),
    Route("boroughs", "pages/boroughs.py", "Borough map",
          "Who lives in north east London, by ethnic group (Census 2021): every London borough on a map, NEL's "
          "eight outlined, with each measure's figures and sources.",
          "Who lives in each of the eight boroughs, by ethnic group (Census 2021), on a map and in a table.",
          "boroughs"),
    Route("workforce", "pages/workforce.py", "Workforce and WRES",
          "Global-majority staff by pay band over the years, and the nine WRES indicators, for the NHS in north "
          "east London and each of its trusts.",
          "Global-majority staff by pay band in each trust over time, and the Workforce Race Equality Standard "
          "indicators.", "workforce"),
    Route("remi", "pages/remi.py", "REMI maturity",
          "Each NHS organisation's self-assessed stage on the Race Equity Maturity Index (REMI), against its "
          "previous year and the north east London median.",
          "How far each organisation says it has come on the Race Equity Maturity Index.", "remi"),
    Route("trust", "pages/trust.py", "Trust profile",
          "Every workforce race equity measure for one NHS trust in north east London, beside the whole system "
          "and England.",
          "One organisation's figures on one page, with a link you can share.", "trust"),
    Route("outcomes", "pages/outcomes.py", "Residents' outcomes",
          "How often residents of each ethnic group in north east London were detained under the Mental Health Act "
          "(NHS England, 2023/24), beside London's other integrated care boards and England, with the source.",
          "Residents' outcomes by ethnic group: detentions under the Mental Health Act, beside London and England.",
          "outcomes"),
    Route("strategy", "pages/strategy.py", "Strategy tracker",
          "The NHS North East London anti-racist strategy's five pillars, its commitments and the progress "
          "reported against each.",
          "The strategy's five pillars, its commitments and what has been reported so far.", "strategy"),
    Route("data", "pages/data.py", "About the data",
          "Where every figure comes from, what the words mean, what is published or missing, and downloads of "
          "every table.",
          "Sources, definitions, what is published or missing, downloads of every table, and the accessibility "
          "statement.", "data"),
    Route("contribute", "pages/contribute.py", "Check your figures",
          "For NHS organisations that publish their figures here: check a file against the dashboard's rules "
          "before sending it, and download the templates."),
    Route(PRESENTER, "pages/present.py", "Presenter mode",
          "The dashboard's findings as full-screen slides, one chart and one sentence each, for meetings and "
          "talks."),
]
BY_PATH = {r.url_path: r for r in ROUTES}
BY_FILE = {r.file: r for r in ROUTES}
CONTENTS = [r for r in ROUTES if r.blurb]


def tab_title(title: str) -> str:
    """The browser tab's title for a page (st.set_page_config), also the link previews' and nginx's <title>."""
    return f"{title} – {SITE_NAME}"  # the overview's "Sections", in this order

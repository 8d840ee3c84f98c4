"""What /remi says whether or not any self-assessment is published: what REMI is (from the strategy), its five
domains and six stages (from the data), who has published, and where partners fill theirs in. Pure Markdown."""
from __future__ import annotations

import pandas as pd

from components.cards.gaps import named_link
from components.words import join_words, plain

PARTNER_KINDS = ("ICB", "acute trust", "community and mental health trust", "other partner")
FORM_PATH = "/contribute?form=remi"

WHAT_REMI_IS = (
    "The Race Equity Maturity Index (REMI) is a self-assessment tool developed by the London Anti-Racism "
    "Collaboration for Health (LARCH). An organisation uses it to track its path to race equity through six "
    "benchmarked stages. The NHS North East London anti-racist strategy (January 2025) asks each partner "
    "organisation to complete a REMI self-assessment every year, to find which areas need more work."
)


def domains_markdown(domains: pd.DataFrame) -> str:
    """A bulleted list of the domains with their descriptions, in order, safe for st.markdown."""
    order = domains.sort_values("sort_order") if "sort_order" in domains else domains
    return "\n".join(f"- **{plain(r.name)}**: {plain(r.description)}" for r in order.itertuples())


def published_orgs(remi: pd.DataFrame | None) -> list[str]:
    """The organisations with at least one published REMI score (illustrative ones do not count)."""
    if remi is None or remi.empty or "status" not in remi:
        return []
    return sorted(set(remi.loc[remi["status"].astype(str) == "published", "ods_code"].astype(str)))


def published_markdown(remi: pd.DataFrame | None, organisations: pd.DataFrame) -> str:
    """Who has published a self-assessment, and who has not yet, each partner by its full name linked to its site."""
    partners = list(organisations.loc[organisations["kind"].isin(PARTNER_KINDS), "ods_code"].astype(str))
    done = [c for c in published_orgs(remi) if c in partners]
    waiting = [c for c in partners if c not in done]
    if not done:
        head = "No partner's REMI self-assessment is in this dashboard yet."
    elif len(done) == 1:
        head = f"Published so far: {named_link(organisations, done[0])}."
    else:
        head = f"Published so far ({len(done)} partners): {join_words([named_link(organisations, c) for c in done])}."
    if not waiting:
        return head
    lead = " The partners asked to complete one each year: " if not done else " Not in this dashboard yet: "
    return head + lead + join_words([named_link(organisations, c) for c in waiting]) + "."


def partners_markdown() -> str:
    return (f"**For partners.** Fill in your organisation's self-assessment with the [REMI form]({FORM_PATH}): it "
            "shows the six stages for each domain and gives you the rows to download and send to the ICB's data "
            "team with your other figures.")

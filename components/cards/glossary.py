"""The technical terms the dashboard uses, explained in plain English: the glossary on /data, the one short
line of terms on each page that needs it, and the overview's guide to reading the dashboard. Pure (no Streamlit)."""
from __future__ import annotations

from components.words import plain
from data.schema import GLOBAL_MAJORITY_DEFINITION
from data.suppression import RULE_TEXT

ILLUSTRATIVE_TERM = ("Illustrative", "Invented by a seeded script to show how a view will look once real figures are "
                    "published. Not real data; drawn hollow, hatched or dotted and marked in every table and download.")


def terms_line(*names: str) -> str:
    """The page's technical terms explained in one short Markdown paragraph, from the glossary."""
    known = dict(GLOSSARY)
    return " ".join(f"**{n}**: {plain(known[n])}" for n in names if n in known)


def glossary(show_illustrative: bool) -> list[tuple[str, str]]:
    """The terms explained on /data: without 'Illustrative' on a published-only site."""
    return [item for item in GLOSSARY if show_illustrative or item is not ILLUSTRATIVE_TERM]


GLOSSARY = [
    ("Global majority", GLOBAL_MAJORITY_DEFINITION),
    ("BME (Black and minority ethnic)", "The term the NHS Workforce Race Equality Standard uses for every ethnic group except "
     "the White groups. This dashboard calls the same set of groups global majority, as the strategy does; figures "
     "published as 'BME', 'BAME' or 'ethnic minority' are shown as global majority."),
    ("WRES", "The NHS Workforce Race Equality Standard: nine indicators every NHS trust reports each year, comparing "
     "the experience of global-majority and White staff (representation by pay band, appointment, disciplinary, "
     "training, harassment, progression, discrimination and board membership)."),
    ("Relative likelihood", "How many times more likely one group is than another to experience something: the rate for one "
     "group divided by the rate for the other. 1.0 means equal; the WRES treats 0.80 to 1.25 as no meaningful difference."),
    ("Guide range", "0.80 to 1.25: the range of relative likelihoods the WRES treats as showing no meaningful difference "
     "between global-majority and White staff. Outside it, one group is noticeably more likely than the other."),
    ("REMI", "The Race Equity Maturity Index from the London Anti-Racism Collaboration for Health (LARCH): organisations "
     "assess how far they have come on race equity, from stage 1 (Awareness) upwards, in areas such as leadership, "
     "recruitment and policy."),
    ("VSM", "Very senior managers: staff on very senior manager pay, including executive directors."),
    ("Agenda for Change bands", "The NHS pay scale for most staff, from band 1 to band 9. Bands 8a to 9 are senior roles; "
     "this dashboard groups them as 'band 8a and above'."),
    ("Band 8a and above", "Staff on Agenda for Change bands 8a, 8b, 8c, 8d and 9: senior managers and senior clinical "
     "and professional staff, the usual cut-off for senior roles."),
    ("REMI stage", "One of the six stages of the Race Equity Maturity Index, from 1 Awareness through Commitment, "
     "Implementation, Embedding and Creating to 6 Championing."),
    ("Board", "The voting members of an organisation's board (executive and non-executive directors)."),
    ("Census 2021 ethnic groups", "The five high-level groups used by the Census in England and Wales (Asian, Asian "
     "British or Asian Welsh; Black, Black British, Black Welsh, Caribbean or African; Mixed or Multiple; White; and "
     "Other) and the 19 detailed groups within them, such as Bangladeshi, Black African, White British or Arab. "
     "This dashboard shows every one of them for every London borough and for England, from ONS table TS021."),
    ("Published", "Taken from the source named beside the figure."),
    ILLUSTRATIVE_TERM,
    ("Withheld (suppressed)", RULE_TEXT),
    ("Not yet published", "No figure has been published, so the dashboard shows none. Gaps are part of accountability."),
    ("NEL system", "The five NHS trusts in north east London added together. It is only worked out when every trust has a count."),
]


def how_to_read(show_illustrative: bool = True) -> list[str]:
    """Plain-English paragraphs (Markdown written here, not data). With ``show_illustrative`` false (the
    published-only site) nothing invented is shown, so nothing is said about marking it."""
    published = (
        "**Published or illustrative.** A *published* figure is copied from the source named beside it. "
        "Few race equity figures for north east London's NHS organisations have been published yet, so many "
        "views are filled with *illustrative* figures: invented by a script to show how the view will work, "
        "and **not real data**. Charts draw them hollow, hatched or dotted and name them in the legend; tables "
        "and downloads mark them in a Status column."
    ) if show_illustrative else (
        "**Published figures only.** Every figure is copied from the source named beside it. Few race equity "
        "figures for north east London's NHS organisations have been published yet, so many views say what is "
        "not yet published instead of showing a number."
    )
    return [
        f"**Global majority.** {GLOBAL_MAJORITY_DEFINITION} The term reflects that these groups make up most "
        "of the world's population.",
        published,
        f"**Small numbers.** {RULE_TEXT} Charts leave them out.",
        "**Every chart** has a title that states the finding, a sentence that says it in words, the data as a "
        "table, a CSV download, and an *About* section with the definition, source, period and caveats.",
        "**Where there is no figure** the dashboard says so: \u201cnot yet published\u201d where that is known, "
        "\u201cnot in this dashboard yet\u201d where someone publishes it and the dashboard does not hold it yet, "
        "with who publishes it and how often. The \u2018About the data\u2019 page lists every gap: gaps are part "
        "of holding the system to account.",
    ]

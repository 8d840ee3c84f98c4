"""The Overview page's content as plain data: headline figures, the staff-group chart, the reading guide.

Pure functions over the checked, suppressed tables (no Streamlit). Every headline carries its
period, its sources and its status in words; a withheld figure stays withheld, and a change is only
worked out against a figure for the year immediately before.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import pandas as pd
import plotly.graph_objects as go

from components.cards.base import STATUS_WORDS, ChartCard, Source, finding_title, sources_for
from components.charts.palette import ILLUSTRATIVE_LABEL, SERIES_COLOURS, TEXT, base_layout
from components.words import fmt_number, fmt_percent_short, fmt_points, join_words, link, page_link, plain, source_ids, status_label
from data import derive
from data.schema import GLOBAL_MAJORITY_DEFINITION
from data.suppression import SUPPRESSED_LABEL

Tables = Mapping[str, pd.DataFrame]

RESIDENTS_MEASURE = "residents_global_majority_percent"
ILLUSTRATIVE_SOURCE = "Illustrative values invented by this dashboard"
CENSUS_NOTE = "No figure for the year before: the census is every ten years."
NEL_AREA = "North East London"
HEADLINE_GROUPS = {  # staff_group -> headline label
    "all_staff": "NHS staff",
    "band_8a_plus": "Staff on band 8a and above",
    "vsm": "Very senior managers (VSM)",
    "board": "Board members",
}
ROW_PX = 64          # height of one bar and its label in the overview chart
BAR_GAP = 0.55       # share of each row left for the label above the bar
SHORT_GROUP = {  # compact labels for chart axes (phones)
    "all_staff": "All staff", "bands_1_4": "Bands 1 to 4", "bands_5_7": "Bands 5 to 7",
    "band_8a_plus": "Band 8a and above", "vsm": "Very senior managers", "board": "Board",
}
STATUS_TEXT = {
    "published": "Published",
    "illustrative": "Illustrative (not real data)",
    "mixed": "Mixed: part published, part illustrative (not real data)",
    "withheld": f"Withheld ({SUPPRESSED_LABEL})",
    "missing": "Not yet published",
}


@dataclass
class Headline:
    key: str
    label: str
    value: float | None
    year: int | None
    status: str                      # published, illustrative, mixed, withheld or missing
    period: str = ""
    sources: list[Source] = field(default_factory=list)
    change: float | None = None      # percentage points since the year before
    change_note: str = ""            # 'since 2022' or why there is no change
    status_detail: str = ""          # e.g. which boroughs are illustrative
    notes: list[str] = field(default_factory=list)
    year_in_label: bool = False

    @property
    def title(self) -> str:
        """The label as shown above the figure: with the year when the year is known and meaningful."""
        return f"{self.label}, {self.year}" if self.year_in_label and self.year else self.label

    @property
    def withheld(self) -> bool:
        return self.status == "withheld"

    @property
    def value_text(self) -> str:
        if self.withheld:
            return "Withheld"
        if self.value is None:
            return "Not yet published"
        return fmt_percent_short(self.value)

    @property
    def change_text(self) -> str | None:
        return None if self.change is None else fmt_points(self.change)

    @property
    def status_text(self) -> str:
        return self.status_detail or STATUS_TEXT.get(self.status, self.status)


def staff_headline(shares: pd.DataFrame, staff_group: str, sources: pd.DataFrame, *,
                   ods_code: str = derive.SYSTEM, label: str | None = None) -> Headline:
    """The latest year's global-majority share for one staff group and organisation (default: the NEL system).

    The change is against the year immediately before, when that year has a figure; a withheld
    figure is never used.
    """
    label = label or HEADLINE_GROUPS.get(staff_group, staff_group)
    key = f"{ods_code}-{staff_group}"
    rows = shares[(shares["ods_code"] == ods_code) & (shares["staff_group"] == staff_group)]
    rows = rows[rows["share"].notna() | rows["suppressed"].astype(bool)].sort_values("year")
    if rows.empty:
        return Headline(key, label, None, None, "missing", change_note="No figure has been published.")
    latest = derive.latest_row(rows)
    assert latest is not None
    year = int(latest["year"])
    ids = source_ids(latest["source_id"])
    notes = [str(latest["note"])] if isinstance(latest.get("note"), str) and latest["note"] else []
    common = Headline(key, label, None, year, "missing", period=str(latest["period"]), sources=sources_for(ids, sources),
                      year_in_label=True)
    if bool(latest["suppressed"]):
        shown = rows[~rows["suppressed"].astype(bool)]
        if not shown.empty:
            last = shown.iloc[-1]
            kind = "a published figure" if last["status"] == "published" else "an illustrative figure (not real data)"
            notes.append(f"The last figure that can be shown is {fmt_percent_short(float(last['share']))} in {int(last['year'])}, {kind}.")
        detail = f"Withheld ({SUPPRESSED_LABEL}): at least one count behind this figure is from 1 to 4."
        if latest["status"] != "published":
            detail += " The counts are illustrative (not real data)."
        return replace(common, status="withheld", change_note=f"Withheld for {year}: no change can be shown.",
                       status_detail=detail, notes=notes)
    value = float(latest["share"])
    status = str(latest["status"])
    before = rows[rows["year"] == year - 1]
    if before.empty:
        return replace(common, value=value, status=status, change_note=f"No figure for the year before ({year - 1}).",
                       notes=notes)
    prev = before.iloc[-1]
    if bool(prev["suppressed"]):
        return replace(common, value=value, status=status, notes=notes,
                       change_note=f"The year before ({year - 1}) is withheld ({SUPPRESSED_LABEL}): no change can be shown.")
    if str(prev["status"]) != status:
        notes.append(f"The {year} figure is {status}; the {year - 1} figure it is compared with is {prev['status']}.")
    return replace(common, value=value, status=status, change=value - float(prev["share"]), change_note=f"since {year - 1}",
                   notes=notes)


def residents_published_headline(tables: Tables) -> Headline:
    """The strategy's own figure for the global-majority share of NEL's residents."""
    bench = tables["area_benchmarks"]
    rows = bench[(bench["area"] == NEL_AREA) & (bench["measure_id"] == RESIDENTS_MEASURE)].dropna(subset=["value"])
    label = "NEL residents (as stated in the strategy)"
    if rows.empty:
        return Headline("residents-published", label, None, None, "missing", change_note="No figure has been published.")
    r = rows.sort_values("year").iloc[-1]
    notes = [str(r["note"])] if isinstance(r["note"], str) and r["note"] else []
    return Headline("residents-published", label, float(r["value"]), int(r["year"]), str(r["status"]),
                    period=str(r["period"]), sources=sources_for(source_ids(r["source_id"]), tables["sources"]),
                    change_note=CENSUS_NOTE,
                    notes=notes)


def residents_computed_headline(tables: Tables) -> Headline:
    """The global-majority share of NEL's residents, worked out by this dashboard from the Census counts
    of the eight boroughs."""
    boroughs = tables["boroughs"]
    nel = boroughs[boroughs["in_nel"].astype(bool)]
    counts = derive.resident_group_counts(tables)
    label = "NEL residents (from ONS Census counts)"
    if counts.empty:
        return Headline("residents-computed", label, None, None, "missing", change_note="No borough counts are available.")
    part = counts[counts["gss_code"].isin(nel["gss_code"])].merge(nel[["gss_code", "name"]], on="gss_code")
    if part.empty or not part["total"].sum():
        return Headline("residents-computed", label, None, None, "missing", change_note="No borough counts are available.")
    value = 100 * float(part["global_majority"].sum()) / float(part["total"].sum())
    published = part.loc[part["status"] == "published", "name"].tolist()
    invented = part.loc[part["status"] != "published", "name"].tolist()
    if published and invented:
        status = "mixed"
        detail = (f"Mixed: Census counts are published for {join_words(published)}; "
                  f"the counts for {join_words(invented)} are illustrative (not real data).")
    else:
        status = "published" if published else "illustrative"
        detail = ""
    notes = [f"Worked out by this dashboard from the ONS counts: the {int(part['global_majority'].sum()):,} "
             f"global-majority residents of the {len(part)} boroughs as a share of all {int(part['total'].sum()):,} "
             "of their residents. The strategy's own figure is 53%."]
    missing = sorted(set(nel["name"]) - set(part["name"]))
    if missing:
        notes.append(f"No counts for {join_words(missing)}.")
    ids = sorted({i for s in part["source_id"] for i in source_ids(s)})
    return Headline("residents-computed", label, value, 2021, status, period=str(part["period"].iloc[0]),
                    sources=sources_for(ids, tables["sources"]), status_detail=detail, notes=notes,
                    change_note=CENSUS_NOTE)


def headlines(tables: Tables, shares: pd.DataFrame | None = None) -> list[Headline]:
    """Residents (published and worked out), then NEL staff, band 8a and above, VSM and board."""
    shares = derive.workforce_shares(tables) if shares is None else shares
    out = [residents_computed_headline(tables), residents_published_headline(tables)]
    out += [staff_headline(shares, g, tables["sources"]) for g in HEADLINE_GROUPS]
    return out


def serving_line(borough_name: str, serving: pd.DataFrame, gss_code: str | None = None) -> str:
    """'NHS organisations serving Havering: [full name (short)](/trust?org=…&borough=…), …' (Markdown, text
    escaped). The link carries the borough, so the profile sets the organisation's leadership beside it."""
    where = {"borough": gss_code} if gss_code else {}
    links = ", ".join(page_link(f"{r.name} ({r.short_name})", "trust", org=r.ods_code, **where) for r in serving.itertuples())
    return f"**NHS organisations serving {plain(borough_name)}:** {links}. Each link opens the organisation's profile."


def figure_with_source(sentence: str, source_ids, sources: pd.DataFrame) -> str:
    """A figure's sentence with its source beside it (Markdown, text escaped)."""
    ids = [i for s in source_ids for i in str(s).split(";") if i]
    found = sources_for(ids, sources)
    return plain(sentence) + (f" Source: {source_links(found)}." if found else "")


def source_links(sources: list[Source]) -> str:
    """Linked source titles (escaped). Several sources from one publisher are grouped under it, each
    linked by the part of its title before a colon (e.g. the borough's name)."""
    by_publisher: dict[str, list[Source]] = {}
    for s in sources:
        by_publisher.setdefault(s.publisher or s.title, []).append(s)
    parts = []
    for publisher, group in by_publisher.items():
        if len(group) == 1:
            s = group[0]
            parts.append(link(ILLUSTRATIVE_SOURCE if s.title.startswith("Illustrative") else s.title, s.url))
        else:
            names = ", ".join(link(s.title.split(":")[0], s.url) for s in group)
            parts.append(f"{plain(publisher)}: {names}")
    return "; ".join(parts)


def headline_caption(h: Headline) -> str:
    """Markdown (data strings escaped): source links, period and status in words."""
    parts = [f"**Source:** {source_links(h.sources) if h.sources else 'none published yet'}"]
    if h.period:
        parts.append(f"**Period:** {plain(h.period)}")
    parts.append(f"**Status:** {plain(h.status_text)}")
    return "  \n".join(parts)


# --- The overview chart ------------------------------------------------------------------------

def latest_by_group(shares: pd.DataFrame, ods_code: str = derive.SYSTEM) -> pd.DataFrame:
    """One row per staff group: the latest year with a figure (or a withheld figure), in sort order."""
    rows = shares[(shares["ods_code"] == ods_code)]
    rows = rows[rows["share"].notna() | rows["suppressed"].astype(bool)]
    if rows.empty:
        return rows
    latest = pd.DataFrame([derive.latest_row(g) for _, g in rows.groupby("staff_group", sort=False)])
    return latest.sort_values("sort_order").reset_index(drop=True)


def chart_text(text: object) -> str:
    """Plotly renders a subset of HTML in annotations and hover labels: keep data labels literal."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _axis_label(r) -> str:
    return f"{SHORT_GROUP.get(r['staff_group'], r['group_label'])} ({int(r['year'])})"


def _profile_figure(latest: pd.DataFrame, shown: pd.DataFrame, labels: list[str], residents: Headline) -> go.Figure:
    """Bars by status (illustrative ones hatched), withheld groups in words, a dashed line for the residents."""
    fig = go.Figure()
    colour = SERIES_COLOURS[0]
    for status, name in (("published", STATUS_WORDS["published"]), ("illustrative", ILLUSTRATIVE_LABEL)):
        part = shown[shown["status"] == status] if not shown.empty else shown
        if part.empty:
            continue
        illustrative = status == "illustrative"
        fig.add_trace(go.Bar(
            x=part["share"].astype(float), y=[_axis_label(r) for _, r in part.iterrows()], orientation="h", name=name,
            text=[fmt_percent_short(v) for v in part["share"]], textposition="outside", cliponaxis=False,
            textfont=dict(color=TEXT),
            marker=dict(color="white" if illustrative else colour, line=dict(color=colour, width=2),
                        pattern=dict(shape="/", fgcolor=colour, bgcolor="white", solidity=0.3) if illustrative else None),
            hovertemplate="%{y}: %{x:.1f}%<extra>" + name + "</extra>",
        ))
    for _, r in latest[latest["suppressed"].astype(bool)].iterrows() if not latest.empty else []:
        fig.add_annotation(x=0, y=_axis_label(r), text=f"Withheld ({SUPPRESSED_LABEL})", showarrow=False,
                           xanchor="left", font=dict(color=TEXT, size=14))
    if residents.value is not None:
        res_colour = SERIES_COLOURS[1]
        status_words = STATUS_TEXT.get(residents.status, residents.status).lower()
        fig.add_vline(x=residents.value, line=dict(color=res_colour, dash="dash", width=3), layer="above", opacity=1)
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", line=dict(color=res_colour, dash="dash", width=2),
                                 name=f"NEL residents: {fmt_percent_short(residents.value)} ({status_words})",
                                 hoverinfo="skip"))
    for label in labels:  # group names above their bars, so the bars keep the width on a phone
        fig.add_annotation(x=0, y=label, text=chart_text(label), showarrow=False, xanchor="left", yanchor="bottom",
                           yshift=ROW_PX * (1 - BAR_GAP) / 2, font=dict(color=TEXT, size=15))
    base_layout(fig, height=130 + ROW_PX * max(len(labels), 1))
    fig.update_layout(barmode="overlay", bargap=BAR_GAP, showlegend=True, margin=dict(l=10, r=20, t=30, b=10),
                      legend_y=-0.1)
    fig.update_xaxes(range=[0, 100], dtick=25, ticksuffix="%", title_text="", showgrid=True, gridcolor="#E8EDEE")
    fig.update_yaxes(categoryorder="array", categoryarray=labels, autorange="reversed", title_text="",
                     showticklabels=False, ticks="", showline=False)
    return fig


def _profile_caveats(shown: pd.DataFrame, residents: Headline) -> list[str]:
    caveats = ["Each staff group shows its latest year with a figure, so the years can differ between groups."]
    if not shown.empty and (shown["staff_group"] == "all_staff").any():
        row = shown[shown["staff_group"] == "all_staff"].iloc[0]
        if isinstance(row.get("note"), str) and row["note"] and not bool(row.get("derived", False)):
            caveats.append(f"All staff: {row['note']}")
    return caveats + residents.notes


def staff_profile_card(shares: pd.DataFrame, residents: Headline, sources: pd.DataFrame,
                       ods_code: str = derive.SYSTEM) -> ChartCard:
    """Horizontal bars: the global-majority share of each staff group in its latest year, against residents."""
    latest = latest_by_group(shares, ods_code)
    labels = [_axis_label(r) for _, r in latest.iterrows()]
    shown = latest[~latest["suppressed"].astype(bool)] if not latest.empty else latest
    sentence = _profile_sentence(shown, residents)
    org = "the five NHS trusts in north east London" if ods_code == derive.SYSTEM else ods_code
    years = sorted(set(int(y) for y in latest["year"])) if not latest.empty else []
    span = (f"{years[0]}" if len(years) == 1 else f"{years[0]} to {years[-1]}") if years else "no year"
    withheld = latest[latest["suppressed"].astype(bool)] if not latest.empty else latest
    card_sources = sources_for(sorted(source_ids(latest["source_id"])), sources) + list(residents.sources)
    alt = (f"Horizontal bar chart of the global-majority share of staff in {len(labels)} staff groups across {org}, "
           f"with a dashed line for NEL's residents. " + sentence)
    if not withheld.empty:
        alt += f" {join_words([SHORT_GROUP.get(g, g) for g in withheld['staff_group']])}: withheld."
    return ChartCard(
        key="overview-staff-groups", title=_profile_title(shown, residents),
        subtitle=(f"Global-majority share of staff by staff group, {org}, latest year with a figure ({span}); "
                  "NEL residents for comparison"),
        figure=_profile_figure(latest, shown, labels, residents), alt=alt, sentence=sentence,
        table=_profile_table(latest, residents, sources),
        definition=GLOBAL_MAJORITY_DEFINITION + (" Share = global-majority staff as a percentage of all staff in the group "
                                                 "with a known ethnicity."),
        sources=_unique_sources(card_sources), period=f"31 March {span}; residents: {residents.period}",
        caveats=_profile_caveats(shown, residents),
    )


def _unique_sources(items: list[Source]) -> list[Source]:
    seen, out = set(), []
    for s in items:
        if s.title not in seen:
            seen.add(s.title)
            out.append(s)
    return out


def _profile_title(shown: pd.DataFrame, residents: Headline) -> str:
    if shown.empty:
        return "No staff figures have been published for the NEL system yet"
    low = shown.loc[shown["share"].astype(float).idxmin()]
    high = shown.loc[shown["share"].astype(float).idxmax()]
    low_name = SHORT_GROUP.get(low["staff_group"], low["group_label"]).lower()
    high_name = SHORT_GROUP.get(high["staff_group"], high["group_label"]).lower()
    if low["staff_group"] == high["staff_group"]:
        return finding_title(f"Global-majority staff are {fmt_percent_short(float(low['share']))} of {low_name}", [low["status"]])
    return finding_title(f"The global-majority share of staff is lowest among {low_name} ({fmt_percent_short(float(low['share']))}) "
                         f"and highest in {high_name} ({fmt_percent_short(float(high['share']))})", [low["status"], high["status"]])


def _profile_sentence(shown: pd.DataFrame, residents: Headline) -> str:
    if shown.empty:
        return "No staff figures for the NEL system can be shown yet."
    parts = []
    for _, r in shown.iterrows():
        group = SHORT_GROUP.get(r["staff_group"], r["group_label"]).lower()
        parts.append(f"{group}: {fmt_percent_short(float(r['share']))} in {int(r['year'])}")
    text = "In north east London's NHS trusts, the global-majority share of staff is: " + "; ".join(parts) + "."
    if residents.value is not None:
        below = shown[shown["share"].astype(float) < residents.value]
        text += f" NEL's residents are {fmt_percent_short(residents.value)} global majority"
        if len(below):
            names = join_words([SHORT_GROUP.get(g, g).lower() for g in below["staff_group"]])
            text += f"; {names} {'is' if len(below) == 1 else 'are'} below that share."
        else:
            text += "; every staff group shown is at or above that share."
    n_ill = int((shown["status"] == "illustrative").sum())
    if n_ill:
        text += f" {n_ill} of the {len(shown)} staff figures are illustrative (not real data)."
    return text


def _profile_table(latest: pd.DataFrame, residents: Headline, sources: pd.DataFrame) -> pd.DataFrame:
    titles = dict(zip(sources["source_id"].astype(str), sources["title"].astype(str), strict=True))
    rows = []
    for _, r in latest.iterrows():
        suppressed = bool(r["suppressed"])
        rows.append({
            "Group": r["group_label"], "Year": str(int(r["year"])),
            "Global-majority share (%)": SUPPRESSED_LABEL if suppressed else fmt_number(float(r['share']), 1),
            "Status": status_label(r["status"]),
            "Source": "; ".join(titles.get(i, i) for i in source_ids(r["source_id"])),
            "Period": str(r["period"]),
        })
    if residents.value is not None:
        rows.append({
            "Group": "NEL residents (strategy)" if residents.key == "residents-published" else "NEL residents (Census 2021)",
            "Year": str(residents.year or ""),
            "Global-majority share (%)": fmt_number(residents.value, 1),
            "Status": status_label(residents.status) if residents.status in STATUS_WORDS else residents.status_text,
            "Source": "; ".join(s.title for s in residents.sources), "Period": residents.period,
        })
    return pd.DataFrame(rows, columns=["Group", "Year", "Global-majority share (%)", "Status", "Source", "Period"])

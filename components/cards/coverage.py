"""The 'About the data' page's coverage matrix as plain data: what this package holds for every measure,
organisation and year, as counts, sentences, tables and a lettered grid per organisation.

Pure functions over a checked Package and its (already suppressed) tables; no Streamlit.

Coverage: for every measure, organisation and year this package could hold a figure for, is there a
published figure, an illustrative (invented) one, a withheld one (a count from 1 to 4) or none?
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from components.cards.base import ChartCard, sources_for, spreadsheet_safe
from components.cards.overview import SHORT_GROUP, chart_text
from components.charts.palette import SEQUENTIAL, TEXT, base_layout
from components.words import join_words, source_ids, source_titles
from data import derive
from data.suppression import RULE_TEXT, SUPPRESSED_LABEL

Tables = Mapping[str, pd.DataFrame]

CELLS = ("published", "illustrative", "withheld", "missing")
LETTERS = {"published": "P", "illustrative": "I", "withheld": "W", "missing": "\u2013"}
CELL_WORDS = {
    "published": "Published",
    "illustrative": "Illustrative (not real data)",
    "withheld": f"Withheld ({SUPPRESSED_LABEL})",
    "missing": "Not yet published",
}
# Fill colours (each letter is also written in the cell, so colour is never the only cue).
CELL_COLOURS = {"missing": "#F0F4F5", "withheld": "#768692", "illustrative": SEQUENTIAL[1], "published": "#005EB8"}
CELL_CODE = {"missing": 0, "withheld": 1, "illustrative": 2, "published": 3}

FAMILIES = {
    "workforce": "Workforce by staff group (WRES indicators 1 and 9)",
    "wres": "WRES indicators 2 to 8",
    "remi": "REMI maturity by domain",
}
FAMILY_NOUN = {"workforce": "workforce", "wres": "WRES", "remi": "REMI"}
WRES_SHORT = {2: "2 Appointment", 3: "3 Disciplinary", 4: "4 Training", 5: "5 Abuse from public",
              6: "6 Abuse from staff", 7: "7 Equal progression", 8: "8 Discrimination"}
ROW_PX = 64    # one row of the coverage grid: its label above, then its cells
ROW_GAP = 28   # the part of each row kept free for the label
COLUMNS = ["family", "measure_id", "measure", "measure_order", "ods_code", "org", "org_order", "year", "cell", "source_id"]


def _years(frame: pd.DataFrame) -> list[int]:
    ys = frame["year"].dropna().astype(int)
    return list(range(int(ys.min()), int(ys.max()) + 1)) if len(ys) else []


def _orgs_for(tables: Tables, present) -> pd.DataFrame:
    """The organisations a family covers: every NHS trust (they are expected to report) plus any that has rows."""
    orgs = tables["organisations"].reset_index(drop=True)
    orgs = orgs.assign(org_order=range(len(orgs)))
    keep = orgs["kind"].isin(derive.TRUST_KINDS) | orgs["ods_code"].isin(set(present))
    return orgs[keep]


def _cells(frame: pd.DataFrame, keys: list[str], value_col: str) -> pd.DataFrame:
    """Per (measure, organisation, year) key: cell (withheld if any row is, missing if no value, else the
    combined status of the rows with a value) and source_id (the rows' sources, sorted, joined by ';')."""
    frame = frame.dropna(subset=keys)
    f = frame[keys].copy()
    f["year"] = f["year"].astype(int)
    f["suppressed"] = frame["suppressed"].astype(bool)
    f["shown"] = frame[value_col].notna()
    f["illustrative"] = f["shown"] & (frame["status"].astype(str) == "illustrative")
    f["source_id"] = frame["source_id"].astype(str)
    g = f.groupby(keys, sort=False)
    out = g[["suppressed", "shown", "illustrative"]].any()
    out["cell"] = np.select([out["suppressed"], ~out["shown"], out["illustrative"]],
                            ["withheld", "missing", "illustrative"], "published")
    out["source_id"] = g["source_id"].agg(lambda s: ";".join(sorted(set(s))))
    return out[["cell", "source_id"]].reset_index()


def _grid(family: str, measures: list[tuple[str, str]], orgs: pd.DataFrame, years: list[int],
          cells: pd.DataFrame) -> pd.DataFrame:
    """Every measure × organisation × year, in that order; missing where ``cells`` has no entry."""
    m = pd.DataFrame({"measure_id": [mid for mid, _ in measures], "measure": [label for _, label in measures],
                      "measure_order": range(len(measures))})
    o = orgs[["ods_code", "short_name", "org_order"]].rename(columns={"short_name": "org"})
    grid = m.merge(o, how="cross").merge(pd.DataFrame({"year": pd.Series(years, dtype="int64")}), how="cross")
    grid = grid.merge(cells, on=["measure_id", "ods_code", "year"], how="left")
    grid["cell"] = grid["cell"].fillna("missing")
    grid["source_id"] = grid["source_id"].fillna("")
    grid["family"] = family
    grid["org_order"] = grid["org_order"].astype(int)
    return grid[COLUMNS].astype({c: str for c in ("measure_id", "measure", "ods_code", "org", "cell", "source_id")})


def coverage_long(tables: Tables, shares: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per family, measure, organisation and year, with cell ∈ published/illustrative/withheld/missing."""
    parts: list[pd.DataFrame] = []
    if all(t in tables for t in ("workforce", "staff_groups", "organisations")):
        shares = derive.workforce_shares(tables) if shares is None else shares
        groups = tables["staff_groups"].sort_values("sort_order")
        measures = [(g, SHORT_GROUP.get(g, lbl)) for g, lbl in zip(groups["staff_group"], groups["label"], strict=True)]
        cells = _cells(shares, ["staff_group", "ods_code", "year"], "share")
        parts.append(_grid("workforce", measures, _orgs_for(tables, shares["ods_code"]), _years(shares),
                           cells.rename(columns={"staff_group": "measure_id"})))
    if all(t in tables for t in ("wres", "organisations")):
        w = tables["wres"]
        w = w[w["indicator"].between(2, 8)]
        names = dict(zip(tables["wres_indicators"]["indicator"].astype(int), tables["wres_indicators"]["short_name"], strict=True)) \
            if "wres_indicators" in tables else {}
        measures = [(str(i), WRES_SHORT.get(i, f"{i} {names.get(i, '')}".strip())) for i in range(2, 9)]
        keyed = w.assign(measure_id=w["indicator"].astype(int).astype(str))
        parts.append(_grid("wres", measures, _orgs_for(tables, w["ods_code"]), _years(w),
                           _cells(keyed, ["measure_id", "ods_code", "year"], "value")))
    if all(t in tables for t in ("remi", "remi_domains", "organisations")):
        r = tables["remi"].assign(suppressed=False)
        domains = tables["remi_domains"].sort_values("sort_order")
        measures = list(zip(domains["domain_id"], domains["name"], strict=True))
        keyed = r.assign(measure_id=r["domain_id"])
        parts.append(_grid("remi", measures, _orgs_for(tables, r["ods_code"]), _years(r),
                           _cells(keyed, ["measure_id", "ods_code", "year"], "stage")))
    if not parts:
        return pd.DataFrame(columns=COLUMNS)
    return pd.concat(parts, ignore_index=True)


def kinds(long: pd.DataFrame) -> tuple[str, ...]:
    """The kinds of cell to explain: every kind, except 'illustrative' where there is none (a published-only
    site never mentions invented figures)."""
    has_illustrative = "cell" in long and (long["cell"] == "illustrative").any()
    return CELLS if has_illustrative else tuple(c for c in CELLS if c != "illustrative")


def status_counts(tables: Tables, titles: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Per table with a status column: how many rows are published and how many illustrative. The README's
    figures and the /data page's table both come from here."""
    rows = []
    for name, frame in tables.items():
        if "status" not in frame:
            continue
        status = frame["status"].astype(str)
        rows.append({"Table": (titles or {}).get(name, name), "File": f"{name}.csv", "Rows": len(frame),
                     "Published": int((status == "published").sum()), "Illustrative": int((status == "illustrative").sum())})
    out = pd.DataFrame(rows, columns=["Table", "File", "Rows", "Published", "Illustrative"])
    return out if out["Illustrative"].any() else out.drop(columns="Illustrative")


def coverage_counts(long: pd.DataFrame, by: str | list[str] | None = None) -> pd.DataFrame:
    """How many cells are published, illustrative, withheld and missing (columns in that order, plus total)."""
    if by is None:
        counts = long["cell"].value_counts().reindex(list(CELLS), fill_value=0)
        out = pd.DataFrame([counts.to_numpy()], columns=list(CELLS), index=["all"])
    else:
        out = long.groupby(by, sort=False)["cell"].value_counts().unstack(fill_value=0).reindex(columns=list(CELLS), fill_value=0)
    out = out.astype(int)
    out["total"] = out[list(CELLS)].sum(axis=1)
    return out


FAMILY_SHORT = {"workforce": "Workforce", "wres": "WRES 2 to 8", "remi": "REMI"}


def coverage_summary_table(long: pd.DataFrame) -> pd.DataFrame:
    """Counts per coverage (rows) and family (columns): narrow enough for a phone."""
    counts = coverage_counts(long, "family")
    families = [f for f in FAMILIES if f in counts.index]
    rows = []
    for cell in (*kinds(long), "total"):
        rows.append({"Coverage": CELL_WORDS.get(cell, "All"),
                     **{FAMILY_SHORT[f]: f"{int(counts.loc[f, cell]):,}" for f in families}})
    return pd.DataFrame(rows)


def coverage_sentence(long: pd.DataFrame, subject: str = "this dashboard") -> str:
    c = coverage_counts(long).iloc[0]
    if not c["total"]:
        return f"There are no figures in {subject} to count."
    illustrative = f"{c['illustrative']:,} illustrative (not real data), " if "illustrative" in kinds(long) else ""
    return (f"Of the {c['total']:,} places where {subject} could hold a figure (measure × organisation × year), "
            f"{c['published']:,} are published, {illustrative}"
            f"{c['withheld']:,} withheld ({SUPPRESSED_LABEL}) and {c['missing']:,} not yet published.")


def card_sentence(counts: pd.Series, lead: str, what: str) -> str:
    """'For Barts Health, 3 of the 48 workforce figures for 2017 to 2024 are published, 32 are illustrative …'"""
    total = int(counts["total"])
    parts = []
    for cell, word in (("published", "published"), ("illustrative", "illustrative (not real data)"),
                       ("withheld", f"withheld ({SUPPRESSED_LABEL})"), ("missing", "not yet published")):
        n = int(counts[cell])
        if n or cell == "published":
            parts.append(f"{n:,} {'is' if n == 1 else 'are'} {word}")
    first, rest = join_words(parts).split(" ", 1)
    first = "none" if first == "0" else first
    return f"{lead}, {first} of the {total:,} {what} {rest}."


def coverage_orgs(long: pd.DataFrame) -> dict[str, str]:
    """ods_code -> short name, in the organisations table's order."""
    o = long.drop_duplicates("ods_code").sort_values("org_order")
    return dict(zip(o["ods_code"], o["org"], strict=True))


def _coverage_figure(part: pd.DataFrame, measures: list[str], xs: list[str], shown: tuple[str, ...]) -> go.Figure:
    """The lettered grid: one row per measure (its name above it), one column per year, and a legend that
    gives each letter's word and colour together."""
    z: list[list[int | None]] = [[None] * len(xs) for _ in measures]
    text = [[""] * len(xs) for _ in measures]
    hover = [[""] * len(xs) for _ in measures]
    m_index = {m: i for i, m in enumerate(measures)}
    for _, r in part.iterrows():
        i, j = m_index[r["measure"]], xs.index(str(r["year"]))
        z[i][j] = CELL_CODE[r["cell"]]
        text[i][j] = LETTERS[r["cell"]]
        hover[i][j] = f"{r['measure']}, {r['year']}: {CELL_WORDS[r['cell']]}"
    fig = go.Figure(go.Heatmap(
        z=z, x=xs, y=measures, text=text, texttemplate="%{text}", textfont=dict(size=16),
        customdata=hover, hovertemplate="%{customdata}<extra></extra>",
        zmin=-0.5, zmax=3.5, colorscale=[[s, c] for s, c in _scale_stops()], showscale=False, xgap=3, ygap=ROW_GAP,
    ))
    for cell in shown:
        fig.add_trace(go.Scatter(
            x=[None], y=[None], mode="markers", name=f"{LETTERS[cell]} = {CELL_WORDS[cell]}", hoverinfo="skip",
            marker=dict(symbol="square", size=14, color=CELL_COLOURS[cell], line=dict(color=TEXT, width=1)),
        ))
    for m in measures:  # measure names above their row, so the cells keep the width on a phone
        fig.add_annotation(x=-0.5, y=m, text=chart_text(m), showarrow=False, xanchor="left", yanchor="bottom",
                           yshift=(ROW_PX - ROW_GAP) / 2, font=dict(color=TEXT, size=15))
    base_layout(fig, height=150 + ROW_GAP + ROW_PX * len(measures))
    fig.update_layout(showlegend=True, plot_bgcolor="white", margin=dict(l=10, r=10, t=40 + ROW_GAP, b=10),
                      legend_y=-0.04)
    fig.update_xaxes(type="category", side="top", showline=False, ticks="", title_text="", tickangle=0,
                     tickfont=dict(size=13), ticklabelstandoff=ROW_GAP + 2)
    fig.update_yaxes(type="category", autorange="reversed", showline=False, ticks="", title_text="",
                     showticklabels=False)
    return fig


def _coverage_caveats(counts: pd.Series, shown: tuple[str, ...], ods_code: str) -> list[str]:
    caveats = (["A cell counts as published only when every value in it is published; one illustrative value makes it illustrative."]
               if "illustrative" in shown else [])
    if counts["withheld"]:
        caveats.append(RULE_TEXT)
    if ods_code == derive.SYSTEM:
        caveats.append("The NEL system figure is the sum of the five trusts; it is only worked out when every trust has a count.")
    return caveats


def coverage_card(long: pd.DataFrame, family: str, ods_code: str, sources: pd.DataFrame) -> ChartCard | None:
    """A lettered heatmap (measures × years) of one family's coverage for one organisation; None if not covered."""
    part = long[(long["family"] == family) & (long["ods_code"] == ods_code)]
    if part.empty:
        return None
    org = str(part["org"].iloc[0])
    measures = part.drop_duplicates("measure_id").sort_values("measure_order")["measure"].tolist()
    years = sorted(part["year"].unique())
    shown = kinds(long)
    counts = coverage_counts(part).iloc[0]
    total = int(counts["total"])
    noun = FAMILY_NOUN[family]
    span = f"{years[0]} to {years[-1]}" if len(years) > 1 else str(years[0])
    n_pub = int(counts["published"])
    title = (f"{org}: {n_pub} of {total} {noun} figures {'is' if n_pub == 1 else 'are'} published"
             if n_pub else f"{org}: none of {total} {noun} figures are published yet")
    sentence = card_sentence(counts, f"For {org}", f"{noun} figures for {span}")
    titles = dict(zip(sources["source_id"].astype(str), sources["title"].astype(str), strict=True))
    table = pd.DataFrame({
        "Organisation": org, "Measure": part["measure"], "Year": part["year"].astype(str),
        "Coverage": [CELL_WORDS[c] for c in part["cell"]],
        "Source": [source_titles(s, titles) for s in part["source_id"]],
    }).reset_index(drop=True)
    return ChartCard(
        key=f"coverage-{family}-{ods_code}", title=title,
        subtitle=f"Coverage of {FAMILIES[family][0].lower()}{FAMILIES[family][1:]}, {org}, {span}",
        figure=_coverage_figure(part, measures, [str(y) for y in years], shown),
        alt=(f"Grid of {len(measures)} measures by {len(years)} years for {org}. Each cell has a letter: P published, "
             f"{'I illustrative, ' if 'illustrative' in shown else ''}W withheld, dash not yet published. " + sentence),
        sentence=sentence, table=table,
        definition=("Each cell is one measure for one year. Published: taken from the named source. "
                    + ("Illustrative: invented to show the view, not real data. " if "illustrative" in shown else "")
                    + "Withheld: a count from 1 to 4, not shown. Not yet published: this dashboard holds no figure."),
        sources=sources_for(sorted(source_ids(part["source_id"])), sources), period=span,
        caveats=_coverage_caveats(counts, shown, ods_code),
    )


def _scale_stops() -> list[tuple[float, str]]:
    """A stepped colour scale over codes 0..3 (zmin -0.5, zmax 3.5): one flat band per code."""
    stops = []
    for code in range(4):
        colour = CELL_COLOURS[[k for k, v in CELL_CODE.items() if v == code][0]]
        stops += [(code / 4, colour), ((code + 1) / 4, colour)]
    return stops


def coverage_by_org(long: pd.DataFrame) -> pd.DataFrame:
    """One row per organisation, one column per family: the counts in words (wraps to fit a phone)."""
    if long.empty:
        return pd.DataFrame()
    counts = coverage_counts(long, ["org_order", "org", "family"])
    words = {"published": "published", "illustrative": "illustrative", "withheld": "withheld", "missing": "not yet published"}
    rows: dict[tuple[int, str], dict[str, str]] = {}
    for (order, org, family), c in counts.sort_index().iterrows():
        text = "; ".join(f"{int(c[k]):,} {w}" for k, w in words.items() if c[k])
        rows.setdefault((order, org), {})[FAMILY_SHORT[family]] = text
    out = pd.DataFrame([{"Organisation": org, **cells} for (_, org), cells in sorted(rows.items())])
    columns = ["Organisation"] + [FAMILY_SHORT[f] for f in FAMILIES if FAMILY_SHORT[f] in out]
    return out.reindex(columns=columns).fillna("not reported")


def coverage_csv(long: pd.DataFrame) -> bytes:
    out = long.assign(coverage=long["cell"].map(CELL_WORDS))[
        ["family", "measure", "ods_code", "org", "year", "cell", "coverage", "source_id"]]
    return spreadsheet_safe(out).to_csv(index=False).encode("utf-8")

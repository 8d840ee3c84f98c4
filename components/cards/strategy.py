"""Strategy tracker: the five pillars, their commitments and reported progress, and the
'you said, together, we did' log. Pure builders (no Streamlit): tidy frames in, ChartCard and plain
records out. Progress is shown as reported in the data: nothing is inferred or invented.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go

from components.cards.base import ChartCard, sources_for
from components.charts.palette import MUTED, SERIES_COLOURS, TEXT, base_layout
from components.words import status_label

NOT_REPORTED = "not yet reported"
# Progress levels, most advanced first (the bar's stacking order); words, badge colour, bar style.
PROGRESS = {
    "achieved": dict(word="Achieved", badge="green", colour=SERIES_COLOURS[2], text="white", pattern=""),
    "in progress": dict(word="In progress", badge="blue", colour=SERIES_COLOURS[0], text="white", pattern=""),
    "not started": dict(word="Not started", badge="orange", colour=SERIES_COLOURS[1], text="white", pattern=""),
    NOT_REPORTED: dict(word="Not yet reported", badge="gray", colour="white", text=TEXT, pattern="/"),
}
REPORTED = ("achieved", "in progress", "not started")


def progress_word(progress: object) -> str:
    key = str(progress).strip().lower() if progress is not None and not pd.isna(progress) else NOT_REPORTED
    return PROGRESS.get(key, {"word": str(progress).capitalize()})["word"]


def progress_badge_colour(progress: object) -> str:
    key = str(progress).strip().lower() if progress is not None and not pd.isna(progress) else NOT_REPORTED
    return PROGRESS.get(key, {"badge": "gray"})["badge"]


def _progress_key(progress: object) -> str:
    if progress is None or pd.isna(progress) or not str(progress).strip():
        return NOT_REPORTED
    return str(progress).strip().lower()


def format_date(value: object) -> str:
    if value is None or pd.isna(value):
        return "not stated"
    ts = pd.Timestamp(value)
    return f"{ts.day} {ts.strftime('%B %Y')}"


def _ordered_pillars(pillars: pd.DataFrame) -> pd.DataFrame:
    return pillars.sort_values(["sort_order", "pillar_id"]).reset_index(drop=True)


# --- Counts and the chart ---------------------------------------------------------------------

def progress_counts(commitments: pd.DataFrame, pillars: pd.DataFrame) -> pd.DataFrame:
    """One row per pillar and progress level (every level, zeros included): pillar_id, pillar, progress, count."""
    keys = commitments.assign(_p=commitments["progress"].map(_progress_key))
    rows = []
    levels = list(PROGRESS) + sorted(set(keys["_p"]) - set(PROGRESS))
    for p in _ordered_pillars(pillars).itertuples():
        mine = keys[keys["pillar_id"] == p.pillar_id]
        for level in levels:
            rows.append({"pillar_id": p.pillar_id, "pillar": str(p.name), "progress": level,
                         "count": int((mine["_p"] == level).sum())})
    return pd.DataFrame(rows)


def reported_count(commitments: pd.DataFrame) -> int:
    """Commitments with a published progress report (any level other than 'not yet reported')."""
    return int((commitments["progress"].map(_progress_key) != NOT_REPORTED).sum())


def progress_sentence(commitments: pd.DataFrame) -> str:
    total = len(commitments)
    reported = reported_count(commitments)
    if total == 0:
        return "No commitments are listed in the published data."
    s = f"{reported} of {total} commitments have a published progress report yet."
    if reported:
        keys = commitments["progress"].map(_progress_key)
        parts = [f"{int((keys == k).sum())} {PROGRESS[k]['word'].lower()}" for k in REPORTED if (keys == k).any()]
        s = f"{reported} of {total} commitments have a published progress report: " + ", ".join(parts) + "."
    else:
        s += " Until one is published, this tracker shows each commitment as 'not yet reported' rather than guess."
    latest = pd.to_datetime(commitments["last_updated"], errors="coerce").max()
    if not pd.isna(latest):
        s += (f" The tracker was last updated on {format_date(latest)}." if reported else
              f" The commitments are as the strategy published them on {format_date(latest)}.")
    return s


def progress_figure(counts: pd.DataFrame) -> go.Figure:
    """Horizontal stacked bars, one per pillar; the pillar's name sits above its bar so the bars can use the
    full width of a phone. Every segment is labelled with its count and progress in words."""
    fig = go.Figure()
    pillars = list(dict.fromkeys(counts["pillar"]))
    ypos = {p: i for i, p in enumerate(pillars)}
    for level in dict.fromkeys(counts["progress"]):
        style = PROGRESS.get(level, dict(word=str(level).capitalize(), colour=SERIES_COLOURS[4], text="white", pattern="x"))
        drawn = counts[(counts["progress"] == level) & (counts["count"] > 0)]
        if drawn.empty:
            continue
        fig.add_trace(go.Bar(
            y=[ypos[p] for p in drawn["pillar"]], x=list(drawn["count"]), orientation="h", name=style["word"],
            width=0.5, text=[f"{n} {style['word'].lower()}" for n in drawn["count"]], textposition="inside",
            insidetextanchor="middle", textfont=dict(color=style["text"], size=14),
            marker=dict(color=style["colour"], line=dict(color=TEXT if style["colour"] == "white" else style["colour"],
                                                         width=1.5),
                        pattern=dict(shape=style["pattern"], fgcolor=MUTED, size=10, solidity=0.2)),
            customdata=list(drawn["pillar"]),
            hovertemplate="%{customdata}: %{x} " + style["word"].lower() + "<extra></extra>",
        ))
    for p, i in ypos.items():
        fig.add_annotation(x=0, xref="paper", y=i - 0.3, yref="y", text=f"<b>{p}</b>", showarrow=False,
                           xanchor="left", yanchor="bottom", font=dict(size=14, color=TEXT))
    base_layout(fig, height=90 + 80 * max(1, len(pillars)))
    fig.update_layout(barmode="stack", showlegend=True, legend=dict(y=-0.08, traceorder="normal"),
                      margin=dict(l=10, r=20, t=10, b=10))
    top = int(counts.groupby("pillar")["count"].sum().max()) if len(counts) else 1
    fig.update_xaxes(title_text="", dtick=1, range=[0, max(1, top)], showgrid=True, gridcolor="#D8DDE0")
    fig.update_yaxes(showticklabels=False, ticks="", range=[len(pillars) - 0.4, -0.8], showline=False,
                     title_text="")
    return fig


def progress_card(commitments: pd.DataFrame, pillars: pd.DataFrame, sources: pd.DataFrame | None = None) -> ChartCard:
    counts = progress_counts(commitments, pillars)
    total, reported = len(commitments), reported_count(commitments)
    title = ("No commitment has a published progress report yet" if reported == 0 and total
             else f"{reported} of {total} commitments have a published progress report")
    latest = pd.to_datetime(commitments["last_updated"], errors="coerce").max()
    as_at = format_date(latest)
    src_ids = list(dict.fromkeys(commitments["source_id"].dropna().astype(str)))
    titles = {}
    if sources is not None:
        titles = dict(zip(sources["source_id"].astype(str), sources["title"].astype(str), strict=True))
    drawn = counts[counts["count"] > 0]
    status_by_pillar = commitments.groupby("pillar_id")["status"].agg(
        lambda s: "illustrative" if (s == "illustrative").any() else "published")
    source_by_pillar = commitments.groupby("pillar_id")["source_id"].agg(lambda s: "; ".join(dict.fromkeys(s.astype(str))))
    table = pd.DataFrame({
        "Pillar": drawn["pillar"].to_numpy(),
        "Progress": [progress_word(p) for p in drawn["progress"]],
        "Commitments": drawn["count"].to_numpy(),
        "Status": [status_label(status_by_pillar.get(p, "published")) for p in drawn["pillar_id"]],
        "Source": ["; ".join(titles.get(i, i) for i in str(source_by_pillar.get(p, "")).split("; ") if i)
                   for p in drawn["pillar_id"]],
        "Period": [f"Progress as at {as_at}"] * len(drawn),
    })
    alt_parts = []
    for p in dict.fromkeys(counts["pillar"]):
        mine = counts[(counts["pillar"] == p) & (counts["count"] > 0)]
        alt_parts.append(f"{p}: " + ", ".join(f"{n} {progress_word(k).lower()}"
                                              for k, n in zip(mine["progress"], mine["count"], strict=True)))
    return ChartCard(
        key="strategy-progress", title=title,
        subtitle=f"Commitments in the NHS North East London anti-racist strategy by pillar and reported progress, as at {as_at}",
        figure=progress_figure(counts),
        alt=(f"Horizontal stacked bar chart of the {total} commitments by pillar and reported progress. "
             + "; ".join(alt_parts) + "."),
        sentence=progress_sentence(commitments), table=table,
        definition=("Each commitment in the strategy's five pillars, counted by the progress its latest published "
                    "report gives: achieved, in progress, not started, or not yet reported when no report exists."),
        sources=sources_for(src_ids, sources) if sources is not None else [],
        period=(f"Strategy published January 2025; progress as at {as_at}" if reported else
                f"Strategy published {as_at}; no progress reported yet"),
        caveats=["'Not yet reported' means no progress report has been published for the commitment; it does not "
                 "mean that no work has happened."],
    )


# --- The tracker list -------------------------------------------------------------------------

@dataclass
class CommitmentView:
    commitment_id: str
    text: str
    progress: str            # the word shown in the badge
    badge_colour: str
    progress_measure: str    # the commitment's own measure
    same_measure_as_pillar: bool
    evidence: str
    last_updated: str
    status: str              # status_label of the row
    source_title: str
    source_url: str | None
    date_label: str = "Last updated"   # "Strategy published" while no progress report exists: the date is the strategy's


def date_label(progress: object) -> str:
    """What a commitment's date is: the strategy's own date until a progress report is published."""
    return "Strategy published" if _progress_key(progress) == NOT_REPORTED else "Last updated"


@dataclass
class PillarView:
    pillar_id: str
    name: str
    aim: str
    progress_measure: str
    commitments: list[CommitmentView] = field(default_factory=list)

    @property
    def summary(self) -> str:
        n = len(self.commitments)
        reported = sum(1 for c in self.commitments if c.progress != PROGRESS[NOT_REPORTED]["word"])
        return f"{n} commitment{'s' if n != 1 else ''}; {reported} with a published progress report."


def _text(value: object, missing: str = "not stated") -> str:
    return missing if value is None or pd.isna(value) or not str(value).strip() else str(value)


def tracker(pillars: pd.DataFrame, commitments: pd.DataFrame, sources: pd.DataFrame | None = None) -> list[PillarView]:
    """Pillars in order, each with its commitments in file order."""
    src = {}
    if sources is not None:
        for r in sources.itertuples():
            src[str(r.source_id)] = (str(r.title), r.url if isinstance(r.url, str) else None)
    out = []
    for p in _ordered_pillars(pillars).itertuples():
        view = PillarView(str(p.pillar_id), _text(p.name), _text(p.aim), _text(p.progress_measure))
        for c in commitments[commitments["pillar_id"] == p.pillar_id].itertuples():
            measure = _text(c.progress_measure)
            title, url = src.get(str(c.source_id), (str(c.source_id), None))
            view.commitments.append(CommitmentView(
                commitment_id=str(c.commitment_id), text=_text(c.commitment), progress=progress_word(c.progress),
                badge_colour=progress_badge_colour(c.progress), progress_measure=measure,
                same_measure_as_pillar=measure == view.progress_measure,
                evidence=_text(c.evidence, "No evidence published."), last_updated=format_date(c.last_updated),
                status=status_label(c.status), source_title=title, source_url=url, date_label=date_label(c.progress),
            ))
        out.append(view)
    return out


# --- 'You said, together, we did' -------------------------------------------------------------

@dataclass
class ActionView:
    action_id: str
    you_said: str
    we_did: str
    pillar: str
    organisation: str
    date: str
    status: str
    illustrative: bool
    source_title: str


def actions_log(actions: pd.DataFrame, pillars: pd.DataFrame, organisations: pd.DataFrame | None = None,
                sources: pd.DataFrame | None = None) -> list[ActionView]:
    """The log, newest first."""
    pillar_names = dict(zip(pillars["pillar_id"].astype(str), pillars["name"].astype(str), strict=True))
    org_names = {} if organisations is None else dict(zip(organisations["ods_code"].astype(str),
                                                          organisations["name"].astype(str), strict=True))
    titles = {} if sources is None else dict(zip(sources["source_id"].astype(str), sources["title"].astype(str), strict=True))
    frame = actions.assign(sort_date=pd.to_datetime(actions["date"], errors="coerce")).sort_values("sort_date", ascending=False)
    out = []
    for a in frame.itertuples():
        code = "" if a.ods_code is None or pd.isna(a.ods_code) else str(a.ods_code)
        out.append(ActionView(
            action_id=str(a.action_id), you_said=_text(a.you_said), we_did=_text(a.we_did),
            pillar=pillar_names.get(str(a.pillar_id), str(a.pillar_id)),
            organisation=org_names.get(code, code) if code else "System-wide",
            date=format_date(a.sort_date), status=status_label(a.status), illustrative=str(a.status) == "illustrative",
            source_title=titles.get(str(a.source_id), str(a.source_id)),
        ))
    return out


def actions_notice(log: list[ActionView]) -> str:
    if not log:
        return "No 'you said, together, we did' entries have been published yet."
    n_ill = sum(a.illustrative for a in log)
    if n_ill == len(log):
        return (f"All {len(log)} entries below are illustrative examples, not real data: no 'you said, together, "
                "we did' log has been published yet. They show how the log will look.")
    if n_ill:
        return f"{n_ill} of {len(log)} entries below are illustrative examples (not real data); each is marked."
    return f"{len(log)} published entries."

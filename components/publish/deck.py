"""Summit decks: ordered slides, each one chart and its one-sentence finding, read from YAML files.

A presenter chooses and orders slides by editing a file in components/decks/ (no code). Pure: no
Streamlit here, so the report and the tests use it too.
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import plotly.graph_objects as go
import yaml

from components.cards.catalogue import KINDS
from components.words import cap_first

DECKS = Path(__file__).resolve().parents[1] / "decks"
DEFAULT_DECK = "default"


@dataclass
class Slide:
    kind: str
    params: dict = field(default_factory=dict)


@dataclass
class Deck:
    name: str
    title: str
    slides: list[Slide]
    qr_code: bool = True  # a QR code to the same slide on the public site (when NEL_PUBLIC_URL is set)


class DeckError(ValueError):
    pass


def parse_deck(name: str, text: str) -> Deck:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise DeckError(f"{name}.yaml is not valid YAML ({exc})") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("slides"), list) or not raw["slides"]:
        raise DeckError(f"{name}.yaml needs a 'slides' list")
    slides = []
    for i, item in enumerate(raw["slides"], start=1):
        if not isinstance(item, dict) or item.get("kind") not in KINDS:
            raise DeckError(f"{name}.yaml slide {i}: 'kind' must be one of {', '.join(KINDS)}")
        params = item.get("params") or {}
        if not isinstance(params, dict):
            raise DeckError(f"{name}.yaml slide {i}: 'params' must be a mapping")
        slides.append(Slide(item["kind"], {str(k): v for k, v in params.items()}))
    qr_code = raw.get("qr_code", True)
    if not isinstance(qr_code, bool):
        raise DeckError(f"{name}.yaml: 'qr_code' must be true or false")
    return Deck(name, str(raw.get("title") or name), slides, qr_code)


def load_decks(folder: Path = DECKS) -> tuple[dict[str, Deck], list[str]]:
    """Every valid deck by name, and a message for each file that is not."""
    decks, problems = {}, []
    for path in sorted(folder.glob("*.yaml")):
        try:
            decks[path.stem] = parse_deck(path.stem, path.read_text(encoding="utf-8"))
        except (DeckError, OSError, UnicodeDecodeError) as exc:
            problems.append(str(exc))
    return decks, problems


# Every piece of chart text on a slide is drawn at this size: 28 px reads from the back of a room at
# 1920x1080 (the same text is larger still, relative to the screen, at 1280x720).
SLIDE_FONT_PX = 28


def presentation_figure(fig: go.Figure, *, font_px: int = SLIDE_FONT_PX) -> go.Figure:
    """The same chart made for a projector: 28 px text everywhere, thicker lines and markers, the legend at the
    top of the chart or, when long, beside the plot (never under it, where the x-axis labels are), and no fixed
    height: the slide gives the chart the screen's height (pages/present.py draws it with height="stretch").
    Dense layouts are rearranged for a wide screen: map labels in two columns, row names beside bars, a radar
    with its stage key beside it. The pages' own figures are untouched (this works on a copy)."""
    big = go.Figure(fig)
    big.layout.height = None
    big.layout.width = None
    big.update_layout(font=dict(size=font_px), autosize=True, hoverlabel=dict(font_size=font_px),
                      margin=dict(l=10, r=30, t=10, b=10, autoexpand=True),
                      legend=dict(font=dict(size=font_px), orientation="h", x=0, xanchor="left", xref="container", y=1.0,
                                  yanchor="top", yref="container",
                                  title=dict(font=dict(size=font_px))))
    # Grouped legend entries each start a new row in a horizontal legend: let them flow instead.
    big.layout.legend.traceorder = "reversed" if "reversed" in (fig.layout.legend.traceorder or "") else "normal"
    big.update_annotations(font_size=font_px)
    for shape in big.layout.shapes:
        if shape.line is not None and shape.type == "line":
            shape.line.width = max(3, shape.line.width or 0)
    for trace in big.data:
        _trace_for_a_projector(trace, font_px)
    big.update_xaxes(tickfont_size=font_px, title_font_size=font_px, automargin=True, title_standoff=12)
    big.update_yaxes(tickfont_size=font_px, title_font_size=font_px, automargin=True)
    big.update_polars(angularaxis_tickfont_size=font_px, radialaxis_tickfont_size=font_px)
    big.update_layout(uniformtext=dict(minsize=font_px, mode="show"))  # plotly may not shrink a bar's figure to fit
    for axis in big.select_yaxes():  # a fixed step made for 15 px text crowds 28 px labels on a short chart
        if axis.type != "category" and axis.tickmode != "array" and axis.dtick is not None:
            axis.update(dtick=None, tick0=None, nticks=6)
    if _map_callouts(big):
        _untangle_callouts(big)
    _row_labels_beside_bars(big)
    if any(trace.type == "scatterpolar" for trace in big.data):
        _radar_for_a_slide(big)
    elif sum(1 for t in big.data if t.showlegend is not False and t.name) > 4:
        # a long key goes beside the plot, where it takes width (plenty on a slide) rather than height
        big.update_layout(legend=dict(orientation="v", x=1.0, xanchor="left", xref="paper", y=1.0, yanchor="top",
                                      yref="paper"))
    return big


PHONE_KEY_CHARS = 30   # a key entry longer than this wraps on a phone's width


PHONE_ROW_PX = 72     # a row of a slide's row chart on a phone, its label above it


def phone_figure(fig: go.Figure) -> go.Figure:
    """The card's own chart as a phone shows a slide: long key entries wrap at a space rather than run off the
    screen's edge, and a slide's row chart writes each row's name above its row (this works on a copy)."""
    small = go.Figure(fig)
    for trace in small.data:
        name = str(trace.name or "")
        if trace.showlegend is not False and len(name) > PHONE_KEY_CHARS and "<br>" not in name:
            trace.name = "<br>".join(textwrap.wrap(name, PHONE_KEY_CHARS))
    _row_labels_above(small)
    return small


def _row_labels_above(fig: go.Figure) -> None:
    """Rows named on the axis (components.charts.wres_slides) leave a phone's plot too narrow: each name goes above
    its row, the plot takes the width, and the key sits at the top."""
    axis = fig.layout.yaxis
    rows = list(axis.categoryarray or [])
    if axis.type != "category" or not rows or axis.showticklabels is False:
        return
    fig.update_yaxes(showticklabels=False)
    for row in rows:
        fig.add_annotation(x=0, xref="paper", xanchor="left", y=row, yref="y", yanchor="bottom", yshift=14,
                           text=str(row), showarrow=False)
    fig.update_layout(height=160 + PHONE_ROW_PX * len(rows), margin=dict(l=10, r=10, t=10, b=10, autoexpand=True),
                      legend=dict(orientation="h", x=0, xanchor="left", xref="container", y=1.0, yanchor="top",
                                  yref="container"))


def _trace_for_a_projector(trace, font_px: int) -> None:
    """Lines at least 4 px, markers at least 18 px, a bar's or a point's own text at the slide's size."""
    if trace.type in ("scatter", "scatterpolar"):
        mode = trace.mode or ""
        if "lines" in mode and trace.fill in (None, "none"):
            trace.line.width = max(4, (trace.line.width or 0))
        if "markers" in mode and trace.marker.size is not None and not isinstance(trace.marker.size, (list, tuple)):
            trace.marker.size = max(18, trace.marker.size)
        if "text" in mode or trace.textfont.size is not None:
            trace.textfont.size = font_px
    elif trace.type == "bar":
        trace.textfont.size = font_px
        trace.insidetextfont.size = font_px
        trace.outsidetextfont.size = font_px
        trace.constraintext = "none"


def _row_labels_beside_bars(fig: go.Figure) -> None:
    """Row names written above horizontal bars (so a phone keeps the bars' width) would print over the bars at
    28 px: on a slide, which is wide, they go beside the bars as the axis labels."""
    if not any(t.type == "bar" and t.orientation == "h" for t in fig.data):
        return
    above = [a for a in fig.layout.annotations
             if a.showarrow is False and (a.yshift or 0) > 0 and a.x == 0 and a.xanchor == "left" and a.yanchor == "bottom"]
    if above:
        fig.layout.annotations = [a for a in fig.layout.annotations if a not in above]
        fig.update_yaxes(showticklabels=True, ticksuffix=" ")
        fig.update_layout(bargap=0.3)


def finding_beside(fig: go.Figure) -> bool:
    """Whether a slide puts the chart's finding beside it rather than under it: a single radar, which is as wide as
    it is tall, so on a wide screen the width beside it is spare and the height is not."""
    return len(list(fig.select_polars())) == 1 and any(t.type == "scatterpolar" for t in fig.data)


# The column on the right of a single radar on a slide: its key at the top and, under it, the finding
# (components/ui/present.py places it there). Narrow enough to leave the radar a third of a 1280 px slide.
RADAR_KEY_PX = 480


def _radar_for_a_slide(fig: go.Figure) -> None:
    """A radar as tall as the chart, its key beside it. Stage names on the radial axis would print over
    the domain names at slide size: the axis shows stage numbers and the key names them."""
    fig.update_layout(legend=dict(orientation="v", x=1.0, xanchor="left", xref="paper", y=1.0, yanchor="top",
                                  yref="paper"),
                      margin=dict(l=10, r=10, t=6, b=46))
    # The domain names on the left and right are drawn outside the radar's square: keep room for them.
    fig.update_polars(domain=dict(x=[0.27, 0.83], y=[0, 1]))
    angular = fig.layout.polar.angularaxis
    if angular.ticktext:  # a name split at its hyphen would take a second line from the radar's height
        angular.ticktext = [str(t).replace("-<br>", "-") for t in angular.ticktext]
    radial = fig.layout.polar.radialaxis
    names = list(radial.ticktext or [])
    values = list(radial.tickvals or [])
    if names and len(names) == len(values) and all(str(n) != str(v) for n, v in zip(names, values, strict=True)):
        radial.ticktext = [str(v) for v in values]
        pairs = [f"{v} {n}" for v, n in zip(values, names, strict=True)]
        rows = [" · ".join(pairs[i:i + 2]) for i in range(0, len(pairs), 2)]
        fig.update_layout(legend_title=dict(text="Stages: " + "<br>".join(rows), side="top"))
    if finding_beside(fig):
        _key_column(fig)


def _key_column(fig: go.Figure) -> None:
    """One radar: the key in a column of RADAR_KEY_PX on the right (the finding goes under it), the radar as large
    as the rest allows, and a marking every line shares ('Illustrative (not real data)') said once, in the key's
    title, so that no line of the key is wider than its column."""
    fig.update_layout(margin=dict(l=10, r=RADAR_KEY_PX, t=14, b=46))   # room for the stage 6 tick and the lowest domain
    fig.update_polars(domain=dict(x=[0.25, 0.87], y=[0, 1]))
    shown = [t for t in fig.data if t.showlegend is not False and t.name]
    suffixes = {str(t.name).rsplit(" · ", 1)[1] if " · " in str(t.name) else "" for t in shown}
    if len(suffixes) == 1 and (common := suffixes.pop()):
        for trace in shown:
            trace.name = str(trace.name).rsplit(" · ", 1)[0]
        title = fig.layout.legend.title.text
        fig.update_layout(legend_title=dict(text=f"{title}<br>{cap_first(common)}:" if title else f"{cap_first(common)}:",
                                            side="top"))


def _map_callouts(fig: go.Figure) -> list:
    """The borough map's labels: annotations whose arrow tail is placed in data units."""
    return [a for a in fig.layout.annotations if a.axref == "x" and a.ayref == "y"]


def _untangle_callouts(fig: go.Figure) -> None:
    """Borough labels, one line each, in two columns beside the map (the western half of the boroughs on the
    left), evenly spaced over the chart's height and ordered by height, each joined to its borough by a line:
    at slide size no two labels can overlap, and lines do not cross within a column.

    Every borough is labelled with its value, so the legend keeps only what the labels do not say (the
    chosen borough, the lighter boroughs outside NEL, the illustrative marking), on one or two rows."""
    callouts = sorted(_map_callouts(fig), key=lambda a: a.x)
    xs, ys = [a.x for a in callouts], [a.y for a in callouts]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    width, height = x1 - x0, y1 - y0
    # NEL's boroughs lie wide and low (their centres span about 3.5 times as far east-west as north-south):
    # room above and below zooms the map out enough for a column of 28 px labels on each side at 16:9.
    top, bottom = y1 + 1.15 * height, y0 - 1.15 * height
    half = (len(callouts) + 1) // 2
    columns = ((callouts[:half], x0 - 0.2 * width, "right"), (callouts[half:], x1 + 0.2 * width, "left"))
    for column, x, anchor in columns:
        step = (top - bottom) / max(len(column), 1)
        for i, a in enumerate(sorted(column, key=lambda a: -a.y)):
            a.update(ax=x, ay=top - step * (i + 0.5), xanchor=anchor, yanchor="middle", showarrow=True,
                     arrowwidth=2, borderpad=4, text=a.text.replace("<br>Dagenham", " Dagenham").replace("<br>", " "))
    # The x range is set narrower than any wide screen needs: plotly widens it to keep the map's shape (the
    # labels' room) and keeps the y range, so the labels are spread over the whole height of the chart.
    fig.update_xaxes(range=[x0 - 0.4 * width, x1 + 0.4 * width])
    fig.update_yaxes(range=[bottom, top])
    for trace in fig.data:
        if trace.showlegend and " to under " in str(trace.name):
            trace.showlegend = False
    fig.update_layout(legend_title_text="")

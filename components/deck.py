"""Summit decks: ordered slides, each one chart and its one-sentence finding, read from YAML files.

A presenter chooses and orders slides by editing a file in components/decks/ (no code). Pure: no
Streamlit here, so the report and the tests use it too.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import plotly.graph_objects as go
import yaml

from components.catalogue import KINDS

DECKS = Path(__file__).with_name("decks")
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
    return Deck(name, str(raw.get("title") or name), slides)


def load_decks(folder: Path = DECKS) -> tuple[dict[str, Deck], list[str]]:
    """Every valid deck by name, and a message for each file that is not."""
    decks, problems = {}, []
    for path in sorted(folder.glob("*.yaml")):
        try:
            decks[path.stem] = parse_deck(path.stem, path.read_text(encoding="utf-8"))
        except (DeckError, OSError, UnicodeDecodeError) as exc:
            problems.append(str(exc))
    return decks, problems


def presentation_figure(fig: go.Figure, *, height: int = 470) -> go.Figure:
    """The same chart made for a projector: larger type, thicker lines and markers."""
    big = go.Figure(fig)
    big.update_layout(font=dict(size=22), height=height, legend=dict(font=dict(size=20)),
                      margin=dict(l=20, r=30, t=30, b=20))
    big.update_annotations(font_size=20)
    for shape in big.layout.shapes:
        if shape.line is not None and shape.type == "line":
            shape.line.width = max(3, shape.line.width or 0)
    for trace in big.data:
        if trace.type in ("scatter", "scatterpolar"):
            mode = trace.mode or ""
            if "lines" in mode and trace.fill in (None, "none"):
                trace.line.width = max(4, (trace.line.width or 0))
            if "markers" in mode and trace.marker.size is not None and not isinstance(trace.marker.size, (list, tuple)):
                trace.marker.size = max(14, trace.marker.size)
            if "text" in mode:
                trace.textfont.size = 20
        elif trace.type == "bar":
            trace.textfont.size = 20
    big.update_xaxes(tickfont_size=20, title_font_size=20)
    big.update_yaxes(tickfont_size=20, title_font_size=20)
    return big

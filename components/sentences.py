"""Plain-English sentences generated from the data (the text alternative beside every chart)."""
from __future__ import annotations

from collections.abc import Sequence

import math

from components.text import fmt_number, fmt_percent


def pct(value: float, digits: int = 0) -> str:
    return fmt_percent(value, digits)


def _valid(years: Sequence, values: Sequence) -> list[tuple[int, float]]:
    return [(int(y), float(v)) for y, v in zip(years, values) if v is not None and not math.isnan(float(v))]


def trend_sentence(subject: str, years: Sequence, values: Sequence, *, unit: str = "%", digits: int = 0) -> str:
    """'The global-majority share of band 8a and above at Barts Health rose from 27% in 2019 to 40% in 2024.'"""
    points = _valid(years, values)
    fmt = (lambda v: fmt_percent(v, digits)) if unit == "%" else (lambda v: fmt_number(v, 2))
    if not points:
        return f"No figures for {subject} are available to show."
    if len(points) == 1:
        y, v = points[0]
        return f"{subject[0].upper()}{subject[1:]} was {fmt(v)} in {y}; there is only one year of figures."
    (y0, v0), (y1, v1) = points[0], points[-1]
    change = v1 - v0
    threshold = 0.5 if unit == "%" else 0.02
    if abs(change) < threshold:
        verb = f"stayed at about {fmt(v1)} between {y0} and {y1}"
    else:
        verb = f"{'rose' if change > 0 else 'fell'} from {fmt(v0)} in {y0} to {fmt(v1)} in {y1}"
    return f"{subject[0].upper()}{subject[1:]} {verb}."

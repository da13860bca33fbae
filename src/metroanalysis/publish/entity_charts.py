"""The small charts on the pages across months: one per series, drawn as inline SVG straight from
the numbers (no plotting library: a few hundred of them in milliseconds, so a month added to a
long history, which changes every chart, costs nothing to redraw), the same picture in every
language (its only words are numbers and months; titles and legends are HTML around it)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from markupsafe import Markup

from metroanalysis import i18n

CHART_SIZE = (326, 144)  # CSS pixels (3.4 × 1.5 inches at 96 per inch)
PLOT = (50, 8, 318, 120)  # the plotting area: left, top, right, bottom, in those pixels
Y_TICKS = 4  # at most this many intervals on the value axis
X_LABELS = 6  # about this many months labelled
PALETTE = ("#0b57d0", "#e8710a", "#188038", "#a142f4", "#d93025", "#12b5cb", "#5f6368")
NICE_STEPS = (1, 2, 2.5, 5, 10)  # a tick step is one of these times a power of ten


@dataclass
class Chart:
    caption: str
    svg: Markup  # an <svg> element, written by `draw` from numbers and months only
    width: int
    lines: list[tuple[str, str]]  # (series, colour)


class ChartCache:
    """Each chart drawn once for every language within a build (the same picture, keyed by what
    it shows: the months and the values)."""

    def __init__(self):
        self.drawn: dict = {}

    def chart(self, months: list[str], series: dict[str, list], titles: list[str], lang: str) -> Chart:
        values = tuple(tuple(v) for v in series.values())
        key = (tuple(months), values)
        if key not in self.drawn:
            self.drawn[key] = draw(months, list(values))
        svg, width = self.drawn[key]
        colours = [PALETTE[i % len(PALETTE)] for i in range(len(titles))]
        return Chart(i18n.LIST_SEPARATORS[lang].join(titles), svg, width, list(zip(titles, colours, strict=True)))


def draw(months: list[str], series: list[tuple]) -> tuple[Markup, int]:
    """One line per series over the months, a dot at each month with a value and a gap where a
    month has none (missing is never drawn as 0); the value axis starts at 0, with up to Y_TICKS
    round steps and grid lines; about X_LABELS months are labelled. Returns the <svg> and its width."""
    width, height = CHART_SIZE
    left, top, right, bottom = PLOT
    values = [v for s in series for v in s if v is not None]
    ticks = nice_ticks(max([0.0, *values]))
    y_max = ticks[-1]

    def x_at(i: int) -> float:
        return left + 6 + (right - left - 12) * (i / (len(months) - 1) if len(months) > 1 else 0.5)

    def y_at(v: float) -> float:
        return bottom - (bottom - top) * v / y_max

    parts = [f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="9">']  # fmt: skip
    for t in ticks:
        y = y_at(t)
        parts.append(f'<line x1="{left}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d9d9d9" stroke-width="0.6"/>')
        parts.append(f'<text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end" fill="#333">{compact(t)}</text>')
    step = max(1, (len(months) + X_LABELS - 1) // X_LABELS)
    for i in range(0, len(months), step):
        x = x_at(i)
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{bottom}" stroke="#d9d9d9" stroke-width="0.6"/>')
        parts.append(f'<text x="{x:.1f}" y="{bottom + 13}" text-anchor="middle" fill="#333">{months[i]}</text>')
    frame = f'x="{left}" y="{top}" width="{right - left}" height="{bottom - top}"'
    parts.append(f'<rect {frame} fill="none" stroke="#333" stroke-width="0.8"/>')
    for n, s in enumerate(series):
        colour = PALETTE[n % len(PALETTE)]
        for run in runs_of_values(s):
            points = " ".join(f"{x_at(i):.1f},{y_at(v):.1f}" for i, v in run)
            if len(run) > 1:
                parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="1.6"/>')
            parts.extend(f'<circle cx="{x_at(i):.1f}" cy="{y_at(v):.1f}" r="2.2" fill="{colour}"/>' for i, v in run)
    parts.append("</svg>")
    return Markup("".join(parts)), width


def runs_of_values(series: tuple) -> list[list[tuple[int, float]]]:
    """The series cut at its missing months: each run a list of (month index, value)."""
    runs: list[list[tuple[int, float]]] = [[]]
    for i, v in enumerate(series):
        if v is None or (isinstance(v, float) and math.isnan(v)):
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append((i, float(v)))
    return [r for r in runs if r]


def nice_ticks(top: float) -> list[float]:
    """0 and round steps up to the first tick at or above `top` (at most Y_TICKS steps); [0, 1]
    when there is nothing above 0."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / Y_TICKS
    power = 10 ** math.floor(math.log10(raw))
    step = next(k * power for k in NICE_STEPS if k * power >= raw * (1 - 1e-9))
    count = math.ceil(top / step - 1e-9)
    return [round(i * step, 10) for i in range(count + 1)]


def compact(x, _pos=None) -> str:
    """Axis numbers without words: 12,000,000 → 12M, 45,000 → 45k."""
    for size, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= size:
            return f"{x / size:.3g}{suffix}"
    return f"{x:.3g}"

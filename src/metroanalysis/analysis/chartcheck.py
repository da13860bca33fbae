"""The check every chart passes before it reaches a page (`notebook.chart` calls `check`).

Measured with matplotlib's own renderer extents (`Text.get_window_extent(renderer)`), at the
resolution the chart is drawn at, after the layout the PNG gets:

- no text (title, axis labels, tick labels, bar and point labels, legend) extends beyond the canvas;
- no two texts overlap;
- the value axis of a bar chart, and the y axis of a line chart of figures that are never negative,
  includes 0, unless the axes carry a note saying why not (`plotting.baseline_note`) that the chart shows;
- series that coincide stay distinguishable: no marker of one line is drawn within half a marker of
  another line's (two lines with the same values are offset, not stacked on one spot); lines too
  long to mark each point (`plotting.MARKED_POINTS`) are told apart by their dash patterns.

A failure raises `ChartCheckError` naming the report, the chart (its title) and the offending texts.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.text import Annotation, Text
from matplotlib.transforms import Bbox

# Extents are in pixels at the drawing resolution; anti-aliasing smears an edge by about one
# pixel, so a text may touch the canvas edge or another text by that much.
TOLERANCE_PX = 1.0
# The attribute `plotting.baseline_note` sets on an axes whose value axis may leave out 0.
BASELINE_NOTE = "_metroanalysis_baseline_note"


class ChartCheckError(ValueError):
    """A chart that would show clipped, colliding or misleading marks."""


@dataclass(frozen=True)
class Problem:
    kind: str  # "clipped", "overlap", "baseline", "coincide"
    texts: tuple[str, ...]
    detail: str

    def __str__(self) -> str:
        # one line: the runner reports an error's last line (a wrapped title is shown unwrapped)
        quoted = " / ".join("«{}»".format(t.replace("\n", " ")) for t in self.texts)
        return f"{self.kind}: {quoted} ({self.detail})"


def check(fig: Figure, report: str = "", drawn: bool = False) -> None:
    """Raise ChartCheckError naming `report`, the chart's title and every problem found. `drawn`:
    the figure has just been drawn (`plotting.to_png` checks between drawing and encoding), so
    it is measured as it stands rather than laid out again."""
    found = problems(fig, drawn=drawn)
    if found:
        where = f"{report}: " if report else ""
        listed = "; ".join(str(p) for p in found)
        raise ChartCheckError(f"{where}chart «{chart_title(fig)}»: {listed}")


def chart_title(fig: Figure) -> str:
    """The chart's title as shown (the left title the helpers set, else the centre one)."""
    for ax in fig.axes:
        if getattr(ax, "_metroanalysis_title", None):  # before chartlayout wrapped it
            return ax._metroanalysis_title
        for loc in ("left", "center", "right"):
            if ax.get_title(loc=loc):
                return " ".join(ax.get_title(loc=loc).split())
    suptitle = fig.get_suptitle() if hasattr(fig, "get_suptitle") else ""
    return suptitle or "(untitled)"


def problems(fig: Figure, drawn: bool = False) -> list[Problem]:
    """Every problem of `fig` at its resolution, laid out (not rasterized) unless already `drawn`."""
    renderer = renderer_of(fig)
    if not drawn:
        fig.draw_without_rendering()
    texts = shown_texts(fig)
    boxes = [t.get_window_extent(renderer) for t in texts]
    found = clipped(texts, boxes, fig.bbox) + overlapping(texts, boxes)
    for ax in fig.axes:
        found += missing_baseline(ax) + coinciding_series(ax)
    return found


def renderer_of(fig: Figure):
    """The Agg renderer the chart is drawn with (a figure made bare gets an Agg canvas, as in to_png)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    return fig.canvas.get_renderer()


def titles(ax) -> tuple[Text, Text, Text]:
    """`ax`'s three titles, centre, left and right (matplotlib keeps the last two apart), empty or not."""
    return ax.title, ax._left_title, ax._right_title


def shown_texts(fig: Figure) -> list[Text]:
    """Every non-empty text the figure draws: titles, axis labels, tick labels in view, annotations
    and bar labels, legend entries and titles, figure texts."""
    out: list[Text] = [t for t in fig.texts]
    if getattr(fig, "_suptitle", None) is not None:
        out.append(fig._suptitle)
    for legend in fig.legends:
        out += legend_texts(legend)
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        out += titles(ax)
        for axis in (ax.xaxis, ax.yaxis):
            out += [axis.label, axis.offsetText, *tick_labels(axis)]
        out += [t for t in ax.texts if not isinstance(t, Annotation) or annotation_drawn(t)]
        if ax.get_legend() is not None:
            out += legend_texts(ax.get_legend())
    return [t for t in out if t.get_visible() and t.get_text().strip()]


def legend_texts(legend) -> list[Text]:
    if not legend.get_visible():
        return []
    return [*legend.get_texts(), legend.get_title()]


def tick_labels(axis: Axis) -> list[Text]:
    """The labels of the major ticks drawn: those whose location is inside the axis's view (the
    reports draw no minor tick labels)."""
    if not axis.get_visible():
        return []
    low, high = sorted(axis.get_view_interval())
    span = (high - low) * 1e-9
    out = []
    for loc, tick in zip(axis.get_majorticklocs(), axis.get_major_ticks(), strict=False):
        if low - span <= loc <= high + span:
            out += [label for label in (tick.label1, tick.label2) if label.get_visible()]
    return out


def annotation_drawn(text: Annotation) -> bool:
    """An annotation whose point is outside the axes is not drawn (matplotlib's annotation_clip)."""
    renderer = renderer_of(text.figure)
    return bool(text._check_xy(renderer))


def clipped(texts: list[Text], boxes: list[Bbox], canvas: Bbox) -> list[Problem]:
    out = []
    for text, box in zip(texts, boxes, strict=True):
        beyond = [
            side
            for side, over in (
                ("left", canvas.x0 - box.x0),
                ("right", box.x1 - canvas.x1),
                ("bottom", canvas.y0 - box.y0),
                ("top", box.y1 - canvas.y1),
            )
            if over > TOLERANCE_PX
        ]
        if beyond:
            out.append(Problem("clipped", (text.get_text(),), "beyond the canvas on the " + ", ".join(beyond)))
    return out


def overlapping(texts: list[Text], boxes: list[Bbox]) -> list[Problem]:
    """Pairs of texts whose extents overlap by more than the tolerance in both directions."""
    if len(texts) < 2:
        return []
    b = np.array([[x.x0, x.y0, x.x1, x.y1] for x in boxes])
    width = np.minimum.outer(b[:, 2], b[:, 2]) - np.maximum.outer(b[:, 0], b[:, 0])
    height = np.minimum.outer(b[:, 3], b[:, 3]) - np.maximum.outer(b[:, 1], b[:, 1])
    hits = np.argwhere(np.triu((width > TOLERANCE_PX) & (height > TOLERANCE_PX), k=1))
    return [
        Problem("overlap", (texts[i].get_text(), texts[j].get_text()), "texts drawn over each other") for i, j in hits
    ]


def missing_baseline(ax: Axes) -> list[Problem]:
    """A bar chart's value axis, or a line chart's y axis over figures never negative, must show 0."""
    note = getattr(ax, BASELINE_NOTE, None)
    if note and note_shown(ax, note):
        return []
    out = []
    for container in ax.containers:
        if not isinstance(container, BarContainer) or not len(container.patches):
            continue
        horizontal = container.orientation == "horizontal"
        low, high = sorted(ax.get_xlim() if horizontal else ax.get_ylim())
        if not low <= 0 <= high:
            axis = "x" if horizontal else "y"
            out.append(Problem("baseline", (chart_axes_title(ax),), f"bars' {axis} axis runs {low:,.6g}–{high:,.6g}"))
            break
    series = [line.get_ydata() for line in ax.get_lines() if not line.get_label().startswith("_")]
    values = np.concatenate([np.asarray(y, dtype=float) for y in series]) if series else np.array([])
    values = values[np.isfinite(values)]
    low = min(ax.get_ylim())
    if len(values) and values.min() >= 0 and low > 0:
        out.append(
            Problem("baseline", (chart_axes_title(ax),), f"y axis of values never negative starts at {low:,.6g}")
        )
    return out


def note_shown(ax: Axes, note: str) -> bool:
    shown = [t.get_text() for t in [*ax.figure.texts, *ax.texts, ax.xaxis.label] if t.get_visible()]
    return any(note in " ".join(s.split()) or note in s for s in shown)


def chart_axes_title(ax: Axes) -> str:
    return ax.get_title(loc="left") or ax.get_title() or "axes"


def coinciding_series(ax: Axes) -> list[Problem]:
    """Two labelled lines drawn on top of each other: most markers of one (all, for a line of one
    or two points) within half a marker (at least a pixel) of the other's, so the one drawn first
    is hidden. Lines that cross, meeting at a point or two of many, stay distinguishable."""
    lines = [line for line in ax.get_lines() if line.get_visible() and not line.get_label().startswith("_")]
    out = []
    for a, b in itertools.combinations(lines, 2):
        if not (marked(a) or marked(b)) and a.get_linestyle() != b.get_linestyle():
            continue  # lines without markers, one drawn over the other, show through each other's dashes
        pa, pb = display_points(a), display_points(b)
        if not len(pa) or not len(pb):
            continue
        size = max(a.get_markersize(), b.get_markersize()) * ax.figure.dpi / 72
        reach = max(TOLERANCE_PX, size / 2)
        near = np.sqrt(((pa[:, None, :] - pb[None, :, :]) ** 2).sum(axis=2)) < reach
        close = min(int(near.any(axis=1).sum()), int(near.any(axis=0).sum()))
        if close * 2 > min(len(pa), len(pb)):
            detail = f"{close} of {min(len(pa), len(pb))} points drawn within {reach:.0f} px of each other"
            out.append(Problem("coincide", (a.get_label(), b.get_label()), detail))
    return out


def marked(line) -> bool:
    return line.get_marker() not in (None, "None", "none", "", " ")


def display_points(line) -> np.ndarray:
    xy = np.asarray(line.get_xydata(), dtype=float)
    xy = xy[np.isfinite(xy).all(axis=1)]
    return line.get_transform().transform(xy) if len(xy) else xy

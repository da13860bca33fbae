"""Fit a chart's texts to its canvas, measured with matplotlib's renderer at the drawing
resolution, before `chartcheck` checks it (both called by `notebook.chart`).

Only what a measurement shows is needed changes: a title or axis label wider than the canvas is
wrapped (at spaces in English; in Chinese before an opening bracket or after a comma first, between
characters only if a piece is still too long), tick labels that touch get fewer ticks (numbers) or
are wrapped, then thinned (categories), point labels of a scatter are placed by adjustText, the
end labels of a line chart are spread apart and lines drawn on one spot are set side by side. A
one-character Chinese y label (区) is written upright.

Laid out and drawn as few times as the same picture allows (tests/test_chart_images.py holds the
pictures pixel for pixel): the first drawing is rendered and kept as the picture when nothing
changes after it (RENDERED); a month axis too long to label whole is thinned before its first
layout (thin_before_layout), so the layout does not grow with the history; texts in cells or on
bars are left out of constrained layout while they lie inside the axes (INNER_TEXTS); end labels
moved inside the axes leave the layout as it was (moved_past_axes).
"""

from __future__ import annotations

import itertools
import re

import numpy as np
from adjustText import adjust_text  # imported with the module: the fork server preloads it for kernels
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import FixedFormatter, FixedLocator, Formatter, FuncFormatter, MaxNLocator
from matplotlib.transforms import ScaledTranslation

from metroanalysis.analysis import chartcheck

# Attributes the plotting helpers set on an axes for the steps below.
POINT_LABELS = "_metroanalysis_point_labels"  # (texts, x, y): a scatter's labelled points
END_LABELS = "_metroanalysis_end_labels"  # a line chart's value labels at the lines' last points
ORIGINAL_TITLE = "_metroanalysis_title"  # the title before it was wrapped
INNER_TEXTS = "_metroanalysis_inner_texts"  # texts in cells or on bars, left out of the layout (plotting)
INNER_MARGIN_PX = 10  # a text this far inside the axes stays inside when the layout shifts a little
RENDERED = "_metroanalysis_rendered"  # set by `fit` when the figure's canvas holds its final picture
CATEGORIES = "_metroanalysis_categories"  # (locations, labels) of an axis thinned before its first layout
MARGIN_PX = 6  # space kept between a text and the canvas edge
TICK_GAP_PX = 8  # space kept between neighbouring tick labels
# adjustText stops by the clock (1 s) unless given a number of steps: a fixed number keeps the same
# chart the same bytes on a busy machine and a quiet one (it stops sooner once nothing collides).
DRAW_DPI = 128  # dots per inch a chart is laid out, measured and drawn at (plotting.to_png)
ADJUST_STEPS = 400
DODGE_PT = 7  # how far apart lines drawn on one spot are set (a marker is 6 points)
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def fit(fig: Figure) -> None:
    """Make `fig`'s texts fit (see module doc); lays it out at the resolution it is drawn at. When
    the texts changed after the last layout here, the drawing that follows lays it out again."""
    fig.set_dpi(DRAW_DPI)
    setattr(fig, RENDERED, False)
    renderer = chartcheck.renderer_of(fig)
    for ax in fig.axes:
        upright_single_character(ax)
        title_where_matplotlib_puts_it(ax, renderer)
    crowded = [ax.xaxis for ax in fig.axes if thin_before_layout(ax.xaxis, fig, renderer)]
    # Rendered, not only laid out, when the picture may well be final after it: then it is kept
    # (RENDERED) and not drawn again. Point labels are always moved after it (adjustText), and an
    # axis thinned for the first layout always gets its ticks anew.
    render = not crowded and not any(getattr(ax, POINT_LABELS, None) for ax in fig.axes)
    fig.canvas.draw() if render else fig.draw_without_rendering()
    wrapped = False
    extents: dict = {}  # each axes' extent with its ticks and labels, measured once
    for ax in fig.axes:
        for title in chartcheck.titles(ax):
            if title.get_text():
                setattr(ax, ORIGINAL_TITLE, getattr(ax, ORIGINAL_TITLE, title.get_text()))
                wrapped |= fit_width(title, fig, renderer, extents)
        wrapped |= fit_width(ax.xaxis.label, fig, renderer, extents)
    # ticks measured on the same layout (a wrapped title makes the axes a line shorter, not narrower)
    changed = False
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            changed |= fit_category_ticks(axis, fig) if axis in crowded else fit_ticks(axis, fig)
    reaching_out = [inner_texts_reach_out(ax, renderer) for ax in fig.axes]  # every axes' put back
    stale = wrapped or changed or any(reaching_out)  # the layout no longer fits the texts
    if stale and any(_placed_in_layout(ax) for ax in fig.axes):
        # the steps below measure where lines, points and labels are; rendered as the first drawing
        render = not any(getattr(ax, POINT_LABELS, None) for ax in fig.axes)
        fig.canvas.draw() if render else fig.draw_without_rendering()
        stale = False
    laid_out = {ax: end_marks(ax, renderer) for ax in fig.axes}  # as the last layout measured them
    for ax in fig.axes:
        dodge_coinciding_lines(ax)
        spread_end_labels(ax)
        place_point_labels(ax)
    if render and not stale and not any(marks_moved(ax, laid_out[ax], renderer) for ax in fig.axes):
        setattr(fig, RENDERED, True)  # nothing changed since the first drawing: it is the picture
    stale |= any(moved_past_axes(ax, laid_out[ax], renderer) for ax in fig.axes)
    if stale:
        # Laid out once more by the drawing that follows (plotting.to_png, or chartcheck.problems):
        # the same layout from the same texts as a drawing here would give, without drawing the
        # figure one more time only to measure it (the chart images test holds the pictures).
        return
    # Laid out for good: the drawing that follows (plotting.to_png) renders these very positions, so
    # what was measured here is what is drawn, and no second layout pass is paid for.
    fig.set_layout_engine("none")


def inner_texts_reach_out(ax: Axes, renderer) -> bool:
    """Put back into the layout any of `ax`'s texts in cells or on bars (INNER_TEXTS) not well
    inside the axes; True if one was (the layout, made without it, must be made again). Inside,
    they change nothing constrained layout keeps room for, which is why they were left out (as
    matplotlib leaves out an empty one: a bar's "" label for a part too small to label)."""
    inner = ax.bbox.padded(-INNER_MARGIN_PX)
    texts = [t for t in getattr(ax, INNER_TEXTS, []) if t.get_visible() and t.get_text()]
    out = [t for t in texts if not _inside(t.get_window_extent(renderer), inner)]
    for text in out:
        text.set_in_layout(True)
    return bool(out)


def _inside(box, outer) -> bool:
    return box.x0 >= outer.x0 and box.x1 <= outer.x1 and box.y0 >= outer.y0 and box.y1 <= outer.y1


def _placed_in_layout(ax: Axes) -> bool:
    """`ax` has lines, end labels or point labels that the steps after the first layout place."""
    labelled_lines = any(not line.get_label().startswith("_") for line in ax.get_lines())
    return labelled_lines or bool(getattr(ax, END_LABELS, None)) or bool(getattr(ax, POINT_LABELS, None))


def end_marks(ax: Axes, renderer) -> dict:
    """{artist: its extent, None when hidden} for what the steps after the layout move on a line
    chart: the end labels and the labelled lines (set side by side)."""
    marks = [*getattr(ax, END_LABELS, {}).values(), *(x for x in ax.get_lines() if not x.get_label().startswith("_"))]
    return {mark: mark.get_tightbbox(renderer) if mark.get_visible() else None for mark in marks}


def marks_moved(ax: Axes, laid_out: dict, renderer) -> bool:
    """Whether any of `ax`'s end marks moved or was hidden since `laid_out` was measured."""
    now = {mark: mark.get_tightbbox(renderer) if mark.get_visible() else None for mark in laid_out}
    return any(
        (a is None) != (b is None) or (a is not None and a.bounds != b.bounds)
        for a, b in zip(laid_out.values(), now.values(), strict=True)
    )


def moved_past_axes(ax: Axes, laid_out: dict, renderer) -> bool:
    """Whether moving `ax`'s end marks could change the layout made with them at `laid_out`.
    Constrained layout keeps room for the union of the axes and everything drawn round it: a mark
    whose extent along a direction stayed the same, or lay inside the axes before and after, leaves
    that union, hence the layout, as it was. Otherwise the drawing lays the figure out again."""
    if not getattr(ax, END_LABELS, None):
        return False  # nothing moved (a scatter's labels are placed for the layout made)
    box = ax.bbox
    for mark, before in laid_out.items():
        after = mark.get_tightbbox(renderer) if mark.get_visible() else None
        for low, high, inside in (("x0", "x1", box.intervalx), ("y0", "y1", box.intervaly)):
            ends = [(getattr(b, low), getattr(b, high)) for b in (before, after) if b is not None]
            if len(ends) == 2 and ends[0] == ends[1]:
                continue
            if not all(inside[0] <= a and b <= inside[1] for a, b in ends):
                return True
    return False


def title_where_matplotlib_puts_it(ax: Axes, renderer) -> None:
    """Fix `ax`'s title at the top of the axes (1.0) when that is where matplotlib's automatic
    placement puts it anyway, which it finds out on every layout pass and every drawing by
    measuring every y tick label (`Axes._update_title_position`: a tenth of a chart's drawing).
    It lifts a title only over what reaches above the axes: x tick labels, the x label or the x
    offset text at the top, a twin's or a child axes', the y axis's offset text ("1e6"), or,
    with a pad smaller than the title's descent, the axes' own top edge. With none of these it
    leaves the title at 1.0, as here. The title's distance from the axes' top does not change with
    the layout (both move together), so measuring it once settles it for every pass; tests hold
    this rule to matplotlib's own placement (test_plotting.py)."""
    every = chartcheck.titles(ax)
    shown = [t for t in every if t.get_text()]
    if not shown or ax._autotitlepos is False:
        return  # no title, or placed by its caller
    if not nothing_above(ax):
        return
    for title in every:
        title.set_y(1.0)  # where matplotlib's placement starts
    if all(t.get_window_extent(renderer).y0 >= ax.bbox.y1 for t in shown):
        ax._autotitlepos = False  # as `set_title(..., y=1.0)` leaves it


def nothing_above(ax: Axes) -> bool:
    """Nothing of `ax`'s, its twins' or its children's can reach above the top of the axes."""
    x = ax.xaxis
    labels_on_top = any(x.get_tick_params(which=w).get("labeltop") for w in ("major", "minor")) or any(
        t.label2.get_visible() for t in [*x.majorTicks, *x.minorTicks]
    )
    return (
        not labels_on_top
        and x.get_label_position() == "bottom"
        and x.offset_text_position == "bottom"
        and "outline" not in ax.spines  # a colour bar's frame, measured by its own extent
        and not ax.child_axes
        and ax._twinned_axes.get_siblings(ax) == [ax]
        and ax.figure._align_label_groups["title"].get_siblings(ax) == [ax]
        and never_an_offset(ax.yaxis.get_major_formatter())
    )


def never_an_offset(formatter: Formatter) -> bool:
    """The y axis shows no offset text ("1e6") with `formatter`, however the ticks change: one that
    has none at all, or a fixed or function formatter given none (ScalarFormatter finds one when
    it draws, and is left to matplotlib)."""
    if type(formatter).get_offset is Formatter.get_offset:
        return True
    return isinstance(formatter, FixedFormatter | FuncFormatter) and not formatter.get_offset()


def upright_single_character(ax: Axes) -> None:
    label = ax.yaxis.label
    if len(label.get_text().strip()) == 1 and CJK.match(label.get_text().strip()):
        label.set_rotation(0)
        label.set_verticalalignment("center")
        label.set_horizontalalignment("right")


def text_width(text: str, like: Text, renderer) -> float:
    """Width in pixels of `text` in `like`'s font. Remembered for the process: fitting a month
    axis measures the same labels and pieces of labels (年, 月, 2021) hundreds of times."""
    font = like.get_fontproperties()
    key = (text, tuple(font.get_family()), font.get_style(), font.get_variant(), font.get_weight(),
           font.get_stretch(), font.get_size(), font.get_file(), type(renderer), renderer.dpi)  # fmt: skip
    if key not in _WIDTHS:
        _WIDTHS[key] = renderer.get_text_width_height_descent(text, font, ismath=False)[0]
    return _WIDTHS[key]


_WIDTHS: dict[tuple, float] = {}


def fit_width(text: Text, fig: Figure, renderer, extents: dict | None = None) -> bool:
    """Wrap `text` (a title or x label) when it reaches beyond the canvas's side, or over another
    axes beside its own (a heatmap's colour bar); True if it did. `extents`: the axes' extents
    measured so far (each is measured once per layout: a colour bar's takes as long as a drawing)."""
    if not text.get_text():
        return False
    extents = {} if extents is None else extents
    box = text.get_window_extent(renderer)
    right = fig.bbox.x1 - MARGIN_PX
    for other in fig.axes:
        if other is not text.axes and other.get_visible():
            if other not in extents:
                extents[other] = other.get_tightbbox(renderer)
            tight = extents[other]
            if tight is not None and tight.x0 > box.x0 and tight.y1 > box.y0 and tight.y0 < box.y1:
                right = min(right, tight.x0 - MARGIN_PX)
    if box.x1 <= right and box.x0 >= fig.bbox.x0:
        return False
    room = right - max(box.x0, fig.bbox.x0 + MARGIN_PX)
    text.set_text(wrap(text.get_text(), room, lambda s: text_width(s, text, renderer)))
    extents.pop(text.axes, None)  # its extent changed with its text
    return True


def wrap(text: str, width: float, measure) -> str:
    """`text` broken into lines no wider than `width` by `measure`: at spaces, before an opening
    bracket and after Chinese commas first; a piece still too wide breaks between Chinese characters."""
    lines: list[str] = []
    line = ""
    for piece in pieces(text):
        for part in [piece] if measure(piece.strip()) <= width else cjk_characters(piece):
            if line.strip() and measure((line + part).rstrip()) > width:
                lines.append(line.rstrip())
                line = part.lstrip()
            else:
                line += part
    lines.append(line.rstrip())
    return "\n".join(x for x in lines if x)


def pieces(text: str) -> list[str]:
    """`text` cut where a line may break: after a space, before （ or (, after ，、：；."""
    return [p for p in re.split(r"(?<= )|(?=[（(])|(?<=[，、：；])", " ".join(text.split())) if p]


def cjk_characters(piece: str) -> list[str]:
    """`piece` cut between Chinese characters (a run of Latin letters or digits stays whole)."""
    return re.findall(r"[\u3400-\u9fff\uff00-\uffef]|[^\u3400-\u9fff\uff00-\uffef]+", piece)


def fit_ticks(axis, fig: Figure) -> bool:
    """Fewer number ticks, or wrapped then thinned category labels, until no two labels touch;
    True if the ticks changed."""
    if not touching(axis, fig):
        return False
    if isinstance(axis.get_major_locator(), FixedLocator):
        return fit_category_ticks(axis, fig)
    renderer = fig.canvas.get_renderer()
    like = chartcheck.tick_labels(axis)[0]
    low, high = sorted(axis.get_view_interval())
    length = axis.axes.bbox.width if axis is axis.axes.xaxis else axis.axes.bbox.height
    for nbins in range(len(chartcheck.tick_labels(axis)) - 1, 0, -1):
        locator = MaxNLocator(nbins=nbins, steps=[1, 2, 2.5, 5, 10])
        locs = [v for v in locator.tick_values(low, high) if low <= v <= high]
        texts = axis.get_major_formatter().format_ticks(locs)
        if len(locs) < 2:
            break
        # ticks are evenly spaced: the widest label and its neighbours' halves must fit one step
        step_px = length * (locs[1] - locs[0]) / (high - low)
        size = max(text_width(t, like, renderer) if axis is axis.axes.xaxis else like.get_fontsize() for t in texts)
        if size + TICK_GAP_PX <= step_px:
            break
    axis.set_major_locator(locator)
    return True


def thin_before_layout(axis, fig: Figure, renderer) -> bool:
    """Keep for the first layout only every k-th category of a month axis too long to label whole
    even across the whole canvas (k: the most that is sure to be thinned, measured below); True if
    it did. Its categories are kept (CATEGORIES) for `fit_category_ticks`, which chooses the step
    from all of them, as for an axis laid out whole. The first layout then makes, measures and
    draws tens of ticks, not one for each month of the history: the layout is the same, as the
    labels left out are as tall as those kept and lie inside the axes."""
    if not isinstance(axis.get_major_locator(), FixedLocator) or not axis.get_visible():
        return False
    # read from the locator and formatter: a tick made for each month would cost more than the
    # layout it saves (the ticks are made for the categories kept)
    low, high = sorted(axis.get_view_interval())
    span = (high - low) * 1e-9
    shown = [(loc, text) for loc, text in zip(axis.get_majorticklocs(), axis.get_major_formatter().format_ticks(
        axis.get_majorticklocs()), strict=True) if low - span <= loc <= high + span]  # fmt: skip
    if len(shown) < 3:
        return False
    locs, texts = [loc for loc, _ in shown], [text for _, text in shown]
    like = axis.get_major_ticks(1)[0].label1
    # the widest piece a label cannot be broken into (wrap) needs at least this many categories
    narrowest = max(text_width(piece, like, renderer) for piece in {a for t in texts for a in atoms(t)})
    widest_spacing = fig.bbox.width * float(np.min(np.diff(locs))) / (high - low)
    least_step = int(np.ceil((narrowest + TICK_GAP_PX) / widest_spacing))
    if least_step < 2:
        return False
    setattr(axis, CATEGORIES, (locs, texts))
    axis.set_ticks(locs[::least_step], texts[::least_step])
    return True


def atoms(text: str) -> list[str]:
    """The smallest pieces `wrap` keeps whole: Chinese characters, words, runs of digits."""
    return [a for piece in pieces(text) for a in cjk_characters(piece) if a.strip()]


def fit_category_ticks(axis, fig: Figure) -> bool:
    """Category labels (x: wrapped to the space between ticks first) shown every `step`-th tick,
    the smallest step at which the widest (x) or tallest (y) label fits between its neighbours;
    True. An axis thinned for the first layout is fitted from all its categories."""
    renderer = fig.canvas.get_renderer()
    labels = chartcheck.tick_labels(axis)
    locs, texts = getattr(axis, CATEGORIES, (None, None))
    if locs is None:
        texts = [t.get_text() for t in labels]
        locs = [loc for loc, _ in zip(axis.get_majorticklocs(), labels, strict=False)]
    spacing = min_spacing_px(axis, locs)
    horizontal = axis is axis.axes.xaxis
    if horizontal:
        texts = [wrap(t, spacing - TICK_GAP_PX, lambda s, like=labels[0]: text_width(s, like, renderer)) for t in texts]
    sizes = [text_size(t, labels[0], renderer)[0 if horizontal else 1] for t in texts]
    step = 1
    while step < len(texts) and max(sizes) + (TICK_GAP_PX if horizontal else 1) > spacing * step:
        step += 1
    # Only the ticks shown are kept (the labels come from a fixed formatter: replaced, not edited).
    # A tick with an empty label would still be made, laid out, measured and drawn in every pass,
    # its grid line too: over 120 months a solid grey band of lines, and a cost growing with the
    # history. The grid lines stay at the labelled categories, as on any thinned axis.
    axis.set_ticks(locs[::step], texts[::step])
    return True


def text_size(text: str, like: Text, renderer) -> tuple[float, float]:
    """Width of the widest line and height of all lines of `text` in `like`'s font, in pixels."""
    lines = text.split("\n")
    height = renderer.get_text_width_height_descent("国", like.get_fontproperties(), ismath=False)[1]
    return max(text_width(x, like, renderer) for x in lines), height * len(lines) * 1.2


def min_spacing_px(axis, locs=None) -> float:
    """The smallest distance between two neighbouring ticks (or `locs`), in pixels."""
    locs = np.asarray(axis.get_majorticklocs() if locs is None else locs, dtype=float)
    if len(locs) < 2:
        return float("inf")
    ax = axis.axes
    if axis is ax.xaxis:
        pos = ax.transData.transform(np.column_stack([locs, np.zeros_like(locs)]))[:, 0]
    else:
        pos = ax.transData.transform(np.column_stack([np.zeros_like(locs), locs]))[:, 1]
    return float(np.min(np.abs(np.diff(np.sort(pos)))))


def touching(axis, fig: Figure) -> bool:
    """Two of the axis's tick labels closer than TICK_GAP_PX along the axis (or over each other)."""
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in chartcheck.tick_labels(axis) if t.get_text().strip()]
    horizontal = axis is axis.axes.xaxis
    spans = sorted((b.x0, b.x1) if horizontal else (b.y0, b.y1) for b in boxes)
    gap = TICK_GAP_PX if horizontal else 1
    return any(b[0] - a[1] < gap for a, b in itertools.pairwise(spans))


def dodge_coinciding_lines(ax: Axes) -> None:
    """Lines with a marker within half a marker of another line's are set side by side, a few
    points apart, their end labels moving with them: both stay visible."""
    found = chartcheck.coinciding_series(ax)
    if not found:
        return
    lines = [line for line in ax.get_lines() if not line.get_label().startswith("_")]
    involved = [line for line in lines if any(line.get_label() in p.texts for p in found)]
    labels = getattr(ax, END_LABELS, {})
    widest = (len(involved) - 1) / 2 * DODGE_PT  # the right-most line's shift, in points
    for i, line in enumerate(involved):
        shift = (i - (len(involved) - 1) / 2) * DODGE_PT
        line.set_transform(line.get_transform() + ScaledTranslation(shift / 72, 0, ax.figure.dpi_scale_trans))
        label = labels.get(line.get_label())
        if label is not None:  # right of the right-most marker, clear of the others
            x, y = label.xyann
            label.xyann = (x + widest, y)


def spread_end_labels(ax: Axes) -> None:
    """End labels drawn over each other are moved apart vertically, nearest first; labels with the
    same text on one spot (two lines ending on the same figure) are shown once."""
    labels = list(getattr(ax, END_LABELS, {}).values())
    if len(labels) < 2:
        return
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    boxes = {id(t): t.get_window_extent(renderer) for t in labels}
    shown: list[Text] = []
    for label in sorted(labels, key=lambda t: boxes[id(t)].y0):
        box = boxes[id(label)]
        same = [s for s in shown if s.get_text() == label.get_text() and abs(boxes[id(s)].y0 - box.y0) < 1]
        if same:
            label.set_visible(False)
            continue
        if shown:
            below = boxes[id(shown[-1])]
            lift = below.y1 + 1 - box.y0
            if lift > 0:
                x, y = label.xyann
                label.xyann = (x, y + lift * 72 / fig.dpi)
                boxes[id(label)] = box.translated(0, lift)
        shown.append(label)


def place_point_labels(ax: Axes) -> None:
    """A scatter's point labels placed by adjustText (away from each other, the points and the
    legend); a label that still collides after that is left out, the smallest point's first."""
    entry = getattr(ax, POINT_LABELS, None)
    if not entry:
        return
    texts, xs, ys = entry
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    legend = ax.get_legend()
    objects = [legend.get_window_extent(renderer)] if legend is not None else None
    adjust_text(
        texts, x=np.asarray(xs), y=np.asarray(ys), objects=objects, ax=ax, iter_lim=ADJUST_STEPS,
        arrowprops={"arrowstyle": "-", "color": "0.55", "lw": 0.6},
    )  # fmt: skip
    others = [t for t in chartcheck.shown_texts(fig) if t not in texts]
    kept = list(texts)  # largest first (see plotting.labelled_scatter)
    for text in reversed(texts):
        if collides(text, [t for t in kept if t is not text] + others, renderer):
            text.set_visible(False)
            kept.remove(text)


def collides(text: Text, others: list[Text], renderer) -> bool:
    box = text.get_window_extent(renderer)
    canvas = text.figure.bbox
    if box.x0 < canvas.x0 or box.x1 > canvas.x1 or box.y0 < canvas.y0 or box.y1 > canvas.y1:
        return True
    for other in others:
        if not other.get_visible() or not other.get_text().strip():
            continue
        o = other.get_window_extent(renderer)
        if min(box.x1, o.x1) - max(box.x0, o.x0) > 0 and min(box.y1, o.y1) - max(box.y0, o.y0) > 0:
            return True
    return False

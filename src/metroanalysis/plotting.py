"""Chart style and helpers: a CJK font so Chinese names render as Chinese, and the four chart
kinds the reports use (100 % stacked bars, ranked bars, labelled scatter, heatmap).

The font is Noto Sans CJK SC as shipped inside the `mplfonts` package; it is registered with
matplotlib's font manager for this process only (never `mplfonts init`, which writes into
matplotlib's install folder). Every helper takes a title and axis labels as required
keyword arguments, so no chart leaves the house without them; units belong in the labels.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from importlib.resources import files
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from . import chartcheck, chartlayout

FONT_FAMILY = "Noto Sans CJK SC"
FONT_FILE = "NotoSansCJKsc-Regular.otf"


def font_path() -> Path:
    """The Noto Sans CJK SC file inside the installed mplfonts package."""
    return Path(str(files("mplfonts").joinpath("fonts", FONT_FILE)))


def setup() -> None:
    """Register the CJK font and set the seaborn theme with it. Safe to call more than once."""
    path = font_path()
    if not any(Path(f.fname) == path for f in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(str(path))
    # unicode_minus off: the CJK font has no U+2212, a hyphen-minus renders everywhere.
    # parse_math off: a name from a bulletin with $…$ in it is text, not a formula to typeset.
    sns.set_theme(style="whitegrid", font=FONT_FAMILY, rc={"axes.unicode_minus": False, "text.parse_math": False})


# Charts are drawn at 4/3 the size they are shown at: sharp enough on a high-DPI screen, and,
# reduced to a 64-colour palette (charts have few colours; anti-aliased text keeps its edges), a third of
# the bytes of a full-colour PNG at the same density. No "Software" stamp: same chart, same bytes.
SHOW_DPI = 96  # CSS pixels per inch
DRAW_DPI = 128
COLOURS = 64  # a chart has a handful of colours; 64 keeps the anti-aliased edges of its text
# Palette entries this close to white are made pure white: the quantizer averages the page-white
# background with the lightest grid lines (to 254), which would draw a faint box round every chart.
WHITE_SNAP = 4
PNG_LEVEL = 8  # zlib level of the PNG (see to_png)


def to_png(fig: Figure, check: Callable[[Figure], None] | None = None) -> tuple[bytes, int]:
    """`fig` as PNG bytes and the width in CSS pixels to show it at; `check(fig)` is called
    between drawing and encoding (`notebook.chart` passes `chartcheck.check`: measured as drawn).

    Measured on the shipped month's 21 charts (`make bench` lists the pages' sizes): drawing once
    on the Agg canvas and reading its pixels gives the very pixels `savefig` writes, without
    savefig's second layout pass and its full-colour PNG that was decoded again (9.8 s → 6.5 s);
    Pillow's fast octree finds the 64 colours in a sixth of median cut's time (0.23 s against
    1.4 s), with a smaller file (506 KB against 601 KB) and a smaller worst error per pixel
    (99th percentile 8 levels of 255, against 15). zlib level 8, not 9 (`optimize`): on the
    11 charts of reports 01 and 02, half the time (0.31 s against 0.69 s) for 6 % more bytes
    (323 KB against 304 KB); level 7 would save little more time for 15 % more bytes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    fig.set_dpi(DRAW_DPI)
    # A figure made with pyplot has an Agg canvas (inline backend or not); one made bare gets one.
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    canvas.draw()
    if check is not None:
        try:
            check(fig)
        except Exception:
            plt.close(fig)
            raise
    width, height = canvas.get_width_height()
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba()).convert("RGB")
    plt.close(fig)
    small = image.quantize(colors=COLOURS, method=Image.Quantize.FASTOCTREE)
    small.putpalette(_snap_white(small.getpalette()))
    out = io.BytesIO()
    small.save(out, format="PNG", compress_level=PNG_LEVEL)
    return out.getvalue(), round(width * SHOW_DPI / DRAW_DPI)


def _snap_white(palette: list[int]) -> list[int]:
    """The RGB palette with every colour within WHITE_SNAP of white on all three channels made white."""
    out = list(palette)
    for i in range(0, len(out) - 2, 3):
        if min(out[i : i + 3]) >= 255 - WHITE_SNAP:
            out[i : i + 3] = [255, 255, 255]
    return out


def _axes(ax: Axes | None, size: tuple[float, float]) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax
    fig, ax = plt.subplots(figsize=size, layout="constrained")
    return fig, ax


def _label(ax: Axes, title: str, xlabel: str, ylabel: str) -> None:
    ax.set_title(title, loc="left", fontsize=13)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)


def thousands(x, _pos=None) -> str:
    return f"{x:,.0f}"


def stacked_share_bars(
    shares: pd.DataFrame,
    *,
    title: str,
    xlabel: str,
    ylabel: str,
    ax: Axes | None = None,
    min_label: float = 0.06,
) -> Figure:
    """One horizontal 100 % bar per row of `shares` (index: entity names, top row drawn first;
    columns: the parts' names, values: fractions summing to 1). Parts of at least `min_label`
    are labelled with their percentage."""
    fig, ax = _axes(ax, (10, 0.45 * len(shares) + 1.8))
    data = shares.astype(float).fillna(0.0)
    left = pd.Series(0.0, index=data.index)
    colours = sns.color_palette("Set2", n_colors=len(data.columns))
    positions = range(len(data))[::-1]  # first row at the top
    for column, colour in zip(data.columns, colours, strict=True):
        bars = ax.barh(list(positions), data[column], left=left, color=colour, label=str(column))
        texts = [f"{v * 100:.0f}%" if v >= min_label else "" for v in data[column]]
        ax.bar_label(bars, labels=texts, label_type="center", fontsize=8)
        left += data[column]
    ax.set_yticks(list(positions), [str(i) for i in data.index])
    ax.xaxis.set_major_formatter(PercentFormatter(xmax=1))
    ax.set_xlim(0, 1)
    ax.legend(ncols=len(data.columns), loc="lower left", bbox_to_anchor=(0, 1.0), frameon=False, fontsize=9)
    ax.set_title(title, loc="left", fontsize=13, pad=28)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return fig


def ranked_bars(
    values: pd.Series,
    *,
    title: str,
    xlabel: str,
    ylabel: str,
    ax: Axes | None = None,
    value_format: str = "{:,.0f}",
    highlight: Sequence[str] = (),
    highlight_label: str | None = None,
) -> Figure:
    """Horizontal bars, largest at the top, each labelled with its value (index: names).
    Names in `highlight` get a contrasting colour (e.g. the units with no transaction), named
    in a legend by `highlight_label`."""
    data = values.dropna().astype(float).sort_values(ascending=False)
    fig, ax = _axes(ax, (10, 0.32 * len(data) + 1.6))
    positions = list(range(len(data)))[::-1]
    base, accent = sns.color_palette("Set2", 2)[0], sns.color_palette("Set2", 2)[1]
    colours = [accent if name in highlight else base for name in data.index]
    bars = ax.barh(positions, data.to_numpy(), color=colours)
    ax.bar_label(bars, labels=[value_format.format(v) for v in data], padding=3, fontsize=8)
    if highlight_label and any(name in highlight for name in data.index):
        ax.legend(handles=[Patch(color=accent, label=highlight_label)], loc="lower right", frameon=False)
    ax.set_yticks(positions, [str(i) for i in data.index])
    ax.xaxis.set_major_formatter(FuncFormatter(thousands))
    ax.margins(x=0.15)
    _label(ax, title, xlabel, ylabel)
    return fig


def labelled_scatter(
    data: pd.DataFrame,
    *,
    x: str,
    y: str,
    label: str,
    title: str,
    xlabel: str,
    ylabel: str,
    hue: str | None = None,
    style: str | None = None,
    ax: Axes | None = None,
    label_top: int | None = None,
) -> Figure:
    """A scatter of `x` against `y` with every point (or the `label_top` largest by `y`) named
    by its `label` column; `hue` colours the points by group and `style` gives each group its
    own marker (the same column for both: a group stays readable without colour). Points are
    slightly transparent, so units drawn on the same spot show as a darker mark. Labels are placed
    so they collide with nothing when the chart is laid out (`chartlayout.fit`); one that cannot be
    is left out, the smallest point's first (every unit is in the table under the chart)."""
    fig, ax = _axes(ax, (10, 6.5))
    points = data.dropna(subset=[x, y]).astype({x: float, y: float})
    sns.scatterplot(data=points, x=x, y=y, hue=hue, style=style, ax=ax, s=60, alpha=0.75)
    named = points.nlargest(label_top, y) if label_top else points.sort_values(y, ascending=False)
    # Placed when the chart is laid out (chartlayout.place_point_labels, adjustText), largest first.
    texts = [ax.text(getattr(r, x), getattr(r, y), str(getattr(r, label)), fontsize=8) for r in named.itertuples()]
    setattr(ax, chartlayout.POINT_LABELS, (texts, points[x].to_numpy(), points[y].to_numpy()))
    ax.xaxis.set_major_formatter(FuncFormatter(thousands))
    ax.yaxis.set_major_formatter(FuncFormatter(thousands))
    if hue or style:
        ax.legend(title=None, frameon=False)
    _label(ax, title, xlabel, ylabel)
    return fig


def heatmap(
    matrix: pd.DataFrame,
    *,
    title: str,
    xlabel: str,
    ylabel: str,
    ax: Axes | None = None,
    annotations: pd.DataFrame | None = None,
    cmap: str | Sequence = "YlGnBu",
    value_format: str = ".1f",
    colorbar_label: str | None = None,
    **heatmap_kws,
) -> Figure:
    """A heatmap of a numeric (or boolean: 1/0) matrix; `annotations` (same shape, text) replaces
    the numbers in the cells, e.g. 已对接 / 未对接."""
    fig, ax = _axes(ax, (1.4 * matrix.shape[1] + 3, 0.45 * matrix.shape[0] + 1.8))
    values = matrix.astype("Float64").astype(float)
    annot = annotations.to_numpy() if annotations is not None else True
    fmt = "" if annotations is not None else value_format
    cbar = colorbar_label is not None
    sns.heatmap(
        values, ax=ax, annot=annot, fmt=fmt, cmap=cmap, cbar=cbar, linewidths=0.5, linecolor="white",
        cbar_kws={"label": colorbar_label} if cbar else None, **heatmap_kws,
    )  # fmt: skip
    ax.tick_params(axis="x", labelrotation=0)
    ax.tick_params(axis="y", labelrotation=0)
    _label(ax, title, xlabel, ylabel)
    return fig


def coverage_heatmap(
    connected: pd.DataFrame,
    *,
    title: str,
    xlabel: str,
    ylabel: str,
    ax: Axes | None = None,
    words: tuple[str, str, str] = ("已对接", "未对接", "未知"),
) -> Figure:
    """A boolean area × platform matrix as a two-colour heatmap with 已对接 / 未对接 in each cell
    (未知 where the bulletin says nothing); `words` gives those three in another language."""
    yes, no, unknown = words
    text = connected.apply(lambda col: col.map(lambda v: unknown if pd.isna(v) else (yes if v else no)))
    colours = [sns.color_palette("Set2")[1], sns.color_palette("Set2")[0]]
    return heatmap(
        connected, title=title, xlabel=xlabel, ylabel=ylabel, ax=ax, annotations=text, cmap=colours, vmin=0, vmax=1
    )


def line_chart(
    wide: pd.DataFrame,
    *,
    title: str,
    xlabel: str,
    ylabel: str,
    ax: Axes | None = None,
    percent: bool = False,
    value_format: str = "{:,.0f}",
) -> Figure:
    """One line per column of `wide` over its index (months, in order), each point marked and
    the last value labelled; `percent` reads fractions (0–1) as per cent on the y axis."""
    fig, ax = _axes(ax, (10, 5.5))
    data = wide.astype("Float64").astype(float)
    x = list(range(len(data)))
    colours = sns.color_palette("Set2", n_colors=max(len(data.columns), 3))
    markers = ["o", "s", "^", "D", "v", "P", "X"]
    end_labels = {}
    for i, (column, colour) in enumerate(zip(data.columns, colours, strict=False)):
        # lines that coincide stay visible: a different marker and dash for each, and where their
        # markers fall on one spot, set side by side when laid out (chartlayout.dodge_coinciding_lines)
        ax.plot(
            x,
            data[column].to_numpy(),
            marker=markers[i % len(markers)],
            color=colour,
            label=str(column),
            linestyle=["-", "--", ":", "-."][i % 4],
            clip_on=False,  # a marker on 0 is drawn whole, not cut by the axis
        )
        last = data[column].dropna()
        if len(last):
            value = last.iloc[-1]
            text = f"{value * 100:.1f}%" if percent else value_format.format(value)
            end_labels[str(column)] = ax.annotate(text, (x[data.index.get_loc(last.index[-1])], value), xytext=(5, 0),
                                                  textcoords="offset points", fontsize=8, va="center")  # fmt: skip
    setattr(ax, chartlayout.END_LABELS, end_labels)
    ax.set_xticks(x, [str(i) for i in data.index])
    if percent:
        ax.yaxis.set_major_formatter(PercentFormatter(xmax=1))
    elif data.abs().max().max() >= 1000:
        ax.yaxis.set_major_formatter(FuncFormatter(thousands))
    else:  # small counts and means: no rounding to whole numbers on the axis
        ax.yaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
    ax.margins(x=0.12)
    if data.min().min() >= 0:  # NaN (no figure at all) compares False
        # figures never negative are read against 0 (chartcheck), with room above the highest marker
        ax.set_ylim(0, (data.max().max() or 1) * 1.08)
    if len(data.columns) > 1:
        ax.legend(frameon=False, fontsize=9, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    _label(ax, title, xlabel, ylabel)
    return fig


def baseline_note(ax: Axes, note: str) -> None:
    """Let `ax`'s value axis leave out 0, saying why in `note` under the chart (chartcheck accepts
    a bar or line chart not starting at 0 only with its note shown)."""
    setattr(ax, chartcheck.BASELINE_NOTE, note)
    ax.set_xlabel(f"{ax.get_xlabel()}\n{note}" if ax.get_xlabel() else note)  # under the chart, in its layout

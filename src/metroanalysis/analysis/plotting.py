"""Chart style and helpers: a CJK font so Chinese names render as Chinese, and the four chart
kinds the reports use (100 % stacked bars, ranked bars, labelled scatter, heatmap).

The font is Noto Sans CJK SC as shipped inside the `mplfonts` package; it is registered with
matplotlib's font manager for this process only (never `mplfonts init`, which writes into
matplotlib's install folder). Every helper takes a title and axis labels as required
keyword arguments, so no chart leaves the house without them; units belong in the labels.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.resources import files
from itertools import product
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.cm import ScalarMappable
from matplotlib.colors import BoundaryNorm, Normalize, to_rgb
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, get_font
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FixedFormatter, FixedLocator, FuncFormatter, MaxNLocator, PercentFormatter

from metroanalysis.analysis import chartcheck, chartlayout

FONT_FAMILY = "Noto Sans CJK SC"
FONT_FILE = "NotoSansCJKsc-Regular.otf"


def font_path() -> Path:
    """The Noto Sans CJK SC file inside the installed mplfonts package."""
    return Path(str(files("mplfonts").joinpath("fonts", FONT_FILE)))


# Measured (cProfile, the shipped month's 46 charts in zh and en): matplotlib 3.11 looks up the
# font and reads its OS/2 and head tables again for every text extent it measures (39,000 times,
# 3 s of 22 s of drawing), although a font's line heights depend only on the font and its size.
# matplotlib asks the renderer first when it offers `_get_font_height_metrics` (its PDF and PS
# backends do): the Agg renderer is given one that reads the tables once per font, size and
# resolution and returns the very numbers matplotlib computes (the chart images test holds the
# pictures to their references). A matplotlib that brings its own is left alone.
_FONT_HEIGHTS: dict[tuple, tuple[float, float, float]] = {}


def _font_height_metrics(renderer, prop: FontProperties) -> tuple[float, float, float]:
    """Ascent, descent and line gap of `prop`'s font in pixels, as `matplotlib.text` computes them."""
    # Which font a family name means depends on the rcParams matplotlib's findfont reads (set anew
    # in a warm kernel between notebooks) and on the fonts registered: both are in the key.
    manager = font_manager.fontManager
    key = (tuple(prop.__dict__.values()), renderer.dpi, _font_choice(), id(manager), len(manager.ttflist))
    found = _FONT_HEIGHTS.get(key)
    if found is None:
        font = get_font(manager._find_fonts_by_props(prop))
        for table_name, gap, ascent, descent in (
            ("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"),
            ("hhea", "lineGap", "ascent", "descent"),
        ):
            table = font.get_sfnt_table(table_name)
            if table is not None:
                # the operations in matplotlib's order: the same floats to the last bit
                scale = 1 / font.get_sfnt_table("head")["unitsPerEm"] * prop.get_size_in_points() * renderer.dpi / 72
                found = (table[ascent] * scale, -table[descent] * scale, table[gap] * scale)
                break
        else:
            found = (None, None, None)  # matplotlib then measures "lp" itself
        _FONT_HEIGHTS[key] = found
    return found


def _font_choice() -> tuple:
    """The rcParams that matplotlib's findfont reads to turn font properties into a font file."""
    keys = ("family", "style", "variant", "weight", "stretch", "size", "serif", "sans-serif", "cursive",
            "fantasy", "monospace")  # fmt: skip
    return tuple(tuple(v) if isinstance(v, list) else v for v in (plt.rcParams[f"font.{k}"] for k in keys))


if not hasattr(RendererAgg, "_get_font_height_metrics"):
    RendererAgg._get_font_height_metrics = _font_height_metrics


def setup() -> None:
    """Register the CJK font and set the seaborn theme with it. Safe to call more than once."""
    path = font_path()
    manager = font_manager.fontManager
    # The family name means mplfonts' file alone. A machine with its own Noto Sans CJK SC (Debian's
    # fonts-noto-cjk, a .ttc of another version, common on desktops) would otherwise win findfont's
    # scoring once matplotlib's font list has seen it, and every chart's pixels would depend on
    # what else is installed.
    others = [f for f in manager.ttflist if f.name == FONT_FAMILY and Path(f.fname) != path]
    if others:
        manager.ttflist[:] = [f for f in manager.ttflist if f not in others]
        manager._findfont_cached.cache_clear()  # as addfont does when the list changes
    if not any(Path(f.fname) == path for f in manager.ttflist):
        manager.addfont(str(path))
    # unicode_minus off: the CJK font has no U+2212, a hyphen-minus renders everywhere.
    # parse_math off: a name from a bulletin with $…$ in it is text, not a formula to typeset.
    sns.set_theme(style="whitegrid", font=FONT_FAMILY, rc={"axes.unicode_minus": False, "text.parse_math": False})


# Charts are drawn at 4/3 the size they are shown at: sharp enough on a high-DPI screen, and,
# reduced to a 64-colour palette (charts have few colours; anti-aliased text keeps its edges), a third of
# the bytes of a full-colour PNG at the same density. No "Software" stamp: same chart, same bytes.
SHOW_DPI = 96  # CSS pixels per inch
DRAW_DPI = chartlayout.DRAW_DPI  # laid out and drawn at one resolution (chartlayout measures at it)
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
    if not getattr(fig, chartlayout.RENDERED, False):  # not already drawn as it is by chartlayout.fit
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
    if shows_colour_gradient(fig):
        small = image  # full colour: see shows_colour_gradient
    else:
        small = image.quantize(colors=COLOURS, method=Image.Quantize.FASTOCTREE)
        small.putpalette(_snap_white(small.getpalette()))
    out = io.BytesIO()
    small.save(out, format="PNG", compress_level=PNG_LEVEL)
    return out.getvalue(), round(width * SHOW_DPI / DRAW_DPI)


def shows_colour_gradient(fig: Figure) -> bool:
    """`fig` shows a colour gradient: a heatmap's cells or colour bar on a continuous scale with
    more colours than the palette. Reduced to the 64-colour palette, the bar's gradient was cut
    into bands chosen for the whole picture, some out of order: a stripe lighter than the colours
    on either side across the bar (seen at 80 % on the data completeness heatmap). Such a chart
    keeps its colours: about three times the bytes (70 KB against 22 KB), for the two or three
    heatmaps of a month. A scale in steps (BoundaryNorm: the area map's counts) or of a few
    colours (已对接 / 未对接) keeps the palette."""
    return any(
        isinstance(artist, ScalarMappable)
        and artist.get_array() is not None
        and not isinstance(artist.norm, BoundaryNorm)
        and artist.get_cmap().N > COLOURS
        for ax in fig.axes
        for artist in [*ax.collections, *ax.images]
    )


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


def _inside_axes(ax: Axes, texts: list) -> None:
    """`texts` lie inside the axes (in a cell, on a bar): constrained layout need not measure them on
    every pass, as they change nothing it keeps room for; chartlayout.fit puts back into the layout
    any it finds reaching out."""
    for text in texts:
        text.set_in_layout(False)
    setattr(ax, chartlayout.INNER_TEXTS, [*getattr(ax, chartlayout.INNER_TEXTS, []), *texts])


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
        _inside_axes(ax, ax.bar_label(bars, labels=texts, label_type="center", fontsize=8))
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
    with _no_drawing_to_rotate_ticks():
        sns.heatmap(
            values, ax=ax, annot=annot, fmt=fmt, cmap=cmap, cbar=cbar, linewidths=0.5, linecolor="white",
            cbar_kws={"label": colorbar_label} if cbar else None, **heatmap_kws,
        )  # fmt: skip
    # upright tick labels; chartlayout.fit wraps or thins them where they would touch
    ax.tick_params(axis="x", labelrotation=0)
    ax.tick_params(axis="y", labelrotation=0)
    _inside_axes(ax, list(ax.texts))  # the numbers in the cells: 12 x months of them over the history
    _label(ax, title, xlabel, ylabel)
    return fig


_HEATMAP_LOCK = threading.Lock()


@contextmanager
def _no_drawing_to_rotate_ticks():
    """seaborn's heatmap draws the whole figure (laid out and rasterized) only to see whether its
    tick labels overlap and should be turned; `heatmap` sets their rotation itself right after,
    so that drawing decides nothing: skipped (a third of a heatmap chart's time). Our heatmaps are
    drawn in a notebook's one thread; the lock keeps two drawn in threads from undoing each other's
    skip (a seaborn heatmap of someone else's, drawn meanwhile in another thread, would skip too)."""
    from seaborn import matrix

    with _HEATMAP_LOCK:
        drawing = matrix._draw_figure
        matrix._draw_figure = lambda fig: None
        try:
            yield
        finally:
            matrix._draw_figure = drawing


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


MARKED_POINTS = 36  # up to this many points (three years of months) a line chart marks each one


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
    # a dot per month while the months are far enough apart to show one; over years of months the
    # dots would run into each other along each line (and side by side could not be told apart)
    markers = ["o", "s", "^", "D", "v", "P", "X"] if len(data) <= MARKED_POINTS else ["None"]
    end_labels = {}
    for i, (column, colour) in enumerate(zip(data.columns, colours, strict=False)):
        # lines that coincide stay visible: a different marker and dash for each, and where their
        # markers fall on one spot, set side by side when laid out (chartlayout.dodge_coinciding_lines);
        # lines without markers are told apart by their dashes
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
    # a month per category; the ticks themselves are made when laid out, for the months labelled
    ax.xaxis.set_major_locator(FixedLocator(x))
    ax.xaxis.set_major_formatter(FixedFormatter([str(i) for i in data.index]))
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


# ---------------------------------------------------------------------------------------------
# A tile-grid map of the areas (report 03): a schematic, not a geographic map

TILE = 0.92  # a tile's side in grid cells; the gap between tiles shows the grid
TILE_PAD = 0.1  # text keeps this share of the tile's side from each edge
MISSING_COLOUR = "#e0e0e0"
MISSING_HATCH = "///"
NAME_SIZE, VALUE_SIZE = 10.0, 12.0  # points, before shrinking to fit
SHRINK = (1.0, 0.9, 0.8, 0.7, 0.6)


def area_tile_map(
    values: pd.Series,
    layout: Mapping[str, tuple[int, int]],
    *,
    title: str,
    names: Mapping[str, str],
    colorbar_label: str,
    note: str,
    texts: Mapping[str, str] | None = None,
    value_format: str = "{:,.0f}",
    vmin: float = 0.0,
    vmax: float | None = None,
    steps: bool = False,
    missing_label: str = "未报告",
    cmap: str = "YlGnBu",
) -> Figure:
    """One square tile per area at its cell of `layout` (entity_id → (row, col); row 0 is the
    north, col 0 the west), coloured by `values` (entity_id → number) on a scale from `vmin` to
    `vmax` whose colorbar says `colorbar_label` (with the unit); `steps` gives a count one colour
    per whole number. Each tile shows its name from `names` and its value (`texts`, or
    `value_format`), wrapped at spaces and then set smaller until both fit inside the tile. An area
    with no value (<NA> or absent) is grey, hatched and says `missing_label`: never coloured as 0.
    `note`, under the map, says it is a schematic. Areas not in `layout` are not drawn.

    The figure is laid out by hand, in inches, from its parts (a grid of tiles does not stretch):
    the map under the start of its title, the colorbar to its right, the figure as wide as the
    title needs, the note wrapped to that width."""
    rows = 1 + max(r for r, _ in layout.values())
    cols = 1 + max(c for _, c in layout.values())
    fig = plt.figure()
    renderer = fig.canvas.get_renderer()
    data = values.astype("Float64")
    missing = any(pd.isna(data.get(entity, pd.NA)) for entity in layout)
    box = _tile_map_box(rows, cols, _text_width(title, 13, renderer) / fig.dpi, missing)
    note = chartlayout.wrap(note, (box.width - 2 * MAP_MARGIN) * fig.dpi, lambda line: _text_width(line, 9, renderer))
    note_height = 0.2 * (note.count("\n") + 1) + 0.1
    fig.set_size_inches(box.width, box.height + note_height)
    ax, cax = _tile_map_axes(fig, box, rows, cols, note_height)
    top = vmax if vmax is not None else float(data.max(skipna=True))
    norm, colours = _tile_scale(vmin, top, steps, cmap)
    tiles = []
    for entity, (row, col) in layout.items():
        value = data.get(entity, pd.NA)
        absent = pd.isna(value)
        face = MISSING_COLOUR if absent else colours(norm(float(value)))
        shown = missing_label if absent else (texts[entity] if texts is not None else value_format.format(value))
        tiles.append(_tile(ax, entity, row, col, face, absent, names.get(entity, entity), shown))
    bar = fig.colorbar(ScalarMappable(norm=norm, cmap=colours), cax=cax, label=colorbar_label)
    bar.minorticks_off()  # no ticks at the bounds between whole numbers
    if steps:
        bar.set_ticks(range(int(vmin), int(top) + 1))
    if missing:
        swatch = Patch(facecolor=MISSING_COLOUR, hatch=MISSING_HATCH, edgecolor="#a0a0a0", label=missing_label)
        ax.legend(handles=[swatch], loc="upper left", bbox_to_anchor=(0.0, 0.0), frameon=False, fontsize=9)
    ax.set_title(title, loc="left", fontsize=13, pad=8)
    fig.text(0.5, MAP_MARGIN / fig.get_figheight(), note, ha="center", va="bottom", fontsize=9, color="#555555")
    for tile in tiles:
        _fit_tile_texts(*tile, renderer)
    return fig


# The parts of a tile map, in inches.
MAP_CELL = 1.0  # one cell of the grid
MAP_MARGIN = 0.2  # round the figure
MAP_TITLE = 0.4  # the title's line above the map
MAP_LEGEND = 0.35  # the missing-value swatch under the map, when there is one
MAP_BAR = (0.3, 0.18, 0.95)  # gap map–colorbar, the bar, its ticks and label


@dataclass(frozen=True)
class _MapBox:
    width: float
    height: float  # without the note
    map_width: float
    map_height: float
    legend: float


def _tile_map_box(rows: int, cols: int, title_width: float, missing: bool) -> _MapBox:
    """The sizes of a tile map: the figure at least as wide as its title and margins."""
    map_width, map_height = cols * MAP_CELL, rows * MAP_CELL
    legend = MAP_LEGEND if missing else 0.0
    width = max(2 * MAP_MARGIN + map_width + sum(MAP_BAR), 2 * MAP_MARGIN + title_width + 0.1)
    return _MapBox(width, 2 * MAP_MARGIN + MAP_TITLE + map_height + legend, map_width, map_height, legend)


def _tile_map_axes(fig: Figure, box: _MapBox, rows: int, cols: int, note_height: float) -> tuple[Axes, Axes]:
    """The map's axes (one data unit a cell, no ticks or frame) and the colorbar's, placed by hand."""
    width, height = fig.get_figwidth(), fig.get_figheight()
    bottom = MAP_MARGIN + note_height + box.legend
    ax = fig.add_axes((MAP_MARGIN / width, bottom / height, box.map_width / width, box.map_height / height))
    gap, bar, _ = MAP_BAR
    cax = fig.add_axes(
        ((MAP_MARGIN + box.map_width + gap) / width, (bottom + 0.2 * box.map_height) / height, bar / width,
         0.6 * box.map_height / height)
    )  # fmt: skip
    ax.set_xlim(0, cols)
    ax.set_ylim(-rows, 0)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    return ax, cax


def _tile_scale(vmin: float, vmax: float, steps: bool, cmap: str):
    """The norm and colour map of a tile map: continuous, or one colour per whole number."""
    if not steps:
        return Normalize(vmin=vmin, vmax=vmax), plt.get_cmap(cmap)
    count = int(vmax) - int(vmin) + 1
    bounds = [int(vmin) - 0.5 + i for i in range(count + 1)]
    return BoundaryNorm(bounds, count), plt.get_cmap(cmap).resampled(count)


def _tile(ax: Axes, entity: str, row: int, col: int, face, absent: bool, name: str, value: str):
    """Draw one tile with its two texts (placed by `_fit_tile_texts`); returns what that needs."""
    gap = (1 - TILE) / 2
    patch = Rectangle((col + gap, -row - 1 + gap), TILE, TILE, facecolor=face, edgecolor="#a0a0a0" if absent else face,
                      hatch=MISSING_HATCH if absent else None, linewidth=0.8, gid=f"tile:{entity}")  # fmt: skip
    ax.add_patch(patch)
    r, g, b = to_rgb(face)
    ink = "white" if 0.299 * r + 0.587 * g + 0.114 * b < 0.5 else "#1a1a1a"
    # On a hatched tile each text sits on a patch of the tile's grey: the hatching never crosses a letter.
    box = {"boxstyle": "square,pad=0.15", "facecolor": face, "edgecolor": "none"} if absent else None
    centre = (col + 0.5, -row - 0.5)
    kw = {"ha": "center", "color": ink, "bbox": box}
    name_text = ax.text(*centre, name, fontsize=NAME_SIZE, va="bottom", gid=f"tile-name:{entity}", **kw)
    size = NAME_SIZE if absent else VALUE_SIZE  # "not reported" is words, not a figure to stand out
    value_text = ax.text(*centre, value, fontsize=size, va="top", gid=f"tile-value:{entity}", **kw)
    return patch, name_text, value_text, name, value


def _fit_tile_texts(patch, name_text, value_text, name: str, value: str, renderer) -> None:
    """Name above value, the pair centred in the tile: the largest size at which some wrapping of
    each (at spaces, fewest lines first) fits inside the tile, measured by the renderer; the
    smallest tried when none does (the chart check then names it)."""
    tile = patch.get_window_extent(renderer)
    inner = tile.padded(-TILE_PAD * tile.width)
    to_data = TILE / tile.height  # display pixels → data units
    x, y = patch.get_x() + TILE / 2, patch.get_y() + TILE / 2
    name_size, value_size = name_text.get_fontsize(), value_text.get_fontsize()
    for scale in SHRINK:
        name_text.set_fontsize(name_size * scale)
        value_text.set_fontsize(value_size * scale)
        for name_lines, value_lines in product(_wrappings(name), _wrappings(value)):
            name_text.set_text(name_lines)
            value_text.set_text(value_lines)
            hn = name_text.get_window_extent(renderer).height
            hv = value_text.get_window_extent(renderer).height
            half = (hn + 0.08 * tile.height * scale + hv) / 2
            name_text.set_position((x, y + (half - hn) * to_data))  # its bottom edge
            value_text.set_position((x, y - (half - hv) * to_data))  # its top edge
            if all(_inside(t.get_window_extent(renderer), inner) for t in (name_text, value_text)):
                return


def _inside(box, outer) -> bool:
    return box.x0 >= outer.x0 and box.x1 <= outer.x1 and box.y0 >= outer.y0 and box.y1 <= outer.y1


def _wrappings(text: str) -> list[str]:
    """`text` on one line, then broken at spaces into 2, 3 … lines, each way the most even one
    (the widest line as short as can be): "Jiangbei New Area" → …, "Jiangbei\\nNew Area"."""
    words = text.split()
    out = [text]
    for lines in range(2, len(words) + 1):
        splits = _splits(words, lines)
        best = min(splits, key=lambda parts: max(len(p) for p in parts))
        out.append("\n".join(best))
    return out


def _splits(words: list[str], lines: int) -> list[list[str]]:
    """Every way to cut `words` into `lines` non-empty runs, each run joined by spaces."""
    if lines == 1:
        return [[" ".join(words)]]
    return [
        [" ".join(words[:i]), *rest] for i in range(1, len(words) - lines + 2) for rest in _splits(words[i:], lines - 1)
    ]


def _text_width(text: str, fontsize: float, renderer) -> float:
    """The width of one line of `text` in the chart font at `fontsize`, in display pixels."""
    font = FontProperties(family=FONT_FAMILY, size=fontsize)
    return renderer.get_text_width_height_descent(text, font, ismath=False)[0]


def baseline_note(ax: Axes, note: str) -> None:
    """Let `ax`'s value axis leave out 0, saying why in `note` under the chart (chartcheck accepts
    a bar or line chart not starting at 0 only with its note shown)."""
    setattr(ax, chartcheck.BASELINE_NOTE, note)
    ax.set_xlabel(f"{ax.get_xlabel()}\n{note}" if ax.get_xlabel() else note)  # under the chart, in its layout

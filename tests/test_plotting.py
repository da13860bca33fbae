"""The CJK font and the chart helpers: Chinese renders (no missing-glyph warning), every chart
has its title and axis labels."""

import warnings
from pathlib import Path

import matplotlib
import pandas as pd
import pytest
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from metroanalysis.analysis import plotting

matplotlib.use("Agg")


def draw(helper, **kwargs):
    """Draw a helper onto a fresh Agg canvas, recording every warning."""
    fig = Figure(figsize=(8, 6))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        helper(ax=ax, **kwargs)
        fig.canvas.draw()
    return ax, [str(w.message) for w in caught]


@pytest.fixture(scope="module", autouse=True)
def style():
    plotting.setup()


def test_font_comes_from_mplfonts():
    path = plotting.font_path()
    assert path.name == "NotoSansCJKsc-Regular.otf" and path.is_file()
    found = font_manager.findfont(plotting.FONT_FAMILY, fallback_to_default=False)
    assert Path(found) == path
    assert matplotlib.rcParams["axes.unicode_minus"] is False


def test_a_system_font_of_the_same_name_does_not_replace_mplfonts(tmp_path):
    """A machine with its own Noto Sans CJK SC (Debian's fonts-noto-cjk) draws the charts with
    mplfonts' file all the same: found first, that font won findfont's scoring and every chart's
    pixels changed with what the machine had installed."""
    import shutil

    manager = font_manager.fontManager
    before = list(manager.ttflist)
    system = tmp_path / "NotoSansCJK-Regular.otf"
    shutil.copyfile(plotting.font_path(), system)
    try:
        manager.addfont(str(system))  # under its family name and its other names
        found = [f for f in manager.ttflist if f.fname == str(system)]
        manager.ttflist[:] = found + [f for f in manager.ttflist if f not in found]  # first, as a system font is
        manager._findfont_cached.cache_clear()
        assert Path(font_manager.findfont(plotting.FONT_FAMILY, fallback_to_default=False)) == system
        plotting.setup()
        assert Path(font_manager.findfont(plotting.FONT_FAMILY, fallback_to_default=False)) == plotting.font_path()
    finally:
        manager.ttflist[:] = before
        manager._findfont_cached.cache_clear()


CHARTS = {
    "stacked": (
        plotting.stacked_share_bars,
        {"shares": pd.DataFrame({"诊间预约": [0.9, 0.2], "电话预约": [0.1, 0.8]}, index=["南京市儿童医院", "其他"])},
    ),
    "ranked": (
        plotting.ranked_bars,
        {
            "values": pd.Series([86455.1975, 0.0], index=["江苏省人民医院", "溧水区"]),
            "highlight": ["溧水区"],
            "highlight_label": "本月无交易",
        },
    ),
    "scatter": (
        plotting.labelled_scatter,
        {
            "data": pd.DataFrame({"台数": [200, 53], "金额": [17291039.5, -1.0], "单位": ["江苏省人民医院", "溧水区"]}),
            "x": "台数",
            "y": "金额",
            "label": "单位",
            "hue": "单位",
        },
    ),
    "heatmap": (
        plotting.heatmap,
        {
            "matrix": pd.DataFrame({"申明/规定": [48.8, 45.0]}, index=["江宁区", "秦淮区"]),
            "colorbar_label": "比例（%）",
        },
    ),
    "coverage": (
        plotting.coverage_heatmap,
        {"connected": pd.DataFrame({"远程会诊": [True, False]}, index=["建邺区", "秦淮区"], dtype="boolean")},
    ),
}


@pytest.mark.parametrize("name", list(CHARTS))
def test_chinese_renders_without_missing_glyphs(name):
    helper, kwargs = CHARTS[name]
    ax, messages = draw(
        helper, title="南京市远程医疗覆盖（2021年4月）", xlabel="金额（元）", ylabel="医院或区", **kwargs
    )
    glyph_problems = [m for m in messages if "missing from" in m or "Glyph" in m]
    assert glyph_problems == []
    assert ax.get_title(loc="left") == "南京市远程医疗覆盖（2021年4月）"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("金额（元）", "医院或区")


def test_a_chart_becomes_a_small_palette_png_whose_white_stays_white():
    import io

    from PIL import Image

    fig = Figure(figsize=(5, 3))
    ax = fig.add_subplot()
    ax.bar(["挂号", "缴费"], [3, 5], color="#66c2a5")
    ax.set_title("自助终端")
    png, width = plotting.to_png(fig)
    image = Image.open(io.BytesIO(png))
    assert image.mode == "P" and len(image.getcolors()) <= plotting.COLOURS
    # drawn at DRAW_DPI, shown at 96 CSS pixels an inch: 5 in → 480 px on the page, 640 drawn
    assert image.size == (640, 384) and width == 480
    # the quantizer would average the background with the grid lines to 254: snapped to page white
    assert image.convert("RGB").getpixel((1, 1)) == (255, 255, 255)


def test_a_figure_drawn_once_gives_the_pixels_savefig_writes():
    import io

    import numpy as np
    from PIL import Image

    def figure():
        fig = Figure(figsize=(4, 3), layout="constrained")
        ax = fig.add_subplot()
        ax.plot([1, 2, 3], [2, 1, 3])
        ax.set_title("各区上传天数")
        return fig

    saved = io.BytesIO()
    figure().savefig(saved, format="png", dpi=plotting.DRAW_DPI)
    fig = figure()
    fig.set_dpi(plotting.DRAW_DPI)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    drawn = np.asarray(Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba()).convert("RGB"))
    assert (np.asarray(Image.open(saved).convert("RGB")) == drawn).all()


def test_cached_font_heights_follow_the_font_a_family_name_means():
    """The Agg renderer's cached line heights (plotting._font_height_metrics) are matplotlib's
    own, also after the sans-serif list changes which font a text of family sans-serif gets."""
    from matplotlib.backends.backend_agg import RendererAgg

    def extents(text):
        fig = Figure(figsize=(3, 2), dpi=plotting.DRAW_DPI)
        t = fig.text(0.1, 0.5, text, family="sans-serif", fontsize=11)
        renderer = FigureCanvasAgg(fig).get_renderer()
        return t.get_window_extent(renderer).bounds

    def uncached(text):
        hook = RendererAgg.__dict__["_get_font_height_metrics"]
        del RendererAgg._get_font_height_metrics
        try:
            return extents(text)
        finally:
            RendererAgg._get_font_height_metrics = hook

    text = "Two lines\nof text"
    with matplotlib.rc_context({"font.sans-serif": ["DejaVu Sans"]}):
        dejavu = extents(text)
        assert dejavu == uncached(text)
    with matplotlib.rc_context({"font.sans-serif": [plotting.FONT_FAMILY]}):
        noto = extents(text)
        assert noto == uncached(text)
    assert noto[3] != dejavu[3]  # the two fonts' line heights differ: the cache told them apart


def _titled(case: str) -> Figure:
    """A small chart with a left title (as the helpers make them), set up as `case` says."""
    from matplotlib.ticker import FuncFormatter

    fig = Figure(figsize=(5, 3), layout="constrained", dpi=plotting.DRAW_DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    big = case == "y offset"  # ScalarFormatter writes "1e7" above the axes
    ax.plot([0, 1, 2], [10_000_001, 10_000_003, 10_000_002] if big else [1, 3, 2])
    if not big:
        ax.yaxis.set_major_formatter(FuncFormatter(plotting.thousands))
    ax.set_xlabel("月份")
    title = "各区上传天数\n（第二行）" if case == "two lines" else "各区上传天数"
    ax.set_title(title, loc="left", fontsize=13, pad=0 if case == "no pad" else None)
    if case == "x ticks on top":
        ax.xaxis.tick_top()
    if case == "x label on top":
        ax.xaxis.set_label_position("top")
    if case == "twin":
        ax.twiny().plot([0, 5], [0, 1])
    return fig


@pytest.mark.parametrize(
    ("case", "fixed"),
    [("plain", True), ("two lines", True), ("x ticks on top", False), ("x label on top", False),
     ("y offset", False), ("no pad", False), ("twin", False)],
)  # fmt: skip
def test_a_title_is_fixed_only_where_matplotlib_would_put_it_anyway(case, fixed):
    """chartlayout fixes a title at the axes' top, skipping matplotlib's search for what lies above,
    only where the search would leave it there: the title is where matplotlib's own placement
    puts it, in every case, and the picture is the same to the pixel."""
    import numpy as np

    from metroanalysis.analysis import chartlayout

    def drawn(fig):
        fig.canvas.draw()
        return fig.axes[0]._left_title.get_window_extent().bounds, np.asarray(fig.canvas.buffer_rgba()).copy()

    auto = _titled(case)
    ruled = _titled(case)
    chartlayout.title_where_matplotlib_puts_it(ruled.axes[0], ruled.canvas.get_renderer())
    assert (ruled.axes[0]._autotitlepos is False) == fixed
    (auto_box, auto_pixels), (ruled_box, ruled_pixels) = drawn(auto), drawn(ruled)
    assert ruled_box == auto_box
    assert (ruled_pixels == auto_pixels).all()
    # the cases not fixed include every one in which matplotlib lifts the title over something
    lifted = case in ("x ticks on top", "x label on top", "y offset", "twin")
    assert (auto.axes[0]._left_title.get_position()[1] > 1.0) == lifted


def test_a_heatmap_is_not_drawn_while_it_is_made(monkeypatch):
    """seaborn draws the whole figure inside `heatmap` to choose its tick labels' rotation, which
    `plotting.heatmap` sets itself: no drawing happens until the chart is drawn for its page, the
    labels are upright, and seaborn is left as it was for anyone else's heatmap."""
    from seaborn import matrix

    drawings = []
    original = Figure.draw
    monkeypatch.setattr(Figure, "draw", lambda fig, renderer: drawings.append(fig) or original(fig, renderer))
    seaborns = matrix._draw_figure
    long_names = [f"一个很长很长的区名第{i}号" for i in range(8)]
    values = pd.DataFrame([[i * 10.0 + j for j in range(8)] for i in range(8)], index=long_names, columns=long_names)
    fig = plotting.heatmap(values, title="各区数据上传完整度", xlabel="比例（%）", ylabel="区", colorbar_label="%")
    assert drawings == []
    assert matrix._draw_figure is seaborns
    ax = fig.axes[0]
    assert {t.get_rotation() for t in [*ax.get_xticklabels(), *ax.get_yticklabels()]} == {0.0}


def _colour_bar_column(png: bytes, fig):
    """The colours down the middle of `fig`'s colour bar (its last axes) in the chart `png`."""
    import io

    import numpy as np
    from PIL import Image

    image = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    height, width = image.shape[:2]
    bar = fig.axes[-1].get_position()
    x = int((bar.x0 + bar.x1) / 2 * width)
    return image[int((1 - bar.y1) * height) + 3 : int((1 - bar.y0) * height) - 3, x]


def test_a_colour_gradient_keeps_its_colours_in_order_and_few_colours_keep_the_palette():
    """Reduced to 64 colours, the completeness heatmap's colour bar had a band lighter than the
    colour under it (at 80 %): a chart with a colour gradient is kept in full colour, its bar
    darkening steadily from 0 to 100. Charts of a few colours (bars, 已对接 / 未对接, an area map
    in steps) stay palette PNGs."""
    import io

    import numpy as np
    from PIL import Image

    from metroanalysis.analysis import chartlayout

    shares = pd.DataFrame(
        [[49, 47, 95, 100], [60, 39, 65, 100], [45, 15, 33, 67], [42, 37, 89, 57]],
        index=["江宁区", "浦口区", "秦淮区", "雨花台区"], columns=["申明/规定", "已上传/规定", "已上传/申明", "天数"],
    ).astype(float)  # fmt: skip
    fig = plotting.heatmap(shares, title="各区数据上传完整度", xlabel="比例（%）", ylabel="区", colorbar_label="%",
                           value_format=".0f", vmin=0, vmax=100)  # fmt: skip
    chartlayout.fit(fig)
    png, _ = plotting.to_png(fig)
    assert Image.open(io.BytesIO(png)).mode == "RGB"
    lightness = _colour_bar_column(png, fig) @ np.array([0.299, 0.587, 0.114])
    assert (np.diff(lightness) >= -0.5).all()  # top (100) to bottom (0): never darker going down
    assert lightness[-1] - lightness[0] > 150  # and it is the bar: from dark blue to light yellow

    connected = pd.DataFrame({"远程会诊": [True, False], "远程心电": [True, None]}, index=["江宁区", "浦口区"])
    few = [
        plotting.coverage_heatmap(connected, title="对接", xlabel="平台", ylabel="区"),
        plotting.area_tile_map(
            pd.Series({"A01": 3, "A02": 5}),
            {"A01": (0, 0), "A02": (0, 1)},
            title="标题",
            names={},
            colorbar_label="个",
            note="示意图",
            steps=True,
            vmax=5,
        ),
    ]
    for chart in few:
        png, _ = plotting.to_png(chart)
        assert Image.open(io.BytesIO(png)).mode == "P"

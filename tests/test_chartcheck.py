"""The chart check (`chartcheck`) fails a chart with a clipped or colliding text, a bar or count
axis not starting at 0, or two series drawn on one spot, naming the report, the chart and the
texts; `chartlayout.fit` makes the reports' charts pass it (wrapping, fewer ticks, placed labels)."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.figure import Figure

from metroanalysis.analysis import chartcheck, chartlayout, plotting

matplotlib.use("Agg")


@pytest.fixture(scope="module", autouse=True)
def style():
    plotting.setup()


@pytest.fixture(autouse=True)
def close_figures():
    """The plotting helpers make their figures with pyplot, which keeps them until closed."""
    yield
    plt.close("all")


def small_figure(width=4, height=3):
    fig = Figure(figsize=(width, height), dpi=plotting.DRAW_DPI, layout="constrained")
    ax = fig.add_subplot()
    return fig, ax


def kinds(fig):
    return [(p.kind, p.texts) for p in chartcheck.problems(fig)]


def test_a_title_wider_than_the_canvas_is_clipped():
    fig, ax = small_figure()
    title = "2021年4月 各单位每台自助终端的挂号与缴费金额（元/台，按金额从高到低排列）"
    ax.set_title(title, loc="left", fontsize=13)
    ax.plot([1, 2], [1, 2])
    assert ("clipped", (title,)) in kinds(fig)
    with pytest.raises(chartcheck.ChartCheckError) as err:
        chartcheck.check(fig, "02-kiosk-revenue (en)")
    message = str(err.value)
    assert message.startswith(f"02-kiosk-revenue (en): chart «{title}»: clipped: «{title}»")


def test_two_labels_drawn_over_each_other_overlap():
    fig, ax = small_figure()
    ax.set_title("各区", loc="left")
    ax.set_xlim(0, 10)
    ax.text(5, 0.5, "南京市鼓楼医院")
    ax.text(5.2, 0.5, "南京市中西医结合医院")
    found = kinds(fig)
    assert ("overlap", ("南京市鼓楼医院", "南京市中西医结合医院")) in found
    with pytest.raises(chartcheck.ChartCheckError, match=r"«各区».*overlap: «南京市鼓楼医院» / «南京市中西医结合医院»"):
        chartcheck.check(fig, "01-channel-shares")


def test_labels_apart_and_inside_pass():
    fig, ax = small_figure()
    ax.set_title("各区", loc="left")
    ax.set_xlim(0, 10)
    ax.text(1, 0.2, "鼓楼区")
    ax.text(6, 0.8, "玄武区")
    assert chartcheck.problems(fig) == []


def test_bars_whose_axis_leaves_out_zero_fail_unless_a_note_says_why():
    fig, ax = small_figure()
    ax.bar(["电话", "诊间"], [44461, 190355])
    ax.set_ylim(38000, 200000)
    ax.set_title("各渠道预约量", loc="left")
    assert [k for k, _ in kinds(fig)] == ["baseline"]
    plotting.baseline_note(ax, "纵轴从 38,000 起，只为比较两者之差")
    assert chartcheck.problems(fig) == []


def test_a_count_line_starting_above_zero_fails():
    fig, ax = small_figure()
    ax.plot([0], [44461], marker="o", label="电话预约")
    ax.plot([0], [190355], marker="s", label="诊间预约")
    ax.set_ylim(37000, 200000)
    assert [k for k, _ in kinds(fig)] == ["baseline"]


def test_two_series_on_one_spot_are_hidden_under_each_other():
    fig, ax = small_figure()
    ax.plot([0, 1], [9, 9], marker="o", label="远程会诊")
    ax.plot([0, 1], [9, 9], marker="s", linestyle="--", label="远程临检")
    ax.set_ylim(0, 12)
    assert ("coincide", ("远程会诊", "远程临检")) in kinds(fig)


def test_line_chart_sets_coinciding_series_side_by_side_and_starts_at_zero():
    wide = pd.DataFrame({"远程会诊": [9], "远程心电": [11], "远程临检": [9], "远程影像": [10]}, index=["2021年4月"])
    fig = plotting.line_chart(wide, title="各远程医疗平台对接的区数", xlabel="月份", ylabel="对接的区数（个）")
    assert ("coincide", ("远程会诊", "远程临检")) in kinds(fig)  # as drawn by the helper
    chartlayout.fit(fig)
    assert chartcheck.problems(fig) == []
    assert fig.axes[0].get_ylim()[0] == 0
    shown = [t.get_text() for t in fig.axes[0].texts if t.get_visible()]
    assert sorted(shown) == ["10", "11", "9"]  # the two lines ending on 9 share one label


def test_ten_years_of_months_are_lines_told_apart_by_their_dashes_not_dots_side_by_side():
    """Over 120 months a dot per month would run into the next one along the line, and setting
    coinciding lines side by side would move them by more than a month: past MARKED_POINTS the
    lines carry no markers, and two with the same values (the areas two platforms reach, every
    month) pass the check because their dash patterns differ."""
    months = [f"{2021 + i // 12}年{i % 12 + 1}月" for i in range(120)]
    wide = pd.DataFrame({"远程会诊": [10] * 120, "远程临检": [10] * 120, "远程影像": [8] * 120}, index=months)
    fig = plotting.line_chart(wide, title="各远程医疗平台对接的区数", xlabel="月份", ylabel="对接的区数（个）")
    lines = [line for line in fig.axes[0].get_lines() if not line.get_label().startswith("_")]
    assert [line.get_marker() for line in lines] == ["None"] * 3
    assert len({line.get_linestyle() for line in lines}) == 3
    chartlayout.fit(fig)
    assert chartcheck.problems(fig) == []
    short = wide.iloc[: plotting.MARKED_POINTS]
    fig = plotting.line_chart(short, title="各远程医疗平台对接的区数", xlabel="月份", ylabel="对接的区数（个）")
    assert all(line.get_marker() != "None" for line in fig.axes[0].get_lines()[:3])  # four years: dots


def test_two_unmarked_lines_drawn_alike_on_one_spot_still_coincide():
    fig, ax = small_figure()
    ax.plot([0, 1, 2], [9, 9, 9], label="远程会诊")
    ax.plot([0, 1, 2], [9, 9, 9], label="远程临检")  # same solid line: one hides the other
    ax.set_ylim(0, 12)
    assert ("coincide", ("远程会诊", "远程临检")) in kinds(fig)


def test_a_long_title_is_wrapped_to_the_canvas_not_shrunk():
    title = "Kiosk registration and payment money per terminal by unit, April 2021"
    fig = plotting.ranked_bars(pd.Series([3.0, 1.0], index=["a", "b"]), title=title, xlabel="yuan", ylabel="unit")
    fig.set_size_inches(4, 2.5)
    assert ("clipped", (title,)) in kinds(fig)
    chartlayout.fit(fig)
    assert chartcheck.problems(fig) == []
    shown = fig.axes[0].get_title(loc="left")
    assert "\n" in shown and shown.replace("\n", " ") == title  # broken at spaces, words whole
    assert fig.axes[0]._left_title.get_fontsize() == 13


def test_chinese_wraps_before_a_bracket_first():
    measure = len  # one unit a character
    assert chartlayout.wrap("各区已上传表占规定上传表的比例（2021年4月）", 20, measure) == (
        "各区已上传表占规定上传表的比例\n（2021年4月）"
    )
    assert chartlayout.wrap("各区已上传表占规定上传表的比例", 8, measure) == "各区已上传表占规\n定上传表的比例"
    assert chartlayout.wrap("Money per terminal by unit", 12, measure) == "Money per\nterminal by\nunit"


def test_crowded_number_ticks_are_thinned_by_measure():
    fig, ax = small_figure(2, 2.5)
    ax.barh([0, 1], [1_670_741, 462])
    ax.set_title("x", loc="left")
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(plotting.thousands))
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(nbins=8))  # as crowded as en 02's "750,0001,000,000"
    assert any(p.kind == "overlap" for p in chartcheck.problems(fig))
    chartlayout.fit(fig)
    assert chartcheck.problems(fig) == []


def test_scatter_point_labels_are_placed_apart():
    # the shipped month's 01 scatter: these four labels were printed over each other in pairs
    names = [
        "南京鼓楼医院",
        "南京市中西医结合医院",
        "南京市高淳人民医院",
        "南京医科大学附属逸夫医院",
        "南京市妇幼保健院",
    ]
    data = pd.DataFrame(
        {
            "x": [32.8, 31.0, 74.7, 83.7, 46.8, 0.0],
            "y": [328599, 303277, 297338, 268399, 1490306, 0],
            "name": [*names, "南京脑科医院"],
        }
    )
    fig = plotting.labelled_scatter(data, x="x", y="y", label="name", title="散点", xlabel="x", ylabel="y")
    assert any(p.kind == "overlap" for p in chartcheck.problems(fig))  # where they were put at first
    chartlayout.fit(fig)
    assert chartcheck.problems(fig) == []
    assert sum(t.get_visible() for t in fig.axes[0].texts if t.get_text() in names) == 5


def test_a_one_character_chinese_y_label_is_upright():
    frame = pd.DataFrame({"申明/规定": [48.8, 45.0]}, index=["江宁区", "秦淮区"])
    fig = plotting.heatmap(frame, title="各区数据上传完整度", xlabel="比例（%）", ylabel="区")
    chartlayout.fit(fig)
    assert fig.axes[0].yaxis.label.get_rotation() == 0
    assert chartcheck.problems(fig) == []


def test_chart_stops_the_report_naming_report_chart_and_text(monkeypatch):
    from metroanalysis.analysis import notebook

    monkeypatch.setattr(notebook, "_report", "05-trends (en)")
    monkeypatch.setattr(notebook.chartlayout, "fit", lambda fig: None)  # as before the fitting
    fig, ax = small_figure()
    ax.bar(["phone"], [44461])
    ax.set_ylim(38000, 50000)
    ax.set_title("Bookings by channel (April 2021)", loc="left")
    with pytest.raises(chartcheck.ChartCheckError, match=r"^05-trends \(en\): chart «Bookings by channel"):
        notebook.chart(fig)


def months_series(n: int) -> pd.DataFrame:
    index = [f"{2021 + (3 + i) // 12}年{(3 + i) % 12 + 1}月" for i in range(n)]
    return pd.DataFrame({"12320在线预约": [100_000 + 1_000 * (i % 7) for i in range(n)]}, index=index)


def test_a_thinned_month_axis_keeps_only_the_ticks_it_labels():
    """Over 40 months every label cannot fit: the axis keeps every step-th month, each labelled,
    with no empty ticks (nor their grid lines) left at the months between."""
    data = months_series(40)
    fig = plotting.line_chart(data, title="各渠道预约量", xlabel="月份", ylabel="预约量（次）")
    chartlayout.fit(fig)
    axis = fig.axes[0].xaxis
    locs = list(axis.get_majorticklocs())
    labels = [t.get_text() for t in axis.get_majorticklabels()]
    step = locs[1] - locs[0]
    assert step > 1 and locs == list(range(0, 40, int(step)))  # thinned, from the first month on
    assert all(labels) and [x.replace("\n", "") for x in labels] == list(data.index[:: int(step)])
    assert chartcheck.problems(fig) == []


def test_end_labels_spread_inside_the_axes_keep_the_layout_made_for_them():
    """Two lines ending close together: their end labels are spread apart inside the axes, where
    they change nothing constrained layout keeps room for, so the figure is not laid out again
    when drawn (the chart images test holds that the picture is the one a new layout gives)."""
    data = pd.DataFrame({"远程会诊": [9, 9, 10], "远程影像": [10, 10, 10.2]}, index=["1月", "2月", "3月"])
    fig = plotting.line_chart(data, title="各远程医疗平台对接的区数", xlabel="月份", ylabel="区数（个）")
    labels = list(getattr(fig.axes[0], chartlayout.END_LABELS).values())
    chartlayout.fit(fig)
    assert labels[0].xyann != labels[1].xyann  # spread apart
    assert not isinstance(fig.get_layout_engine(), matplotlib.layout_engine.ConstrainedLayoutEngine)
    assert chartcheck.problems(fig) == []


def test_an_end_label_moved_past_the_axes_has_the_figure_laid_out_again():
    """Two lines ending a hair apart at the top of a low chart: the upper label, lifted clear of
    the other, reaches above the axes, so the drawing lays the figure out again to keep it in."""
    data = pd.DataFrame({"诊间预约": [500.0, 1000.0], "电话预约": [400.0, 999.0]}, index=["4月", "5月"])
    fig = plotting.line_chart(data, title="各渠道预约量", xlabel="月份", ylabel="次", value_format="{:,.1f}")
    fig.set_size_inches(10, 2.2)
    chartlayout.fit(fig)
    assert isinstance(fig.get_layout_engine(), matplotlib.layout_engine.ConstrainedLayoutEngine)
    assert chartcheck.problems(fig) == []


def test_a_long_month_axis_is_laid_out_first_with_few_ticks_and_thinned_as_if_whole(monkeypatch):
    """120 months: the first layout makes a few ticks, not 120; the step is then chosen from all
    the months, as when the whole axis was laid out first (the same ticks and labels)."""

    def line_chart():
        return plotting.line_chart(months_series(120), title="各渠道预约量", xlabel="月份", ylabel="预约量（次）")

    def fitted():
        fig = line_chart()
        chartlayout.fit(fig)
        assert chartcheck.problems(fig) == []
        axis = fig.axes[0].xaxis
        return list(axis.get_majorticklocs()), [t.get_text() for t in axis.get_majorticklabels()]

    fig = line_chart()
    assert chartlayout.thin_before_layout(fig.axes[0].xaxis, fig, chartcheck.renderer_of(fig))
    assert len(fig.axes[0].xaxis.get_majorticklocs()) <= 20
    thinned_first = fitted()
    monkeypatch.setattr(chartlayout, "thin_before_layout", lambda axis, fig, renderer: False)
    assert thinned_first == fitted()


def test_a_long_month_axis_makes_ticks_only_for_the_months_it_labels():
    """120 months: a tick is made for each month labelled, not for each month (a tick costs
    about a millisecond to make, and each was made, laid out and then thrown away)."""
    fig = plotting.line_chart(months_series(120), title="各渠道预约量", xlabel="月份", ylabel="预约量（次）")
    chartlayout.fit(fig)
    fig.canvas.draw()
    axis = fig.axes[0].xaxis
    assert len(axis.get_majorticklocs()) <= len(axis.majorTicks) < 30  # the first layout's few, then these


def test_a_text_width_remembered_is_the_width_of_that_text_in_that_font():
    fig, ax = small_figure()
    renderer = chartcheck.renderer_of(fig)
    small, large = ax.text(0, 0, "x", fontsize=8), ax.text(0, 0, "x", fontsize=12)
    widths = [chartlayout.text_width("2021年4月", like, renderer) for like in (small, large, small, large)]
    measured = [
        renderer.get_text_width_height_descent("2021年4月", t.get_fontproperties(), False)[0] for t in (small, large)
    ]
    assert widths == measured * 2 and widths[0] < widths[1]
    small.set_fontsize(10)  # the same text object, its font changed: measured anew
    assert widths[0] < chartlayout.text_width("2021年4月", small, renderer) < widths[1]


def test_a_chart_that_fits_as_it_is_is_drawn_once(monkeypatch):
    """Nothing to wrap, thin or move: the drawing `fit` lays the chart out with is the picture
    `to_png` encodes (not drawn a second time); the same pixels as a drawing of its own gives."""
    fig = plotting.ranked_bars(
        pd.Series([3.0, 1.0], index=["鼓楼区", "玄武区"]), title="各区", xlabel="次", ylabel="区"
    )
    draws = []
    draw = Figure.draw
    monkeypatch.setattr(Figure, "draw", lambda self, renderer: draws.append(1) or draw(self, renderer))
    chartlayout.fit(fig)
    png, _ = plotting.to_png(fig, check=lambda drawn: chartcheck.check(drawn, drawn=True))
    assert len(draws) == 1
    monkeypatch.undo()
    again = plotting.ranked_bars(
        pd.Series([3.0, 1.0], index=["鼓楼区", "玄武区"]), title="各区", xlabel="次", ylabel="区"
    )
    chartlayout.fit(again)
    delattr(again, chartlayout.RENDERED)  # drawn anew by to_png
    assert plotting.to_png(again)[0] == png


def test_heatmap_cell_texts_are_left_out_of_the_layout_while_inside_the_axes():
    """12 areas x 30 months of numbers: constrained layout does not measure them on every pass,
    as they lie inside the axes (the chart images test holds that the picture is unchanged)."""
    shares = pd.DataFrame(
        {f"{m}月": [50.0 + i + m for i in range(12)] for m in range(1, 31)}, index=list("甲乙丙丁戊己庚辛壬癸子丑")
    )
    fig = plotting.heatmap(
        shares, title="各区已上传表占规定上传表的比例", xlabel="月份", ylabel="区", value_format=".0f"
    )
    cells = fig.axes[0].texts
    assert len(cells) == 360 and not any(t.get_in_layout() for t in cells)
    chartlayout.fit(fig)
    assert not any(t.get_in_layout() for t in cells)
    assert chartcheck.problems(fig) == []


def test_a_cell_text_reaching_out_of_the_axes_is_laid_out_again_with_it():
    words = pd.DataFrame({"平台": ["已对接"] * 2}, index=["鼓楼区", "玄武区"])
    connected = pd.DataFrame({"平台": [True, False]}, index=["鼓楼区", "玄武区"])
    fig = plotting.heatmap(connected, title="对接", xlabel="平台", ylabel="区", annotations=words)
    wide = fig.axes[0].texts[0]
    wide.set_text("已对接（自二〇二一年四月起经市平台转接至省远程医疗平台）")
    chartlayout.fit(fig)
    assert wide.get_in_layout()
    assert isinstance(fig.get_layout_engine(), matplotlib.layout_engine.ConstrainedLayoutEngine)


def test_share_bar_labels_are_left_out_of_the_layout_while_inside_the_axes():
    shares = pd.DataFrame({"12320": [0.5, 0.04], "电话": [0.5, 0.96]}, index=["鼓楼医院", "儿童医院"])
    fig = plotting.stacked_share_bars(shares, title="各医院预约渠道构成", xlabel="比例", ylabel="医院")
    labels = [t for t in fig.axes[0].texts if t.get_text()]
    assert [t.get_text() for t in labels] == ["50%", "50%", "96%"] and not any(t.get_in_layout() for t in labels)
    chartlayout.fit(fig)
    assert not any(t.get_in_layout() for t in labels)
    assert chartcheck.problems(fig) == []

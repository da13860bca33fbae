"""The small charts on the pages across months: one per series, drawn once and kept by what they
show (`ChartCache`), the same image in every language."""

from __future__ import annotations

import base64
import io
import json
from dataclasses import dataclass
from pathlib import Path

from metroanalysis import i18n
from metroanalysis.build import keys as build

CHART_SIZE = (3.4, 1.5)  # inches, shown at 96 px per inch
CHART_DPI = 150  # drawn denser, sharp on a high-DPI screen
PALETTE = ("#0b57d0", "#e8710a", "#188038", "#a142f4", "#d93025", "#12b5cb", "#5f6368")


@dataclass
class Chart:
    caption: str
    png: str  # base64
    width: int
    lines: list[tuple[str, str]]  # (series, colour)


# ---------------------------------------------------------------------------------------------
# Charts: words-free small line charts, drawn once for every language


class ChartCache:
    """Each chart drawn once for every language, and kept between runs by what it shows (the
    months and the values) and what draws it (this module, matplotlib's version), in
    OUT_ROOT/.state/ when `path` is given: pages redone for another reason than their figures
    (a month index appearing to link to, a template edited, a language added) draw nothing.
    Run state: deleting it costs drawing time, never a different picture."""

    def __init__(self, path: Path | None = None):
        self.drawn: dict = {}
        self.path = path
        self.kept = build.read_json(path) if path else {}
        self.used: dict[str, list] = {}
        self.code = ""
        if path:
            import matplotlib

            self.code = build.digest([build.file_digest(Path(__file__)), matplotlib.__version__])

    def chart(self, months: list[str], series: dict[str, list], titles: list[str], lang: str) -> Chart:
        values = tuple(tuple(v) for v in series.values())
        key = (tuple(months), values)
        if key not in self.drawn:
            content = build.digest([self.code, list(months), [list(v) for v in values]])
            kept = self.kept.get(content)
            self.drawn[key] = tuple(kept) if isinstance(kept, list) else draw(months, list(values))
            self.used[content] = list(self.drawn[key])
        png, width = self.drawn[key]
        colours = [PALETTE[i % len(PALETTE)] for i in range(len(titles))]
        return Chart(i18n.LIST_SEPARATORS[lang].join(titles), png, width, list(zip(titles, colours, strict=True)))

    def save(self) -> None:
        """Keep the charts this build showed (and only those: the file does not grow with runs)."""
        if self.path and self.used != self.kept:
            build.write_atomic(self.path, json.dumps(self.used, sort_keys=True) + "\n")


_AXES = None


def draw(months: list[str], series: list[tuple]) -> tuple[str, int]:
    """One line per series over the months (a gap where a month has no value), as base64 PNG.
    The only text is numbers and months, so the picture is the same in every language. One
    figure is reused (its lines replaced): a few hundred small charts in seconds, not minutes."""
    global _AXES
    if _AXES is None:
        # matplotlib's own font: the charts hold digits and months only (plotting.setup's CJK
        # font and seaborn theme would add seconds to every build for no glyph drawn)

        # IPython first, whole: these pages are drawn in a thread, and matplotlib's first canvas
        # looks at sys.modules["IPython"], which would be half-made if the main thread were
        # importing it that moment (a run executing its one report in-process does, to export).
        import IPython  # noqa: F401
        from matplotlib.figure import Figure
        from matplotlib.ticker import FuncFormatter, MaxNLocator

        fig = Figure(figsize=CHART_SIZE)
        _AXES = fig.add_axes((0.17, 0.17, 0.8, 0.77))
        _AXES.yaxis.set_major_locator(MaxNLocator(4))
        _AXES.yaxis.set_major_formatter(FuncFormatter(compact))
        _AXES.tick_params(labelsize=7)
        _AXES.grid(True, linewidth=0.4)
    ax = _AXES
    for line in list(ax.lines):
        line.remove()
    x = list(range(len(months)))
    top = 0.0
    for i, values in enumerate(series):
        y = [float("nan") if v is None else v for v in values]
        ax.plot(x, y, marker="o", markersize=3, linewidth=1.5, color=PALETTE[i % len(PALETTE)])
        top = max([top, *(v for v in values if v is not None)])
    step = max(1, (len(months) + 5) // 6)
    ticks = x[::step]
    ax.set_xticks(ticks, [months[i] for i in ticks])
    ax.set_xlim(-0.3, len(months) - 0.7)
    ax.set_ylim(0, top * 1.08 if top > 0 else 1)
    raw = io.BytesIO()
    ax.figure.savefig(raw, format="png", dpi=CHART_DPI, metadata={"Software": None})
    return base64.b64encode(raw.getvalue()).decode("ascii"), round(CHART_SIZE[0] * 96)


def compact(x, _pos=None) -> str:
    """Axis numbers without words: 12,000,000 → 12M, 45,000 → 45k."""
    for size, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= size:
            return f"{x / size:.3g}{suffix}"
    return f"{x:.3g}"

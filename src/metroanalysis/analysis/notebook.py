"""What a report notebook calls around its analysis: load the month, translate its words, and
show sentences, tables and charts the way the HTML reports need them.

A notebook's words are its own (see `metroanalysis.i18n`): Chinese in its cells, English in
`notebooks/NN-name.en.yml` beside it. Nothing here holds report wording.

    m = nb.setup(month, root, processed_dir, reports_dir, lang)
    _ = nb.translator("01-channel-shares", lang)
    nb.finding(_("全部预约 {n} 次。", n=fmt_count(total)))
    nb.chart(fig, summary)            # the chart, with its title and the summary as alt text
    nb.table(df, {"hospital": _("医院"), "share": (_("占比（%）"), "pct")})

The finding contract (the report runner depends on it): `finding(text)` displays `text` as
Markdown and attaches the output metadata {"metroanalysis": {"finding": text}}; the runner
reads the first such output of each executed notebook. `chart` attaches
{"metroanalysis": {"alt": text}}, which the page template writes as the image's alt text.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from IPython.display import HTML, Image, Markdown, display

from metroanalysis import i18n
from metroanalysis.analysis import chartcheck, chartlayout, display_table, plotting, trends
from metroanalysis.clean.pipeline import MonthData, TablesRead, load_month, stacked_is_current
from metroanalysis.errors import UsageError
from metroanalysis.paths import Project, find_project

FINDING_KEY = "metroanalysis"
LANGUAGES = i18n.LANGS


@dataclass(frozen=True)
class Parameters:
    month: str
    root: Path
    processed_dir: Path | None
    reports_dir: Path | None
    lang: str


def resolve(month=None, root=None, processed_dir=None, reports_dir=None, lang="zh") -> Parameters:
    """The notebook's parameters made concrete: the project from `root` (relative to the current
    folder, which is the notebook's own under Papermill and JupyterLab; none: the current folder
    upward), `processed_dir` and `reports_dir` relative to the project (as the runner gives them:
    no absolute path in an executed notebook), and `month` None → the newest month under data/raw."""
    i18n.check_lang(lang)
    project = project_of(root)
    if month is None:
        months = project.months()
        if not months:
            raise ValueError(f"no month folders with a bulletin under {project.raw}")
        month = months[-1]
    folder = project.root / processed_dir if processed_dir else None  # an absolute one stays itself
    reports = project.root / reports_dir if reports_dir else None
    return Parameters(month, project.root, folder, reports, lang)


def project_of(root) -> Project:
    """The project `root` names (relative to the current folder), or else the one the current
    folder is in: an executed notebook run again where it is stored (reports/MONTH/, as nbval
    does, or a reviewer in JupyterLab) has `root` relative to the notebook it was made from."""
    try:
        return find_project(root)
    except UsageError:
        if root is None or Path(root).is_absolute():
            raise
        return find_project(None)


def setup(month=None, root=None, processed_dir=None, reports_dir=None, lang="zh") -> MonthData:
    """Resolve the parameters, set up charts and tables for reviewers, and load the month."""
    global _data_href
    params = resolve(month, root, processed_dir, reports_dir, lang)
    _data_href = "data/" if lang == i18n.SOURCE else "../data/"
    plotting.setup()
    pd.set_option("display.max_colwidth", None)  # a long hospital name is shown whole
    m = load_month(params.month, root=params.root, processed=params.processed_dir)
    m.params = params  # for history(m)
    return m


def translator(name: str, lang: str = "zh", folder: str | Path | None = None) -> i18n.Translator:
    """`_` for the notebook `name` ("01-channel-shares"): its catalog `name.LANG.yml` in
    `folder` (default: the current folder, which is the notebook's own under Papermill and
    JupyterLab). `name` and `lang` also name the report in a chart check's error (`chart`)."""
    global _report
    _report = name if lang == i18n.SOURCE else f"{name} ({lang})"
    return i18n.translator(Path(folder or Path.cwd()) / f"{name}.ipynb", lang)


def month_label(month: str, lang: str = "zh") -> str:
    """'2021-04' → '2021年4月' (or 'April 2021')."""
    return i18n.month_label(month, lang)


def history(m: MonthData) -> Mapping[str, pd.DataFrame]:
    """Every month's tables up to and including the report's month, stacked with a `month`
    column: data/processed/all when it holds every such month as its folder holds it now (each
    table read when first used), otherwise stacked here from the month folders, each cleaned
    again if out of date (`load_month`; all/ is rebuilt by `metroanalysis clean`, not here, so
    it may lag behind a month just added or cleaned again). Never writes all/ itself, so
    notebooks run in parallel do not race on it."""
    params: Parameters = m.params
    project = find_project(params.root)
    months = [x for x in project.months() if x <= params.month]
    processed = params.processed_dir or project.processed
    if (Path(processed) / "all" / "datapackage.json").is_file() and stacked_is_current(Path(processed), months):
        upto = params.month
        return TablesRead(Path(processed) / "all", True, lambda df: df[df["month"] <= upto].reset_index(drop=True))
    return stacked_months(m, months)


def stacked_months(m: MonthData, months: list[str]) -> dict[str, pd.DataFrame]:
    """The tables of `months` read from their month folders (each cleaned again if out of date,
    `load_month`; the report's own month is `m`), stacked with a `month` column."""
    params: Parameters = m.params
    parts: dict[str, list[pd.DataFrame]] = {}
    for month in months:
        data = m if month == params.month else load_month(month, root=params.root, processed=params.processed_dir)
        for name, df in data.tables.items():
            parts.setdefault(name, []).append(df.assign(month=month))
    return {name: pd.concat(frames, ignore_index=True) for name, frames in parts.items()}


def changes(m: MonthData, measures: list[str]) -> pd.DataFrame:
    """The report's month beside the month before it for `measures`: the table
    `trends.change_table(trends.headline_figures(history(m)), m.month, measures)` gives, worked
    out from the month folders of the last two months only (`trends.recent_changes`, more only
    where the month before lacks a figure): over ten years of months, a report's month-over-month
    table no longer reads and sums every month."""
    params: Parameters = m.params
    months = [x for x in find_project(params.root).months() if x <= params.month]
    return trends.recent_changes(lambda window: stacked_months(m, window), months, params.month, measures)


# Text built from bulletins is untrusted: a hospital named <script>…</script> or [x](javascript:…)
# must show as those characters, never become markup or a link. Escaped here, where text turns
# into Markdown: HTML's own characters, and the Markdown that makes links, images and code.
# (Emphasis ** stays: the reports' fixed wording uses it, and a name cannot smuggle markup in it.)
_UNTRUSTED = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "[": "\\[", "]": "\\]", "`": "\\`"})


def escaped(text: str) -> str:
    """`text` with any markup characters it carries shown as text."""
    return text.replace("\\", "\\\\").translate(_UNTRUSTED)


def markdown(text: str) -> Markdown:
    return Markdown(escaped(text))


def say(text: str) -> None:
    """Show a sentence (or a Markdown block) built from the data."""
    display(markdown(text))


def finding(text: str) -> None:
    """Show the report's headline sentence and mark it for the report index (see module doc)."""
    display(markdown(text), metadata={FINDING_KEY: {"finding": text}})


def note(text: str) -> None:
    """A footnote under a figure or a table: the basis of a number, what was left out and why."""
    display(Markdown("> " + escaped(text)))


def table(df: pd.DataFrame, columns: dict, source: str | None = None) -> None:
    """Show the columns of `df` a reviewer reads, under the headers given: `{column: header}`
    or `{column: (header, kind)}` (kinds in `analysis.display_table`; without one, a column's
    dtype decides: whole numbers as counts, text as text, other numbers to one decimal).

    `source`, for a table shown straight from a clean table, names its file and columns,
    "booking_by_hospital.csv: hospital, subtotal": shown in one small line under the table, the
    file a link into the month's published data (reports/MONTH/data/, see `publish`).

    Kind `printed`: text quoted from the bulletin as printed (合计：116458), marked `lang="zh"`
    so an English page says it is a quote, not a missed translation."""
    spec = {col: h if isinstance(h, tuple) else (h, _kind(df[col])) for col, h in columns.items()}
    quoted = [h for h, kind in spec.values() if kind == PRINTED]
    shown = display_table(df, {col: (h, "text" if kind == PRINTED else kind) for col, (h, kind) in spec.items()})
    with pd.option_context(*WHOLE_TABLE):
        display(HTML(quoting_printed(shown, quoted)) if quoted else shown)
    if source:
        display(source_line(source))


# Where the month's published data is, seen from the report being made: reports/MONTH/ for the
# source language, reports/MONTH/LANG/ otherwise (set by `setup`).
_data_href = "data/"


PRINTED = "printed"

# A table is shown whole: pandas would otherwise put "…" for the middle rows or columns of a long
# or wide table (numbers silently missing) and a "15 rows × 122 columns" line in English.
WHOLE_TABLE = ("display.max_rows", None, "display.max_columns", None, "display.show_dimensions", False)


def quoting_printed(shown: pd.DataFrame, columns: list[str]) -> str:
    """`shown` as pandas writes a table, each cell of `columns` a `<span lang="zh">` quote. Each
    such cell is first a plain token pandas escapes as nothing, then the escaped quote."""
    marked, quotes = shown.copy(), {}
    for column in columns:
        for i, value in enumerate(marked[column]):
            token = f"maquote{len(quotes)}x"
            quotes[token] = f'<span lang="zh">{html.escape(str(value))}</span>'
            marked.iloc[i, marked.columns.get_loc(column)] = token
    page = marked._repr_html_()
    for token, quote in quotes.items():  # a whole cell's text: maquote1x never matches inside maquote10x
        page = page.replace(f">{token}<", f">{quote}<")
    return page


def source_line(source: str, data_href: str | None = None) -> HTML:
    """`"file.csv: col, col"` as a line of HTML: the file linked into the data folder."""
    file, sep, columns = source.partition(":")
    file = file.strip()
    if not file.endswith(".csv") or "/" in file or "\\" in file:
        raise ValueError(f"source={source!r}: expected 'table.csv: column, column'")
    href = html.escape((data_href or _data_href) + file, quote=True)
    rest = f": {html.escape(columns.strip())}" if sep and columns.strip() else ""
    return HTML(f'<p class="ma-source"><a href="{href}">{html.escape(file)}</a>{rest}</p>')


def _kind(column: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(column):
        return "flag"
    if pd.api.types.is_integer_dtype(column):
        return "count"
    if pd.api.types.is_numeric_dtype(column):
        return "num"
    return "text"


# The report being made, for a chart check's error: set by `translator`, which every report calls.
_report = ""


def report_name() -> str:
    """'01-channel-shares', or '01-channel-shares (en)' for another language than the source."""
    return _report


def chart(fig, summary: str = "") -> None:
    """Show `fig` as an embedded PNG whose alt text is its title and `summary` (searchable, read
    aloud), and close it so the inline backend does not draw it a second time. Before it is
    encoded, its texts are fitted to the canvas (`chartlayout.fit`) and the chart is checked
    (`chartcheck.check`): a clipped or colliding text stops the report with an error naming it."""
    axes = fig.axes[0] if fig.axes else None
    title = (axes.get_title(loc="left") or axes.get_title()) if axes else ""
    alt = " — ".join(t for t in (title, " ".join(summary.split())) if t)
    chartlayout.fit(fig)
    report = report_name()
    png, width = plotting.to_png(fig, check=lambda drawn: chartcheck.check(drawn, report, drawn=True))
    display(Image(data=png, format="png", width=width), metadata={FINDING_KEY: {"alt": alt}})

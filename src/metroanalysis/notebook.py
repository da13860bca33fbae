"""What the report notebooks call around the analysis: resolve their parameters, load the
month, set up plotting; show sentences and the one-line finding the report index lists.

The finding contract (the report runner depends on it): `finding(text)` displays `text` as
Markdown and attaches the output metadata {"metroanalysis": {"finding": text}}; the runner
reads the first such output of each executed notebook.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from IPython.display import Markdown, display

from . import labels, plotting
from .paths import find_project
from .pipeline import MonthData, load_all_months, load_month

FINDING_KEY = "metroanalysis"
LANGUAGES = labels.LANGS


@dataclass(frozen=True)
class Parameters:
    month: str
    root: Path
    processed_dir: Path | None
    reports_dir: Path | None
    lang: str


def resolve(month=None, root=None, processed_dir=None, reports_dir=None, lang="zh") -> Parameters:
    """The notebook's parameters made concrete: the project from `root` (or the current folder
    upward), and `month` None → the newest month under data/raw."""
    if lang not in LANGUAGES:
        raise ValueError(f"lang={lang!r}: the reports are written in {', '.join(LANGUAGES)} only")
    project = find_project(root)
    if month is None:
        months = project.months()
        if not months:
            raise ValueError(f"no month folders with a bulletin under {project.raw}")
        month = months[-1]
    folder = Path(processed_dir) if processed_dir else None
    reports = Path(reports_dir) if reports_dir else None
    return Parameters(month, project.root, folder, reports, lang)


def setup(month=None, root=None, processed_dir=None, reports_dir=None, lang="zh") -> MonthData:
    """Resolve the parameters, set up charts and tables for reviewers, and load the month."""
    params = resolve(month, root, processed_dir, reports_dir, lang)
    plotting.setup()
    pd.set_option("display.max_rows", 200)
    pd.set_option("display.max_columns", 30)
    m = load_month(params.month, root=params.root, processed=params.processed_dir)
    m.params = params  # for history(m)
    if m.synthetic:  # never let generated figures pass for a real bulletin's
        say(labels.t("p.synthetic", lang))
    return m


def history(m: MonthData) -> dict[str, pd.DataFrame]:
    """Every month's tables up to and including the report's month, stacked with a `month`
    column: data/processed/all (load_all_months) when it holds every such month, otherwise
    stacked here from the month folders (all/ is rebuilt by `metroanalysis clean`, not by the
    report runner, so it may lag behind a month just added). Never writes all/ itself, so
    notebooks run in parallel do not race on it."""
    params: Parameters = m.params
    project = find_project(params.root)
    months = [x for x in project.months() if x <= params.month]
    processed = params.processed_dir or project.processed
    if (Path(processed) / "all" / "datapackage.json").is_file():
        stacked = load_all_months(params.root, params.processed_dir).tables
        if set(months) <= set(stacked["booking_by_hospital"]["month"]):
            return {name: df[df["month"] <= params.month].reset_index(drop=True) for name, df in stacked.items()}
    parts: dict[str, list[pd.DataFrame]] = {}
    for month in months:
        data = m if month == params.month else load_month(month, root=params.root, processed=params.processed_dir)
        for name, df in data.tables.items():
            parts.setdefault(name, []).append(df.assign(month=month))
    return {name: pd.concat(frames, ignore_index=True) for name, frames in parts.items()}


def month_title(month: str, lang: str = "zh") -> str:
    """'2021-04' → '2021年4月' (or 'April 2021')."""
    return labels.month_title(month, lang)


# Text built from bulletins is untrusted: a hospital named <script>…</script> or [x](javascript:…)
# must show as those characters, never become markup or a link. Escaped here, where text turns
# into Markdown: HTML's own characters, and the Markdown that makes links, images and code.
# (Emphasis ** stays: the reports' fixed wording uses it, and a name cannot smuggle markup in it.)
_UNTRUSTED = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "[": "\\[", "]": "\\]", "`": "\\`"})


def markdown(text: str) -> Markdown:
    """Markdown of `text` with any markup characters it carries shown as text."""
    return Markdown(text.replace("\\", "\\\\").translate(_UNTRUSTED))


def title(text: str) -> None:
    """The report's title as a level-1 heading, marked {"metroanalysis": {"title": text}} so a
    runner can name the report in its language (the source's first Markdown heading is Chinese)."""
    text = text.lstrip("# ")
    display(markdown(f"# {text}"), metadata={FINDING_KEY: {"title": text}})


def heading(text: str) -> None:
    """A section heading or intro in the report's language (Markdown)."""
    display(markdown(text))


def say(text: str) -> None:
    """Show a sentence (or a Markdown block) built from the data."""
    display(markdown(text))


def finding(text: str) -> None:
    """Show the report's headline sentence and mark it for the report index (see module doc)."""
    display(markdown(text), metadata={FINDING_KEY: {"finding": text}})

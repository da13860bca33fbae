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

from . import plotting
from .paths import find_project
from .pipeline import MonthData, load_month

FINDING_KEY = "metroanalysis"
LANGUAGES = ("zh",)


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
    return load_month(params.month, root=params.root, processed=params.processed_dir)


def month_title(month: str) -> str:
    """'2021-04' → '2021年4月'."""
    year, number = month.split("-")
    return f"{year}年{int(number)}月"


def say(text: str) -> None:
    """Show a sentence (or a Markdown block) built from the data."""
    display(Markdown(text))


def finding(text: str) -> None:
    """Show the report's headline sentence and mark it for the report index (see module doc)."""
    display(Markdown(text), metadata={FINDING_KEY: {"finding": text}})

"""Every chart of the reports passes the chart check over 24 generated months.

The cheap form, to keep `make test` short: the notebooks' own code runs in this process
(notebook_charts: no kernel, Papermill or export, nothing encoded), through the same fitting and
check `notebook.chart` applies; each month in one language. The gate checks the trends report
(its charts grow a month each time) in all 24 months, alternately zh and en, and the other
reports in 12 of them, 6 in each language (`sweep`); `make charts` checks every report in every
month in both languages. The shipped month's charts are checked in both languages by every
Papermill run of the suite (built_project): a failing check fails the report. A module of its
own, so the test runner can give it a core of its own beside test_many_months."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from months import months_after
from notebook_charts import run_charts

from metroanalysis.analysis import chartcheck, chartlayout
from metroanalysis.cli import main
from metroanalysis.synth.generate import generate

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
SOURCE = (REPO / "data" / "raw" / "2021-04" / "bulletin.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """The shipped month and 24 generated ones (seeds 1-24), cleaned."""
    root = tmp_path_factory.mktemp("charts")
    shutil.copytree(REPO / "data" / "raw" / "2021-04", root / "data" / "raw" / "2021-04")
    shutil.copytree(REPO / "data" / "reference", root / "data" / "reference")
    months = months_after("2021-04", 24)
    for seed, month in enumerate(months, start=1):
        text, _ = generate(SOURCE, "2021-04", month, seed)
        (root / "data" / "raw" / month).mkdir(parents=True)
        (root / "data" / "raw" / month / "bulletin.txt").write_text(text, encoding="utf-8")
    assert main(["clean", "--all", "--root", str(root)]) == 0
    return root, months


# The gate (`make test`) checks reports 01-04 in 12 of the 24 months (6 in each language) and the
# trends report, whose charts grow with the months, in all 24: two minutes of one core would
# otherwise be a third of the suite. `make charts` (EVERY=1) checks every report in every month,
# in both languages.
EVERY = os.environ.get("METROANALYSIS_CHARTS_EVERY_MONTH", "") == "1"
GROWS = "05-trends"


def sweep(months: list[str]) -> list[tuple[str, str, str]]:
    """(month, notebook stem, language) to check: see above."""
    notebooks = sorted(p.stem for p in (REPO / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    chosen = []
    for i, month in enumerate(months):
        for name in notebooks:
            if EVERY:
                chosen += [(month, name, "zh"), (month, name, "en")]
            elif name == GROWS:
                chosen.append((month, name, ("zh", "en")[i % 2]))
            elif i % 4 in (0, 1):
                chosen.append((month, name, ("zh", "en")[i % 4]))
    return chosen


def test_the_sweep_covers_every_report_in_both_languages_and_the_trends_in_every_month(project):
    _, months = project
    chosen = sweep(months)
    names = {p.stem for p in (REPO / "notebooks").glob("[0-9][0-9]-*.ipynb")}
    for name in names:
        langs = {lang for _, n, lang in chosen if n == name}
        assert langs == {"zh", "en"}, name
        assert len({m for m, n, _ in chosen if n == name}) >= 12, name
    assert {m for m, n, _ in chosen if n == GROWS} == set(months)


def test_every_chart_passes_the_chart_check_over_24_generated_months(project):
    root, months = project
    failures = []

    def check(report, fig):
        chartlayout.fit(fig)
        # measured as `notebook.chart` measures it: as it stands when fitting drew it for good
        # (RENDERED: `plotting.to_png` draws it no more), else laid out again first
        found = chartcheck.problems(fig, drawn=getattr(fig, chartlayout.RENDERED, False))
        failures.extend(f"{month} {report}: «{chartcheck.chart_title(fig)}»: {p}" for p in found)

    drew_none = []
    for month, name, lang in sweep(months):
        if run_charts(REPO / "notebooks" / f"{name}.ipynb", root, month, lang, check) == 0:
            drew_none.append(f"{month} {name} ({lang})")
    assert failures == []
    assert drew_none == []  # every report draws a chart in every month: none was skipped unseen

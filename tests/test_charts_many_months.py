"""Every chart of every report passes the chart check over 24 generated months.

The cheap form, to keep `make test` short: the notebooks' own code runs in this process
(notebook_charts: no kernel, Papermill or export, nothing encoded), through the same fitting and
check `notebook.chart` applies; each month in one language, alternately zh and en, so each
language sees 12 months of every report (the trends report's charts grow a month each time). The
shipped month's charts are checked in both languages by every Papermill run of the suite
(built_project): a failing check fails the report. A module of its own, so the test runner can
give it a core of its own beside test_many_months."""

from __future__ import annotations

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


def test_every_chart_passes_the_chart_check_over_24_generated_months(project):
    root, months = project
    notebooks = sorted((REPO / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    failures, charts = [], 0

    def check(report, fig):
        chartlayout.fit(fig)
        # measured as `notebook.chart` measures it: as it stands when fitting drew it for good
        # (RENDERED: `plotting.to_png` draws it no more), else laid out again first
        found = chartcheck.problems(fig, drawn=getattr(fig, chartlayout.RENDERED, False))
        failures.extend(f"{month} {report}: «{chartcheck.chart_title(fig)}»: {p}" for p in found)

    for i, month in enumerate(months):
        for path in notebooks:
            charts += run_charts(path, root, month, ("zh", "en")[i % 2], check)
    assert failures == []
    assert charts >= 24 * 21  # 21 charts in the five reports of a month

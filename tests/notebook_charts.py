"""The reports' charts drawn by the notebooks' own code, in this process: each notebook's code
cells run in a fresh namespace with the parameters Papermill would inject, and `notebook.chart`
hands each figure to a callback instead of encoding it. No kernel, no Papermill, no export:
cheap enough to run every chart of every report over many months (tests/test_chartcheck.py)."""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("agg")

from metroanalysis.analysis import notebook


def code_cells(path: Path) -> list[str]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]


def run_charts(path: Path, root: Path, month: str, lang: str, on_chart: Callable) -> int:
    """Run the notebook at `path` for `month` in `lang`; call `on_chart(report, fig)` for every
    chart it shows (the report named as `notebook.chart` names it). Returns the number of charts."""
    parameters = {"month": month, "root": str(root), "processed_dir": None, "reports_dir": None, "lang": lang}
    injected = "\n".join(f"{k} = {v!r}" for k, v in parameters.items())
    shown = []

    def chart(fig, summary=""):
        shown.append(fig)
        on_chart(notebook.report_name(), fig)
        matplotlib.pyplot.close(fig)

    namespace: dict = {}
    with (
        contextlib.chdir(path.parent),
        contextlib.redirect_stdout(io.StringIO()),
        _patched(notebook, "chart", chart),
        _patched(notebook, "display", lambda *a, **k: None),
    ):
        for i, source in enumerate(code_cells(path)):
            exec(compile(source, f"{path.name}:cell-{i}", "exec"), namespace)
            if i == 0:  # the parameters cell, then what Papermill injects after it
                exec(injected, namespace)
    return len(shown)


@contextlib.contextmanager
def _patched(module, name, value):
    old = getattr(module, name)
    setattr(module, name, value)
    try:
        yield
    finally:
        setattr(module, name, old)

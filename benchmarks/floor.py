"""The CPU the notebooks' own code takes, with nothing around it: each notebook's code cells run
in this one process (imports done once, a fresh namespace per notebook, parameters set as
Papermill sets them), with no kernel, no Papermill, no export. What a run cannot go below.

Usage: python benchmarks/floor.py ROOT NOTEBOOK MONTH [MONTH …]
Prints JSON: {"MONTH": CPU seconds, …} for NOTEBOOK, each the median of 2 runs after a first.
"""

from __future__ import annotations

import contextlib
import io
import json
import statistics
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("agg")  # the charts are drawn and encoded all the same (`notebook.chart`)


def code_cells(notebook: Path) -> list[str]:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]


def run_once(cells: list[str], parameters: dict) -> float:
    namespace: dict = {}
    injected = "\n".join(f"{k} = {v!r}" for k, v in parameters.items())
    start = time.process_time()
    with contextlib.redirect_stdout(io.StringIO()):
        for i, source in enumerate(cells):
            exec(compile(source, f"cell-{i}", "exec"), namespace)
            if i == 0:  # the parameters cell, then what Papermill injects after it
                exec(injected, namespace)
    return time.process_time() - start


def main() -> int:
    root, notebook, months = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:]
    cells = code_cells(notebook)
    out = {}
    for month in months:
        parameters = {
            "month": month,
            "root": str(root),
            "processed_dir": str(root / "data" / "processed"),
            "reports_dir": str(root / "reports"),
            "lang": "zh",
        }
        runs = [run_once(cells, parameters) for _ in range(3)]
        out[month] = statistics.median(runs[1:])
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())

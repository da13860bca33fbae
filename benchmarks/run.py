"""`make bench`: how long the batch jobs take, measured side by side in one run.

Builds a scratch project (the shipped month, plus synthetic months from `metroanalysis synth`
for the 12-month batch), then times, as whole commands the way an analyst runs them:

  clean            metroanalysis clean --month M --force
  naive            papermill NB OUT -p …, then jupyter nbconvert --to html --no-input OUT, per notebook
  full             metroanalysis run --month M --force
  rerun            metroanalysis run --month M            (nothing changed)
  touch            metroanalysis run --month M            (one notebook edited)
  batch-j1/-j2     metroanalysis run --all --force -j 1 / -j 2   (12 months)

Prints medians and ratios to the naive loop, and writes the same as JSON.
Usage: python benchmarks/run.py [--repeat N] [--months N] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
MA = [str(BIN / "metroanalysis")]


def timed(cmd: list[str], cwd: Path, check: bool = True) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    took = time.perf_counter() - start
    if check and proc.returncode != 0:
        raise SystemExit(f"benchmark command failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    return took, proc.stdout + proc.stderr


def scratch_project(months: int) -> Path:
    root = Path(tempfile.mkdtemp(prefix="metroanalysis-bench-"))
    shutil.copytree(REPO / "data" / "raw" / "2021-04", root / "data" / "raw" / "2021-04")
    shutil.copytree(REPO / "data" / "reference", root / "data" / "reference")
    shutil.copytree(REPO / "notebooks", root / "notebooks")
    year, month = 2021, 4
    for seed in range(1, months):
        month += 1
        if month == 13:
            year, month = year + 1, 1
        synth = [*MA, "synth", "--from", "2021-04", "--month", f"{year}-{month:02d}", "--seed", str(seed)]
        kind = ("txt", "html", "docx")[seed % 3]  # the batch holds all three formats a month arrives in
        timed([*synth, "--root", str(root), "--into-raw", "--format", kind], root)
    return root


def naive_month(root: Path, month: str) -> float:
    """The reference: one papermill process and one nbconvert process per notebook."""
    out = root / "naive" / month
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    for nb in sorted((root / "notebooks").glob("[0-9][0-9]-*.ipynb")):
        executed = out / nb.name
        params = ["-p", "month", month, "-p", "root", str(root), "--cwd", str(root / "notebooks")]
        timed([str(BIN / "papermill"), str(nb), str(executed), *params, "--no-progress-bar"], root)
        timed([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)], root)
    return time.perf_counter() - start


def touch_notebook(root: Path) -> Path:
    """Edit one notebook's content (a trailing space in its first markdown cell)."""
    nb = sorted((root / "notebooks").glob("[0-9][0-9]-*.ipynb"))[0]
    data = json.loads(nb.read_text(encoding="utf-8"))
    cell = next(c for c in data["cells"] if c["cell_type"] == "markdown")
    source = "".join(cell["source"])
    cell["source"] = source + " " if not source.endswith(" ") else source.rstrip()
    nb.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return nb


def measure(repeat: int, months: int) -> dict:
    root = scratch_project(months)
    first = "2021-04"
    results: dict[str, list[float]] = {k: [] for k in ("clean", "naive", "full", "rerun", "touch")}
    notes: dict[str, str] = {}
    timed([*MA, "clean", "--all", "--root", str(root)], root)
    for _ in range(repeat):
        results["clean"].append(timed([*MA, "clean", "--month", first, "--force", "--root", str(root)], root)[0])
        results["naive"].append(naive_month(root, first))
        results["full"].append(timed([*MA, "run", "--month", first, "--force", "--root", str(root)], root)[0])
        took, out = timed([*MA, "run", "--month", first, "--root", str(root)], root)
        results["rerun"].append(took)
        notes["rerun"] = out.strip().splitlines()[-1] if out.strip() else ""
        nb = touch_notebook(root)
        took, out = timed([*MA, "run", "--month", first, "--root", str(root)], root)
        results["touch"].append(took)
        notes["touch"] = f"edited {nb.name}; " + " | ".join(line for line in out.splitlines() if "executed" in line)
    for jobs in (1, 2):
        key = f"batch-j{jobs}"
        results[key] = []
        for _ in range(repeat):
            cmd = [*MA, "run", "--all", "--force", "-j", str(jobs), "--root", str(root)]
            results[key].append(timed(cmd, root)[0])
    shutil.rmtree(root, ignore_errors=True)
    return {"samples": results, "notes": notes}


def summarise(raw: dict, months: int) -> dict:
    med = {k: statistics.median(v) for k, v in raw["samples"].items()}
    naive = med["naive"]
    return {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "months_in_batch": months,
        "median_seconds": med,
        "ratios": {
            "naive_over_full": naive / med["full"],
            "batch_j1_over_j2": med["batch-j1"] / med["batch-j2"],
        },
        "targets": {
            "full run ≥ 3× faster than naive": naive / med["full"] >= 3,
            "nothing-changed rerun < 1 s": med["rerun"] < 1,
            "12-month batch ≥ 1.6× faster with -j 2": med["batch-j1"] / med["batch-j2"] >= 1.6,
        },
        **raw,
    }


def table(summary: dict) -> str:
    med, naive = summary["median_seconds"], summary["median_seconds"]["naive"]
    lines = [f"{'measure':<12} {'median s':>9} {'naive / this':>13}", "-" * 36]
    for key, seconds in med.items():
        lines.append(f"{key:<12} {seconds:>9.2f} {naive / seconds:>13.2f}")
    lines.append("")
    lines += [f"{'met' if ok else 'NOT met'}: {name}" for name, ok in summary["targets"].items()]
    lines += [f"{k}: {v}" for k, v in summary["notes"].items()]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--out", default=str(REPO / "benchmarks" / "results" / "bench.json"))
    args = parser.parse_args()
    summary = summarise(measure(args.repeat, args.months), args.months)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(table(summary))
    print(f"\nwritten: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`make bench`: how long the batch jobs take, measured side by side in one run.

Builds a scratch project (the shipped month, plus synthetic months from `metroanalysis synth`
for the 12-month batch), then times, as whole commands the way an analyst runs them:

  clean            metroanalysis clean --month M --force
  naive            papermill NB OUT -p …, then jupyter nbconvert --to html --no-input OUT, per notebook
  full             metroanalysis run --month M --force
  rerun            metroanalysis run --month M            (nothing changed)
  touch            metroanalysis run --month M            (one notebook edited)
  batch-j1/-j2     metroanalysis run --all --force -j 1 / -j 2   (12 months)

and the set-up of a fresh copy of the project, old way and new way side by side:

  setup-pip        python -m venv .venv; pip install --upgrade pip; pip install -e '.[dev]'
                   (the Makefile before uv.lock: newest versions that day; pip's cache as it is)
  setup-uv         make setup: python -m venv .venv; pip install uv==…; uv lock --check;
                   uv sync --frozen --extra dev (the locked versions; uv's cache warm, ~/.cache/uv)
  setup-uv-cold    the same with an empty uv cache (every wheel downloaded from PyPI), run once

Prints medians and ratios to the naive loop (setup: to setup-pip), and writes the same as JSON.
Usage: python benchmarks/run.py [--repeat N] [--months N] [--only runs|setup] [--out FILE]
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
# The interpreter fresh venvs are made from (the Makefile's PYTHON), not this venv's.
PYTHON = os.environ.get("PYTHON", "python3")
# What a fresh clone needs to install itself: the project's metadata, its code, the lock, the Makefile.
SETUP_FILES = ("pyproject.toml", "uv.lock", "Makefile", "README.md", "src")


def timed(cmd: list[str], cwd: Path, check: bool = True, env: dict | None = None) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env)
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


def fresh_copy() -> Path:
    """The files a fresh clone has that installing needs, with no .venv."""
    root = Path(tempfile.mkdtemp(prefix="metroanalysis-setup-"))
    for name in SETUP_FILES:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, root / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy2(src, root / name)
    return root


def outside_env(**extra: str) -> dict:
    """This process's environment without what `make bench` and an activated venv put there."""
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "VIRTUAL_ENV")}
    return env | extra


def setup_pip(root: Path) -> float:
    """The old way, the Makefile's install recipe before uv.lock."""
    steps = [
        [PYTHON, "-m", "venv", ".venv"],
        [".venv/bin/python", "-m", "pip", "install", "--quiet", "--upgrade", "pip"],
        [".venv/bin/python", "-m", "pip", "install", "--quiet", "-e", ".[dev]"],
    ]
    return sum(timed(step, root, env=outside_env())[0] for step in steps)


def setup_uv(root: Path, cache: Path | None = None) -> float:
    """The new way, exactly what `make report` and `make test` run first on a fresh clone."""
    env = outside_env(PYTHON=PYTHON, **({"UV_CACHE_DIR": str(cache)} if cache else {}))
    return timed(["make", "--no-print-directory", "setup"], root, env=env)[0]


def measure_setup(repeat: int) -> dict:
    results: dict[str, list[float]] = {"setup-pip": [], "setup-uv": [], "setup-uv-cold": []}
    for _ in range(repeat):
        for key, way in (("setup-pip", setup_pip), ("setup-uv", setup_uv)):
            root = fresh_copy()
            results[key].append(way(root))
            shutil.rmtree(root, ignore_errors=True)
    root, cache = fresh_copy(), Path(tempfile.mkdtemp(prefix="metroanalysis-uv-cache-"))
    results["setup-uv-cold"].append(setup_uv(root, cache))
    shutil.rmtree(root, ignore_errors=True)
    shutil.rmtree(cache, ignore_errors=True)
    uv = timed([str(BIN / "uv"), "--version"], REPO, check=False)[1].strip() if (BIN / "uv").exists() else "?"
    return {"samples": results, "notes": {"setup": f"{uv}; pip caches as they are; cold = empty UV_CACHE_DIR"}}


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
    ratios, targets = {}, {}
    if "naive" in med:
        ratios |= {"naive_over_full": med["naive"] / med["full"], "batch_j1_over_j2": med["batch-j1"] / med["batch-j2"]}
        targets |= {
            "full run ≥ 3× faster than naive": ratios["naive_over_full"] >= 3,
            "nothing-changed rerun < 1 s": med["rerun"] < 1,
            "12-month batch ≥ 1.6× faster with -j 2": ratios["batch_j1_over_j2"] >= 1.6,
        }
    if "setup-pip" in med:
        ratios["setup_pip_over_uv"] = med["setup-pip"] / med["setup-uv"]
        targets["fresh set-up from uv.lock ≥ 2× faster than pip (warm caches)"] = ratios["setup_pip_over_uv"] >= 2
    return {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "months_in_batch": months,
        "median_seconds": med,
        "ratios": ratios,
        "targets": targets,
        **raw,
    }


def table(summary: dict) -> str:
    """Each measure's median and its ratio to its reference: the naive loop, or the old set-up."""
    med = summary["median_seconds"]
    lines = [f"{'measure':<14} {'median s':>9} {'reference / this':>17}", "-" * 42]
    for key, seconds in med.items():
        reference = med.get("setup-pip" if key.startswith("setup") else "naive")
        ratio = f"{reference / seconds:>17.2f}" if reference else ""
        lines.append(f"{key:<14} {seconds:>9.2f} {ratio}")
    lines.append("")
    lines += [f"{'met' if ok else 'NOT met'}: {name}" for name, ok in summary["targets"].items()]
    lines += [f"{k}: {v}" for k, v in summary["notes"].items()]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--only", choices=("runs", "setup"), help="only the runs, or only the fresh set-ups")
    parser.add_argument("--out", default=str(REPO / "benchmarks" / "results" / "bench.json"))
    args = parser.parse_args()
    raw: dict = {"samples": {}, "notes": {}}
    steps = {"runs": lambda: measure(args.repeat, args.months), "setup": lambda: measure_setup(args.repeat)}
    for step, run in steps.items():
        if args.only in (None, step):
            part = run()
            raw["samples"] |= part["samples"]
            raw["notes"] |= part["notes"]
    summary = summarise(raw, args.months)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(table(summary))
    print(f"\nwritten: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

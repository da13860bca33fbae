"""`make bench`: how long the batch jobs take, measured side by side in one run.

Builds a scratch project (the shipped month, plus synthetic months from `metroanalysis synth`
for the 12-month batch), then times, as whole commands the way an analyst runs them:

  clean            metroanalysis clean --month M --force
  naive            papermill NB OUT -p …, then jupyter nbconvert --to html --no-input OUT, per notebook
  full             metroanalysis run --month M --force                 (warm kernels, the default)
  full-cold        the same with METROANALYSIS_WARM=0: a fresh kernel per notebook (before issue 15)
  full-unforked    the same with METROANALYSIS_FORK_KERNELS=0: warm kernels, each a new interpreter
  rerun            metroanalysis run --month M            (nothing changed)
  touch            metroanalysis run --all -j 2           (one notebook edited: 12 reports re-executed)
  batch-j2         metroanalysis run --all --force -j 2   (12 months, warm kernels)
  batch-j2-cold    the same with METROANALYSIS_WARM=0 (the old way, same months, same run)
  batch-j1         metroanalysis run --all --force -j 1   (only with --with-j1)

and, in a scratch project of its own (`--only floor`), what no run can go below, beside `touch`:

  preload          python -c "import metroanalysis.run.worker_preload" (the fork server's imports)
  floor-month      CPU s of the five notebooks' own code for the shipped month (benchmarks/floor.py:
                   code cells run in one warm process, no kernel, Papermill or export)
  floor-touch      the same for the edited notebook over every month

Every measure is taken --repeat times (3) in one run, interleaved (naive, full, full-cold, …), so
load from other users of the machine falls on both sides of each comparison; medians are shown
beside what each is compared with, with the issue's target, and the report pages' sizes.

and the set-up of a fresh copy of the project, old way and new way side by side:

  setup-pip        python -m venv .venv; pip install --upgrade pip; pip install -e '.[dev]'
                   (the Makefile before uv.lock: newest versions that day; pip's cache as it is)
  setup-uv         make setup: python -m venv .venv; pip install uv==…; uv lock --check;
                   uv sync --frozen --extra dev (the locked versions; uv's cache warm, ~/.cache/uv)
  setup-uv-cold    the same with an empty uv cache (every wheel downloaded from PyPI), run once

Prints medians and ratios (setup: to setup-pip), and writes the same as JSON (after every
measure, so an interrupted run leaves what it measured).
and, only when asked (`--only scale`, benchmarks/scale.py: an hour on a quiet 2-core machine),
builds of 12, 60 and 120 months, and on 120 a rerun, an added month and an edited notebook.

Usage: python benchmarks/run.py [--repeat N] [--months N] [--only runs|setup|floor|scale]
                                [--scale-months 12,60,120] [--with-j1] [--out FILE]
From make: make bench ONLY=scale [BENCH_ARGS="--scale-months 3,6 --repeat 1"]
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
    """Seconds the command took and its output. check=False: a run in which some report failed
    (exit 1) is still timed; bad input or a crash (any other code) stops the benchmark."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env)
    took = time.perf_counter() - start
    if proc.returncode != 0 and (check or proc.returncode != 1):
        raise SystemExit(f"benchmark command failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    if proc.returncode == 1:
        FAILED_REPORTS.update(
            line.split(": ", 2)[-1].split(" (see")[0] for line in proc.stderr.splitlines() if "report failed" in line
        )
    return took, proc.stdout + proc.stderr


FAILED_REPORTS: set[str] = set()
COLD = {"METROANALYSIS_WARM": "0"}
UNFORKED = {"METROANALYSIS_FORK_KERNELS": "0"}


def ma_env(**extra: str) -> dict:
    return {**os.environ, **extra}


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


def leave_out_failing(root: Path) -> str:
    """A notebook that fails for the shipped month on this tree is left out of every measure (and
    named in the notes). Returns a notebook that works for every month, the one `touch` edits: a
    failed report is re-executed by every later run, so an edit to a failing one would measure
    the failures. Failures in other months are timed as they are, on both sides."""
    timed([*MA, "run", "--all", "-j", "2", "--root", str(root)], root, check=False)
    works = {p.stem for p in (root / "notebooks").glob("[0-9][0-9]-*.ipynb")}
    for record in sorted((root / "reports").glob("*/.build/*.json")):
        if json.loads(record.read_text(encoding="utf-8")).get("status") != "failed":
            continue
        works.discard(record.stem)
        month = record.parent.parent.name
        if month == "2021-04" and (root / "notebooks" / f"{record.stem}.ipynb").exists():
            (root / "notebooks" / f"{record.stem}.ipynb").unlink()
            LEFT_OUT.append(f"{record.stem} (fails for {month})")
        else:
            FAILING.add(f"{record.stem} for {month}")
    shutil.rmtree(root / "reports", ignore_errors=True)
    FAILED_REPORTS.clear()
    if not works:
        raise SystemExit("benchmark: no notebook works for every month")
    return sorted(works)[0]


FAILING: set[str] = set()
LEFT_OUT: list[str] = []


def naive_month(root: Path, month: str) -> float:
    """The reference: one papermill process and one nbconvert process per notebook."""
    out = root / "naive" / month
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    for nb in sorted((root / "notebooks").glob("[0-9][0-9]-*.ipynb")):
        executed = out / nb.name
        params = ["-p", "month", month, "-p", "root", str(root), "--cwd", str(root / "notebooks")]
        timed([str(BIN / "papermill"), str(nb), str(executed), *params, "--no-progress-bar"], root, check=False)
        timed([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)], root, check=False)
    return time.perf_counter() - start


def touch_notebook(root: Path, name: str) -> Path:
    """Edit one notebook's content (a trailing space in its first markdown cell)."""
    nb = root / "notebooks" / f"{name}.ipynb"
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


def measure(repeat: int, months: int, with_j1: bool, save) -> dict:
    root = scratch_project(months)
    first = "2021-04"
    to_edit = leave_out_failing(root)
    keys = ["clean", "naive", "full", "full-cold", "full-unforked", "rerun", "touch", "batch-j2", "batch-j2-cold"]
    results: dict[str, list[float]] = {k: [] for k in keys + (["batch-j1"] if with_j1 else [])}
    notes: dict[str, str] = {}
    raw = {"samples": results, "notes": notes}
    run = [*MA, "run", "--root", str(root)]
    timed([*MA, "clean", "--all", "--root", str(root)], root)
    for _ in range(repeat):
        results["clean"].append(timed([*MA, "clean", "--month", first, "--force", "--root", str(root)], root)[0])
        results["naive"].append(naive_month(root, first))
        results["full-cold"].append(timed([*run, "--month", first, "--force"], root, False, ma_env(**COLD))[0])
        results["full"].append(timed([*run, "--month", first, "--force"], root, False)[0])
        results["full-unforked"].append(timed([*run, "--month", first, "--force"], root, False, ma_env(**UNFORKED))[0])
        save(raw)
    notes["pages"] = page_sizes(root / "reports" / first)
    for _ in range(repeat):
        results["batch-j2-cold"].append(timed([*run, "--all", "--force", "-j", "2"], root, False, ma_env(**COLD))[0])
        results["batch-j2"].append(timed([*run, "--all", "--force", "-j", "2"], root, False)[0])
        if with_j1:
            results["batch-j1"].append(timed([*run, "--all", "--force", "-j", "1"], root, False)[0])
        save(raw)
    for _ in range(repeat):
        timed([*run, "--month", first], root, False)  # settle the month after the batches
        took, out = timed([*run, "--month", first], root, False)
        results["rerun"].append(took)
        notes["rerun"] = f"run --month {first}: " + (out.strip().splitlines()[-1] if out.strip() else "")
        timed([*run, "--all", "-j", "2"], root, False)  # the same before each edit: failed reports retried
        nb = touch_notebook(root, to_edit)
        took, out = timed([*run, "--all", "-j", "2"], root, False)
        results["touch"].append(took)
        notes["touch"] = f"edited {nb.name}; " + next((x for x in out.splitlines() if "report(s) in" in x), "")
        save(raw)
    shutil.rmtree(root, ignore_errors=True)
    return raw


def measure_floor(repeat: int, months: int) -> dict:
    """What no runner can go below, beside `touch` in the same scratch project: the CPU the
    notebooks' own code takes (`floor.py`: no kernel, no Papermill, no export) for the shipped
    month and for the edited notebook over every month, and the fork server's imports (every
    notebook waits for them). On N cores a run takes at least imports + floor / N."""
    root = scratch_project(months)
    first, to_edit = "2021-04", leave_out_failing(root)
    run = [*MA, "run", "--all", "-j", "2", "--root", str(root)]
    results: dict[str, list[float]] = {"touch": [], "preload": [], "floor-month": [], "floor-touch": []}
    notes: dict[str, str] = {}
    timed(run, root, False)  # settle: every report built
    for _ in range(repeat):
        timed(run, root, False)
        nb = touch_notebook(root, to_edit)
        results["touch"].append(timed(run, root, False)[0])
        preload = [str(BIN / "python"), "-c", "import metroanalysis.run.worker_preload"]
        results["preload"].append(timed(preload, root)[0])
    floor = [str(BIN / "python"), str(REPO / "benchmarks" / "floor.py"), str(root)]
    month_cpu = {}
    for notebook in sorted((root / "notebooks").glob("[0-9][0-9]-*.ipynb")):
        _, out = timed([*floor, str(notebook), first], root)
        month_cpu[notebook.stem] = floor_json(out)[first]
    results["floor-month"].append(sum(month_cpu.values()))
    months_all = sorted(p.name for p in (root / "data" / "raw").iterdir() if p.is_dir())
    _, out = timed([*floor, str(root / "notebooks" / f"{to_edit}.ipynb"), *months_all], root)
    results["floor-touch"].append(sum(floor_json(out).values()))
    cores = os.cpu_count() or 1
    imports = statistics.median(results["preload"])
    notes["floor"] = (
        f"CPU s of the notebooks' own code ({first}: "
        + ", ".join(f"{k} {v:.2f}" for k, v in month_cpu.items())
        + f"); on {cores} cores at least {imports:.1f} s of imports + floor / {cores}: a month "
        f"{imports + results['floor-month'][0] / cores:.1f} s, the edit of {nb.name} over {len(months_all)} months "
        f"{imports + results['floor-touch'][0] / cores:.1f} s"
    )
    shutil.rmtree(root, ignore_errors=True)
    return {"samples": results, "notes": notes}


def floor_json(output: str) -> dict:
    """floor.py's answer: its one JSON line (warnings on stderr come after it)."""
    return json.loads(next(line for line in output.splitlines() if line.startswith("{")))


def page_sizes(folder: Path) -> str:
    """Each report page of the month and its size, largest first."""
    pages = sorted(folder.glob("*.html"), key=lambda p: -p.stat().st_size)
    return ", ".join(f"{p.name} {p.stat().st_size / 1024:.0f} KB" for p in pages)


# (measure, compared with, how: "faster" = compared / measure ≥ target, "fraction" = measure /
# compared ≤ target, "seconds" = measure ≤ target, "under" = measure < target), the targets.
TARGETS = (
    ("full", "naive", "faster", 8, "a full month ≥ 8× faster than the naive papermill + nbconvert loop"),
    ("batch-j2", "batch-j2-cold", "fraction", 1 / 3, "12-month batch -j 2 ≤ 1/3 of the old way's time"),
    ("touch", None, "seconds", 15, "one-notebook edit over 12 months ≤ 15 s"),
    ("rerun", None, "under", 0.5, "nothing-changed rerun < 0.5 s"),
)


def summarise(raw: dict, months: int) -> dict:
    med = {k: statistics.median(v) for k, v in raw["samples"].items() if v}
    ratios, targets = {}, {}
    for key, other, how, goal, name in TARGETS:
        if key not in med or (other and other not in med):
            continue
        if how == "faster":
            ratios[f"{other}_over_{key}"] = med[other] / med[key]
            targets[name] = ratios[f"{other}_over_{key}"] >= goal
        elif how == "fraction":
            ratios[f"{key}_over_{other}"] = med[key] / med[other]
            targets[name] = ratios[f"{key}_over_{other}"] <= goal
        elif how == "seconds":
            targets[name] = med[key] <= goal
        else:
            targets[name] = med[key] < goal
    if "full-cold" in med:
        ratios["full_cold_over_full"] = med["full-cold"] / med["full"]
    if "full-unforked" in med:
        ratios["full_unforked_over_full"] = med["full-unforked"] / med["full"]
    if "setup-pip" in med:
        ratios["setup_pip_over_uv"] = med["setup-pip"] / med["setup-uv"]
        targets["fresh set-up from uv.lock ≥ 2× faster than pip (warm caches)"] = ratios["setup_pip_over_uv"] >= 2
    if LEFT_OUT:
        raw["notes"]["left out (failing on this tree)"] = ", ".join(LEFT_OUT)
    if FAILING:
        raw["notes"]["failing on this tree, timed as they are on both sides"] = "; ".join(sorted(FAILING))
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average_at_end": load,
            "note": "shared with other jobs while measured: compare figures within this run only",
        },
        "months_in_batch": months,
        "median_seconds": med,
        "ratios": ratios,
        "targets": targets,
        **raw,
    }


COMPARED = {
    "full": "naive",
    "full-cold": "naive",
    "full-unforked": "naive",
    "batch-j2": "batch-j2-cold",
    "batch-j1": "batch-j2-cold",
    "setup-uv": "setup-pip",
    "setup-uv-cold": "setup-pip",
}


def table(summary: dict) -> str:
    """Each measure's median beside the median it is compared with, and the ratio."""
    med = summary["median_seconds"]
    lines = [f"{'measure':<14} {'median s':>9}   {'compared with':<14} {'median s':>9} {'ratio':>7}", "-" * 60]
    for key, seconds in med.items():
        other = COMPARED.get(key)
        if other in med:
            lines.append(f"{key:<14} {seconds:>9.2f}   {other:<14} {med[other]:>9.2f} {med[other] / seconds:>6.2f}×")
        else:
            lines.append(f"{key:<14} {seconds:>9.2f}")
    lines.append("")
    lines += [f"{'met' if ok else 'NOT met'}: {name}" for name, ok in summary["targets"].items()]
    lines += [f"{k}: {v}" for k, v in summary["notes"].items()]
    machine = summary["machine"]
    lines.append(
        f"machine: {machine['cpus']} cores, load average at the end {machine['load_average_at_end']}; {machine['note']}"
    )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument(
        "--only",
        choices=("runs", "setup", "floor", "scale"),
        help="only the runs, the fresh set-ups, the floor, or the scale (12/60/120 months; only when asked)",
    )
    parser.add_argument(
        "--scale-months",
        help="the sizes --only scale builds, e.g. 3,6 for a quick try (default 12,60,120; "
        "or METROANALYSIS_BENCH_SCALE)",
    )
    parser.add_argument("--with-j1", action="store_true", help="also the 12-month batch with -j 1")
    parser.add_argument("--out", default=str(REPO / "benchmarks" / "results" / "bench.json"))
    args = parser.parse_args()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    done: dict = {"samples": {}, "notes": {}}

    def save(part: dict) -> None:
        merged = {"samples": done["samples"] | part["samples"], "notes": done["notes"] | part["notes"]}
        out.write_text(json.dumps(summarise(merged, args.months), ensure_ascii=False, indent=2) + "\n", "utf-8")

    if args.only == "scale":
        return measure_scale(args, out)
    steps = {
        "runs": lambda: measure(args.repeat, args.months, args.with_j1, save),
        "setup": lambda: measure_setup(args.repeat),
        "floor": lambda: measure_floor(args.repeat, args.months),
    }
    for step, run in steps.items():
        if args.only in (None, step):
            part = run()
            done["samples"] |= part["samples"]
            done["notes"] |= part["notes"]
            save(done)
    summary = summarise(done, args.months)
    print(table(summary))
    print(f"\nwritten: {out}")
    return 0


def measure_scale(args, out: Path) -> int:
    """The scale part alone: its own table and JSON (benchmarks/results/bench-scale.json)."""
    import scale

    sizes = scale.sizes_from(args.scale_months)
    out = out.with_name("bench-scale.json") if out.name == "bench.json" else out

    def save(raw: dict) -> None:
        med = scale.median_table(raw["samples"])
        _shown, met = scale.targets(med, sizes)
        load = os.getloadavg() if hasattr(os, "getloadavg") else None
        summary = {
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load_average": load},
            "sizes": sizes,
            "median": med,
            "targets": met,
            **raw,
        }
        out.write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", "utf-8")

    bench = scale.Scale(REPO, MA, sizes, args.repeat, save)
    try:
        bench.measure(naive_month, touch_notebook)
    finally:
        bench.cleanup()
    med = scale.median_table(bench.samples)
    print("\n".join(scale.table(med, sizes)))
    print("\n".join(f"{k}: {v}" for k, v in bench.notes.items()))
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    print(f"machine: {os.cpu_count()} cores, load average at the end {load}")
    print(f"\nwritten: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

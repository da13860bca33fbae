"""`make bench ONLY=scale`: does a run cost what its months cost, whatever the history?

Builds fresh scratch projects of 12, 60 and 120 synthetic months (`metroanalysis synth`, written
once into a pool and copied; `--scale-months 3,6` or METROANALYSIS_BENCH_SCALE=3,6 for a quick
try), each with `run --all -j 2`, then on the largest one:

  rerun-first     run --all -j 2 right after the build: nothing to do, found the long way
  rerun           run --all -j 2 again, nothing changed           beside the same on one month alone
  add-month       month N+1 put in data/raw/, run --all -j 2      beside that month built alone
  edit            one notebook edited, run --all -j 2             per month, beside the same at the smallest size

and, on the one-month project, a full month against the naive Papermill + nbconvert loop. Every
command's peak memory is sampled (the summed proportional set size, PSS, of the command and every
process it starts: forked workers and kernels share pages, which RSS would count again each time).
Medians of --repeat where it fits (the builds of the largest sizes once: each takes minutes).
"""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path

import psutil

DEFAULT_SIZES = (12, 60, 120)
FIRST = (2021, 4)


def month_name(index: int) -> str:
    """The month `index` months after 2021-04."""
    year, month = divmod(FIRST[0] * 12 + FIRST[1] - 1 + index, 12)
    return f"{year}-{month + 1:02d}"


class PeakMemory:
    """The largest summed PSS of a process and its descendants, sampled every `every` seconds."""

    def __init__(self, pid: int, every: float = 0.2):
        self.pid, self.every, self.peak = pid, every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.is_set():
            try:
                top = psutil.Process(self.pid)
                procs = [top, *top.children(recursive=True)]
            except psutil.Error:
                return
            total = 0
            for proc in procs:
                try:
                    info = proc.memory_full_info()
                    total += getattr(info, "pss", info.rss)
                except psutil.Error:
                    continue
            self.peak = max(self.peak, total)
            self._stop.wait(self.every)


def measured(cmd: list[str], cwd: Path, env: dict | None = None) -> tuple[float, int, str]:
    """Seconds, peak memory (bytes) and output of a command; exit 0 or 1 (a failed report) only."""
    import subprocess

    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    with PeakMemory(proc.pid) as peak:
        out, _ = proc.communicate()
    took = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"benchmark command failed ({proc.returncode}): {' '.join(cmd)}\n{out[-2000:]}")
    return took, peak.peak, out


class Scale:
    """The scale measures, in scratch projects copied from one pool of synthetic months."""

    def __init__(self, repo: Path, ma: list[str], sizes: tuple[int, ...], repeat: int, save):
        self.repo, self.ma, self.sizes, self.repeat, self.save = repo, ma, sizes, repeat, save
        self.samples: dict[str, list[float]] = {}
        self.notes: dict[str, str] = {}
        self.peak = 0
        self.pool = Path(tempfile.mkdtemp(prefix="metroanalysis-scale-pool-"))
        self.scratch: list[Path] = [self.pool]

    def record(self, key: str, seconds: float, peak: int = 0) -> None:
        self.samples.setdefault(key, []).append(seconds)
        self.peak = max(self.peak, peak)
        self.samples["peak-memory-mib"] = [self.peak / 2**20]
        self.save({"samples": self.samples, "notes": self.notes})

    def run(self, root: Path, *args: str) -> tuple[float, int, str]:
        return measured([*self.ma, "run", "--root", str(root), *args], root)

    def make_pool(self, count: int) -> None:
        """data/raw/ of `count` months: the shipped one, then synthetic ones in all three formats."""
        for name in ("data/raw/2021-04", "data/reference", "notebooks"):
            shutil.copytree(self.repo / name, self.pool / name)
        for seed in range(1, count):
            kind = ("txt", "html", "docx")[seed % 3]
            synth = ["synth", "--from", "2021-04", "--month", month_name(seed), "--seed", str(seed)]
            measured([*self.ma, *synth, "--root", str(self.pool), "--into-raw", "--format", kind], self.pool)

    def project(self, months: int) -> Path:
        """A fresh project holding the pool's first `months` months."""
        root = Path(tempfile.mkdtemp(prefix=f"metroanalysis-scale-{months}-"))
        self.scratch.append(root)
        for name in ("data/reference", "notebooks"):
            shutil.copytree(self.pool / name, root / name)
        for index in range(months):
            self.add(root, index)
        return root

    def add(self, root: Path, index: int) -> str:
        month = month_name(index)
        shutil.copytree(self.pool / "data" / "raw" / month, root / "data" / "raw" / month)
        return month

    def drop(self, root: Path, month: str) -> None:
        for folder in ("data/raw", "data/processed", "reports"):
            shutil.rmtree(root / folder / month, ignore_errors=True)

    def fresh_build(self, months: int, times: int) -> Path:
        """`run --all -j 2` in a fresh project, `times` times (a new project each time)."""
        for attempt in range(times):
            root = self.project(months)
            took, peak, _ = self.run(root, "--all", "-j", "2")
            self.record(f"build-{months}", took, peak)
            self.samples.setdefault(f"per-month-{months}", []).append(took / months)
            if attempt < times - 1:
                shutil.rmtree(root, ignore_errors=True)
        return root

    def measure(self, naive_month, touch_notebook) -> None:
        largest = max(self.sizes)
        self.make_pool(largest + 1)
        alone = self.fresh_build(1, self.repeat)
        for size in sorted(self.sizes):
            root = self.fresh_build(size, self.repeat if size <= 12 else 1)
        to_edit = sorted(p.stem for p in (root / "notebooks").glob("[0-9][0-9]-*.ipynb"))[0]
        # the first rerun after a build checks every record the long way (and records that it
        # found nothing to do); the ones after it read that one record
        for where, key in ((alone, "rerun-first-1"), (root, f"rerun-first-{largest}")):
            took, peak, _ = self.run(where, "--all", "-j", "2")
            self.record(key, took, peak)
        for _ in range(self.repeat):
            took, peak, _ = self.run(alone, "--all", "-j", "2")
            self.record("rerun-1", took, peak)
            took, peak, out = self.run(root, "--all", "-j", "2")
            self.record(f"rerun-{largest}", took, peak)
            self.notes["rerun"] = f"{largest} months: " + " / ".join(out.strip().splitlines()[-2:])
        self.add_month(root, largest)
        self.edit(root, largest + 1, to_edit, touch_notebook)
        for _ in range(self.repeat):
            self.samples.setdefault("naive-month", []).append(naive_month(alone, "2021-04"))
            took, peak, _ = self.run(alone, "--month", "2021-04", "--force", "-j", "2")
            self.record("full-month", took, peak)

    def add_month(self, root: Path, largest: int) -> None:
        """Month N+1 added to N months, beside a project of that month alone (fresh each time)."""
        for attempt in range(self.repeat):
            month = self.add(root, largest)
            took, peak, out = self.run(root, "--all", "-j", "2")
            self.record(f"add-month-{largest + 1}", took, peak)
            self.notes["add-month"] = f"added {month}: " + " / ".join(out.strip().splitlines()[-2:])
            lone = Path(tempfile.mkdtemp(prefix="metroanalysis-scale-lone-"))
            for name in ("data/reference", "notebooks"):
                shutil.copytree(self.pool / name, lone / name)
            self.add(lone, largest)
            took, peak, _ = self.run(lone, "--all", "-j", "2")
            self.record("month-alone", took, peak)
            shutil.rmtree(lone, ignore_errors=True)
            if attempt < self.repeat - 1:
                self.drop(root, month)
                self.run(root, "--all", "-j", "2")  # settle: the pages across months without it

    def edit(self, root: Path, months: int, name: str, touch_notebook) -> None:
        """One notebook edited over every month, and the same in the smallest project."""
        small = self.project(min(self.sizes))
        self.run(small, "--all", "-j", "2")
        for _ in range(self.repeat):
            for where, count in ((small, min(self.sizes)), (root, months)):
                touch_notebook(where, name)
                took, peak, _ = self.run(where, "--all", "-j", "2")
                self.record(f"edit-{count}", took, peak)
                self.samples.setdefault(f"edit-per-month-{count}", []).append(took / count)
        self.notes["edit"] = f"edited {name}.ipynb"

    def cleanup(self) -> None:
        for root in self.scratch:
            shutil.rmtree(root, ignore_errors=True)


def sizes_from(text: str | None) -> tuple[int, ...]:
    text = text or os.environ.get("METROANALYSIS_BENCH_SCALE", "")
    return tuple(int(x) for x in text.split(",") if x.strip()) or DEFAULT_SIZES


def targets(med: dict[str, float], sizes: tuple[int, ...]) -> tuple[dict, dict]:
    """The issue's "Done when" figures, each (measure, compared with, ratio) and met or not."""
    small, large = min(sizes), max(sizes)
    shown: dict[str, tuple] = {}
    met: dict[str, bool] = {}

    def compare(name: str, key: str, other: str | None, goal, ok) -> None:
        if key not in med or (other and other not in med):
            return
        ratio = med[key] / med[other] if other else None
        shown[name] = (key, other, ratio)
        met[name] = ok(med[key], ratio, goal)

    compare(
        f"per month at {large} months within 15 % of per month at {small}",
        f"per-month-{large}",
        f"per-month-{small}",
        1.15,
        lambda v, r, g: r <= g,
    )
    compare(f"nothing-changed rerun at {large} months < 0.5 s", f"rerun-{large}", "rerun-1", 0.5, lambda v, r, g: v < g)
    compare(
        f"adding month {large + 1} ≤ 1.5× that month built alone",
        f"add-month-{large + 1}",
        "month-alone",
        1.5,
        lambda v, r, g: r <= g,
    )
    compare(
        f"one-notebook edit over {large + 1} months proportional (per month ≤ 1.2× at {small} months)",
        f"edit-per-month-{large + 1}",
        f"edit-per-month-{small}",
        1.2,
        lambda v, r, g: r <= g,
    )
    compare(
        "a full month ≥ 8× faster than the naive loop (ratio: naive / full)",
        "full-month",
        "naive-month",
        8,
        lambda v, r, g: 1 / r >= g,
    )
    if "peak-memory-mib" in med:
        met["peak memory of the run < 1 GiB"] = med["peak-memory-mib"] < 1024
    return shown, met


def table(med: dict[str, float], sizes: tuple[int, ...]) -> list[str]:
    """Each figure beside what it is compared with, then the targets met or not."""
    shown, met = targets(med, sizes)
    lines = [f"{'measure':<22} {'median':>9}   {'compared with':<22} {'median':>9} {'ratio':>7}", "-" * 76]
    for key, value in med.items():
        unit = " MiB" if key.endswith("mib") else " s"
        lines.append(f"{key:<22} {value:>8.2f}{unit}")
    lines.append("")
    for key, other, _ratio in shown.values():
        if other:  # a time beside a slower one shows how many times faster; else the fraction
            ratio = med[other] / med[key] if key == "full-month" else med[key] / med[other]
            lines.append(f"{key:<22} {med[key]:>9.3f}   {other:<22} {med[other]:>9.3f} {ratio:>6.2f}×")
    lines.append("")
    lines += [f"{'met' if ok else 'NOT met'}: {name}" for name, ok in met.items()]
    return lines


def median_table(samples: dict[str, list[float]]) -> dict[str, float]:
    return {k: statistics.median(v) for k, v in samples.items() if v}

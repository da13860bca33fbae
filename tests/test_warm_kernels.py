"""Warm kernels keep notebook semantics: each notebook starts as in a fresh kernel, sees only its
injected parameters, leaves nothing (names, matplotlib rcParams, fonts, pandas options, warnings
already shown) for the next, and a failing notebook keeps its executed .ipynb with the error."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from metroanalysis.run import execute, kernels, pool
from metroanalysis.run.pool import run_tasks
from metroanalysis.run.tasks import Task

pytestmark = pytest.mark.slow

PARAMETERS = 'month = None\nlang = "zh"'

# Changes everything a notebook can change in its kernel that a later notebook could see.
MESS_UP = """
import os, sys, warnings
import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from metroanalysis import plotting

plotting.setup()                      # registers the CJK font, seaborn theme
sns.set_theme(style="darkgrid")
plt.rcParams["font.size"] = 31
plt.rcParams["axes.facecolor"] = "#123456"
plt.figure()                          # left open
pd.set_option("display.max_rows", 7)
os.environ["LEFT_BEHIND"] = "yes"
sys.path.append("/nowhere")
warnings.simplefilter("ignore")
import helper_here                    # a module from the notebook's folder
leak = "from the first notebook"
"""

# What the second notebook sees; compared with what a fresh kernel sees.
OBSERVE = """
import json, os, sys, warnings
import matplotlib, matplotlib.pyplot as plt
import pandas as pd
from matplotlib import font_manager

with warnings.catch_warnings(record=True) as caught:
    warnings.warn("shown every time", UserWarning)
import helper_here
print("OBSERVED " + json.dumps({
    "names": sorted(k for k in globals() if not k.startswith("_") and k not in ("In", "Out", "exit", "quit")),
    "month": month,
    "rc": {k: str(matplotlib.rcParams[k]) for k in ("font.size", "axes.facecolor", "font.family", "axes.prop_cycle")},
    "figures": plt.get_fignums(),
    "fonts": sorted({f.name for f in font_manager.fontManager.ttflist}),
    "max_rows": pd.get_option("display.max_rows"),
    "env": os.environ.get("LEFT_BEHIND"),
    "nowhere": "/nowhere" in sys.path,
    "warned": len(caught),
    "helper": helper_here.VALUE,
    "cwd": os.getcwd(),
}, sort_keys=True))
"""


def notebook(path: Path, *cells: str) -> Path:
    nb = new_notebook(cells=[new_markdown_cell(f"# {path.stem}")])
    params = new_code_cell(PARAMETERS)
    params.metadata["tags"] = ["parameters"]
    nb.cells += [params, *(new_code_cell(c) for c in cells)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def task(nb: Path, out: Path, month: str) -> Task:
    out.mkdir(parents=True, exist_ok=True)
    return Task(month, str(nb), str(out), {"month": month, "lang": "zh"}, key=f"k-{nb.stem}-{month}", progress=False)


def observed(out: Path, name: str) -> dict:
    nb = nbformat.read(out / f"{name}.ipynb", as_version=4)
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            for line in o.get("text", "").splitlines():
                if line.startswith("OBSERVED "):
                    return json.loads(line.removeprefix("OBSERVED "))
    raise AssertionError(f"{name} printed no observation")


@pytest.fixture
def folder(tmp_path) -> Path:
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    (nbs / "helper_here.py").write_text("VALUE = 1\n", encoding="utf-8")
    notebook(nbs / "01-mess.ipynb", MESS_UP)
    notebook(nbs / "02-observe.ipynb", OBSERVE)
    return nbs


def test_a_notebook_run_after_another_in_a_warm_kernel_sees_what_a_fresh_kernel_sees(folder, tmp_path, monkeypatch):
    warm_out = tmp_path / "warm"
    kernels.stop_warm_kernel()
    first = execute.run_task(task(folder / "01-mess.ipynb", warm_out, "2021-04"))
    assert first.ok, first.error
    kernel_id = kernels.current_warm_kernel().km.kernel_id
    # the helper module next to the notebooks changes between the two: it must be read afresh
    (folder / "helper_here.py").write_text("VALUE = 2\n", encoding="utf-8")
    second = execute.run_task(task(folder / "02-observe.ipynb", warm_out, "2021-05"))
    assert second.ok, second.error
    assert kernels.current_warm_kernel().km.kernel_id == kernel_id, "both ran in one kernel"
    kernels.stop_warm_kernel()

    monkeypatch.setenv("METROANALYSIS_WARM", "0")
    fresh_out = tmp_path / "fresh"
    (outcome,) = run_tasks([task(folder / "02-observe.ipynb", fresh_out, "2021-05")], jobs=1)
    assert outcome.ok, outcome.error

    after_mess, fresh = observed(warm_out, "02-observe"), observed(fresh_out, "02-observe")
    assert after_mess == fresh
    # and the fresh kernel's view is what a notebook is promised
    assert "leak" not in fresh["names"] and "month" in fresh["names"]
    assert fresh["month"] == "2021-05"
    assert fresh["rc"]["font.size"] != "31.0" and fresh["rc"]["axes.facecolor"] != "#123456"
    assert fresh["figures"] == [] and fresh["max_rows"] == 60 and fresh["env"] is None and not fresh["nowhere"]
    assert fresh["warned"] == 1 and fresh["helper"] == 2 and fresh["cwd"] == str(folder)
    assert "Noto Sans CJK SC" not in fresh["fonts"]


def test_cells_are_numbered_from_one_in_every_notebook_a_warm_kernel_runs(folder, tmp_path):
    out = tmp_path / "out"
    tasks = [task(folder / "01-mess.ipynb", out, "2021-04"), task(folder / "02-observe.ipynb", out, "2021-04")]
    assert all(o.ok for o in run_tasks(tasks, jobs=1))
    for name in ("01-mess", "02-observe"):
        nb = nbformat.read(out / f"{name}.ipynb", as_version=4)
        assert [c.execution_count for c in nb.cells if c.cell_type == "code"] == [1, 2, 3]


def test_a_failing_notebook_keeps_its_error_and_the_warm_kernel_runs_the_next(tmp_path):
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    pid = "import json, os\nprint('OBSERVED ' + json.dumps({'pid': os.getpid()}))"
    notebook(nbs / "01-fails.ipynb", pid, "half_done = 1", "raise ValueError('boom in the analysis')")
    notebook(nbs / "02-fine.ipynb", "assert 'half_done' not in globals()", pid)
    out = tmp_path / "out"
    outcomes = {o.name: o for o in run_tasks([task(nbs / n, out, "2021-04") for n in sorted(nbs.iterdir())], jobs=1)}
    assert not outcomes["01-fails"].ok
    assert outcomes["01-fails"].error == "ValueError: boom in the analysis"
    executed = nbformat.read(out / "01-fails.ipynb", as_version=4)
    errors = [o for c in executed.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors and errors[0]["evalue"] == "boom in the analysis"
    assert outcomes["02-fine"].ok, outcomes["02-fine"].error
    assert observed(out, "02-fine")["pid"] == observed(out, "01-fails")["pid"], "the kernel was kept"


def test_a_pool_of_warm_kernels_runs_notebooks_apart(folder, tmp_path):
    out = tmp_path / "out"
    months = ["2021-04", "2021-05", "2021-06"]
    tasks = [task(folder / n, out / m, m) for m in months for n in ("01-mess.ipynb", "02-observe.ipynb")]
    outcomes = list(run_tasks(tasks, jobs=2))
    assert all(o.ok for o in outcomes), [o.error for o in outcomes]
    for m in months:
        seen = observed(out / m, "02-observe")
        assert seen["month"] == m and "leak" not in seen["names"] and seen["rc"]["font.size"] != "31.0"


def test_a_warm_kernel_that_died_between_notebooks_is_replaced(tmp_path):
    import os
    import signal

    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    notebook(nbs / "01-one.ipynb", "x = 1")
    out = tmp_path / "out"
    kernels.stop_warm_kernel()
    assert execute.run_task(task(nbs / "01-one.ipynb", out, "2021-04")).ok
    process = kernels.current_warm_kernel().km.provisioner.process
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    again = execute.run_task(task(nbs / "01-one.ipynb", out, "2021-05"))
    kernels.stop_warm_kernel()
    assert again.ok and again.attempts == 1, again.error


def test_a_kernel_that_dies_mid_notebook_leaves_the_notebook_as_far_as_it_ran(tmp_path):
    """Papermill writes a warm notebook once, at the end, not at every cell; when the run breaks
    (here the kernel is killed by the notebook's third cell) the engine writes it where it stopped."""
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    dies = "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"
    notebook(nbs / "01-dies.ipynb", "print('OBSERVED {\"step\": 1}')", dies)
    out = tmp_path / "out"
    outcome = execute.run_task(task(nbs / "01-dies.ipynb", out, "2021-04"))
    kernels.stop_warm_kernel()
    assert not outcome.ok
    assert observed(out, "01-dies") == {"step": 1}  # the executed notebook is kept, with what ran
    assert not list(out.glob(".*.running.ipynb"))


def test_the_longest_reports_are_sent_first(tmp_path):
    """With two workers, a long report started last runs alone at the end: tasks go out longest
    first, by each notebook's last recorded time (for that month, or any month), unknown first."""
    import json as json_

    def recorded(month: str, name: str, seconds: float) -> None:
        folder = tmp_path / month / ".build"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.json").write_text(json_.dumps({"status": "ok", "seconds": seconds}), encoding="utf-8")

    recorded("2021-04", "01-short", 1.0)
    recorded("2021-04", "02-long", 5.0)
    recorded("2021-04", "03-middle", 3.0)
    recorded("2021-05", "02-long", 6.0)
    names = ["01-short", "02-long", "03-middle", "04-new"]
    months = ("2021-04", "2021-05")
    tasks = [Task(m, str(tmp_path / f"{n}.ipynb"), str(tmp_path / m), {}, key="k") for m in months for n in names]
    order = [(t.month, Path(t.notebook).stem) for t in pool.longest_first(tasks)]
    assert order == [
        ("2021-04", "04-new"),
        ("2021-05", "04-new"),
        ("2021-05", "02-long"),
        ("2021-04", "02-long"),
        ("2021-04", "03-middle"),
        ("2021-05", "03-middle"),
        ("2021-04", "01-short"),
        ("2021-05", "01-short"),
    ]


def test_a_month_added_to_a_history_is_sent_in_the_order_of_the_month_before_it(tmp_path):
    """A new month has no records of its own: its reports go out longest first by their times in
    the latest earlier month that has them (its own language's folders), not by name, where the
    long trends report of a long history would come last and run alone."""
    import json as json_

    def recorded(folder: Path, times: dict[str, float]) -> None:
        (folder / ".build").mkdir(parents=True, exist_ok=True)
        for name, seconds in times.items():
            (folder / ".build" / f"{name}.json").write_text(json_.dumps({"status": "ok", "seconds": seconds}), "utf-8")

    names = ["01-channels", "02-kiosks", "03-coverage", "04-quality", "05-trends"]
    recorded(tmp_path / "2030-12", dict(zip(names, [9.0, 1.0, 1.0, 1.0, 1.0], strict=True)))  # older: not used
    recorded(tmp_path / "2031-02", dict(zip(names, [1.4, 2.0, 1.3, 0.6, 1.7], strict=True)))
    recorded(tmp_path / "2031-02" / "en", {"03-coverage": 1.5})  # the longer of the two languages
    (tmp_path / "2031-03").mkdir()  # a month before without records: passed over
    recorded(tmp_path / "2031-05", dict(zip(names, [1.0, 1.0, 1.0, 1.0, 9.0], strict=True)))  # later: not used
    tasks = [
        Task("2031-04", str(tmp_path / f"{n}.ipynb"), str(tmp_path / "2031-04" / lang), {}, key="k", lang=lang or "zh")
        for n in names
        for lang in ("", "en")
    ]
    order = [(Path(t.notebook).stem, t.lang) for t in pool.longest_first(tasks)]
    longest = ("02-kiosks", "05-trends", "03-coverage", "01-channels", "04-quality")
    assert order == [(n, lang) for n in longest for lang in ("en", "zh")]
    # nothing recorded before: by name, as before
    alone = [Task("2030-01", str(tmp_path / f"{n}.ipynb"), str(tmp_path / "2030-01"), {}, key="k") for n in names]
    assert [Path(t.notebook).stem for t in pool.longest_first(alone)] == names


# What a kernel is given at start, beyond what OBSERVE looks at.
START = """
import json, os, sys
import matplotlib
print("OBSERVED " + json.dumps({
    "backend": matplotlib.get_backend(),
    "cwd": os.getcwd(),
    "path0": sys.path[0],
    "parent_watched": os.environ.get("JPY_PARENT_PID") == str(os.getppid()),
    "main": sys.modules["__main__"].__name__,
    "forked": "papermill" in sys.modules,  # imported by the worker, never by a kernel itself
}, sort_keys=True))
"""


def test_a_kernel_forked_from_a_pool_worker_starts_as_a_fresh_kernel(folder, tmp_path, monkeypatch):
    notebook(folder / "03-start.ipynb", START)
    forked_out = tmp_path / "forked"
    tasks = [task(folder / n, forked_out, "2021-04") for n in ("02-observe.ipynb", "03-start.ipynb")]
    assert all(o.ok for o in run_tasks(tasks, jobs=2))

    monkeypatch.setenv("METROANALYSIS_WARM", "0")
    fresh_out = tmp_path / "fresh"
    tasks = [task(folder / n, fresh_out, "2021-04") for n in ("02-observe.ipynb", "03-start.ipynb")]
    assert all(o.ok for o in run_tasks(tasks, jobs=1))

    forked, fresh = observed(forked_out, "03-start"), observed(fresh_out, "03-start")
    assert forked.pop("forked") and not fresh.pop("forked"), "the pool's kernel was forked, the other not"
    assert forked == fresh
    assert fresh["backend"] == "module://matplotlib_inline.backend_inline" and fresh["parent_watched"]
    assert observed(forked_out, "02-observe") == observed(fresh_out, "02-observe")


def test_a_forked_kernel_dies_with_the_worker_that_forked_it():
    import subprocess
    import sys
    import time

    fork_and_wait = (
        "from metroanalysis.run import kernelfork; import time\n"
        "print(kernelfork.KernelFork().pid, flush=True); time.sleep(120)"
    )
    worker = subprocess.Popen([sys.executable, "-c", fork_and_wait], stdout=subprocess.PIPE, text=True)
    kernel = int(worker.stdout.readline())
    assert is_running(kernel)
    worker.kill()
    worker.wait()
    deadline = time.monotonic() + 10
    while is_running(kernel) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not is_running(kernel)


def is_running(pid: int) -> bool:
    """Alive and not a zombie (a container's init may never reap an orphan)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state not in ("Z", "X")


def test_a_fork_server_whose_preload_fails_still_serves():
    """A library module that does not import (mid-edit) must not take the fork server down."""
    import subprocess
    import sys

    code = (
        "import metroanalysis.run.kernelstate as k\n"
        "def broken(): raise NameError('an analysis module mid-edit')\n"
        "k.preload = broken\n"
        "import metroanalysis.run.worker_preload\n"
        "print('serving')"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == "serving", done.stderr


def test_a_kernel_refuses_library_code_changed_since_its_fork_server_loaded_it(monkeypatch):
    from metroanalysis.run import kernelstate

    kernelstate.check_library_is_current()  # nothing recorded: nothing to refuse
    monkeypatch.setitem(kernelstate._LOADED, "metroanalysis.build.keys", (0, 0))  # as loaded long ago
    with pytest.raises(RuntimeError, match=r"build/keys\.py changed"):
        kernelstate.check_library_is_current()

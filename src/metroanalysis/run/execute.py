"""Execution: run one notebook for one month with Papermill, and export its page.

Each task executes `notebooks/NN-name.ipynb` in the process that runs it (no `papermill` process
per notebook), parameters injected, the notebooks folder as working directory, into
`reports/MONTH[/LANG]/NN-name.ipynb`, in a warm kernel (`kernels`), then hands the executed
notebook to `export` for its HTML and records the outcome with `build`. A failing notebook keeps
its executed notebook (with the error) and never replaces a good HTML report; a kernel that
fails to start is retried once. Many tasks: `pool`.

Where to change what: what counts as a kernel that failed to start (retried once):
`is_startup_race`; what a reviewer would see as broken charts: `notebook_warnings`.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

from metroanalysis.build import keys as build
from metroanalysis.publish import export
from metroanalysis.run import interrupts, kernels
from metroanalysis.run.tasks import CELL_TIMEOUT, KERNEL, START_TIMEOUT, Outcome, Task, interrupted, last_line


def run_task(task: Task) -> Outcome:
    """Execute one notebook for one month, export its HTML, record the outcome; never raises."""
    nb_path, out_dir = Path(task.notebook), Path(task.out_dir)
    name = nb_path.stem
    started = time.perf_counter()
    outcome = Outcome(task.month, name, False, lang=task.lang)
    for attempt in (1, 2):
        outcome.attempts = attempt
        try:
            if interrupts.stopping():
                raise interrupts.InterruptedRunError
            execute_and_export(task, outcome)
            outcome.ok = True
            break
        except Exception as err:
            if interrupts.stopping():  # stopped, not failed: the report stays as it was, nothing recorded
                return interrupted(task)
            outcome.error = last_line(err)
            if attempt == 1 and is_startup_race(err):
                continue
            break
    outcome.seconds = time.perf_counter() - started
    if outcome.ok:
        build.record_built(
            out_dir, name, task.key, outcome.title, outcome.finding, outcome.seconds, outcome.timings, task.inputs
        )
    else:
        build.record_failed(out_dir, name, outcome.error)
        outcome.title = outcome.title or export.source_title(nb_path, task.lang)
    return outcome


def execute_and_export(task: Task, outcome: Outcome) -> None:
    papermill, _ = lean_imports()
    nb_path, out_dir = Path(task.notebook), Path(task.out_dir)
    final_ipynb = out_dir / f"{nb_path.stem}.ipynb"
    running = out_dir / f".{nb_path.stem}.{os.getpid()}.running.ipynb"
    t0 = time.perf_counter()
    kernel = kernels.prepared_warm_kernel(nb_path.parent) if kernels.warm_enabled() else None
    if kernel is not None:
        # Papermill writes the whole notebook (JSON, nbformat validation, every chart) at each
        # cell's start and end so a long run can be watched: about 1 s per report of ours, more
        # than some reports' own code. Here it is written once at the end, and the warm engine
        # writes it where it stopped if the run breaks (a time-out, a dead kernel); a cell's
        # error is written by Papermill itself before it raises.
        how = {
            "engine_name": kernels.WARM_ENGINE,
            "warm_kernel": kernel,
            "request_save_on_cell_execute": False,
            "keep_on_error": str(running),  # written as it is: not a Papermill path template
        }
    else:
        how = {"kernel_manager_class": kernels.local_kernel_manager()}
    if interrupts.stopping():  # interrupted while the kernel started
        raise interrupts.InterruptedRunError
    t1 = time.perf_counter()
    try:
        nb = papermill.execute_notebook(
            literal_path(nb_path),
            literal_path(running),
            parameters=task.parameters,
            kernel_name=KERNEL,
            progress_bar=task.progress,
            cwd=str(nb_path.parent),
            start_timeout=START_TIMEOUT,
            execution_timeout=CELL_TIMEOUT,
            **how,
        )
    except Exception as err:
        if kernel is not None and not is_notebook_error(err):
            kernels.stop_warm_kernel()  # died, timed out or interrupted: the next notebook gets a new one
        raise
    finally:
        # the executed notebook is kept, with its error if it failed; one stopped by Ctrl-C is not
        if running.exists():
            if interrupts.stopping():
                running.unlink()
            else:
                os.replace(running, final_ipynb)
    t2 = time.perf_counter()
    outcome.warnings = notebook_warnings(nb)
    outcome.title, outcome.finding = export.write_report(nb, out_dir / f"{nb_path.stem}.html", task)
    outcome.timings = {"kernel": t1 - t0, "execute": t2 - t1, "export": time.perf_counter() - t2}


def literal_path(path: Path) -> str:
    """Papermill treats a path as a format string ("{month}.ipynb"): braces in a real folder
    name are doubled so the path arrives as it is."""
    return str(path).replace("{", "{{").replace("}", "}}")


def is_notebook_error(err: Exception) -> bool:
    """An error raised by the notebook's own code (the kernel itself is fine)."""
    from papermill.exceptions import PapermillExecutionError

    return isinstance(err, PapermillExecutionError)


def is_startup_race(err: Exception) -> bool:
    """A kernel that did not start (port clash, start time-out), as opposed to a notebook error."""
    if is_notebook_error(err):
        return False
    text = f"{type(err).__name__} {err}".lower()
    return any(
        s in text
        for s in ("kernel didn't respond", "address already in use", "timeout", "timed out", "kernel died", "zmq")
    )


GLYPH = re.compile(r"Glyph \d+ .*? missing from (current )?font|findfont: Font family .*? not found")


def notebook_warnings(nb) -> list[str]:
    """Warnings a reviewer would see as broken charts (Chinese drawn as empty boxes), from the
    stderr the HTML leaves out."""
    found: list[str] = []
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                for m in GLYPH.finditer(out.get("text", "")):
                    if m.group(0) not in found:
                        found.append(m.group(0))
    return found


_ENGINE_REGISTERED: list[bool] = []


def lean_imports():
    """Papermill and nbconvert imported the lean way (`export.lean_imports`), with the warm
    kernels' Papermill engine registered, once per process."""
    papermill, nbconvert = export.lean_imports()
    if not _ENGINE_REGISTERED:
        from papermill.engines import papermill_engines

        papermill_engines.register(kernels.WARM_ENGINE, kernels.warm_engine())
        _ENGINE_REGISTERED.append(True)
    return papermill, nbconvert

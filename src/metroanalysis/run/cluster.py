"""Report tasks on a Dask cluster: `metroanalysis run --executor dask [--scheduler ADDRESS]`.

The same `tasks.Task`s the local pool runs are sent to `distributed.Client` workers, which run
`execute.run_task` (a warm kernel per worker thread, the executed notebook, the HTML page and the
report's build record, all written by the worker); the runner keeps everything else (month locks,
planning, progress lines, run.json, index pages), exactly as with the local pool. With no
scheduler address a `LocalCluster` of `jobs` single-threaded worker processes is started on this
machine for the run.

Workers read the notebooks and the month's tables and write the reports through the same absolute
paths as the machine that runs `metroanalysis`: the project folder must be on storage every
worker sees at the same path (an NFS or similar mount), and the workers need this package and its
dependencies installed (`pip install -e '.[cluster]'`).

Dask is optional: it is imported only when this executor is chosen, and `check_available` gives
one line saying how to install it otherwise.
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

from metroanalysis.errors import UsageError
from metroanalysis.run.execute import run_task
from metroanalysis.run.kernels import kernel_folder
from metroanalysis.run.tasks import Outcome, Task, last_line

INSTALL = "--executor dask needs Dask, an optional extra: pip install -e '.[cluster]' (or uv sync --extra cluster)"


def check_available() -> None:
    """Raise UsageError (one line) if dask.distributed cannot be imported."""
    try:
        import dask.distributed  # noqa: F401
    except ImportError as err:
        raise UsageError(f"{INSTALL} ({last_line(err)})") from None


def stop_warm_kernels_plugin():
    """A worker plugin (a class made on use: Dask is imported only when chosen): a worker shuts
    its warm kernels down when it closes (a kernel whose worker dies without closing stops by
    itself: ipykernel watches its parent process)."""
    from distributed.diagnostics.plugin import WorkerPlugin

    class StopWarmKernels(WorkerPlugin):
        name = "metroanalysis-warm-kernels"

        def teardown(self, worker) -> None:
            from metroanalysis.run.kernels import stop_warm_kernels

            with contextlib.suppress(Exception):
                stop_warm_kernels()

    return StopWarmKernels()


def connect(jobs: int, scheduler: str | None):
    """(client, cluster we started or None)."""
    from dask.distributed import Client, LocalCluster

    if scheduler:
        return Client(scheduler), None
    cluster = LocalCluster(
        n_workers=jobs,
        threads_per_worker=1,  # a worker runs one notebook at a time, like a pool process
        processes=True,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    return Client(cluster), cluster


def run_on_dask(tasks: list[Task], jobs: int, scheduler: str | None):
    """Yield an Outcome per task as each finishes on the cluster."""
    check_available()
    from dask.distributed import as_completed

    kernel_folder()  # a LocalCluster's workers put their kernels' sockets in this run's folder
    client, cluster = connect(jobs, scheduler)
    try:
        plugin = stop_warm_kernels_plugin()
        register = getattr(client, "register_plugin", None) or client.register_worker_plugin
        register(plugin, name=plugin.name)
        # pure=False: a task is an action (it writes files), never a cached value
        futures = client.map(run_task, tasks, pure=False, key=[task_key(t) for t in tasks])
        which = dict(zip(futures, tasks, strict=True))
        for future in as_completed(futures):
            try:
                yield future.result()
            except Exception as err:  # the worker itself died, or lost its connection
                task = which[future]
                yield Outcome(task.month, Path(task.notebook).stem, False, error=last_line(err), lang=task.lang)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def task_key(task: Task) -> str:
    """A readable, unique key on the dashboard: report-MONTH-LANG-NAME-<key prefix>."""
    return f"report-{task.month}-{task.lang}-{Path(task.notebook).stem}-{task.key[:12]}"

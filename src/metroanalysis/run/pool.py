"""Running many report tasks: one after another here, in a pool of worker processes forked from a
fork server that has imported Papermill and nbconvert once, or on a Dask cluster (`cluster`).

Ctrl-C: a worker is asked of the fork server only once its imports are done, with Ctrl-C held
until it is started and known to the pool (`run_in_pool`); a process running notebooks stops
its notebook's kernel and takes no new one (`interrupts.on_interrupt`), and the interrupted pool
is waited for (`stop_pool`): the command prints its one line, and no process is left to print or
write.
"""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
import threading
import time
from pathlib import Path

from metroanalysis import paths
from metroanalysis.build import keys as build
from metroanalysis.run import execute, interrupts, kernels
from metroanalysis.run.tasks import Outcome, Task, last_line


def run_tasks(tasks: list[Task], jobs: int, executor: str = "local", scheduler: str | None = None):
    """Yield an Outcome per task as each finishes: in this process (one job or one task), in a
    local pool of `jobs` processes, or on a Dask cluster (`executor="dask"`, see `cluster`)."""
    if executor == "dask" and tasks:
        from metroanalysis.run.cluster import run_on_dask

        for task in tasks:
            task.progress = False
        yield from run_on_dask(tasks, jobs, scheduler)
        return
    if jobs == 1 or len(tasks) <= 1:
        yield from run_here(tasks)
        return
    for task in tasks:
        task.progress = False  # several progress bars on one terminal are unreadable
    yield from run_in_pool(tasks, min(jobs, len(tasks)))


def run_here(tasks: list[Task]):
    """The tasks one after another in this process. Ctrl-C meanwhile stops the notebook that is
    running (its kernel is killed) instead of raising wherever it lands (in an event loop, a
    kernel start): the task comes back interrupted, and KeyboardInterrupt is raised here."""
    if interrupts.stopping():  # an earlier run of this process was interrupted: this one starts afresh
        interrupts.start_afresh()
    handler = threading.current_thread() is threading.main_thread()
    before = signal.signal(signal.SIGINT, interrupts.on_interrupt) if handler else None
    try:
        for task in tasks:
            outcome = execute.run_task(task)
            if outcome.interrupted:
                break
            yield outcome
    finally:
        kernels.stop_warm_kernel()
        if handler:
            signal.signal(signal.SIGINT, before)
    if interrupts.stopping():
        raise KeyboardInterrupt


def run_in_pool(tasks: list[Task], workers: int):
    """The tasks in a pool of `workers` processes forked from the fork server. Every worker is
    asked for only once the server answers (its imports done), with Ctrl-C held until each is
    started and known to the pool: a request abandoned half-way would be served after this
    process had removed the semaphores the worker needs, and the worker would print a traceback.
    On Ctrl-C (or a worker that was interrupted) the pool is stopped in order (`stop_pool`)."""
    from concurrent.futures import ProcessPoolExecutor, as_completed

    context = worker_context()
    wait_for_fork_server()
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=start_worker)
    finished = False
    try:
        with interrupts.interrupts_held():
            futures = {pool.submit(execute.run_task, task): task for task in longest_first(tasks)}
        for future in as_completed(futures):
            interrupts.stop_if_interrupted()  # between two reports: a Ctrl-C lost on its way
            task = futures[future]
            try:
                outcome = future.result()
            except Exception as err:  # the worker itself died
                outcome = Outcome(task.month, Path(task.notebook).stem, False, error=last_line(err), lang=task.lang)
            if outcome.interrupted:  # a worker was interrupted alone: the run stops as on Ctrl-C
                raise KeyboardInterrupt
            yield outcome
        finished = True
    finally:
        if finished:
            close_pool(pool)
        else:
            stop_pool(pool)


def close_pool(pool) -> None:
    """Shut a pool whose work is done, with Ctrl-C held until it is: a KeyboardInterrupt raised
    inside `shutdown` can leave a worker waiting for a "stop" it never gets, and the command,
    at exit, waiting for that worker (seen under load: `clean --all` interrupted as its last
    month finished printed its line and never ended). The Ctrl-C then arrives as usual."""
    with interrupts.interrupts_held():
        pool.shutdown(wait=True)


STOP_TIMEOUT = 30  # seconds an interrupted pool's workers have to stop before they are killed


def stop_pool(pool) -> None:
    """After Ctrl-C: no notebook starts any more, each worker kills the kernel of the notebook it
    runs (the Ctrl-C is passed on, for a run interrupted alone), and every worker is waited for,
    so none lives on to print or write after this process. A second Ctrl-C does not cut this
    short; a worker still running after STOP_TIMEOUT is killed."""
    import multiprocessing

    with interrupts.interrupts_held():
        pool.shutdown(wait=False, cancel_futures=True)
        workers = multiprocessing.active_children()
        deadline = time.monotonic() + STOP_TIMEOUT
        while time.monotonic() < deadline and any(w.is_alive() for w in workers):
            # again and again: a worker forked a moment ago ignores it until Python's fork
            # server has given it its handler (`on_interrupt`, which acts once)
            for worker in workers:
                if worker.is_alive():  # not reaped: its pid is still this worker's
                    with contextlib.suppress(OSError):
                        os.kill(worker.pid, signal.SIGINT)
            for worker in workers:
                worker.join(0.25)
        for worker in workers:
            if worker.is_alive():
                worker.kill()
        pool.shutdown(wait=True)


def worker_context():
    """How pool workers start: from a fork server that has imported Papermill and nbconvert once
    (each worker is a fork of it, not a new interpreter importing them again), or spawned where
    there is no fork server (started here if it is not running: `ensure_fork_server`). Never a
    fork of this process: a worker must not inherit a half-initialised zmq context or kernel,
    and the fork server has neither."""
    import multiprocessing

    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["metroanalysis.run.worker_preload"])
    ensure_fork_server()
    return context


def ensure_fork_server() -> None:
    """Start the fork server here rather than lazily at a pool's first worker, born with Ctrl-C
    blocked: a Ctrl-C reaches it too (it shares the terminal's process group), and before its
    own start-up and imports are done it would print a traceback under the command's one line.
    `worker_preload`, its first import, discards such a Ctrl-C and unblocks it."""
    import signal
    from multiprocessing import forkserver, resource_tracker

    kernels.kernel_folder()  # named in the environment the server, its workers and their kernels inherit
    # the tracker first: starting it unblocks Ctrl-C whatever the mask was before
    resource_tracker.ensure_running()
    interrupts = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    # Linux tells a process of its parent's death per thread: only a server started by the main
    # thread, which lives as long as the command, is told to end with it (`worker_preload`)
    main = threading.current_thread() is threading.main_thread()
    try:
        if main:
            os.environ[SERVER_PARENT] = str(os.getpid())
        forkserver.ensure_running()
    finally:
        os.environ.pop(SERVER_PARENT, None)
        signal.pthread_sigmask(signal.SIG_SETMASK, interrupts)  # a Ctrl-C meanwhile arrives here


# The command's pid, in the environment the fork server is started with: the server ends when the
# command does, however it ended (kill -9, the out-of-memory killer), and its workers and their
# kernels with it (`end_with_fork_server`, `kernelfork.die_with_parent`); else they wait for ever for
# work from a command that is gone (seen: the server, two workers and two kernels, 40 minutes after it).
SERVER_PARENT = "METROANALYSIS_FORK_SERVER_PARENT"


def end_with_fork_server() -> None:
    """In a worker forked from the fork server (Linux): killed when the server ends."""
    from metroanalysis.run import kernelfork

    if interrupts.FORK_SERVER_PID is not None:
        kernelfork.die_with_parent(interrupts.FORK_SERVER_PID)


READY_WAIT = 300  # seconds at most to wait for the fork server's imports (then ask it anyway)


def fork_server_ready_file(pid: int) -> Path:
    """Written by `worker_preload` in the fork server once its imports are done."""
    return Path(os.environ.get(kernels.KERNEL_FOLDER) or tempfile.gettempdir()) / f"fork-server-{pid}.ready"


def wait_for_fork_server() -> None:
    """Wait (Ctrl-C allowed) until the fork server has done its imports, so a request for a
    worker is answered at once (see `run_in_pool`)."""
    from multiprocessing import forkserver

    pid = getattr(forkserver._forkserver, "_forkserver_pid", None)
    if pid is None:
        return
    deadline = time.monotonic() + READY_WAIT
    while not fork_server_ready_file(pid).exists() and time.monotonic() < deadline and kernels.process_exists(pid):
        time.sleep(0.02)


def stop_unready_fork_server() -> None:
    """After Ctrl-C: a fork server still importing is of no use any more; stopped now rather than
    left to finish its imports (holding the terminal's output) and exit on its own."""
    from multiprocessing import forkserver

    pid = getattr(forkserver._forkserver, "_forkserver_pid", None)
    if pid is not None and not fork_server_ready_file(pid).exists():
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


def start_fork_server() -> None:
    """Start the fork server now, so its imports overlap what this process does before the
    first task (cleaning the month); a no-op where workers are spawned."""
    worker_context()


def longest_first(tasks: list[Task]) -> list[Task]:
    """The tasks, longest expected first: with two workers the short reports fill in at the end
    instead of one long report running alone. Expected: each notebook's last recorded time for
    that month, or for any month among the tasks; for a notebook none of them has run (a month
    added to a history), its time in the latest month before them that ran it, the closest in
    size (the trends report grows with the months); unknown first, then by name."""
    recorded: dict[tuple[Path, str], float] = {}  # (report folder, notebook) → seconds
    for folder in {Path(task.out_dir) for task in tasks}:
        for name, seconds in records_in(folder).items():
            recorded[folder, name] = seconds
    known: dict[str, float] = {}  # notebook → its longest time in any month
    for (_, name), seconds in recorded.items():
        known[name] = max(known.get(name, 0.0), seconds)
    if {Path(task.notebook).stem for task in tasks} - set(known):
        for name, seconds in records_before(tasks).items():
            known.setdefault(name, seconds)

    def expected(task: Task) -> float:
        name = Path(task.notebook).stem
        return recorded.get((Path(task.out_dir), name), known.get(name, float("inf")))

    return sorted(tasks, key=lambda t: (-expected(t), Path(t.notebook).stem, t.month, t.lang))


def records_in(folder: Path) -> dict[str, float]:
    """{notebook: seconds} of the reports recorded as built in `folder`."""
    found: dict[str, float] = {}
    for record in (folder / ".build").glob("*.json") if (folder / ".build").is_dir() else ():
        seconds = build.read_json(record).get("seconds")
        if isinstance(seconds, (int, float)):
            found[record.stem] = float(seconds)
    return found


def records_before(tasks: list[Task]) -> dict[str, float]:
    """{notebook: seconds} recorded in the latest month before the tasks' first that has records,
    in each language's layout of report folders (reports/MONTH, reports/MONTH/en); the longest
    where two languages recorded one."""
    first = min(task.month for task in tasks)
    layouts = set()
    for task in tasks:  # reports/MONTH[/LANG] → (reports, (LANG,))
        parts = Path(task.out_dir).parts
        if task.month in parts:
            at = len(parts) - 1 - parts[::-1].index(task.month)
            layouts.add((Path(*parts[:at]), parts[at + 1 :]))
    found: dict[str, float] = {}
    for root, tail in layouts:
        with contextlib.suppress(OSError):
            earlier = (p.name for p in root.iterdir() if paths.MONTH.match(p.name) and p.name < first)
            for month in sorted(earlier, reverse=True):
                if records := records_in(root.joinpath(month, *tail)):
                    for name, seconds in records.items():
                        found[name] = max(found.get(name, 0.0), seconds)
                    break
    return found


def start_worker() -> None:
    """A pool worker, as the pool starts: Papermill and nbconvert imported and a warm kernel
    started ahead of the first task (a failure here is left for that task to meet and report),
    shut down when the worker exits. The kernel is forked from this worker (`kernelfork`), which
    has the kernel's imports from the fork server, when the worker is still one clean thread."""
    from multiprocessing import util

    from metroanalysis.run import kernelfork

    end_with_fork_server()
    execute.lean_imports()
    fork = None
    if kernels.warm_enabled() and kernelfork.enabled() and kernelfork.can_fork_here():
        with contextlib.suppress(OSError):
            fork = kernelfork.KernelFork()
    util.Finalize(None, kernels.stop_warm_kernels, exitpriority=10)
    if kernels.warm_enabled():
        with contextlib.suppress(Exception):
            kernels.prepared_warm_kernel(Path.cwd(), fork)

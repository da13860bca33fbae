"""Report kernels: warm kernels reused notebook after notebook, and the folder of their sockets.

Each process that runs tasks (the command's own, or each pool worker, started as the pool starts)
keeps one kernel that has already imported pandas, matplotlib, seaborn and the library
(`kernelstate.warm_up`), and reuses it for notebook after notebook through the Papermill engine
`WarmEngine`. Before each notebook the kernel is put back in a fresh kernel's state
(`kernelstate.reset`: empty namespace, matplotlib rcParams, fonts and figures, pandas options,
warning filters, environment, working directory), so a notebook still sees only its injected
parameters and leaves nothing for the next. A kernel that died, timed out or could not be reset
is shut down and the next notebook gets a new one; a notebook that raised keeps the kernel.
`METROANALYSIS_WARM=0` runs every notebook in a fresh kernel instead (the old way; `make bench`
uses it to compare). A pool worker's first kernel is forked from the worker itself, which has
the kernel's imports from the fork server (`kernelfork`): about 4.7 s less CPU for a month run
on two workers (23.6 s against 28.3 s, medians of 3 side by side).

Kernels talk over local IPC sockets, in a folder of the run in the temp folder (`kernel_folder`,
removed when the run ends), and are shut down without an interrupt.

Where to change what: what a warm kernel imports ahead and what it restores between notebooks:
`kernelstate`; how a kernel is forked from its worker, and when it is not: `kernelfork`.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import tempfile
import threading
import time
import uuid
from pathlib import Path

from metroanalysis.run import interrupts, tasks

WARM_ENGINE = "metroanalysis-warm"
WARM_UP = "import metroanalysis.run.kernelstate as _k; _k.warm_up(); del _k"
RESET = "__import__('metroanalysis.run.kernelstate').run.kernelstate.reset({cwd!r})"


def warm_enabled() -> bool:
    """Warm kernels unless METROANALYSIS_WARM=0 (then a fresh kernel per notebook)."""
    return os.environ.get("METROANALYSIS_WARM", "1").strip().lower() not in ("0", "no", "false", "off")


class WarmKernel:
    """One kernel of this process, started with the heavy imports done, reused notebook after
    notebook; `prepare(folder)` puts it back in a fresh kernel's state before each one."""

    def __init__(self, fork=None) -> None:
        self.km = local_kernel_manager()(kernel_name=tasks.KERNEL)
        self.km.kernel_fork = fork  # a kernelfork.KernelFork to become this kernel, or None
        self.kc = None

    def start(self) -> None:
        from jupyter_core.utils import run_sync

        # as nbclient starts its kernels: history in memory, no sqlite file written per notebook
        run_sync(self.km.start_kernel)(extra_arguments=["--HistoryManager.hist_file=:memory:"])
        self.kc = self.km.client()
        self.kc.allow_stdin = False
        self.kc.start_channels()
        run_sync(self._wait_for_ready)(tasks.START_TIMEOUT)
        self.run(WARM_UP, tasks.START_TIMEOUT)

    async def _wait_for_ready(self, timeout: float) -> None:
        """jupyter_client's `wait_for_ready` (a kernel_info reply on the shell channel, then a
        message on IOPub: both sockets connected) without its last step, which reads IOPub until
        it has been quiet for 0.2 s to throw away what came before: 0.2 s of every worker's start
        on the way to its first notebook, for nothing here. Nothing reads IOPub but nbclient, and
        it takes only the messages of the cell it runs (as it already skips those of `run`)."""
        from queue import Empty

        deadline = time.monotonic() + timeout
        while True:
            self.kc.kernel_info()
            try:
                reply = await self.kc.get_shell_msg(timeout=1)
            except Empty:
                reply = None
            if reply is not None and reply["msg_type"] == "kernel_info_reply":
                try:
                    await self.kc.get_iopub_msg(timeout=0.2)
                except Empty:  # IOPub not connected yet: ask again
                    pass
                else:
                    self.kc._handle_kernel_info_reply(reply)
                    return
            if not await self.km.is_alive():  # the texts `execute.is_startup_race` knows
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")

    def prepare(self, folder: Path) -> None:
        self.run(RESET.format(cwd=str(folder)), tasks.START_TIMEOUT)

    def run(self, code: str, timeout: float) -> None:
        """Run `code` silently (no cell number, no output kept); raise if it failed."""
        from jupyter_core.utils import run_sync

        run_sync(self._run)(code, timeout)

    async def _run(self, code: str, timeout: float) -> None:
        from queue import Empty

        msg_id = self.kc.execute(code, silent=True, store_history=False, allow_stdin=False)
        deadline = time.monotonic() + timeout
        while True:
            try:
                reply = await self.kc.get_shell_msg(timeout=1)
            except Empty:  # no answer yet: a dead kernel never answers, so look
                if not await self.km.is_alive():
                    raise RuntimeError("warm kernel died") from None
                if time.monotonic() > deadline:
                    raise TimeoutError(f"warm kernel: no answer within {timeout} s") from None
                continue
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        content = reply["content"]
        if content.get("status") != "ok":
            raise RuntimeError(f"warm kernel: {content.get('ename')}: {content.get('evalue')}")

    def is_alive(self) -> bool:
        from jupyter_core.utils import run_sync

        return bool(run_sync(self.km.is_alive)())

    def stop(self) -> None:
        from jupyter_core.utils import run_sync

        try:
            if self.kc is not None:
                self.kc.stop_channels()
            if self.km.has_kernel:
                # now=True: a warm kernel between notebooks holds nothing to save, and a polite
                # shutdown waits about a second for it to exit, at the end of every run
                run_sync(self.km.shutdown_kernel)(now=True)
        finally:
            run_sync(self.km.cleanup_resources)()


# One warm kernel per thread that runs tasks: this process's main thread, a pool worker's, or a
# Dask worker's task thread (a kernel client is tied to the event loop of the thread using it).
_WARM: dict[int, WarmKernel] = {}


def current_warm_kernel() -> WarmKernel | None:
    return _WARM.get(threading.get_ident())


def prepared_warm_kernel(folder: Path, fork=None) -> WarmKernel:
    """This thread's warm kernel (started now if there is none, from `fork` if given), reset for
    a notebook in `folder`."""
    kernel = current_warm_kernel()
    if kernel is not None and not kernel.is_alive():  # died after its last notebook: a new one
        stop_warm_kernel()
        kernel = None
    if kernel is None:
        try:
            kernel = WarmKernel(fork)
        except BaseException:
            if fork is not None:
                fork.discard()
            raise
        try:
            kernel.start()
        except BaseException:
            kernel.stop()
            raise
        finally:
            if kernel.km.kernel_fork is not None:  # never used (another kernel command)
                kernel.km.kernel_fork.discard()
        _WARM[threading.get_ident()] = kernel
    try:
        kernel.prepare(folder)
    except BaseException:
        stop_warm_kernel()
        raise
    return kernel


def stop_warm_kernel() -> None:
    """Shut down this thread's warm kernel, if it has one."""
    kernel = _WARM.pop(threading.get_ident(), None)
    if kernel is not None:
        with contextlib.suppress(Exception):  # a kernel already gone: nothing left to stop
            kernel.stop()


def stop_warm_kernels() -> None:
    """Shut down every warm kernel of this process (a worker that is exiting)."""
    while _WARM:
        _, kernel = _WARM.popitem()
        with contextlib.suppress(Exception):
            kernel.stop()


def warm_engine():
    """The Papermill engine that runs a notebook in the given warm kernel instead of a new one:
    Papermill's own nbclient engine, with the kernel manager and client handed in."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine
    from papermill.log import logger
    from papermill.utils import remove_args

    class WarmEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(
            cls,
            nb_man,
            kernel_name,
            log_output=False,
            stdout_file=None,
            stderr_file=None,
            start_timeout=60,
            execution_timeout=None,
            **kwargs,
        ):
            kernel: WarmKernel = kwargs.pop("warm_kernel")
            keep_on_error = kwargs.pop("keep_on_error", None)
            kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
            client = PapermillNotebookClient(
                nb_man,
                km=kernel.km,  # not owned by the client: left running afterwards
                timeout=execution_timeout,
                startup_timeout=start_timeout,
                kernel_name=kernel_name,
                log=logger,
                log_output=log_output,
                stdout_file=stdout_file,
                stderr_file=stderr_file,
                **kwargs,
            )
            client.kc = kernel.kc  # nbclient would open a new client (and never close it) per notebook
            try:
                return client.execute()
            except BaseException:
                if keep_on_error:  # the notebook as far as it ran, with the cell that broke
                    from papermill.iorw import write_ipynb

                    write_ipynb(nb_man.nb, keep_on_error)
                raise

    return WarmEngine


GONE_POLL = 0.005  # seconds between looks at whether a stopped kernel has exited


def local_kernel_manager():
    """The kernel manager class for report kernels (defined on first use: jupyter_client is
    imported only by a run that executes something)."""
    from jupyter_client.manager import AsyncKernelManager

    class LocalKernelManager(AsyncKernelManager):
        """Kernels talk over local IPC sockets, not TCP: no port to clash between parallel
        kernels, and no "running over TCP without encryption" warning on every start."""

        kernel_fork = None  # a kernelfork.KernelFork to launch the kernel from, used once

        def __init__(self, **kwargs):
            # its sockets and connection file in this run's kernel folder, removed with it
            name = os.path.join(kernel_folder(), f"k{uuid.uuid4().hex[:12]}")
            kwargs.setdefault("transport", "ipc")
            kwargs.setdefault("ip", name)
            kwargs.setdefault("connection_file", f"{name}.json")
            super().__init__(**kwargs)

        async def _async_launch_kernel(self, kernel_cmd, **kw) -> None:
            from metroanalysis.run import kernelfork

            fork, self.kernel_fork = self.kernel_fork, None
            if fork is None or not kernelfork.is_this_interpreters_ipykernel(kernel_cmd):
                self.kernel_fork = fork  # left for the caller to discard
                await super()._async_launch_kernel(kernel_cmd, **kw)
            else:
                # what LocalProvisioner.launch_kernel records of a Popen, for the forked kernel
                # (it leads its own process group, as a kernel launched the usual way does)
                provisioner = self.provisioner
                provisioner.process = fork.launch(kernel_cmd, kw.get("env"), kw.get("cwd"))
                provisioner.pid = provisioner.pgid = provisioner.process.pid
                provisioner.cwd = kw.get("cwd")
                self._reconcile_connection_info(provisioner.connection_info)
            self.kernel_group = getattr(self.provisioner, "pgid", None) or getattr(self.provisioner, "pid", None)
            if self.kernel_group:
                interrupts.KERNEL_GROUPS.add(self.kernel_group)  # for Ctrl-C to stop (`on_interrupt`)
            if interrupts.stopping():  # interrupted while it launched: stopped now, not after its start
                interrupts.on_interrupt_kill(self.kernel_group)

        async def _async_wait(self, pollinterval: float = 0.1) -> None:
            # a killed kernel is gone within milliseconds: looked for every GONE_POLL seconds,
            # not every 0.1 s (jupyter_client's first look finds it still there, and then sleeps
            # 0.1 s: on the way to the end of every run, as each worker stops its kernel)
            await super()._async_wait(pollinterval=min(pollinterval, GONE_POLL))

        async def _async_cleanup_resources(self, restart: bool = False) -> None:
            interrupts.KERNEL_GROUPS.discard(getattr(self, "kernel_group", None))
            await super()._async_cleanup_resources(restart=restart)

        async def _async_interrupt_kernel(self) -> None:
            # jupyter_client's shutdown_kernel sends SIGINT before asking the kernel to shut
            # down. Papermill shuts the kernel down right after its last request (kernel_info)
            # has been answered, while ipykernel may still be inside that request's handler, so
            # the signal lands there and the kernel logs "ERROR | KeyboardInterrupt caught in
            # kernel" on a good run. Nothing of ours runs by then (papermill stops at a failing
            # cell, and a cell over CELL_TIMEOUT fails), so no interrupt is sent at shutdown; a
            # kernel that does not stop when asked is still terminated by finish_shutdown.
            if self.shutting_down:
                return
            await super()._async_interrupt_kernel()

    return LocalKernelManager


KERNEL_FOLDER = "METROANALYSIS_KERNEL_DIR"  # inherited by the fork server, its workers and kernels
_OWN_FOLDER: list[str] = []


def kernel_folder() -> str:
    """The folder of this run's kernel sockets and connection files, in the temp folder: made by
    the first process of a run that needs it (before the fork server starts, so the workers
    inherit it) and removed when that process exits, with whatever a killed worker's kernel
    left there. One left by a run that was itself killed is removed by the next run."""
    inherited = os.environ.get(KERNEL_FOLDER)
    if inherited and os.path.isdir(inherited):
        return inherited
    if not _OWN_FOLDER:
        sweep_kernel_folders()
        folder = tempfile.mkdtemp(prefix=f"metroanalysis-{os.getpid()}-")
        _OWN_FOLDER.append(folder)
        atexit.register(remove_kernel_folder, folder, os.getpid())
    os.environ[KERNEL_FOLDER] = _OWN_FOLDER[0]
    return _OWN_FOLDER[0]


def remove_kernel_folder(folder: str, owner: int) -> None:
    if os.getpid() == owner:  # not in a child that inherited this exit handler
        shutil.rmtree(folder, ignore_errors=True)


def sweep_kernel_folders() -> None:
    """Remove the kernel folders of runs that are gone (killed before they could)."""
    for folder in Path(tempfile.gettempdir()).glob("metroanalysis-*-*"):
        pid = folder.name.split("-")[1]
        if folder.is_dir() and pid.isdigit() and not process_exists(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's: alive
        return True
    try:  # Linux: a child that died and was not reaped yet is gone too
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True

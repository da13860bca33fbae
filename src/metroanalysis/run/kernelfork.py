"""Report kernels forked from a worker that has already imported what they import.

A kernel started the usual way is a new interpreter that imports ipykernel, pandas, matplotlib,
seaborn and scipy again: about 3.5 s of CPU before its first notebook, for each worker of every
run. A pool worker is itself forked from the fork server, which imported all of that once
(`kernelstate.preload`), so the worker forks its first kernel from itself instead
(`KernelFork`): the kernel starts with the imports in place, in a few hundredths of a second.

The fork is made as the worker starts, while it has one thread, no event loop and no zmq
context (forking later would copy a running event loop into the kernel). The child waits on a
pipe for the command line jupyter_client builds (`-f connection-file …`, its environment and
folder), then becomes an ordinary ipykernel (`IPKernelApp`, as `ipykernel_launcher` would): it
talks to the runner over the same sockets, and is watched, interrupted and killed through
`ForkedProcess`, which stands in for the `Popen` jupyter_client keeps. It leads its own session
(as `launch_kernel` starts kernels) and dies with the worker (Linux `PR_SET_PDEATHSIG`), so a
killed worker leaves no kernel behind.

Only the first kernel of a worker is forked; a kernel that replaces one that died starts the
usual way (by then the worker has threads and an event loop). `METROANALYSIS_FORK_KERNELS=0`
starts every kernel the usual way.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading


def enabled() -> bool:
    return os.environ.get("METROANALYSIS_FORK_KERNELS", "1").strip().lower() not in ("0", "no", "false", "off")


def can_fork_here() -> bool:
    """A clean moment to fork: a POSIX process with one thread and no running event loop."""
    if not hasattr(os, "fork") or threading.active_count() != 1:
        return False
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return True
    return False


def is_this_interpreters_ipykernel(cmd: list[str]) -> bool:
    """The kernel command is `<this python> -m ipykernel_launcher -f …` (a fork runs this
    interpreter's ipykernel, so any other kernel command is started the usual way)."""
    return (
        len(cmd) >= 5
        # the same path, not the same file: every venv made from one Python links to it
        and os.path.abspath(cmd[0]) == os.path.abspath(sys.executable)
        and cmd[1:3] == ["-m", "ipykernel_launcher"]
        and cmd[3] == "-f"
    )


class KernelFork:
    """A child forked now, waiting to become the kernel jupyter_client asks for (`launch`), or
    to exit if it is never asked (`discard`)."""

    def __init__(self) -> None:
        parent = os.getpid()
        read_end, self._write_end = os.pipe()
        # no Ctrl-C between the fork and the child's own session (it would raise in worker code)
        interrupts = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        self.pid = os.fork()
        if self.pid == 0:  # the child: never returns into the worker's code
            code = 1
            try:
                os.close(self._write_end)
                os.setsid()  # its own session, as launch_kernel starts kernels: a Ctrl-C is the runner's
                signal.pthread_sigmask(signal.SIG_SETMASK, interrupts)
                die_with_parent(parent)
                with os.fdopen(read_end, "rb") as pipe:
                    order = pipe.read()
                code = become_kernel(*pickle.loads(order)) if order else 0
            except BaseException:  # whatever it was, the child must not live on
                import traceback

                traceback.print_exc()
            finally:
                os._exit(code)
        signal.pthread_sigmask(signal.SIG_SETMASK, interrupts)
        os.close(read_end)

    def launch(self, cmd: list[str], env: dict[str, str] | None, cwd: str | None) -> ForkedProcess:
        args = cmd[3:]  # after `python -m ipykernel_launcher`
        env = dict(env if env is not None else os.environ)
        env["JPY_PARENT_PID"] = str(os.getpid())  # as launch_kernel: ipykernel watches its parent
        order = pickle.dumps((args, env, str(cwd or os.getcwd())))
        try:
            with os.fdopen(self._write_end, "wb") as pipe:
                pipe.write(order)
        except OSError:  # the child is gone: reap it, and the kernel fails to start
            ForkedProcess(self.pid).wait()
            raise
        return ForkedProcess(self.pid)

    def discard(self) -> None:
        """Not needed after all: the child reads end-of-file and exits."""
        try:
            os.close(self._write_end)
        except OSError:
            return
        ForkedProcess(self.pid).wait()


def die_with_parent(parent: int) -> None:
    """Linux: this process gets SIGKILL when its parent `parent` dies (a kernel with the worker
    that forked it, a worker with the fork server, the fork server with the command); it exits
    now if `parent` is gone already."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != parent:  # the worker died before the line above
        os._exit(1)


def become_kernel(args: list[str], env: dict[str, str], cwd: str) -> int:
    """Turn this forked child into the kernel `python -m ipykernel_launcher ARGS` would start."""
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    sys.path[:] = fresh_sys_path(env)
    sys.argv = [sys.executable, *args]
    if "numpy" in sys.modules:  # a new interpreter seeds numpy's global generator afresh
        sys.modules["numpy"].random.seed()
    from ipykernel.kernelapp import IPKernelApp

    # parent_handle's default was read from the environment when ipykernel was imported (in the
    # fork server, before there was a parent to watch): given here from the kernel's environment
    app = IPKernelApp.instance(parent_handle=int(os.environ.get("JPY_PARENT_PID") or 0))
    app.initialize(args)
    app.start()
    return 0


def fresh_sys_path(env: dict[str, str]) -> list[str]:
    """The module path `python -m ipykernel_launcher` starts with: PYTHONPATH, then the
    interpreter's own (standard library, site-packages), without what the worker's own start put
    in front (its script's folder, a test runner's folders); ipykernel_launcher drops the working
    folder and IPython puts '' back, so a notebook still imports modules beside it."""
    stdlib_zip = os.path.join(sys.base_prefix, "lib", f"python{sys.version_info[0]}{sys.version_info[1]}.zip")
    own = sys.path[sys.path.index(stdlib_zip) :] if stdlib_zip in sys.path else [p for p in sys.path if p]
    extra = [os.path.abspath(p) for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    return [*extra, *(p for p in own if p not in extra)]


class ForkedProcess:
    """What jupyter_client's LocalProvisioner needs of a `Popen`, for a forked child."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:  # already reaped
                self.returncode = -1
            else:
                if pid:
                    self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            try:
                _, status = os.waitpid(self.pid, 0)
                self.returncode = os.waitstatus_to_exitcode(status)
            except ChildProcessError:
                self.returncode = -1
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

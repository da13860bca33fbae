"""Ctrl-C in a process that runs notebooks: one flag, set once, and the kernels it stops.

A process running notebooks (a pool worker from its birth, or the command's own process while
`pool.run_here` runs) takes `on_interrupt` as its SIGINT handler: it raises nothing where it
lands, kills this process's kernels (`KERNEL_GROUPS`), so the notebook running stops at once,
and from then on every task comes back interrupted (`stopping`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading

_STOPPING = False  # this process was interrupted: every task from now on comes back interrupted
KERNEL_GROUPS: set[int] = set()  # this process's kernels (each leads its own process group)
FORK_SERVER_PID: int | None = None  # set in the fork server by `worker_preload`


def stopping() -> bool:
    """This process was interrupted: the notebook running stops, and no task starts any more."""
    return _STOPPING


def start_afresh() -> None:
    """A new run in a process whose earlier run was interrupted (the library used in-process)."""
    global _STOPPING
    _STOPPING = False
    logging.disable(logging.NOTSET)


class InterruptedRunError(Exception):
    """Raised at a safe point once this process has been interrupted."""


def on_interrupt(signum, frame) -> None:
    """The SIGINT handler of a process that runs notebooks (a pool worker from its birth: the fork
    server passes it on; this process while `run_here` runs). It raises nothing where it lands;
    it kills this process's kernels, so the notebook running stops at once (its kernel died),
    and every task from then on returns interrupted (`run_task`)."""
    global _STOPPING
    if os.getpid() == FORK_SERVER_PID or _STOPPING:
        return
    _STOPPING = True
    # what papermill and nbclient log of a notebook stopped this way ("Kernel died while waiting
    # for execute reply") is not news: the command says it was interrupted, in one line
    logging.disable(logging.CRITICAL)
    for group in list(KERNEL_GROUPS):
        on_interrupt_kill(group)


def on_interrupt_kill(group: int | None) -> None:
    if group:
        with contextlib.suppress(OSError):
            os.killpg(group, signal.SIGKILL)


@contextlib.contextmanager
def interrupts_held():
    """Ctrl-C waits for the end of the block, then arrives as it would have (only the main thread
    receives it; elsewhere this does nothing)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    before = signal.signal(signal.SIGINT, lambda signum, _frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)
    if caught and callable(before):
        before(signal.SIGINT, None)


# --- Ctrl-C in the command's own process --------------------------------------------------------

_CTRL_C_SEEN = False  # this command was interrupted (set by `on_ctrl_c`, read by `stop_if_interrupted`)


def on_ctrl_c(signum, frame) -> None:
    """The command's SIGINT handler: a Ctrl-C is remembered as well as raised, so one whose
    KeyboardInterrupt a library catches and drops deep inside a call still stops the run at its
    next step (`stop_if_interrupted`) instead of letting it finish and exit 0."""
    global _CTRL_C_SEEN
    _CTRL_C_SEEN = True
    raise KeyboardInterrupt


def stop_if_interrupted() -> None:
    """Between two steps of a command: stop here if a Ctrl-C came, even one lost on its way."""
    if _CTRL_C_SEEN:
        raise KeyboardInterrupt


@contextlib.contextmanager
def ctrl_c_remembered():
    """The command's body, with `on_ctrl_c` as its SIGINT handler (in the main thread, where
    Python's own handler was in place: a caller's handler is left as it is)."""
    global _CTRL_C_SEEN
    _CTRL_C_SEEN = False
    own = threading.current_thread() is threading.main_thread() and (
        signal.getsignal(signal.SIGINT) is signal.default_int_handler
    )
    if not own:
        yield
        return
    before = signal.signal(signal.SIGINT, on_ctrl_c)
    hook = sys.unraisablehook
    sys.unraisablehook = lambda unraisable: ctrl_c_unraisable(unraisable, hook)
    try:
        yield
    finally:
        sys.unraisablehook = hook
        signal.signal(signal.SIGINT, before)


def ctrl_c_unraisable(unraisable, otherwise) -> None:
    """A Ctrl-C that lands while Python runs a weakref callback or a `__del__` cannot be raised
    there: Python prints "Exception ignored in …" and a traceback under the command's one line
    (seen under load: a WeakSet's callback in `clean --all`). It is remembered (`on_ctrl_c`), so
    the command still stops at its next step (`stop_if_interrupted`), and printed no more; any
    other exception there goes to the hook that was in place (`otherwise`)."""
    if _CTRL_C_SEEN and issubclass(unraisable.exc_type, KeyboardInterrupt):
        return
    otherwise(unraisable)


def stacks_on_request() -> None:
    """`kill -USR1 PID` makes this process print every thread's stack to its stderr and go on
    (faulthandler): a command, worker or fork server that hangs can say where, in a test's
    failure as on a user's terminal. Inherited by the processes forked from this one."""
    import faulthandler

    # the process's own stderr (file descriptor 2), not a replacement without one (a test capturing output)
    if hasattr(signal, "SIGUSR1") and sys.__stderr__ is not None:
        with contextlib.suppress(OSError, ValueError):  # no descriptor at all: nothing to print to
            faulthandler.register(signal.SIGUSR1, file=sys.__stderr__, all_threads=True)

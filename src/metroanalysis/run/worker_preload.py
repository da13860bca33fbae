"""Imported once by the fork server report workers are forked from (see `pool.worker_context`):
Papermill and nbconvert, the way `execute.lean_imports` imports them, so no worker pays for them;
and, when workers run warm kernels forked from themselves (`kernelfork`), what those kernels
import (`kernelstate.preload`), so no kernel pays for that either."""

import contextlib
import gc
import os
import signal

# No collection while importing: the imports leave little garbage (about 8,700 objects among
# 200,000), yet a tenth of their time (0.18 of 1.5 s) went to collections, on the way to every
# run's first notebook. Collected once, then frozen (`kernelstate.preload`), and back on before
# any process is forked: that garbage includes file objects, not to be inherited by every worker.
gc.disable()

# Ctrl-C reaches the fork server too (it shares the terminal's process group). Python's fork
# server ignores it, but only once these imports are done: a Ctrl-C during them would print its
# traceback under the command's one-line message. It was started with Ctrl-C blocked
# (`pool.ensure_fork_server`); ignoring it and then unblocking discards one that came during
# the server's start-up.
signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
from metroanalysis.run import execute, interrupts, kernels, pool  # noqa: E402

interrupts.FORK_SERVER_PID = os.getpid()
interrupts.stacks_on_request()  # the server and every worker forked from it
try:
    from metroanalysis.run import kernelfork

    if os.environ.get(pool.SERVER_PARENT) == str(os.getppid()):  # started by the command's main thread
        kernelfork.die_with_parent(os.getppid())  # ends with the command, however it ends
    execute.lean_imports()
    if kernels.warm_enabled() and kernelfork.enabled():
        from metroanalysis.run.kernelstate import preload

        # A module that does not import (an analysis module mid-edit) must not take the fork
        # server down with it (every worker and the cleaning pool come from it): kernels then
        # import for themselves, and the notebook that needs the module reports the error.
        with contextlib.suppress(Exception):
            preload()
finally:
    gc.collect()  # what `preload` has not collected (it did not run, or failed)
    gc.enable()
    with contextlib.suppress(OSError):  # for `pool.wait_for_fork_server`
        pool.fork_server_ready_file(os.getpid()).touch()
    # The handler Python's fork server puts back in every process it forks: a worker is born
    # with `interrupts.on_interrupt`, so a Ctrl-C at any moment of its life (unpickling, starting
    # its kernel, between notebooks) raises nothing into it; it stops its notebook's kernel and
    # takes no new notebook. The server itself ignores it (`on_interrupt` does nothing here).
    signal.signal(signal.SIGINT, interrupts.on_interrupt)

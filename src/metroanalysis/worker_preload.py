"""Imported once by the fork server report workers are forked from (see `execute.worker_context`):
Papermill and nbconvert, the way `execute.lean_imports` imports them, so no worker pays for them;
and, when workers run warm kernels forked from themselves (`kernelfork`), what those kernels
import (`kernelstate.preload`), so no kernel pays for that either."""

import contextlib
import signal

# Ctrl-C reaches the fork server too (it shares the terminal's process group). Python's fork
# server ignores it, but only once these imports are done: a Ctrl-C during them would print its
# traceback under the command's one-line message. It was started with Ctrl-C blocked
# (`execute.ensure_fork_server`); ignoring it and then unblocking discards one that came during
# the server's start-up. The handler is put back after, as the fork server restores it in every
# worker it forks.
_before = signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
try:
    from . import kernelfork
    from .execute import lean_imports, warm_enabled

    lean_imports()
    if warm_enabled() and kernelfork.enabled():
        from .kernelstate import preload

        # A module that does not import (an analysis module mid-edit) must not take the fork
        # server down with it (every worker and the cleaning pool come from it): kernels then
        # import for themselves, and the notebook that needs the module reports the error.
        with contextlib.suppress(Exception):
            preload()
finally:
    signal.signal(signal.SIGINT, _before)

"""One writer per month: runs on the same project wait for each other instead of
interleaving writes.

The lock is `filelock`'s lock on data/processed/.locks/MONTH.lock (an OS lock: `flock` on
Linux and macOS, `msvcrt` on Windows), so the operating system drops it when its holder dies,
however it dies (SIGKILL included): a lock left by a killed run is simply taken over. The
holder's pid is written beside it, in MONTH.pid, for the "waiting for another run (pid N)"
line and for a person who looks (the lock file itself is the library's to manage).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout


@contextmanager
def month_lock(processed: Path, month: str, wait: float | None = None) -> Iterator[Path]:
    """Hold the lock for `month` (blocking; `wait` seconds at most, then TimeoutError); yields
    the file naming the holder's pid."""
    lock, holder = lock_files(processed, month)
    try:
        lock.acquire(blocking=False)
    except Timeout:
        print(f"{month}: waiting for another run (pid {holder_pid(holder)}) to finish this month", file=sys.stderr)
        try:
            lock.acquire(timeout=-1 if wait is None else wait, poll_interval=0.1)
        except Timeout:
            raise TimeoutError(f"{month}: still locked by pid {holder_pid(holder)} after {wait} s") from None
    with holding(lock, holder):
        yield holder


@contextmanager
def month_lock_if_free(processed: Path, month: str) -> Iterator[bool]:
    """Hold the lock for `month` if no one holds it, without waiting or saying so; yields
    whether it is held. Held elsewhere in this process (a run executing a notebook in-process)
    counts as not free: filelock refuses a second lock on one file in one thread."""
    lock, holder = lock_files(processed, month)
    try:
        lock.acquire(blocking=False)
    except (Timeout, RuntimeError):
        yield False
        return
    with holding(lock, holder):
        yield True


def lock_files(processed: Path, month: str) -> tuple[FileLock, Path]:
    """The month's lock (data/processed/.locks/MONTH.lock, not yet taken) and its pid file."""
    folder = Path(processed) / ".locks"
    folder.mkdir(parents=True, exist_ok=True)
    return FileLock(folder / f"{month}.lock"), folder / f"{month}.pid"


@contextmanager
def holding(lock: FileLock, holder: Path) -> Iterator[None]:
    """A lock just taken: its holder's pid written beside it, released at the end."""
    try:
        holder.write_text(f"{os.getpid()}\n", encoding="utf-8")
        yield
    finally:
        lock.release()


def holder_pid(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip() or "?"
    except OSError:
        return "?"

"""One writer per month: runs on the same project wait for each other instead of
interleaving writes.

The lock is an advisory `flock` on data/processed/.locks/MONTH.lock, whose text names the
holder's pid for a person who looks. The kernel drops the lock when its holder dies, however
it dies (SIGKILL included), so a stale lock file is simply taken over: no pid guessing.
"""

from __future__ import annotations

import fcntl
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def month_lock(processed: Path, month: str, wait: float | None = None) -> Iterator[Path]:
    """Hold the lock for `month` (blocking; `wait` seconds at most, then TimeoutError)."""
    folder = processed / ".locks"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{month}.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        acquire(fd, path, month, wait)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield path
    finally:
        os.close(fd)  # closing releases the flock


def acquire(fd: int, path: Path, month: str, wait: float | None) -> None:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return
    except BlockingIOError:
        holder = path.read_text(encoding="utf-8").strip() or "?"
        print(f"{month}: waiting for another run (pid {holder}) to finish this month", file=sys.stderr)
    deadline = None if wait is None else time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"{month}: still locked by pid {path.read_text().strip()} after {wait} s") from None
            time.sleep(0.1)

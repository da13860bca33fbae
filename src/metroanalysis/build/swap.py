"""Output folders swapped in whole: a folder is written beside its destination, then renamed
into place, so readers see the old folder or the new one, never half of each; and what a killed
run left behind is undone by the next run that takes the folder's lock. No pandas here: the
lean commands (a nothing-changed run) recover folders too."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def recover(folder: Path) -> None:
    """Undo what a killed run left behind (the caller holds the month's lock): a half-written
    temporary folder is dropped; a swap cut between its two renames is rolled back, so the
    previous complete month comes back."""
    for tmp in folder.parent.glob(f".{folder.name}.tmp-*"):
        shutil.rmtree(tmp, ignore_errors=True)
    olds = sorted(folder.parent.glob(f".{folder.name}.old-*"))
    if olds and not folder.exists():
        os.replace(olds.pop(), folder)
    for old in olds:
        shutil.rmtree(old, ignore_errors=True)


def swap_in(new: Path, folder: Path) -> None:
    old = None
    if folder.exists():
        old = folder.with_name(f".{folder.name}.old-{os.getpid()}")
        os.replace(folder, old)
    os.replace(new, folder)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)

"""Compiled page templates kept on disk from one process to the next (jinja's bytecode cache).

Every process that renders a page compiles, at its first page, the templates it uses: for a
report, nbconvert's lab templates and ours (14 files; a worker's first export took 0.22 s
compiling them, 0.165 s reading them compiled, on a quiet machine). Jinja can keep the compiled
code in files instead, each checked when read against its template's source (an edited template
is compiled again) and the Python version. What a template renders is the same either way.

Where: `$XDG_CACHE_HOME/metroanalysis/templates/` (`~/.cache` by default), one folder per
jinja and Python version and per kind of environment (ours, nbconvert's): a compiled template
depends on the environment's settings (autoescape, say), which jinja's check does not cover.

The cache only saves time: a folder that cannot be made or written leaves every template
compiled as before, and an entry that cannot be read is compiled again.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket, FileSystemBytecodeCache


class KeptTemplates(FileSystemBytecodeCache):
    """jinja's file cache that never fails a page: an entry it cannot read or write is skipped."""

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # a damaged entry: unreadable, or pickle's or marshal's errors on its bytes
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):  # read-only or full: compiled here, and in the next process again
            super().dump_bytecode(bucket)


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "metroanalysis" / "templates"


def kept_templates(kind: str, root: Path | None = None) -> KeptTemplates | None:
    """The cache for environments of `kind` ("pages", "nbconvert-7.17.2"), or None when its
    folder cannot be made (then the templates are compiled in each process, as without it)."""
    version = f"jinja-{jinja2.__version__}-py{sys.version_info.major}.{sys.version_info.minor}"
    folder = (root or cache_root()) / version / kind
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return KeptTemplates(str(folder))

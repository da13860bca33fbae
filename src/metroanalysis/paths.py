"""Where a project's data lives, from the folder the user works in (never from where the
package is installed): the nearest folder upward that holds `data/raw/`, or `--root DIR`.

Months are `YYYY-MM` folders under `data/raw/` holding `bulletin.txt`; nothing a user types
can name a file outside the project's data and report folders.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .errors import UsageError

MONTH = re.compile(r"^(?P<year>[0-9]{4})-(?P<month>0[1-9]|1[0-2])\Z")  # \Z: no trailing newline
BULLETIN = "bulletin.txt"


@dataclass(frozen=True)
class Project:
    root: Path

    @property
    def raw(self) -> Path:
        return self.root / "data" / "raw"

    @property
    def processed(self) -> Path:
        return self.root / "data" / "processed"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def notebooks(self) -> Path:
        return self.root / "notebooks"

    def bulletin(self, month: str) -> Path:
        return self.raw / check_month(self, month) / BULLETIN

    def processed_month(self, month: str) -> Path:
        return self.processed / check_month(self, month)

    def reports_month(self, month: str) -> Path:
        return self.reports / check_month(self, month)

    def months(self) -> list[str]:
        """Every month folder under data/raw with a bulletin, oldest first."""
        if not self.raw.is_dir():
            return []
        return sorted(p.name for p in self.raw.iterdir() if MONTH.fullmatch(p.name) and (p / BULLETIN).is_file())


def find_project(root: str | Path | None = None, start: str | Path | None = None) -> Project:
    """The project at `root`, or the nearest folder upward from `start` (the current folder)
    that holds data/raw."""
    if root is not None:
        path = Path(root).expanduser().resolve()
        if not (path / "data" / "raw").is_dir():
            raise UsageError(f"--root {root}: no data/raw/ folder there")
        return Project(path)
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "data" / "raw").is_dir():
            return Project(folder)
    raise UsageError(f"no project found: neither {here} nor a folder above it holds data/raw/ (use --root DIR)")


def check_month(project: Project, month: str) -> str:
    """`month` if it is YYYY-MM naming a real month folder inside data/raw, else UsageError."""
    if not isinstance(month, str) or not MONTH.fullmatch(month):
        raise UsageError(f"--month {month!r}: expected YYYY-MM, e.g. 2021-04")
    folder = project.raw / month
    if not (folder / BULLETIN).is_file():
        raise UsageError(f"--month {month}: no {folder / BULLETIN}")
    # A month folder (or its bulletin) that is a link pointing elsewhere is refused: raw data
    # lives in the project, and outputs are named after it.
    real = (folder / BULLETIN).resolve()
    if not real.is_relative_to(project.raw.resolve()):
        raise UsageError(f"--month {month}: {folder / BULLETIN} points outside {project.raw}")
    return month

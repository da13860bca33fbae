"""Where a project's data lives, from the folder the user works in (never from where the
package is installed): the nearest folder upward that holds `data/raw/`, or `--root DIR`.

Months are `YYYY-MM` folders under `data/raw/` holding one bulletin (`bulletin.txt`,
`bulletin.html`/`.htm` or `bulletin.docx`); nothing a user types can name a file outside the
project's data and report folders.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from metroanalysis.errors import BulletinError, UsageError

MONTH = re.compile(r"^(?P<year>[0-9]{4})-(?P<month>0[1-9]|1[0-2])\Z")  # \Z: no trailing newline
BULLETIN = "bulletin.txt"
# A month's bulletin as received: text, a saved web page or a Word file (metroanalysis.read.source
# reads them); the kinds after them are refused with a line saying what to do instead.
BULLETIN_KINDS = (".txt", ".html", ".htm", ".docx")
EXPLAINED_KINDS = (".doc", ".pdf", ".mht", ".mhtml", ".wps")


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

    def notebook_folder(self, given: str | Path | None = None) -> Path:
        """The folder a command was given for its notebooks (--notebooks), else the project's."""
        return Path(given).expanduser().resolve() if given else self.notebooks

    def bulletin(self, month: str) -> Path:
        """The month's one bulletin file; two in one folder is an error naming both."""
        files = bulletin_files(self.raw / check_month(self, month))
        if len(files) > 1:
            names = " and ".join(p.name for p in files)
            raise BulletinError(
                f"two bulletins in one month folder ({names}): keep only the one as received", path=str(files[0].parent)
            )
        return files[0]

    def processed_month(self, month: str) -> Path:
        return self.processed / check_month(self, month)

    def reports_month(self, month: str) -> Path:
        return self.reports / check_month(self, month)

    def months(self) -> list[str]:
        """Every month folder under data/raw with a bulletin, oldest first."""
        if not self.raw.is_dir():
            return []
        return sorted(p.name for p in self.raw.iterdir() if MONTH.fullmatch(p.name) and bulletin_files(p))


def relative(path: Path, start: Path) -> str:
    """`path` as the way from `start` to it ("..", "data/processed"), in forward slashes: what a
    record or a notebook's parameters hold, so a project copied, moved or cloned elsewhere still
    matches its records. Absolute only where there is no relative way (another Windows drive)."""
    try:
        return Path(os.path.relpath(Path(path).resolve(), Path(start).resolve())).as_posix()
    except ValueError:
        return str(Path(path).resolve())


def bulletin_files(folder: Path) -> list[Path]:
    """Every bulletin.* in a month folder of a kind that is read or explained, by name."""
    if not folder.is_dir():
        return []
    kinds = (*BULLETIN_KINDS, *EXPLAINED_KINDS)
    return sorted(p for p in folder.iterdir() if p.stem == "bulletin" and p.suffix.lower() in kinds and p.is_file())


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
    files = bulletin_files(folder)
    if not files:
        raise UsageError(f"--month {month}: no {folder / BULLETIN} (nor .html, .htm, .docx)")
    # A month folder (or its bulletin) that is a link pointing elsewhere is refused: raw data
    # lives in the project, and outputs are named after it.
    for file in files:
        if not file.resolve().is_relative_to(project.raw.resolve()):
            raise UsageError(f"--month {month}: {file} points outside {project.raw}")
    return month


NOTEBOOK = re.compile(r"^(?P<number>\d{2})-(?P<slug>[A-Za-z0-9_-]+)\.ipynb$")


def list_notebooks(folder: Path) -> list[Path]:
    """The report notebooks in `folder` (NN-name.ipynb), in order; none if it is not a folder."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if NOTEBOOK.match(p.name) and p.is_file())

"""Provenance: what a page or an executed notebook was made from, said on the page itself.

Every HTML report and index page carries, in its footer and in `<meta name="metroanalysis-…">`
tags (the partial `templates/provenance.html.j2`), and every executed `.ipynb` in
`metadata.metroanalysis.publish.provenance`:

- the bulletin(s): file name relative to the project and the first 12 hex digits of its SHA-256;
- the project's version and the digest of the library code that built it (a report: the modules
  its notebook imports and the export step, as in its build key; an index page: the whole
  package), and the git commit when the project folder is a git checkout without uncommitted
  changes (`modified` when it has some, `no git` when it is not a checkout);
- the digest of `uv.lock` at the project root (`none` without one);
- the parameters, with paths relative to the project (a page never shows the builder's home
  folder, and two copies of the project at different places give the same page);
- when it was built (`build.build_time`: SOURCE_DATE_EPOCH when set);
- links to the month's `run.json` and to the copy of its data package published beside the
  reports (`reports/MONTH/data/datapackage.json`, see `runner.publish_data`).

Light on purpose (no pandas, no Jupyter): the runner and the index pages use it.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path

from metroanalysis.build import keys as build
from metroanalysis.errors import BulletinError, UsageError
from metroanalysis.paths import BULLETIN, Project, relative

SHORT = 12  # hex digits of a digest shown on a page
LOCK_FILE = "uv.lock"
DATA_FOLDER = "data"  # reports/MONTH/data/: the month's published data package and CSV files
NO_GIT, MODIFIED, NO_LOCK = "no git", "modified", "none"
PATH_PARAMETERS = ("root", "processed_dir", "reports_dir")


@dataclass(frozen=True)
class Bulletin:
    month: str
    name: str  # data/raw/MONTH/bulletin.txt, relative to the project
    sha256: str  # the first SHORT hex digits, or "missing"


@dataclass(frozen=True)
class Provenance:
    bulletins: tuple[Bulletin, ...]
    version: str
    library: str  # SHORT hex digits
    commit: str  # SHORT hex digits, MODIFIED or NO_GIT
    lock: str  # SHORT hex digits of uv.lock, or NO_LOCK
    parameters: dict[str, str]
    built: str  # ISO 8601 with its UTC offset
    links: tuple[tuple[str, str], ...] = field(default=())  # (file name shown, relative href)

    @property
    def parameters_json(self) -> str:
        return json.dumps(self.parameters, ensure_ascii=False, sort_keys=True)

    def as_dict(self) -> dict:
        """For the executed notebook's metadata (plain JSON)."""
        found = asdict(self)
        found["bulletins"] = [asdict(b) for b in self.bulletins]
        found["links"] = [{"name": name, "href": href} for name, href in self.links]
        return found


# ---------------------------------------------------------------------------------------------
# The parts


def bulletin(root: Path, month: str) -> Bulletin:
    """The month's bulletin as the project finds it (`Project.bulletin`); "missing" when there is
    none to read (a page still says which one it expected)."""
    try:
        path = Project(Path(root)).bulletin(month)
    except (UsageError, BulletinError):
        path = Path(root) / "data" / "raw" / month / BULLETIN
    sha = build.file_digest(path)[:SHORT] if path.is_file() else "missing"
    return Bulletin(month, path.relative_to(root).as_posix(), sha)


def version() -> str:
    from metroanalysis import __version__

    return __version__


def lock_digest(root: Path) -> str:
    path = Path(root) / LOCK_FILE
    return build.file_digest(path)[:SHORT] if path.is_file() else NO_LOCK


@cache
def package_digest() -> str:
    """Every file of the installed package (modules, templates, reference data): what an index
    page was made by."""
    files = [p for p in build.PACKAGE_DIR.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    return build.files_digest(files, build.PACKAGE_DIR)


def report_library(notebook: Path) -> str:
    """The library code a report ran: the same digest as the `library` part of its build key."""
    entries = build.notebook_imports(build.notebook_code(notebook)) | {build.EXPORT_ENTRY}
    return build.library_digest(entries, build.REPORT_TEMPLATES)


def code_commit(root: Path) -> str:
    """The git commit of the project folder, MODIFIED when it has uncommitted changes (ignored
    files such as data/processed/ and reports/ do not count), NO_GIT when it is not a checkout or
    git is not installed."""
    return _code_commit(str(Path(root).resolve()))


@cache
def _code_commit(root: str) -> str:
    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", "-C", root, *args], capture_output=True, text=True, timeout=30, check=False)
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "--verify", "HEAD")
    if not commit:
        return NO_GIT
    changes = git("status", "--porcelain")
    return commit[:SHORT] if changes == "" else MODIFIED


def shown_parameters(parameters: dict, root: Path) -> dict[str, str]:
    """The parameters as a page shows them: paths relative to the project root (`root` itself
    is "."; a relative `root` parameter is the way to it from the notebook's folder)."""
    shown = {}
    for name, value in sorted(parameters.items()):
        if name in PATH_PARAMETERS and value:
            path = Path(root) if name == "root" else Path(root) / value  # an absolute value stays itself
            value = relative(path, root)
        shown[name] = str(value)
    return shown


def project_root(parameters: dict, notebook: Path) -> Path:
    """The project a report's parameters name: `root` is relative to the notebook's folder
    (where the notebook runs), as `runner.parameters` gives it, or absolute."""
    return (Path(notebook).parent / parameters["root"]).resolve()


def links(month: str | None, up: str = "") -> tuple[tuple[str, str], ...]:
    """run.json beside the page, and the month's published data package; `up` is the way from the
    page's folder to reports/MONTH/ ("../" for an English page in reports/MONTH/en/)."""
    found = [("run.json", "run.json")]
    if month:
        found.append(("datapackage.json", f"{up}{DATA_FOLDER}/datapackage.json"))
    return tuple(found)


# ---------------------------------------------------------------------------------------------
# A page's provenance


def for_report(parameters: dict, notebook: Path) -> Provenance:
    """A report: its month's bulletin, the code its notebook imports, its parameters."""
    root = project_root(parameters, notebook)
    month, lang = parameters["month"], parameters.get("lang", "zh")
    return Provenance(
        bulletins=(bulletin(root, month),),
        version=version(),
        library=report_library(Path(notebook))[:SHORT],
        commit=code_commit(root),
        lock=lock_digest(root),
        parameters=shown_parameters(parameters, root),
        built=build.build_time().isoformat(timespec="seconds"),
        links=links(month, "" if lang == "zh" else "../"),
    )


def for_index(
    root: Path, months: list[str], parameters: dict, month: str | None = None, lang: str = "zh"
) -> Provenance:
    """An index page: the bulletins of `months`, the whole package; `month` when the page is a
    month's own index (its run.json and data package are linked)."""
    return Provenance(
        bulletins=tuple(bulletin(root, m) for m in months),
        version=version(),
        library=package_digest()[:SHORT],
        commit=code_commit(root),
        lock=lock_digest(root),
        parameters=shown_parameters(parameters, root),
        built=build.build_time().isoformat(timespec="seconds"),
        links=links(month, "" if lang == "zh" else "../") if month else every_month_links(months),
    )


def every_month_links(months: list[str]) -> tuple[tuple[str, str], ...]:
    """The months index links each month's run.json and data package."""
    return tuple(
        (href, href)
        for m in sorted(months, reverse=True)
        for href in (f"{m}/run.json", f"{m}/{DATA_FOLDER}/datapackage.json")
    )

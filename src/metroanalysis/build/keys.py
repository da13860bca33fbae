"""What was built from what: the build records that make runs incremental.

A step's *inputs* are digests of everything that shapes its output; a record of them is written
beside the output only after the output is complete, so a crash mid-build leaves no record and
the step runs again. What makes what stale, and where to change it:

- a month's clean tables (`data/processed/MONTH/build.json`, `clean_inputs`): the raw bulletin,
  the reference files, the library modules that cleaning imports (followed statically from
  `pipeline`, see `library_digest`) with their packaged data, the versions in `CLEAN_PACKAGES`;
- a report (`reports/MONTH[/LANG]/.build/NN-name.json`, `report_key`): the notebook and its
  sibling files `notebooks/NN-name.*` (its catalog), the library modules its code cells import
  (followed statically), the export step's modules and templates (`REPORT_TEMPLATES`), the
  month's and every earlier month's clean tables, the parameters, the versions in
  `REPORT_PACKAGES`, and `FORMAT` (bump it when reports change in a way no digest sees).

So a wording edit in one notebook re-executes that notebook only; an edit to
`analysis/kiosks.py` re-executes the reports whose notebooks import it; no report-only module
is ever part of the clean step. This module stays light (no pandas, no Jupyter): deciding that
nothing needs doing must be fast.

Here: the inputs and keys (and the library code a step imports); the records written beside
outputs are in `build_records`, the digests, atomic files and build time in `build_files`, both
read through this module too.
"""

from __future__ import annotations

import ast
import json
import os
import re
import sys
from contextlib import contextmanager
from functools import cache
from importlib import metadata
from pathlib import Path

# A build's parts are read through this module: its files and its records are re-exported.
from metroanalysis.build.files import build_time as build_time
from metroanalysis.build.files import digest as digest
from metroanalysis.build.files import file_digest as file_digest
from metroanalysis.build.files import files_digest as files_digest
from metroanalysis.build.files import now as now
from metroanalysis.build.files import read_json as read_json
from metroanalysis.build.files import source_date_epoch as source_date_epoch
from metroanalysis.build.files import write_atomic as write_atomic
from metroanalysis.build.records import RecordIndex as RecordIndex
from metroanalysis.build.records import durations as durations
from metroanalysis.build.records import is_current as is_current
from metroanalysis.build.records import output_digests as output_digests
from metroanalysis.build.records import read_record as read_record
from metroanalysis.build.records import record_built as record_built
from metroanalysis.build.records import record_failed as record_failed
from metroanalysis.build.records import record_path as record_path

PACKAGE_DIR = Path(__file__).resolve().parents[1]
PACKAGE = "metroanalysis"
FORMAT = 2  # bump when the way reports are built changes in a way no digest can see
CLEAN_ENTRY = f"{PACKAGE}.clean.pipeline"  # the module of `clean_month`: cleaning is what it imports
EXPORT_ENTRY = f"{PACKAGE}.publish.export"  # the HTML export step, part of every report
# The export step's files (the page frame, its CSS and words); the index pages' templates are not
# here: they are rewritten on every run and never make a report stale.
REPORT_TEMPLATES = tuple(
    f"publish/templates/{name}"
    for name in ("report.html.j2", "provenance.html.j2", "report.css", "base.css", "csp.html.j2", "en.yml")
)
# Packages whose versions shape the clean tables; those and the rest shape a report.
CLEAN_PACKAGES = ("pandas", "numpy", "charset-normalizer", "lxml", "python-docx")
REPORT_PACKAGES = (
    *CLEAN_PACKAGES,
    "papermill",
    "nbconvert",
    "nbclient",
    "nbformat",
    "ipykernel",
    "matplotlib",
    "seaborn",
    "mplfonts",
    "mistune",
    "pygments",
    "jupyterlab_pygments",
    "jinja2",
    "pyyaml",
)


# ---------------------------------------------------------------------------------------------
# Digests


def module_files(*names: str) -> list[Path]:
    """The source files of this package's modules, by dotted name (a page's code, for its key):
    names, not paths, so a module that moves is still found."""
    listing = package_listing(PACKAGE_DIR)
    found = [module_path(name, PACKAGE_DIR, listing) for name in names]
    missing = [name for name, path in zip(names, found, strict=True) if path is None]
    if missing:
        raise ValueError(f"no module {', '.join(missing)} in {PACKAGE_DIR}")
    return found


# Within `sources_held_still()`, each library file is read once and each library digest worked
# out once: planning a run computes a key per notebook, month and language (60 for a year), each of
# which reads and hashes the same few dozen modules. Outside it nothing is kept, so a file changed
# between two calls is always seen.
_HELD: dict | None = None


@contextmanager
def sources_held_still():
    """The library's files do not change while a run plans its work."""
    global _HELD
    outer = _HELD
    _HELD = {} if outer is None else outer
    try:
        yield
    finally:
        _HELD = outer


def _held(key, compute):
    if _HELD is None:
        return compute()
    if key not in _HELD:
        _HELD[key] = compute()
    return _HELD[key]


def read_library_file(path: Path) -> bytes:
    return _held(("bytes", str(path)), Path(path).read_bytes)


@cache
def versions(packages: tuple[str, ...]) -> dict[str, str]:
    found = {"python": sys.version.split()[0]}
    for name in packages:
        try:
            found[name] = installed_version(name)
        except metadata.PackageNotFoundError:
            found[name] = "absent"
    return found


_VERSION = re.compile(r"^Version:[ \t]*(\S+)[ \t]*$", re.M)


def installed_version(name: str) -> str:
    """What `metadata.version(name)` says, read off the METADATA file's Version line: the email
    parser `metadata.version` goes through costs a tenth of a nothing-changed run for our 23."""
    dist = metadata.distribution(name)
    found = _VERSION.search(dist.read_text("METADATA") or dist.read_text("PKG-INFO") or "")
    return found.group(1) if found else dist.version


# ---------------------------------------------------------------------------------------------
# Which library modules a step uses: imports followed statically (ast), transitively, including
# imports inside functions, so a lazily imported module counts as much as a top-level one.


def imported_names(tree: ast.AST, module: str, is_package: bool) -> set[str]:
    """Every module name `tree` imports (absolute; relative imports resolved against `module`),
    with `from X import y` counted as X and X.y (y may be a submodule or a name in X)."""
    here = module if is_package else module.rpartition(".")[0]
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here.rsplit(".", node.level - 1)[0] if node.level > 1 else here
                source = f"{base}.{node.module}" if node.module else base
            else:
                source = node.module or ""
            names.add(source)
            names.update(f"{source}.{alias.name}" for alias in node.names)
    return names


# An import statement at any depth (in a function, an `if`, a `try`), up to its closing
# parenthesis. Only these lines are parsed: parsing whole modules costs most of a second on a
# busy machine, and an import inside a string only makes a step stale more often, never less.
_IMPORT = re.compile(r"^[ \t]*(?:from[ \t]+[\w.]+[ \t]+import[ \t]*(?:\([^)]*\)|[^\n]*)|import[ \t]+[^\n]*)", re.M)


def import_statements(source: str) -> ast.Module:
    """The import statements of `source`, parsed with ast (all at once; one by one only when
    one of them does not parse, e.g. a match inside a string)."""
    statements = [m.group(0).strip() for m in _IMPORT.finditer(source)]
    try:
        return ast.parse("\n".join(statements))
    except SyntaxError:
        pass
    body: list[ast.stmt] = []
    for m in _IMPORT.finditer(source):
        try:
            body.extend(ast.parse(m.group(0).strip()).body)
        except SyntaxError:
            continue
    return ast.Module(body=body, type_ignores=[])


@cache
def _module_imports(path: Path, stamp: tuple[int, int], module: str) -> frozenset[str]:
    tree = import_statements(path.read_text(encoding="utf-8"))
    return frozenset(imported_names(tree, module, path.name == "__init__.py"))


def module_imports(path: Path, module: str) -> frozenset[str]:
    stat = path.stat()
    return _module_imports(path, (stat.st_mtime_ns, stat.st_size), module)


def with_parents(name: str) -> list[str]:
    """a.b.c → [a, a.b, a.b.c]: importing a submodule runs its packages' __init__ first."""
    parts = name.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def closure(entries: set[str], package_dir: Path | None = None) -> set[Path]:
    """The files of every package module reachable from the modules `entries` by import, plus
    the data files (CSV, JSON) of every package reached (e.g. reference/*.csv)."""
    base = package_dir or PACKAGE_DIR
    listing = package_listing(base)
    seen: set[str] = set()
    todo = [n for e in entries for n in with_parents(e)]
    files: set[Path] = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        path = module_path(name, base, listing)
        if path is None:
            continue  # not a module of the package (a name inside one, or another package)
        files.add(path)
        if path.name == "__init__.py":
            folder = path.parent.relative_to(base).as_posix()
            here = "" if folder == "." else folder
            files.update(base / f for f in listing if f.rpartition("/")[0] == here and f.endswith((".csv", ".json")))
        todo.extend(n for imported in module_imports(path, name) for n in with_parents(imported) if n not in seen)
    return files


def package_listing(base: Path) -> frozenset[str]:
    """Every file of the package, as paths relative to it (one walk, not a look-up per name)."""

    def walk() -> frozenset[str]:
        found = set()
        for folder, dirs, names in os.walk(base):
            dirs[:] = [d for d in dirs if d != "__pycache__"]
            rel = os.path.relpath(folder, base).replace(os.sep, "/")
            found.update(name if rel == "." else f"{rel}/{name}" for name in names)
        return frozenset(found)

    return _held(("listing", str(base)), walk)


def module_path(name: str, base: Path, listing: frozenset[str]) -> Path | None:
    """metroanalysis.analysis.kiosks → BASE/analysis/kiosks.py (or …/__init__.py), if listed."""
    parts = name.split(".")
    if parts[0] != PACKAGE:
        return None
    rel = "/".join(parts[1:])
    for candidate in (f"{rel}.py" if rel else None, f"{rel}/__init__.py" if rel else "__init__.py"):
        if candidate is not None and candidate in listing:
            return base / candidate
    return None


def library_digest(entries: set[str], extra: tuple[str, ...] = (), package_dir: Path | None = None) -> str:
    """The source of every package module reachable from `entries`, and the package files
    `extra` (paths relative to the package): what a step runs of this library."""
    base = package_dir or PACKAGE_DIR

    def compute() -> str:
        paths = closure(entries, base) | {base / p for p in extra if (base / p).is_file()}
        return files_digest(sorted(paths), base, read_library_file)

    return _held(("library", frozenset(entries), extra, str(base)), compute)


def notebook_imports(code_cells: list[str]) -> set[str]:
    """The package modules a notebook's code cells import (IPython magics and shell lines
    skipped; a cell that is not Python is left out rather than failing the run)."""
    names: set[str] = set()
    for source in code_cells:
        tree = import_statements(source)  # magics and shell lines (%, !) are not imports
        names.update(n for n in imported_names(tree, "__main__", False) if n.split(".")[0] == PACKAGE)
    return names


def notebook_code(path: Path) -> list[str]:
    """The code cells of a notebook, read as JSON (no nbformat: this module stays light). A file
    that is not a notebook has none: its run fails and names the file, never this digest."""
    try:
        nb = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(nb, dict):
        return []
    cells = [c for c in nb.get("cells", []) if c.get("cell_type") == "code"]
    return ["".join(c["source"]) if isinstance(c.get("source"), list) else c.get("source", "") for c in cells]


# ---------------------------------------------------------------------------------------------
# The clean step


def reference_digest(root: Path) -> str:
    folder = root / "data" / "reference"
    paths = list(folder.glob("*.csv")) if folder.is_dir() else []
    return files_digest(paths, folder) if paths else "packaged"


def clean_inputs(root: Path, bulletin: Path) -> dict:
    return {
        "step": "clean",
        "bulletin_sha256": file_digest(bulletin),
        "reference": reference_digest(root),
        "library": library_digest({CLEAN_ENTRY}, ("messages.en.yml",)),  # quality.csv's messages in English
        "versions": versions(CLEAN_PACKAGES),
    }


def is_fresh(record: Path, inputs: dict, outputs: list[Path]) -> bool:
    """True when every output exists and was built from exactly these inputs."""
    if not record.is_file() or not all(p.is_file() for p in outputs):
        return False
    try:
        return json.loads(record.read_text(encoding="utf-8")) == inputs
    except (OSError, ValueError):
        return False


def is_clean(folder: Path, inputs: dict | None) -> bool:
    """`folder` holds a month's clean tables made from `inputs` (`clean_inputs`); a folder
    with no inputs to compare (its bulletin is not in the project) is taken as it is."""
    if not (folder / "datapackage.json").is_file():
        return False
    return inputs is None or is_fresh(folder / "build.json", inputs, [folder / "datapackage.json"])


def record_text(inputs: dict) -> str:
    return json.dumps(inputs, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


# ---------------------------------------------------------------------------------------------
# Reports


def processed_digest(folder: Path) -> str:
    """A month's clean tables, as a digest: the clean step's build record when there is one
    (same inputs, same tables), else the files themselves. Within `sources_held_still`, a record
    is hashed once per version of it (planning reads every earlier month's for every month)."""
    record = folder / "build.json"
    try:
        stat = record.stat()
    except OSError:
        return files_digest([p for p in folder.iterdir() if p.is_file()], folder) if folder.is_dir() else ""
    return _held(("processed", str(record), stat.st_mtime_ns, stat.st_size), lambda: file_digest(record))


def month_inputs(bulletin: Path, processed: Path, months: list[str], month: str) -> dict[str, str]:
    """What every report of a month is built from, in two parts a changed input is named by:
    `tables`, its bulletin and clean tables and those of every earlier month (month-over-month
    and trends read them); `versions`, the versions of what renders a report, and FORMAT."""
    history = {m: processed_digest(processed / m) for m in months if m <= month}
    return {
        "tables": digest({"bulletin": file_digest(bulletin), "processed": history}),
        "versions": digest({"versions": versions(REPORT_PACKAGES), "format": FORMAT}),
    }


def notebook_files(notebook: Path) -> list[Path]:
    """The notebook and the files beside it that belong to it: notebooks/NN-name.* (its
    catalog NN-name.en.yml, a NN-name.yml of chart words)."""
    stem = notebook.name.removesuffix(".ipynb")
    return sorted(p for p in notebook.parent.glob(f"{stem}.*") if p.is_file())


def report_inputs(notebook: Path, month_part: dict | str, parameters: dict, kernel: str) -> dict:
    """Everything one report is built from, by part: `notebook`, `catalog` (its sibling files),
    `library`, `tables` and `versions` (`month_inputs`), `parameters`, `kernel`. Recorded with
    the report, so `verify` can say which part changed."""
    files = notebook_files(notebook)
    catalog = [p for p in files if p != notebook]
    library = library_digest(notebook_imports(notebook_code(notebook)) | {EXPORT_ENTRY}, REPORT_TEMPLATES)
    month = month_part if isinstance(month_part, dict) else {"month": month_part}
    return {
        **month,
        "notebook": files_digest([notebook], notebook.parent) if notebook.is_file() else "",
        "catalog": files_digest(catalog, notebook.parent),
        "library": library,
        "parameters": parameters,
        "kernel": kernel,
    }


def report_key(notebook: Path, month_part: dict | str, parameters: dict, kernel: str) -> str:
    """The key of one report: when it differs from the recorded one, the report is rebuilt."""
    return digest(report_inputs(notebook, month_part, parameters, kernel))


def changed_inputs(recorded: dict | None, now: dict) -> list[str]:
    """The parts of a report's inputs (`report_inputs`) that differ from those recorded."""
    if not isinstance(recorded, dict):
        return []
    return sorted(k for k in recorded.keys() | now.keys() if recorded.get(k) != now.get(k))

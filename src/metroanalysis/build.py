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
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import re
import sys
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache
from importlib import metadata
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PACKAGE = "metroanalysis"
FORMAT = 2  # bump when the way reports are built changes in a way no digest can see
CLEAN_ENTRY = f"{PACKAGE}.pipeline"  # the module of `clean_month`: cleaning is what it imports
EXPORT_ENTRY = f"{PACKAGE}.export"  # the HTML export step, part of every report
# The export step's files (the page frame, its CSS and words); the index pages' templates are not
# here: they are rewritten on every run and never make a report stale.
REPORT_TEMPLATES = tuple(
    f"templates/{name}"
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
    found = []
    for name in names:
        rel = name.removeprefix(PACKAGE + ".").replace(".", "/")
        path = PACKAGE_DIR / f"{rel}.py"
        found.append(path if path.is_file() else PACKAGE_DIR / rel / "__init__.py")
    return found


def file_digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def files_digest(paths: list[Path], base: Path, read=lambda path: Path(path).read_bytes()) -> str:
    h = hashlib.sha256()
    for path in sorted(paths):
        h.update(str(Path(path).relative_to(base).as_posix()).encode() + b"\0" + read(path) + b"\0")
    return h.hexdigest()


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


def digest(obj) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


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


def record_path(out_dir: Path, name: str) -> Path:
    return Path(out_dir) / ".build" / f"{name}.json"


def read_json(path: Path) -> dict:
    try:
        found = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def read_record(out_dir: Path, name: str) -> dict:
    return read_json(record_path(out_dir, name))


def is_current(out_dir: Path, name: str, key: str) -> bool:
    """Built for `key`, and its page and notebook are still the files that build wrote: a run
    stopped mid-notebook (Ctrl-C, a killed worker) may have left a half-executed notebook in
    place of the good one before it could record anything, and an edited page is not the
    report either; both are built again (a few milliseconds of hashing per report)."""
    record = read_record(out_dir, name)
    return (
        record.get("status") == "ok"
        and record.get("key") == key
        and (out_dir / f"{name}.html").is_file()
        and (out_dir / f"{name}.ipynb").is_file()
        and record.get("outputs") == output_digests(out_dir, name)
    )


class RecordIndex:
    """OUT_ROOT/.state/records.json: one file that remembers, for every report found up to date,
    its key, its title and the size and time of last change of its record, page and notebook.
    A report whose three files still have exactly those is up to date without reading its
    record or hashing its page: a nothing-changed rerun over ten years of months reads this one
    file and stats the rest. Anything else (a file touched, a key changed, an entry missing)
    takes the full check, `is_current`. Only a cache: it is run state, not output; deleting it,
    or two runs overwriting each other's, costs a slower check, never a wrong answer."""

    def __init__(self, out_root: Path):
        self.out_root = Path(out_root)
        self.path = self.out_root / ".state" / "records.json"
        self.entries = read_json(self.path)
        self.changed = False

    def _stats(self, out_dir: Path, name: str) -> list | None:
        found = []
        for path in (record_path(out_dir, name), out_dir / f"{name}.html", out_dir / f"{name}.ipynb"):
            try:
                st = path.stat()
            except OSError:
                return None
            found.append([st.st_size, st.st_mtime_ns])
        return found

    def title(self, out_dir: Path, name: str, key: str) -> str | None:
        """The report's title when it is up to date for `key`, else None."""
        where = Path(out_dir).relative_to(self.out_root).as_posix() + "/" + name
        stats = self._stats(Path(out_dir), name)  # before the check: a change during it is seen next time
        entry = self.entries.get(where)
        if stats is not None and isinstance(entry, list) and entry[:2] == [key, stats]:
            return entry[2]
        if not is_current(out_dir, name, key):
            return None
        title = read_record(out_dir, name).get("title", name)
        self.entries[where], self.changed = [key, stats, title], True
        return title

    def save(self) -> None:
        if self.changed:
            write_atomic(self.path, json.dumps(self.entries, ensure_ascii=False, sort_keys=True) + "\n")
            self.changed = False


def record_built(
    out_dir: Path, name: str, key: str, title: str, finding: str | None, seconds: float, timings, inputs=None
) -> None:
    """Written after both outputs are in place: the report is up to date for `key`, built from
    `inputs` (`report_inputs`, digests and the path-free parameters)."""
    record = {
        "status": "ok",
        "key": key,
        "inputs": inputs,
        "title": title,
        "finding": finding,
        "built": now(),
        **durations(seconds, timings),
        "outputs": output_digests(out_dir, name),
    }
    write_atomic(record_path(out_dir, name), json.dumps(record, ensure_ascii=False, indent=1))


def record_failed(out_dir: Path, name: str, error: str | None) -> None:
    """A failure keeps what the surviving HTML (if any) was built from (title, finding) but
    never counts as up to date, so the next run retries."""
    previous = read_record(out_dir, name)
    good = previous.get("good") if previous.get("status") == "failed" else previous
    html_exists = (out_dir / f"{name}.html").is_file()
    record = {
        "status": "failed",
        "error": error,
        "failed": now(),
        "good": ({k: good.get(k) for k in ("title", "finding", "built")} if html_exists and good else None),
    }
    write_atomic(record_path(out_dir, name), json.dumps(record, ensure_ascii=False, indent=1))


# ---------------------------------------------------------------------------------------------
# Writing safely


def write_atomic(path: Path, text: str) -> None:
    """Write to a temporary file beside `path`, then move it into place: a crash never leaves a
    half-written file where a good one was."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def output_digests(out_dir: Path, name: str) -> dict[str, str]:
    """The SHA-256 of the report's files as written, so `metroanalysis verify` can tell a page
    edited (or damaged) after it was built."""
    files = (Path(out_dir) / f"{name}{suffix}" for suffix in (".html", ".ipynb"))
    return {p.name: file_digest(p) for p in files if p.is_file()}


# ---------------------------------------------------------------------------------------------
# Time: every "built at" stamp comes from here. With SOURCE_DATE_EPOCH set (the
# reproducible-builds convention, https://reproducible-builds.org/specs/source-date-epoch/) it is
# that moment, in UTC, and no duration is recorded, so two builds of the same inputs are
# byte-identical; without it, the wall clock.


def source_date_epoch() -> int | None:
    """SOURCE_DATE_EPOCH as whole seconds, None when unset or empty; a value that is not a
    whole number is a usage error, never silently the wall clock."""
    text = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not text:
        return None
    if not text.isdigit():
        from .errors import UsageError

        raise UsageError(f"SOURCE_DATE_EPOCH={text!r}: expected whole seconds since 1970-01-01 UTC")
    return int(text)


def build_time() -> datetime:
    """When this build happened: SOURCE_DATE_EPOCH in UTC if set, else now (local, with offset)."""
    epoch = source_date_epoch()
    return datetime.fromtimestamp(epoch, UTC) if epoch is not None else datetime.now().astimezone()


def now() -> str:
    return build_time().strftime("%Y-%m-%d %H:%M")


def durations(seconds: float, timings: dict[str, float]) -> dict:
    """How long a report took, for a record; nothing measured when the build must be reproducible
    (a duration is never the same twice)."""
    if source_date_epoch() is not None:
        return {"seconds": None, "timings": {}}
    return {"seconds": round(seconds, 3), "timings": {k: round(v, 3) for k, v in timings.items()}}

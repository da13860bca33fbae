"""Run the notebooks for each month and publish them as HTML a reviewer reads from disk.

For every month and every `NN-name.ipynb` in the notebooks folder (sorted):

1. execute it with Papermill, in this process (no `papermill` / `jupyter nbconvert` process per
   step), parameters injected, the notebooks folder as working directory, into
   `reports/MONTH/NN-name.ipynb`;
2. export `reports/MONTH/NN-name.html` with nbconvert's HTMLExporter: code hidden, charts embedded
   as base64 PNG, `<html lang="zh">`, nothing fetched from the network (the lab template's
   require.js, MathJax, Mermaid and widget scripts are dropped, and a Content-Security-Policy
   forbids any script or fetch, even one smuggled in through an entity name in a table);
3. write `reports/MONTH/index.html` (the month's reports, one-line finding each) and
   `reports/index.html` (every month, newest first).

Every output is written to a temporary file and moved into place with `os.replace`, so a crash
or a failing notebook never leaves a half-written file where a good one was. A failing notebook
keeps its executed notebook (with the error) but never replaces a good HTML report; the others
still run, and each failure is named on stderr in one line.

Incremental: a report is rebuilt only when what it is built from changed (the notebook, the
month's bulletin and processed tables, this library's source, the parameters, the versions of
the packages that shape the output). The record of what was built from what lives in
`reports/MONTH/.build/NN-name.json`, written only after both outputs are in place, so a build
interrupted half-way is never taken as done. `force=True` rebuilds everything.

Parallel: `jobs` > 1 runs reports in a pool of worker processes (each imports Papermill and
nbconvert once); a kernel that fails to start (port clash, start time-out) is retried once.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from . import build
from . import html as pages
from .locking import month_lock
from .paths import Project, check_month

NOTEBOOK = re.compile(r"^(?P<number>\d{2})-(?P<slug>[A-Za-z0-9_-]+)\.ipynb$")
KERNEL = "python3"
FORMAT = 1  # bump when the way reports are built changes in a way the source hash cannot see
START_TIMEOUT = 60  # seconds for a kernel to start
CELL_TIMEOUT = 600  # seconds for one cell
# Packages whose versions shape an executed report; a change rebuilds every report.
VERSIONED = (
    "papermill",
    "nbconvert",
    "nbclient",
    "nbformat",
    "ipykernel",
    "pandas",
    "numpy",
    "matplotlib",
    "seaborn",
    "mplfonts",
    "mistune",
    "pygments",
    "jupyterlab_pygments",
)

# The lab template without anything that would be fetched from the network: require.js (only
# used by widgets), MathJax and Mermaid from a CDN, the widget manager. CSS is inlined by the
# lab template itself. Added: Chinese fonts, readable width, a link back to the month's index,
# and the month and finding as <meta> tags for tools that read the HTML alone.
TEMPLATE = r"""
{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block extra_css -%}
<meta http-equiv="Content-Security-Policy" content="{{ resources.metroanalysis.csp }}">
<meta name="generator" content="metroanalysis">
<meta name="metroanalysis-month" content="{{ resources.metroanalysis.month | e }}">
<meta name="metroanalysis-finding" content="{{ resources.metroanalysis.finding | e }}">
<style type="text/css">{{ resources.metroanalysis.css }}</style>
{%- endblock extra_css -%}
{%- block body_header -%}
{{ super() }}
<nav class="ma-nav"><a href="index.html">{{ resources.metroanalysis.back | e }}</a>
<span>{{ resources.metroanalysis.brand | e }} · {{ resources.metroanalysis.month_label | e }}</span></nav>
{%- endblock body_header -%}
{%- block body_footer -%}
<footer class="ma-footer">{{ resources.metroanalysis.footer | e }}</footer>
{{ super() }}
{%- endblock body_footer -%}
"""

REPORT_CSS = f"""
:root {{ --jp-content-font-family: {pages.FONT_STACK}; --jp-ui-font-family: {pages.FONT_STACK};
  --jp-content-font-size1: 15px; --jp-content-line-height: 1.75; }}
body.jp-Notebook {{ font-family: {pages.FONT_STACK}; max-width: 1040px; margin: 0 auto !important;
  padding: 0 24px 48px !important; background: #fff; }}
.jp-Cell {{ padding-left: 0 !important; padding-right: 0 !important; }}
.jp-OutputArea-output img {{ max-width: 100%; height: auto; }}
.jp-RenderedHTMLCommon {{ padding-right: 0 !important; }}
.jp-RenderedHTMLCommon table {{ font-variant-numeric: tabular-nums; }}
.ma-nav {{ display: flex; justify-content: space-between; gap: 16px; font-size: 14px; color: #59636e;
  padding: 14px 0; border-bottom: 1px solid #d8dee4; margin-bottom: 8px; }}
.ma-nav a {{ color: #0b57d0; text-decoration: none; }}
.ma-footer {{ color: #59636e; font-size: 12px; border-top: 1px solid #d8dee4; margin-top: 32px; padding-top: 12px; }}
"""


@dataclass
class Task:
    """One notebook for one month: everything a worker process needs, as plain strings."""

    month: str
    notebook: str  # absolute path of notebooks/NN-name.ipynb
    out_dir: str  # absolute path of reports/MONTH
    parameters: dict[str, str]
    key: str  # hash of everything the report is built from
    lang: str = "zh"
    progress: bool = True


@dataclass
class Outcome:
    month: str
    name: str
    ok: bool
    seconds: float = 0.0
    title: str = ""
    finding: str | None = None
    error: str | None = None
    skipped: bool = False
    attempts: int = 1
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    lang: str = "zh"


# ---------------------------------------------------------------------------------------------
# The entry point


def report_months(
    project: Project,
    months: list[str],
    notebooks: str | Path | None = None,
    output: str | Path | None = None,
    force: bool = False,
    jobs: int | None = None,
    langs: tuple[str, ...] = ("zh",),
) -> bool:
    """Execute and export every notebook for every month, in each language (Chinese reports in
    reports/MONTH/, English ones in reports/MONTH/en/); True if every report is good."""
    nb_dir = Path(notebooks).expanduser().resolve() if notebooks else project.notebooks
    out_root = Path(output).expanduser().resolve() if output else project.reports
    found = list_notebooks(nb_dir)
    if not found:
        fail_line(f"no notebooks named NN-name.ipynb in {nb_dir}")
        return False
    for month in months:
        check_month(project, month)
    project.processed.mkdir(parents=True, exist_ok=True)
    with ExitStack() as locks:
        # One run per month at a time (sorted: two runs never wait for each other in a circle).
        for month in sorted(set(months)):
            locks.enter_context(month_lock(project.processed, month))
        return report_locked(project, months, nb_dir, out_root, found, force, jobs, langs)


def month_dir(out_root: Path, month: str, lang: str) -> Path:
    return out_root / month if lang == pages.LANG else out_root / month / lang


def report_locked(
    project: Project, months: list[str], nb_dir: Path, out_root: Path, found: list[Path], force: bool, jobs, langs
) -> bool:
    ok = True
    started_at = now_iso()
    tasks: list[Task] = []
    skipped: list[Outcome] = []
    cleaned = False
    for month in months:
        try:
            cleaned |= ensure_processed(project, month)
        except Exception as err:  # a bulletin that cannot be cleaned: no report for this month
            fail_line(f"{month}: cannot clean the bulletin, no reports: {last_line(err)}")
            ok = False
            continue
        common = inputs_digest(project, month)
        for lang in langs:
            sweep_leftovers(month_dir(out_root, month, lang))
        for lang, nb in ((lang, nb) for lang in langs for nb in found):
            out_dir = month_dir(out_root, month, lang)
            out_dir.mkdir(parents=True, exist_ok=True)
            parameters = {
                "month": month,
                "root": str(project.root),
                "processed_dir": str(project.processed),
                "reports_dir": str(out_root),
                "lang": lang,
            }
            key = digest(
                {"common": common, "notebook": build.file_digest(nb), "parameters": parameters, "kernel": KERNEL}
            )
            if not force and is_current(out_dir, nb.stem, key):
                record = read_record(out_dir, nb.stem)
                skipped.append(
                    Outcome(month, nb.stem, True, 0.0, record.get("title", nb.stem), skipped=True, lang=lang)
                )
                continue
            tasks.append(Task(month, str(nb), str(out_dir), parameters, key, lang))

    if cleaned:  # keep data/processed/all in step with the month folders, as `clean` does
        from .pipeline import stack_months

        with month_lock(project.processed, "all"):
            stack_months(project)
    jobs = max(1, jobs if jobs else (os.cpu_count() or 1))
    total = len(tasks)
    if skipped:
        print(f"{len(skipped)} report(s) unchanged, not re-executed")
    if total == 0 and skipped:
        print("nothing changed: every report is up to date")
    outcomes: list[Outcome] = []
    started = time.perf_counter()
    for done, outcome in enumerate(run_tasks(tasks, jobs), start=1):
        outcomes.append(outcome)
        state = "ok" if outcome.ok else "FAILED"
        print(f"[{done}/{total}] {outcome.month} {outcome.name}: {state} in {outcome.seconds:.1f} s", flush=True)
        if outcome.warnings:
            print(
                f"warning: {outcome.month} {outcome.name}: {len(outcome.warnings)} chart text(s) drawn without "
                f"a font for them (shown as boxes), e.g. {outcome.warnings[0]}",
                file=sys.stderr,
                flush=True,
            )
    if total:
        elapsed = time.perf_counter() - started
        print(f"{total} report(s) in {elapsed:.1f} s ({jobs} job{'s' if jobs > 1 else ''})")

    for month in sorted({t.month for t in tasks} | {o.month for o in skipped}):
        for lang in langs:
            done = [o for o in [*skipped, *outcomes] if o.lang == lang]
            write_month_index(month_dir(out_root, month, lang), month, [nb.stem for nb in found], lang)
            write_run_record(month_dir(out_root, month, lang), month, started_at, done)
        write_headlines(project, out_root / month, month)
    write_root_index(out_root)

    failures = [o for o in outcomes if not o.ok]
    for o in sorted(failures, key=lambda o: (o.month, o.name)):
        fail_line(f"report failed: {o.month} {o.name}: {o.error} (see {Path(out_root, o.month, o.name)}.ipynb)")
    return ok and not failures


def fail_line(message: str) -> None:
    print(f"metroanalysis: error: {' '.join(message.split())}", file=sys.stderr, flush=True)


def list_notebooks(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if NOTEBOOK.match(p.name) and p.is_file())


def ensure_processed(project: Project, month: str) -> bool:
    """Clean the month's bulletin if it was never cleaned (the caller holds the month's lock),
    with its build record as `metroanalysis clean` writes it; True if it was cleaned now."""
    folder = project.processed_month(month)
    if (folder / "datapackage.json").is_file():
        return False
    from .pipeline import clean_month

    clean_month(project, month, record=build.clean_inputs(project.root, project.bulletin(month)))
    return True


# ---------------------------------------------------------------------------------------------
# Running: in this process (jobs == 1) or in a pool of worker processes


def run_tasks(tasks: list[Task], jobs: int):
    """Yield an Outcome per task as each finishes."""
    if jobs == 1 or len(tasks) <= 1:
        for task in tasks:
            yield run_task(task)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    for task in tasks:
        task.progress = False  # several progress bars on one terminal are unreadable
    # forkserver/spawn: a worker must not inherit a half-initialised zmq context or kernel
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    with ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=context) as pool:
        futures = {pool.submit(run_task, task): task for task in tasks}
        for future in as_completed(futures):
            task = futures[future]
            try:
                yield future.result()
            except Exception as err:  # the worker itself died
                yield Outcome(task.month, Path(task.notebook).stem, False, error=last_line(err))


def _local_kernel_manager():
    """Kernels talk over local IPC sockets, not TCP: no port to clash between parallel
    kernels, and no "running over TCP without encryption" warning on every start."""
    from jupyter_client.manager import AsyncKernelManager

    class LocalKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            kwargs.setdefault("transport", "ipc")
            kwargs.setdefault("ip", os.path.join(tempfile.gettempdir(), f"metroanalysis-kernel-{uuid.uuid4().hex}"))
            super().__init__(**kwargs)

    return LocalKernelManager


def run_task(task: Task) -> Outcome:
    """Execute one notebook for one month and export its HTML; never raises."""
    nb_path, out_dir = Path(task.notebook), Path(task.out_dir)
    name = nb_path.stem
    started = time.perf_counter()
    outcome = Outcome(task.month, name, False)
    for attempt in (1, 2):
        outcome.attempts = attempt
        try:
            execute_and_export(task, outcome)
            outcome.ok = True
            break
        except Exception as err:
            outcome.error = last_line(err)
            if attempt == 1 and is_startup_race(err):
                continue
            break
    if not outcome.ok and not outcome.title:
        outcome.title = source_title(nb_path)
    outcome.seconds = time.perf_counter() - started
    record_outcome(out_dir, name, task.key, outcome)
    return outcome


def execute_and_export(task: Task, outcome: Outcome) -> None:
    papermill, _ = lean_imports()
    nb_path, out_dir = Path(task.notebook), Path(task.out_dir)
    name = nb_path.stem
    final_ipynb = out_dir / f"{name}.ipynb"
    running = out_dir / f".{name}.{os.getpid()}.running.ipynb"
    t0 = time.perf_counter()
    try:
        nb = papermill.execute_notebook(
            literal_path(nb_path),
            literal_path(running),
            parameters=task.parameters,
            kernel_name=KERNEL,
            progress_bar=task.progress,
            cwd=str(nb_path.parent),
            start_timeout=START_TIMEOUT,
            execution_timeout=CELL_TIMEOUT,
            kernel_manager_class=_local_kernel_manager(),
        )
    finally:
        # the executed notebook is kept, with its error if it failed
        if running.exists():
            os.replace(running, final_ipynb)
    t1 = time.perf_counter()
    outcome.title = notebook_title(nb, name)
    outcome.finding = notebook_finding(nb)
    outcome.warnings = notebook_warnings(nb)
    html = export_html(nb, task.month, outcome.title, outcome.finding, task.lang)
    write_atomic(out_dir / f"{name}.html", html)
    outcome.timings = {"execute": t1 - t0, "export": time.perf_counter() - t1}


def literal_path(path: Path) -> str:
    """Papermill treats a path as a format string ("{month}.ipynb"): braces in a real folder
    name are doubled so the path arrives as it is."""
    return str(path).replace("{", "{{").replace("}", "}}")


def is_startup_race(err: Exception) -> bool:
    """A kernel that did not start (port clash, start time-out), as opposed to a notebook error."""
    from papermill.exceptions import PapermillExecutionError

    if isinstance(err, PapermillExecutionError):
        return False
    text = f"{type(err).__name__} {err}".lower()
    return any(
        s in text
        for s in ("kernel didn't respond", "address already in use", "timeout", "timed out", "kernel died", "zmq")
    )


def last_line(err: BaseException) -> str:
    """The exception's last line: `ValueError: boom` for an error raised inside a notebook."""
    ename, evalue = getattr(err, "ename", None), getattr(err, "evalue", None)
    if ename:
        lines = [x for x in str(evalue or "").splitlines() if x.strip()]
        return f"{ename}: {lines[-1].strip()}" if lines else str(ename)
    lines = [x.strip() for x in str(err).splitlines() if x.strip()]
    return lines[-1] if lines else type(err).__name__


_IMPORTED: tuple | None = None


def lean_imports():
    """Papermill and nbconvert, imported once per process, without the 0.7-1.2 s that importing
    jsonschema spends compiling the grammar of the optional `rfc3987_syntax` package (used only by
    the "iri" format check, which nbformat never asks for): while jsonschema's format checkers are
    set up, that import is made to fail, so jsonschema skips it; afterwards it works as before."""
    global _IMPORTED
    if _IMPORTED is None:
        blocked = "jsonschema" not in sys.modules and "rfc3987_syntax" not in sys.modules
        if blocked:
            sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]
        try:
            import nbconvert
            import papermill
        finally:
            if blocked and sys.modules.get("rfc3987_syntax", 0) is None:
                del sys.modules["rfc3987_syntax"]
        _IMPORTED = (papermill, nbconvert)
    return _IMPORTED


# ---------------------------------------------------------------------------------------------
# What a notebook says about itself


def notebook_title(nb, default: str) -> str:
    """The title the notebook displayed (`notebook.title()`, in the report's language), else its
    metadata title, else its first Markdown heading, else its file name."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            shown = out.get("metadata", {}).get("metroanalysis", {}).get("title")
            if isinstance(shown, str) and shown.strip():
                return shown.strip()
    title = nb.metadata.get("title")
    if isinstance(title, str) and title.strip():
        return title.strip()
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                m = re.match(r"^\s{0,3}#{1,2}\s+(.+?)\s*#*\s*$", line)
                if m:
                    return re.sub(r"[*_`]", "", m.group(1)).strip()
    return default


def source_title(path: Path) -> str:
    try:
        import nbformat

        return notebook_title(nbformat.read(path, as_version=4), path.stem)
    except Exception:
        return path.stem


GLYPH = re.compile(r"Glyph \d+ .*? missing from (current )?font|findfont: Font family .*? not found")


def notebook_warnings(nb) -> list[str]:
    """Warnings a reviewer would see as broken charts (Chinese drawn as empty boxes), from the
    stderr the HTML leaves out."""
    found: list[str] = []
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                for m in GLYPH.finditer(out.get("text", "")):
                    if m.group(0) not in found:
                        found.append(m.group(0))
    return found


def notebook_finding(nb) -> str | None:
    """The text the notebook passed to `metroanalysis.notebook.finding` (its first, if several)."""
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            meta = out.get("metadata", {}).get("metroanalysis")
            if isinstance(meta, dict) and isinstance(meta.get("finding"), str):
                return " ".join(meta["finding"].split())
    return None


# ---------------------------------------------------------------------------------------------
# HTML export

_EXPORTERS: dict[str, object] = {}


def exporter(lang: str = pages.LANG):
    if lang not in _EXPORTERS:
        import jinja2

        _, nbconvert = lean_imports()
        from nbconvert.preprocessors import TagRemovePreprocessor

        remove = TagRemovePreprocessor(
            remove_cell_tags={"parameters", "injected-parameters", "remove-cell", "remove_cell"},
            remove_input_tags={"remove-input", "remove_input"},
            remove_all_outputs_tags={"remove-output", "remove_output"},
        )
        exp = nbconvert.HTMLExporter(
            template_name="lab",
            extra_loaders=[jinja2.DictLoader({"metroanalysis.html.j2": TEMPLATE})],
            template_file="metroanalysis.html.j2",
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
            embed_images=True,
            language_code=lang,
            theme="light",
        )
        exp.register_preprocessor(remove, enabled=True)
        _EXPORTERS[lang] = exp
    return _EXPORTERS[lang]


def export_html(nb, month: str, title: str, finding: str | None, lang: str = pages.LANG) -> str:
    nb = copy.deepcopy(nb)
    nb.metadata["title"] = title
    for cell in nb.cells:
        if cell.cell_type == "code":
            # warnings and logs stay in the executed .ipynb; a reviewer's page shows results only
            cell.outputs = [o for o in cell.outputs if not (o.output_type == "stream" and o.name == "stderr")]
    resources = {
        "metroanalysis": {
            "month": month,
            "month_label": pages.month_label(month, lang),
            "back": pages.TEXT[lang]["back"].format(label=pages.month_label(month, lang)),
            "brand": pages.TEXT[lang]["brand"],
            "footer": pages.TEXT[lang]["footer"].format(
                label=pages.month_label(month, lang), when=datetime.now().strftime("%Y-%m-%d %H:%M")
            ),
            "finding": finding or "",
            "css": REPORT_CSS,
            "csp": pages.CSP,
            "generated": datetime.now().strftime("%Y-%m-%d %H:%M"),
        }
    }
    body, _ = exporter(lang).from_notebook_node(nb, resources=resources)
    return strip_head_comments(body)


def strip_head_comments(html: str) -> str:
    """Drop CSS comments from the <head> (the lab theme's comments cite web pages; a reviewer
    checking that the page fetches nothing should not have to read them)."""
    head, sep, rest = html.partition("<body")
    return re.sub(r"/\*.*?\*/", "", head, flags=re.S) + sep + rest


# ---------------------------------------------------------------------------------------------
# Writing safely, remembering what was built from what


def sweep_leftovers(out_dir: Path) -> None:
    """Temporary files a killed run left behind (the caller holds the month's lock, so no live
    run is writing them): a half-executed notebook, a half-written page or record."""
    for folder in (out_dir, out_dir / ".build"):
        if folder.is_dir():
            for p in folder.iterdir():
                if p.name.startswith(".") and p.name.endswith((".running.ipynb", ".tmp")):
                    p.unlink(missing_ok=True)


def write_atomic(path: Path, text: str) -> None:
    path = Path(path)
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


def digest(obj) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def processed_digest(folder: Path) -> str:
    """A month's clean tables, as a digest: the clean step's build record when there is one
    (same inputs, same tables), else the files themselves."""
    record = folder / "build.json"
    if record.is_file():
        return build.file_digest(record)
    return build.files_digest([p for p in folder.iterdir() if p.is_file()], folder) if folder.is_dir() else ""


def inputs_digest(project: Project, month: str) -> str:
    """Everything a month's reports are built from: its clean tables and those of every earlier
    month (month-over-month and trends read them), the library's source, the versions of what
    renders a report."""
    history = {m: processed_digest(project.processed / m) for m in project.months() if m <= month}
    return digest(
        {
            "bulletin": build.file_digest(project.bulletin(month)),
            "processed": history,
            "library": build.library_digest("report"),
            "versions": build.versions(VERSIONED),
            "format": FORMAT,
        }
    )


def record_path(out_dir: Path, name: str) -> Path:
    return Path(out_dir) / ".build" / f"{name}.json"


def read_record(out_dir: Path, name: str) -> dict:
    try:
        return json.loads(record_path(out_dir, name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def is_current(out_dir: Path, name: str, key: str) -> bool:
    record = read_record(out_dir, name)
    return (
        record.get("status") == "ok"
        and record.get("key") == key
        and (out_dir / f"{name}.html").is_file()
        and (out_dir / f"{name}.ipynb").is_file()
    )


def record_outcome(out_dir: Path, name: str, key: str, outcome: Outcome) -> None:
    """Written after the outputs are in place. A failure keeps what the surviving HTML (if any)
    was built from (title, finding) but never counts as up to date, so the next run retries."""
    previous = read_record(out_dir, name)
    html_exists = (out_dir / f"{name}.html").is_file()
    if outcome.ok:
        record = {
            "status": "ok",
            "key": key,
            "title": outcome.title,
            "finding": outcome.finding,
            "built": datetime.now().strftime("%Y-%m-%d %H:%M"),
            "seconds": round(outcome.seconds, 3),
            "timings": {k: round(v, 3) for k, v in outcome.timings.items()},
        }
    else:
        good = previous.get("good") if previous.get("status") == "failed" else previous
        record = {
            "status": "failed",
            "error": outcome.error,
            "failed": datetime.now().strftime("%Y-%m-%d %H:%M"),
            "good": ({k: good.get(k) for k in ("title", "finding", "built")} if html_exists and good else None),
        }
    path = record_path(out_dir, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps(record, ensure_ascii=False, indent=1))


# ---------------------------------------------------------------------------------------------
# Index pages


def write_month_index(out_dir: Path, month: str, names: list[str], lang: str = pages.LANG) -> None:
    """Every current notebook with a record or a report, in notebook order."""
    entries = []
    for name in sorted(names):  # a report whose notebook was deleted is no longer listed
        record = read_record(out_dir, name)
        html = (out_dir / f"{name}.html").is_file()
        if not record and not html:
            continue
        if record.get("status") == "failed":
            good = record.get("good") or {}
            entries.append(
                pages.ReportEntry(
                    name,
                    good.get("title") or name,
                    good.get("finding"),
                    html,
                    failed=True,
                    error=record.get("error"),
                    built=good.get("built"),
                )
            )
        else:
            entries.append(
                pages.ReportEntry(
                    name, record.get("title") or name, record.get("finding"), html, built=record.get("built")
                )
            )
    write_atomic(out_dir / "index.html", pages.month_index(month, entries, now(), lang))


def write_root_index(out_root: Path) -> None:
    months = []
    for folder in sorted(out_root.iterdir()) if out_root.is_dir() else []:
        if folder.is_dir() and re.match(r"^\d{4}-(0[1-9]|1[0-2])$", folder.name) and (folder / "index.html").is_file():
            records = [read_record(folder, p.stem) for p in (folder / ".build").glob("*.json")]
            reports = sum(1 for p in folder.glob("*.html") if p.name != "index.html")
            failed = sum(1 for r in records if r.get("status") == "failed")
            titles = [
                (r.get("title") if r.get("status") == "ok" else (r.get("good") or {}).get("title")) or ""
                for r in (read_record(folder, p.stem) for p in sorted(folder.glob("*.html")) if p.name != "index.html")
            ]
            summary = read_json(folder / "headlines.json")
            months.append(
                pages.MonthEntry(
                    folder.name,
                    reports,
                    failed,
                    [t for t in titles if t],
                    summary.get("figures", []),
                    english=(folder / "en" / "index.html").is_file(),
                    synthetic=bool(summary.get("synthetic")),
                )
            )
    write_atomic(out_root / "index.html", pages.root_index(months, now()))


HEADLINES = ("bookings_total", "hotline_calls", "kiosk_money_yuan", "upload_tables_share")


def write_headlines(project: Project, out_dir: Path, month: str) -> None:
    """reports/MONTH/headlines.json: the month's headline figures for the reports index,
    recomputed only when the month's clean tables changed."""
    key = processed_digest(project.processed / month)
    path = out_dir / "headlines.json"
    if read_json(path).get("key") == key:
        return
    from .analysis.trends import HEADLINES as LABELS
    from .analysis.trends import headline_figures
    from .pipeline import load_month

    tables = {name: df.assign(month=month) for name, df in load_month(month, root=project.root).tables.items()}
    values = headline_figures(tables).set_index("measure")["value"]
    figures = []
    for measure in HEADLINES:
        if measure in values.index:
            label, unit, _ = LABELS[measure]
            value = values[measure]
            text = (
                f"{value:.1f}%" if unit == "%" else f"{value:,.2f} {unit}" if unit == "元" else f"{value:,.0f} {unit}"
            )
            figures.append([label, text])
    package = read_json(project.processed / month / "datapackage.json")
    synthetic = any(src.get("synthetic") for src in package.get("sources", []))
    record = {"key": key, "figures": figures, "synthetic": synthetic}
    write_atomic(path, json.dumps(record, ensure_ascii=False, indent=1) + "\n")


def read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def write_run_record(out_dir: Path, month: str, started_at: str, outcomes: list[Outcome]) -> None:
    """reports/MONTH/run.json: what this run did for the month, what failed and why, with
    timings, so a reviewer can see that a report is stale or missing and why."""
    reports = []
    for o in sorted((o for o in outcomes if o.month == month), key=lambda o: o.name):
        status = "unchanged" if o.skipped else "built" if o.ok else "failed"
        reports.append(
            {
                "notebook": o.name,
                "status": status,
                "seconds": round(o.seconds, 2),
                "attempts": o.attempts,
                "error": o.error,
                "finding": o.finding,
                "html": f"{o.name}.html" if (out_dir / f"{o.name}.html").is_file() else None,
                "timings": {k: round(v, 3) for k, v in o.timings.items()},
            }
        )
    record = {
        "month": month,
        "started": started_at,
        "finished": now_iso(),
        "command": " ".join(["metroanalysis", *sys.argv[1:]]) if sys.argv else "metroanalysis",
        "ok": all(r["status"] != "failed" for r in reports),
        "reports": reports,
    }
    write_atomic(out_dir / "run.json", json.dumps(record, ensure_ascii=False, indent=2) + "\n")


def now_iso() -> str:
    return datetime.now().isoformat(timespec="seconds")


def now() -> str:
    return datetime.now().strftime("%Y-%m-%d %H:%M")


__all__ = ["Outcome", "Task", "report_months"]

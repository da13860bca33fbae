"""Planning a report run: which reports are stale, the month locks, progress lines, run.json.

`report_months` takes each month's lock (one run per month at a time), cleans a month never
cleaned, decides for every notebook × language whether its report is up to date (`build`), hands
the stale ones to `execute`, prints one line per report as it finishes, then writes each month's
`run.json`, publishes a copy of the month's data package beside its reports (`publish_data`:
reports/MONTH/data/) and has `site` rewrite the index pages. Chinese reports go to
reports/MONTH/, those in another language to reports/MONTH/LANG/.

Where to change what:
- what makes a report stale: `build.report_key` (and `build.month_inputs` for the month's part);
- which files count as report notebooks: `paths.NOTEBOOK`;
- the parameters a notebook receives: `parameters`;
- what run.json says: `write_run_record` (its times: `build.build_time`, SOURCE_DATE_EPOCH-aware).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import threading
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

from metroanalysis import i18n
from metroanalysis.build import keys as build
from metroanalysis.build.locking import month_lock
from metroanalysis.build.swap import recover, swap_in
from metroanalysis.errors import UsageError
from metroanalysis.paths import MONTH, Project, check_month, list_notebooks, relative
from metroanalysis.publish import provenance, site
from metroanalysis.publish.data import publish_workbook
from metroanalysis.publish.entity_pages import stacked_reader, write_entity_pages
from metroanalysis.publish.quality_page import write_quality_page
from metroanalysis.run.pool import run_tasks
from metroanalysis.run.tasks import KERNEL, Outcome, Task, last_line


def report_months(
    project: Project,
    months: list[str],
    notebooks: str | Path | None = None,
    output: str | Path | None = None,
    force: bool = False,
    jobs: int | None = None,
    langs: tuple[str, ...] | None = None,
    executor: str = "local",
    scheduler: str | None = None,
    verbose: bool = False,
) -> bool:
    """Execute and export every notebook for every month, in each language (None: every
    language the project keeps, `kept_languages`); True if every report is good. `executor`:
    "local" (a pool of `jobs` processes on this machine) or "dask" (a Dask cluster at
    `scheduler`, or a LocalCluster of `jobs` workers; see `cluster`)."""
    nb_dir = project.notebook_folder(notebooks)
    out_root = Path(output).expanduser().resolve() if output else project.reports
    found = list_notebooks(nb_dir)
    if not found:
        fail_line(f"no notebooks named NN-name.ipynb in {nb_dir}")
        return False
    for month in months:
        check_month(project, month)
    project.processed.mkdir(parents=True, exist_ok=True)
    langs = tuple(langs) if langs else kept_languages(project, out_root)
    with ExitStack() as locks:
        # One run per month at a time (sorted: two runs never wait for each other in a circle).
        for month in sorted(set(months)):
            locks.enter_context(month_lock(project.processed, month))
        return report_locked(project, months, out_root, found, force, jobs, langs, (executor, scheduler), verbose)


LAST = {"tasks": 0}  # what the last `report_locked` of this process ran, for `record_quiet_run`
SETTINGS = "pyproject.toml"  # the project's settings: [tool.metroanalysis] languages = ["zh", "en"]


def kept_languages(project: Project, out_root: Path) -> tuple[str, ...]:
    """The languages a run without --lang keeps up to date: the source language, those listed in
    the project's settings, and every language that already has reports in some month (pages an
    earlier `--lang zh,en` run wrote are never left behind, out of date, by `make report`)."""
    wanted = {i18n.SOURCE, *configured_languages(project)}
    months = [f for f in out_root.iterdir() if MONTH.fullmatch(f.name)] if out_root.is_dir() else []
    wanted.update(lang for lang in i18n.LANGS if any((f / lang / ".build").is_dir() for f in months))
    return tuple(lang for lang in i18n.LANGS if lang in wanted)


def configured_languages(project: Project) -> list[str]:
    """`languages` under [tool.metroanalysis] in the project's pyproject.toml, if any."""
    import tomllib

    path = project.root / SETTINGS
    if not path.is_file():
        return []
    try:
        listed = tomllib.loads(path.read_text(encoding="utf-8")).get("tool", {}).get("metroanalysis", {})
    except (ValueError, UnicodeDecodeError) as err:
        raise UsageError(f"{path}: not readable as TOML ({last_line(err)})") from None
    langs = listed.get("languages", []) if isinstance(listed, dict) else []
    if not isinstance(langs, list) or any(lang not in i18n.LANGS for lang in langs):
        raise UsageError(f"{path}: [tool.metroanalysis] languages = {langs!r}: expected a list of {list(i18n.LANGS)}")
    return langs


def month_dir(out_root: Path, month: str, lang: str) -> Path:
    return out_root / month if lang == i18n.SOURCE else out_root / month / lang


def parameters(
    project: Project, out_root: Path, month: str, lang: str, notebooks: Path | None = None
) -> dict[str, str]:
    """What a notebook receives, and part of its report's key. No absolute path: `root` is the
    way from the notebook's folder (its working folder when it runs) to the project, the data
    and report folders are relative to the project; so the executed .ipynb names no one's home
    folder, and a project copied, moved or cloned with its outputs keeps its reports current."""
    return {
        "month": month,
        "root": relative(project.root, notebooks or project.notebooks),
        "processed_dir": relative(project.processed, project.root),
        "reports_dir": relative(out_root, project.root),
        "lang": lang,
    }


def page_parameters(project: Project, out_root: Path, month: str, lang: str) -> dict[str, str]:
    """The parameters an index page shows (as `provenance.shown_parameters`: relative)."""
    return {**parameters(project, out_root, month, lang, project.root), "root": str(project.root)}


def plan(project: Project, months: list[str], out_root: Path, found: list[Path], force: bool, langs):
    """(tasks to run, outcomes of reports up to date, ok): cleans a month never cleaned."""
    ok, cleaned = True, False
    tasks: list[Task] = []
    unchanged: list[Outcome] = []
    index = build.RecordIndex(out_root)
    for month in months:
        try:
            cleaned |= ensure_processed(project, month)
        except Exception as err:  # a bulletin that cannot be cleaned: no report for this month
            fail_line(f"{month}: cannot clean the bulletin, no reports: {last_line(err)}")
            ok = False
            continue
        common = build.month_inputs(project.bulletin(month), project.processed, project.months(), month)
        synthetic = site.is_synthetic(project.processed_month(month))
        for lang in langs:
            out_dir = month_dir(out_root, month, lang)
            sweep_leftovers(out_dir)
            out_dir.mkdir(parents=True, exist_ok=True)
            for nb in found:
                values = parameters(project, out_root, month, lang, nb.parent)
                inputs = build.report_inputs(nb, common, values, KERNEL)
                key = build.digest(inputs)
                title = None if force else index.title(out_dir, nb.stem, key)
                if title is not None:
                    unchanged.append(Outcome(month, nb.stem, True, title=title, skipped=True, lang=lang))
                else:
                    tasks.append(Task(month, str(nb), str(out_dir), values, key, lang, synthetic, inputs=inputs))
    index.save()
    if cleaned:  # keep data/processed/all in step with the month folders, as `clean` does
        from metroanalysis.clean.pipeline import stack_months

        with month_lock(project.processed, "all"):
            stack_months(project)
    return tasks, unchanged, ok


def report_locked(
    project: Project,
    months: list[str],
    out_root: Path,
    found: list[Path],
    force: bool,
    jobs,
    langs,
    where: tuple[str, str | None] = ("local", None),
    verbose: bool = False,
) -> bool:
    started_at = now_iso()
    with build.sources_held_still():
        tasks, unchanged, ok = plan(project, months, out_root, found, force, langs)
    LAST["tasks"] = len(tasks)
    jobs = max(1, jobs if jobs else (os.cpu_count() or 1))
    say_unchanged(tasks, unchanged, verbose)
    with pages_across_months(project, out_root, langs, tasks, found) as across:
        outcomes = run_with_progress(tasks, jobs, *where)
    ok &= across.ok

    ran = {t.month for t in tasks}
    for month in sorted(ran | {o.month for o in unchanged}):
        publish_data(project.processed_month(month), out_root / month / provenance.DATA_FOLDER)
        # the month's workbook beside its CSVs (only when its clean tables changed)
        ok &= side_step(f"{month}: the workbook", publish_workbook, project.processed_month(month), out_root)
        for lang in langs:
            done = [o for o in [*unchanged, *outcomes] if o.lang == lang]
            if month in ran or not site.month_index_is_current(month_dir(out_root, month, lang), month, lang):
                write_month_index(project, out_root, month, lang, found)
            write_run_record(month_dir(out_root, month, lang), month, started_at, done, project.root)
        site.write_headlines(project.processed_month(month), project.root, out_root / month, month)
    with build.sources_held_still():
        flag_left_behind(project, months, out_root, found, langs)
    if ran or not site.root_index_is_current(out_root):
        site.write_root_index(out_root, project.root)

    failures = [o for o in outcomes if not o.ok]
    for o in sorted(failures, key=lambda o: (o.month, o.name)):
        where = month_dir(out_root, o.month, o.lang) / o.name
        fail_line(f"report failed: {o.month} {o.name}: {o.error} (see {where}.ipynb)")
    return ok and not failures


def say_unchanged(tasks: list[Task], unchanged: list[Outcome], verbose: bool) -> None:
    """The reports up to date in one line, with how many months had nothing to run (`verbose`:
    a line for each such month); the reports that run have a line each as they finish."""
    if not unchanged:
        return
    idle = sorted({o.month for o in unchanged} - {t.month for t in tasks})
    if verbose:
        for month in idle:
            print(f"{month}: {sum(o.month == month for o in unchanged)} report(s) up to date")
    months = f"; {len(idle)} month{'s' if len(idle) > 1 else ''} up to date" if idle else ""
    print(f"{len(unchanged)} report(s) unchanged, not re-executed{months}")
    if not tasks:
        print("nothing changed: every report is up to date")


def write_month_index(
    project: Project, out_root: Path, month: str, lang: str, found: list[Path], stale: frozenset[str] = frozenset()
) -> None:
    values = page_parameters(project, out_root, month, lang)
    site.write_month_index(month_dir(out_root, month, lang), month, [nb.stem for nb in found], lang, values, stale)


def flag_left_behind(project: Project, months: list[str], out_root: Path, found: list[Path], langs) -> None:
    """A run limited to some languages (--lang zh) leaves the other languages' reports as they
    were: the index of each such language lists a report whose inputs changed as out of date,
    never as current, until a run in that language builds it again."""
    for lang in (x for x in kept_languages(project, out_root) if x not in langs):
        for month in months:
            out_dir = month_dir(out_root, month, lang)
            if not (out_dir / ".build").is_dir():
                continue
            common = build.month_inputs(project.bulletin(month), project.processed, project.months(), month)
            stale = frozenset(
                nb.stem
                for nb in found
                if build.record_path(out_dir, nb.stem).is_file()
                and not build.is_current(
                    out_dir,
                    nb.stem,
                    build.report_key(nb, common, parameters(project, out_root, month, lang, nb.parent), KERNEL),
                )
            )
            if stale or not site.month_index_is_current(out_dir, month, lang):
                write_month_index(project, out_root, month, lang, found, stale)


class _Across:
    ok = True


@contextmanager
def pages_across_months(project: Project, out_root: Path, langs, tasks, found):
    """The pages across months (each hospital and area; the quality page), rebuilt only when
    data/processed/all changed, written in a thread of this process while the notebooks run in
    the workers (drawing a few hundred small charts takes as long as a report or two). They link
    back to the month indexes, so a month about to get its first reports gets its index first."""
    for month in sorted({t.month for t in tasks}):
        for lang in langs:
            if not (month_dir(out_root, month, lang) / "index.html").is_file():
                write_month_index(project, out_root, month, lang, found)
    result = _Across()

    def write() -> None:
        site.compile_month_pages()  # in the time the workers take to start, for the run's end
        stacked = project.processed / "all"
        # the stacked tables read once, by the first of the two pages that needs them
        args = (stacked, out_root, langs, False, project.root, stacked_reader(stacked))
        result.ok &= side_step("the hospital and area pages", write_entity_pages, *args)
        result.ok &= side_step("the quality page", write_quality_page, *args)

    thread = threading.Thread(target=write, name="pages-across-months", daemon=True)
    thread.start()
    yield result  # an interrupted run does not wait: pages half-done are redone by the next run
    thread.join()


def side_step(what: str, step, *args) -> bool:
    """Run a step beside the reports (publishing data, the pages across months); a failure is
    one line and fails the run, but leaves the reports and the index pages written."""
    try:
        step(*args)
        return True
    except Exception as err:
        fail_line(f"cannot write {what}: {last_line(err)}")
        return False


def run_with_progress(
    tasks: list[Task], jobs: int, executor: str = "local", scheduler: str | None = None
) -> list[Outcome]:
    """Run the tasks, one line per report as it finishes, a total at the end."""
    outcomes: list[Outcome] = []
    started = time.perf_counter()
    for done, outcome in enumerate(run_tasks(tasks, jobs, executor, scheduler), start=1):
        outcomes.append(outcome)
        state = "ok" if outcome.ok else "FAILED"
        lang = "" if outcome.lang == i18n.SOURCE else f" ({outcome.lang})"
        print(
            f"[{done}/{len(tasks)}] {outcome.month} {outcome.name}{lang}: {state} in {outcome.seconds:.1f} s",
            flush=True,
        )
        if outcome.warnings:
            print(
                f"warning: {outcome.month} {outcome.name}: {len(outcome.warnings)} chart text(s) drawn without "
                f"a font for them (shown as boxes), e.g. {outcome.warnings[0]}",
                file=sys.stderr,
                flush=True,
            )
    if tasks:
        elapsed = time.perf_counter() - started
        if executor == "dask":
            how = f"Dask scheduler {scheduler}" if scheduler else f"Dask LocalCluster, {jobs} worker(s)"
        else:
            how = f"{jobs} job{'s' if jobs > 1 else ''}"
        print(f"{len(tasks)} report(s) in {elapsed:.1f} s ({how})")
    return outcomes


def fail_line(message: str) -> None:
    print(f"metroanalysis: error: {' '.join(message.split())}", file=sys.stderr, flush=True)


def ensure_processed(project: Project, month: str) -> bool:
    """Clean the month's bulletin if it was never cleaned (the caller holds the month's lock),
    with its build record as `metroanalysis clean` writes it; True if it was cleaned now."""
    folder = project.processed_month(month)
    recover(folder)  # what a killed clean left: a half-written folder, a swap cut in two
    if (folder / "datapackage.json").is_file():
        return False
    from metroanalysis.clean.pipeline import clean_month

    clean_month(project, month, record=build.clean_inputs(project.root, project.bulletin(month)))
    return True


def sweep_leftovers(out_dir: Path) -> None:
    """Temporary files a killed run left behind (the caller holds the month's lock, so no live
    run is writing them): a half-executed notebook, a half-written page or record."""
    for folder in (out_dir, out_dir / ".build"):
        if folder.is_dir():
            for p in folder.iterdir():
                if p.name.startswith(".") and p.name.endswith((".running.ipynb", ".tmp")):
                    p.unlink(missing_ok=True)


def publish_data(processed_month: Path, dest: Path) -> None:
    """reports/MONTH/data/: a copy of the month's datapackage.json and every CSV it lists, so the
    reports link their data (and downloads are served) from beside them. Copied into a folder
    beside `dest`, then swapped in, and only when the month's data package differs from the
    copy's (its hash and bytes change with every CSV) or a file of the copy is missing. Other
    files in the folder (downloads made from the data by another step) are carried over."""
    package = processed_month / "datapackage.json"
    if not package.is_file():
        return
    recover(dest)  # what a killed run left, even when the copy is up to date
    listed = [r["path"] for r in build.read_json(package).get("resources", []) if isinstance(r.get("path"), str)]
    copy = dest / "datapackage.json"
    if copy.is_file() and copy.read_bytes() == package.read_bytes() and all((dest / p).is_file() for p in listed):
        return
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.tmp-", dir=dest.parent))
    try:
        for name in ["datapackage.json", *listed]:
            shutil.copyfile(processed_month / name, tmp / name)
        for other in dest.iterdir() if dest.is_dir() else []:  # what other steps put there stays
            if other.name != "datapackage.json" and other.suffix != ".csv":
                (shutil.copytree if other.is_dir() else shutil.copy2)(other, tmp / other.name)
        swap_in(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_run_record(
    out_dir: Path, month: str, started_at: str, outcomes: list[Outcome], root: Path | None = None
) -> None:
    """reports/MONTH/run.json: what this run did for the month, what failed and why, with
    timings, so a reviewer can see that a report is stale or missing and why."""
    reports = []
    for o in sorted((o for o in outcomes if o.month == month), key=lambda o: o.name):
        status = "unchanged" if o.skipped else "built" if o.ok else "failed"
        reports.append(
            {
                "notebook": o.name,
                "status": status,
                **build.durations(o.seconds, o.timings),
                "attempts": o.attempts,
                "error": o.error,
                "finding": o.finding,
                "html": f"{o.name}.html" if (out_dir / f"{o.name}.html").is_file() else None,
            }
        )
    record = {
        "month": month,
        "started": started_at,
        "finished": now_iso(),
        "command": command_line(root),
        "ok": all(r["status"] != "failed" for r in reports),
        "reports": reports,
    }
    # A month the run left as the last run left it (every report unchanged, the same command) keeps
    # that run's record: rewriting it only for its times would cost a synced write per month
    # of history on every run.
    before = build.read_json(out_dir / "run.json")
    times = ("started", "finished")
    if (
        before
        and reports
        and all(r["status"] == "unchanged" for r in reports)
        and {k: v for k, v in before.items() if k not in times} == {k: v for k, v in record.items() if k not in times}
    ):
        return
    build.write_atomic(out_dir / "run.json", json.dumps(record, ensure_ascii=False, indent=2) + "\n")


def command_line(root: Path | None) -> str:
    """The command as typed, a path inside the project shown relative to it (`--root .`): run.json
    names no one's folder, and two builds in two folders record the same command."""
    words = []
    for word in sys.argv[1:]:
        option, eq, value = word.partition("=") if word.startswith("--") else ("", "", word)
        if root is not None and os.path.isabs(value) and Path(value).resolve().is_relative_to(Path(root).resolve()):
            value = relative(Path(value), root)
        words.append(f"{option}{eq}{value}")
    return " ".join(["metroanalysis", *words])


def now_iso() -> str:
    return build.build_time().isoformat(timespec="seconds")


# ---------------------------------------------------------------------------------------------
# A nothing-changed rerun: one record read, the tree stat-ed, nothing else (issue 26)

QUIET = "quiet-run.json"  # in OUT_ROOT/.state/: run state, not output
# Run state a rerun writes: never part of the fingerprint. The month locks' holder files (.locks/)
# are: every run that takes a lock writes its pid there, so a run started since the record (maybe
# still at work) sends the next one the whole way, to wait for it as before.
SKIPPED = (".state",)


def tree_stats(folder: Path, into: list, depth: int = 3) -> None:
    """(path, size, time of last change) of every file and folder under `folder`, `depth`
    levels down, in a stable order; the run state in `SKIPPED` left out."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        into.append((str(folder), None))
        return
    for entry in entries:
        if entry.name in SKIPPED or entry.name == "__pycache__":
            continue
        try:
            st = entry.stat(follow_symlinks=True)
        except OSError:
            continue
        into.append((entry.path, st.st_size, st.st_mtime_ns, st.st_mode))  # mode: a folder made read-only
        if depth > 1 and entry.is_dir():
            tree_stats(Path(entry.path), into, depth - 1)


def quiet_fingerprint(project: Project, out_root: Path, nb_dir: Path, request: dict) -> str:
    """Everything a run reads to decide what to do, by its files' sizes and times, with the
    request (months, languages, options): equal to the one recorded after a run that found
    nothing to do, it finds nothing to do again. Covers the raw bulletins, the reference files,
    the notebooks, the project's settings, the library's source, the installed packages (their
    folder changes when one is added, removed or upgraded), the clean tables and every report
    folder with its records, pages and published data."""
    import sysconfig

    found: list = [json.dumps(request, sort_keys=True), os.environ.get("SOURCE_DATE_EPOCH", "")]
    for folder, depth in (
        (project.raw, 2),
        (project.root / "data" / "reference", 1),
        (nb_dir, 1),
        (build.PACKAGE_DIR, 3),
        (Path(sysconfig.get_paths()["purelib"]), 1),
        (project.processed, 2),
        (out_root, 4),
    ):
        found.append(str(folder))
        tree_stats(folder, found, depth)
    settings = project.root / SETTINGS
    found.append(settings.stat().st_mtime_ns if settings.is_file() else None)
    return build.digest(found)


def replay_quiet_run(project: Project, out_root: Path, nb_dir: Path, request: dict) -> int | None:
    """When nothing changed since a run that found nothing to do: say what it said, return its
    exit code; else None (the run goes the whole way)."""
    record = build.read_json(out_root / ".state" / QUIET)
    if not record or record.get("fingerprint") != quiet_fingerprint(project, out_root, nb_dir, request):
        return None
    for stream, line in record.get("lines", []):
        print(line, file=sys.stderr if stream == "err" else sys.stdout)
    return record.get("code")


def record_quiet_run(project: Project, out_root: Path, nb_dir: Path, request: dict, lines: list, code: int) -> None:
    """After a run that executed and cleaned nothing: its fingerprint and what it said."""
    fingerprint = quiet_fingerprint(project, out_root, nb_dir, request)
    text = json.dumps({"fingerprint": fingerprint, "lines": lines, "code": code}, ensure_ascii=False)
    build.write_atomic(out_root / ".state" / QUIET, text + "\n")


class Said:
    """Copies every line written to stdout and stderr (while `with`-ed) into `lines`."""

    def __init__(self):
        self.lines: list[tuple[str, str]] = []

    def __enter__(self):
        self._out, self._err = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = _Tee(self._out, "out", self.lines), _Tee(self._err, "err", self.lines)
        return self

    def __exit__(self, *exc) -> None:
        sys.stdout, sys.stderr = self._out, self._err


class _Tee:
    def __init__(self, stream, name: str, lines: list):
        self.stream, self.name, self.lines, self.partial = stream, name, lines, ""

    def write(self, text: str) -> int:
        *done, self.partial = (self.partial + text).split("\n")
        self.lines.extend((self.name, line) for line in done)
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()

    def __getattr__(self, name):
        return getattr(self.stream, name)

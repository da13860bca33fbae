"""The bodies of `verify`, `report` and `export`, and the checks every command makes before it
writes (an executor that can run, notebooks to run, folders it can write)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from metroanalysis import i18n
from metroanalysis.build.locking import month_lock
from metroanalysis.errors import EXIT_FAILED, EXIT_OK, UsageError
from metroanalysis.paths import Project, list_notebooks


def do_verify(project: Project, months: list[str], args) -> int:
    """One line per problem (exit 1), or one line saying what was checked (exit 0)."""
    from metroanalysis.run.verify import verify

    output = Path(args.output).expanduser().resolve() if args.output else None
    notebooks = Path(args.notebooks).expanduser().resolve() if args.notebooks else None
    found = verify(project, months, output, notebooks)
    for problem in found.problems:
        print(problem)
    if found.problems:
        print(f"metroanalysis verify: {len(found.problems)} problem(s); {found.summary(months)}", file=sys.stderr)
        return EXIT_FAILED
    print(f"{found.summary(months)}: everything matches")
    return EXIT_OK


def check_executor(args) -> None:
    """--scheduler only with --executor dask, and Dask installed if it is chosen (before any work)."""
    if getattr(args, "scheduler", None) and args.executor != "dask":
        raise UsageError("--scheduler needs --executor dask (see 'metroanalysis run --help')")
    if getattr(args, "executor", "local") == "dask":
        from metroanalysis.run.cluster import check_available

        check_available()


def do_report(project: Project, months: list[str], args) -> int:
    from metroanalysis.run.runner import report_months

    good = report_months(
        project,
        months,
        notebooks=args.notebooks,
        output=args.output,
        force=args.force,
        jobs=args.jobs,
        langs=args.lang,
        executor=args.executor,
        scheduler=args.scheduler,
        verbose=args.verbose,
    )
    return EXIT_OK if good else EXIT_FAILED


def do_export(project: Project, months: list[str], args) -> int:
    """Write each month's workbook (cleaning a month never cleaned), one line per file."""
    from metroanalysis.publish.data import data_dir
    from metroanalysis.publish.workbook import workbook_name, write_workbook
    from metroanalysis.run.runner import ensure_processed

    for month in months:
        folder = Path(args.output).expanduser().resolve() if args.output else data_dir(project.reports, month)
        folder.mkdir(parents=True, exist_ok=True)
        with month_lock(project.processed, month):
            ensure_processed(project, month)
            out = write_workbook(project.processed_month(month), folder / workbook_name(month))
        print(f"{month}: workbook written to {out}")
    return EXIT_OK


def check_writable(project: Project, months: list[str], args) -> None:
    """Before any work: every output folder that exists takes a file, or the command stops with
    one line naming it (a read-only reports/ failed each report and page in turn, one line each)."""
    import tempfile

    folders = [project.processed, *(project.processed_month(m) for m in months)]
    if args.command != "clean":
        out_root = Path(args.output).expanduser().resolve() if args.output else project.reports
        for month in months:
            folders += [out_root, out_root / month, out_root / month / ".build"]
            # every language's folder that exists: a run without --lang keeps each of them current
            folders += [out_root / month / lang for lang in i18n.LANGS if lang != i18n.SOURCE]
    for folder in dict.fromkeys(folders):
        if folder.is_dir():
            try:
                tempfile.TemporaryFile(dir=folder).close()
            except OSError as err:
                raise OSError(err.errno, f"cannot write to this folder ({err.strerror})", str(folder)) from None


def check_notebooks(project: Project, args: argparse.Namespace) -> None:
    """Before any month is cleaned: a run with no notebook to execute fails at once."""
    folder = project.notebook_folder(args.notebooks)
    if not list_notebooks(folder):
        raise UsageError(f"no notebooks named NN-name.ipynb in {folder}")

"""The `metroanalysis` command: arguments, exit codes, messages. Nothing else lives here.

Exit codes: 0 done; 1 done but something failed a check under --strict, or a report failed, or
`verify` found an output that differs from its record; 2 bad input or a bad request (one line
on stderr naming file, line, table and text).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from metroanalysis import i18n
from metroanalysis.errors import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, BulletinError, UsageError
from metroanalysis.paths import Project, check_month, find_project
from metroanalysis.run import interrupts
from metroanalysis.run.clean_months import CLEANED, do_clean, record_strict_verdict
from metroanalysis.run.commands import check_executor, check_notebooks, check_writable, do_export, do_report, do_verify


class Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, not a usage block
        command = self.prog.removeprefix("metroanalysis").strip()
        raise UsageError(f"{message} (see 'metroanalysis {command} --help')".replace("  ", " "))


def positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number ≥ 1, got {text!r}")
    return int(text)


def languages(text: str) -> tuple[str, ...]:
    langs = tuple(dict.fromkeys(x.strip() for x in text.split(",")))
    if not langs or any(x not in i18n.LANGS for x in langs):
        raise argparse.ArgumentTypeError(f"expected zh, en or zh,en, got {text!r}")
    return langs


# Options every step takes, accepted before or after the subcommand:
# `metroanalysis --root X run --all` and `metroanalysis run --all --root X`.
SHARED = (
    (("--root",), {"help": "project folder holding data/raw/ (default: found from the current folder)"}),
    (("--strict",), {"action": "store_true", "help": "a mismatch or a missing table fails the run (exit 1)"}),
    (("--force",), {"action": "store_true", "help": "rebuild even what is up to date"}),
    (("--verbose", "-v"), {"action": "store_true", "help": "a line for every month, also those up to date"}),
)


def add_shared(parser: argparse.ArgumentParser, before: bool) -> None:
    """The shared options; before the subcommand they are kept under their own names (an
    option given after the subcommand wins), so a subcommand's default never erases them."""
    for flags, options in SHARED:
        dest = flags[0].lstrip("-")
        parser.add_argument(*flags, **options, dest=f"before_{dest}" if before else dest)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="metroanalysis", description=__doc__.splitlines()[0])
    add_shared(parser, before=True)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for name, help_text in [
        ("clean", "raw bulletin → data/processed/MONTH (tables, facts, quality, datapackage.json)"),
        ("report", "run the notebooks for MONTH into reports/MONTH (HTML with nbconvert)"),
        ("run", "clean, then report"),
    ]:
        p = sub.add_parser(name, help=help_text, description=help_text)
        which = p.add_mutually_exclusive_group(required=True)
        which.add_argument("--month", help="YYYY-MM, a folder under data/raw/")
        which.add_argument("--all", action="store_true", help="every month under data/raw/")
        add_shared(p, before=False)
        if name in ("report", "run"):
            p.add_argument("--notebooks", help="folder of NN-name.ipynb notebooks (default: ROOT/notebooks)")
            p.add_argument("--output", help="reports folder (default: ROOT/reports)")
            p.add_argument("-j", "--jobs", type=positive, help="notebooks run at once (default: the number of cores)")
            p.add_argument(
                "--lang",
                type=languages,
                default=None,
                help="report language(s): zh, en, or zh,en; English reports go to reports/MONTH/en/ (default: zh, "
                "every language that already has reports, and those in pyproject.toml [tool.metroanalysis] languages)",
            )
            p.add_argument(
                "--executor",
                choices=("local", "dask"),
                default="local",
                help="where notebooks run: local (default, a pool of -j processes) or dask (needs the cluster extra)",
            )
            p.add_argument(
                "--scheduler",
                metavar="ADDRESS",
                help="with --executor dask: tcp://host:8786 (default: a LocalCluster of -j workers)",
            )
    p = sub.add_parser(
        "export",
        help="the month's clean tables as an Excel workbook, into reports/MONTH/data/",
        description="the month's clean tables as an Excel workbook bulletin-MONTH.xlsx, into reports/MONTH/data/ "
        "(cleaning the month first if needed)",
    )
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--month", help="YYYY-MM, a folder under data/raw/")
    which.add_argument("--all", action="store_true", help="every month under data/raw/")
    add_shared(p, before=False)
    p.add_argument("--format", choices=["xlsx"], default="xlsx", help="xlsx (the only format so far)")
    p.add_argument("--output", help="folder for the workbooks (default: ROOT/reports/MONTH/data/)")
    add_verify_parser(sub)
    from metroanalysis.synth.args import add_synth_parser

    add_synth_parser(sub)
    return parser


def add_verify_parser(sub) -> None:
    help_text = "check the outputs against their records: CSV sizes and hashes, bulletins, reports"
    p = sub.add_parser("verify", help=help_text, description=help_text)
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--month", help="YYYY-MM, a folder under data/raw/")
    which.add_argument("--all", action="store_true", help="every month under data/raw/")
    p.add_argument("--root", help=SHARED[0][1]["help"])
    p.add_argument("--notebooks", help="folder of NN-name.ipynb notebooks (default: ROOT/notebooks)")
    p.add_argument("--output", help="reports folder (default: ROOT/reports)")


def parse(argv: list[str] | None):
    """The arguments, with shared options given before the subcommand merged in."""
    args = build_parser().parse_args(argv)
    for flags, _ in SHARED:
        dest = flags[0].lstrip("-")
        before = getattr(args, f"before_{dest}")
        if not before:
            continue
        if not hasattr(args, dest):
            raise UsageError(
                f"{flags[0]} is not an option of '{args.command}' (see 'metroanalysis {args.command} --help')"
            )
        if not getattr(args, dest):
            setattr(args, dest, before)
    return args


def months_for(project: Project, args) -> list[str]:
    if args.all:
        months = project.months()
        if not months:
            raise UsageError(f"no month folders with a bulletin.txt under {project.raw}")
        return months
    return [check_month(project, args.month)]


def forget_caught_interrupt() -> None:
    """Make the interrupt caught above really caught, so the command exits 130.

    CPython remembers a KeyboardInterrupt that left an exec() or eval() of a *string* (dataclasses
    and namedtuple build their methods that way, so a Ctrl-C during an import often lands there),
    and at exit it kills the process with SIGINT instead of returning our code, even though the
    interrupt was caught: the shell then sees -2, not 130. CPython clears that memory whenever a
    string is run through the same door, which is what the line below does."""
    exec("pass", {})  # a constant, run only for its side effect on that flag


def main(argv: list[str] | None = None) -> int:
    interrupts.stacks_on_request()
    with interrupts.ctrl_c_remembered():
        return command(argv)


def command(argv: list[str] | None) -> int:
    try:
        args = parse(argv)
        if args.command == "synth":
            return args.handler(args)
        project = find_project(args.root)
        months = months_for(project, args)
        if args.command == "verify":
            return do_verify(project, months, args)
        if args.command in ("report", "run"):
            check_executor(args)
            check_notebooks(project, args)
        code = run_or_replay(project, months, args) if quiet_rerun_applies(args) else run_command(project, months, args)
        interrupts.stop_if_interrupted()  # a Ctrl-C that some library swallowed on its way
        return code
    except (UsageError, BulletinError) as err:
        print(f"metroanalysis: error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as err:  # the disk or the folders, not the bulletin: a file that cannot be written
        print(f"metroanalysis: error: {err.strerror or err}: {err.filename or ''}".rstrip(": "), file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return interrupted()


def quiet_rerun_applies(args) -> bool:
    """A plain `run` (no --force, no -v, the local pool) may find nothing to do from one record."""
    return args.command == "run" and not args.force and not args.verbose and args.executor == "local"


def run_or_replay(project: Project, months: list[str], args) -> int:
    """`run` that, when nothing changed since a run that found nothing to do, says what that run
    said without looking further (`runner.replay_quiet_run`: one record, the tree's sizes and
    times); a run that executes and cleans nothing records itself for the next."""
    from metroanalysis.run import runner

    out_root = Path(args.output).expanduser().resolve() if args.output else project.reports
    nb_dir = project.notebook_folder(args.notebooks)
    request = {"months": months, "lang": args.lang, "strict": args.strict, "out": str(out_root)}
    code = runner.replay_quiet_run(project, out_root, nb_dir, request)
    if code is not None:
        return code
    CLEANED.clear()
    runner.LAST["tasks"] = -1
    with runner.Said() as said:
        code = run_command(project, months, args)
    if not CLEANED and runner.LAST["tasks"] == 0 and code in (EXIT_OK, EXIT_FAILED):
        runner.record_quiet_run(project, out_root, nb_dir, request, said.lines, code)
    return code


def run_command(project: Project, months: list[str], args) -> int:
    code = EXIT_OK
    if args.command in ("clean", "report", "run"):
        check_writable(project, months, args)
    if args.command == "export":
        return do_export(project, months, args)
    if args.command in ("clean", "run"):
        # with a month to clean, reports follow: their workers' fork server imports meanwhile
        follow = args.command == "run" and args.executor == "local" and args.jobs != 1
        jobs = getattr(args, "jobs", None)
        code, months = do_clean(project, months, args.strict, args.force, jobs, follow, args.verbose)
        interrupts.stop_if_interrupted()  # no report starts after a Ctrl-C, even one lost in the cleaning
    if args.command in ("report", "run") and months:
        code = max(code, do_report(project, months, args))
        if args.strict:
            record_strict_verdict(project, months, args.output)
    return code


def interrupted() -> int:
    # a second Ctrl-C meanwhile must not cut the one line short (or end the command on SIGINT)
    held = threading.current_thread() is threading.main_thread()
    try:
        before = signal.signal(signal.SIGINT, signal.SIG_IGN) if held else None
    except KeyboardInterrupt:  # one already on its way is spent here; the next is ignored
        before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        print("metroanalysis: interrupted; finished months are kept, the rest is not written", file=sys.stderr)
        if "metroanalysis.run.pool" in sys.modules:
            sys.modules["metroanalysis.run.pool"].stop_unready_fork_server()
    finally:
        if held:
            signal.signal(signal.SIGINT, before)
    forget_caught_interrupt()
    return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

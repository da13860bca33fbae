"""`clean` and `run` over many months: each month under its lock, several at once (this process
and a pool of workers), the up-to-date ones said in one line, each cleaned one with its checks
and warnings; `--strict` and its verdict in run.json."""

from __future__ import annotations

import csv
import json
import os
import signal
import sys
import threading
from collections import Counter
from pathlib import Path

from metroanalysis.build import keys as build
from metroanalysis.build.locking import month_lock
from metroanalysis.build.swap import recover
from metroanalysis.errors import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, BulletinError
from metroanalysis.paths import Project


def do_clean(
    project: Project,
    months: list[str],
    strict: bool,
    force: bool = False,
    jobs: int | None = None,
    reports_follow: bool = False,
    verbose: bool = False,
) -> tuple[int, list[str]]:
    """Clean each month that changed (all with --force); a month that cannot be cleaned is
    reported and skipped, not fatal to the others. Returns the exit code and the months whose
    clean tables are in place. Several months are cleaned at once (`clean_stale`).
    `reports_follow`: a month to clean means reports to run, so the report workers' fork server
    is started first, to import while the months clean. A month cleaned says so, with its
    checks and warnings; the months up to date are one line together (`verbose`: each its own)."""
    bad, stale, fresh = False, [], set()
    with build.sources_held_still():  # the library's digest worked out once, not once a month
        for month in months:
            bad |= check_clean(project, month, force, stale, fresh)
    if stale and reports_follow:
        from metroanalysis.run.pool import start_fork_server

        start_fork_server()
    errors = clean_stale(project, stale, jobs)
    CLEANED.extend(month for month, _ in stale)
    failed, done, cleaning, quiet = False, [], {month for month, _ in stale}, []
    for month in months:
        if month in errors:
            print(f"metroanalysis: error: {errors[month]}", file=sys.stderr)
            bad = True
            continue
        if month not in fresh and month not in cleaning:
            continue  # its bulletin could not be read (reported above)
        done.append(month)
        if month in fresh and not verbose:
            quiet.append(month)  # said in one line with the others up to date, below
            continue
        if month in fresh:
            print(f"{month}: clean tables up to date, nothing to do")
        else:
            print(f"{month}: cleaned into {project.processed_month(month)}")
        if report_quality(month, project.processed_month(month)) and strict:
            failed = True  # the tables are kept; the exit code and this line say why it failed
            quality = project.processed_month(month) / "quality.csv"
            print(
                f"metroanalysis: error: {month}: fails --strict: a mismatch or a missing table (see {quality})",
                file=sys.stderr,
            )
    failed |= summarise_up_to_date(project, quiet, strict)
    rebuilt = any(month not in errors for month in cleaning)
    if rebuilt or (done and stack_is_stale(project)):
        from metroanalysis.clean.pipeline import stack_months

        with month_lock(project.processed, "all"):
            stack_months(project)
    return (EXIT_BAD_INPUT if bad else EXIT_FAILED if failed else EXIT_OK), done


def check_clean(project: Project, month: str, force: bool, stale: list, fresh: set) -> bool:
    """Whether the month's clean tables are up to date (into `fresh`) or must be cleaned (into
    `stale`, with their inputs); True when its bulletin cannot be read."""
    with month_lock(project.processed, month):
        folder = project.processed_month(month)
        recover(folder)  # what a killed clean left, even when the month turns out up to date
        try:
            inputs = build.clean_inputs(project.root, project.bulletin(month))
        except BulletinError as err:  # two bulletins in the month folder: the others still clean
            print(f"metroanalysis: error: {err}", file=sys.stderr)
            return True
        warn_if_raw_changed(project, month, folder, inputs)
        if not force and build.is_clean(folder, inputs):
            fresh.add(month)
        else:
            stale.append((month, inputs))
    return False


def stack_is_stale(project: Project) -> bool:
    """data/processed/all/ is missing, or stacks other months than those cleaned (a month folder
    removed, or stacked before stacked.json said which)."""
    stacked = project.processed / "all"
    if not (stacked / "datapackage.json").is_file():
        return True
    months = build.read_json(stacked / "stacked.json").get("months")
    cleaned = [m for m in project.months() if (project.processed / m / "datapackage.json").is_file()]
    return not isinstance(months, dict) or sorted(months) != cleaned


PARALLEL_CLEAN = 3  # months: fewer are cleaned one after another (a worker takes a while to start)


def clean_stale(project: Project, stale: list[tuple[str, dict]], jobs: int | None) -> dict[str, str]:
    """Clean the months (each under its lock); returns {month: error} for bulletins that could
    not be cleaned. Three months or more are shared between this process and a pool of workers
    (forked from the fork server the report workers come from): the pool takes months from the
    front, this process from the back, so the months are cleaned on every core while the
    workers are still starting."""
    jobs = max(1, jobs if jobs else (os.cpu_count() or 1))
    if len(stale) < PARALLEL_CLEAN or jobs == 1:
        return {m: e for m, inputs in stale if (e := clean_locked(project, m, inputs))}
    from concurrent.futures import ProcessPoolExecutor

    from metroanalysis.run.pool import worker_context

    inputs_of, left = dict(stale), MonthsLeft([m for m, _ in stale])
    results: dict[str, str | None] = {}
    # Workers ignore Ctrl-C (they share the terminal's process group): on an interrupt no month
    # is handed out any more and the ones being cleaned are waited for, each swapped in whole,
    # so "finished months are kept, the rest is not written" holds.
    pool = ProcessPoolExecutor(max_workers=jobs - 1, mp_context=worker_context(), initializer=ignore_interrupts)
    feeder = PoolFeeder(pool, jobs - 1, left, lambda m: (clean_locked, project, m, inputs_of[m]), results)
    thread = threading.Thread(target=feeder.run, name="clean-feeder", daemon=True)
    thread.start()
    try:
        while (month := left.take(front=False)) is not None:
            results[month] = clean_locked(project, month, inputs_of[month])
        thread.join()
    except BaseException:
        left.stop()
        thread.join()
        # Not pool.shutdown(wait=True): interrupted at the wrong moment, Python's pool can lose
        # the "stop" it queues for a worker, which then waits for it for ever (seen: the command
        # printed its line and never exited). The workers finish the month in hand (they ignore
        # Ctrl-C, and a month is swapped in whole); one still there after STOP_TIMEOUT is killed.
        from metroanalysis.run.pool import stop_pool

        stop_pool(pool)
        raise
    from metroanalysis.run.pool import close_pool

    close_pool(pool)
    if feeder.error is not None:
        raise feeder.error
    for month in feeder.lost:  # its worker was killed (out of memory, say): cleaned here instead
        warn(f"{month}: the process cleaning it in the background died; cleaning it here")
        results[month] = clean_locked(project, month, inputs_of[month])
    return {m: e for m, e in results.items() if e}


class MonthsLeft:
    """The months not yet handed out, taken from either end by two threads."""

    def __init__(self, months: list[str]):
        from collections import deque

        self._left, self._lock, self._stopped = deque(months), threading.Lock(), False

    def take(self, front: bool) -> str | None:
        with self._lock:
            if self._stopped or not self._left:
                return None
            return self._left.popleft() if front else self._left.pop()

    def stop(self) -> None:
        with self._lock:
            self._stopped = True


class PoolFeeder:
    """Keeps each worker of `pool` busy with one month from the front of `left` at a time. Nothing
    waits queued in the pool, so nothing has to be cancelled (Python 3.11's pool, when a worker
    dies, fails on a cancelled queued call with a traceback of its own). A month whose worker
    died is kept in `lost`; an unexpected error in `error`, for the caller to raise."""

    def __init__(self, pool, workers: int, left: MonthsLeft, call, results: dict):
        self.pool, self.workers, self.left, self.call, self.results = pool, workers, left, call, results
        self.lost: list[str] = []
        self.error: BaseException | None = None

    def run(self) -> None:
        from concurrent.futures import FIRST_COMPLETED, wait
        from concurrent.futures.process import BrokenProcessPool

        running: dict = {}
        broken = False
        try:
            while True:
                while not broken and len(running) < self.workers and (month := self.left.take(front=True)):
                    try:
                        running[self.pool.submit(*self.call(month))] = month
                    except BrokenProcessPool:  # a worker died between two months
                        broken = True
                        self.lost.append(month)
                if not running:
                    return
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    month = running.pop(future)
                    try:
                        self.results[month] = future.result()
                    except BrokenProcessPool:
                        broken = True  # no more months for the pool: this process takes the rest
                        self.lost.append(month)
        except BaseException as err:
            self.error = err


def ignore_interrupts() -> None:
    """A cleaning worker, as it starts: Ctrl-C ignored (see `clean_stale`), and ended with the
    fork server it comes from."""
    from metroanalysis.run.pool import end_with_fork_server

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    end_with_fork_server()


def clean_locked(project: Project, month: str, inputs: dict) -> str | None:
    """Clean one month under its lock; the one-line error if its bulletin cannot be cleaned."""
    from metroanalysis.clean.pipeline import clean_month

    with month_lock(project.processed, month):
        try:
            clean_month(project, month, record=inputs)
        except BulletinError as err:
            return str(err)
    return None


def warn_if_raw_changed(project: Project, month: str, folder: Path, inputs: dict) -> None:
    """Raw bulletins are never edited: one whose bytes differ from those its tables were built
    from is reported (it is cleaned again, and the reviewed registry may need a look)."""
    try:
        before = json.loads((folder / "build.json").read_text(encoding="utf-8")).get("bulletin_sha256")
    except (OSError, ValueError):
        return
    now = inputs["bulletin_sha256"]
    if before and before != now:
        warn(
            f"{month}: {project.bulletin(month).relative_to(project.root)} changed since it was cleaned "
            f"(sha256 {before[:12]}… → {now[:12]}…); raw bulletins are never edited — fixes belong in "
            "code or data/reference/; cleaning it again"
        )


def summarise_up_to_date(project: Project, months: list[str], strict: bool) -> bool:
    """One line for the months whose clean tables were up to date (their warnings were printed
    when they were cleaned: here only how many months have some, and where to read them); one
    error line for those that fail --strict. True if any does."""
    if not months:
        return False
    if len(months) == 1:
        print(f"{months[0]}: clean tables up to date, nothing to do")
    else:
        print(f"{len(months)} months up to date ({months[0]} to {months[-1]}), nothing to clean")
    flagged = [m for m in months if has_problems(quality_rows(project.processed_month(m)))]
    if not flagged:
        return False
    which = ", ".join(flagged[:3]) + (f" and {len(flagged) - 3} more" if len(flagged) > 3 else "")
    where = f"data/processed/{flagged[0] if len(flagged) == 1 else 'MONTH'}/quality.csv"
    if strict:
        print(
            f"metroanalysis: error: {which}: fails --strict: a mismatch or a missing table (see {where})",
            file=sys.stderr,
        )
        return True
    warn(f"{which}: a mismatch or a missing table, reported when cleaned (see {where}, or run with -v)")
    return False


def quality_rows(folder: Path) -> list[dict]:
    with open(folder / "quality.csv", encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def has_problems(rows: list[dict]) -> bool:
    return any(r["status"] in ("missing", "mismatch") for r in rows)


# Repairs that are the bulletin's layout changing (a reworded title, 续表, an empty column, a
# reworded footnote, a new channel), not damage: each is a warning of its own, naming its line.
ADAPTED = (
    "title_reworded",
    "table_continued",
    "empty_trailing_cells",
    "footnote_reworded",
    "new_channel",
    "columns_reordered",
)


def report_quality(month: str, folder: Path) -> bool:
    """Warn of every missing table and mismatch in the month's quality.csv; True if any."""
    rows = quality_rows(folder)
    for r in rows:
        if r["status"] == "missing" and r["rule"] == "printed_total_present":
            warn(f"{month}: {r['table']} is printed without its 合计 for {r['column']} (not checked)")
        elif r["status"] == "unmatched":  # a new hospital or area, said by name
            warn(f"{month}: {r['table']}: {r['message']}")
        elif r["status"] == "missing" and r["rule"] == "footnote_recognised":
            warn(f"{month}: line {r['source_line']}: {r['message']}")
        elif r["status"] == "missing":
            warn(f"{month}: table {r['table']} is missing from the bulletin")
        elif r["status"] == "mismatch":
            warn(
                f"{month}: {r['table']}.{r['column']} ({r['entity']}) printed {r['printed']}, "
                f"computed {r['computed']}, difference {r['difference']} "
                f"({'line ' + r['source_line'] + ', ' if r['source_line'] else ''}{r['rule']})"
            )
    for r in rows:
        if r["rule"] in ADAPTED:  # the layout changed and was read: each said on its own line
            warn(f"{month}: {'line ' + r['source_line'] + ': ' if r['source_line'] else ''}{r['message']}")
    repaired = sum(r["status"] == "repaired" and r["rule"] not in ADAPTED for r in rows)
    if repaired:
        warn(f"{month}: {repaired} damaged line(s) of the bulletin repaired on reading (quality.csv, status repaired)")
    counts = Counter(r["status"] for r in rows)
    print(f"{month}: checks " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())))
    return has_problems(rows)


def fails_strict(quality: Path) -> bool:
    """What --strict fails a month for: a mismatch or something missing in its quality.csv."""
    with open(quality, encoding="utf-8-sig", newline="") as fh:
        return any(r["status"] in ("missing", "mismatch") for r in csv.DictReader(fh))


def record_strict_verdict(project: Project, months: list[str], output: str | None) -> None:
    """Each month's run.json (every language) says whether the month passed --strict, and is
    not `ok` when it did not: the reports may be built, but the run failed the month."""
    out_root = Path(output).expanduser().resolve() if output else project.reports
    for month in months:
        quality = project.processed_month(month) / "quality.csv"
        failed = quality.is_file() and fails_strict(quality)
        for record in [out_root / month / "run.json", *(out_root / month).glob("*/run.json")]:
            if record.is_file():
                run = json.loads(record.read_text(encoding="utf-8"))
                run["strict"] = {"checks": "failed" if failed else "ok", "quality": quality.name}
                run["ok"] = bool(run.get("ok")) and not failed
                build.write_atomic(record, json.dumps(run, ensure_ascii=False, indent=2) + "\n")


def warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


CLEANED: list[str] = []  # the months the last `do_clean` of this process cleaned

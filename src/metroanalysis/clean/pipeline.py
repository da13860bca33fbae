"""Which month, which files: clean a month's bulletin into data/processed, load it back.

Each step reads as "load inputs / process / save outputs".
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from metroanalysis.build import keys as build
from metroanalysis.build.locking import month_lock, month_lock_if_free
from metroanalysis.clean import schema, store
from metroanalysis.clean.checks import run_checks
from metroanalysis.clean.entities import Registry, attach_entity_ids
from metroanalysis.clean.hospitals import hospital_profile
from metroanalysis.errors import BulletinError, UsageError
from metroanalysis.parse.located import parse_source, read_source
from metroanalysis.paths import Project, find_project
from metroanalysis.read.text import SYNTHETIC_MARK


@dataclass
class CleanResult:
    month: str
    folder: Path
    tables: dict[str, pd.DataFrame]
    quality: pd.DataFrame
    missing: list[str] = field(default_factory=list)

    @property
    def mismatches(self) -> pd.DataFrame:
        return self.quality[self.quality["status"] == "mismatch"]


def clean_month(project: Project, month: str, record: dict | None = None, out: Path | None = None) -> CleanResult:
    """Raw bulletin → typed tidy tables, facts, checks → data/processed/MONTH/ (or `out`).
    `record` (the build inputs) is saved as build.json inside the same atomic swap."""
    # load inputs
    path = project.bulletin(month)
    raw = read_source(path)  # a text file, a saved web page or a Word file
    registry = Registry.load(project.root)
    # process
    parsed = parse_source(raw, month)
    tables, unmatched = attach_entity_ids(parsed.tables, registry)
    quality = run_checks(tables, parsed.printed_totals, parsed.missing, extra=[*parsed.repairs, *unmatched])
    frames = {
        **{name: schema.typed(df, name) for name, df in tables.items()},
        "hospital_profile": schema.typed(hospital_profile(tables, registry.entities), "hospital_profile"),
        "printed_totals": parsed.printed_totals,
        "facts": parsed.facts,
        "quality": quality,
        "entities": schema.typed(registry.entities, "entities"),
        "aliases": schema.typed(registry.aliases, "aliases"),
    }
    source = {
        "title": f"南京卫生信息 bulletin {month}",
        "path": str(path.relative_to(project.root)),
        "encoding": raw.encoding,
        "sha256": raw.sha256,
        "statistics_lines": list(parsed.stats_lines),
        # A bulletin made by `metroanalysis synth` says so in its first line; so do its outputs.
        "synthetic": bool(raw.lines) and raw.lines[0].text.startswith(SYNTHETIC_MARK),
    }
    # save outputs
    folder = out or project.processed_month(month)
    extra = {"build.json": build.record_text(record)} if record else None
    store.write_month(folder, month, frames, [source], extra=extra)
    return CleanResult(month, folder, frames, quality, parsed.missing)


def stack_months(project: Project, processed: Path | None = None) -> Path | None:
    """PROCESSED/all/ (data/processed/all/ by default): every table of every cleaned month,
    stacked with a `month` column. Rebuilt from the month folders after any month is cleaned,
    so it never lags behind them."""
    # load inputs
    base = Path(processed) if processed else project.processed
    months = [m for m in project.months() if (base / m / "datapackage.json").is_file()]
    if not months:
        return None
    packages = {m: json.loads((base / m / "datapackage.json").read_text(encoding="utf-8")) for m in months}
    folder = base / "all"
    made_from = {m: build.processed_digest(base / m) for m in months}
    extra = {STACKED: json.dumps({"months": made_from}, indent=1, sort_keys=True) + "\n"}
    if append_months(folder, made_from, packages, extra):
        return folder
    # process
    frames = {}
    for table in store.OUTPUT_TABLES:
        parts = [store.read_table(base / m, table).assign(month=m) for m in months]
        stacked = pd.concat(parts, ignore_index=True)
        frames[table] = stacked[["month", *schema.dtypes(table)]]
    # save outputs
    sources = [s for m in months for s in packages[m]["sources"]]
    store.write_month(folder, "all", frames, sources, stacked=True, extra=extra)
    return folder


STACKED = "stacked.json"  # in PROCESSED/all/: each month stacked there, with its clean tables' digest


def append_months(folder: Path, made_from: dict[str, str], packages: dict, extra: dict[str, str]) -> bool:
    """Stack only the months added after the last one stacked, when every month stacked before
    is unchanged: the stacked files' bytes, the new months' rows appended (a row is written the
    same whatever rows surround it, so the files are those a whole restack writes). False (and
    nothing written) when that does not apply: the caller restacks every month."""
    before = build.read_json(folder / STACKED).get("months")
    package = build.read_json(folder / "datapackage.json")
    if not isinstance(before, dict) or not before or not package:
        return False
    added = [m for m in made_from if m not in before]
    if any(made_from.get(m) != d for m, d in before.items()) or not added or min(added) <= max(before):
        return False
    rows = {r["path"].removesuffix(".csv"): r["rows"] for r in package["resources"]}
    files = {}
    for table in store.OUTPUT_TABLES:
        data = (folder / f"{table}.csv").read_bytes()
        for month in added:
            part = store.read_table(folder.parent / month, table).assign(month=month)
            data += store.csv_rows(part[["month", *schema.dtypes(table)]], table, stacked=True)
            rows[table] += len(part)
        files[table] = data
    sources = [*package["sources"], *(s for m in added for s in packages[m]["sources"])]
    store.write_files(folder, "all", files, rows, sources, stacked=True, extra=extra)
    return True


class MonthData:
    """A month's clean tables for notebooks: `m.booking_by_hospital`, `m["kiosk_usage"]`,
    plus `m.facts`, `m.quality`, `m.printed_totals` and `m.package` (the data package)."""

    def __init__(self, month: str, folder: Path, tables: dict[str, pd.DataFrame], package: dict):
        self.month, self.folder, self.tables, self.package = month, folder, tables, package

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)

    def __repr__(self) -> str:
        return f"MonthData({self.month!r}, tables={sorted(self.tables)})"

    @property
    def synthetic(self) -> bool:
        """True for a month made by `metroanalysis synth` (test or demo data, not a real bulletin)."""
        return any(s.get("synthetic") for s in self.package.get("sources", []))

    @property
    def missing(self) -> list[str]:
        q = self.tables["quality"]
        return list(q.loc[q["status"] == "missing", "table"])


def load_month(month: str, root: str | Path | None = None, processed: str | Path | None = None) -> MonthData:
    """The clean tables of `month` as typed DataFrames, cleaning the bulletin first if its
    processed folder does not exist yet or is out of date (`build.is_clean`: a notebook opened after
    the code or the reference files changed reads what `make report` would, not the old tables,
    nor fails on a column they lack). `processed` overrides where the tables are read."""
    project = find_project(root)
    folder = Path(processed) / month if processed else project.processed_month(month)
    inputs = clean_inputs_now(project, month)
    if not (folder / "datapackage.json").is_file():
        with month_lock(folder.parent, month):
            if not (folder / "datapackage.json").is_file():
                clean_month(project, month, record=inputs, out=folder)
    elif not build.is_clean(folder, inputs):
        # Out of date: cleaned again unless a run holds the month (its notebooks read what it
        # cleaned; waiting for the lock its own run holds would wait for ever)
        with month_lock_if_free(folder.parent, month) as free:
            if free and not build.is_clean(folder, inputs):
                clean_month(project, month, record=inputs, out=folder)
    return read_month_folder(month, folder)


def clean_inputs_now(project: Project, month: str) -> dict | None:
    """What `month`'s clean tables are made from now (`build.clean_inputs`); None when its
    bulletin is not in the project (or two are): nothing to clean them from."""
    try:
        return build.clean_inputs(project.root, project.bulletin(month))
    except (BulletinError, UsageError, OSError):
        return None


def stacked_is_current(processed: Path, months: list[str]) -> bool:
    """PROCESSED/all/ stacks each of `months` as its month folder holds it now (`STACKED`)."""
    made_from = build.read_json(Path(processed) / "all" / STACKED).get("months")
    return isinstance(made_from, dict) and all(
        made_from.get(m) == build.processed_digest(Path(processed) / m) for m in months
    )


def read_month_folder(month: str, folder: Path, stacked: bool = False) -> MonthData:
    tables = {t: store.read_table(folder, t, stacked) for t in store.OUTPUT_TABLES}
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    return MonthData(month, folder, tables, package)


class TablesRead(Mapping):
    """A folder's clean tables, each read (and passed through `keep`) the first time it is asked
    for: a report over ten years of months reads the few stacked tables it uses, not facts.csv's
    every number of every month (most of the time reading all of them took)."""

    def __init__(self, folder: Path, stacked: bool = False, keep: Callable[[pd.DataFrame], pd.DataFrame] | None = None):
        self._folder, self._stacked, self._keep = Path(folder), stacked, keep
        self._read: dict[str, pd.DataFrame] = {}

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in store.OUTPUT_TABLES:
            raise KeyError(name)
        if name not in self._read:
            df = store.read_table(self._folder, name, self._stacked)
            self._read[name] = self._keep(df) if self._keep else df
        return self._read[name]

    def __iter__(self) -> Iterator[str]:
        return iter(store.OUTPUT_TABLES)

    def __len__(self) -> int:
        return len(store.OUTPUT_TABLES)


def load_all_months(root: str | Path | None = None, processed: str | Path | None = None) -> MonthData:
    """Every month's tables stacked (data/processed/all), each row with its `month`;
    cleaned and stacked first if that folder does not exist yet."""
    project = find_project(root)
    base = Path(processed) if processed else project.processed
    folder = base / "all"
    if not (folder / "datapackage.json").is_file():
        # One lock at a time (months, then all), as every other step takes them: no deadlock.
        for month in project.months():
            if not (base / month / "datapackage.json").is_file():
                with month_lock(base, month):
                    if not (base / month / "datapackage.json").is_file():
                        clean_month(project, month, out=base / month)
        with month_lock(base, "all"):
            stack_months(project, base)
    return read_month_folder("all", folder, stacked=True)

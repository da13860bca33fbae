"""What was built: the record beside each report (its key, title, finding, times and output
digests), written only once the output is whole, and read back to tell a report current."""

from __future__ import annotations

import json
from pathlib import Path

from metroanalysis.build.files import file_digest, now, read_json, source_date_epoch, write_atomic


def record_path(out_dir: Path, name: str) -> Path:
    return Path(out_dir) / ".build" / f"{name}.json"


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


def output_digests(out_dir: Path, name: str) -> dict[str, str]:
    """The SHA-256 of the report's files as written, so `metroanalysis verify` can tell a page
    edited (or damaged) after it was built."""
    files = (Path(out_dir) / f"{name}{suffix}" for suffix in (".html", ".ipynb"))
    return {p.name: file_digest(p) for p in files if p.is_file()}


def durations(seconds: float, timings: dict[str, float]) -> dict:
    """How long a report took, for a record; nothing measured when the build must be reproducible
    (a duration is never the same twice)."""
    if source_date_epoch() is not None:
        return {"seconds": None, "timings": {}}
    return {"seconds": round(seconds, 3), "timings": {k: round(v, 3) for k, v in timings.items()}}

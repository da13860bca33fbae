"""`metroanalysis verify`: is what is on disk exactly what was built, from what is on disk now?

For each month it re-reads the records the build left and compares them with the files:

- `data/processed/MONTH/datapackage.json`: every resource's `bytes` and `hash` against its CSV;
  the raw bulletin's SHA-256 (the package's `sources`) against the bulletin; the clean step's
  inputs (`build.json`) against the inputs now (bulletin, reference files, library, versions);
- `reports/MONTH/data/`: the published copy of the data package, the same way, and that it is a
  copy of the processed month's;
- every report, in each language folder: the SHA-256 of its HTML and executed notebook recorded
  when it was built (`.build/NN-name.json`, `outputs`) against the files, and its recorded build
  key against the key of the notebook, library, clean tables, parameters and versions now.

Each problem is one line naming the file and what differs. Nothing is rebuilt or rewritten.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from metroanalysis import i18n
from metroanalysis.build import keys as build
from metroanalysis.paths import Project
from metroanalysis.publish import provenance


@dataclass
class Verification:
    problems: list[str] = field(default_factory=list)
    files: int = 0  # files whose size and hash were compared
    bulletins: int = 0
    reports: int = 0

    def summary(self, months: list[str]) -> str:
        return (
            f"verified {len(months)} month(s): {self.files} file(s) by size and SHA-256, "
            f"{self.bulletins} bulletin(s), {self.reports} report(s) and their build inputs"
        )


def verify(
    project: Project, months: list[str], out_root: Path | None = None, notebooks: Path | None = None
) -> Verification:
    out_root = Path(out_root) if out_root else project.reports
    notebooks = Path(notebooks) if notebooks else project.notebooks
    found = Verification()
    for month in months:
        verify_processed(project, month, found)
        verify_published(project, out_root, month, found)
        for lang in i18n.LANGS:
            verify_reports(project, out_root, notebooks, month, lang, found)
    return found


def shown(project: Project, path: Path) -> str:
    """A path as a problem line names it: relative to the project when inside it."""
    path = Path(path)
    return path.relative_to(project.root).as_posix() if path.is_relative_to(project.root) else str(path)


def short(digest: str) -> str:
    return digest.removeprefix("sha256:")[: provenance.SHORT]


# ---------------------------------------------------------------------------------------------
# Data packages


def verify_package(project: Project, folder: Path, found: Verification) -> dict | None:
    """Every resource of folder/datapackage.json against its file; the package, or None."""
    path = folder / "datapackage.json"
    package = build.read_json(path)
    if not package:
        found.problems.append(f"{shown(project, path)}: missing or not JSON")
        return None
    for resource in package.get("resources", []):
        file = folder / str(resource.get("path"))
        found.files += 1
        if not file.is_file():
            found.problems.append(f"{shown(project, file)}: missing (listed in {shown(project, path)})")
            continue
        if "hash" not in resource or "bytes" not in resource:
            found.problems.append(f"{shown(project, file)}: no hash/bytes recorded in {shown(project, path)}")
            continue
        data = file.read_bytes()
        if len(data) != resource["bytes"]:
            found.problems.append(f"{shown(project, file)}: {len(data)} bytes, recorded {resource['bytes']}")
        now = f"sha256:{hashlib.sha256(data).hexdigest()}"
        if now != resource["hash"]:
            found.problems.append(f"{shown(project, file)}: sha256 {short(now)}…, recorded {short(resource['hash'])}…")
    return package


def verify_processed(project: Project, month: str, found: Verification) -> None:
    folder = project.processed_month(month)
    package = verify_package(project, folder, found)
    if package is None:
        return
    for source in package.get("sources", []):
        bulletin = project.root / str(source.get("path"))
        found.bulletins += 1
        if not bulletin.is_file():
            found.problems.append(f"{shown(project, bulletin)}: missing (the source of {shown(project, folder)})")
            continue
        now = build.file_digest(bulletin)
        if now != source.get("sha256"):
            found.problems.append(
                f"{shown(project, bulletin)}: sha256 {short(now)}…, recorded {short(str(source.get('sha256')))}… "
                f"in {shown(project, folder / 'datapackage.json')}"
            )
    record = build.read_json(folder / "build.json")
    if record:
        inputs = build.clean_inputs(project.root, project.bulletin(month))
        changed = sorted(k for k in inputs.keys() | record.keys() if inputs.get(k) != record.get(k))
        if changed:
            record_file = shown(project, folder / "build.json")
            found.problems.append(f"{record_file}: built from other inputs than those now ({', '.join(changed)})")


def verify_published(project: Project, out_root: Path, month: str, found: Verification) -> None:
    """reports/MONTH/data/, when the reports published it."""
    folder = out_root / month / provenance.DATA_FOLDER
    if not folder.is_dir():
        return
    if verify_package(project, folder, found) is None:
        return
    source = project.processed_month(month) / "datapackage.json"
    if source.is_file() and (folder / "datapackage.json").read_bytes() != source.read_bytes():
        copy = shown(project, folder / "datapackage.json")
        found.problems.append(f"{copy}: not a copy of {shown(project, source)} (run the reports again)")


# ---------------------------------------------------------------------------------------------
# Reports


def verify_reports(
    project: Project, out_root: Path, notebooks: Path, month: str, lang: str, found: Verification
) -> None:
    from metroanalysis.run.runner import month_dir, parameters
    from metroanalysis.run.tasks import KERNEL

    out_dir = month_dir(out_root, month, lang)
    records = sorted((out_dir / ".build").glob("*.json")) if (out_dir / ".build").is_dir() else []
    if not records:
        return
    common = build.month_inputs(project.bulletin(month), project.processed, project.months(), month)
    for path in records:
        name = path.stem
        record = build.read_json(path)
        found.reports += 1
        if record.get("status") != "ok":
            found.problems.append(f"{shown(project, out_dir / name)}.html: its last run failed ({record.get('error')})")
            continue
        outputs = record.get("outputs")
        if not isinstance(outputs, dict):
            found.problems.append(f"{shown(project, path)}: no output digests recorded (built by an older version)")
        else:
            for file, recorded in sorted(outputs.items()):
                found.files += 1
                target = out_dir / file
                if not target.is_file():
                    found.problems.append(f"{shown(project, target)}: missing")
                elif (now := build.file_digest(target)) != recorded:
                    found.problems.append(
                        f"{shown(project, target)}: sha256 {short(now)}…, recorded {short(recorded)}… "
                        f"in {shown(project, path)}"
                    )
        notebook = notebooks / f"{name}.ipynb"
        if not notebook.is_file():
            found.problems.append(f"{shown(project, path)}: its notebook {shown(project, notebook)} is gone")
            continue
        inputs = build.report_inputs(notebook, common, parameters(project, out_root, month, lang, notebooks), KERNEL)
        if build.digest(inputs) != record.get("key"):
            changed = build.changed_inputs(record.get("inputs"), inputs)
            what = (
                f"its {', '.join(changed)} changed"
                if changed
                else "notebook, catalog, library, tables, parameters or versions changed"
            )
            found.problems.append(
                f"{shown(project, path)}: built from other inputs than those now ({what}; run the reports again)"
            )

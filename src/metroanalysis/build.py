"""What was built from what: freshness records for incremental runs.

A step's *inputs* are digests of everything that shapes its output (the raw bulletin, the
reference files, the library's own source, the notebook, the parameters, the versions of
the packages that render it). A record of those inputs is written beside the output only
after the output is complete, so a crash mid-build leaves no record and the step runs again.
This module is deliberately light (no pandas, no Jupyter): deciding that nothing needs doing
must be fast.
"""

from __future__ import annotations

import hashlib
import json
import sys
from functools import cache
from importlib import metadata
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
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
)


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def files_digest(paths: list[Path], base: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(paths):
        h.update(str(path.relative_to(base)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


# Modules that shape reports but not the clean tables: editing them re-runs reports only.
REPORT_ONLY = ("analysis/", "plotting.py", "notebook.py", "report.py", "html.py", "cli.py", "synth.py", "templates/")
REPORT_ONLY += ("formats/write.py",)  # writes synth's web pages and Word files; reads no bulletin
CLEAN_TOO = ("analysis/profile.py", "analysis/__init__.py")


@cache
def library_digest(step: str = "report") -> str:
    """The library's own source and packaged data: a change to any parser or check makes the
    clean tables stale; any change at all makes the reports stale."""
    paths = []
    for p in PACKAGE_DIR.rglob("*"):
        rel = p.relative_to(PACKAGE_DIR).as_posix()
        if not p.is_file() or p.suffix not in (".py", ".csv", ".json", ".tpl", ".j2", ".css"):
            continue
        if step == "clean" and rel.startswith(REPORT_ONLY) and rel not in CLEAN_TOO:
            continue
        paths.append(p)
    return files_digest(paths, PACKAGE_DIR)


@cache
def versions(packages: tuple[str, ...]) -> dict[str, str]:
    found = {"python": sys.version.split()[0]}
    for name in packages:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "absent"
    return found


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


def reference_digest(root: Path) -> str:
    folder = root / "data" / "reference"
    paths = [p for p in folder.glob("*.csv")] if folder.is_dir() else []
    return files_digest(paths, folder) if paths else "packaged"


def clean_inputs(root: Path, bulletin: Path) -> dict:
    return {
        "step": "clean",
        "bulletin_sha256": file_digest(bulletin),
        "reference": reference_digest(root),
        "library": library_digest("clean"),
        "versions": versions(CLEAN_PACKAGES),
    }

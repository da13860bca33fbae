"""The month's numbers published beside its reports: reports/MONTH/data/.

A reviewer who reads a report and wants the numbers behind it gets them from the same folder, so
every link still works after `reports/` is copied to a shared drive: the month's data package
(datapackage.json), every clean table as CSV, exactly the files of data/processed/MONTH/, and the
month's Excel workbook `bulletin-YYYY-MM.xlsx` (`workbook.write_workbook`).

Published again only when the month's clean tables (or this code, or the workbook's) changed: a
record `.published.json` in the folder holds the digest it was built from. The folder is written
beside the old one and swapped in whole, so a reader never sees half of each.

Where to change what: which files are published: `published_files`; the workbook itself:
`workbook.py`; how the pages link here: `data_href`.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from . import build
from .workbook import workbook_name, write_workbook

DATA = "data"  # reports/MONTH/DATA/
RECORD = ".published.json"
PACKAGE = "datapackage.json"
CODE = [Path(__file__).resolve(), Path(__file__).resolve().with_name("workbook.py")]


def data_dir(out_root: Path, month: str) -> Path:
    return Path(out_root) / month / DATA


def data_href(lang_is_source: bool) -> str:
    """The data folder as a page links it: from reports/MONTH/ (Chinese) or reports/MONTH/LANG/."""
    return f"{DATA}/" if lang_is_source else f"../{DATA}/"


def publish_key(processed_month: Path) -> str:
    return build.digest(
        {"tables": build.processed_digest(processed_month), "code": build.files_digest(CODE, CODE[0].parent)}
    )


def published_files(processed_month: Path) -> list[str]:
    """The data package and every file it names (the clean tables as CSV)."""
    package = json.loads((processed_month / PACKAGE).read_text(encoding="utf-8"))
    return [PACKAGE, *(r["path"] for r in package["resources"])]


def publish_month_data(processed_month: Path, out_root: Path, force: bool = False) -> bool:
    """Copy the month's data package and CSVs into reports/MONTH/data/ and write its workbook
    there, unless they are already those of the current clean tables; True if (re)published.
    The caller holds the month's lock."""
    processed_month = Path(processed_month)
    month = processed_month.name
    target = data_dir(out_root, month)
    key = publish_key(processed_month)
    if not force and build.read_json(target / RECORD).get("key") == key and is_complete(target, processed_month):
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{DATA}.tmp-", dir=target.parent))
    try:
        for name in published_files(processed_month):
            shutil.copyfile(processed_month / name, tmp / name)
        write_workbook(processed_month, tmp / workbook_name(month))
        (tmp / RECORD).write_text(json.dumps({"key": key, "built": build.now()}) + "\n", encoding="utf-8")
        swap_in(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return True


def is_complete(target: Path, processed_month: Path) -> bool:
    names = [*published_files(processed_month), workbook_name(processed_month.name)]
    return all((target / name).is_file() for name in names)


def swap_in(new: Path, folder: Path) -> None:
    """`new` takes the place of `folder`; a leftover of a killed swap is cleared first."""
    for stale in folder.parent.glob(f".{folder.name}.old-*"):
        shutil.rmtree(stale, ignore_errors=True)
    old = folder.with_name(f".{folder.name}.old-{os.getpid()}")
    if folder.exists():
        os.replace(folder, old)
    os.replace(new, folder)
    shutil.rmtree(old, ignore_errors=True)


# Tables made from the bulletin's (and the registry) carry no printed title; their names here.
DERIVED_TITLES = {
    "hospital_profile": ("医院概况（预约、自助机、上传合并）", "Hospital profile (bookings, kiosks, uploads)"),
    "entities": ("实体登记表", "Registry of hospitals, areas and others"),
    "aliases": ("名称变体", "Printed name variants"),
    "facts": ("原文全部数字（含行号）", "Every printed number, with its line"),
    "quality": ("质量检查", "Quality checks"),
}


def table_title(table: str) -> tuple[str, str]:
    """A clean table's title, Chinese and English (its name when it has none)."""
    from .schema import TABLES

    spec = TABLES.get(table)
    if spec is not None and spec.title_zh:
        return spec.title_zh, spec.title_en or spec.title_zh
    return DERIVED_TITLES.get(table, (table, table))


def downloads(target: Path) -> dict | None:
    """What a month's index lists for download from `target` (reports/MONTH/data/): the
    workbook, the data package and each CSV with its table's Chinese and English titles; None
    when nothing is published there yet."""
    package = build.read_json(target / PACKAGE)
    if not package:
        return None
    month = target.parent.name
    tables = []
    for r in package.get("resources", []):
        zh, en = table_title(Path(r["path"]).stem)
        tables.append({"path": r["path"], "title": zh, "title_en": en, "rows": r.get("rows")})
    book = workbook_name(month)
    return {"workbook": book if (target / book).is_file() else None, "package": PACKAGE, "tables": tables}

"""The month's workbook beside its data, and what the pages say about that folder.

`runner.publish_data` copies the month's data package and CSVs into reports/MONTH/data/ (so
every link still works after `reports/` is copied to a shared drive) and keeps any other file
there; this module adds the month's Excel workbook `bulletin-YYYY-MM.xlsx`
(`workbook.write_workbook`), written again only when the month's clean tables (or the workbook's
code) changed: a record `.workbook.json` beside it holds the digest it was built from.

Where to change what: the workbook itself: `workbook.py`; how the pages link the folder:
`data_href`; what a month's index lists for download: `downloads`.
"""

from __future__ import annotations

import json
from pathlib import Path

from metroanalysis.build import keys as build
from metroanalysis.publish.workbook import workbook_name, write_workbook

DATA = "data"  # reports/MONTH/DATA/ (provenance.DATA_FOLDER)
RECORD = ".workbook.json"
PACKAGE = "datapackage.json"
CODE = ("metroanalysis.publish.data", "metroanalysis.publish.workbook")  # the workbook's code, for its record


def data_dir(out_root: Path, month: str) -> Path:
    return Path(out_root) / month / DATA


def data_href(lang_is_source: bool) -> str:
    """The data folder as a page links it: from reports/MONTH/ (Chinese) or reports/MONTH/LANG/."""
    return f"{DATA}/" if lang_is_source else f"../{DATA}/"


def publish_key(processed_month: Path) -> str:
    return build.digest(
        {
            "tables": build.processed_digest(processed_month),
            "code": build.files_digest(build.module_files(*CODE), build.PACKAGE_DIR),
        }
    )


def publish_workbook(processed_month: Path, out_root: Path, force: bool = False) -> bool:
    """Write the month's workbook into reports/MONTH/data/ unless it is already that of the
    current clean tables; True if (re)written. The caller holds the month's lock."""
    processed_month = Path(processed_month)
    target = data_dir(out_root, processed_month.name)
    book = target / workbook_name(processed_month.name)
    key = publish_key(processed_month)
    if not force and book.is_file() and build.read_json(target / RECORD).get("key") == key:
        return False
    target.mkdir(parents=True, exist_ok=True)
    write_workbook(processed_month, book)  # atomic: written beside, then moved into place
    build.write_atomic(target / RECORD, json.dumps({"key": key}) + "\n")
    return True


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
    from metroanalysis.clean.schema import TABLES

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

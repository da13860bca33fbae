"""Writing a month's clean tables to disk and reading them back, typed.

CSV files are UTF-8 with a BOM so that Excel on Chinese Windows opens them; money is
written as two-decimal text, so the file holds the printed amount exactly. A month's
folder is written beside the old one and swapped in only when complete. The data package gives
every CSV file's `bytes` and `hash` ("sha256:…", Frictionless' form) so that a reader, or
`metroanalysis verify`, can tell that a file is exactly the one described.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from metroanalysis.build.swap import recover, swap_in
from metroanalysis.clean import schema

ENCODING = "utf-8-sig"
FRICTIONLESS_TYPES = {"Int64": "integer", "string": "string", "boolean": "boolean", "Float64": "number"}
OUTPUT_TABLES = [
    *schema.BULLETIN_TABLES,
    "hospital_profile",
    "printed_totals",
    "facts",
    "quality",
    "entities",
    "aliases",
]


def _follow_registry() -> None:
    """A table module registered or unregistered: the tables written follow (after schema's)."""
    derived = [t for t in OUTPUT_TABLES if t in schema.DERIVED_NAMES]
    OUTPUT_TABLES[:] = [*schema.BULLETIN_TABLES, *derived]


schema.parsed.follow(_follow_registry)


def dtypes(table: str, stacked: bool = False) -> dict[str, str]:
    return {"month": "string", **schema.dtypes(table)} if stacked else schema.dtypes(table)


def to_csv_text(df: pd.DataFrame, table: str, stacked: bool = False) -> str:
    out = df.copy()
    for col, dtype in dtypes(table, stacked).items():
        if dtype == "Float64":
            out[col] = [None if pd.isna(v) else f"{v:.2f}" for v in out[col]]
        elif dtype == "boolean":
            out[col] = [None if pd.isna(v) else ("true" if v else "false") for v in out[col]]
    return out.to_csv(index=False, lineterminator="\n")


def read_table(folder: Path, table: str, stacked: bool = False) -> pd.DataFrame:
    """A table written by `write_month`, in its schema's dtypes."""
    df = pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False, encoding=ENCODING)
    for col, dtype in dtypes(table, stacked).items():
        values = df[col].tolist()  # a list: iterating a pandas string column is far slower
        if dtype == "Int64":
            df[col] = pd.array([None if v == "" else int(v) for v in values], dtype="Int64")
        elif dtype == "Float64":
            df[col] = pd.array([None if v == "" else float(v) for v in values], dtype="Float64")
        elif dtype == "boolean":
            df[col] = pd.array([None if v == "" else v == "true" for v in values], dtype="boolean")
        else:
            df[col] = pd.array([None if v == "" else v for v in values], dtype="string")
    return df


MONTH_FIELD = schema.field("month")


def file_facts(data: bytes) -> dict:
    """A resource's size and SHA-256, as Frictionless writes them."""
    return {"bytes": len(data), "hash": f"sha256:{hashlib.sha256(data).hexdigest()}"}


def datapackage(
    month: str,
    frames: dict[str, pd.DataFrame],
    sources: list[dict],
    stacked: bool = False,
    files: dict[str, bytes] | None = None,
    rows: dict[str, int] | None = None,
) -> dict:
    """A Frictionless data package describing every table and field of the month (or, stacked,
    of every month, each row with its month); `files` (table → the CSV's bytes) adds each file's
    bytes and hash."""
    resources = []
    for table in OUTPUT_TABLES:
        fields = schema.fields(table)
        fields = [MONTH_FIELD, *fields] if stacked else fields
        resources.append(
            {
                "name": table.replace("_", "-"),
                "path": f"{table}.csv",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "description": schema.description(table),
                "schema": {
                    "fields": [
                        {
                            "name": f.name,
                            "type": FRICTIONLESS_TYPES[f.dtype],
                            "title": f.label,
                            "title_en": f.label_en,
                            "description": f.description,
                            **({"unit": f.unit} if f.unit else {}),
                        }
                        for f in fields
                    ],
                    "missingValues": [""],
                },
                "rows": rows[table] if rows is not None else len(frames[table]),
                **(file_facts(files[table]) if files and table in files else {}),
            }
        )
    return {
        "name": f"nanjing-health-bulletin-{month}",
        "title": f"南京卫生信息 {month} 统计数据 (clean tables)",
        "description": "Tables cleaned by metroanalysis from the monthly bulletin of 南京卫生信息.",
        "sources": sources,
        "resources": resources,
    }


def write_month(
    folder: Path,
    month: str,
    frames: dict[str, pd.DataFrame],
    sources: list[dict],
    stacked: bool = False,
    extra: dict[str, str] | None = None,
) -> None:
    """Write every table, then swap the folder in: readers see the old month or the new one,
    never half of each."""
    files = {table: to_csv_text(frames[table], table, stacked).encode(ENCODING) for table in OUTPUT_TABLES}
    write_files(folder, month, files, {t: len(frames[t]) for t in OUTPUT_TABLES}, sources, stacked, extra)


def csv_rows(df: pd.DataFrame, table: str, stacked: bool = False) -> bytes:
    """The table's rows as `write_month` writes them, without the header line (and without the
    BOM): what appending them to a written table adds. A row is written the same whatever the
    rows around it, so a table appended to is the table written whole."""
    return to_csv_text(df, table, stacked).split("\n", 1)[1].encode("utf-8")


def write_files(
    folder: Path,
    month: str,
    files: dict[str, bytes],
    rows: dict[str, int],
    sources: list[dict],
    stacked: bool = False,
    extra: dict[str, str] | None = None,
) -> None:
    """`write_month` from the CSV files' bytes and row counts."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    recover(folder)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.tmp-", dir=folder.parent))
    try:
        for table, data in files.items():
            (tmp / f"{table}.csv").write_bytes(data)
        package = datapackage(month, {}, sources, stacked, files, rows)
        (tmp / "datapackage.json").write_text(
            json.dumps(package, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        for name, text in (extra or {}).items():  # e.g. build.json: inside the same swap
            (tmp / name).write_text(text, encoding="utf-8")
        swap_in(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise

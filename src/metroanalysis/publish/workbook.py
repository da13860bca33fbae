"""A month's clean tables as one Excel workbook a reviewer can check and reuse (openpyxl).

Built from the month's data package (datapackage.json and the CSV files beside it), so the
workbook says exactly what the CSVs say:

- a first sheet 说明 that names every sheet, what it holds and where it came from (the bulletin's
  file name and SHA-256);
- one sheet per table, Chinese headers in row 1 and the field names in row 2 (frozen), numbers
  stored as numbers: counts as integers with thousands separators, yuan with two decimals;
  a missing value (e.g. printed 未反馈) is an empty cell, with the flag column beside it;
- the quality checks with anything that is not `ok` first, as in quality.csv.

Column widths are fitted to the text, a CJK character counting as two.
"""

from __future__ import annotations

import csv
import json
import os
import unicodedata
from pathlib import Path

from metroanalysis.build.keys import build_time

SUMMARY = "说明"
MAX_WIDTH = 60
FORMATS = {"count": "#,##0", "yuan": "#,##0.00", "number": "0.00"}


def workbook_name(month: str) -> str:
    return f"bulletin-{month}.xlsx"


def write_workbook(folder: Path, out: Path | None = None) -> Path:
    """Write the workbook of the month folder `folder` (data/processed/YYYY-MM) to `out`
    (default: folder/bulletin-YYYY-MM.xlsx), atomically; return its path."""
    from openpyxl import Workbook

    folder = Path(folder)
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    month = folder.name
    out = Path(out) if out else folder / workbook_name(month)
    book = Workbook()
    summary = book.active
    summary.title = SUMMARY
    sheets = []
    for resource in package["resources"]:
        sheet = book.create_sheet(_sheet_name(resource))
        rows = _write_table(sheet, folder / resource["path"], resource["schema"]["fields"])
        sheets.append((sheet.title, resource, rows))
    _write_summary(summary, package, month, sheets)
    when = build_time().replace(tzinfo=None, microsecond=0)  # SOURCE_DATE_EPOCH when it is set
    book.properties.created = book.properties.modified = when
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        book.save(tmp)
        _fix_zip_times(tmp, when)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return out


def _fix_zip_times(path: Path, when) -> None:
    """An .xlsx is a zip whose entries carry the moment they were written, and openpyxl stamps
    its `modified` property at save: both given `when` instead, the same tables and the same
    SOURCE_DATE_EPOCH give the same bytes."""
    import re
    import zipfile

    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
    with zipfile.ZipFile(path) as zin:
        entries = [(info, zin.read(info)) for info in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in entries:
            if info.filename == "docProps/core.xml":
                modified = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
                stamped = rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)"
                data = re.sub(stamped, rb"\g<1>" + modified + rb"\g<2>", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.compress_type, fixed.external_attr = zipfile.ZIP_DEFLATED, info.external_attr
            zout.writestr(fixed, data)


def _sheet_name(resource: dict) -> str:
    # Excel allows 31 characters and no []:*?/\ ; the table names fit and are the CSV names.
    return Path(resource["path"]).stem[:31]


def _kind(field: dict) -> str:
    if field["type"] == "integer":
        return "count"
    if field["type"] == "number":
        return "yuan" if field["name"].endswith("_yuan") or field.get("unit") == "yuan" else "number"
    return field["type"]


def _value(text: str, kind: str):
    """A CSV cell as the workbook stores it: empty stays empty (missing), numbers as numbers."""
    if text == "":
        return None
    if kind == "count":
        return int(text)
    if kind in ("yuan", "number"):
        return float(text)
    if kind == "boolean":
        return text == "true"
    return text


def _write_table(sheet, path: Path, fields: list[dict]) -> int:
    from openpyxl.styles import Font

    kinds = [_kind(f) for f in fields]
    sheet.append([f.get("title") or f["name"] for f in fields])
    sheet.append([f["name"] for f in fields])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for cell in sheet[2]:
        cell.font = Font(italic=True, color="59636E")
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        next(reader)  # the header: the field names, in the schema's order
        rows = [[_value(text, kind) for text, kind in zip(row, kinds, strict=True)] for row in reader]
    for row in rows:
        sheet.append(row)
    for column, kind in enumerate(kinds, start=1):
        if kind in FORMATS:
            for (cell,) in sheet.iter_rows(min_row=3, min_col=column, max_col=column):
                cell.number_format = FORMATS[kind]
    sheet.freeze_panes = "A3"
    _fit_widths(sheet)
    return len(rows)


def _write_summary(sheet, package: dict, month: str, sheets: list) -> None:
    from openpyxl.styles import Font

    source = (package.get("sources") or [{}])[0]
    sheet.append([f"南京卫生信息月报 {month}：清洗后的数据表"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(["原文文件", Path(source.get("path", "")).name])
    sheet.append(["原文 SHA-256", source.get("sha256", "")])
    if source.get("synthetic"):
        sheet.append(["注意", "合成测试数据，非真实公报"])
    sheet.append([])
    sheet.append(["工作表", "内容", "行数", "对应的 CSV 文件"])
    header = sheet.max_row
    for cell in sheet[header]:
        cell.font = Font(bold=True)
    for name, resource, rows in sheets:
        sheet.append([name, resource.get("description", ""), rows, resource["path"]])
    sheet.append([])
    sheet.append(["每个表的第 1 行是中文列名，第 2 行是字段名；空单元格表示缺失（如原文“未反馈”），不是 0。"])
    sheet.freeze_panes = f"A{header + 1}"
    _fit_widths(sheet)


def text_width(value) -> int:
    """How wide `value` prints in a spreadsheet cell: CJK and full-width characters count two."""
    text = f"{value:,.2f}" if isinstance(value, float) else f"{value:,}" if isinstance(value, int) else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _fit_widths(sheet) -> None:
    from openpyxl.utils import get_column_letter

    widths: dict[int, int] = {}
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value is not None:
                widths[cell.column] = max(widths.get(cell.column, 0), text_width(cell.value))
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = min(width + 2, MAX_WIDTH)

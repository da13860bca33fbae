"""卫生信息平台数据采集情况: uploads to the city platform, by area （区） and by hospital （医院）."""

from __future__ import annotations

import re

from metroanalysis.errors import BulletinError
from metroanalysis.parse.tables.base import (
    Column,
    Extract,
    Section,
    check_cell_count,
    is_note,
    is_total_label,
    match_header,
)
from metroanalysis.parse.tables.spec import YM, Printed, Table
from metroanalysis.read.text import Cell, parse_count

BY_DISTRICT = "upload_by_district"
BY_HOSPITAL = "upload_by_hospital"

_UPLOADED = ("upload_volume", "upload_days", "outpatient_records", "discharge_records")
TABLES = (
    Table(
        BY_DISTRICT,
        "数据采集情况（区）",
        "Data uploads by area",
        "Uploads to the city health-information platform by area (数据采集情况（区）).",
        (
            ("area", {"title_zh": "接入单位", "title_en": "Reporting area", "description": "area as printed"}),
            "entity_id",
            "declared_tables",
            "declared_reported",
            "required_tables",
            "uploaded_tables",
            *_UPLOADED,
            "health_records_basic",
            "health_records_hypertension",
            "health_records_diabetes",
            "source_line",
        ),
        entity_column="area",
    ),
    Table(
        BY_HOSPITAL,
        "数据采集情况（医院）",
        "Data uploads by hospital",
        "Uploads to the city health-information platform by hospital (数据采集情况（医院）).",
        (
            ("hospital", {"title_zh": "接入单位", "title_en": "Reporting hospital"}),
            "entity_id",
            ("declared_tables", {"description": "tables declared; <NA> where printed 未反馈"}),
            ("declared_reported", {"description": "False where printed 未反馈 (not reported): not a zero"}),
            ("required_tables", {"title_zh": "规定上传"}),
            ("uploaded_tables", {"title_zh": "已上传表/CDA文档（份）"}),
            *_UPLOADED,
            "source_line",
        ),
        entity_column="hospital",
    ),
)

NOT_REPORTED = "未反馈"

COMMON = [
    Column("declared_tables", r"申明上传表/规定上传表?", "ratio", "表"),
    Column("uploaded_tables", r"已上传表.*CDA文档.*", "count", "表"),
    Column("upload_volume", r"数据上传量", "count", "条"),
    Column("upload_days", r"数据上传天数", "count", "天"),
    Column("outpatient_records", r"门急诊信息上传人次", "count", "人次"),
    Column("discharge_records", r"出院信息上传人次", "count", "人次"),
]
# The district table's last column group 健康档案累计上传总量 splits on a second header row.
HEALTH_GROUP = r"健康档案累计上传总量"
HEALTH = [
    Column("health_records_basic", r"基本信息", "count", "份"),
    Column("health_records_hypertension", r"高血压", "count", "份"),
    Column("health_records_diabetes", r"糖尿病", "count", "份"),
]


def upload_by_district(section: Section, ex: Extract) -> None:
    rows = [r for r in section.rows() if not is_note(r)]
    if len(rows) < 2:
        raise BulletinError("table has no two-row header", line=section.title.no, table=BY_DISTRICT)
    top, sub, body = rows[0], rows[1], rows[2:]
    columns = [Column("area", r"接入单位|区|地区", "name"), *COMMON]
    match_header(top, [*columns, Column("health", HEALTH_GROUP, "group")], BY_DISTRICT)
    # The second header row leaves the first columns empty and names the sub-columns.
    if len(sub) != len(columns) + len(HEALTH) or any(c.text for c in sub[: len(columns)]):
        raise BulletinError(
            "second header row does not split 健康档案累计上传总量",
            line=sub[0].line,
            table=BY_DISTRICT,
            text=" | ".join(c.text for c in sub),
        )
    match_header(sub[len(columns) :], HEALTH, BY_DISTRICT)
    records = upload_rows(body, [*columns, *HEALTH], BY_DISTRICT, "area", ex, section.title.no)
    ex.put(BY_DISTRICT, records)


def upload_by_hospital(section: Section, ex: Extract) -> None:
    rows = [r for r in section.rows() if not is_note(r)]
    if not rows:
        raise BulletinError("table has no header or rows", line=section.title.no, table=BY_HOSPITAL)
    columns = [Column("hospital", r"接入单位|单位|医院", "name"), *COMMON]
    match_header(rows[0], columns, BY_HOSPITAL)
    records = upload_rows(rows[1:], columns, BY_HOSPITAL, "hospital", ex, section.title.no)
    ex.put(BY_HOSPITAL, records)


def upload_rows(
    body: list[list[Cell]], columns: list[Column], table: str, entity_col: str, ex: Extract, title_line: int
) -> list[dict]:
    if not body:
        raise BulletinError("table has no rows", line=title_line, table=table)
    records = []
    for row in body:
        if is_total_label(row[0].text):
            raise BulletinError("this table prints no 合计 row", line=row[0].line, table=table, text=row[0].text)
        check_cell_count(row, len(columns), table)
        entity = row[0].text
        record: dict = {entity_col: entity, "source_line": row[0].line}
        for cell, col in zip(row[1:], columns[1:], strict=True):
            if col.kind == "ratio":
                record.update(declared_required(cell, table, entity, ex))
            else:
                record[col.name] = parse_count(cell, table, col.name)
                ex.fact(table, "", entity, col.name, record[col.name], col.unit, cell.line, cell.text)
        records.append(record)
    return records


def declared_required(cell: Cell, table: str, entity: str, ex: Extract) -> dict:
    """`63/129` is declared over required tables; `未反馈/83` means the unit did not report
    what it declared: a missing value with a flag, never a zero."""
    m = re.fullmatch(r"(?P<declared>\d+|未反馈)\s*/\s*(?P<required>\d+)", cell.text)
    if not m:
        raise BulletinError(
            "expected declared/required tables such as 63/129", line=cell.line, table=table, text=cell.text
        )
    reported = m["declared"] != NOT_REPORTED
    declared = int(m["declared"]) if reported else None
    if reported:
        ex.fact(table, "", entity, "declared_tables", declared, "表", cell.line, cell.text)
    ex.fact(table, "", entity, "required_tables", m["required"], "表", cell.line, cell.text)
    return {"declared_tables": declared, "declared_reported": reported, "required_tables": int(m["required"])}


PRINTED = (
    Printed(
        "upload_district",
        re.compile(YM + r"南京市卫生信息平台数据采集情况[（(]区[）)]"),
        (upload_by_district,),
        (BY_DISTRICT,),
        words=("数据采集|数据上传|上传情况", "区"),
        not_words=("医院",),
        continues=True,
    ),
    Printed(
        "upload_hospital",
        re.compile(YM + r"南京市卫生信息平台数据采集情况[（(]医院[）)]"),
        (upload_by_hospital,),
        (BY_HOSPITAL,),
        words=("数据采集|数据上传|上传情况", "医院"),
        continues=True,
    ),
)

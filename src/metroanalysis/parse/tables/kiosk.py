"""自助智能医疗服务终端使用情况表: self-service kiosks in hospitals and in districts.

The table has a first column holding the section label, printed one character per line
(医/疗/单/位 for medical institutions, 各/区 for districts): the first character in a cell of
its own, the others bare, the last one on the line just before the first entity's cells.
Rows after the first in a section start with an empty cell.
"""

from __future__ import annotations

import re

from metroanalysis.errors import BulletinError
from metroanalysis.parse.tables.base import (
    Column,
    Extract,
    Section,
    check_cell_count,
    is_total_label,
    match_header,
    read_total_row,
    read_value,
)
from metroanalysis.parse.tables.spec import YM, Printed, Table
from metroanalysis.read.text import Cell
from metroanalysis.reference import category_names

TABLE = "kiosk_usage"

COLUMNS = [
    Column("unit", r"单位", "name"),
    Column("terminals", r"投放台数", "count", "台"),
    Column("registrations", r"挂号（次）|挂号\(次\)|挂号", "count", "次"),
    Column("registration_amount_yuan", r"挂号金额（元）|挂号金额\(元\)|挂号金额", "money", "元"),
    Column("payments", r"缴费（次）|缴费\(次\)|缴费", "count", "次"),
    Column("payment_amount_yuan", r"缴费金额（元）|缴费金额\(元\)|缴费金额", "money", "元"),
]

TABLES = (
    Table(
        TABLE,
        "自助终端使用情况表",
        "Self-service kiosk use",
        "Self-service kiosks: terminals, registrations, payments and money, by unit (医疗单位 and 各区).",
        (
            "section",
            "section_zh",
            # Here 单位 is the reporting unit (a hospital or an area), not a unit of measure.
            ("unit", {"title_en": "Reporting unit", "description": "hospital or area as printed"}),
            "entity_id",
            "terminals",
            "registrations",
            "registration_amount_yuan",
            "payments",
            "payment_amount_yuan",
            "source_line",
        ),
        entity_column="unit",
        columns=tuple(COLUMNS),
        total_row=True,
    ),
)
# The table's sections (its vertical first column): id → printed label, English name; 合计 is
# the table's total row, a section of its own in the analysis.
SECTION_NAMES = category_names("kiosk_section")
SECTIONS = {zh: section for section, (zh, _) in SECTION_NAMES.items() if section != "合计"}  # printed → id

SECTIONS = {"医疗单位": "hospital", "各区": "district"}


def kiosk_usage(section: Section, ex: Extract) -> None:
    rows = section.rows()
    rows = [r for r in rows if not (len(r) == 1 and not r[0].tabbed and len(r[0].text) > 1)]  # notes
    if not rows:
        raise BulletinError("table has no header or rows", line=section.title.no, table=TABLE)
    match_header(rows[0], COLUMNS, TABLE)
    width = len(COLUMNS)
    label, section_zh, records = "", None, []
    for row in rows[1:]:
        # Characters of the vertical label: a lone one-character cell, or bare characters.
        chars = [c for c in row if (not c.tabbed) or (len(row) == 1 and len(c.text) == 1)]
        if len(chars) == len(row):
            label += "".join(c.text for c in chars)
            continue
        if is_total_label(row[0].text):
            read_total_row(row, COLUMNS, TABLE, ex)
            continue
        lead = [c for c in row if not c.tabbed]
        cells = [c for c in row if c.tabbed]
        if lead:  # the label's last character, printed just before this entity's cells
            label += "".join(c.text for c in lead)
        elif len(cells) == width + 1 and re.sub(r"\s", "", cells[0].text) in SECTIONS:
            # the label as one cell spanning its rows (a web page's or Word file's merged cell)
            label, cells = re.sub(r"\s", "", cells[0].text), cells[1:]
        if label:
            section_zh = section_name(label, row[0])
            label = ""
        if cells and cells[0].text == "":
            cells = cells[1:]  # the empty label cell that starts later rows of a section
        check_cell_count(cells, width, TABLE, printed=row)
        if section_zh is None:
            raise BulletinError("row before any section label", line=row[0].line, table=TABLE, text=cells[0].text)
        records.append(kiosk_record(cells, section_zh, ex))
    if not records:
        raise BulletinError("table has no rows", line=section.title.no, table=TABLE)
    ex.put(TABLE, records)


def section_name(label: str, at: Cell) -> str:
    if label not in SECTIONS:
        raise BulletinError("unknown section label", line=at.line, table=TABLE, text=label)
    return label


def kiosk_record(cells: list[Cell], section_zh: str, ex: Extract) -> dict:
    unit = cells[0].text
    if unit == "":
        raise BulletinError("unit name is empty", line=cells[0].line, table=TABLE, text=unit)
    record = {
        "section": SECTIONS[section_zh],
        "section_zh": section_zh,
        "unit": unit,
        "source_line": cells[0].line,
    }
    for cell, col in zip(cells[1:], COLUMNS[1:], strict=True):
        record[col.name] = read_value(cell, col, TABLE)
        ex.fact(TABLE, section_zh, unit, col.name, record[col.name], col.unit, cell.line, cell.text)
    return record


PRINTED = (
    Printed(
        "kiosk",
        re.compile(YM + r"自助智能医疗服务终端\S*使用情况表?"),
        (kiosk_usage,),
        (TABLE,),
        words=("自助", "终端|自助机"),
        continues=True,
    ),
)

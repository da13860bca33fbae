"""南京12320卫生热线数据统计: the hotline paragraph and the province paragraph.

Both are printed as prose, so they are read as "label + number + unit" items:
  2021年4月，南京12320卫生热线共受理咨询电话106398个，其中咨询类…16771个、…，受理市12345工单1840件…
  4月，全省12320共接听电话126232人次，各市电话量统计为：南京106398人次、苏州13976人次…
"""

from __future__ import annotations

import re

from metroanalysis.errors import BulletinError
from metroanalysis.parse.tables.base import Extract, Section
from metroanalysis.parse.tables.spec import YM, Printed, Table
from metroanalysis.read.text import Line
from metroanalysis.reference import category_names

CALLS = "hotline_calls"
PROVINCE = "hotline_province"

TABLES = (
    Table(
        CALLS,
        "12320热线受理情况",
        "12320 hotline calls",
        "南京12320卫生热线 calls this month: the total, each category, and the 12345 work orders.",
        (
            "category",
            "label",
            "calls",
            ("unit", {"description": "unit as printed: 个, 通 or 件"}),
            "in_total",
            "source_line",
        ),
    ),
    Table(
        PROVINCE,
        "全省12320电话量",
        "12320 calls in the province",
        "Calls to 12320 across Jiangsu this month, by city; the province total is in printed_totals.",
        (
            "city",
            "entity_id",
            ("calls", {"title_zh": "电话量", "title_en": "Calls answered", "description": "calls answered (人次)"}),
            "unit",
            "source_line",
        ),
        entity_column="city",
    ),
)

# Tidy category → its printed name and English name ("total" is the 共受理 figure).
CATEGORY_NAMES = category_names("hotline_category")
# Printed label → tidy category: each printed name, and the shorter wording other months use.
# The printed label is kept beside it, so a label this list does not know yet still comes out
# (with category <NA>) rather than being dropped.
CATEGORIES = {
    **{zh: category for category, (zh, _) in CATEGORY_NAMES.items() if category != "total"},
    "咨询类": "consultations",
    "医院满意度调查": "satisfaction_survey",
}

_ITEM = re.compile(r"^(?P<label>.*?\D)(?P<value>\d+)(?P<unit>个|通|件|人次|次)$")
_TOTAL = re.compile(r"共受理(?P<label>咨询电话)(?P<value>\d+)(?P<unit>个|通|人次|次)")
_PROVINCE_TOTAL = re.compile(r"全省12320共接听电话(?P<value>\d+)(?P<unit>人次|个|次)")


def find_line(section: Section, pattern: re.Pattern, table: str) -> tuple[Line, re.Match]:
    for line in section.body:
        m = pattern.search(line.text)
        if m:
            return line, m
    raise BulletinError("paragraph not found", line=section.title.no, table=table, text=pattern.pattern)


def split_items(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"[、，,；;。]", text) if p.strip()]


def item(text: str, line: Line, table: str) -> re.Match:
    m = _ITEM.match(text)
    if not m:
        raise BulletinError("expected a label, a number and a unit", line=line.no, table=table, text=text)
    return m


def check_paragraphs_only(section: Section) -> None:
    """Every figure in the section stands in one of the two paragraphs: a line of figures left
    over (a paragraph broken where it could not be re-joined) stops the run, never drops them."""
    for line in section.body:
        if re.fullmatch(r"\s*[（(].*[）)]\s*", line.text):
            continue  # a footnote (its running totals are read by cumulative_totals wherever they stand)
        if re.search(r"\d", line.text) and not (_TOTAL.search(line.text) or _PROVINCE_TOTAL.search(line.text)):
            raise BulletinError("figures outside the hotline paragraphs", line=line.no, table=CALLS, text=line.text)


def hotline_calls(section: Section, ex: Extract) -> None:
    """The total, the categories after 其中 (which compose it) and the 12345 work orders."""
    check_paragraphs_only(section)
    line, total = find_line(section, _TOTAL, CALLS)
    no = line.no_at(total.start("value"))
    records = [
        {
            "category": "total",
            "label": total["label"],
            "calls": int(total["value"]),
            "unit": total["unit"],
            "in_total": False,
            "source_line": no,
        }
    ]
    ex.fact(CALLS, "", "total", "calls", total["value"], total["unit"], no, total["value"])
    cursor = total.end()
    for clause in re.split(r"[，,；;。]", line.text[total.end() :]):
        clause = clause.strip()
        if not clause:
            continue
        in_total = clause.startswith("其中")
        for text in re.split(r"[、]", re.sub(r"^(其中|受理)", "", clause)):
            text = text.strip().removeprefix("受理")
            m = item(text, line, CALLS)
            cursor = line.text.index(text, cursor)
            no = line.no_at(cursor + m.start("value"))
            category = CATEGORIES.get(m["label"])
            records.append(
                {
                    "category": category,
                    "label": m["label"],
                    "calls": int(m["value"]),
                    "unit": m["unit"],
                    "in_total": in_total,
                    "source_line": no,
                }
            )
            ex.fact(CALLS, "", category or m["label"], "calls", m["value"], m["unit"], no, m["value"])
    ex.put(CALLS, records)


def hotline_province(section: Section, ex: Extract) -> None:
    """Each city's calls; the province-wide total is a printed total."""
    line, total = find_line(section, _PROVINCE_TOTAL, PROVINCE)
    no = line.no_at(total.start("value"))
    ex.total(PROVINCE, "calls", int(total["value"]), total["unit"], no, total["value"])
    rest = line.text[total.end() :]
    _, sep, cities = rest.partition("：") if "：" in rest else rest.partition(":")
    if not sep:
        raise BulletinError("city list not found after the total", line=line.no, table=PROVINCE, text=rest)
    records, cursor = [], len(line.text) - len(cities)
    for text in split_items(cities):
        m = item(text, line, PROVINCE)
        cursor = line.text.index(text, cursor)
        no = line.no_at(cursor + m.start("value"))
        records.append({"city": m["label"], "calls": int(m["value"]), "unit": m["unit"], "source_line": no})
        ex.fact(PROVINCE, "", m["label"], "calls", m["value"], m["unit"], no, m["value"])
    if not records:
        raise BulletinError("no city counts", line=line.no, table=PROVINCE, text=rest)
    ex.put(PROVINCE, records)


PRINTED = (
    Printed(
        "hotline",
        re.compile(r"南京12320卫生热线" + YM + r"数据统计"),
        (hotline_calls, hotline_province),
        (CALLS, PROVINCE),
        words=("12320", "热线"),
    ),
)

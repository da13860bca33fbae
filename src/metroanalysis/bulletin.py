"""One bulletin, parsed: find each table by its printed title, hand it to its parser.

The statistics part runs from 统计数据 to the news section (简讯) or the end of the file.
A table whose title is absent is *missing* (bulletins drop tables; the others still clean);
a title whose month disagrees with the folder stops the run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from . import schema
from .errors import BulletinError
from .messages import said
from .reading import Line, RawBulletin, Repair, cell_rows, rejoin_wrapped
from .tables import ENTITY_COLUMNS, PRINTED
from .tables.base import Extract, Section, is_total_label
from .tables.cumulative import cumulative_totals
from .tables.spec import Printed

# Each block's printed title, parsers and tables, in printed order (declared in tables/*.py).
SECTIONS = PRINTED
_START = re.compile(r"^\s*统计数据\s*$")
_END = re.compile(r"^\s*简\s*讯\s*$")


@dataclass
class ParsedBulletin:
    raw: RawBulletin
    month: str
    tables: dict[str, pd.DataFrame]
    facts: pd.DataFrame
    printed_totals: pd.DataFrame
    missing: list[str] = field(default_factory=list)  # tables absent from this bulletin
    stats_lines: tuple[int, int] = (0, 0)  # first and last line of the statistics part
    repairs: list[dict] = field(default_factory=list)  # quality.csv rows: damage read back


def statistics_part(lines: list[Line]) -> list[Line]:
    """From 统计数据 (or the first table title) to the news heading 简讯. A file with no 简讯
    after its tables was cut short: it is refused, never cleaned from its first half."""
    start = next((i for i, ln in enumerate(lines) if _START.match(ln.text)), None)
    if start is None:
        # No 统计数据 heading: begin at the first table title.
        start = next((i for i, ln in enumerate(lines) if any(s.title.search(ln.text) for s in SECTIONS)), None)
        if start is None:
            raise BulletinError("no statistics table found: is this a 南京卫生信息 bulletin?", line=1)
    end = next((i for i in range(start, len(lines)) if _END.match(lines[i].text)), None)
    if end is None and ends_with_closing_table(lines[start:]):
        end = len(lines)  # pasted without the news section, but whole to the kiosk table's 合计
    if end is None:
        last_i = next((i for i in range(len(lines) - 1, start - 1, -1) if lines[i].text.strip()), start)
        last = lines[last_i]
        spec = next(
            (s for ln in reversed(lines[start : last_i + 1]) for s in SECTIONS if s.title.search(ln.text)),
            None,
        )
        raise BulletinError(
            "the file ends before the news section 简讯: truncated?",
            line=last.no,
            table=spec.tables[0] if spec else None,
            text=short(last.text),
        )
    return lines[start:end]


def ends_with_closing_table(lines: list[Line]) -> bool:
    """The statistics part ends with the kiosk table, the last one printed: a text that stops
    right after that table's 合计 row is whole (its parser checks the row itself); a text that
    stops anywhere else without 简讯 was cut short."""
    closing = SECTIONS[-1].title
    at = next(
        (
            i
            for i in range(len(lines) - 1, -1, -1)
            if not lines[i].text.startswith("\t") and closing.search(lines[i].text)
        ),
        None,
    )
    if at is None:
        return False
    rows = cell_rows(lines[at:])
    return bool(rows) and rows[-1][0].tabbed and is_total_label(rows[-1][0].text)


def is_heading(text: str) -> bool:
    """The statistics heading, the news heading or a table title, as a whole line."""
    text = text.strip()
    return bool(_START.match(text) or _END.match(text) or any(s.title.fullmatch(text) for s in SECTIONS))


def keep_apart(first: str, second: str) -> bool:
    """A wrapped line is never joined onto a heading or title, nor a heading onto text, unless
    the two make one title (…使用情况 / 表)."""
    if is_heading(second):
        return True
    return is_heading(first) and not is_heading(first + second)


def table_at(lines: list[Line], no: int) -> str | None:
    """The table whose title was printed last before line `no` (None before the first, or
    past the statistics part)."""
    last = lines[-1].parts[-1][1] if lines and lines[-1].parts else lines[-1].no if lines else 0
    if no > last:
        return None
    table = None
    for line in lines:
        if line.no > no:
            break
        if _END.match(line.text):
            table = None
        elif not line.text.startswith("\t"):
            table = next((s.tables[0] for s in SECTIONS if s.title.search(line.text)), table)
    return table


# Damage that cannot be read back without guessing.
_SPACE_IN_NUMBER = re.compile(r"[\d.]*\d[ \u00a0\u2000-\u200a\u202f\u205f\u3000]+\d[\d.]*")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def check_unreadable(lines: list[Line]) -> None:
    """Refuse what no rule can read back: a space between two digits (one number or two?), a
    control character, a character already lost in an earlier conversion (U+FFFD)."""
    for line in lines:
        if m := _SPACE_IN_NUMBER.search(line.text):
            raise BulletinError(
                "a space between two digits: one number or two cannot be told",
                line=line.no_at(m.start()),
                text=m.group(),
            )
        if m := _CONTROL.search(line.text):
            raise BulletinError(
                f"a control character U+{ord(m.group()):04X} in the text",
                line=line.no_at(m.start()),
                text=short(line.text),
            )
        if "\ufffd" in line.text:
            raise BulletinError(
                "a character was lost in an earlier conversion (U+FFFD)",
                line=line.no_at(line.text.index("\ufffd")),
                text=short(line.text),
            )


def repair_rows(repairs: list[Repair], lines: list[Line]) -> list[dict]:
    """quality.csv rows (status `repaired`) for the damage read back."""
    return [
        {
            "rule": r.rule,
            "table": table_at(lines, r.line),
            "entity": None,
            "column": None,
            "printed": r.found or None,
            "computed": r.read or None,
            "difference": None,
            "status": "repaired",
            "source_line": r.line,
            "message": r.message,
            "message_zh": r.message_zh,
        }
        for r in repairs
    ]


def order_repair(sections: dict[str, Section]) -> list[Repair]:
    """Tables printed in another order are each read under their own title: recorded."""
    printed = list(sections)
    usual = [s.key for s in SECTIONS if s.key in sections]
    if printed == usual:
        return []
    moved = next(k for k, u in zip(printed, usual, strict=True) if k != u)
    names = [next(s.tables[0] for s in SECTIONS if s.key == k) for k in printed]
    return [
        Repair(
            "tables_reordered",
            sections[moved].title.no,
            short(sections[moved].title.text),
            "",
            **said("tables_reordered", names=", ".join(names)),
        )
    ]


def short(text: str, width: int = 40) -> str:
    text = text.strip()
    return text if len(text) <= width else text[:width] + "…"


def check_no_stray_figures(lines: list[Line], sections: dict[str, Section]) -> None:
    """Figures printed before the first known title belong to no table (a title reworded or
    lost): refuse rather than drop them."""
    first = min((s.title.no for s in sections.values()), default=None)
    if first is None:
        return  # no table at all: parse_bulletin says so
    for line in lines[1:]:
        if line.no >= first:
            break
        if re.search(r"\d", line.text):
            raise BulletinError("figures printed under no known table title", line=line.no, text=short(line.text))


# Within a table, an entity is printed once (a kiosk unit once per section, a district once per
# platform): a second row for it is a row pasted twice or a name misprinted, and summing both
# would count it twice where no printed total is there to show it.
_ENTITY_WITHIN = ("section", "platform")


def check_no_repeated_entities(frames: dict[str, pd.DataFrame]) -> None:
    for table, entity in ENTITY_COLUMNS.items():
        frame = frames.get(table)
        if frame is None or frame.empty:
            continue
        key = [c for c in _ENTITY_WITHIN if c in frame.columns and c != entity] + [entity]
        again = frame[frame.duplicated(key, keep="first")]
        if not again.empty:
            row = again.iloc[0]
            first = frame[(frame[key] == row[key]).all(axis=1)].iloc[0]
            raise BulletinError(
                f"{row[entity]} printed twice in this table (first at line {first['source_line']})",
                line=int(row["source_line"]),
                table=table,
                text=str(row[entity]),
            )


def find_sections(lines: list[Line], month: str) -> dict[str, Section]:
    """Each table's lines, from its title to the next title, checked against the folder month."""
    year, mon = (int(x) for x in month.split("-"))
    found: list[tuple[int, Printed, re.Match]] = []
    for i, line in enumerate(lines):
        if line.text.startswith("\t"):
            continue
        for spec in SECTIONS:
            m = spec.title.search(line.text)
            if m:
                if (int(m["year"]), int(m["month"])) != (year, mon):
                    raise BulletinError(
                        f"title is for {m['year']}-{int(m['month']):02d} but the folder is {month}",
                        line=line.no,
                        table=spec.tables[0],
                        text=line.text.strip(),
                    )
                if any(f[1].key == spec.key for f in found):
                    raise BulletinError(
                        "table title printed twice", line=line.no, table=spec.tables[0], text=line.text.strip()
                    )
                found.append((i, spec, m))
                break
    sections = {}
    for n, (i, spec, m) in enumerate(found):
        end = found[n + 1][0] if n + 1 < len(found) else len(lines)
        sections[spec.key] = Section(spec.key, lines[i], lines[i + 1 : end], int(m["year"]), int(m["month"]))
    return sections


def check_month_mentions(lines: list[Line], month: str, sections: dict[str, Section] | None = None) -> None:
    """Month references in the figures' own words (2021年4月…, 4月，…, 4月份…, 截止4月底) must
    be this month; the error names the table the line is printed in."""
    year, mon = (int(x) for x in month.split("-"))
    titles = sorted((s.title.no, s.key) for s in (sections or {}).values())

    def table_in(no: int) -> str | None:
        key = next((k for t, k in reversed(titles) if t <= no), None)
        return next((s.tables[0] for s in SECTIONS if s.key == key), None)

    for line in lines:
        for m in re.finditer(r"(\d{4})年(\d{1,2})月", line.text):
            if (int(m[1]), int(m[2])) != (year, mon):
                raise BulletinError(
                    f"names {m[1]}-{int(m[2]):02d} but the folder is {month}",
                    line=line.no_at(m.start()),
                    table=table_in(line.no_at(m.start())),
                    text=m.group(),
                )
        for m in re.finditer(r"(?:截[止至])?(?<![\d年])(\d{1,2})月(?:份|底|[，,])", line.text):
            if int(m[1]) != mon:
                raise BulletinError(
                    f"names month {m[1]} but the folder is {month}",
                    line=line.no_at(m.start()),
                    table=table_in(line.no_at(m.start())),
                    text=m.group(),
                )


def parse_bulletin(raw: RawBulletin, month: str) -> ParsedBulletin:
    """All tables of one bulletin, or a BulletinError naming file, line, table and text."""
    repairs = list(raw.repairs)
    try:
        lines = statistics_part(raw.lines)
        if not lines:
            raise BulletinError("the file is empty")
        lines = rejoin_wrapped(lines, repairs, keep_apart)
        sections = find_sections(lines, month)
        repairs.extend(order_repair(sections))
        check_unreadable(lines)
        check_no_stray_figures(lines, sections)
        check_month_mentions(lines, month, sections)
        ex = Extract()
        missing: list[str] = []
        for spec in SECTIONS:
            section = sections.get(spec.key)
            if section is None:
                missing.extend(spec.tables)
                continue
            for parser in spec.parsers:
                parser(section, ex)
        missing.extend(f"cumulative_totals:{m}" for m in cumulative_totals(lines, ex))
        check_no_repeated_entities(ex.frames)
        if all(spec.key not in sections for spec in SECTIONS):
            raise BulletinError("no statistics table found: is this a 南京卫生信息 bulletin?", line=lines[0].no)
    except BulletinError as err:
        if err.table is None and err.line is not None:
            err.table = table_at(raw.lines, err.line)
        raise err.located(raw.path, refresh=True) from None
    tables = {name: ex.frames.get(name, schema.empty(name)) for name in schema.BULLETIN_TABLES}
    facts = pd.DataFrame([f.__dict__ for f in ex.facts], columns=[f.name for f in schema.fields("facts")])
    totals = pd.DataFrame(ex.totals, columns=[f.name for f in schema.fields("printed_totals")])
    return ParsedBulletin(
        raw=raw,
        month=month,
        tables=tables,
        facts=schema.typed(facts, "facts"),
        printed_totals=schema.typed(totals, "printed_totals"),
        missing=missing,
        stats_lines=(lines[0].no, lines[-1].no_at(len(lines[-1].text))),
        repairs=repair_rows(repairs, lines),  # titles as re-joined: a wrapped title is whole
    )

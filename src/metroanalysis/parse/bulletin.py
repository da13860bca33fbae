"""One bulletin, parsed: find each table by its printed title, hand it to its parser.

The statistics part runs from 统计数据 to the news section (简讯) or the end of the file.
A table whose title is absent is *missing* (bulletins drop tables; the others still clean);
a title whose month disagrees with the folder stops the run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from metroanalysis.errors import BulletinError
from metroanalysis.i18n.messages import said
from metroanalysis.parse.fields import dtypes_of, typed_as
from metroanalysis.parse.tables import ENTITY_COLUMNS, PRINTED, TABLES
from metroanalysis.parse.tables.base import FACTS, PRINTED_TOTALS, Extract, Section, frame, is_total_label
from metroanalysis.parse.tables.cumulative import cumulative_totals
from metroanalysis.parse.tables.spec import YM, Printed
from metroanalysis.read.text import Line, RawBulletin, Repair, cell_rows, rejoin_wrapped

# Each block's printed title, parsers and tables, in printed order (declared in tables/*.py).
SECTIONS = PRINTED
_START = re.compile(r"^\s*统计数据\s*$")
_END = re.compile(r"^\s*简\s*讯\s*$")
# A title as the bulletin prints them: a line of its own naming a year and month, no sentence
# punctuation, saying what it is (…统计, …情况, …表). Prose and footnotes have a comma or no year.
_TITLE_WORDS = re.compile(r"统计|情况|表")
_SENTENCE = re.compile(r"[，,。；;：:！？]")
# A table running onto a second page: 续表, （续表）, （续）, or its title with （续）.
_CONTINUED = re.compile(r"续表|[（(]续[）)]")
UNKNOWN_TABLE = (
    "an unknown table: add its module under src/metroanalysis/parse/tables/ (see README, 'add a table') "
    "or rename its title to one a module declares"
)


def title_like(text: str) -> bool:
    """`text` is printed as a table title (whether or not a module knows the table)."""
    t = text.strip()
    return (
        not text.startswith("\t")
        and len(t) <= 60
        and re.search(YM, t) is not None
        and not _SENTENCE.search(t)
        and _TITLE_WORDS.search(t) is not None
    )


def is_continuation(text: str) -> bool:
    """A line saying the table above goes on (续表), possibly with its title again."""
    t = text.strip()
    return not text.startswith("\t") and len(t) <= 60 and bool(_CONTINUED.search(t)) and not _SENTENCE.search(t)


def recognise(text: str) -> tuple[Printed, re.Match, bool] | None:
    """The block a line's title names: (its declaration, the year-month match, True when
    printed in the declared wording). A title-like line whose words name one block is that
    block, reworded; words naming two blocks stop the run (which table is it?)."""
    if text.startswith("\t"):
        return None
    for spec in SECTIONS:
        if m := spec.title.search(text):
            return spec, m, True
    if not title_like(text):
        return None
    named = [s for s in SECTIONS if s.names(text)]
    if len(named) > 1:
        raise BulletinError(
            "a title whose words name two tables (" + ", ".join(s.tables[0] for s in named) + "): reword it",
            text=text.strip(),
        )
    return (named[0], re.search(YM, text), False) if named else None


def names_table(text: str) -> Printed | None:
    """The block a line names as its title, or None (never an error: for locating only)."""
    try:
        found = recognise(text)
    except BulletinError:
        return None
    return found[0] if found else None


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


def statistics_part(lines: list[Line], month: str | None = None) -> list[Line]:
    """From 统计数据 (or the first table title) to the news heading 简讯. A file with no 简讯
    after its tables was cut short: it is refused, never cleaned from its first half."""
    start = next((i for i, ln in enumerate(lines) if _START.match(ln.text)), None)
    if start is None:
        # No 统计数据 heading: begin at the first table title.
        start = next((i for i, ln in enumerate(lines) if names_table(ln.text)), None)
        if start is None:
            raise BulletinError("no statistics table found: is this a 南京卫生信息 bulletin?", line=1)
    end = next((i for i in range(start, len(lines)) if _END.match(lines[i].text)), None)
    if end is None and ends_with_closing_table(lines[start:], month):
        end = len(lines)  # pasted without the news section, but whole to the kiosk table's 合计
    if end is None:
        last_i = next((i for i in range(len(lines) - 1, start - 1, -1) if lines[i].text.strip()), start)
        last = lines[last_i]
        spec = next((s for ln in reversed(lines[start : last_i + 1]) if (s := names_table(ln.text))), None)
        raise BulletinError(
            "the file ends before the news section 简讯: truncated?",
            line=last.no,
            table=spec.tables[0] if spec else None,
            text=short(last.text),
        )
    return lines[start:end]


def ends_with_closing_table(lines: list[Line], month: str | None = None) -> bool:
    """The statistics part ends with the last table declared for the month (the kiosk table,
    until a later one is declared): a text that stops right after that table's 合计 row is
    whole (its parser checks the row itself); a text that stops anywhere else without 简讯 was
    cut short."""
    closing = [s for s in SECTIONS if month is None or s.printed_in(month)][-1]
    at = next((i for i in range(len(lines) - 1, -1, -1) if names_table(lines[i].text) == closing), None)
    if at is None:
        return False
    rows = cell_rows(lines[at:])
    return bool(rows) and rows[-1][0].tabbed and is_total_label(rows[-1][0].text)


def is_heading(text: str) -> bool:
    """The statistics heading, the news heading or a table title, as a whole line."""
    text = text.strip()
    return bool(
        _START.match(text) or _END.match(text) or any(s.title.fullmatch(text) for s in SECTIONS) or title_like(text)
    )


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
        elif (spec := names_table(line.text)) is not None:
            table = spec.tables[0]
        elif title_like(line.text) and not is_continuation(line.text):
            table = None  # a table no module knows: its lines are no known table's
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


def layout_repairs(sections: dict[str, Section]) -> list[Repair]:
    """A warning for each grid read across a 续表 break or with an empty trailing column."""
    out = []
    for spec in SECTIONS:
        section = sections.get(spec.key)
        if section is None or not spec.continues:
            continue
        _, repeated, trimmed = section.read_rows()
        table = spec.tables[0]
        for no in section.breaks:
            out.append(
                Repair("table_continued", no, "续表", "", **said("table_continued", table=table, line=no, n=repeated))
            )
        if trimmed:
            out.append(
                Repair(
                    "empty_trailing_cells",
                    section.title.no,
                    "",
                    "",
                    **said("empty_trailing_cells", table=table, n=trimmed),
                )
            )
    return out


def footnote_repairs(footnotes) -> list[Repair]:
    """A warning for each running total read from a footnote worded otherwise than usual."""
    return [
        Repair(
            "footnote_reworded",
            no,
            short(text),
            measure,
            **said("footnote_reworded", line=no, text=text, measure=measure),
        )
        for measure, no, text in footnotes.reworded
    ]


def footnote_unrecognised(measure: str, no: int, text: str) -> dict:
    """quality.csv row: a footnote printed with a figure that no running total recognised (its
    measure is not read, and not said to be absent from the bulletin: it is there)."""
    return {
        "rule": "footnote_recognised",
        "table": "cumulative_totals",
        "entity": None,
        "column": measure,
        "printed": text,
        "computed": None,
        "difference": None,
        "status": "missing",
        "source_line": no,
        **said("footnote_recognised", line=no, measure=measure),
    }


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


def find_sections(lines: list[Line], month: str, repairs: list[Repair] | None = None) -> dict[str, Section]:
    """Each table's lines, from its title to the next title, checked against the folder month.
    A reworded title is recognised by its words (a warning quotes it); a title no module
    knows stops the run at its own line; 续表 lines are left out and noted (`Section.breaks`)."""
    repairs = [] if repairs is None else repairs
    year, mon = (int(x) for x in month.split("-"))
    found: list[tuple[int, Printed, re.Match]] = []
    breaks: dict[str, list[int]] = {}
    for i, line in enumerate(lines):
        if line.text.startswith("\t"):
            continue
        if is_continuation(line.text) and found:
            continued(line, found[-1][1], breaks)
            continue
        hit = recognise_at(line)
        if hit is None:
            if title_like(line.text):
                raise BulletinError(UNKNOWN_TABLE, line=line.no, text=line.text.strip())
            continue
        spec, m, exact = hit
        if (int(m["year"]), int(m["month"])) != (year, mon):
            raise BulletinError(
                f"title is for {m['year']}-{int(m['month']):02d} but the folder is {month}",
                line=line.no,
                table=spec.tables[0],
                text=line.text.strip(),
            )
        if any(f[1].key == spec.key for f in found):
            raise BulletinError("table title printed twice", line=line.no, table=spec.tables[0], text=line.text.strip())
        if not exact:
            repairs.append(
                Repair(
                    "title_reworded",
                    line.no,
                    short(line.text),
                    spec.tables[0],
                    **said("title_reworded", title=line.text.strip(), line=line.no, table=spec.tables[0]),
                )
            )
        found.append((i, spec, m))
    sections = {}
    for n, (i, spec, m) in enumerate(found):
        end = found[n + 1][0] if n + 1 < len(found) else len(lines)
        body = [ln for ln in lines[i + 1 : end] if ln.no not in breaks.get(spec.key, ()) or ln.text.startswith("\t")]
        sections[spec.key] = Section(
            spec.key, lines[i], body, int(m["year"]), int(m["month"]), tuple(breaks.get(spec.key, ()))
        )
    return sections


def recognise_at(line: Line) -> tuple[Printed, re.Match, bool] | None:
    try:
        return recognise(line.text)
    except BulletinError as err:
        err.line = line.no
        raise


def continued(line: Line, current: Printed, breaks: dict[str, list[int]]) -> None:
    """A 续表 line: the table above goes on, if it may (and if the line names a table, it is
    that one)."""
    named = names_table(line.text.replace("续表", "").replace("（续）", "").replace("(续)", ""))
    if named is not None and named.key != current.key:
        raise BulletinError(
            f"a 续表 line naming {named.tables[0]} under {current.tables[0]}",
            line=line.no,
            table=current.tables[0],
            text=line.text.strip(),
        )
    if not current.continues:
        raise BulletinError(
            "this table is not printed over two pages: a 续表 line here is unexpected",
            line=line.no,
            table=current.tables[0],
            text=line.text.strip(),
        )
    breaks.setdefault(current.key, []).append(line.no)


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
        lines = statistics_part(raw.lines, month)
        if not lines:
            raise BulletinError("the file is empty")
        lines = rejoin_wrapped(lines, repairs, keep_apart)
        sections = find_sections(lines, month, repairs)
        repairs.extend(order_repair(sections))
        check_unreadable(lines)
        check_no_stray_figures(lines, sections)
        check_month_mentions(lines, month, sections)
        ex = Extract(declared=TABLES)
        missing: list[str] = []
        for spec in SECTIONS:
            section = sections.get(spec.key)
            if section is None:
                if spec.printed_in(month):  # a table not printed yet (or any more) is not missing
                    missing.extend(spec.tables)
                continue
            for parser in spec.parsers:
                parser(section, ex)
        repairs.extend(layout_repairs(sections))
        repairs.extend(ex.warnings)
        footnotes = cumulative_totals(lines, ex)
        missing.extend(f"cumulative_totals:{m}" for m in footnotes.missing)
        repairs.extend(footnote_repairs(footnotes))
        check_no_repeated_entities(ex.frames)
        if all(spec.key not in sections for spec in SECTIONS):
            raise BulletinError("no statistics table found: is this a 南京卫生信息 bulletin?", line=lines[0].no)
    except BulletinError as err:
        if err.table is None and err.line is not None:
            err.table = table_at(raw.lines, err.line)
        raise err.located(raw.path, refresh=True) from None
    tables = {name: ex.frames.get(name, frame([], table)) for name, table in TABLES.items()}
    unrecognised = [footnote_unrecognised(*u) for u in footnotes.unrecognised]
    facts = pd.DataFrame([f.__dict__ for f in ex.facts], columns=list(dtypes_of(FACTS)))
    totals = pd.DataFrame(ex.totals, columns=list(dtypes_of(PRINTED_TOTALS)))
    return ParsedBulletin(
        raw=raw,
        month=month,
        tables=tables,
        facts=typed_as(facts, FACTS),
        printed_totals=typed_as(totals, PRINTED_TOTALS),
        missing=missing,
        stats_lines=(lines[0].no, lines[-1].no_at(len(lines[-1].text))),
        repairs=[*repair_rows(repairs, lines), *unrecognised],  # titles as re-joined: a wrapped title is whole
    )

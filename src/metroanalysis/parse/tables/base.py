"""What every bulletin table parser shares: its section of lines, its outputs, its facts."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd

from metroanalysis.errors import BulletinError
from metroanalysis.parse.fields import dtypes_of, typed_as
from metroanalysis.parse.tables.spec import Table
from metroanalysis.read.text import Cell, Line, cell_rows, number_text, parse_count, parse_money

# What every parser yields besides its tables: each printed 合计 apart from the rows, and every
# number as a fact with its line (declared here, beside `Extract`, which collects them).
PRINTED_TOTALS = Table(
    "printed_totals",
    "原文合计",
    "Printed totals",
    "Every printed 合计 (and the province total), kept apart from the entity rows.",
    (
        ("table", {"description": "table the total belongs to"}),
        ("column", {"description": "column it totals"}),
        ("printed", {"description": "as printed"}),
        ("value", {"dtype": "Float64", "description": "printed value (money in yuan, exact to the fen)"}),
        ("unit", {"description": "unit"}),
        "source_line",
    ),
)
FACTS = Table(
    "facts",
    None,
    None,
    "Every number printed in the statistics part, one row each, with its source line.",
    (
        "table",
        ("section", {"title_zh": "分组", "description": "section within the table, if any"}),
        "entity",
        "measure",
        "value",
        ("unit", {"description": "unit"}),
        (
            "source_line",
            {
                "description": "1-based line of the raw bulletin (a web page: of the saved file, where the cell"
                " or paragraph starts; <NA> in a Word file)"
            },
        ),
        "printed",
        "source_table",
        "source_row",
        "source_col",
        "source_paragraph",
    ),
)


@dataclass(frozen=True)
class Section:
    """The lines of one printed table or paragraph block, from its title to the next title."""

    key: str
    title: Line
    body: list[Line]
    year: int
    month: int
    breaks: tuple[int, ...] = ()  # lines of 续表: the header printed again after each is dropped

    def rows(self) -> list[list[Cell]]:
        return self.read_rows()[0]

    def read_rows(self) -> tuple[list[list[Cell]], int, int]:
        """The rows as the table's parser reads them, and what was adapted: how many header
        rows printed again after 续表 were dropped, and how many rows had an empty trailing
        cell (a column left empty under an empty header: a copy artefact) that was ignored."""
        rows = cell_rows(self.body)
        rows, repeated = drop_repeated_header(rows, self.breaks)
        rows, trimmed = drop_empty_trailing_cells(rows)
        return rows, repeated, trimmed


def header_rows(rows: list[list[Cell]]) -> list[list[Cell]]:
    """The rows before the first one holding a figure (notes left out): the printed header."""
    out = []
    for row in rows:
        if is_note(row):
            continue
        if any(c.tabbed and re.fullmatch(r"[\d.,，]+", c.text) for c in row):
            break
        out.append(row)
    return out


def texts(row: list[Cell]) -> list[str]:
    return [c.text for c in row]


def drop_repeated_header(rows: list[list[Cell]], breaks: tuple[int, ...]) -> tuple[list[list[Cell]], int]:
    """After each 续表 line, the header printed again (the same cells as the first header rows)
    is left out: its rows are not entities. A page that does not repeat it is read as it is."""
    if not breaks:
        return rows, 0
    header = [texts(r) for r in header_rows(rows)]
    out, dropped = [], 0
    for at in breaks:
        first = next((i for i, r in enumerate(rows) if r and r[0].line > at), len(rows))
        n = 0
        while n < len(header) and first + n < len(rows) and texts(rows[first + n]) == header[n]:
            n += 1
        out.append((first, n))
        dropped += n
    skip = {i for first, n in out for i in range(first, first + n)}
    return [r for i, r in enumerate(rows) if i not in skip], dropped


def drop_empty_trailing_cells(rows: list[list[Cell]]) -> tuple[list[list[Cell]], int]:
    """A header ending in empty cells names no column there: as many empty cells at the end of
    every row are ignored. Returns the rows and how many rows had one."""
    header = next((r for r in rows if not is_note(r)), None)
    if header is None:
        return rows, 0
    extra = 0
    while extra < len(header) - 1 and header[len(header) - 1 - extra].tabbed and not header[-1 - extra].text:
        extra += 1
    if not extra:
        return rows, 0
    out, trimmed = [], 0
    for row in rows:
        n = 0
        while n < extra and len(row) - n > 1 and row[-1 - n].tabbed and row[-1 - n].text == "":
            n += 1
        trimmed += n > 0
        out.append(row[: len(row) - n] if n else row)
    return out, trimmed


@dataclass(frozen=True)
class Fact:
    """One printed number, where it stands and what it means."""

    table: str
    section: str
    entity: str
    measure: str
    value: str  # canonical decimal text: exact, never a float
    unit: str
    source_line: int
    printed: str


@dataclass
class Extract:
    """What a parser hands back: tidy tables, printed totals and every number as a fact."""

    declared: Mapping[str, Table] = field(default_factory=dict)  # the tables a parser may yield, by name
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    facts: list[Fact] = field(default_factory=list)
    totals: list[dict] = field(default_factory=list)
    warnings: list = field(default_factory=list)  # reading.Repair: a layout change the parser read

    def warn(self, repair) -> None:
        self.warnings.append(repair)

    def put(self, table: str, records: list[dict]) -> None:
        """The parsed rows of `table`, typed as it is declared."""
        self.frames[table] = frame(records, self.declared[table])

    def fact(self, table, section, entity, measure, value, unit, line, printed) -> None:
        # No section is <NA>, as it reads back from the CSV (an empty cell), never "".
        self.facts.append(Fact(table, section or None, entity, measure, str(value), unit, line, printed))

    def total(self, table, column, value, unit, line, printed) -> None:
        """A printed 合计 (or province total): kept apart from the entity rows, and a fact."""
        self.totals.append(
            {"table": table, "column": column, "printed": printed, "value": value, "unit": unit, "source_line": line}
        )
        self.fact(table, "合计", "合计", column, value, unit, line, printed)


@dataclass(frozen=True)
class Column:
    """One printed column: its tidy name, the header it is printed under (a regular expression:
    its synonyms as alternatives), how to read it: `kind` is "serial", "name" (text), "count"
    (a whole number), "money" (yuan, to the fen), "rate" (a rate or share kept as printed:
    94.5 stays "94.5"), "ratio" (declared/required) or "group". `summed`: a printed 合计 of the
    column is the sum of its rows (a rate's 合计 is not: it is kept and checked as a rate).
    `rate_of` (numerator, denominator) and `per` (100 for %): a rate printed from two counts of
    the same row, checked to within its printing precision."""

    name: str
    header: str
    kind: str
    unit: str = ""
    summed: bool = True
    rate_of: tuple[str, str] | None = None
    per: int = 100

    @property
    def numeric(self) -> bool:
        return self.kind in ("count", "money", "rate")


def check_cell_count(
    cells: list[Cell], expected: int, table: str, what: str = "row", printed: list[Cell] | None = None
) -> None:
    """A header or row with more or fewer cells than the layout stops the run: which cell holds
    which figure cannot be told, and is never guessed. `printed` is the whole row, to show."""
    if len(cells) != expected:
        shown = printed or cells
        noun = "numbers" if what == "合计 row" else "cells"
        raise BulletinError(
            f"{what} has {len(cells)} {noun}, expected {expected}",
            line=shown[0].line,
            table=table,
            text=" | ".join(c.text for c in shown),
        )


def match_header(cells: list[Cell], columns: list[Column], table: str) -> None:
    """The printed header must be the one this parser understands, in order, or we stop."""
    check_cell_count(cells, len(columns), table, "header")
    for cell, col in zip(cells, columns, strict=True):
        if not re.fullmatch(col.header, cell.text):
            raise BulletinError(f"unexpected column header for {col.name}", line=cell.line, table=table, text=cell.text)


def by_meaning(header: list[Cell], columns: list[Column], table: str, ex: Extract) -> list[Column]:
    """The declared columns in the order the header prints them, each found by its header's
    meaning (its synonyms): a grid whose columns were printed in another order is read by
    meaning, with a warning. Anything but one header cell per column is left to
    `match_header` to refuse."""
    if len(header) != len(columns) or all(re.fullmatch(c.header, h.text) for h, c in zip(header, columns, strict=True)):
        return columns
    found = [[c for c in columns if re.fullmatch(c.header, h.text)] for h in header]
    if any(len(f) != 1 for f in found) or len({f[0].name for f in found}) != len(columns):
        return columns
    from metroanalysis.i18n.messages import said  # light, but kept out of the parsers' import time
    from metroanalysis.read.text import Repair

    printed = [f[0] for f in found]
    ex.warn(
        Repair(
            "columns_reordered",
            header[0].line,
            " | ".join(h.text for h in header),
            ", ".join(c.name for c in printed),
            **said("columns_reordered", table=table, line=header[0].line),
        )
    )
    return printed


def is_total_label(text: str) -> bool:
    return re.sub(r"\s", "", text).startswith(("合计", "总计"))


def is_note(row: list[Cell]) -> bool:
    """A bare line of text inside a table (a footnote such as （截止4月底…）), not a cell."""
    return all(not c.tabbed for c in row) and any(len(c.text) > 1 for c in row)


def read_value(cell: Cell, col: Column, table: str) -> int | Decimal | str:
    if col.kind == "money":
        return parse_money(cell, table, col.name)
    if col.kind == "rate":
        return parse_rate(cell, table, col.name)
    return parse_count(cell, table, col.name)


def parse_rate(cell: Cell, table: str, what: str) -> str:
    """A rate or share as printed (94.5 stays "94.5": its printed places are its precision)."""
    t = number_text(cell.text.removesuffix("%").removesuffix("％"))
    if t is None:
        raise BulletinError(f"{what} is not a rate", line=cell.line, table=table, text=cell.text)
    return t


def grid_parser(table: str, columns: list[Column], entity_col: str) -> Callable[[Section, Extract], None]:
    """The parser of a plain grid declared by its columns: one header row, one row per entity,
    a 合计 row anywhere (its summed columns to printed totals), every number a fact."""

    def parse(section: Section, ex: Extract) -> None:
        records, _ = grid_rows(section, columns, table, ex, entity_col)
        ex.put(table, records)

    parse.__name__ = table
    return parse


def grid_rows(
    section: Section, columns: list[Column], table: str, ex: Extract, entity_col: str
) -> tuple[list[dict], list[Cell]]:
    """Entity rows of a plain grid table (one header row, one printed row per entity).

    The 合计 row goes to printed totals; every number becomes a fact. Returns the rows and the
    header cells. A row short of cells stops the run: the bulletin must be fixed at the source
    or the parser taught the new layout, never guessed at.
    """
    rows = [r for r in section.rows() if not is_note(r)]
    if not rows:
        raise BulletinError("table has no header or rows", line=section.title.no, table=table)
    header, body = rows[0], rows[1:]
    columns = by_meaning(header, columns, table, ex)
    match_header(header, columns, table)
    out: list[dict] = []
    for row in body:
        if is_total_label(row[0].text):
            read_total_row(row, columns, table, ex)
            continue
        check_cell_count(row, len(columns), table)
        record: dict = {"source_line": row[0].line}
        for cell, col in zip(row, columns, strict=True):
            record[col.name] = cell.text if col.kind == "name" else read_value(cell, col, table)
        entity = record[entity_col]
        for cell, col in zip(row, columns, strict=True):
            if col.numeric:
                ex.fact(table, "", entity, col.name, record[col.name], col.unit, cell.line, cell.text)
        out.append(record)
    return out, header


def read_total_row(row: list[Cell], columns: list[Column], table: str, ex: Extract) -> None:
    """A 合计 row: the label replaces the serial and name cells, then one cell per number column."""
    numeric = [c for c in columns if c.numeric]
    cells = row[1:]
    check_cell_count(cells, len(numeric), table, "合计 row", printed=row)
    for cell, col in zip(cells, numeric, strict=True):
        ex.total(table, col.name, read_value(cell, col, table), col.unit, cell.line, cell.text)


def frame(records: list[dict], table: Table) -> pd.DataFrame:
    """The parsed rows as `table`'s typed frame: its columns in order, its nullable dtypes."""
    return typed_as(pd.DataFrame.from_records(records, columns=list(dtypes_of(table))), table)

"""A bulletin parsed where it was read: every line number the parsers give turned back into the
place in the file as received. `source_line` is the line in the file (text and web page; none in
a Word file), and facts.csv gains `source_table`, `source_row`, `source_col` and
`source_paragraph`, so each number of every format can be found again.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from metroanalysis.errors import BulletinError
from metroanalysis.parse.bulletin import ParsedBulletin, is_heading, parse_bulletin
from metroanalysis.read.document import Place
from metroanalysis.read.source import SourceBulletin, read_lines
from metroanalysis.read.text import RawBulletin

LOCATION_COLUMNS = ("source_table", "source_row", "source_col", "source_paragraph")


def read_source(path: str | Path) -> RawBulletin:
    """The bulletin as the numbered lines every parser reads, whatever its format, its tables'
    titles told apart by the parsers' own rule (`bulletin.is_heading`)."""
    return read_lines(path, is_heading)


def parse_source(raw: RawBulletin, month: str) -> ParsedBulletin:
    """`parse_bulletin`, with every line number turned into the place in the file as received:
    in the tables, facts, printed totals, repairs, and in the error a bad bulletin raises."""
    try:
        parsed = parse_bulletin(raw, month)
    except BulletinError as err:
        raise place_error(err, raw) from None
    if isinstance(raw, SourceBulletin):
        relocate(parsed, raw.places)
    return parsed


def place_error(err: BulletinError, raw: RawBulletin) -> BulletinError:
    if not isinstance(raw, SourceBulletin) or err.line is None:
        return err
    place = raw.places.get(err.line, Place())
    where = place.describe()
    err.line = place.line
    if where:
        err.place = f"{'page' if raw.kind == 'html' else 'Word'} {where}"
    return err.located(raw.path, refresh=True)


def relocate(parsed: ParsedBulletin, places: dict[int, Place]) -> None:
    """Rendered line numbers → places, in place (the numbers never leave the library)."""

    def lines(values) -> pd.Series:
        return pd.array([None if pd.isna(v) else places.get(int(v), Place()).line for v in values], dtype="Int64")

    for df in (*parsed.tables.values(), parsed.printed_totals):
        if "source_line" in df.columns:
            df["source_line"] = lines(df["source_line"])
    facts = parsed.facts
    where = [Place() if pd.isna(v) else places.get(int(v), Place()) for v in facts["source_line"]]
    for column in LOCATION_COLUMNS:
        facts[column] = pd.array([getattr(p, column.removeprefix("source_")) for p in where], dtype="Int64")
    facts["source_line"] = pd.array([p.line for p in where], dtype="Int64")
    for row in parsed.repairs:
        row["source_line"] = places.get(row["source_line"], Place()).line if row["source_line"] else None
    first, last = parsed.stats_lines
    parsed.stats_lines = (places.get(first, Place()).line, places.get(last, Place()).line)

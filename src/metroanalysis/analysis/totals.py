"""Totals a page may quote: the bulletin's own printed 合计 first, the sum of its rows beside it.

A headline quotes what the bulletin prints. Where the rows add up to something else, the page
says so in a footnote with the difference; where nothing is printed, the sum of the rows is
quoted and called computed. Money is added in whole fen (integers), never as floats.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from metroanalysis.analysis import to_fen


@dataclass(frozen=True)
class Total:
    """A column's total: `printed` (None when the bulletin prints none) and `rows` (the sum of
    the rows), both in the column's smallest unit: fen for money, the count itself otherwise."""

    printed: int | None
    rows: int
    money: bool
    source_lines: tuple[int, ...] = ()  # where the printed total stands

    @property
    def is_printed(self) -> bool:
        return self.printed is not None

    @property
    def value(self) -> int:
        """The figure to quote: the printed total where there is one."""
        return self.printed if self.printed is not None else self.rows

    @property
    def difference(self) -> int:
        """printed − rows, as quality.csv reports a check (0 when nothing is printed)."""
        return 0 if self.printed is None else self.printed - self.rows

    @property
    def line(self) -> int | str:
        """The bulletin line where the printed total stands; "—" where it has none (a Word file)."""
        return self.source_lines[0] if self.source_lines else "—"

    @property
    def agrees(self) -> bool:
        return self.difference == 0

    def __add__(self, other: Total) -> Total:
        """Two totals added (e.g. registration money + payment money): printed only if both are."""
        if self.money != other.money:
            raise ValueError("cannot add money to a count")
        printed = None if self.printed is None or other.printed is None else self.printed + other.printed
        return Total(printed, self.rows + other.rows, self.money, self.source_lines + other.source_lines)

    def shown(self, value: int | None = None) -> float | int:
        """`value` (default: the total to quote) in the unit people read: yuan for money."""
        value = self.value if value is None else value
        return value / 100 if self.money else value


def column_total(printed_totals: pd.DataFrame, rows: pd.DataFrame, table: str, column: str) -> Total:
    """The total of `column` of `table`: its printed 合计 from `printed_totals` (the month's
    table of printed totals) and the sum of `rows[column]`. Money columns end in `_yuan`."""
    money = is_money(column)
    summed = int(in_units(rows[column].dropna(), money).sum())
    match = printed_totals[(printed_totals["table"] == table) & (printed_totals["column"] == column)]
    if match.empty:
        return Total(None, summed, money)
    printed = printed_value(match["value"].iloc[0], money)
    # a Word file has no lines: its totals stand in a table cell (facts.csv says which)
    return Total(printed, summed, money, tuple(int(x) for x in match["source_line"].dropna()))


def is_money(column: str) -> bool:
    return column.endswith("_yuan")


def in_units(values: pd.Series, money: bool) -> pd.Series:
    """`values` as totals add them: whole fen (Int64) for money, the counts as Int64 otherwise."""
    return to_fen(values) if money else values.astype("Int64")


def printed_value(value, money: bool) -> int:
    """A printed 合计 as a total holds it: whole fen for money, the count itself otherwise."""
    return int(to_fen(pd.Series([value])).iloc[0]) if money else round(float(value))

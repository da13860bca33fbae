"""What the synthetic-bulletin generator shares: its own record of the figures it wrote (`Truth`),
how figures vary (`Vary`, seeded), and the printed layout it reads and writes (TAB-prefixed cells
one per line, a blank line ending a row: `Row`, `tokens`, `flatten`; prose spans: `Spans`), and
the `Context` one generation carries from table to table."""

from __future__ import annotations

import math
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

BLANK = " \t\u3000\u00a0"
TRAIL = " \u3000\u00a0"
RATIO = re.compile(r"^(\d+|未反馈)/(\d+)$")


@dataclass
class Truth:
    """The generator's own numbers, per clean table, one record per entity in printed order.

    `tables[name]` holds records with the clean table's column names (no source_line; money as
    Decimal yuan, a missing value as None). `totals[(table, column)]` holds each printed 合计 (and
    the province total). Compare with `records_of(df, columns)` on a cleaned frame.
    """

    source_month: str
    month: str
    seed: int
    factor: float
    tables: dict[str, list[dict]] = field(default_factory=dict)
    totals: dict[tuple[str, str], int | Decimal] = field(default_factory=dict)
    added_hospitals: dict[str, list[str]] = field(default_factory=dict)  # name → tables it was added to
    dropped_hospitals: dict[str, list[str]] = field(default_factory=dict)  # name → tables it was removed from
    joined: list[tuple[str, str]] = field(default_factory=list)  # (platform id, area)

    def columns(self, table: str) -> list[str]:
        rows = self.tables.get(table) or [{}]
        return list(rows[0])


def records_of(df, columns: Sequence[str]) -> list[dict]:
    """A cleaned frame's rows as plain records comparable with `Truth.tables`: only `columns`,
    NA as None, whole numbers as int, money (float columns) as two-decimal Decimal."""
    import numpy as np
    import pandas as pd

    out = []
    for row in df[list(columns)].itertuples(index=False):
        rec = {}
        for col, v in zip(columns, row, strict=True):
            if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
                rec[col] = None
            elif isinstance(v, bool | np.bool_):
                rec[col] = bool(v)
            elif isinstance(v, float | np.floating):
                rec[col] = Decimal(f"{v:.2f}")
            elif isinstance(v, int | np.integer):
                rec[col] = int(v)
            else:
                rec[col] = v
        out.append(rec)
    return out


# ---------------------------------------------------------------- figures


class Vary:
    """Seeded variation: a whole number stays whole, within ±factor of the printed figure."""

    def __init__(self, rng: random.Random, factor: float):
        self.rng = rng
        self.factor = Decimal(str(factor))

    def count(self, n: int, cap: int | None = None) -> int:
        lo = int((n * (1 - self.factor)).to_integral_value(ROUND_CEILING))
        hi = int((n * (1 + self.factor)).to_integral_value(ROUND_FLOOR))
        value = self.rng.randint(max(lo, 0), max(hi, 0))
        return value if cap is None else min(value, cap)

    def money(self, d: Decimal) -> Decimal:
        """Whole-yuan amounts stay whole; amounts with fen vary by the fen."""
        if d == d.to_integral_value():
            return Decimal(self.count(int(d))).quantize(Decimal("0.01"))
        return (Decimal(self.count(int(d * 100))) / 100).quantize(Decimal("0.01"))

    def like(self, n: int) -> int:
        """A figure for a new entity, from a template's: a fraction of it."""
        return int(n * self.rng.uniform(0.3, 0.9))


def money_text(d: Decimal) -> str:
    return f"{d:.2f}"


# ---------------------------------------------------------------- layout


@dataclass
class Row:
    """One printed row: its lines, from the first cell to the blank line that ends it."""

    lines: list[str]

    @property
    def cells(self) -> list[str]:  # raw cell texts, after the TAB
        return [ln[1:] for ln in self.lines if ln.startswith("\t")]

    @property
    def values(self) -> list[str]:
        return [c.strip(BLANK) for c in self.cells]

    @property
    def bare(self) -> list[str]:
        return [ln for ln in self.lines if not ln.startswith("\t")]


def tokens(body: list[str]) -> list[Row | str]:
    """Rows and the blank lines between them (kept as str)."""
    out: list[Row | str] = []
    cur: list[str] = []
    for ln in body:
        if ln.strip(BLANK) == "" and not ln.startswith("\t"):
            if cur:
                out.append(Row(cur))
                cur = []
            out.append(ln)
        else:
            cur.append(ln)
    if cur:
        out.append(Row(cur))
    return out


def flatten(toks: Iterable[Row | str]) -> list[str]:
    out: list[str] = []
    for t in toks:
        out.extend(t.lines if isinstance(t, Row) else [t])
    return out


def suffix(raw: str) -> str:
    """Trailing spaces printed after a cell's text (money cells carry them)."""
    return raw[len(raw.rstrip(TRAIL)) :]


def cell_lines(values: Sequence[str], suffixes: Sequence[str] | None = None) -> list[str]:
    sfx = suffixes or [""] * len(values)
    return ["\t" + v + s for v, s in zip(values, sfx, strict=True)]


def rows_block(rows: list[list[str]]) -> list[Row | str]:
    """Rows one after another, each ended by one blank line (the last one's blank not included)."""
    out: list[Row | str] = []
    for i, lines in enumerate(rows):
        if i:
            out.append("")
        out.append(Row(lines))
    return out


def is_total(text: str) -> bool:
    return re.sub(r"\s", "", text).startswith(("合计", "总计"))


class Spans:
    """Replacements in one line of prose, applied right to left; overlapping claims refused."""

    def __init__(self, text: str):
        self.text = text
        self.claimed: list[tuple[int, int]] = []
        self.edits: list[tuple[int, int, str]] = []

    def free(self, a: int, b: int) -> bool:
        return not any(a < y and x < b for x, y in self.claimed)

    def find(self, pattern: str, start: int = 0) -> re.Match | None:
        for m in re.finditer(pattern, self.text):
            if m.start() >= start and self.free(*m.span()):
                self.claimed.append(m.span())
                return m
        return None

    def edit(self, a: int, b: int, new: str) -> None:
        self.edits.append((a, b, new))

    def leftover_numbers(self) -> list[str]:
        return [m.group() for m in re.finditer(r"\d+", self.text) if self.free(*m.span())]

    def result(self) -> str:
        text = self.text
        for a, b, new in sorted(self.edits, reverse=True):
            text = text[:a] + new + text[b:]
        return text


# ---------------------------------------------------------------- the generator


@dataclass
class Context:
    vary: Vary
    rng: random.Random
    truth: Truth
    months_ahead: int
    days: int  # days in the new month
    source_days: int
    add: list[str]
    drop: set[str]
    joins: list[tuple[str, str]]
    booking_phone_total: int | None = None
    hotline_total: int = 0
    upload_volume_total: int = 0
    dropped_seen: set[str] = field(default_factory=set)

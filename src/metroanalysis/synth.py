"""Plausible bulletins for other months, in the printed layout of a real one: for tests and demos.

`generate(source_text, source_month, month, seed)` rewrites a real bulletin's TEXT (never code
constants): titles and month references in the statistics part name the new month, every figure
is varied within ±factor (seeded, deterministic), every subtotal, 合计 and cross-table identity is
recomputed so the bulletin stays consistent, hospitals can be added and dropped (序号 renumbered),
and districts can join a remote platform. It returns the new text and a `Truth`: the generator's
own numbers, per table and per entity, in the clean tables' vocabulary, so a test can check that
cleaning the text gives them back exactly.

The generator reads the layout itself (TAB-prefixed cells one per line, a blank line ending a row,
vertical labels, prose paragraphs); it does not use the parser, so a round trip tests the parser.
A figure it cannot place stops it with a ValueError: it never prints a number it does not own.

The file it writes says it is synthetic on its first line, before 统计数据, where the parser
never looks. `metroanalysis synth` writes to stdout or --out, and into data/raw/ only with
--into-raw, never over a real bulletin.
"""

from __future__ import annotations

import calendar
import math
import random
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from pathlib import Path

from .reading import SYNTHETIC_MARK as MARK
from .reference import AREAS
from .tables import PRINTED
from .tables import TABLES as DECLARED
from .tables.hotline import CATEGORIES as HOTLINE_CATEGORIES
from .tables.kiosk import SECTIONS as KIOSK_SECTIONS
from .tables.remote import PLATFORMS, VOLUMES
from .tables.spec import Printed, Table

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_START = re.compile(r"^\s*统计数据\s*$")
_END = re.compile(r"^\s*简\s*讯\s*$")
_BLANK = " \t\u3000\u00a0"
_TRAIL = " \u3000\u00a0"
_RATIO = re.compile(r"^(\d+|未反馈)/(\d+)$")

# Printed section titles (non-TAB lines): the ones the parser finds its tables by.
TITLES = [(p.key, p.title) for p in PRINTED]


def after(order: list[str], key: str, first: str) -> list[str]:
    """`order` with `key` moved to just after `first`."""
    rest = [k for k in order if k != key]
    at = rest.index(first) + 1
    return [*rest[:at], key, *rest[at:]]


# Processing order: printed order, except that the hotline paragraph quotes the booking
# table's phone total, so it is done after the booking tables.
ORDER = after([key for key, _ in TITLES], "hotline", first="channel")

# The clean tables' vocabulary (printed label → schema id) is the parsers' own: the generator
# re-derives the printed layout independently, but names things as the clean tables do.
ALL_JOINED = "，各区均已对接"  # what replaces 未对接的… once no area is left (no digits: not a figure)


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
        return [c.strip(_BLANK) for c in self.cells]

    @property
    def bare(self) -> list[str]:
        return [ln for ln in self.lines if not ln.startswith("\t")]


def tokens(body: list[str]) -> list[Row | str]:
    """Rows and the blank lines between them (kept as str)."""
    out: list[Row | str] = []
    cur: list[str] = []
    for ln in body:
        if ln.strip(_BLANK) == "" and not ln.startswith("\t"):
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
    return raw[len(raw.rstrip(_TRAIL)) :]


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
class _Ctx:
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


def generate(
    source_text: str,
    source_month: str,
    month: str,
    seed: int,
    factor: float = 0.2,
    add_hospitals: Sequence[str] = (),
    drop_hospitals: Sequence[str] = (),
    join_platform: Mapping[str, Sequence[str] | str] | Sequence[tuple[str, str]] = (),
) -> tuple[str, Truth]:
    """A bulletin for `month` rewritten from `source_text` (the bulletin of `source_month`).

    add_hospitals: names of new hospitals, added to the booking, upload (医院) and kiosk (医疗单位)
      tables with figures drawn from an existing hospital's; dropped_hospitals: names removed from
      every hospital table that prints them exactly (one printed nowhere is an error);
      join_platform: {platform: [areas]} or [(platform, area)]: each area leaves the platform's
      not-connected list and its covered count grows by one. A platform is named by id
      (consultation, ecg, lab, imaging) or by its Chinese key (会诊, 心电, 临检, 影像).
    """
    sy, sm = parse_month(source_month)
    ny, nm = parse_month(month)
    if not 0 <= factor < 1:
        raise ValueError(f"factor {factor} must be in [0, 1)")
    add = [h.strip() for h in add_hospitals]
    if len(set(add)) != len(add) or any(not h for h in add):
        raise ValueError("add_hospitals: names must be distinct and non-empty")
    rng = random.Random(f"metroanalysis-synth|{source_month}|{month}|{seed}|{factor}")
    truth = Truth(source_month, month, seed, factor)
    ctx = _Ctx(
        vary=Vary(rng, factor),
        rng=rng,
        truth=truth,
        months_ahead=(ny * 12 + nm) - (sy * 12 + sm),
        days=calendar.monthrange(ny, nm)[1],
        source_days=calendar.monthrange(sy, sm)[1],
        add=add,
        drop={h.strip() for h in drop_hospitals},
        joins=normalise_joins(join_platform),
    )

    text = source_text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    lines = text.split("\n")
    lines = [ln for ln in lines if not ln.startswith(MARK)]  # a synthetic source: one mark only
    start = next((i for i, ln in enumerate(lines) if _START.match(ln)), None)
    if start is None:
        raise ValueError("source has no 统计数据 heading")
    end = next((i for i in range(start, len(lines)) if _END.match(lines[i])), len(lines))
    stats = lines[start:end]

    # Sections: title index → (key, body) in printed order, each title recognised as the
    # cleaner recognises it (every declared table, reworded titles too).
    from .bulletin import names_table, title_like

    found: list[tuple[int, str]] = []
    declared: dict[str, Printed] = {}
    for i, ln in enumerate(stats):
        spec = names_table(ln)
        if spec is not None:
            found.append((i, spec.key))
            declared[spec.key] = spec
        elif title_like(ln):
            raise ValueError(f"line {start + i + 1}: an unknown table, no module declares it: {ln.strip()}")
    keys = [k for _, k in found]
    if len(set(keys)) != len(keys):
        raise ValueError(f"a section title is printed twice: {keys}")
    bodies = {}
    for n, (i, key) in enumerate(found):
        stop = found[n + 1][0] if n + 1 < len(found) else len(stats)
        bodies[key] = (i, stats[i + 1 : stop])

    handlers = {
        "booking": do_booking,
        "channel": do_channel,
        "hotline": do_hotline,
        "remote": do_remote,
        "upload_district": do_upload_district,
        "upload_hospital": do_upload_hospital,
        "kiosk": do_kiosk,
    }
    order = [*ORDER, *(k for k in bodies if k not in ORDER)]
    new_bodies = {key: handler_for(declared[key], handlers)(bodies[key][1], ctx) for key in order if key in bodies}
    unknown_drop = ctx.drop - ctx.dropped_seen
    if unknown_drop:
        raise ValueError(f"drop_hospitals: not printed in any hospital table: {sorted(unknown_drop)}")

    out_stats = stats[: found[0][0]] if found else list(stats)
    for i, key in found:
        out_stats.append(stats[i])
        out_stats.extend(new_bodies[key])
    out_stats = [rewrite_months(ln, (sy, sm), (ny, nm)) for ln in out_stats]
    out_stats = cumulative(out_stats, ctx, nm)

    head = lines[:start]
    # no space between a figure and Chinese text: the reader removes such spaces as damage
    mark = f"{MARK}（由{source_month}公报改写为{month}，种子{seed}，浮动±{factor}）"
    out = [mark, *head, *out_stats, *lines[end:]]
    return "\n".join(out), truth


def handler_for(spec: Printed, handlers: dict):
    """The generator of a block: its own, or for a table declared as a grid (its columns) the
    generic one; any other says in one line that synth cannot write it."""
    if spec.key in handlers:
        return handlers[spec.key]
    table = DECLARED.get(spec.tables[0])
    if table is None or not table.columns or len(spec.tables) != 1:
        raise ValueError(
            f"synth cannot write table {spec.tables[0]}: it is not declared as a grid (Table.columns)"
            " and synth.py has no generator for it"
        )
    return lambda body, ctx: declared_grid(table, body, ctx)


def declared_grid(table: Table, body: list[str], ctx: _Ctx) -> list[str]:
    """A table declared as a grid: counts and money varied, each rate recomputed from its
    counts to the places it was printed with, the 合计 row recomputed (summed columns summed,
    rates from the summed counts)."""
    toks = tokens(body)
    rows = [i for i, t in enumerate(toks) if isinstance(t, Row) and not is_note_row(t)]
    columns = list(table.columns)
    records, totals_at = [], None
    for i in rows[1:]:
        values = toks[i].values
        if is_total(values[0]):
            totals_at = i
            continue
        if len(values) != len(columns):
            raise ValueError(f"{table.name}: a row of {len(values)} cells, expected {len(columns)}")
        record = grid_values(columns, values, ctx)
        toks[i] = Row(cell_lines([printed_value(record[c.name]) for c in columns]))
        records.append(record)
    ctx.truth.tables[table.name] = [dict(r) for r in records]
    if totals_at is not None:
        label, *cells = toks[totals_at].values
        numeric = [c for c in columns if c.numeric]
        total = {c.name: sum(r[c.name] for r in records) for c in numeric if c.summed}
        for c in numeric:
            if c.rate_of:
                places = Decimal(1).scaleb(Decimal(cells[numeric.index(c)]).as_tuple().exponent)
                total[c.name] = rate_text(total[c.rate_of[0]], total[c.rate_of[1]], c.per, places)
        for name, value in total.items():
            ctx.truth.totals[(table.name, name)] = value
        toks[totals_at] = Row(cell_lines([label, *(printed_value(total[c.name]) for c in numeric)]))
    return flatten(toks)


def grid_values(columns, values: list[str], ctx: _Ctx) -> dict:
    record: dict = {}
    for col, text in zip(columns, values, strict=True):
        if col.kind in ("name", "serial"):
            record[col.name] = int(text) if col.kind == "serial" else text
        elif col.kind == "money":
            record[col.name] = ctx.vary.money(Decimal(text))
        elif col.kind == "count":
            record[col.name] = ctx.vary.count(int(text))
    for col in columns:
        if col.kind == "count":  # a count that is a rate's numerator stays within its denominator
            of = next((c.rate_of[1] for c in columns if c.rate_of and c.rate_of[0] == col.name), None)
            record[col.name] = min(record[col.name], record[of]) if of else record[col.name]
    for col, text in zip(columns, values, strict=True):
        if col.rate_of:
            places = Decimal(1).scaleb(Decimal(text).as_tuple().exponent)
            record[col.name] = rate_text(record[col.rate_of[0]], record[col.rate_of[1]], col.per, places)
    return record


def rate_text(num: int, den: int, per: int, places: Decimal) -> str:
    from decimal import ROUND_HALF_UP

    return str((Decimal(num) * per / Decimal(den)).quantize(places, ROUND_HALF_UP)) if den else "0"


def printed_value(value) -> str:
    return money_text(value) if isinstance(value, Decimal) else str(value)


def parse_month(month: str) -> tuple[int, int]:
    m = _MONTH.match(month or "")
    if not m:
        raise ValueError(f"month {month!r}: expected YYYY-MM")
    return int(m[1]), int(m[2])


def normalise_joins(joins) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    if isinstance(joins, Mapping):
        for platform, areas in joins.items():
            for area in [areas] if isinstance(areas, str) else areas:
                pairs.append((platform, area))
    else:
        pairs = [(p, a) for p, a in joins]
    out = []
    for platform, area in pairs:
        pid = PLATFORMS.get(platform, platform)
        if pid not in PLATFORMS.values():
            pid = next((v for k, v in PLATFORMS.items() if k in platform), None)
        if pid is None:
            raise ValueError(f"join_platform: unknown platform {platform!r}")
        if area not in AREAS:
            raise ValueError(f"join_platform: {area!r} is not one of the areas {AREAS}")
        out.append((pid, area))
    return out


def rewrite_months(line: str, source: tuple[int, int], new: tuple[int, int]) -> str:
    """2021年4月 → 2021年5月, and bare 4月 (4月份, 截止4月底, 4月，…) → 5月, in the statistics part."""
    (sy, sm), (ny, nm) = source, new

    def ym(m: re.Match) -> str:
        return f"{ny}年{nm}月" if (int(m[1]), int(m[2])) == (sy, sm) else m.group()

    def bare(m: re.Match) -> str:
        return f"{nm}月" if int(m[1]) == sm else m.group()

    line = re.sub(r"(\d{4})年(\d{1,2})月", ym, line)
    return re.sub(r"(?<![\d年])(\d{1,2})月(?![\d日])", bare, line)


def cumulative(lines: list[str], ctx: _Ctx, nm: int) -> list[str]:
    """The running totals in the footnotes: last month's plus this month's (or back again)."""
    rows = []
    bookings = ctx.truth.totals.get(("booking_by_hospital", "subtotal"))
    out = []
    for ln in lines:
        m = re.search(r"截([止至])(\d{1,2})月底，?总预约挂号量为(\d+)次", ln)
        if m and bookings is not None:
            n = max(int(m[3]) + ctx.months_ahead * int(bookings), int(bookings))
            ln = ln[: m.start(3)] + str(n) + ln[m.end(3) :]
            rows.append(("bookings_to_date", "总预约挂号量", f"{n}次", n, "次", f"{m[2]}月底"))
        m = re.search(r"截([止至])(\d{1,2})月底，?区及医院累计校验入库数据(\d+(?:\.\d+)?)亿条", ln)
        if m:
            printed = Decimal(m[3])
            per_month = (Decimal(ctx.upload_volume_total) / 100_000_000).quantize(Decimal("0.01"))
            n = max(printed + ctx.months_ahead * per_month, per_month).quantize(Decimal("0.01"))
            ln = ln[: m.start(3)] + f"{n}" + ln[m.end(3) :]
            rows.append(
                (
                    "records_verified_to_date",
                    "区及医院累计校验入库数据",
                    f"{n}亿条",
                    int(n * 100_000_000),
                    "条",
                    f"{m[2]}月底",
                )
            )
        out.append(ln)
    cols = ["measure", "measure_zh", "printed", "value", "unit", "as_of"]
    order = {"bookings_to_date": 0, "records_verified_to_date": 1}
    rows.sort(key=lambda r: order[r[0]])
    ctx.truth.tables["cumulative_totals"] = [dict(zip(cols, r, strict=True)) for r in rows]
    return out


# ---------------------------------------------------------------- hospital lists


def template_for(rows: list, ctx: _Ctx):
    """An existing entity (from the smaller half) to model a new hospital's figures on."""
    pool = rows[len(rows) // 2 :] or rows
    return ctx.rng.choice(pool)


def drop_from(table: str, names: list[str], ctx: _Ctx) -> set[str]:
    hit = {n for n in names if n in ctx.drop}
    for n in hit:
        ctx.dropped_seen.add(n)
        ctx.truth.dropped_hospitals.setdefault(n, []).append(table)
    return hit


def note_added(table: str, ctx: _Ctx) -> None:
    for n in ctx.add:
        ctx.truth.added_hospitals.setdefault(n, []).append(table)


# ---------------------------------------------------------------- 预约挂号服务统计表


def do_booking(body: list[str], ctx: _Ctx) -> list[str]:
    toks = tokens(body)
    idx = [i for i, t in enumerate(toks) if isinstance(t, Row)]
    header = idx[0]
    entity = [i for i in idx[1:] if toks[i].values and toks[i].values[0].isdigit()]
    total = next(i for i in idx[1:] if is_total(toks[i].values[0]))
    width = len(toks[header].values)  # 序号, 单位, 4 channels, 小计
    src = []
    for i in entity:
        v = toks[i].values
        if len(v) != width:
            raise ValueError(f"booking row {v[:2]} has {len(v)} cells, expected {width}")
        src.append((v[1], [int(x) for x in v[2:-1]]))
    dropped = drop_from("booking_by_hospital", [n for n, _ in src], ctx)
    rows = [(name, [ctx.vary.count(x) for x in ch]) for name, ch in src if name not in dropped]
    for name in ctx.add:
        if name in {n for n, _ in rows}:
            raise ValueError(f"add_hospitals: {name} is already printed in the booking table")
        _, ch = template_for(src, ctx)
        rows.append((name, [ctx.vary.like(x) for x in ch]))
    note_added("booking_by_hospital", ctx)
    # Printed in descending order of 小计, serials 1..N.
    rows.sort(key=lambda r: -sum(r[1]))
    records, lines = [], []
    for n, (name, ch) in enumerate(rows, start=1):
        sub = sum(ch)
        lines.append(cell_lines([str(n), name, *map(str, ch), str(sub)]))
        records.append(
            {
                "row_number": n,
                "hospital": name,
                "online_12320": ch[0],
                "phone": ch[1],
                "in_clinic": ch[2],
                "third_party": ch[3],
                "subtotal": sub,
            }
        )
    cols = ["online_12320", "phone", "in_clinic", "third_party", "subtotal"]
    sums = [sum(r[c] for r in records) for c in cols]
    for c, s in zip(cols, sums, strict=True):
        ctx.truth.totals[("booking_by_hospital", c)] = s
    ctx.truth.tables["booking_by_hospital"] = records
    ctx.booking_phone_total = sums[1]
    total_row = Row([toks[total].lines[0], *cell_lines([str(s) for s in sums])])
    new = [*toks[: entity[0]], *rows_block(lines), *toks[entity[-1] + 1 : total], total_row, *toks[total + 1 :]]
    return flatten(new)


# ---------------------------------------------------------------- 途径预约情况统计


def do_channel(body: list[str], ctx: _Ctx) -> list[str]:
    toks = tokens(body)
    idx = [i for i, t in enumerate(toks) if isinstance(t, Row) and not is_note_row(t)]
    header, rest = idx[0], idx[1:]
    half = 3
    halves = len(toks[header].values) // half
    total = next(i for i in rest if is_total(toks[i].values[0]))
    entity = [i for i in rest if i != total]
    entries = []
    for i in entity:
        v = toks[i].values
        for s in range(0, len(v), half):
            part = v[s : s + half]
            if all(x == "" for x in part):
                continue
            entries.append((int(part[0]), part[1], int(part[2])))
    entries.sort()
    varied = [(name, ctx.vary.count(n)) for _, name, n in entries]
    per_col = math.ceil(len(varied) / halves)
    lines = []
    for r in range(per_col):
        cells: list[str] = []
        for h in range(halves):
            k = r + h * per_col
            cells += [str(k + 1), varied[k][0], str(varied[k][1])] if k < len(varied) else ["", "", ""]
        lines.append(cell_lines(cells))
    records = [{"row_number": k + 1, "channel": name, "bookings": n} for k, (name, n) in enumerate(varied)]
    s = sum(n for _, n in varied)
    ctx.truth.tables["booking_by_channel"] = records
    ctx.truth.totals[("booking_by_channel", "bookings")] = s
    trow = toks[total]
    if len(trow.values) == 1:
        total_row = Row([re.sub(r"\d+", str(s), trow.lines[0], count=1)])
    else:
        total_row = Row([*trow.lines[:-1], "\t" + str(s)])
    new = [*toks[: entity[0]], *rows_block(lines), *toks[entity[-1] + 1 : total], total_row, *toks[total + 1 :]]
    return flatten(new)


def is_note_row(row: Row) -> bool:
    return all(not ln.startswith("\t") for ln in row.lines) and any(len(ln.strip(_BLANK)) > 1 for ln in row.lines)


# ---------------------------------------------------------------- 12320 热线 (prose)


_ITEM = r"(?P<label>[^，、。：:；\d][^，、。：:；]*?)(?P<value>\d+)(?P<unit>个|通|件|人次|次)"


def do_hotline(body: list[str], ctx: _Ctx) -> list[str]:
    """The calls paragraph first (its total is Nanjing's line in the province paragraph)."""
    out = [hotline_calls(ln, ctx) if re.search(r"共受理咨询电话\d+", ln) else ln for ln in body]
    return [hotline_province(ln, ctx) if re.search(r"全省12320共接听电话\d+", ln) else ln for ln in out]


def hotline_calls(ln: str, ctx: _Ctx) -> str:
    sp = Spans(ln)
    tm = sp.find(r"共受理(咨询电话)(\d+)(个|通|人次|次)")
    items = []
    for m in re.finditer(_ITEM, ln[tm.end() :]):
        m = re.compile(_ITEM).match(ln, tm.end() + m.start())
        sp.claimed.append(m.span())
        clause_start = max(ln.rfind(c, 0, m.start()) for c in "，,；;。")
        in_total = ln[clause_start + 1 :].startswith("其中")
        label = re.sub(r"^(其中|受理)+", "", m["label"].strip())
        items.append([m, label, int(m["value"]), in_total])
    for it in items:
        m, label, value, in_total = it
        if HOTLINE_CATEGORIES.get(label) == "phone_bookings" and ctx.booking_phone_total is not None:
            it[2] = ctx.booking_phone_total  # the booking table's 电话预约 合计
        else:
            it[2] = ctx.vary.count(value)
        sp.edit(*m.span("value"), str(it[2]))
    total = sum(it[2] for it in items if it[3])
    sp.edit(*tm.span(2), str(total))
    while sp.find(r"(\d{4}年)?\d{1,2}月"):  # dates are not figures
        pass
    if sp.leftover_numbers() != ["12320"]:
        raise ValueError(f"hotline paragraph has figures the generator does not know: {sp.leftover_numbers()}")
    records = [{"category": "total", "label": tm[1], "calls": total, "unit": tm[3], "in_total": False}]
    for m, label, value, in_total in items:
        records.append(
            {
                "category": HOTLINE_CATEGORIES.get(label),
                "label": label,
                "calls": value,
                "unit": m["unit"],
                "in_total": in_total,
            }
        )
    ctx.truth.tables["hotline_calls"] = records
    ctx.hotline_total = total
    return sp.result()


def hotline_province(ln: str, ctx: _Ctx) -> str:
    sp = Spans(ln)
    tm = sp.find(r"全省12320共接听电话(\d+)(人次|个|次)")
    colon = max(ln.find("："), ln.find(":"))
    records = []
    for m in re.finditer(_ITEM, ln[colon + 1 :]):
        a, b = (x + colon + 1 for x in m.span("value"))
        city = m["label"].strip()
        value = ctx.hotline_total if city in ("南京", "南京市") else ctx.vary.count(int(m["value"]))
        sp.claimed.append((a, b))
        sp.edit(a, b, str(value))
        records.append({"city": city, "calls": value, "unit": m["unit"]})
    total = sum(r["calls"] for r in records)
    sp.edit(*tm.span(1), str(total))
    while sp.find(r"(\d{4}年)?\d{1,2}月"):
        pass
    left = [x for x in sp.leftover_numbers() if x != "12320"]
    if left or not records:
        raise ValueError(f"province paragraph has figures the generator does not know: {left}")
    ctx.truth.tables["hotline_province"] = records
    ctx.truth.totals[("hotline_province", "calls")] = total
    return sp.result()


# ---------------------------------------------------------------- 远程医疗 (prose, one paragraph per platform)


def do_remote(body: list[str], ctx: _Ctx) -> list[str]:
    out, tables = [], {k: [] for k in ("platforms", "volumes", "breakdown", "uploaders", "coverage")}
    for ln in body:
        m = re.match(r"^(南京市远程\S{1,8}?(平台|系统))", ln.strip())
        if m:
            ln = remote_paragraph(ln, m[1], tables, ctx)
        elif re.search(r"\d", ln):
            raise ValueError(f"remote section: figures outside a platform paragraph: {ln[:40]}")
        out.append(ln)
    pending = [(p, a) for p, a in ctx.joins if (p, a) not in ctx.truth.joined]
    if pending:
        raise ValueError(f"join_platform: not printed as not connected: {pending}")
    ctx.truth.tables["remote_platforms"] = tables["platforms"]
    ctx.truth.tables["remote_volumes"] = tables["volumes"]
    ctx.truth.tables["remote_institutions"] = tables["breakdown"]
    ctx.truth.tables["remote_top_uploaders"] = tables["uploaders"]
    ctx.truth.tables["remote_coverage"] = tables["coverage"]
    return out


def remote_paragraph(ln: str, name: str, tables: dict[str, list[dict]], ctx: _Ctx) -> str:
    platform = next((v for k, v in PLATFORMS.items() if k in name), None)
    if platform is None:
        raise ValueError(f"unknown remote platform {name}")
    lead = len(ln) - len(ln.lstrip())
    sp = Spans(ln)
    sp.claimed.append((lead, lead + len(name)))
    row = {
        "platform": platform,
        "platform_zh": name,
        "institutions_connected": None,
        "districts_covered": None,
        "districts_not_connected": None,
        "cities_connected": None,
        "status": None,
    }
    inst = sp.find(r"累计接入(\d+)家医疗机构")
    if m := sp.find(r"(?:联通|连通)(?P<names>[^，。]*?)(\d+)个城市"):
        row["cities_connected"] = int(m[2])  # the cities are named: the count stays
    cov = sp.find(r"覆盖(?:市内)?(\d+)个(?:辖)?区")
    # 未对接的有/是 A、B、C: only the area names belong to the list.
    nc_names, nc_span = [], None
    if m := re.search(r"未对接的(?:有|是|为)", ln):
        end = m.end()
        for part in re.finditer(r"[^、，,。；和]+", ln[m.end() :]):
            if part.group().strip() not in AREAS:
                break
            nc_names.append(part.group().strip())
            end = m.end() + part.end()
        nc_span = (m.start(), end)
        sp.claimed.append(nc_span)
    # Breakdown after 其中, in printed order.
    breakdown = []
    pattern = r"(?:其中，?|[，；、])(?P<cat>[^，；、。\d]{2,20}?)(?P<n>\d+)家(?P<tail>医疗机构)?"
    while m := sp.find(pattern):
        category = re.sub(r"^(其中|以及|南京市内|接入)+", "", m["cat"]) + (m["tail"] or "")
        breakdown.append((m, category, int(m["n"])))
    volumes = []
    for pat, measure, period, label in VOLUMES:
        if m := sp.find(pat):
            volumes.append((m, measure, period, label))
    up = sp.find(r"前三的分别是(?P<list>[^。]*)")
    while sp.find(r"(\d{4}年)?\d{1,2}月(份|底)?"):
        pass
    left = sp.leftover_numbers()
    if left:
        raise ValueError(f"{name}: a figure the generator does not know: {left[0]}")

    # New figures.
    bd_new = [ctx.vary.count(n) for _, _, n in breakdown]
    for (m, category, _), n in zip(breakdown, bd_new, strict=True):
        sp.edit(*m.span("n"), str(n))
        tables["breakdown"].append({"platform": platform, "category_zh": category, "institutions": n})
    if inst:
        src_inst = int(inst[1])
        if breakdown and sum(n for *_, n in breakdown) == src_inst:
            new_inst = sum(bd_new)  # the breakdown lists every kind: it composes the total
        else:
            new_inst = max(ctx.vary.count(src_inst), sum(bd_new))
        sp.edit(*inst.span(1), str(new_inst))
        row["institutions_connected"] = new_inst
    joining = [a for p, a in ctx.joins if p == platform]
    for area in joining:
        if area not in nc_names:
            raise ValueError(f"join_platform: {area} is not printed as not connected to {name}")
        ctx.truth.joined.append((platform, area))
    remaining = [a for a in nc_names if a not in joining]
    if cov:
        covered = int(cov[1]) + len(joining)
        sp.edit(*cov.span(1), str(covered))
        row["districts_covered"] = covered
    if nc_span:
        a, b = nc_span
        if remaining:
            verb = "是" if len(remaining) == 1 else "有"
            sp.edit(a, b, f"未对接的{verb}" + "、".join(remaining))
            row["districts_not_connected"] = "、".join(remaining)
        else:
            # No area left: drop the clause (and its comma); a sentence ending there says so.
            a = a - 1 if ln[a - 1] in "，," else a
            follows = ln[b : b + 1]
            sp.edit(a, b, "" if follows in "，,；" else ALL_JOINED)
        for area in AREAS:
            tables["coverage"].append({"platform": platform, "area": area, "connected": area not in remaining})
    for m, measure, period, label in volumes:
        n = ctx.vary.count(int(m[1]))
        sp.edit(*m.span(1), str(n))
        tables["volumes"].append(
            {"platform": platform, "measure": measure, "measure_zh": label, "value": n, "unit": m[2], "period": period}
        )
    if up:
        base = up.start("list")
        parts, pos = [], 0
        for text in re.split(r"([，、,])", up["list"]):
            if text in "，、," and text:
                pos += len(text)
                continue
            it = re.fullmatch(r"(?P<name>.*?\D)(?P<n>\d+)(?P<unit>份|例|次)", text.strip())
            if not it:
                raise ValueError(f"{name}: top uploader {text!r} is not a name and a count")
            parts.append((base + pos, base + pos + len(text), it["name"], ctx.vary.count(int(it["n"])), it["unit"]))
            pos += len(text)
        ranked = sorted(parts, key=lambda p: -p[3])  # the top three stay in descending order
        for (a, b, *_), (_, _, who, n, unit) in zip(parts, ranked, strict=True):
            sp.edit(a, b, f"{who}{n}{unit}")
        for rank, (_, _, who, n, unit) in enumerate(ranked, start=1):
            tables["uploaders"].append(
                {"platform": platform, "rank": rank, "uploader": who, "records": n, "unit": unit}
            )
    if row["institutions_connected"] is None:
        row["status"] = ln.strip()[len(name) :].strip("，。 ")
    tables["platforms"].append(row)
    return sp.result()


# ---------------------------------------------------------------- 数据采集情况（区）/（医院）


def upload_rows(toks: list[Row | str]) -> tuple[list[int], int]:
    """Indices of entity rows (a 申明/规定 ratio in the second cell) and of the first one."""
    idx = [i for i, t in enumerate(toks) if isinstance(t, Row) and len(t.values) > 1 and _RATIO.match(t.values[1])]
    if not idx:
        raise ValueError("upload table has no rows")
    return idx, idx[0]


def vary_upload(v: list[str], ctx: _Ctx) -> list:
    """area/hospital, declared/required, uploaded, volume, days, outpatient, discharge, [health ×3]."""
    m = _RATIO.match(v[1])
    reported = m[1] != "未反馈"
    required = int(m[2])
    declared = min(ctx.vary.count(int(m[1])), required) if reported else None
    uploaded_src = int(v[2])
    cap = declared if reported and uploaded_src <= int(m[1]) else required
    uploaded = min(ctx.vary.count(uploaded_src), cap) if cap is not None else ctx.vary.count(uploaded_src)
    days_src = int(v[4])
    days = ctx.days if days_src >= ctx.source_days else min(ctx.vary.count(days_src), ctx.days)
    rest = [ctx.vary.count(int(x)) for x in v[5:]]
    return [v[0], declared, required, uploaded, ctx.vary.count(int(v[3])), days, *rest]


def upload_table(body: list[str], ctx: _Ctx, table: str, entity_col: str, hospitals: bool) -> list[str]:
    toks = tokens(body)
    idx, first = upload_rows(toks)
    width = len(toks[first].values)
    src = [toks[i].values for i in idx]
    if any(len(v) != width for v in src):
        raise ValueError(f"{table}: rows of unequal width")
    names = [v[0] for v in src]
    dropped = drop_from(table, names, ctx) if hospitals else set()
    rows = [vary_upload(v, ctx) for v in src if v[0] not in dropped]
    if hospitals:
        for name in ctx.add:
            if name in names:
                raise ValueError(f"add_hospitals: {name} is already printed in {table}")
            _, declared, required, uploaded, volume, days, *rest = vary_upload(template_for(src, ctx), ctx)
            figures = [ctx.vary.like(volume), days, *[ctx.vary.like(x) for x in rest]]
            rows.append([name, declared, required, uploaded, *figures])
        note_added(table, ctx)
    rows.sort(key=lambda r: -r[4])  # printed by 数据上传量, largest first
    cols = [entity_col, "declared_tables", "declared_reported", "required_tables", "uploaded_tables", "upload_volume"]
    cols += ["upload_days", "outpatient_records", "discharge_records"]
    if width == 10:
        cols += ["health_records_basic", "health_records_hypertension", "health_records_diabetes"]
    records, lines = [], []
    for r in rows:
        name, declared, required, *nums = r
        ratio = f"{'未反馈' if declared is None else declared}/{required}"
        lines.append(cell_lines([name, ratio, *map(str, nums)]))
        records.append(dict(zip(cols, [name, declared, declared is not None, required, *nums], strict=True)))
        ctx.upload_volume_total += nums[1]
    ctx.truth.tables[table] = records
    new = [*toks[:first], *rows_block(lines), *toks[idx[-1] + 1 :]]
    return flatten(new)


def do_upload_district(body: list[str], ctx: _Ctx) -> list[str]:
    return upload_table(body, ctx, "upload_by_district", "area", hospitals=False)


def do_upload_hospital(body: list[str], ctx: _Ctx) -> list[str]:
    return upload_table(body, ctx, "upload_by_hospital", "hospital", hospitals=True)


# ---------------------------------------------------------------- 自助智能医疗服务终端 (vertical labels)


def do_kiosk(body: list[str], ctx: _Ctx) -> list[str]:
    toks = tokens(body)
    rows = [i for i, t in enumerate(toks) if isinstance(t, Row)]
    header = rows[0]
    width = len(toks[header].values)  # 单位 + 5 figures

    def entity(i: int) -> bool:
        return len(toks[i].cells) >= width and not is_total(toks[i].cells[0].strip(_BLANK) or "x")

    out: list[Row | str] = list(toks[: header + 1])
    label, pos, records, totals = "", header + 1, [], [0, 0, Decimal(0), 0, Decimal(0)]
    total_idx = next(i for i in rows if toks[i].cells and is_total(toks[i].values[0]))
    while pos < total_idx:
        t = toks[pos]
        if not isinstance(t, Row) or not entity(pos):
            if isinstance(t, Row):
                label += "".join(x.strip(_BLANK) for x in t.lines)
            out.append(t)
            pos += 1
            continue
        # A run of entity rows: one section.
        run = []
        while pos < total_idx and (not isinstance(toks[pos], Row) or entity(pos)):
            if isinstance(toks[pos], Row):
                run.append(toks[pos])
            pos += 1
        first_bare = run[0].bare
        label += "".join(x.strip(_BLANK) for x in first_bare)
        section_zh = label
        label = ""
        if section_zh not in KIOSK_SECTIONS:
            raise ValueError(f"kiosk: unknown section label {section_zh!r}")
        hospital = KIOSK_SECTIONS[section_zh] == "hospital"
        src = []
        for r in run:
            cells = r.cells
            if len(cells) == width + 1 and cells[0].strip(_BLANK) == "":
                cells = cells[1:]
            if len(cells) != width:
                raise ValueError(f"kiosk row {cells[:1]} has {len(cells)} cells, expected {width}")
            src.append(([c.strip(_BLANK) for c in cells], [suffix(c) for c in cells]))
        dropped = drop_from("kiosk_usage", [v[0] for v, _ in src], ctx) if hospital else set()
        new = []
        for v, sfx in src:
            if v[0] in dropped:
                continue
            nums = [ctx.vary.count(int(v[1])), ctx.vary.count(int(v[2])), ctx.vary.money(Decimal(v[3]))]
            nums += [ctx.vary.count(int(v[4])), ctx.vary.money(Decimal(v[5]))]
            new.append((v[0], nums, sfx))
        if hospital:
            for name in ctx.add:
                if name in [v[0] for v, _ in src]:
                    raise ValueError(f"add_hospitals: {name} is already printed in kiosk_usage")
                v, sfx = template_for([s for s in src if s[0][0] not in dropped], ctx)
                nums = [ctx.vary.like(int(v[1])), ctx.vary.like(int(v[2]))]
                nums.append((Decimal(v[3]) * Decimal(nums[1]) / max(int(v[2]), 1)).quantize(Decimal("0.01")))
                nums.append(ctx.vary.like(int(v[4])))
                nums.append((Decimal(v[5]) * Decimal(nums[3]) / max(int(v[4]), 1)).quantize(Decimal("0.01")))
                new.append((name, nums, sfx))
            note_added("kiosk_usage", ctx)
        lines = []
        for k, (name, nums, sfx) in enumerate(new):
            texts = [name, str(nums[0]), str(nums[1]), money_text(nums[2]), str(nums[3]), money_text(nums[4])]
            lead = first_bare if k == 0 else ["\t"]
            lines.append([*lead, *cell_lines(texts, sfx)])
            records.append(
                {
                    "section": KIOSK_SECTIONS[section_zh],
                    "section_zh": section_zh,
                    "unit": name,
                    "terminals": nums[0],
                    "registrations": nums[1],
                    "registration_amount_yuan": nums[2],
                    "payments": nums[3],
                    "payment_amount_yuan": nums[4],
                }
            )
            totals = [a + b for a, b in zip(totals, nums, strict=True)]
        if not lines:
            raise ValueError(f"kiosk: every row of {section_zh} was dropped")
        out.extend(rows_block(lines))
        # the blank lines that followed the run's last row are still in toks before pos
        back = pos
        while back > 0 and not isinstance(toks[back - 1], Row):
            back -= 1
        out.extend(toks[back:pos])
    trow = toks[total_idx]
    texts = [str(totals[0]), str(totals[1]), money_text(totals[2]), str(totals[3]), money_text(totals[4])]
    sfx = [suffix(c) for c in trow.cells[1:]]
    out.append(Row([trow.lines[0], *cell_lines(texts, sfx)]))
    out.extend(toks[total_idx + 1 :])
    cols = ["terminals", "registrations", "registration_amount_yuan", "payments", "payment_amount_yuan"]
    for c, s in zip(cols, totals, strict=True):
        ctx.truth.totals[("kiosk_usage", c)] = s
    ctx.truth.tables["kiosk_usage"] = records
    return flatten(out)


# ---------------------------------------------------------------- command line


def is_synthetic(path: Path) -> bool:
    if path.suffix.lower() in (".html", ".htm", ".docx"):
        from .located import read_source

        try:  # its first paragraph, as the parsers read it
            return read_source(path).lines[0].text.startswith(MARK)
        except Exception:  # unreadable or no bulletin at all: not one of ours
            return False
    try:
        with path.open(encoding="utf-8-sig", errors="replace") as fh:
            return fh.readline().startswith(MARK)
    except OSError:
        return False


def as_format(text: str, kind: str) -> bytes:
    """The generated bulletin as a text file, a saved web page (with a site's chrome) or a Word file."""
    if kind == "txt":
        return text.encode("utf-8")
    from .formats.write import document_from_text, to_docx, to_html

    document = document_from_text(text)
    return to_html(document) if kind == "html" else to_docx(document)


def synth_main(args) -> int:
    """Run `metroanalysis synth`; 0 when written, 2 on a bad request (one line on stderr)."""
    from .errors import UsageError
    from .paths import find_project

    try:
        for m in (args.source, args.month):
            if not _MONTH.match(m or ""):
                raise UsageError(f"{m!r}: expected YYYY-MM, e.g. 2021-04")
        project = find_project(args.root)
        source = project.raw / args.source / "bulletin.txt"
        if not source.is_file():
            raise UsageError(f"--from {args.source}: no {source}")
        joins = []
        for j in args.join:
            platform, sep, area = j.partition(":")
            if not sep:
                raise UsageError(f"--join {j!r}: expected PLATFORM:AREA, e.g. lab:鼓楼区")
            joins.append((platform, area))
        from .reading import decode

        text, _ = decode(source.read_bytes(), str(source))
        try:
            out, _truth = generate(
                text,
                args.source,
                args.month,
                args.seed,
                args.factor,
                add_hospitals=args.add_hospital,
                drop_hospitals=args.drop_hospital,
                join_platform=joins,
            )
        except ValueError as err:
            raise UsageError(str(err)) from None
        raw = project.raw.resolve()
        kind = getattr(args, "format", "txt")
        stale: list[Path] = []
        if args.into_raw:
            from .paths import bulletin_files

            target = project.raw / args.month / f"bulletin.{kind}"
            for existing in bulletin_files(target.parent):
                if not is_synthetic(existing):
                    raise UsageError(f"{existing} is a real bulletin: refusing to overwrite it")
                stale.extend([existing] if existing != target else [])  # one bulletin per month folder
        elif args.out:
            target = Path(args.out)
            if target.resolve().is_relative_to(raw):
                raise UsageError(f"--out {args.out} is under {project.raw}: pass --into-raw to write there")
            if target.exists() and not is_synthetic(target):
                raise UsageError(f"--out {args.out} exists and is not a synthetic bulletin: refusing to overwrite it")
        elif kind == "docx":
            raise UsageError("--format docx writes a file: pass --out FILE or --into-raw")
        else:
            text = out if kind == "txt" else as_format(out, kind).decode("utf-8")
            sys.stdout.write(text + ("" if text.endswith("\n") else "\n"))
            return 0
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(as_format(out, kind))
        for old in stale:
            old.unlink()
        print(f"{args.month}: synthetic bulletin written to {target}", file=sys.stderr)
        return 0
    except UsageError as err:
        print(f"metroanalysis: error: {err}", file=sys.stderr)
        return 2

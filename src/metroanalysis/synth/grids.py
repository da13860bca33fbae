"""The generator's rewrite of each printed grid: bookings by hospital and by channel, uploads by
area and by hospital, the kiosks (vertical labels), and any declared grid (`declared_grid`).
Every figure varied, every subtotal and 合计 recomputed, hospitals added and dropped."""

from __future__ import annotations

import math
import re
from decimal import Decimal

from metroanalysis.parse.tables.kiosk import SECTIONS as KIOSK_SECTIONS
from metroanalysis.parse.tables.spec import Table
from metroanalysis.synth.layout import (
    BLANK,
    RATIO,
    Context,
    Row,
    cell_lines,
    flatten,
    is_total,
    money_text,
    rows_block,
    suffix,
    tokens,
)


def declared_grid(table: Table, body: list[str], ctx: Context) -> list[str]:
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


def grid_values(columns, values: list[str], ctx: Context) -> dict:
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


# ---------------------------------------------------------------- hospital lists


def template_for(rows: list, ctx: Context):
    """An existing entity (from the smaller half) to model a new hospital's figures on."""
    pool = rows[len(rows) // 2 :] or rows
    return ctx.rng.choice(pool)


def drop_from(table: str, names: list[str], ctx: Context) -> set[str]:
    hit = {n for n in names if n in ctx.drop}
    for n in hit:
        ctx.dropped_seen.add(n)
        ctx.truth.dropped_hospitals.setdefault(n, []).append(table)
    return hit


def note_added(table: str, ctx: Context) -> None:
    for n in ctx.add:
        ctx.truth.added_hospitals.setdefault(n, []).append(table)


# ---------------------------------------------------------------- 预约挂号服务统计表


def do_booking(body: list[str], ctx: Context) -> list[str]:
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


def do_channel(body: list[str], ctx: Context) -> list[str]:
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
    return all(not ln.startswith("\t") for ln in row.lines) and any(len(ln.strip(BLANK)) > 1 for ln in row.lines)


# ---------------------------------------------------------------- 数据采集情况（区）/（医院）


def upload_rows(toks: list[Row | str]) -> tuple[list[int], int]:
    """Indices of entity rows (a 申明/规定 ratio in the second cell) and of the first one."""
    idx = [i for i, t in enumerate(toks) if isinstance(t, Row) and len(t.values) > 1 and RATIO.match(t.values[1])]
    if not idx:
        raise ValueError("upload table has no rows")
    return idx, idx[0]


def vary_upload(v: list[str], ctx: Context) -> list:
    """area/hospital, declared/required, uploaded, volume, days, outpatient, discharge, [health ×3]."""
    m = RATIO.match(v[1])
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


def upload_table(body: list[str], ctx: Context, table: str, entity_col: str, hospitals: bool) -> list[str]:
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


def do_upload_district(body: list[str], ctx: Context) -> list[str]:
    return upload_table(body, ctx, "upload_by_district", "area", hospitals=False)


def do_upload_hospital(body: list[str], ctx: Context) -> list[str]:
    return upload_table(body, ctx, "upload_by_hospital", "hospital", hospitals=True)


# ---------------------------------------------------------------- 自助智能医疗服务终端 (vertical labels)


def do_kiosk(body: list[str], ctx: Context) -> list[str]:
    toks = tokens(body)
    rows = [i for i, t in enumerate(toks) if isinstance(t, Row)]
    header = rows[0]
    width = len(toks[header].values)  # 单位 + 5 figures

    def entity(i: int) -> bool:
        return len(toks[i].cells) >= width and not is_total(toks[i].cells[0].strip(BLANK) or "x")

    out: list[Row | str] = list(toks[: header + 1])
    label, pos, records, totals = "", header + 1, [], [0, 0, Decimal(0), 0, Decimal(0)]
    total_idx = next(i for i in rows if toks[i].cells and is_total(toks[i].values[0]))
    while pos < total_idx:
        t = toks[pos]
        if not isinstance(t, Row) or not entity(pos):
            if isinstance(t, Row):
                label += "".join(x.strip(BLANK) for x in t.lines)
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
        label += "".join(x.strip(BLANK) for x in first_bare)
        section_zh = label
        label = ""
        if section_zh not in KIOSK_SECTIONS:
            raise ValueError(f"kiosk: unknown section label {section_zh!r}")
        hospital = KIOSK_SECTIONS[section_zh] == "hospital"
        src = []
        for r in run:
            cells = r.cells
            if len(cells) == width + 1 and cells[0].strip(BLANK) == "":
                cells = cells[1:]
            if len(cells) != width:
                raise ValueError(f"kiosk row {cells[:1]} has {len(cells)} cells, expected {width}")
            src.append(([c.strip(BLANK) for c in cells], [suffix(c) for c in cells]))
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

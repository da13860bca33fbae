"""预约挂号服务统计表 (bookings by hospital) and 途径预约情况统计 (bookings by channel)."""

from __future__ import annotations

import re

from metroanalysis.errors import BulletinError
from metroanalysis.i18n.messages import said
from metroanalysis.parse.tables.base import Column, Extract, Section, grid_rows, is_note, is_total_label, match_header
from metroanalysis.parse.tables.spec import YM, Printed, Table
from metroanalysis.read.text import Cell, Repair, parse_count
from metroanalysis.reference import category_names

BY_HOSPITAL = "booking_by_hospital"
BY_CHANNEL = "booking_by_channel"

# The four booking channels of the hospital table: column → (printed name, English name).
CHANNEL_NAMES = category_names("booking_channel")
CHANNELS = list(CHANNEL_NAMES)

HOSPITAL_COLUMNS = [
    Column("row_number", r"序号", "serial"),
    Column("hospital", r"单位|医院|医院名称", "name"),
    *(Column(channel, zh, "count", "次") for channel, (zh, _) in CHANNEL_NAMES.items()),
    Column("subtotal", r"小计", "count", "次"),
]
CHANNEL_HALF = [
    Column("row_number", r"序号", "serial"),
    Column("channel", r"名称|途径", "name"),
    Column("bookings", r"预约数量|预约量", "count", "次"),
]

TABLES = (
    Table(
        BY_HOSPITAL,
        "预约挂号服务统计表",
        "Bookings by hospital",
        "Bookings on the unified appointment platform by hospital and channel (预约挂号服务统计表).",
        (
            "row_number",
            "hospital",
            "entity_id",
            "online_12320",
            "phone",
            "in_clinic",
            "third_party",
            "new_channel_zh",
            "new_channel",
            "subtotal",
            "source_line",
        ),
        entity_column="hospital",
        columns=tuple(HOSPITAL_COLUMNS),
        total_row=True,
    ),
    Table(
        BY_CHANNEL,
        "途径预约情况统计",
        "Bookings by app or website",
        "Bookings by app, WeChat and web channel (途径预约情况统计), in printed serial order.",
        ("row_number", "channel", "entity_id", "bookings", "source_line"),
        entity_column="channel",
        columns=tuple(CHANNEL_HALF),  # printed twice side by side
        total_row=True,
    ),
)


def booking_by_hospital(section: Section, ex: Extract) -> None:
    """35 hospitals × four channels and the printed subtotal; 合计 kept apart. A channel
    column no declaration knows, printed between the known channels and 小计, is read as a new
    channel under its printed name when 小计 adds up with it on every row (warned)."""
    columns, new = HOSPITAL_COLUMNS, new_channel_header(section)
    if new is not None:
        columns = [
            *HOSPITAL_COLUMNS[:-1],
            Column("new_channel", re.escape(new.text), "count", "次"),
            HOSPITAL_COLUMNS[-1],
        ]
    records, _ = grid_rows(section, columns, BY_HOSPITAL, ex, entity_col="hospital")
    if new is not None:
        check_new_channel_adds_up(records, new, ex)
        for record in records:
            record["new_channel_zh"] = new.text
        ex.warn(
            Repair(
                "new_channel",
                new.line,
                new.text,
                "new_channel",
                **said("new_channel", name=new.text, line=new.line, table=BY_HOSPITAL),
            )
        )
    ex.put(BY_HOSPITAL, records)


def new_channel_header(section: Section) -> Cell | None:
    """The header cell of one channel column the declaration does not know, printed between
    the known channels and 小计; None for the declared header (or any other: the header check
    then says what differs)."""
    header = next((r for r in section.rows() if not is_note(r)), [])
    known = HOSPITAL_COLUMNS
    if len(header) != len(known) + 1 or not re.fullmatch(known[-1].header, header[-1].text):
        return None
    if not all(re.fullmatch(col.header, cell.text) for cell, col in zip(header, known[:-1], strict=False)):
        return None
    new = header[len(known) - 1]
    if not new.text or re.fullmatch(r"[\d.,]+", new.text):
        return None
    return new


def check_new_channel_adds_up(records: list[dict], new: Cell, ex: Extract) -> None:
    """A new channel column is a channel only if 小计 is the known channels plus it, on every
    row and in 合计: else it is something else (a second subtotal, a share) and is refused."""
    totals = {t["column"]: t for t in ex.totals if t["table"] == BY_HOSPITAL}
    rows = [(r["hospital"], r["source_line"], *(r[c] for c in [*CHANNELS, "new_channel", "subtotal"])) for r in records]
    if "subtotal" in totals and "new_channel" in totals:
        printed = [totals[c]["value"] for c in [*CHANNELS, "new_channel", "subtotal"]]
        rows.append(("合计", totals["subtotal"]["source_line"], *printed))
    for name, line, *values in rows:
        *channels, subtotal = values
        if sum(channels) != subtotal:
            raise BulletinError(
                f"column {new.text!r} (line {new.line}) is not a channel: 小计 {subtotal} is not the channels"
                f" with it ({sum(channels)}) on this row",
                line=line,
                table=BY_HOSPITAL,
                text=name,
            )


def booking_by_channel(section: Section, ex: Extract) -> None:
    """The channel table is printed as two tables side by side (序号, 名称, 预约数量 twice).

    Each printed row carries one entity from the left half and, except on the last row
    of an odd count, one from the right; rows come out in printed serial order.
    """
    rows = [r for r in section.rows() if not is_note(r)]
    if not rows:
        raise BulletinError("table has no header or rows", line=section.title.no, table=BY_CHANNEL)
    header, body = rows[0], rows[1:]
    width = len(CHANNEL_HALF)
    match_header(header[:width], CHANNEL_HALF, BY_CHANNEL)
    if len(header) == 2 * width:
        match_header(header[width:], CHANNEL_HALF, BY_CHANNEL)
    halves = len(header) // width
    records = []
    for row in body:
        if is_total_label(row[0].text):
            channel_total(row, ex)
            continue
        if len(row) not in (width, halves * width):
            raise BulletinError(
                f"row has {len(row)} cells, expected {width} or {halves * width}",
                line=row[0].line,
                table=BY_CHANNEL,
                text=" | ".join(c.text for c in row),
            )
        for start in range(0, len(row), width):
            half = row[start : start + width]
            if all(c.text == "" for c in half):  # the right half of the last row is left empty
                continue
            records.append(channel_record(half, ex))
    records.sort(key=lambda r: r["row_number"])
    numbers = [r["row_number"] for r in records]
    if numbers != list(range(1, len(numbers) + 1)):
        raise BulletinError("serial numbers are not 1..N", line=section.title.no, table=BY_CHANNEL, text=str(numbers))
    ex.put(BY_CHANNEL, records)


def channel_record(half: list[Cell], ex: Extract) -> dict:
    serial, name, count = half
    if name.text == "":
        raise BulletinError("channel name is empty", line=name.line, table=BY_CHANNEL, text=name.text)
    record = {
        "row_number": parse_count(serial, BY_CHANNEL, "row_number"),
        "channel": name.text,
        "bookings": parse_count(count, BY_CHANNEL, "bookings"),
        "source_line": serial.line,
    }
    ex.fact(BY_CHANNEL, "", name.text, "bookings", record["bookings"], "次", count.line, count.text)
    return record


def channel_total(row: list[Cell], ex: Extract) -> None:
    """合计 is printed in one cell as 合计：116458 (or, in other months, as two cells)."""
    cell = row[0]
    text = cell.text.replace("合计", "", 1).lstrip("：: ")
    if not text and len(row) > 1:
        cell, text = row[-1], row[-1].text
    value = parse_count(Cell(cell.line, text, True), BY_CHANNEL, "合计")
    ex.total(BY_CHANNEL, "bookings", value, "次", cell.line, cell.text)


PRINTED = (
    Printed(
        "booking",
        re.compile(YM + r"预约挂号服务统计表"),
        (booking_by_hospital,),
        (BY_HOSPITAL,),
        words=("预约挂号",),
        not_words=("途径|渠道",),
        continues=True,
    ),
    Printed(
        "channel",
        re.compile(YM + r"途径预约情况统计"),
        (booking_by_channel,),
        (BY_CHANNEL,),
        words=("途径|渠道", "预约"),
        continues=True,
    ),
)

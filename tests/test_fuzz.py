"""Random corruption of the bulletin: a parse or a BulletinError, never another exception; and
a parse that is accepted is right about what it read: every number it reports stands on the
line it names, and every printed 合计 still in the text is read and checked against its rows."""

from __future__ import annotations

from conftest import MONTH, RAW_BULLETIN
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metroanalysis.clean.checks import run_checks
from metroanalysis.errors import BulletinError
from metroanalysis.parse.bulletin import parse_bulletin
from metroanalysis.read.text import RawBulletin, decode, split_lines

LINES = RAW_BULLETIN.read_bytes().decode("utf-8").split("\n")
# Corruption is aimed at the statistics part (where the parsers work) most of the time.
STATS = (LINES.index("统计数据"), len(LINES))
JUNK = st.text(
    alphabet=st.sampled_from(list("\t 0123456789.,，/：:合计未反馈医疗单位各区年月份底亿万个次份家\r\ufeffx")),
    max_size=12,
)

# The 合计 rows of the tables that print one (lines 333-338, 381, 1186-1191 of the bulletin):
# table → the lines, exactly as printed, how many column totals they carry, and the titles of
# the table's section and of the next (lines 44 and 341, 342 and 384, 778 and 1194), between
# which the row must stand to be the table's.
TOTAL_ROWS = {
    "booking_by_hospital": (LINES[332:338], 5, LINES[43], LINES[340]),
    "booking_by_channel": (LINES[380:381], 1, LINES[341], LINES[383]),
    "kiosk_usage": (LINES[1185:1191], 5, LINES[777], LINES[1193]),
}

line_no = st.integers(min_value=0, max_value=len(LINES) - 1) | st.integers(*STATS).map(lambda i: min(i, len(LINES) - 1))


@st.composite
def corruption(draw):
    op = draw(st.sampled_from(["delete", "duplicate", "swap", "replace_char", "insert", "truncate", "blank"]))
    return (op, draw(line_no), draw(line_no), draw(st.integers(0, 400)), draw(JUNK))


def corrupt(lines: list[str], edits) -> list[str]:
    lines = list(lines)
    for op, i, j, k, junk in edits:
        if not lines:
            break
        i, j = i % len(lines), j % len(lines)
        if op == "delete":
            del lines[i : i + 1 + k % 3]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "replace_char":
            text = lines[i]
            pos = k % (len(text) + 1)
            lines[i] = text[:pos] + junk[:1] + text[pos + 1 :]
        elif op == "insert":
            lines.insert(i, junk)
        elif op == "truncate":
            lines = lines[: max(i, 1)]
            lines[-1] = lines[-1][: k % (len(lines[-1]) + 1)]
        elif op == "blank":
            lines[i] = ""
    return lines


def contains(lines: list[str], block: list[str]) -> bool:
    return any(lines[i : i + len(block)] == block for i in range(len(lines) - len(block) + 1))


def parse_or_refuse(data: bytes) -> None:
    try:
        text, encoding = decode(data, "fuzz.txt")
        raw = RawBulletin("fuzz.txt", encoding, "", split_lines(text))
        parsed = parse_bulletin(raw, MONTH)
    except BulletinError as err:
        message = str(err)
        assert "\n" not in message and message.startswith("fuzz.txt"), message
        return
    lines = {line.no: line.text for line in raw.lines}
    facts_stand_on_their_lines(parsed, lines)
    printed_totals_are_read_and_checked(parsed, [line.text for line in raw.lines])


def facts_stand_on_their_lines(parsed, lines: dict[int, str]) -> None:
    """A number the parse reports is printed on the line it names (a shifted or invented
    number breaks this), or begins there and runs on into the next (a cell rewrapped there,
    63 / /129 split by a stray CR)."""
    for fact in parsed.facts.itertuples():
        here, printed = lines.get(fact.source_line, ""), fact.printed.strip()
        running_on = here + lines.get(fact.source_line + 1, "").strip()
        assert printed in here or -1 < running_on.find(printed) < len(here), (fact.table, fact.source_line, printed)


def printed_totals_are_read_and_checked(parsed, lines: list[str]) -> None:
    """Every printed total the parse read is checked once against its rows, under its own
    number and line; and a table that still carries its 合计 row intact has it read."""
    quality = run_checks(parsed.tables, parsed.printed_totals, parsed.missing)
    checked = quality[quality["rule"] == "printed_total_equals_sum"]
    for total in parsed.printed_totals.itertuples():
        rows = checked[(checked["table"] == total.table) & (checked["column"] == total.column)]
        assert len(rows) == 1, (total.table, total.column)
        assert rows.iloc[0]["source_line"] == total.source_line
        assert float(rows.iloc[0]["printed"]) == float(total.value)
    for table, (block, columns, title, next_title) in TOTAL_ROWS.items():
        if not parsed.tables[table].empty and contains(section(lines, title, next_title), block):
            assert (parsed.printed_totals["table"] == table).sum() == columns, table


def section(lines: list[str], title: str, next_title: str) -> list[str]:
    """The lines between a table's title and the next title, each found once; else none (a 合计
    row moved into another table, or a title lost or repeated, is not the table's row)."""
    if lines.count(title) != 1 or lines.count(next_title) != 1:
        return []
    start, end = lines.index(title), lines.index(next_title)
    return lines[start:end] if start < end else []


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(corruption(), min_size=1, max_size=4))
def test_corrupted_lines_parse_or_raise_bulletin_error(edits):
    parse_or_refuse("\n".join(corrupt(LINES, edits)).encode("utf-8"))


@given(st.integers(0, len(RAW_BULLETIN.read_bytes())), st.binary(max_size=6), st.integers(0, 3))
def test_corrupted_bytes_parse_or_raise_bulletin_error(at, junk, cut):
    data = RAW_BULLETIN.read_bytes()
    data = data[:at] + junk + data[at + len(junk) :] if cut else data[:at]
    parse_or_refuse(data)


# --- what the fuzzing found, kept as fixed examples -------------------------------------------


def parsed_from(lines: list[str]):
    text, encoding = decode("\n".join(lines).encode("utf-8"), "fuzz.txt")
    return parse_bulletin(RawBulletin("fuzz.txt", encoding, "", split_lines(text)), MONTH)


def test_a_cell_rewrapped_at_a_stray_cr_is_credited_to_the_line_of_its_figure():
    """Line 114 is the TAB and 93 of 南京市中西医结合医院's third-party bookings; a CR after the
    TAB ends a line there, so 93 is printed on line 115 and its 小计 4562 on line 116. The cell is
    rewrapped and read as 93, credited to line 115 (it was credited to 114, the TAB's line)."""
    lines = list(LINES)
    assert lines[113] == "\t93" and lines[114] == "\t4562"
    lines[113] = "\t\r93"
    facts = parsed_from(lines).facts
    row = facts[(facts["entity"] == "南京市中西医结合医院") & (facts["table"] == "booking_by_hospital")]
    by_measure = dict(zip(row["measure"], zip(row["printed"], row["source_line"], strict=True), strict=True))
    assert by_measure["third_party"] == ("93", 115)
    assert by_measure["subtotal"] == ("4562", 116)


def test_a_table_printed_without_its_total_row_is_noted_missing_in_quality():
    """The kiosk table's 合计 row (lines 1186-1191: 合计, 1598, 784874, 15622415.20, 921105,
    336807013.30) deleted: the table still parses, and quality notes each of its five columns as
    missing a printed total, naming the table (before: nothing, the columns went unchecked)."""
    lines = list(LINES)
    assert lines[1185] == "\t合计" and lines[1190] == "\t336807013.30"
    del lines[1185:1191]
    parsed = parsed_from(lines)
    assert not parsed.tables["kiosk_usage"].empty
    quality = run_checks(parsed.tables, parsed.printed_totals, parsed.missing)
    noted = quality[quality["rule"] == "printed_total_present"]
    assert sorted(noted["column"]) == sorted(
        ["terminals", "registrations", "registration_amount_yuan", "payments", "payment_amount_yuan"]
    )
    assert set(noted["table"]) == {"kiosk_usage"} and set(noted["status"]) == {"missing"}
    assert all("kiosk_usage" in m and "合计" in m for m in noted["message"])
    complete = run_checks(*(lambda p: (p.tables, p.printed_totals, p.missing))(parsed_from(list(LINES))))
    assert (complete["rule"] == "printed_total_present").sum() == 0  # the bulletin as printed: none

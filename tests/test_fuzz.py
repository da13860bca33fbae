"""Random corruption of the bulletin: a parse or a BulletinError, never another exception; and
a parse that is accepted is right about what it read: every number it reports stands on the
line it names, and every printed 合计 still in the text is read and checked against its rows."""

from __future__ import annotations

from conftest import MONTH, RAW_BULLETIN
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metroanalysis.bulletin import parse_bulletin
from metroanalysis.checks import run_checks
from metroanalysis.errors import BulletinError
from metroanalysis.reading import RawBulletin, decode, split_lines

LINES = RAW_BULLETIN.read_bytes().decode("utf-8").split("\n")
# Corruption is aimed at the statistics part (where the parsers work) most of the time.
STATS = (LINES.index("统计数据"), len(LINES))
JUNK = st.text(
    alphabet=st.sampled_from(list("\t 0123456789.,，/：:合计未反馈医疗单位各区年月份底亿万个次份家\r\ufeffx")),
    max_size=12,
)

# The 合计 rows of the tables that print one (lines 333-338, 381, 1186-1191 of the bulletin):
# table → the lines, exactly as printed, and how many column totals they carry.
TOTAL_ROWS = {
    "booking_by_hospital": (LINES[332:338], 5),
    "booking_by_channel": (LINES[380:381], 1),
    "kiosk_usage": (LINES[1185:1191], 5),
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
    number breaks this)."""
    for fact in parsed.facts.itertuples():
        assert fact.printed.strip() in lines.get(fact.source_line, ""), (fact.table, fact.source_line, fact.printed)


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
    for table, (block, columns) in TOTAL_ROWS.items():
        if not parsed.tables[table].empty and contains(lines, block):
            assert (parsed.printed_totals["table"] == table).sum() == columns, table


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(corruption(), min_size=1, max_size=4))
def test_corrupted_lines_parse_or_raise_bulletin_error(edits):
    parse_or_refuse("\n".join(corrupt(LINES, edits)).encode("utf-8"))


@settings(max_examples=40, deadline=None)
@given(st.integers(0, len(RAW_BULLETIN.read_bytes())), st.binary(max_size=6), st.integers(0, 3))
def test_corrupted_bytes_parse_or_raise_bulletin_error(at, junk, cut):
    data = RAW_BULLETIN.read_bytes()
    data = data[:at] + junk + data[at + len(junk) :] if cut else data[:at]
    parse_or_refuse(data)

"""Variants of the April text, each changing one thing a later month may change, made by a
generator (as the formats tests make web pages and Word files from the text).

A variant that keeps the meaning (a title reworded, a table split under 续表, an empty column
pasted along, thousands separators, rows in another order, 合计 printed first …) must clean to
every figure of the bulletin, each at its own line, with a warning where the cleaner adapted.
A variant that changes the meaning (万元, a column dropped, a channel that does not add up) is
refused in one line naming the right table and line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import pytest
from conftest import MONTH
from test_bad_input import assert_refused, clean, group_thousands

from metroanalysis.clean.schema import BULLETIN_TABLES
from metroanalysis.parse.bulletin import parse_bulletin
from metroanalysis.read.text import read_bulletin

# A variant's lines: (the April line it came from, or None for a line it added; its text).
Lines = list[tuple[int | None, str]]

BOOKING_TITLE, BOOKING_HEADER, BOOKING_TOTAL = 44, range(45, 52), range(333, 339)
KIOSK_TITLE = 778


def april_lines(raw_bytes: bytes) -> Lines:
    return [(no, text) for no, text in enumerate(raw_bytes.decode("utf-8").split("\n"), start=1)]


def at(lines: Lines, no: int) -> int:
    """Index in `lines` of April's line `no`."""
    return next(i for i, (orig, _) in enumerate(lines) if orig == no)


def replaced(no: int, text: str) -> Callable[[Lines], Lines]:
    def change(lines: Lines) -> Lines:
        i = at(lines, no)
        return [*lines[:i], (no, text), *lines[i + 1 :]]

    return change


def continued_after(no: int, header: range, mark: str = "续表") -> Callable[[Lines], Lines]:
    """The table breaks after April's line `no` (a blank line ending a row): a 续表 line, then
    its header printed again (the new page)."""

    def change(lines: Lines) -> Lines:
        i = at(lines, no) + 1
        again = [(None, text) for orig, text in lines if orig in header]
        return [*lines[:i], (None, mark), (None, ""), *again, (None, ""), *lines[i:]]

    return change


def empty_trailing_column(first: int, last: int) -> Callable[[Lines], Lines]:
    """An empty cell after the last cell of every row of lines first..last (header included),
    as a copy from a spreadsheet with an empty column beside the table leaves it."""

    def change(lines: Lines) -> Lines:
        out: Lines = []
        for i, (orig, text) in enumerate(lines):
            out.append((orig, text))
            following = lines[i + 1][1] if i + 1 < len(lines) else ""
            if orig is not None and first <= orig <= last and text.startswith("\t") and following.strip() == "":
                out.append((None, "\t"))
        return out

    return change


def rows_swapped(a: range, b: range) -> Callable[[Lines], Lines]:
    """Two adjacent rows (a before b, each its lines) printed in the other order."""

    def change(lines: Lines) -> Lines:
        i, j, k = at(lines, a.start), at(lines, b.start), at(lines, b.stop - 1) + 1
        return [*lines[:i], *lines[j:k], *lines[i:j], *lines[k:]]

    return change


def moved_before(rows: range, before: int) -> Callable[[Lines], Lines]:
    """The row of lines `rows` (and the blank line after it) printed before April's line `before`."""

    def change(lines: Lines) -> Lines:
        i, k = at(lines, rows.start), at(lines, rows.stop - 1) + 2
        block, rest = lines[i:k], [*lines[:i], *lines[k:]]
        j = at(rest, before)
        return [*rest[:j], *block, *rest[j:]]

    return change


def statistics_only(change_text: Callable[[str], str]) -> Callable[[Lines], Lines]:
    def change(lines: Lines) -> Lines:
        return [(orig, change_text(text)) if orig and orig >= 37 else (orig, text) for orig, text in lines]

    return change


def columns_swapped(pairs: list[tuple[int, int]]) -> Callable[[Lines], Lines]:
    """Two columns printed the other way round: each pair of April lines (a cell of one column,
    then the other's in the same row, header included) swapped."""

    def change(lines: Lines) -> Lines:
        out = list(lines)
        for a, b in pairs:
            i, j = at(out, a), at(out, b)
            out[i], out[j] = out[j], out[i]
        return out

    return change


# 电话预约 and 诊间预约 swapped: the header, every hospital row, 合计.
PHONE_IN_CLINIC = [(48, 49), *((56 + 8 * k, 57 + 8 * k) for k in range(35)), (335, 336)]


@dataclass(frozen=True)
class Variant:
    change: Callable[[Lines], Lines]
    warned: tuple[str, int | None] | None  # (rule, April line) of the warning, None: nothing to warn


READ = {
    "reworded-booking-title": Variant(
        replaced(BOOKING_TITLE, "2021年4月全市预约挂号服务情况统计表"), ("title_reworded", BOOKING_TITLE)
    ),
    "reworded-kiosk-title": Variant(
        replaced(KIOSK_TITLE, "2021年4月自助服务终端使用情况统计表"), ("title_reworded", KIOSK_TITLE)
    ),
    "reworded-hotline-title": Variant(replaced(38, "南京12320卫生热线2021年4月服务数据统计"), ("title_reworded", 38)),
    "reworded-channel-title": Variant(replaced(342, "2021年4月各渠道预约情况统计"), ("title_reworded", 342)),
    "reworded-upload-title": Variant(
        replaced(550, "2021年4月南京市卫生信息平台数据上传情况（医院）"), ("title_reworded", 550)
    ),
    "booking-continued": Variant(continued_after(204, BOOKING_HEADER), ("table_continued", None)),
    "kiosk-continued": Variant(continued_after(1047, range(779, 785), "（续表）"), ("table_continued", None)),
    "upload-continued": Variant(continued_after(687, range(552, 559)), ("table_continued", None)),
    "empty-trailing-column": Variant(empty_trailing_column(45, 338), ("empty_trailing_cells", BOOKING_TITLE)),
    "rephrased-footnote": Variant(
        replaced(341, "（截至4月底，累计预约挂号总量24033728次）"), ("footnote_reworded", 341)
    ),
    "booking-columns-reordered": Variant(columns_swapped(PHONE_IN_CLINIC), ("columns_reordered", 45)),
    "thousands-separators": Variant(statistics_only(lambda t: group_thousands(t, ",")), None),
    "rows-reordered": Variant(rows_swapped(range(61, 69), range(69, 77)), None),
    "total-first": Variant(moved_before(BOOKING_TOTAL, 53), None),
    "kiosk-total-first": Variant(moved_before(range(1186, 1192), 786), None),
}


def render(lines: Lines) -> tuple[bytes, dict[int, int | None]]:
    """The variant's bytes, and each of its lines → the April line it came from."""
    back = {no: orig for no, (orig, _) in enumerate(lines, start=1)}
    return "\n".join(text for _, text in lines).encode("utf-8"), back


def read_variant(raw_bytes: bytes, change, tmp_path):
    data, back = render(change(april_lines(raw_bytes)))
    assert data != raw_bytes
    path = tmp_path / "bulletin.txt"
    path.write_bytes(data)
    return parse_bulletin(read_bulletin(path), MONTH), back


def in_april_lines(df: pd.DataFrame, back: dict[int, int | None]) -> pd.DataFrame:
    """`df` with its source lines as April's, in April's order (a reordered row compares as
    printed there)."""
    if df.empty or "source_line" not in df:
        return df.reset_index(drop=True)
    out = df.copy()
    out["source_line"] = pd.array([back[int(n)] if pd.notna(n) else None for n in df["source_line"]], dtype="Int64")
    assert out["source_line"].notna().all() or df["source_line"].isna().any(), "a figure read on an added line"
    keys = ["source_line", *[c for c in ("measure", "column", "section") if c in out]]
    return out.sort_values(keys, kind="stable").reset_index(drop=True)


@pytest.mark.parametrize("name", list(READ))
def test_a_variant_that_keeps_the_meaning_reads_every_figure_at_its_line(name, raw_bytes, parsed, tmp_path):
    variant = READ[name]
    got, back = read_variant(raw_bytes, variant.change, tmp_path)
    for table in BULLETIN_TABLES:
        pd.testing.assert_frame_equal(
            in_april_lines(got.tables[table], back),
            in_april_lines(parsed.tables[table], {n: n for n in range(1, 2000)}),
        )
    same = {n: n for n in range(1, 2000)}
    pd.testing.assert_frame_equal(in_april_lines(got.facts, back), in_april_lines(parsed.facts, same))
    pd.testing.assert_frame_equal(in_april_lines(got.printed_totals, back), in_april_lines(parsed.printed_totals, same))
    assert got.missing == []
    warnings = [(r["rule"], back.get(r["source_line"])) for r in got.repairs]
    if variant.warned is None:
        assert warnings == []
    else:
        rule, line = variant.warned
        assert [w for w in warnings if w[0] == rule], warnings
        if line is not None:
            assert (rule, line) in warnings, warnings


def test_a_reworded_title_is_quoted_with_its_line_in_the_warning(raw_bytes, tmp_path):
    got, _ = read_variant(raw_bytes, READ["reworded-booking-title"].change, tmp_path)
    (warning,) = [r for r in got.repairs if r["rule"] == "title_reworded"]
    assert "2021年4月全市预约挂号服务情况统计表" in warning["message"] and "line 44" in warning["message"]
    assert warning["table"] == "booking_by_hospital"


def test_the_continued_table_warning_says_how_many_header_rows_were_left_out(raw_bytes, tmp_path):
    got, _ = read_variant(raw_bytes, READ["upload-continued"].change, tmp_path)
    (warning,) = [r for r in got.repairs if r["rule"] == "table_continued"]
    assert warning["table"] == "upload_by_hospital" and "(1 row(s))" in warning["message"]


def test_the_empty_column_warning_says_how_many_rows_had_one(raw_bytes, tmp_path):
    got, _ = read_variant(raw_bytes, READ["empty-trailing-column"].change, tmp_path)
    (warning,) = [r for r in got.repairs if r["rule"] == "empty_trailing_cells"]
    assert "37 row(s)" in warning["message"]  # the header, 35 hospitals and 合计


def unknown_table(lines: Lines) -> Lines:
    """A table no module knows, printed between the upload and the kiosk tables."""
    i = at(lines, KIOSK_TITLE)
    table = ["2021年4月医院满意度调查统计表", "\t医院", "\t调查人数", "", "\t南京鼓楼医院", "\t120", ""]
    return [*lines[:i], *((None, t) for t in table), *lines[i:]]


def unknown_table_after_booking(lines: Lines) -> Lines:
    """The same, between the booking table's footnote and the channel table."""
    i = at(lines, 342)
    table = ["2021年4月医院满意度调查统计表", "\t医院", "\t调查人数", "", "\t南京鼓楼医院", "\t120", ""]
    return [*lines[:i], *((None, t) for t in table), *lines[i:]]


@pytest.mark.parametrize("where", [unknown_table, unknown_table_after_booking])
def test_a_title_no_module_knows_is_refused_at_its_own_line(where, raw_bytes, make_project, capsys):
    data, back = render(where(april_lines(raw_bytes)))
    root = make_project(data)
    code, _out, err = clean(root, capsys)
    line = next(no for no, orig in back.items() if orig is None)
    message = assert_refused(root, code, err, line=line, table=None, text="2021年4月医院满意度调查统计表")
    assert "an unknown table: add its module" in message
    assert not any(f"table {t}" in message for t in BULLETIN_TABLES)


def test_the_command_warns_of_a_reworded_title_naming_its_line(raw_bytes, make_project, capsys):
    data, _ = render(READ["reworded-kiosk-title"].change(april_lines(raw_bytes)))
    root = make_project(data)
    code, _out, err = clean(root, capsys)
    assert code == 0, err
    (warning,) = [ln for ln in err.splitlines() if "2021年4月自助服务终端使用情况统计表" in ln]
    assert warning.startswith(f"warning: {MONTH}: line 778: ") and "kiosk_usage" in warning


UNRECOGNISED_FOOTNOTE = replaced(777, "（截止4月底，平台累计入库101.78亿）")  # its unit 条 lost


def test_a_footnote_not_recognised_is_reported_at_its_line_not_as_missing(raw_bytes, tmp_path):
    got, _ = read_variant(raw_bytes, UNRECOGNISED_FOOTNOTE, tmp_path)
    assert got.missing == []
    (row,) = [r for r in got.repairs if r["rule"] == "footnote_recognised"]
    assert (row["status"], row["source_line"], row["column"]) == ("missing", 777, "records_verified_to_date")
    assert "printed, not absent" in row["message"]
    assert list(got.tables["cumulative_totals"]["measure"]) == ["bookings_to_date"]


def test_the_command_names_the_footnote_it_could_not_recognise(raw_bytes, make_project, capsys):
    data, _ = render(UNRECOGNISED_FOOTNOTE(april_lines(raw_bytes)))
    root = make_project(data)
    code, _out, err = clean(root, capsys)
    assert code == 0, err
    assert f"warning: {MONTH}: line 777: " in err and "not recognised as records_verified_to_date" in err
    assert "missing from the bulletin" not in err


# ---------------------------------------------------------------- a channel column no declaration knows

BOOKING_ROWS = [range(53 + 8 * k, 60 + 8 * k) for k in range(35)]  # serial, name, 4 channels, 小计


def with_channel(name: str, adds_up: bool) -> Callable[[Lines], Lines]:
    """A channel column `name` between 第三方 and 小计: hospital k books k through it, and 小计
    (and 合计) grow by as much when `adds_up`."""

    def change(lines: Lines) -> Lines:
        out: Lines = []
        extra = {row.stop - 1: k for k, row in enumerate(BOOKING_ROWS, start=1)}
        extra[BOOKING_TOTAL.stop - 1] = sum(range(1, 36))
        for orig, text in lines:
            if orig == BOOKING_HEADER.stop - 1:
                out.append((None, f"\t{name}"))
            if orig in extra:
                out.append((None, f"\t{extra[orig]}"))
                if adds_up:
                    text = f"\t{int(text) + extra[orig]}"
            out.append((orig, text))
        return out

    return change


def test_a_new_channel_that_makes_the_subtotal_add_up_is_read_under_its_printed_name(raw_bytes, parsed, tmp_path):
    got, back = read_variant(raw_bytes, with_channel("互联网医院", adds_up=True), tmp_path)
    booking, before = got.tables["booking_by_hospital"], parsed.tables["booking_by_hospital"]
    assert list(booking["new_channel_zh"].unique()) == ["互联网医院"]
    assert list(booking["new_channel"]) == list(range(1, 36))
    assert list(booking["subtotal"]) == [s + k for k, s in enumerate(before["subtotal"], start=1)]
    for column in ["hospital", "online_12320", "phone", "in_clinic", "third_party"]:
        assert list(booking[column]) == list(before[column]), column
    assert [back[n] for n in booking["source_line"]] == list(before["source_line"])
    for table in BULLETIN_TABLES:
        if table != "booking_by_hospital":
            same = {n: n for n in range(1, 2000)}
            pd.testing.assert_frame_equal(
                in_april_lines(got.tables[table], back), in_april_lines(parsed.tables[table], same)
            )
    totals = got.printed_totals.set_index(["table", "column"])["value"]
    assert totals[("booking_by_hospital", "new_channel")] == 630
    assert totals[("booking_by_hospital", "subtotal")] == 427194 + 630
    (warning,) = [r for r in got.repairs if r["rule"] == "new_channel"]
    assert "互联网医院" in warning["message"] and back[warning["source_line"]] is None


def test_the_channel_report_shows_the_new_channel(raw_bytes, tmp_path):
    from metroanalysis.analysis.channels import channel_totals

    got, _ = read_variant(raw_bytes, with_channel("互联网医院", adds_up=True), tmp_path)
    totals = channel_totals(got.tables["booking_by_hospital"], lang="en")
    row = totals.set_index("channel").loc["new_channel"]
    assert (row["channel_zh"], row["label"], row["bookings"]) == ("互联网医院", "互联网医院", 630)
    assert totals["bookings"].sum() == 427194 + 630


def test_the_checks_add_the_new_channel_into_the_subtotal(raw_bytes, tmp_path):
    from metroanalysis.clean.checks import booking_subtotals

    got, _ = read_variant(raw_bytes, with_channel("互联网医院", adds_up=True), tmp_path)
    assert {r["status"] for r in booking_subtotals(got.tables["booking_by_hospital"])} == {"ok"}


def dropped_column(lines: Lines) -> Lines:
    """第三方 no longer printed: the header and every row lose their fourth channel."""
    gone = {BOOKING_HEADER.stop - 2, *(row.stop - 2 for row in BOOKING_ROWS), BOOKING_TOTAL.stop - 2}
    return [(orig, text) for orig, text in lines if orig not in gone]


# (change, April line named, table, text quoted)
REFUSED = {
    "money-in-wan-yuan": (replaced(782, "\t挂号金额（万元）"), 782, "kiosk_usage", "挂号金额（万元）"),
    "booking-money-in-wan": (
        replaced(47, "\t12320在线预约（万次）"),
        47,
        "booking_by_hospital",
        "12320在线预约（万次）",
    ),
    "column-dropped": (dropped_column, 45, "booking_by_hospital", "序号"),
    "channel-not-adding-up": (with_channel("互联网医院", adds_up=False), 53, "booking_by_hospital", "南京鼓楼医院"),
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_a_variant_that_changes_the_meaning_is_refused_in_one_line(name, raw_bytes, make_project, capsys):
    change, line, table, text = REFUSED[name]
    data, back = render(change(april_lines(raw_bytes)))
    root = make_project(data)
    code, _out, err = clean(root, capsys)
    at_line = next(no for no, orig in back.items() if orig == line)
    assert_refused(root, code, err, line=at_line, table=table, text=text)


# ---------------------------------------------------------------- names the registry does not know


def test_a_new_hospital_is_read_and_warned_by_name_and_line(raw_bytes, parsed, make_project, capsys):
    data, _ = render(replaced(198, "\t南京新开医院")(april_lines(raw_bytes)))
    root = make_project(data)
    code, _out, err = clean(root, capsys)
    assert code == 0, err
    (warning,) = [ln for ln in err.splitlines() if "南京新开医院" in ln]
    assert warning.startswith(f"warning: {MONTH}: booking_by_hospital: ") and "on line 197" in warning
    assert "resembles" not in warning
    booking = pd.read_csv(root / "data/processed" / MONTH / "booking_by_hospital.csv", encoding="utf-8-sig")
    row = booking[booking["hospital"] == "南京新开医院"].iloc[0]
    assert (row["online_12320"], row["subtotal"], row["source_line"]) == (487, 552, 197)


def test_a_look_alike_says_which_registry_entry_it_resembles(raw_bytes, make_project, capsys):
    data, _ = render(replaced(222, "\t南京市江宁医院（九龙湖）")(april_lines(raw_bytes)))
    root = make_project(data)
    code, _out, err = clean(root, capsys)
    assert code == 0, err
    (warning,) = [ln for ln in err.splitlines() if "南京市江宁医院（九龙湖）" in ln]
    assert "on line 221" in warning and "resembles the registered 南京市江宁医院 (H022)" in warning


def test_a_title_whose_words_name_two_tables_is_refused_at_its_line(raw_bytes, make_project, capsys):
    data, _ = render(replaced(KIOSK_TITLE, "2021年4月预约挂号自助终端使用情况表")(april_lines(raw_bytes)))
    root = make_project(data)
    code, _out, err = clean(root, capsys)
    message = assert_refused(root, code, err, line=KIOSK_TITLE, table=None, text="2021年4月预约挂号自助终端使用情况表")
    assert "name two tables (booking_by_hospital, kiosk_usage)" in message


def test_a_continuation_of_a_paragraph_block_is_refused_at_its_line(raw_bytes, make_project, capsys):
    data, back = render(continued_after(393, range(0))(april_lines(raw_bytes)))  # in the remote paragraphs
    root = make_project(data)
    code, _out, err = clean(root, capsys)
    line = next(no for no, orig in back.items() if orig is None)
    message = assert_refused(root, code, err, line=line, table="remote_platforms", text="续表")
    assert "not printed over two pages" in message

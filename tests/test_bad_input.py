"""Bad input, each kind made in tmp_path by transforming the real bulletin's bytes.

Readable variants (encodings, line ends, full-width digits, thousands separators) must clean to
the very numbers of the original. Unreadable ones stop with exit code 2 and one stderr line
naming the file, the line, the table and the offending text, and leave no partial output.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd
import pytest
from conftest import MONTH

from metroanalysis.clean.schema import BULLETIN_TABLES
from metroanalysis.cli import main
from metroanalysis.parse.bulletin import parse_bulletin
from metroanalysis.read.text import read_bulletin

FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
STATS = "统计数据"


def clean(root: Path, capsys, *args: str, month: str = MONTH) -> tuple[int, str, str]:
    code = main(["clean", "--month", month, "--root", str(root), *args])
    out, err = capsys.readouterr()
    return code, out, err


def lines_of(raw_bytes: bytes) -> list[str]:
    return raw_bytes.decode("utf-8").split("\n")


def replace_line(raw_bytes: bytes, no: int, text: str) -> bytes:
    lines = lines_of(raw_bytes)
    lines[no - 1] = text
    return "\n".join(lines).encode("utf-8")


def delete_lines(raw_bytes: bytes, first: int, last: int | None = None) -> bytes:
    lines = lines_of(raw_bytes)
    del lines[first - 1 : last or first]
    return "\n".join(lines).encode("utf-8")


def repeat_lines(raw_bytes: bytes, first: int, last: int) -> bytes:
    """Lines first..last printed again right after themselves (a row pasted twice)."""
    lines = lines_of(raw_bytes)
    lines[last:last] = lines[first - 1 : last]
    return "\n".join(lines).encode("utf-8")


def cut_after_line(raw_bytes: bytes, no: int) -> bytes:
    return "\n".join(lines_of(raw_bytes)[:no]).encode("utf-8")


# ---------------------------------------------------------------- readable variants


def stats_only(raw_bytes: bytes, change) -> bytes:
    """Apply `change` to the statistics part only (the news prose is left as printed)."""
    text = raw_bytes.decode("utf-8")
    head, tail = text.split(STATS, 1)
    return (head + STATS + change(tail)).encode("utf-8")


def group_thousands(text: str, sep: str) -> str:
    """Every whole-number or money cell of 4+ digits, and every 4+ digit number in prose that is
    not a year or a name, printed with thousands separators."""

    def group(m: re.Match) -> str:
        return f"{int(m[1]):,}".replace(",", sep) + (m[2] or "")

    text = re.sub(r"(?m)(?<=^\t)(\d{4,})(\.\d\d)?(?= *$)", group, text)
    return re.sub(r"(?<![\d.])(?<!12)(\d{4,})(\.\d\d)?(?=[个通件人次份例])", group, text)


VARIANTS = {
    "utf8-bom": lambda b: b"\xef\xbb\xbf" + b,
    "gb18030": lambda b: b.decode("utf-8").encode("gb18030"),
    "gbk": lambda b: b.decode("utf-8").encode("gbk"),
    "crlf": lambda b: b.replace(b"\n", b"\r\n"),
    "cr": lambda b: b.replace(b"\n", b"\r"),
    "bom-crlf": lambda b: b"\xef\xbb\xbf" + b.replace(b"\n", b"\r\n"),
    "fullwidth-digits": lambda b: stats_only(b, lambda t: t.translate(FULLWIDTH)),
    "fullwidth-decimal-point": lambda b: stats_only(b, lambda t: re.sub(r"(?<=\d)\.(?=\d\d *\n)", "．", t)),
    "thousands-comma": lambda b: stats_only(b, lambda t: group_thousands(t, ",")),
    "thousands-fullwidth-comma": lambda b: stats_only(b, lambda t: group_thousands(t, "，")),
    "fullwidth-and-thousands": lambda b: stats_only(b, lambda t: group_thousands(t, ",").translate(FULLWIDTH)),
}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_readable_variants_clean_to_the_same_numbers(variant, raw_bytes, parsed, tmp_path):
    data = VARIANTS[variant](raw_bytes)
    assert data != raw_bytes
    path = tmp_path / "bulletin.txt"
    path.write_bytes(data)
    got = parse_bulletin(read_bulletin(path), MONTH)
    for table in BULLETIN_TABLES:
        pd.testing.assert_frame_equal(got.tables[table], parsed.tables[table], check_exact=True, obj=table)
    pd.testing.assert_frame_equal(got.facts, parsed.facts, check_exact=True)
    pd.testing.assert_frame_equal(got.printed_totals, parsed.printed_totals, check_exact=True)


def test_the_thousands_variant_really_groups_cells_and_prose(raw_bytes):
    text = VARIANTS["thousands-comma"](raw_bytes).decode("utf-8")
    assert "\t64,543\n" in text and "\t68,152,013.32 \n" in text  # cells
    assert "咨询电话106,398个" in text and "图像量7,309,816份" in text  # prose
    assert "12320" in text and "2021年4月" in text  # names and dates untouched


def test_gbk_bulletin_through_the_command(raw_bytes, make_project, capsys):
    root = make_project(raw_bytes.decode("utf-8").encode("gbk"))
    code, _out, err = clean(root, capsys)
    assert code == 0, err
    facts = pd.read_csv(root / "data/processed" / MONTH / "facts.csv", dtype=str, encoding="utf-8-sig")
    assert len(facts) == 787
    assert "68152013.32" in set(facts["value"])


# ---------------------------------------------------------------- refused input


def assert_refused(root: Path, code: int, err: str, *, line: int, table: str | None, text: str) -> str:
    """Exit 2, one stderr line naming file, line, table and text; no partial output."""
    assert code == 2
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    message = lines[0]
    assert message.startswith("metroanalysis: error: ")
    bulletin = root / "data" / "raw" / MONTH / "bulletin.txt"
    assert f"{bulletin}:{line}" in message or f"{bulletin.resolve()}:{line}" in message, message
    if table:
        assert f"table {table}" in message, message
    assert text in message, message
    processed = root / "data" / "processed"
    assert not (processed / MONTH).exists()
    leftovers = [p.name for p in processed.glob(f".{MONTH}*")] if processed.exists() else []
    assert not [n for n in leftovers if not n.endswith(".lock")], leftovers
    return message


BROKEN = {
    # a month whose title disagrees with its folder
    "title-month": (
        lambda b: replace_line(b, 44, "2021年3月预约挂号服务统计表"),
        44,
        "booking_by_hospital",
        "2021年3月预约挂号服务统计表",
    ),
    "title-year": (
        lambda b: replace_line(b, 778, "2020年4月自助智能医疗服务终端医院使用情况表"),
        778,
        "kiosk_usage",
        "2020年4月",
    ),
    "paragraph-month": (
        lambda b: replace_line(b, 40, lines_of(b)[39].replace("2021年4月", "2021年3月")),
        40,
        "hotline_calls",
        "2021年3月",
    ),
    "footnote-month": (
        lambda b: replace_line(b, 777, "（截止3月底，区及医院累计校验入库数据101.78亿条）"),
        777,
        "upload_by_hospital",
        "3月底",
    ),
    # a cell that is not a number
    "count-in-words": (lambda b: replace_line(b, 56, "\t一万一千"), 56, "booking_by_hospital", "一万一千"),
    "count-dash": (lambda b: replace_line(b, 420, "\t—"), 420, "upload_by_district", "—"),
    "count-decimal": (lambda b: replace_line(b, 795, "\t29839.5"), 795, "kiosk_usage", "29839.5"),
    "money-letters": (lambda b: replace_line(b, 804, "\t1941114.OO "), 804, "kiosk_usage", "1941114.OO"),
    "money-three-decimals": (
        lambda b: replace_line(b, 806, "\t68152013.321"),
        806,
        "kiosk_usage",
        "68152013.321",
    ),
    "ratio": (lambda b: replace_line(b, 418, "\t63-129"), 418, "upload_by_district", "63-129"),
    "channel-count": (lambda b: replace_line(b, 355, "\t七万"), 355, "booking_by_channel", "七万"),
    "total-cell": (lambda b: replace_line(b, 336, "\t19O355"), 336, "booking_by_hospital", "19O355"),
    # a comma that does not group thousands (digits in threes) is no separator: 1,23 is not 123
    "comma-not-thousands": (lambda b: replace_line(b, 56, "\t11,64"), 56, "booking_by_hospital", "11,64"),
    "comma-four-digits": (lambda b: replace_line(b, 56, "\t1,1649"), 56, "booking_by_hospital", "1,1649"),
    "comma-at-start": (lambda b: replace_line(b, 56, "\t,11649"), 56, "booking_by_hospital", ",11649"),
    "prose-figure": (
        lambda b: replace_line(b, 40, lines_of(b)[39].replace("241个", "二百四十一个")),
        40,
        "hotline_calls",
        "二百四十一个",
    ),
    # a row short of cells
    "short-booking-row": (lambda b: delete_lines(b, 56), 53, "booking_by_hospital", "南京鼓楼医院"),
    "short-channel-row": (lambda b: delete_lines(b, 355), 353, "booking_by_channel", "健康南京客户端"),
    "short-district-row": (lambda b: delete_lines(b, 420), 417, "upload_by_district", "江宁区"),
    "short-hospital-row": (lambda b: delete_lines(b, 563), 560, "upload_by_hospital", "江苏省中医院"),
    "short-kiosk-row": (lambda b: delete_lines(b, 804), 800, "kiosk_usage", "江苏省中医院"),
    "short-kiosk-first-row": (lambda b: delete_lines(b, 796), 792, "kiosk_usage", "江苏省人民医院"),
    "short-total-row": (lambda b: delete_lines(b, 1189), 1186, "kiosk_usage", "合计"),
    # a row printed twice: summed, it would count the hospital twice (this table has no 合计)
    "repeated-hospital-row": (lambda b: repeat_lines(b, 560, 567), 568, "upload_by_hospital", "江苏省中医院"),
    "repeated-booking-row": (lambda b: repeat_lines(b, 53, 60), 61, "booking_by_hospital", "南京鼓楼医院"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_broken_input_is_refused_with_one_line(case, raw_bytes, make_project, capsys):
    change, line, table, text = BROKEN[case]
    root = make_project(change(raw_bytes))
    code, _out, err = clean(root, capsys)
    assert_refused(root, code, err, line=line, table=table, text=text)


def test_short_row_message_says_how_many_cells(raw_bytes, make_project, capsys):
    root = make_project(delete_lines(raw_bytes, 804))
    code, _out, err = clean(root, capsys)
    message = assert_refused(root, code, err, line=800, table="kiosk_usage", text="江苏省中医院")
    assert "5 cells, expected 6" in message


def test_repeated_row_message_says_where_it_was_first_printed(raw_bytes, make_project, capsys):
    root = make_project(repeat_lines(raw_bytes, 560, 567))
    code, _out, err = clean(root, capsys)
    message = assert_refused(root, code, err, line=568, table="upload_by_hospital", text="江苏省中医院")
    assert "printed twice in this table (first at line 560)" in message


def test_folder_month_disagrees_with_every_title(raw_bytes, make_project, capsys):
    root = make_project(raw_bytes, month="2021-05")
    code, _out, err = clean(root, capsys, month="2021-05")
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err
    assert "bulletin.txt:38" in lines[0] and "table hotline_calls" in lines[0]
    assert "2021年4月" in lines[0] and "2021-05" in lines[0]
    assert not (root / "data" / "processed" / "2021-05").exists()


# (cut after this line, the line the error names, the table the file ends in)
CUTS = [
    (39, 38, "hotline_calls"),
    (200, 200, "booking_by_hospital"),
    (339, 338, "booking_by_hospital"),
    (372, 372, "booking_by_channel"),
    (391, 390, "remote_platforms"),
    (430, 430, "upload_by_district"),
    (600, 600, "upload_by_hospital"),
    (777, 777, "upload_by_hospital"),
    (1000, 998, "kiosk_usage"),
    (1088, 1088, "kiosk_usage"),
    (1185, 1184, "kiosk_usage"),
]


@pytest.mark.parametrize(("cut", "line", "table"), CUTS, ids=[str(c[0]) for c in CUTS])
def test_truncated_file_is_refused(cut, line, table, raw_bytes, raw_lines, make_project, capsys):
    root = make_project(cut_after_line(raw_bytes, cut))
    code, _out, err = clean(root, capsys)
    message = assert_refused(root, code, err, line=line, table=table, text=raw_lines[line - 1].strip()[:20])
    assert "truncated" in message


def test_statistics_pasted_without_the_news_section_clean_whole(raw_bytes, make_project, capsys):
    """Cut right after the kiosk table's 合计 (line 1191), the last figure of the statistics
    part: nothing is lost, so it cleans to every table, with no table missing."""
    root = make_project(cut_after_line(raw_bytes, 1192))
    code, _out, err = clean(root, capsys)
    assert code == 0 and "missing" not in err
    facts = (root / "data" / "processed" / MONTH / "facts.csv").read_text(encoding="utf-8-sig")
    assert facts.count("\n") - 1 == 787


def test_file_cut_inside_a_character_is_refused_as_truncated(raw_bytes, make_project, capsys):
    at = raw_bytes.index("南京市远程影像诊断平台".encode()) + 4  # inside 京's three bytes
    root = make_project(raw_bytes[:at])
    code, _out, err = clean(root, capsys)
    message = assert_refused(root, code, err, line=392, table="remote_platforms", text="南")
    assert "truncated" in message


def test_failed_clean_leaves_the_previous_month_untouched(raw_bytes, make_project, capsys):
    root = make_project(replace_line(raw_bytes, 56, "\tx"))
    previous = root / "data" / "processed" / MONTH
    previous.mkdir(parents=True)
    (previous / "facts.csv").write_text("the previous complete month\n", encoding="utf-8")
    code, _out, _err = clean(root, capsys)
    assert code == 2
    assert sorted(p.name for p in previous.iterdir()) == ["facts.csv"]
    assert (previous / "facts.csv").read_text(encoding="utf-8") == "the previous complete month\n"


# ---------------------------------------------------------------- a table absent from the bulletin

ABSENT = {
    "booking_by_channel": (342, 382),
    "kiosk_usage": (778, 1192),
    "booking_by_hospital": (44, 340),
}


@pytest.mark.parametrize("table", list(ABSENT))
def test_absent_table_the_others_are_cleaned(table, raw_bytes, parsed, make_project, capsys):
    first, last = ABSENT[table]
    root = make_project(delete_lines(raw_bytes, first, last))
    code, _out, err = clean(root, capsys)
    assert code == 0, err
    warnings = [ln for ln in err.splitlines() if ln.startswith("warning:")]
    assert any(table in ln and "missing" in ln for ln in warnings), err
    folder = root / "data" / "processed" / MONTH
    quality = pd.read_csv(folder / "quality.csv", dtype=str, encoding="utf-8-sig", keep_default_na=False)
    missing = quality[quality["status"] == "missing"]
    assert list(missing["table"]) == [table]
    got = pd.read_csv(folder / f"{table}.csv", encoding="utf-8-sig")
    assert len(got) == 0
    # the tables printed before the gap are exactly the full bulletin's
    hotline = pd.read_csv(folder / "hotline_calls.csv", encoding="utf-8-sig")
    assert list(hotline["calls"]) == list(parsed.tables["hotline_calls"]["calls"])
    for other in ["upload_by_district", "remote_platforms"]:
        df = pd.read_csv(folder / f"{other}.csv", encoding="utf-8-sig")
        assert len(df) == len(parsed.tables[other]), other


def test_absent_table_fails_under_strict(raw_bytes, make_project, capsys):
    root = make_project(delete_lines(raw_bytes, 342, 382))
    code, _out, err = clean(root, capsys, "--strict")
    assert code == 1
    assert "booking_by_channel" in err
    assert err.strip().splitlines()[-1].startswith(f"metroanalysis: error: {MONTH}: fails --strict"), err
    assert (root / "data" / "processed" / MONTH / "datapackage.json").is_file()


def test_complete_bulletin_fails_strict_only_on_its_one_fen_payment_total(raw_bytes, make_project, capsys):
    # The kiosk table prints 合计 336807013.30 for payments whose 49 rows add to 336807013.31:
    # money is exact to the fen, so that is a mismatch, the bulletin's only one.
    root = make_project(raw_bytes)
    code, _out, err = clean(root, capsys, "--strict")
    assert code == 1
    *warnings, verdict = err.strip().splitlines()
    assert len(warnings) == 1, err
    assert verdict.startswith(f"metroanalysis: error: {MONTH}: fails --strict: a mismatch or a missing table"), err
    assert "kiosk_usage.payment_amount_yuan" in warnings[0] and "line 1191" in warnings[0]
    assert "printed 336807013.30, computed 336807013.31, difference -0.01" in warnings[0]


def test_figures_under_a_lost_title_are_refused_not_dropped(raw_bytes, make_project, capsys):
    root = make_project(delete_lines(raw_bytes, 38))  # the hotline title; its paragraphs stay
    code, _out, err = clean(root, capsys)
    assert code == 2
    assert "bulletin.txt:39" in err and "106398" in err
    assert len(err.strip().splitlines()) == 1


def test_not_a_bulletin(make_project, capsys):
    root = make_project("hello, world\n")
    code, _out, err = clean(root, capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "bulletin.txt:1" in err and "no statistics table" in err


# ---------------------------------------------------------------- --month


@pytest.mark.parametrize(
    "month",
    ["2021-4", "21-04", "2021-13", "2021-00", "../2021-04", "2021-04/", "2021-04\n", " 2021-04", "２０２１-04", "all"],
)
def test_month_must_be_yyyy_mm(month, raw_bytes, make_project, capsys):
    root = make_project(raw_bytes)
    code, _out, err = clean(root, capsys, month=month)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "YYYY-MM" in lines[0]
    assert not (root / "data" / "processed").exists() or not any((root / "data" / "processed").iterdir())


def test_month_as_an_absolute_path_is_refused(raw_bytes, make_project, capsys):
    root = make_project(raw_bytes)
    code, _out, err = clean(root, capsys, month=str(root / "data" / "raw" / MONTH))
    assert code == 2 and "YYYY-MM" in err and len(err.strip().splitlines()) == 1


def test_month_without_a_folder_is_refused(raw_bytes, make_project, capsys):
    root = make_project(raw_bytes)
    code, _out, err = clean(root, capsys, month="2021-05")
    assert code == 2 and "2021-05" in err and len(err.strip().splitlines()) == 1
    assert not (root / "data" / "processed" / "2021-05").exists()


def test_symlinked_month_pointing_outside_is_refused(raw_bytes, make_project, tmp_path, capsys):
    root = make_project(raw_bytes)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "bulletin.txt").write_bytes(raw_bytes.replace("2021年4月".encode(), "2021年5月".encode()))
    os.symlink(outside, root / "data" / "raw" / "2021-05", target_is_directory=True)
    code, _out, err = clean(root, capsys, month="2021-05")
    assert code == 2 and "outside" in err and len(err.strip().splitlines()) == 1
    assert not (root / "data" / "processed" / "2021-05").exists()


def test_symlinked_bulletin_pointing_outside_is_refused(raw_bytes, make_project, tmp_path, capsys):
    root = make_project(raw_bytes)
    (tmp_path / "elsewhere.txt").write_bytes(raw_bytes)
    (root / "data" / "raw" / "2021-06").mkdir()
    os.symlink(tmp_path / "elsewhere.txt", root / "data" / "raw" / "2021-06" / "bulletin.txt")
    code, _out, err = clean(root, capsys, month="2021-06")
    assert code == 2 and "outside" in err

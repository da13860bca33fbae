"""facts.csv against the raw text, line by line.

An independent scan takes every run of digits printed in the statistics part (the line 统计数据
to the line 简  讯) and removes only what is explicitly classified here as not a figure: dates,
serial numbers (序号) and numbers inside names. Every remaining number must be a fact with
that source line and value, and every fact must be one of them: nothing printed left out,
nothing invented.
"""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal

import pandas as pd
import pytest

from metroanalysis.clean import store

SCALE = {"亿": Decimal(100_000_000), "万": Decimal(10_000)}

# Not figures: dates (2021年4月, 4月份, 4月底, 4月，).
DATES = re.compile(r"\d{4}年\d{1,2}月|\d{1,2}月(?=份|底|，)")
# Not figures: numbers inside names (the hotline 12320, the 12345 work orders, the channel 就医160).
NAMES = re.compile(r"12320|12345|就医160")
# Not figures: serial numbers 序号, one per row of the booking table (lines 53, 61, … 325) and
# two per row of the channel table printed as two halves.
SERIAL_LINES = {*range(53, 326, 8), 353, 356, 360, 363, 367, 370, 374}
NUMBER = re.compile(r"(\d+(?:\.\d+)?)(亿|万)?")


def statistics_part(raw_lines) -> range:
    """1-based line numbers from 统计数据 up to (not including) 简  讯."""
    start = raw_lines.index("统计数据") + 1
    end = next(i for i, t in enumerate(raw_lines, 1) if re.fullmatch(r"简\s*讯", t.strip()))
    return range(start, end)


def printed_figures(raw_lines) -> dict[int, Counter]:
    out = {}
    for no in statistics_part(raw_lines):
        text = raw_lines[no - 1]
        if no in SERIAL_LINES:
            assert re.fullmatch(r"\t\d{1,2}", text), f"line {no} is not a serial number: {text!r}"
            continue
        text = NAMES.sub(lambda m: re.sub(r"\d", "#", m.group()), DATES.sub("#", text))
        values = Counter(Decimal(m[1]) * SCALE.get(m[2], 1) for m in NUMBER.finditer(text))
        if values:
            out[no] = values
    return out


@pytest.fixture(scope="module")
def facts(tmp_path_factory):
    """facts.csv as written by `metroanalysis clean` into a throw-away copy of the project."""
    import shutil

    from conftest import MONTH, RAW_BULLETIN

    from metroanalysis.cli import main

    root = tmp_path_factory.mktemp("facts")
    (root / "data" / "raw" / MONTH).mkdir(parents=True)
    shutil.copyfile(RAW_BULLETIN, root / "data" / "raw" / MONTH / "bulletin.txt")
    assert main(["clean", "--month", MONTH, "--root", str(root)]) == 0
    return store.read_table(root / "data" / "processed" / MONTH, "facts")


def facts_by_line(facts: pd.DataFrame) -> dict[int, Counter]:
    out: dict[int, Counter] = {}
    for row in facts.itertuples(index=False):
        out.setdefault(int(row.source_line), Counter())[Decimal(row.value)] += 1
    return out


def test_the_scan_sees_the_statistics_part(raw_lines):
    part = statistics_part(raw_lines)
    assert (part.start, part.stop) == (37, 1194)
    figures = printed_figures(raw_lines)
    # hotline 10 + province 7; booking 35×5 + 5 合计; channels 7 + 合计; remote 8 + 10 + 8 + 9;
    # districts 12×10 (63/129 is two); hospitals 27×7 − 14 未反馈; kiosk 49×5 + 5 合计; footnotes 2.
    assert sum(sum(c.values()) for c in figures.values()) == 17 + 180 + 8 + 35 + 120 + 175 + 250 + 2


def test_one_fact_per_printed_number(facts):
    assert len(facts) == 787


def test_every_printed_number_is_a_fact_and_every_fact_is_printed(facts, raw_lines):
    want, got = printed_figures(raw_lines), facts_by_line(facts)
    missing = {no: want[no] - got.get(no, Counter()) for no in want}
    extra = {no: got[no] - want.get(no, Counter()) for no in got}
    assert {no: dict(c) for no, c in missing.items() if c} == {}, "printed but not in facts.csv"
    assert {no: dict(c) for no, c in extra.items() if c} == {}, "in facts.csv but not printed there"


def test_every_fact_value_occurs_on_its_source_line(facts, raw_lines):
    for row in facts.itertuples(index=False):
        text = raw_lines[int(row.source_line) - 1]
        assert row.printed in text, row
        value = Decimal(row.value)
        numbers = [Decimal(m[1]) * SCALE.get(m[2], 1) for m in NUMBER.finditer(text)]
        assert value in numbers, row


def test_facts_line_numbers_lie_in_the_statistics_part(facts, raw_lines):
    part = statistics_part(raw_lines)
    assert facts["source_line"].between(part.start, part.stop - 1).all()


def test_facts_columns_and_types(facts, parsed):
    assert list(facts.columns[:7]) == ["table", "section", "entity", "measure", "value", "unit", "source_line"]
    assert facts["value"].dtype == "string" and facts["source_line"].dtype == "Int64"
    assert facts["table"].notna().all() and facts["entity"].notna().all() and facts["measure"].notna().all()
    assert facts["value"].str.fullmatch(r"\d+(\.\d{2})?").all()  # exact decimal text, never a float repr
    assert set(facts["table"]) == {
        "hotline_calls",
        "hotline_province",
        "booking_by_hospital",
        "booking_by_channel",
        "remote_platforms",
        "upload_by_district",
        "upload_by_hospital",
        "kiosk_usage",
        "cumulative_totals",
    }


def test_facts_csv_is_the_parse(facts, parsed):
    pd.testing.assert_frame_equal(facts, parsed.facts, check_exact=True)


def test_money_facts_keep_the_fen(facts):
    f = facts[(facts["table"] == "kiosk_usage") & (facts["entity"] == "江苏省中医院")]
    assert dict(zip(f["measure"], f["value"], strict=True)) == {
        "terminals": "123",
        "registrations": "91803",
        "registration_amount_yuan": "1941114.00",
        "payments": "165380",
        "payment_amount_yuan": "68152013.32",
    }


def test_printed_totals_are_facts(facts, parsed):
    totals = facts[facts["entity"] == "合计"]
    assert len(totals) == len(parsed.printed_totals) == 12
    assert set(zip(totals["table"], totals["measure"], totals["source_line"], strict=True)) == set(
        zip(
            parsed.printed_totals["table"],
            parsed.printed_totals["column"],
            parsed.printed_totals["source_line"],
            strict=True,
        )
    )

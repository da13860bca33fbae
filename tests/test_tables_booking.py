"""booking_by_hospital (lines 44-341) and booking_by_channel (lines 342-381), read off the raw text."""

from __future__ import annotations

import pytest

# (序号, 单位, 12320在线预约, 电话预约, 诊间预约, 第三方, 小计, line of 序号) as printed.
HOSPITAL_ROWS = [
    (1, "南京鼓楼医院", 64543, 11649, 40045, 79906, 196143, 53),
    (2, "南京市儿童医院", 10094, 3771, 136636, 681, 151182, 61),
    (5, "中国医学科学院皮肤病医院东", 2720, 3532, 0, 236, 6488, 85),
    (9, "南大学附属中大医院", 1730, 2054, 0, 16, 3800, 117),  # printed so: names are kept as printed
    (22, "南京市江宁医院（湖山路）", 0, 425, 0, 0, 425, 221),
    (31, "东部战区总医院", 0, 0, 0, 35, 35, 293),
    (35, "南京市职业病防治院", 8, 0, 0, 0, 8, 325),
]
HOSPITAL_COLUMNS = ["row_number", "hospital", "online_12320", "phone", "in_clinic", "third_party", "subtotal"]
# 合计 row, lines 333-338.
HOSPITAL_TOTALS = {
    "online_12320": (103639, 334),
    "phone": (44461, 335),
    "in_clinic": (190355, 336),
    "third_party": (88739, 337),
    "subtotal": (427194, 338),
}
# The channel table printed as two halves: (序号, 名称, 预约数量, line of 序号).
CHANNELS = [
    (1, "健康南京客户端", 76126, 353),
    (2, "南京卫生12320微信平台", 21294, 360),
    (3, "12320快速预约", 9973, 367),
    (4, "我的南京客户端", 3265, 374),
    (5, "江苏省预约挂号网", 3603, 356),
    (6, "南京卫生12320网", 2013, 363),
    (7, "就医160", 184, 370),
]


def independent_booking_rows(raw_lines):
    """Rows of the booking table read straight off the text: blocks of 7 TAB cells between
    the header (line 45) and 合计 (line 333)."""
    rows, block = [], []
    for no in range(53, 333):
        text = raw_lines[no - 1]
        if text.startswith("\t"):
            block.append((no, text.strip()))
        elif block:
            rows.append(block)
            block = []
    return rows


@pytest.mark.parametrize("expected", HOSPITAL_ROWS, ids=lambda r: r[1])
def test_booking_by_hospital_rows(parsed, expected):
    df = parsed.tables["booking_by_hospital"]
    row = df[df["row_number"] == expected[0]]
    assert len(row) == 1
    got = tuple(row.iloc[0][c] for c in [*HOSPITAL_COLUMNS, "source_line"])
    assert got == expected


def test_booking_by_hospital_every_row_as_printed(parsed, raw_lines):
    blocks = independent_booking_rows(raw_lines)
    assert len(blocks) == 35
    df = parsed.tables["booking_by_hospital"]
    assert len(df) == 35
    assert list(df["row_number"]) == list(range(1, 36))
    for block, row in zip(blocks, df.itertuples(index=False), strict=True):
        cells = [t for _, t in block]
        assert row.source_line == block[0][0]
        assert row.hospital == cells[1]
        assert [row.online_12320, row.phone, row.in_clinic, row.third_party, row.subtotal] == [
            int(c) for c in cells[2:]
        ]


def test_booking_by_hospital_keeps_totals_apart(parsed):
    df = parsed.tables["booking_by_hospital"]
    assert not df["hospital"].str.contains("合计").any()
    t = parsed.printed_totals
    t = t[t["table"] == "booking_by_hospital"]
    assert {r.column: (int(r.value), r.source_line) for r in t.itertuples()} == HOSPITAL_TOTALS
    for column, (value, _) in HOSPITAL_TOTALS.items():
        assert df[column].sum() == value  # the bulletin's arithmetic holds for every column


def test_booking_by_hospital_dtypes(parsed):
    df = parsed.tables["booking_by_hospital"]
    for c in ["row_number", "online_12320", "phone", "in_clinic", "third_party", "subtotal", "source_line"]:
        assert df[c].dtype == "Int64", c
    assert df["hospital"].dtype == "string"


def test_booking_by_channel_in_printed_order_from_both_halves(parsed):
    df = parsed.tables["booking_by_channel"]
    got = list(df[["row_number", "channel", "bookings", "source_line"]].itertuples(index=False, name=None))
    assert got == CHANNELS
    assert df["row_number"].dtype == "Int64" and df["bookings"].dtype == "Int64"
    assert df["channel"].dtype == "string"


def test_booking_by_channel_total(parsed):
    t = parsed.printed_totals
    t = t[t["table"] == "booking_by_channel"]
    assert len(t) == 1
    row = t.iloc[0]
    assert (row["column"], int(row["value"]), row["source_line"]) == ("bookings", 116458, 381)
    assert "116458" in row["printed"]
    assert sum(c for _, _, c, _ in CHANNELS) == 116458


def test_booking_subtotals_all_ok(parsed):
    from metroanalysis.clean.checks import run_checks

    q = run_checks(parsed.tables, parsed.printed_totals, parsed.missing)
    sub = q[q["rule"] == "subtotal_equals_channels"]
    assert len(sub) == 35
    assert set(sub["status"]) == {"ok"}
    totals = q[
        (q["rule"] == "printed_total_equals_sum") & q["table"].isin(["booking_by_hospital", "booking_by_channel"])
    ]
    assert len(totals) == 6 and set(totals["status"]) == {"ok"}

"""kiosk_usage, lines 778-1191: two sections whose labels are printed one character per line."""

from __future__ import annotations

from decimal import Decimal

import pytest

COLUMNS = [
    "section",
    "section_zh",
    "unit",
    "terminals",
    "registrations",
    "registration_amount_yuan",
    "payments",
    "payment_amount_yuan",
    "source_line",
]
ROWS = [
    ("hospital", "医疗单位", "江苏省人民医院", 200, 29839, 671629.00, 45161, 16619410.50, 793),
    ("hospital", "医疗单位", "江苏省中医院", 123, 91803, 1941114.00, 165380, 68152013.32, 801),
    ("hospital", "医疗单位", "南京明基医院", 12, 27363, 955538.20, 58759, 14874095.63, 969),
    ("hospital", "医疗单位", "南京市中心医院", 0, 0, 0.00, 0, 0.00, 1081),
    ("district", "各区", "江宁区", 78, 17336, 182524.00, 7218, 955399.82, 1091),
    ("district", "各区", "雨花台区", 12, 103, 1105.00, 34, 4434.34, 1163),
    ("district", "各区", "秦淮区", 0, 0, 0.00, 0, 0.00, 1179),
]
TOTALS = {  # 合计, lines 1186-1191
    "terminals": ("1598", 1187),
    "registrations": ("784874", 1188),
    "registration_amount_yuan": ("15622415.20", 1189),
    "payments": ("921105", 1190),
    "payment_amount_yuan": ("336807013.30", 1191),
}


@pytest.mark.parametrize("expected", ROWS, ids=lambda r: r[2])
def test_kiosk_rows(parsed, expected):
    df = parsed.tables["kiosk_usage"]
    row = df[(df["unit"] == expected[2]) & (df["section"] == expected[0])]
    assert len(row) == 1
    assert tuple(row.iloc[0][c] for c in COLUMNS) == expected


def test_kiosk_sections_and_row_counts(parsed):
    df = parsed.tables["kiosk_usage"]
    assert (df["section"] == "hospital").sum() == 37  # lines 793..1081, one row every 8 lines
    assert (df["section"] == "district").sum() == 12  # lines 1091..1179
    assert list(df["source_line"]) == [*range(793, 1082, 8), *range(1091, 1180, 8)]
    assert not df["unit"].str.contains("合计").any()


def test_kiosk_dtypes(parsed):
    df = parsed.tables["kiosk_usage"]
    for c in ["terminals", "registrations", "payments", "source_line"]:
        assert df[c].dtype == "Int64", c
    for c in ["registration_amount_yuan", "payment_amount_yuan"]:
        assert df[c].dtype == "Float64", c
    for c in ["section", "section_zh", "unit"]:
        assert df[c].dtype == "string", c


def test_kiosk_money_exact_to_the_fen(parsed, raw_lines):
    """Every amount equals the printed text to the fen (the float holds the two-decimal value)."""
    df = parsed.tables["kiosk_usage"]
    for row in df.itertuples(index=False):
        for offset, col in [(3, "registration_amount_yuan"), (5, "payment_amount_yuan")]:
            printed = raw_lines[row.source_line - 1 + offset].strip()
            assert f"{getattr(row, col):.2f}" == printed, (row.unit, col)


def test_kiosk_totals(parsed, raw_lines):
    t = parsed.printed_totals
    t = t[t["table"] == "kiosk_usage"]
    assert {r.column: (r.printed, r.source_line) for r in t.itertuples()} == TOTALS
    df = parsed.tables["kiosk_usage"]
    for col in ["terminals", "registrations", "payments"]:
        assert df[col].sum() == int(TOTALS[col][0])
    # Money summed in exact decimals from the printed text: registrations agree, payments are a fen off.
    for col, offset, diff in [("registration_amount_yuan", 3, "0.00"), ("payment_amount_yuan", 5, "0.01")]:
        total = sum(Decimal(raw_lines[no - 1 + offset].strip()) for no in df["source_line"])
        assert total - Decimal(TOTALS[col][0]) == Decimal(diff)


def test_kiosk_payment_total_one_fen_off_its_rows_is_a_mismatch_not_rounding(parsed):
    """Payments are printed to the fen and none is rounded: the printed 合计 336807013.30 (line
    1191) against its 49 rows' 336807013.31 is a mismatch of printed minus rows = -0.01 yuan."""
    from metroanalysis.clean.checks import run_checks

    q = run_checks(parsed.tables, parsed.printed_totals, parsed.missing)
    k = q[(q["table"] == "kiosk_usage") & (q["rule"] == "printed_total_equals_sum")]
    status = dict(zip(k["column"], k["status"], strict=True))
    assert status == {
        "terminals": "ok",
        "registrations": "ok",
        "registration_amount_yuan": "ok",
        "payments": "ok",
        "payment_amount_yuan": "mismatch",
    }
    pay = k[k["column"] == "payment_amount_yuan"].iloc[0]
    assert (pay["printed"], pay["computed"], pay["difference"]) == ("336807013.30", "336807013.31", "-0.01")
    assert pay["source_line"] == 1191
    assert list(q.loc[q["status"] == "mismatch", "column"]) == ["payment_amount_yuan"]  # the only one
    assert "rounding" not in set(q["status"])  # nothing this bulletin prints is rounded

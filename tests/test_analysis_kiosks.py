"""Kiosk money, terminals and the units that did not report.

Edge cases on small hand-made tables (zeros, ties, missing, empty); then the real month, with
every expected value read off data/raw/2021-04/bulletin.txt by hand (自助智能医疗服务终端医院使用
情况表, lines 778-1191; line numbers in the comments)."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from metroanalysis.analysis import kiosks, profile, stats, top_units


def kiosk_table(rows) -> pd.DataFrame:
    """A kiosk_usage table from (section, unit, terminals, registrations, registration money,
    payments, payment money) tuples; entity ids U1, U2, …"""
    cols = ["section", "unit", "terminals", "registrations", "registration_amount_yuan", "payments",
            "payment_amount_yuan"]  # fmt: skip
    df = pd.DataFrame(rows, columns=cols)
    df.insert(2, "entity_id", [f"U{i + 1}" for i in range(len(df))])
    types = {"section": "string", "unit": "string", "entity_id": "string"}
    types |= {c: "Int64" for c in ("terminals", "registrations", "payments")}
    types |= {c: "Float64" for c in ("registration_amount_yuan", "payment_amount_yuan")}
    return df.astype(types)


def printed(**values) -> pd.DataFrame:
    """A printed_totals table for the kiosk table: column → printed value."""
    return pd.DataFrame(
        {
            "table": ["kiosk_usage"] * len(values),
            "column": list(values),
            "value": [float(v) for v in values.values()],
            "source_line": list(range(100, 100 + len(values))),
        }
    )


@pytest.fixture
def small():
    return kiosk_table(
        [
            ("hospital", "甲", 2, 3, 0.10, 1, 0.20),  # 0.10 + 0.20: exact to the fen only in fen
            ("hospital", "乙", 3, 0, 0.00, 0, 0.00),  # kiosks, no transaction: not reported
            ("hospital", "丙", 0, 0, 0.00, 0, 0.00),  # no kiosk at all
            ("district", "丁", 1, 4, 8.00, 0, 0.00),  # registrations only: no average payment
            ("district", "戊", 5, 0, 0.00, 0, 0.00),  # not reported
        ]
    )


# --- unit_revenue ----------------------------------------------------------------------------


def test_unit_money_is_added_in_fen(small):
    units = kiosks.unit_revenue(small).set_index("unit")
    assert units.loc["甲", "money_fen"] == 30
    assert units.loc["甲", "money_yuan"] == 0.30  # 0.1 + 0.2 as floats would be 0.30000000000000004
    assert units.loc["甲", "transactions"] == 4
    assert units.loc["甲", "money_per_terminal_yuan"] == 0.15
    assert units.loc["甲", "transactions_per_terminal"] == 2.0
    assert units.loc["甲", "average_payment_yuan"] == 0.20


def test_a_unit_with_kiosks_and_no_transaction_has_no_ratio_not_zero(small):
    units = kiosks.unit_revenue(small).set_index("unit")
    assert units.loc["乙", "not_reported"] and units.loc["戊", "not_reported"]
    assert units.loc["乙", "money_yuan"] == 0.0  # the printed money stays as printed
    assert pd.isna(units.loc["乙", "money_per_terminal_yuan"])
    assert pd.isna(units.loc["乙", "transactions_per_terminal"])


def test_a_unit_without_terminals_is_neither_reported_nor_not(small):
    units = kiosks.unit_revenue(small).set_index("unit")
    assert not units.loc["丙", "not_reported"]
    assert pd.isna(units.loc["丙", "money_per_terminal_yuan"])
    assert pd.isna(units.loc["丁", "average_payment_yuan"])  # 0 payments: no average
    assert units.loc["丁", "money_per_terminal_yuan"] == 8.0


# --- section_revenue -------------------------------------------------------------------------


def test_sections_count_installed_and_active_terminals(small):
    s = kiosks.section_revenue(small).set_index("section")
    hospital, district, whole = s.loc["hospital"], s.loc["district"], s.loc[kiosks.ALL]
    assert (hospital["units"], hospital["reporting_units"], hospital["not_reported_units"]) == (3, 1, 1)
    assert (hospital["terminals"], hospital["active_terminals"], hospital["not_reported_terminals"]) == (5, 2, 3)
    assert hospital["money_per_terminal_yuan"] == pytest.approx(0.30 / 5)  # per installed terminal
    assert hospital["money_per_active_terminal_yuan"] == pytest.approx(0.30 / 2)
    assert district["transactions_per_terminal"] == pytest.approx(4 / 6)
    assert district["transactions_per_active_terminal"] == 4.0
    assert pd.isna(district["average_payment_yuan"])  # no payment in the districts
    assert (whole["terminals"], whole["active_terminals"], whole["not_reported_terminals"]) == (11, 3, 8)
    assert whole["money_fen"] == 830 and not whole["printed"]
    assert whole["not_reported_share"] == pytest.approx(8 / 11)


def test_the_all_units_row_quotes_the_printed_totals(small):
    # The payment rows add to 0.20; the bulletin (say) prints 0.19, and 12 terminals.
    totals = printed(terminals=12, registrations=7, registration_amount_yuan=8.10, payments=1,
                     payment_amount_yuan=0.19)  # fmt: skip
    whole = kiosks.section_revenue(small, totals).set_index("section").loc[kiosks.ALL]
    assert whole["printed"]
    assert whole["money_fen"] == 810 + 19  # printed, not the rows' 830
    assert whole["terminals"] == 12 and whole["active_terminals"] == 12 - 8
    assert whole["money_per_terminal_yuan"] == pytest.approx(8.29 / 12)
    assert whole["average_payment_yuan"] == pytest.approx(0.19)
    assert whole["transactions"] == 8


def test_a_total_the_bulletin_does_not_print_is_the_rows_sum(small):
    whole = kiosks.section_revenue(small, printed(terminals=11)).set_index("section").loc[kiosks.ALL]
    assert not whole["printed"] and whole["money_fen"] == 830


def test_a_section_where_nothing_was_reported_has_no_active_ratio():
    table = kiosk_table([("hospital", "甲", 2, 1, 1.0, 1, 1.0), ("district", "乙", 4, 0, 0.0, 0, 0.0)])
    district = kiosks.section_revenue(table).set_index("section").loc["district"]
    assert district["active_terminals"] == 0
    assert pd.isna(district["money_per_active_terminal_yuan"])
    assert district["money_per_terminal_yuan"] == 0.0  # 0 yuan over 4 installed terminals


def test_an_empty_table_gives_zeros_and_no_ratios():
    whole = kiosks.section_revenue(kiosk_table([])).set_index("section").loc[kiosks.ALL]
    assert whole["units"] == 0 and whole["terminals"] == 0
    assert pd.isna(whole["money_per_terminal_yuan"]) and pd.isna(whole["not_reported_share"])


# --- not_reported_units, ranked_by -----------------------------------------------------------


def test_units_not_reported_most_terminals_first_ties_in_printed_order():
    table = kiosk_table(
        [("hospital", "甲", 3, 0, 0.0, 0, 0.0), ("hospital", "乙", 5, 0, 0.0, 0, 0.0),
         ("district", "丙", 3, 0, 0.0, 0, 0.0), ("district", "丁", 9, 1, 1.0, 0, 0.0)]
    )  # fmt: skip
    assert list(kiosks.not_reported_units(table)["unit"]) == ["乙", "甲", "丙"]
    assert kiosks.not_reported_units(table.iloc[3:]).empty


def test_ranked_by_leaves_out_missing_and_keeps_printed_order_for_ties(small):
    units = kiosks.unit_revenue(small)
    ranked = kiosks.ranked_by(units, "money_per_terminal_yuan")
    assert list(ranked["unit"]) == ["丁", "甲"]  # 乙, 丙, 戊 have no figure
    tied = pd.DataFrame({"unit": ["a", "b", "c"], "x": [1.0, 2.0, 1.0]})
    assert list(kiosks.ranked_by(tied, "x")["unit"]) == ["b", "a", "c"]
    assert list(kiosks.ranked_by(tied, "x", top=1)["unit"]) == ["b"]


# --- the profile's figures, summarised -------------------------------------------------------


def test_reported_median_leaves_out_hospitals_not_reported():
    df = pd.DataFrame(
        {"x": pd.array([4.0, 1.0, pd.NA, 2.0, 3.0], dtype="Float64"),
         "excluded": pd.array([pd.NA, pd.NA, profile.NOT_REPORTED, pd.NA, profile.NOT_REPORTED], dtype="string")}
    )  # fmt: skip
    assert kiosks.reported_median(df, "x") == (2.0, 3)  # median of 4, 1, 2; the 3.0 is excluded
    assert kiosks.reported_median(df.iloc[[0, 1]], "x") == (2.5, 2)
    assert kiosks.reported_median(df.iloc[[2, 4]], "x") == (None, 0)


def test_hospitals_with_records_but_no_terminal():
    df = pd.DataFrame(
        {"entity_id": ["H1", "H2", "H3", "H4"],
         "outpatient_records": pd.array([10, 20, pd.NA, 30], dtype="Int64"),
         "kiosk_terminals": pd.array([0, 5, 0, pd.NA], dtype="Int64")}
    )  # fmt: skip
    assert list(kiosks.without_terminals(df)["entity_id"]) == ["H1", "H4"]


def test_online_scatter_shows_excluded_hospitals_at_their_printed_zero():
    online = pd.DataFrame(
        {"online_share": pd.array([0.5, 0.25], dtype="Float64"),
         "kiosk_money_yuan": pd.array([100.10, 0.0], dtype="Float64"),
         "kiosk_terminals": pd.array([2, 4], dtype="Int64"),
         "kiosk_transactions": pd.array([5, 0], dtype="Int64"),
         "excluded": pd.array([pd.NA, profile.NOT_REPORTED], dtype="string")}
    )  # fmt: skip
    out = kiosks.online_scatter(online)
    assert out["online_pct"].tolist() == [50.0, 25.0]
    assert out["printed_money_per_terminal_yuan"].tolist() == [50.05, 0.0]
    assert out["printed_transactions_per_terminal"].tolist() == [2.5, 0.0]


def test_excluded_by_reason_names_only_reasons_that_occur():
    online = pd.DataFrame(
        {"label": ["甲", "乙", "丙", "丁"],
         "excluded": pd.array([profile.NOT_REPORTED, pd.NA, profile.FEW_BOOKINGS, profile.NOT_REPORTED],
                              dtype="string")}
    )  # fmt: skip
    out = kiosks.excluded_by_reason(online)
    assert list(out) == [profile.NOT_REPORTED, profile.FEW_BOOKINGS]
    assert list(out[profile.NOT_REPORTED]["label"]) == ["甲", "丁"]
    assert kiosks.excluded_by_reason(online.iloc[[1]]) == {}


# --- the real month --------------------------------------------------------------------------

# The 各区 rows as printed (lines 1091-1184): terminals, registration money, payment money.
DISTRICTS = {
    "江宁区": (78, "182524.00", "955399.82"),
    "溧水区": (53, "0.00", "0.00"),
    "江北新区": (53, "562263.00", "3025233.19"),
    "浦口区": (38, "112089.00", "2273420.50"),
    "六合区": (38, "246463.00", "3115454.71"),
    "玄武区": (22, "10150.00", "163119.52"),
    "栖霞区": (22, "111509.00", "926721.63"),
    "鼓楼区": (16, "0.00", "0.00"),
    "建邺区": (15, "14211.00", "73877.88"),
    "雨花台区": (12, "1105.00", "4434.34"),
    "高淳区": (6, "80112.00", "611658.06"),
    "秦淮区": (0, "0.00", "0.00"),
}
# Every 缴费金额 as printed, hospitals (lines 798-1086) then districts (1096-1184).
PAYMENTS = """16619410.50 68152013.32 22106719.68 31875442.98 0.00 12277682.33 5855070.21 301224.11
59229270.21 5265745.62 3884462.80 9468213.15 20257878.20 4313289.60 0.00 6891993.43 4559892.73 0.00
5453940.57 4241848.47 659953.17 19751166.05 14874095.63 0.00 0.00 1216788.18 0.00 5349766.34 0.00
1937613.51 0.00 0.00 1114212.87 0.00 0.00 0.00 0.00
955399.82 0.00 3025233.19 2273420.50 3115454.71 163119.52 926721.63 0.00 73877.88 4434.34 611658.06 0.00"""
# Printed 合计 (lines 1186-1191).
PRINTED_TERMINALS, PRINTED_REGISTRATION, PRINTED_PAYMENT = 1598, Decimal("15622415.20"), Decimal("336807013.30")
# Units printed with terminals but 0 registrations and 0 payments (hospitals: 东部战区总医院 82,
# line 826; 南京医科大学第二附属医院 25; 江苏省中西医结合医院 20; 江苏省第二中医院, 南京市胸科医院,
# 泰康仙林鼓楼医院 10 each; 东部战区空军医院 8; 上海梅山医院 7; 南京总医院汤山分院 6; 南京理工大学
# 校医院 3; 南京市大厂医院 2; 南京市职业病防治院 1; districts 溧水区 53, 鼓楼区 16).
NOT_REPORTED_HOSPITALS = [82, 25, 20, 10, 10, 10, 8, 7, 6, 3, 2, 1]


@pytest.fixture(scope="module")
def month(april):
    return april  # cleaned in a scratch project (tests/conftest.py), never in the repository


@pytest.fixture(scope="module")
def sections(month):
    return kiosks.section_revenue(month.kiosk_usage, month.printed_totals).set_index("section")


def test_one_hospital_as_printed(month):
    row = kiosks.unit_revenue(month.kiosk_usage).set_index("unit").loc["江苏省人民医院"]  # lines 793-798
    assert row["money_fen"] == 67162900 + 1661941050
    assert row["money_per_terminal_yuan"] == pytest.approx((671629.00 + 16619410.50) / 200)
    assert row["transactions_per_terminal"] == pytest.approx((29839 + 45161) / 200)
    assert row["average_payment_yuan"] == pytest.approx(16619410.50 / 45161)


def test_no_terminals_means_no_ratio(month):
    units = kiosks.unit_revenue(month.kiosk_usage).set_index("unit")
    # 南京市中心医院 (line 1081) and 秦淮区 (line 1179) are printed with 0 terminals.
    assert pd.isna(units.loc["南京市中心医院", "money_per_terminal_yuan"])
    assert pd.isna(units.loc["秦淮区", "transactions_per_terminal"])
    assert not units.loc["南京市中心医院", "not_reported"]


def test_the_headline_quotes_the_printed_totals_not_the_rows(month, sections):
    payments = sum(Decimal(v) for v in PAYMENTS.split())
    assert len(PAYMENTS.split()) == 49 and payments == PRINTED_PAYMENT + Decimal("0.01")
    whole = sections.loc[kiosks.ALL]
    assert whole["printed"]
    assert whole["money_fen"] == int((PRINTED_REGISTRATION + PRINTED_PAYMENT) * 100) == 35242942850
    assert whole["terminals"] == PRINTED_TERMINALS
    assert whole["transactions"] == 784874 + 921105  # lines 1188, 1190
    rows_only = kiosks.section_revenue(month.kiosk_usage).set_index("section").loc[kiosks.ALL]
    assert rows_only["money_fen"] == 35242942851 and not rows_only["printed"]


def test_terminals_in_units_that_did_not_report(month, sections):
    idle = kiosks.not_reported_units(month.kiosk_usage)
    assert len(idle) == len(NOT_REPORTED_HOSPITALS) + 2 == 14
    assert int(idle["terminals"].sum()) == sum(NOT_REPORTED_HOSPITALS) + 53 + 16 == 253
    whole = sections.loc[kiosks.ALL]
    assert (whole["not_reported_terminals"], whole["active_terminals"]) == (253, 1598 - 253)
    assert whole["reporting_units"] == 49 - 14 - 2  # less 南京市中心医院 and 秦淮区 (0 terminals)
    assert whole["not_reported_share"] == pytest.approx(253 / 1598)
    assert sections.loc["district", "not_reported_terminals"] == 53 + 16


def test_money_per_installed_and_per_active_terminal(sections):
    money = PRINTED_REGISTRATION + PRINTED_PAYMENT  # 352,429,428.50
    whole = sections.loc[kiosks.ALL]
    assert f"{whole['money_per_terminal_yuan']:.2f}" == f"{money / 1598:.2f}" == "220544.07"
    assert f"{whole['money_per_active_terminal_yuan']:.2f}" == f"{money / 1345:.2f}" == "262029.31"


def test_district_section_is_the_sum_of_its_rows(sections):
    district = sections.loc["district"]
    money = sum(Decimal(r) + Decimal(p) for _, r, p in DISTRICTS.values())
    assert district["terminals"] == sum(t for t, _, _ in DISTRICTS.values()) == 353
    assert district["money_fen"] == int(money * 100) == 1246974565
    assert district["active_terminals"] == 353 - 69
    assert not district["printed"]
    assert sections.loc["hospital", "terminals"] == 1598 - 353


def test_superlatives_over_the_units_that_reported(month):
    units = kiosks.unit_revenue(month.kiosk_usage)
    per_terminal = kiosks.ranked_by(units, "money_per_terminal_yuan")
    assert len(per_terminal) == 33  # 49 units less 14 not reported and 2 without terminals
    # 江苏省口腔医院 (lines 961-966): (297722.00 + 19751166.05) / 12
    assert per_terminal.iloc[0]["unit"] == "江苏省口腔医院"
    assert per_terminal.iloc[0]["money_fen"] == 2004888805
    # 江苏省中医院 (lines 801-806): 1941114.00 + 68152013.32, the most money of the 49 units
    assert kiosks.ranked_by(units, "money_yuan").iloc[0]["money_fen"] == 7009312732


def test_kiosk_money_per_patient_record(month):
    per_record = profile.kiosk_per_record(month.hospital_profile)
    # 26 hospitals with terminals in the upload table (南京市中心医院, line 720, has 0 terminals);
    # the 7 whose kiosks recorded nothing are left out of the medians.
    assert len(per_record) == 26
    assert kiosks.reported_median(per_record, "registration_per_outpatient_yuan")[1] == 19
    # median of 19: 江苏省口腔医院, registration 297722.00 (line 962) ÷ 60482 outpatient records (733)
    median, _ = kiosks.reported_median(per_record, "registration_per_outpatient_yuan")
    assert median == pytest.approx(297722.00 / 60482)
    # Money per patient record leaves out 南京脑科医院 too: its discharges print 0 (line 694) beside
    # 82696 outpatient visits (693), a 0 its field declares "not reported". Median of the other 18:
    # halfway between 南京鼓楼医院, (3613251.00 + 31875442.98) (lines 820, 822) ÷ (362920 + 9118)
    # (573, 574), and 南京市儿童医院, (701963.00 + 22106719.68) (812, 814) ÷ (230484 + 6235) (589, 590).
    median, n = kiosks.reported_median(per_record, "money_per_record_yuan")
    gulou = (3613251.00 + 31875442.98) / (362920 + 9118)
    children = (701963.00 + 22106719.68) / (230484 + 6235)
    assert (median, n) == (pytest.approx((gulou + children) / 2), 18)
    assert list(kiosks.without_terminals(month.hospital_profile)["name_zh"]) == ["南京市中心医院"]


# Online share against kiosk money per terminal, for the 17 hospitals the comparison uses:
# (12320 online, 小计) from the booking table (lines 54-330), (terminals, registration money +
# payment money) from the kiosk table.
ONLINE_VS_KIOSK = {
    "南京鼓楼医院": (64543, 196143, 108, "3613251.00", "31875442.98"),
    "南京市儿童医院": (10094, 151182, 123, "701963.00", "22106719.68"),
    "南京市中医院": (3150, 19461, 30, "891935.00", "9468213.15"),
    "中国医学科学院皮肤病医院": (2720, 6488, 19, "190278.00", "4241848.47"),
    "南京市妇幼保健院": (2979, 6369, 40, "382956.00", "59229270.21"),
    "南京市第一医院": (2216, 5512, 52, "517750.00", "5855070.21"),
    "南京市中西医结合医院": (1419, 4562, 4, "98895.00", "1114212.87"),
    "东南大学附属中大医院": (1730, 3800, 62, "939648.00", "12277682.33"),
    "南京市第二医院": (1710, 2588, 28, "219674.00", "4313289.60"),
    "江苏省肿瘤医院": (688, 2185, 29, "297500.00", "20257878.20"),
    "江苏省人民医院": (273, 1966, 200, "671629.00", "16619410.50"),
    "南京市高淳人民医院": (748, 1001, 25, "541468.00", "6891993.43"),
    "南京明基医院": (487, 552, 12, "955538.20", "14874095.63"),
    "江苏省省级机关医院": (39, 493, 13, "110344.00", "659953.17"),
    "南京市江宁医院": (0, 425, 38, "279905.00", "5265745.62"),
    "南京同仁医院": (248, 271, 9, "405146.00", "5349766.34"),
    "南京医科大学附属逸夫医院": (169, 202, 8, "209575.00", "1937613.51"),
}
# In both tables with terminals, but their kiosks recorded no transaction (three of them also
# had fewer than 100 bookings: 东部战区总医院 35, 南京梅山医院 13, 南京市职业病防治院 8).
NOT_REPORTED_IN_BOTH = {"江苏省中西医结合医院", "南京市胸科医院", "江苏省第二中医院", "泰康仙林鼓楼医院",
                        "东部战区空军医院", "南京医科大学第二附属医院", "东部战区总医院", "南京梅山医院",
                        "南京市职业病防治院"}  # fmt: skip


def hand_spearman(pairs: list[tuple[float, float]]) -> float:
    """1 − 6 Σd² / (n (n² − 1)): Spearman's rho without ties (these values have none)."""
    n = len(pairs)
    rank_x = {x: i for i, x in enumerate(sorted(x for x, _ in pairs))}
    rank_y = {y: i for i, y in enumerate(sorted(y for _, y in pairs))}
    d2 = sum((rank_x[x] - rank_y[y]) ** 2 for x, y in pairs)
    return 1 - 6 * d2 / (n * (n * n - 1))


def test_online_share_against_money_per_terminal(month):
    online = profile.online_vs_kiosk(month.hospital_profile, "zh", min_bookings=100)
    assert len(online) == 26
    excluded = kiosks.excluded_by_reason(online)
    assert list(excluded) == [profile.NOT_REPORTED]
    assert set(excluded[profile.NOT_REPORTED]["label"]) == NOT_REPORTED_IN_BOTH
    used = online[online["excluded"].isna()]
    assert set(used["label"]) == set(ONLINE_VS_KIOSK)
    pairs = [(o / b, (float(r) + float(p)) / t) for o, b, t, r, p in ONLINE_VS_KIOSK.values()]
    rho = hand_spearman(pairs)
    assert rho == pytest.approx(0.5)
    c = profile.online_kiosk_correlation(online, "money_per_terminal_yuan")
    assert c.n == 17 and c.rho == pytest.approx(rho)
    assert 0 < c.low < 0.1 and 0.7 < c.high < 0.85 and 0.03 < c.p_value < 0.06
    assert c.direction == 1


# ---------------------------------------------------------------------------------------------
# The correlations' verdict, sensitivity line and outliers for the shipped month.

MEASURES = ("money_per_terminal_yuan", "transactions_per_terminal")


@pytest.mark.parametrize("measure", MEASURES)
def test_the_verdict_is_the_same_for_every_seed_and_row_order(month, measure):
    # before: 中等正相关 for money (bootstrap low +0.02) and 数据不足以判断 for transactions
    # (low −0.02, smaller p): opposite words for one finding, and flipping with the row order
    online = profile.online_vs_kiosk(month.hospital_profile, "zh", min_bookings=100)
    used = online[online["excluded"].isna()]
    verdicts = set()
    for seed in range(6):
        shuffled = used.sample(frac=1, random_state=seed)
        verdicts.add(stats.spearman(shuffled["online_share"], shuffled[measure], seed=seed).verdict)
    assert verdicts == {stats.WEAK}
    assert profile.online_kiosk_correlation(online, measure).verdict == stats.WEAK


def test_the_sensitivity_line_leaves_out_the_three_hospitals_with_fewest_bookings(month):
    online = profile.online_vs_kiosk(month.hospital_profile, "zh", min_bookings=100)
    result = profile.online_kiosk_sensitivity(online, "money_per_terminal_yuan")
    # the smallest fifth of 17 is 3: bookings 202, 271, 425 (预约挂号服务统计表)
    assert list(result.dropped["label"]) == ["南京医科大学附属逸夫医院", "南京同仁医院", "南京市江宁医院"]
    assert list(result.dropped["bookings"]) == [202, 271, 425]
    kept = {k: v for k, v in ONLINE_VS_KIOSK.items() if k not in set(result.dropped["label"])}
    pairs = [(o / b, (float(r) + float(p)) / t) for o, b, t, r, p in kept.values()]
    assert result.correlation.n == 14
    assert result.correlation.rho == pytest.approx(hand_spearman(pairs))
    assert result.correlation.verdict == stats.NONE


def test_hospitals_left_out_as_not_reported_that_also_had_few_bookings(month):
    online = profile.online_vs_kiosk(month.hospital_profile, "zh", min_bookings=100)
    few = profile.few_bookings_among(online, 100)
    assert dict(zip(few["label"], few["bookings"], strict=True)) == {
        "南京市职业病防治院": 8, "南京梅山医院": 13, "东部战区总医院": 35,
    }  # fmt: skip


def test_the_maternity_hospitals_average_payment_is_flagged_as_an_outlier(month):
    units = kiosks.unit_revenue(month.kiosk_usage)
    far = units[stats.outliers(units["average_payment_yuan"])]
    # lines 857-863: 南京市妇幼保健院, 20421 payments, 59229270.21 yuan: 2,900.41 yuan each, 2.8x the next
    assert list(far["unit"]) == ["南京市妇幼保健院"]
    assert float(far["average_payment_yuan"].iloc[0]) == pytest.approx(59229270.21 / 20421)


def test_the_highest_average_payment_names_every_tied_unit(month):
    units = kiosks.unit_revenue(month.kiosk_usage)
    tied = units.assign(average_payment_yuan=units["average_payment_yuan"].where(units["unit"] != "南京市妇幼保健院"))
    runner_up = float(tied["average_payment_yuan"].max())
    tied.loc[tied["unit"] == "南京市第二医院", "average_payment_yuan"] = runner_up
    named = top_units(kiosks.ranked_by(tied, "average_payment_yuan"), "average_payment_yuan")
    assert set(named["unit"]) == {"江苏省肿瘤医院", "南京市第二医院"}


def test_a_discharge_count_printed_0_is_missing_in_money_per_patient_record(month):
    """南京脑科医院 (upload table line 688): 82696 outpatient visits (line 693), discharges printed 0
    (line 694). A brain hospital has inpatients: the 0 is "not reported" (schema.DISCHARGES_NOT_REPORTED),
    so money per patient record is missing, not kiosk money ÷ 82696; registration money per
    outpatient, which needs no discharges, stays: 147039.00 (line 876) ÷ 82696."""
    per_record = profile.kiosk_per_record(month.hospital_profile).set_index("entity_id")
    brain = per_record.loc["H037"]
    assert pd.isna(brain["money_per_record_yuan"])
    assert bool(brain["discharges_not_reported"]) and pd.isna(brain["excluded"])
    assert brain["registration_per_outpatient_yuan"] == pytest.approx(147039.00 / 82696)
    assert not per_record.drop(index="H037")["discharges_not_reported"].any()


def test_discharges_missing_altogether_give_no_money_per_patient_record():
    hospitals = pd.DataFrame(
        {
            "entity_id": ["H1", "H2"],
            "name_zh": ["甲", "乙"],
            "name_en": ["", ""],
            "kiosk_terminals": pd.array([2, 2], dtype="Int64"),
            "kiosk_registrations": pd.array([10, 10], dtype="Int64"),
            "kiosk_payments": pd.array([5, 5], dtype="Int64"),
            "kiosk_registration_yuan": pd.array([100.0, 100.0], dtype="Float64"),
            "kiosk_money_yuan": pd.array([300.0, 300.0], dtype="Float64"),
            "outpatient_records": pd.array([10, 10], dtype="Int64"),
            "discharge_records": pd.array([pd.NA, 5], dtype="Int64"),
        }
    )
    out = profile.kiosk_per_record(hospitals).set_index("entity_id")
    assert pd.isna(out.loc["H1", "money_per_record_yuan"])  # was 300 / 10: a missing count read as 0
    assert out.loc["H2", "money_per_record_yuan"] == pytest.approx(300 / 15)

"""Kiosk money and terminals, with expected values computed by hand from
data/raw/2021-04/bulletin.txt (自助智能医疗服务终端医院使用情况表)."""

from decimal import Decimal

import pandas as pd
import pytest

from metroanalysis.analysis import kiosks

# The 各区 rows as printed: terminals, registration money, payment money.
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
# Every 缴费金额 as printed, hospitals then districts (their sum is 0.01 more than the printed 合计).
PAYMENTS = """16619410.50 68152013.32 22106719.68 31875442.98 0.00 12277682.33 5855070.21 301224.11
59229270.21 5265745.62 3884462.80 9468213.15 20257878.20 4313289.60 0.00 6891993.43 4559892.73 0.00
5453940.57 4241848.47 659953.17 19751166.05 14874095.63 0.00 0.00 1216788.18 0.00 5349766.34 0.00
1937613.51 0.00 0.00 1114212.87 0.00 0.00 0.00 0.00
955399.82 0.00 3025233.19 2273420.50 3115454.71 163119.52 926721.63 0.00 73877.88 4434.34 611658.06 0.00"""


@pytest.fixture(scope="module")
def month(april):
    return april  # cleaned into a scratch folder, never into the repository


@pytest.fixture(scope="module")
def units(month):
    return kiosks.unit_revenue(month.kiosk_usage).set_index("unit")


def test_money_per_terminal_for_one_hospital(units):
    row = units.loc["江苏省人民医院"]
    assert row["money_yuan"] == 17291039.50  # 671629.00 + 16619410.50, exact to the fen
    assert row["money_per_terminal_yuan"] == pytest.approx((671629.00 + 16619410.50) / 200)
    assert row["transactions"] == 29839 + 45161
    assert row["transactions_per_terminal"] == pytest.approx((29839 + 45161) / 200)
    assert row["average_payment_yuan"] == pytest.approx(16619410.50 / 45161)
    assert str(units["money_yuan"].dtype) == "Float64"


def test_no_terminals_means_no_ratio_not_zero(units):
    # 南京市中心医院 and 秦淮区 are printed with 0 terminals: nothing per terminal.
    assert pd.isna(units.loc["南京市中心医院", "money_per_terminal_yuan"])
    assert pd.isna(units.loc["秦淮区", "transactions_per_terminal"])
    assert not units.loc["南京市中心医院", "idle"]


def test_sections_and_whole_fleet(month):
    sections = kiosks.section_revenue(month.kiosk_usage).set_index("section")
    district_terminals = sum(t for t, _, _ in DISTRICTS.values())
    district_money = sum(Decimal(r) + Decimal(p) for _, r, p in DISTRICTS.values())
    assert district_terminals == 353
    assert sections.loc["district", "terminals"] == 353
    assert sections.loc["hospital", "terminals"] == 1598 - 353
    assert Decimal(f"{sections.loc['district', 'money_yuan']:.2f}") == district_money
    assert sections.loc["district", "money_per_terminal_yuan"] == pytest.approx(float(district_money) / 353)

    payments = sum(Decimal(v) for v in PAYMENTS.split())
    assert payments == Decimal("336807013.31")  # printed 合计 336807013.30
    total = Decimal("15622415.20") + payments  # registration 合计 as printed (it adds up)
    assert Decimal(f"{sections.loc[kiosks.ALL, 'money_yuan']:.2f}") == total == Decimal("352429428.51")
    assert sections.loc[kiosks.ALL, "terminals"] == 1598


def test_terminals_in_units_with_no_transaction(month):
    idle = kiosks.idle_units(month.kiosk_usage)
    # Hospitals printed with 0 registrations and 0 payments, and 溧水区, 鼓楼区 (秦淮区 has no kiosk).
    hospitals = [82, 25, 20, 10, 10, 10, 8, 7, 6, 3, 2, 1]
    assert len(idle) == len(hospitals) + 2 == 14
    assert int(idle["terminals"].sum()) == sum(hospitals) + 53 + 16 == 253
    sections = kiosks.section_revenue(month.kiosk_usage).set_index("section")
    assert sections.loc[kiosks.ALL, "idle_terminals"] == 253
    assert sections.loc[kiosks.ALL, "idle_share"] == pytest.approx(253 / 1598)
    assert sections.loc["district", "idle_terminals"] == 69
    text = kiosks.idle_sentence(kiosks.section_revenue(month.kiosk_usage), idle)
    assert "253 台" in text and "15.8%" in text


def test_overview_sentence(month):
    text = kiosks.overview_sentence(kiosks.section_revenue(month.kiosk_usage))
    assert "1,598 台" in text and "352,429,428.51 元" in text

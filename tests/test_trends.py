"""Headline figures per month and month-over-month change, checked by hand on a pair of
months: April 2021 as printed, and a 'May' made from it with known changes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from metroanalysis import load_month
from metroanalysis.analysis.trends import headline_figures, latest_changes, month_over_month

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def two_months():
    april = load_month("2021-04", root=REPO)
    stacked = {}
    for name, df in april.tables.items():
        a = df.assign(month="2021-04")
        b = df.assign(month="2021-05")
        if name == "booking_by_hospital":  # 南京鼓楼医院 +1,000 in-clinic bookings in May
            gulou = b["hospital"] == "南京鼓楼医院"
            b.loc[gulou, "in_clinic"] += 1000
            b.loc[gulou, "subtotal"] += 1000
        if name == "remote_coverage":  # 秦淮区 joins the ECG platform in May
            b.loc[(b["platform"] == "ecg") & (b["area"] == "秦淮区"), "connected"] = True
        stacked[name] = pd.concat([a, b], ignore_index=True)
    return stacked


def value(headlines, month, measure):
    row = headlines[(headlines["month"] == month) & (headlines["measure"] == measure)]
    assert len(row) == 1, (month, measure)
    return row["value"].iloc[0]


def test_april_headlines_equal_the_bulletin(two_months):
    h = headline_figures(two_months)
    assert value(h, "2021-04", "bookings_total") == 427194  # 合计 小计, line 338
    assert value(h, "2021-04", "bookings_in_clinic") == 190355  # line 336
    assert value(h, "2021-04", "app_bookings_total") == 116458  # 合计：116458, line 381
    assert value(h, "2021-04", "hotline_calls") == 106398  # line 40
    assert value(h, "2021-04", "kiosk_terminals") == 1598  # line 1187
    # Money: 15,622,415.20 registration (printed total) + 336,807,013.31 payments (the rows' sum;
    # the printed 合计 says .30, one fen of rounding) = 352,429,428.51 yuan.
    assert round(value(h, "2021-04", "kiosk_money_yuan"), 2) == 352429428.51
    # Areas connected: consultation 9, ECG 11, lab 9, imaging 10 → mean 9.75.
    assert value(h, "2021-04", "areas_connected_mean") == 9.75
    # Districts uploaded 550 of 12 × 129 = 1,548 required tables.
    assert round(value(h, "2021-04", "upload_tables_share"), 4) == round(100 * 550 / 1548, 4)


def test_month_over_month_change_by_hand(two_months):
    h = headline_figures(two_months)
    may = latest_changes(h, "2021-05").set_index("measure")
    assert may.loc["bookings_total", "previous"] == 427194
    assert may.loc["bookings_total", "change"] == 1000
    assert round(may.loc["bookings_total", "change_pct"], 4) == round(100 * 1000 / 427194, 4)
    assert may.loc["bookings_in_clinic", "change"] == 1000
    assert may.loc["bookings_phone", "change"] == 0
    assert may.loc["areas_connected_mean", "change"] == 0.25  # ECG 11 → 12 of 4 platforms
    assert may.loc["bookings_total", "previous_month"] == "2021-04"


def test_the_first_month_has_nothing_to_compare(two_months):
    h = headline_figures(two_months)
    assert latest_changes(h, "2021-04").empty
    first = month_over_month(h).query("month == '2021-04'")
    assert first["previous"].isna().all() and first["change"].isna().all()

"""Headline figures per month and month-over-month change, checked by hand on a pair of
months: April 2021 as printed, and a 'May' made from it with known changes. Headlines quote
the bulletin's printed 合计 (line numbers quoted), the rows' sum only where nothing is printed."""

from __future__ import annotations

import pandas as pd
import pytest

from metroanalysis.analysis.trends import (
    MEASURES,
    headline_figures,
    latest_changes,
    latest_columns,
    month_over_month,
)


def stack(april, may_edit=None) -> dict[str, pd.DataFrame]:
    """April as cleaned, and a 'May' copied from it and changed by `may_edit(name, df)`."""
    stacked = {}
    for name, df in april.tables.items():
        b = df.assign(month="2021-05")
        if may_edit:
            b = may_edit(name, b)
        stacked[name] = pd.concat([df.assign(month="2021-04"), b], ignore_index=True)
    return stacked


def may_changes(name, b):
    if name == "booking_by_hospital":  # 南京鼓楼医院 +1,000 in-clinic bookings in May, printed too
        gulou = b["hospital"] == "南京鼓楼医院"
        b.loc[gulou, "in_clinic"] += 1000
        b.loc[gulou, "subtotal"] += 1000
    if name == "printed_totals":
        b.loc[(b["table"] == "booking_by_hospital") & b["column"].isin(["in_clinic", "subtotal"]), "value"] += 1000
        b.loc[(b["table"] == "kiosk_usage") & (b["column"] == "payment_amount_yuan"), "value"] = 336807013.37
    if name == "remote_coverage":  # 秦淮区 joins the ECG platform in May
        b.loc[(b["platform"] == "ecg") & (b["area"] == "秦淮区"), "connected"] = True
    return b


@pytest.fixture(scope="module")
def two_months(april):
    return stack(april, may_changes)


def row(headlines, month, measure):
    found = headlines[(headlines["month"] == month) & (headlines["measure"] == measure)]
    assert len(found) == 1, (month, measure)
    return found.iloc[0]


def value(headlines, month, measure):
    return row(headlines, month, measure)["value"]


def test_april_headlines_quote_the_bulletin(two_months):
    h = headline_figures(two_months)
    assert value(h, "2021-04", "bookings_total") == 427194  # 合计 小计, line 338
    assert value(h, "2021-04", "bookings_in_clinic") == 190355  # line 336
    assert value(h, "2021-04", "app_bookings_total") == 116458  # 合计：116458, line 381
    assert value(h, "2021-04", "hotline_calls") == 106398  # 共受理咨询电话106398个, line 40
    assert value(h, "2021-04", "kiosk_terminals") == 1598  # line 1187
    # Areas connected: consultation 9, ECG 11, lab 9, imaging 10 → mean 9.75.
    assert value(h, "2021-04", "areas_connected_mean") == 9.75
    # Districts uploaded 550 of 12 × 129 = 1,548 required tables.
    assert value(h, "2021-04", "upload_tables_share") == pytest.approx(100 * 550 / 1548)
    assert row(h, "2021-04", "bookings_total")["basis"] == "printed"
    assert row(h, "2021-04", "bookings_total")["difference"] == 0
    assert row(h, "2021-04", "upload_tables_share")["basis"] == "computed"


def test_kiosk_money_is_the_printed_totals_with_the_rows_one_fen_apart(two_months):
    h = headline_figures(two_months)
    money = row(h, "2021-04", "kiosk_money_yuan")
    # 挂号金额 合计 15,622,415.20 (line 1189) + 缴费金额 合计 336,807,013.30 (line 1191); the 49
    # payment rows add up to 336,807,013.31, so the print is one fen short of the rows.
    assert f"{money['value']:.2f}" == "352429428.50"
    # The sum of two printed totals is not itself printed: never labelled as the bulletin's figure.
    assert (money["basis"], money["difference"]) == ("sum_of_printed", -0.01)
    per_terminal = value(h, "2021-04", "kiosk_money_per_terminal_yuan")
    assert per_terminal == pytest.approx(35242942850 / 1598 / 100)  # fen ÷ installed terminals


def test_without_a_printed_total_the_rows_are_summed_and_called_computed(april):
    def no_kiosk_totals(name, b):
        return b[b["table"] != "kiosk_usage"] if name == "printed_totals" else b

    h = headline_figures(stack(april, no_kiosk_totals))
    money = row(h, "2021-05", "kiosk_money_yuan")
    # 15,622,415.20 + 336,807,013.31: the rows' sums, added in fen
    assert f"{money['value']:.2f}" == "352429428.51"
    assert money["basis"] == "computed" and pd.isna(money["difference"])
    assert value(h, "2021-05", "kiosk_terminals") == 1598  # the 49 rows add up to the print


def test_a_printed_total_is_quoted_even_where_the_rows_disagree(april):
    def rows_only(name, b):
        if name == "booking_by_hospital":
            b.loc[b["hospital"] == "南京鼓楼医院", "subtotal"] += 5
        return b

    h = headline_figures(stack(april, rows_only))
    total = row(h, "2021-05", "bookings_total")
    assert (total["value"], total["basis"], total["difference"]) == (427194, "printed", -5)  # printed − rows


def test_month_over_month_change_by_hand(two_months):
    h = headline_figures(two_months)
    may = latest_changes(h, "2021-05").set_index("measure")
    assert may.loc["bookings_total", "previous"] == 427194
    assert may.loc["bookings_total", "change"] == 1000
    assert may.loc["bookings_total", "change_pct"] == pytest.approx(100 * 1000 / 427194)
    assert may.loc["bookings_in_clinic", "change"] == 1000
    assert may.loc["bookings_phone", "change"] == 0
    assert may.loc["areas_connected_mean", "change"] == 0.25  # ECG 11 → 12 of 4 platforms
    assert may.loc["bookings_total", "previous_month"] == "2021-04"
    # 336,807,013.37 − 336,807,013.30, counted in fen: exactly 0.07 (as floats: 0.0699999…)
    assert may.loc["kiosk_money_yuan", "change"] == 0.07


def test_the_first_month_has_nothing_to_compare(two_months):
    h = headline_figures(two_months)
    assert latest_changes(h, "2021-04").empty
    first = month_over_month(h).query("month == '2021-04'")
    assert first["previous"].isna().all() and first["change"].isna().all()


def test_every_headline_measure_is_defined_once_in_both_languages(two_months):
    h = headline_figures(two_months)
    assert set(h["measure"]) <= set(MEASURES)
    for key, measure in MEASURES.items():
        assert measure.label("zh") and measure.label("en") and measure.unit("en"), key
        assert measure.label("zh") != measure.label("en"), key


def test_a_month_with_prints_but_no_rows_quotes_the_print_and_one_with_neither_has_no_figure(april):
    def no_kiosk_rows(name, b):
        return b.iloc[:0] if name == "kiosk_usage" else b

    def nothing_for_app_bookings(name, b):
        if name == "booking_by_channel":
            return b.iloc[:0]
        return b[b["table"] != "booking_by_channel"] if name == "printed_totals" else b

    h = headline_figures(stack(april, no_kiosk_rows))
    terminals = row(h, "2021-05", "kiosk_terminals")
    assert (terminals["value"], terminals["basis"], terminals["difference"]) == (1598, "printed", 1598)  # line 1187
    h = headline_figures(stack(april, nothing_for_app_bookings))
    assert h[(h["month"] == "2021-05") & (h["measure"] == "app_bookings_total")].empty
    assert value(h, "2021-04", "app_bookings_total") == 116458


def test_headlines_agree_with_column_total_month_by_month(two_months):
    """The headlines sum each table once over all months; `column_total` is the one definition of
    a printed total beside the rows' sum, and each month's figure must be what it gives."""
    from metroanalysis.analysis.totals import column_total
    from metroanalysis.analysis.trends import PRINTED

    h = headline_figures(two_months)
    for month in ("2021-04", "2021-05"):
        printed = two_months["printed_totals"][two_months["printed_totals"]["month"] == month]
        for measure, (table, columns) in PRINTED.items():
            rows = two_months[table][two_months[table]["month"] == month]
            parts = [column_total(printed, rows, table, column) for column in columns]
            total = sum(parts[1:], parts[0])
            got = row(h, month, measure)
            assert got["value"] == total.shown(), (month, measure)
            assert got["difference"] == total.shown(total.difference), (month, measure)


def test_a_heatmap_over_years_of_months_shows_the_latest_year():
    months = [f"{2021 + i // 12}年{i % 12 + 1}月" for i in range(30)]
    wide = pd.DataFrame([list(range(30))], index=["玄武区"], columns=months)
    shown = latest_columns(wide)
    assert list(shown.columns) == months[-12:] and list(shown.iloc[0]) == list(range(18, 30))
    assert list(latest_columns(wide.iloc[:, :5]).columns) == months[:5]  # fewer: every month

"""Statistics with their basis (analysis.stats) and totals that quote the bulletin
(analysis.totals), checked on small cases worked out by hand and on the shipped month."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from metroanalysis.analysis import stats, totals


def s(values):
    return pd.Series(values, dtype="Float64")


def test_spearman_of_a_small_sample_worked_out_by_hand():
    # ranks 1 2 3 4 against 1 3 2 4: d = 0, -1, 1, 0; rho = 1 - 6·2 / (4·15) = 0.8
    assert stats.spearman(s([1, 2, 3, 4]), s([10, 30, 20, 40])).rho == pytest.approx(0.8)


def test_ties_take_average_ranks():
    # x ranks 1.5 1.5 3 4, y ranks 1 2 3 4: r = 4.5 / sqrt(4.5 · 5)
    assert stats.spearman(s([1, 1, 2, 3]), s([1, 2, 3, 4])).rho == pytest.approx(4.5 / math.sqrt(22.5))


def test_the_permutation_p_value_is_exact_for_four_units():
    # of the 24 orderings, only the identity (+1) and the reversal (-1) reach |rho| = 1
    result = stats.spearman(s([1, 2, 3, 4]), s([2, 4, 6, 8]))
    assert result.rho == pytest.approx(1.0)
    assert result.p_value == pytest.approx(2 / 24)
    # every resample of a perfectly monotone pair with two distinct values is monotone too
    assert (result.low, result.high) == (pytest.approx(1.0), pytest.approx(1.0))
    assert result.direction == 1 and result.strength == "strong"


def test_an_interval_holding_zero_says_the_data_cannot_tell():
    result = stats.spearman(s([1, 2, 3, 4, 5, 6]), s([3, 1, 4, 1.5, 5, 2]))
    assert result.low < 0 < result.high
    assert result.direction == 0


def test_missing_pairs_are_dropped_and_too_few_or_constant_give_no_figure():
    assert stats.spearman(s([1, 2, None, 4]), s([1, None, 3, 4])).n == 2
    assert not stats.spearman(s([1, 2, None, 4]), s([1, None, 3, 4])).computable
    constant = stats.spearman(s([1, 2, 3, 4]), s([5, 5, 5, 5]))
    assert constant.n == 4 and not constant.computable and constant.direction == 0
    assert not stats.spearman(s([]), s([])).computable


def test_the_same_data_give_the_same_interval():
    a = stats.spearman(s(range(12)), s([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8]))
    b = stats.spearman(s(range(12)), s([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8]))
    assert a == b


def test_the_kiosk_money_headline_is_the_printed_total(april):
    kiosk, printed = april.kiosk_usage, april.printed_totals
    registration = totals.column_total(printed, kiosk, "kiosk_usage", "registration_amount_yuan")
    payment = totals.column_total(printed, kiosk, "kiosk_usage", "payment_amount_yuan")
    # printed 挂号金额 合计 15622415.20 (line 1189), 缴费金额 合计 336807013.30 (line 1191);
    # the 49 payment rows add up to 336807013.31
    assert (registration.printed, registration.rows) == (1562241520, 1562241520)
    assert (payment.printed, payment.rows, payment.difference) == (33680701330, 33680701331, -1)
    assert payment.source_lines == (1191,)
    money = registration + payment
    assert money.shown() == 352429428.50 and money.shown(money.rows) == 352429428.51
    assert money.is_printed and not money.agrees


def test_a_total_with_nothing_printed_is_the_sum_of_the_rows_and_says_so():
    rows = pd.DataFrame({"calls": pd.array([3, 4, pd.NA], dtype="Int64")})
    printed = pd.DataFrame(columns=["table", "column", "value", "source_line"])
    total = totals.column_total(printed, rows, "x", "calls")
    assert (total.printed, total.rows, total.value, total.is_printed) == (None, 7, 7, False)
    with pytest.raises(ValueError):
        total + totals.Total(1, 1, money=True)


def test_a_printed_total_belongs_to_its_own_table_not_to_any_with_that_column(april):
    """Line 42 prints the province's 合计 (全省12320共接听电话126232人次) for hotline_province.calls;
    hotline_calls has a `calls` column too, and no printed total of its own."""
    printed = april.printed_totals
    province = totals.column_total(printed, april.hotline_province, "hotline_province", "calls")
    assert (province.printed, province.source_lines) == (126232, (42,))
    calls = totals.column_total(printed, april.hotline_calls, "hotline_calls", "calls")
    assert (calls.printed, calls.is_printed) == (None, False)
    assert calls.value == calls.rows

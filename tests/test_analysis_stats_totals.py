"""Statistics with their basis (analysis.stats) and totals that quote the bulletin
(analysis.totals), checked on small cases worked out by hand and on the shipped month."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metroanalysis.analysis import fmt_p, fmt_rho, fmt_yuan_per, stats, top_units, totals


def s(values):
    return pd.Series(values, dtype="Float64")


def test_spearman_of_a_small_sample_worked_out_by_hand():
    # ranks 1 2 3 4 against 1 3 2 4: d = 0, -1, 1, 0; rho = 1 - 6·2 / (4·15) = 0.8
    assert stats.spearman(s([1, 2, 3, 4]), s([10, 30, 20, 40])).rho == pytest.approx(0.8)


def test_ties_take_average_ranks():
    # x ranks 1.5 1.5 3 4, y ranks 1 2 3 4: r = 4.5 / sqrt(4.5 · 5)
    assert stats.spearman(s([1, 1, 2, 3]), s([1, 2, 3, 4])).rho == pytest.approx(4.5 / math.sqrt(22.5))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.lists(st.integers(-3, 3), min_size=5, max_size=5), min_size=1, max_size=6),
    st.sampled_from([0, 1, -1]),
)
def test_ranks_by_counting_equal_scipys_average_ranks_to_the_last_bit(rows, axis):
    # few distinct values: ties everywhere; the bootstrap's samples are rows (axis -1), the
    # jackknife's too, and any axis must work as scipy's statistic protocol allows
    from scipy.stats import rankdata

    values = np.array(rows, dtype=float)
    ranks = stats.average_ranks(stats.dense_ranks(values), axis=axis)
    assert np.array_equal(ranks, rankdata(values, axis=axis))


def test_a_sample_with_gaps_in_its_codes_ranks_as_its_values():
    # a jackknife or bootstrap sample lacks some of the units: its dense ranks skip numbers
    codes = np.array([[4, 0, 4, 2], [1, 1, 1, 3]])
    assert stats.average_ranks(codes).tolist() == [[3.5, 1.0, 3.5, 2.0], [2.0, 2.0, 2.0, 4.0]]


def test_the_permutation_p_value_is_exact_for_four_units():
    # of the 24 orderings, only the identity (+1) and the reversal (-1) reach |rho| = 1
    result = stats.spearman(s([1, 2, 3, 4]), s([2, 4, 6, 8]))
    assert result.rho == pytest.approx(1.0)
    assert result.p_value == pytest.approx(2 / 24)
    # some resamples of 4 units repeat one unit 4 times (constant: no rho), so BCa is undefined
    assert np.isnan(result.low) and np.isnan(result.high)
    # Fisher's interval alone excludes 0: a sign, not a verdict, with p = 0.083
    assert result.fisher_low > 0 and result.verdict == stats.WEAK and result.direction == 1


def test_an_interval_holding_zero_says_the_data_cannot_tell():
    result = stats.spearman(s([1, 2, 3, 4, 5, 6]), s([3, 1, 4, 1.5, 5, 2]))
    assert result.fisher_low < 0 < result.fisher_high
    assert result.verdict == stats.NONE and result.direction == 0


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


# ---------------------------------------------------------------------------------------------
# The verdict rule (stats.Correlation.verdict), on constructed borderline cases.


def correlation(fisher, bootstrap, mc_error=0.005, rho=0.5):
    return stats.Correlation(rho, 17, *bootstrap, 0.04, *fisher, mc_error)


@pytest.mark.parametrize(
    ("fisher", "bootstrap", "mc_error", "verdict"),
    [
        ((0.05, 0.8), (0.06, 0.8), 0.005, stats.CLEAR),  # both exclude 0, bound 12 MC errors away
        ((0.05, 0.8), (0.01, 0.8), 0.005, stats.WEAK),  # bootstrap bound within 3 MC errors of 0
        ((0.05, 0.8), (-0.05, 0.8), 0.005, stats.WEAK),  # the methods disagree
        ((-0.01, 0.8), (0.05, 0.8), 0.005, stats.WEAK),  # the methods disagree the other way
        ((-0.01, 0.8), (0.01, 0.8), 0.005, stats.WEAK),  # 02's money case: Fisher holds 0, bootstrap borderline
        ((-0.2, 0.8), (-0.3, 0.8), 0.005, stats.NONE),  # both hold 0
        ((-0.2, 0.8), (float("nan"), float("nan")), float("nan"), stats.NONE),  # no bootstrap, Fisher holds 0
        ((-0.8, -0.05), (-0.8, -0.06), 0.005, stats.CLEAR),  # the same on the negative side
    ],
)
def test_the_verdict_rule_on_borderline_intervals(fisher, bootstrap, mc_error, verdict):
    assert correlation(fisher, bootstrap, mc_error, rho=0.5 if fisher[1] > 0 else -0.5).verdict == verdict


def test_a_clear_relation_and_no_relation_keep_their_verdict_for_every_seed():
    rng = np.random.default_rng(7)
    x = rng.normal(size=30)
    related, unrelated = x + rng.normal(scale=0.5, size=30), rng.normal(size=30)
    for seed in range(5):
        assert stats.spearman(s(x), s(related), seed=seed).verdict == stats.CLEAR
        assert stats.spearman(s(x), s(unrelated), seed=seed).verdict == stats.NONE


def test_p_values_have_two_significant_digits():
    assert [fmt_p(p) for p in (0.0478, 0.1452, 0.036, 0.0999, 0.5, 0.00042)] == [
        "p = 0.048", "p = 0.15", "p = 0.036", "p = 0.10", "p = 0.50", "p < 0.001",
    ]  # fmt: skip
    assert fmt_rho(0.5) == "+0.50" and fmt_rho(-0.0062) == "-0.01"


def test_money_per_unit_is_to_the_yuan():
    assert fmt_yuan_per(1490306.21) == "1,490,306" and fmt_yuan_per(2900.409882) == "2,900"
    assert fmt_yuan_per(1.16) == "1" and fmt_yuan_per(9.98) == "10" and fmt_yuan_per(pd.NA) == "—"


def test_every_unit_tied_for_first_is_named():
    frame = pd.DataFrame({"unit": ["a", "b", "c", "d", "e"], "v": pd.array([3, 5, 5, None, 1], dtype="Float64")})
    assert list(top_units(frame, "v")["unit"]) == ["b", "c"]
    assert list(top_units(frame, "v", largest=False)["unit"]) == ["e"]
    assert list(top_units(frame, "v", k=2)["unit"]) == ["b", "c"]
    assert list(top_units(frame.assign(v=pd.array([3, 5, 4, 4, 1], dtype="Float64")), "v", k=2)["unit"]) == [
        "b", "c", "d",
    ]  # fmt: skip
    assert top_units(frame.iloc[:0], "v").empty


def test_an_outlier_is_beyond_three_iqr_on_the_log_scale():
    values = s([100, 120, 90, 110, 130, 95, 2900, 105])
    assert list(stats.outliers(values)) == [False] * 6 + [True, False]
    assert not stats.outliers(s([1, 2, None, 4])).any()  # fewer than 4 values: nothing is far


def test_the_mc_error_measures_how_far_the_bound_moves_with_the_seed():
    rng = np.random.default_rng(3)
    x = rng.normal(size=17)
    y = x + rng.normal(scale=1.5, size=17)
    runs = [stats.spearman(s(x), s(y), seed=seed) for seed in range(12)]
    bound = [r.low if abs(r.low) < abs(r.high) else r.high for r in runs]
    spread, reported = np.std(bound, ddof=1), np.mean([r.mc_error for r in runs])
    assert 0.5 < spread / reported < 2, (spread, reported)
    assert reported < 0.02  # small against the distances from 0 the rule looks at


def test_a_printed_total_belongs_to_its_own_table_not_to_any_with_that_column(april):
    """Line 42 prints the province's 合计 (全省12320共接听电话126232人次) for hotline_province.calls;
    hotline_calls has a `calls` column too, and no printed total of its own."""
    printed = april.printed_totals
    province = totals.column_total(printed, april.hotline_province, "hotline_province", "calls")
    assert (province.printed, province.source_lines) == (126232, (42,))
    calls = totals.column_total(printed, april.hotline_calls, "hotline_calls", "calls")
    assert (calls.printed, calls.is_printed) == (None, False)
    assert calls.value == calls.rows

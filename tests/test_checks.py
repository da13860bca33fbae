"""The status of a printed total against its parts: exact figures (counts, money in whole fen)
differ or agree; only totals of figures rounded by print may differ by rounding, and only by
as much as those figures' rounding allows. `difference` is printed minus computed."""

from __future__ import annotations

import pandas as pd

from metroanalysis.clean.checks import compare, compare_rounded


def rounded(printed: str, terms: list[str], **kw) -> dict:
    return compare_rounded("shares_add_to_100", "t", "合计", "share", printed, terms, 1, "shares", **kw)


def test_money_total_a_fen_above_its_rows_is_a_mismatch_with_the_fen_as_difference():
    row = compare("r", "t", "合计", "yuan", 100.01, [40.00, 60.00], 1, "m", money=True)
    assert (row["printed"], row["computed"], row["difference"], row["status"]) == (
        "100.01",
        "100.00",
        "0.01",
        "mismatch",
    )


def test_count_total_below_its_rows_has_a_negative_difference():
    row = compare("r", "t", "合计", "n", 99, 100, 1, "m")
    assert (row["difference"], row["status"]) == ("-1", "mismatch")
    assert compare("r", "t", "合计", "n", 100, 100, 1, "m")["status"] == "ok"


def test_shares_within_half_a_unit_per_term_are_rounding():
    # Three shares printed to 0.1%: each within 0.05 of its value, so together within 0.15 of 100.
    row = rounded("100.0", ["33.3", "33.3", "33.3"])
    assert (row["computed"], row["difference"], row["status"]) == ("99.9", "0.1", "rounding")
    assert rounded("100.0", ["33.4", "33.3", "33.3"])["status"] == "ok"


def test_shares_beyond_half_a_unit_per_term_are_a_mismatch():
    # 0.2 off with three terms of 0.1%: more than 3 × 0.05 = 0.15 can explain.
    row = rounded("100.0", ["33.4", "33.4", "33.4"])
    assert (row["difference"], row["status"]) == ("-0.2", "mismatch")
    # The same 0.2 is rounding once there are five such terms (5 × 0.05 = 0.25).
    assert rounded("100.0", ["20.0", "20.0", "20.0", "20.0", "19.8"])["status"] == "rounding"


def test_tolerance_follows_each_terms_printed_place():
    # Two terms to 0.01 allow 0.01 in all: 0.01 is rounding, 0.02 is not.
    assert rounded("50.00", ["25.00", "24.99"])["status"] == "rounding"
    assert rounded("50.00", ["25.00", "24.98"])["status"] == "mismatch"


def test_a_rounded_total_counts_as_one_more_rounded_figure():
    # Three shares to 0.1 add to 30.0; a printed 30.2 is 0.2 off. Exact by definition, the total
    # allows 3 × 0.05 = 0.15 (mismatch); itself rounded to 0.1, it allows 4 × 0.05 = 0.2 (rounding).
    terms = ["10.0", "10.0", "10.0"]
    assert rounded("30.2", terms)["status"] == "mismatch"
    assert rounded("30.2", terms, total_is_exact=False)["status"] == "rounding"
    assert rounded("30.3", terms, total_is_exact=False)["status"] == "mismatch"


def test_coverage_check_quotes_the_printed_count_of_areas_covered(parsed):
    """The printed column holds what the bulletin printed (覆盖9个辖区, line 386; 11, 9 and 10 on
    lines 388, 390, 392), checked against the 12 areas less those it names as not connected."""
    from metroanalysis.clean.checks import run_checks

    quality = run_checks(parsed.tables, parsed.printed_totals, parsed.missing)
    rows = quality[quality["rule"] == "covered_plus_not_connected_is_all_areas"]
    got = {int(r.source_line): (r.printed, r.computed, r.status) for r in rows.itertuples(index=False)}
    assert got == {
        386: ("9", "9", "ok"),
        388: ("11", "11", "ok"),
        390: ("9", "9", "ok"),
        392: ("10", "10", "ok"),
    }


def test_a_breakdown_above_its_total_is_a_mismatch_not_partial(parsed):
    """Line 388: 南京市远程心电监测诊断平台 累计接入 134, of which the paragraph names 13 + 7 (a
    partial breakdown). Listing more than the total can never be partial: it is a mismatch."""
    from metroanalysis.clean.checks import remote_identities

    def breakdown_row(institutions: pd.DataFrame) -> dict:
        rows = remote_identities({**parsed.tables, "remote_institutions": institutions})
        return next(r for r in rows if r["rule"] == "breakdown_within_institutions" and r["source_line"] == 388)

    listed = parsed.tables["remote_institutions"]
    row = breakdown_row(listed)
    assert (row["printed"], row["computed"], row["difference"], row["status"]) == ("134", "20", "114", "partial")
    above = listed.copy()
    above.loc[above["source_line"] == 388, "institutions"] = [130, 7]  # 137 listed of 134
    row = breakdown_row(above)
    assert (row["printed"], row["computed"], row["difference"], row["status"]) == ("134", "137", "-3", "mismatch")

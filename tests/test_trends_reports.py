"""The month-over-month table of the reports and the trends report's series, checked against
values computed by hand on small made-up months."""

from __future__ import annotations

import pandas as pd
import pytest

from metroanalysis.analysis import trends


def headlines(rows):
    df = pd.DataFrame(rows, columns=["month", "measure", "value"])
    df["basis"] = "computed"
    df["difference"] = pd.NA
    return df.astype(
        {"month": "string", "measure": "string", "value": "Float64", "basis": "string", "difference": "Float64"}
    )


@pytest.fixture
def three_months():
    return headlines(
        [
            ("2021-04", "bookings_total", 400.0),
            ("2021-05", "bookings_total", 500.0),
            ("2021-06", "bookings_total", 450.0),
            ("2021-04", "bookings_phone", 100.0),
            ("2021-05", "bookings_phone", 100.0),
            ("2021-06", "bookings_phone", 120.0),
            ("2021-04", "upload_tables_share", 40.0),
            ("2021-05", "upload_tables_share", 50.0),
            ("2021-06", "upload_tables_share", 45.0),
        ]
    )


def test_change_table_compares_with_the_month_before(three_months):
    t = trends.change_table(three_months, "2021-06", ["bookings_total", "bookings_phone"])
    assert list(t["measure"]) == ["bookings_total", "bookings_phone"]  # the report's order
    assert list(t["previous_month"]) == ["2021-05", "2021-05"]
    assert list(t["change"]) == [-50.0, 20.0]  # 450 - 500, 120 - 100
    assert list(t["change_pct"]) == [-10.0, 20.0]  # -50/500, 20/100


def test_change_rows_formats_each_measure_with_its_own_decimals(three_months):
    t = trends.change_table(three_months, "2021-05", ["bookings_total", "bookings_phone", "upload_tables_share"])
    shown = trends.change_rows(t, "en").set_index("measure")
    assert shown.loc["bookings_total", ["label", "unit", "previous", "value", "change", "change_pct"]].tolist() == [
        "All bookings",
        "bookings",
        "400",
        "500",
        "+100",
        "+25.0",
    ]
    assert shown.loc["bookings_phone", "change"] == "0" and shown.loc["bookings_phone", "change_pct"] == "+0.0"
    assert shown["direction"].tolist() == [1, 0, 1]
    # A share moves in percentage points: 40.0 → 50.0 is +10.0 points, +25.0 %.
    share = shown.loc["upload_tables_share"]
    assert (share["previous"], share["change"], share["change_unit"], share["change_pct"]) == (
        "40.0",
        "+10.0",
        "percentage points",
        "+25.0",
    )
    assert trends.change_rows(t, "zh").set_index("measure").loc["upload_tables_share", "change_unit"] == "个百分点"


def test_money_is_shown_to_the_fen():
    h = headlines([("2021-04", "kiosk_money_yuan", 352429428.50), ("2021-05", "kiosk_money_yuan", 352429428.57)])
    shown = trends.change_rows(trends.change_table(h, "2021-05", ["kiosk_money_yuan"]), "zh").iloc[0]
    assert (shown["previous"], shown["value"], shown["change"]) == ("352,429,428.50", "352,429,428.57", "+0.07")
    assert (shown["label"], shown["unit"]) == ("自助机挂号与缴费金额合计", "元")


def test_largest_change_in_per_cent_first_in_report_order_on_a_tie(three_months):
    t = trends.change_table(three_months, "2021-06", ["bookings_total", "bookings_phone", "upload_tables_share"])
    assert trends.largest_change(t) == "bookings_phone"  # +20 % against -10 % and -10 %
    tie = trends.change_table(three_months, "2021-06", ["bookings_total", "upload_tables_share"])
    assert trends.largest_change(tie) == "bookings_total"  # both -10 %


def test_the_first_month_has_no_change_table(three_months):
    t = trends.change_table(three_months, "2021-04", ["bookings_total"])
    assert t.empty and trends.largest_change(t) is None
    assert trends.change_rows(t).empty


def test_a_change_from_zero_has_no_per_cent():
    h = headlines([("2021-04", "names_unmatched", 0.0), ("2021-05", "names_unmatched", 2.0)])
    t = trends.change_table(h, "2021-05", ["names_unmatched"])
    assert t["change"].tolist() == [2.0] and t["change_pct"].isna().all()
    assert trends.largest_change(t) is None
    assert trends.change_rows(t)["change_pct"].tolist() == ["—"]
    assert trends.fmt_change_pct(t["change_pct"].iloc[0]) == "—"


def test_signed_changes_as_text():
    assert trends.fmt_change("bookings_total", 1000) == "+1,000"
    assert trends.fmt_change("bookings_total", -50) == "-50"
    assert trends.fmt_change("kiosk_money_yuan", 0.004) == "0.00"  # no sign on what shows as nothing
    assert trends.fmt_change_pct(2.34) == "+2.3%" and trends.fmt_change_pct(-10, sign_only=True) == "-10.0"


def test_first_to_last_month(three_months):
    out = trends.first_to_last(three_months, ["upload_tables_share", "bookings_total", "hotline_calls"])
    assert list(out["measure"]) == ["upload_tables_share", "bookings_total"]  # no hotline figure at all
    assert out["first"].tolist() == [40.0, 400.0] and out["last"].tolist() == [45.0, 450.0]
    assert out["change_pct"].tolist() == [12.5, 12.5]  # 5/40 and 50/400
    assert set(out["first_month"]) == {"2021-04"} and set(out["last_month"]) == {"2021-06"}
    assert trends.first_to_last(three_months[three_months["month"] == "2021-04"], ["bookings_total"]).empty


def test_series_names_measures_and_months_in_each_language(three_months):
    wide = trends.series(three_months, ["bookings_phone", "bookings_total"], "en")
    assert list(wide.columns) == ["Phone bookings", "All bookings"]
    assert list(wide.index) == ["April 2021", "May 2021", "June 2021"]
    assert wide["All bookings"].tolist() == [400.0, 500.0, 450.0]


@pytest.fixture
def coverage():
    rows = []
    for month, ecg in (("2021-04", {"玄武区"}), ("2021-05", {"玄武区", "秦淮区"}), ("2021-06", {"秦淮区"})):
        for area, eid in (("玄武区", "A01"), ("秦淮区", "A02")):
            rows.append((month, "ecg", area, eid, area in ecg))
            rows.append((month, "lab", area, eid, True))
    return pd.DataFrame(rows, columns=["month", "platform", "area", "entity_id", "connected"]).astype(
        {"connected": "boolean"}
    )


def test_areas_connected_per_platform_and_month(coverage):
    wide = trends.areas_connected_by_platform(coverage, "en")
    assert list(wide.columns) == ["ECG", "Laboratory"]
    assert wide["ECG"].tolist() == [1, 2, 1]
    assert wide["Laboratory"].tolist() == [2, 2, 2]


def test_which_areas_joined_and_left(coverage):
    entities = pd.DataFrame(
        {"entity_id": ["A01", "A02"], "name_zh": ["玄武区", "秦淮区"], "name_en": ["Xuanwu District", pd.NA]}
    )
    changes = trends.coverage_changes(coverage, "en", entities).set_index(["month", "platform"])
    assert changes.loc[("2021-05", "ecg"), "joined"] == ["秦淮区"]  # no English name: Chinese
    assert changes.loc[("2021-06", "ecg"), "left"] == ["Xuanwu District"]
    assert changes.loc[("2021-05", "lab"), "joined"] == [] and changes.loc[("2021-05", "lab"), "left"] == []
    assert changes.loc[("2021-05", "ecg"), "platform_label"] == "ECG"


def test_app_shares_by_month_by_hand():
    channel = pd.DataFrame(
        {
            "month": ["2021-04", "2021-04", "2021-05", "2021-05"],
            "channel": ["甲", "乙", "甲", "乙"],
            "bookings": pd.array([30, 10, 20, 30], dtype="Int64"),
        }
    )
    shares = trends.app_shares_by_month(channel)
    assert list(shares.columns) == ["甲", "乙"]  # 50 against 40 bookings over both months
    assert shares.loc["2021-04"].tolist() == [0.75, 0.25]
    assert shares.loc["2021-05"].tolist() == [0.4, 0.6]


def test_upload_share_by_area_by_hand():
    district = pd.DataFrame(
        {
            "month": ["2021-04", "2021-05"],
            "area": ["玄武区", "玄武区"],
            "entity_id": ["A01", "A01"],
            "uploaded_tables": pd.array([43, 86], dtype="Int64"),
            "required_tables": pd.array([129, 129], dtype="Int64"),
        }
    )
    wide = trends.upload_share_by_area(district, "zh")
    assert wide.loc["玄武区", "2021年4月"] == pytest.approx(100 * 43 / 129)
    assert wide.loc["玄武区", "2021年5月"] == pytest.approx(100 * 86 / 129)


def test_headline_rows_one_column_per_month_in_measure_order(three_months):
    rows = trends.headline_rows(three_months, "zh")
    assert list(rows["measure"]) == ["bookings_total", "bookings_phone", "upload_tables_share"]  # MEASURES order
    assert list(rows.columns) == ["measure", "label", "unit", "basis", "2021-04", "2021-05", "2021-06"]
    assert rows.iloc[0][["label", "unit", "2021-05"]].tolist() == ["预约挂号总量", "次", "500"]
    assert rows.iloc[2][["unit", "2021-06"]].tolist() == ["%", "45.0"]
    partial = three_months[~((three_months["month"] == "2021-05") & (three_months["measure"] == "bookings_phone"))]
    assert trends.headline_rows(partial).set_index("measure").loc["bookings_phone", "2021-05"] == "—"


def test_printed_differences_lists_only_totals_the_rows_do_not_match():
    h = headlines([("2021-04", "kiosk_money_yuan", 352429428.50), ("2021-04", "bookings_total", 427194.0)])
    h["basis"] = "printed"
    h["difference"] = pd.array([-0.01, 0.0], dtype="Float64")  # printed − rows: the rows are one fen over
    out = trends.printed_differences(h)
    assert out["measure"].tolist() == ["kiosk_money_yuan"] and out["difference"].tolist() == [-0.01]
    assert trends.printed_differences(headlines([("2021-04", "bookings_total", 1.0)])).empty  # nothing printed


def test_printed_differences_of_the_months_shown_only():
    h = headlines([("2021-04", "kiosk_money_yuan", 352429428.50), ("2021-05", "kiosk_money_yuan", 1.0)])
    h["basis"] = "printed"
    h["difference"] = pd.array([-0.01, 2.0], dtype="Float64")
    assert trends.printed_differences(h, ["2021-05"])["month"].tolist() == ["2021-05"]
    assert trends.printed_differences(h)["month"].tolist() == ["2021-04", "2021-05"]


def test_a_table_over_years_of_months_shows_the_latest_year():
    months = [f"{2021 + (i + 3) // 12}-{(i + 3) % 12 + 1:02d}" for i in range(30)]  # 2021-04 …
    assert trends.latest_months(months) == months[-12:] and trends.latest_months(months)[0] == "2022-10"
    assert trends.latest_months(months[:5]) == months[:5]  # fewer: every month

"""Month-over-month tables and sentences of the reports, and the trends report's series,
checked against values computed by hand on small made-up months."""

from __future__ import annotations

import pandas as pd
import pytest

from metroanalysis.analysis import trends


def headlines(rows):
    df = pd.DataFrame(rows, columns=["month", "measure", "value"])
    df["label_zh"] = df["measure"].map(lambda m: trends.HEADLINES[m][0])
    df["unit"] = df["measure"].map(lambda m: trends.HEADLINES[m][1])
    df["group"] = df["measure"].map(lambda m: trends.HEADLINES[m][2])
    return df[["month", "measure", "label_zh", "unit", "group", "value"]].astype(
        {"month": "string", "measure": "string"}
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


def test_change_sentence_by_hand(three_months):
    t = trends.change_table(three_months, "2021-06", ["bookings_total", "bookings_phone", "upload_tables_share"])
    zh = trends.change_sentence(t, "2021-06", "zh")
    assert zh == (
        "与2021年5月相比，预约挂号总量减少 50 次（-10.0%），电话预约增加 20 次（+20.0%），"
        "各区已上传表占规定上传表比例减少 5.0 个百分点（-10.0%）；变化幅度最大的是电话预约（+20.0%）。"
    )
    en = trends.change_sentence(t, "2021-06", "en")
    assert en.startswith("Compared with May 2021: all bookings down 50 bookings (-10.0%); phone bookings up 20")
    assert en.endswith("The largest relative change is in phone bookings (+20.0%).")


def test_change_display_has_both_months_and_the_changes(three_months):
    t = trends.change_table(three_months, "2021-05", ["bookings_total", "bookings_phone"])
    shown = trends.change_display(t, "en")
    assert list(shown.columns) == ["Unit", "April 2021", "May 2021", "Change", "Change (%)"]
    assert shown.loc["All bookings"].tolist() == ["bookings", "400", "500", "+100", "+25.0%"]
    assert shown.loc["Phone bookings", "Change"] == "0"


def test_the_first_month_says_there_is_nothing_to_compare(three_months):
    t = trends.change_table(three_months, "2021-04", ["bookings_total"])
    assert t.empty
    assert trends.change_sentence(t, "2021-04", "zh") == "数据中还没有2021年4月之前的月份，暂时没有可以比较的上月数据。"
    assert "nothing to compare yet" in trends.change_sentence(t, "2021-04", "en")


def test_trend_sentence_first_to_last(three_months):
    text = trends.trend_sentence(three_months, "zh")
    # 400 → 450 is +12.5 %; 40 → 45 (per cent of tables) is +12.5 % too
    assert text.startswith("2021年4月至2021年6月（3 个月），预约挂号总量从 400 到 450 次（+12.5%）")
    assert "各区已上传表占规定上传表比例从 40.0 到 45.0%（+12.5%）" in text


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
    assert changes.loc[("2021-05", "ecg"), "joined"] == "秦淮区"  # no English name: Chinese
    assert changes.loc[("2021-06", "ecg"), "left"] == "Xuanwu District"
    assert changes.loc[("2021-05", "lab"), "joined"] == "" and changes.loc[("2021-05", "lab"), "left"] == ""
    zh = trends.coverage_changes(coverage, "zh", entities)
    assert trends.joined_sentence(zh, "zh") == "2021年5月远程心电：秦淮区新接入；2021年6月远程心电：玄武区不再对接。"


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


def test_a_change_from_zero_has_no_per_cent():
    h = headlines([("2021-04", "names_unmatched", 0.0), ("2021-05", "names_unmatched", 2.0)])
    t = trends.change_table(h, "2021-05", ["names_unmatched"])
    assert t["change"].tolist() == [2.0] and t["change_pct"].isna().all()
    assert trends.change_sentence(t, "2021-05", "zh") == "与2021年4月相比，登记表中没有的名称数增加 2 个（—）。"

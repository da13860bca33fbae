"""hotline_calls and hotline_province against lines 40 and 42 of the raw bulletin, read by eye."""

from __future__ import annotations

import pandas as pd
import pytest

# Line 40: 2021年4月，南京12320卫生热线共受理咨询电话106398个，其中咨询类（不含专家咨询）16771个、
# 医疗服务投诉241个、电话预约44461个、人工服务43301通、心理危机干预167个、医院满意度调查（呼入）129个、
# 自助语音问答1328个，受理市12345工单1840件，省12345工单740件。
CALLS = [
    ("total", "咨询电话", 106398, "个", False),
    ("consultations", "咨询类（不含专家咨询）", 16771, "个", True),
    ("complaints", "医疗服务投诉", 241, "个", True),
    ("phone_bookings", "电话预约", 44461, "个", True),
    ("operator_service", "人工服务", 43301, "通", True),
    ("crisis_intervention", "心理危机干预", 167, "个", True),
    ("satisfaction_survey", "医院满意度调查（呼入）", 129, "个", True),
    ("self_service_voice", "自助语音问答", 1328, "个", True),
    ("city_12345_orders", "市12345工单", 1840, "件", False),
    ("province_12345_orders", "省12345工单", 740, "件", False),
]
# Line 42: 4月，全省12320共接听电话126232人次，各市电话量统计为：南京106398人次、苏州13976人次、
# 南通3276人次、镇江907人次、无锡882人次、扬州793人次。
CITIES = [("南京", 106398), ("苏州", 13976), ("南通", 3276), ("镇江", 907), ("无锡", 882), ("扬州", 793)]


def test_hotline_calls_every_category_in_printed_order(parsed):
    df = parsed.tables["hotline_calls"]
    got = list(df[["category", "label", "calls", "unit", "in_total"]].itertuples(index=False, name=None))
    assert got == CALLS
    assert (df["source_line"] == 40).all()


def test_hotline_calls_dtypes(parsed):
    df = parsed.tables["hotline_calls"]
    assert df["category"].dtype == "string"
    assert df["label"].dtype == "string"
    assert df["calls"].dtype == "Int64"
    assert df["in_total"].dtype == "boolean"
    assert df["source_line"].dtype == "Int64"


def test_hotline_categories_after_qizhong_compose_the_total(parsed):
    df = parsed.tables["hotline_calls"]
    assert df.loc[df["in_total"], "calls"].sum() == 106398


def test_hotline_province_cities(parsed):
    df = parsed.tables["hotline_province"]
    assert list(zip(df["city"], df["calls"], strict=True)) == CITIES
    assert (df["unit"] == "人次").all()
    assert (df["source_line"] == 42).all()
    assert df["calls"].dtype == "Int64" and df["city"].dtype == "string"
    assert "全省" not in set(df["city"]) and "合计" not in set(df["city"])


def test_hotline_province_total_is_a_printed_total(parsed):
    t = parsed.printed_totals
    row = t[t["table"] == "hotline_province"]
    assert len(row) == 1
    row = row.iloc[0]
    assert (row["column"], row["value"], row["unit"], row["source_line"]) == ("calls", 126232, "人次", 42)
    assert sum(c for _, c in CITIES) == 126232


@pytest.mark.parametrize(
    ("rule", "entity"),
    [
        # named as printed on line 40 (a reviewer reads Chinese, not column keys)
        ("categories_compose_total", "咨询电话"),
        ("hotline_phone_bookings_equal_booking_table", "电话预约"),
        ("province_nanjing_equals_hotline_total", "南京"),
    ],
)
def test_hotline_identities_hold(parsed, rule, entity):
    from metroanalysis.clean.checks import run_checks

    q = run_checks(parsed.tables, parsed.printed_totals, parsed.missing)
    row = q[(q["rule"] == rule) & (q["entity"] == entity)]
    assert len(row) == 1
    assert row.iloc[0]["status"] == "ok", row.to_dict("records")
    assert not pd.isna(row.iloc[0]["source_line"])

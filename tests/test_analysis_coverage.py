"""Regional coverage, with expected values computed by hand from data/raw/2021-04/bulletin.txt
(远程医疗系统数据统计, 数据采集情况（区）and（医院）, the 累计 footnotes)."""

import pandas as pd
import pytest

from metroanalysis.analysis import coverage


@pytest.fixture(scope="module")
def month(april):
    return april  # cleaned into a scratch folder, never into the repository


def test_days_in_month():
    assert coverage.days_in_month("2021-04") == 30
    assert coverage.days_in_month("2024-02") == 29


def test_coverage_matrix(month):
    matrix = coverage.coverage_matrix(month.remote_coverage)
    assert matrix.shape == (12, 4)
    assert list(matrix.columns) == ["远程会诊", "远程心电", "远程临检", "远程影像"]
    assert not matrix.loc["秦淮区"].any()  # named as not connected by all four platforms
    assert matrix.loc["建邺区"].all()
    not_reached = {p: set(matrix.index[~matrix[p]]) for p in matrix.columns}
    assert not_reached == {
        "远程会诊": {"鼓楼区", "玄武区", "秦淮区"},
        "远程心电": {"秦淮区"},
        "远程临检": {"鼓楼区", "秦淮区", "雨花台区"},
        "远程影像": {"秦淮区", "栖霞区"},
    }
    assert "秦淮区未接入任何一个平台" in coverage.never_reached_sentence(matrix)


def test_platform_gaps(month):
    gaps = coverage.platform_gaps(month.remote_coverage, month.remote_platforms).set_index("platform")
    assert gaps.loc["consultation", "areas_covered"] == 9
    assert gaps.loc["ecg", "areas_not_reached"] == "秦淮区"
    assert gaps.loc["imaging", "institutions_connected"] == 151
    assert pd.isna(gaps.loc["pathology", "areas_covered"])
    assert "计划近期接入江苏省人民医院" in gaps.loc["pathology", "status"]


def test_district_upload_completeness(month):
    uploads = coverage.district_uploads(month.upload_by_district, "2021-04").set_index("area")
    jiangning = uploads.loc["江宁区"]  # 63/129, 60 tables, 30 days
    assert jiangning["uploaded_of_declared"] == pytest.approx(60 / 63)
    assert jiangning["uploaded_of_required"] == pytest.approx(60 / 129)
    assert jiangning["declared_of_required"] == pytest.approx(63 / 129)
    assert uploads.loc["六合区", "upload_days_share"] == pytest.approx(19 / 30)
    assert uploads.loc["雨花台区", "upload_days"] == 17


def test_hospital_not_reported_is_flagged_not_zero(month):
    uploads = coverage.hospital_uploads(month.upload_by_hospital, "2021-04").set_index("hospital")
    assert int((~uploads["reported"]).sum()) == 14  # 未反馈 printed 14 times
    tcm = uploads.loc["江苏省中医院"]  # 未反馈/83, 32 tables
    assert not tcm["reported"]
    assert tcm["declared_text"] == "未反馈"
    assert pd.isna(tcm["declared_tables"]) and pd.isna(tcm["uploaded_of_declared"])
    assert tcm["uploaded_of_required"] == pytest.approx(32 / 83)
    assert uploads.loc["南京鼓楼医院", "uploaded_of_declared"] == pytest.approx(54 / 58)
    assert "14 家未反馈" in coverage.hospital_upload_sentence(uploads.reset_index())


def test_health_records_per_thousand(month):
    records = coverage.health_records(month.upload_by_district).set_index("area")
    assert records.loc["江宁区", "hypertension_per_1000"] == pytest.approx(85658 / 939229 * 1000)
    assert records.loc["江宁区", "diabetes_per_1000"] == pytest.approx(30577 / 939229 * 1000)
    assert records.loc["秦淮区", "hypertension_per_1000"] == 0  # printed 0, and 436030 basic records
    basic = 939229 + 460124 + 435148 + 351826 + 687975 + 949672 + 436030 + 882423 + 475987 + 572272 + 507117 + 528574
    hypertension = 85658 + 61657 + 48981 + 48810 + 76716 + 125926 + 0 + 36863 + 57230 + 68087 + 47786 + 78407
    assert records.loc["合计", "health_records_basic"] == basic
    assert records.loc["合计", "hypertension_per_1000"] == pytest.approx(hypertension / basic * 1000)


def test_metro_facts(month):
    facts = coverage.metro_facts(
        month.remote_volumes, month.cumulative_totals, month.remote_institutions, month.remote_platforms
    )
    values = dict(zip(facts["measure_zh"], facts["value"], strict=True))
    assert values["区及医院累计校验入库数据"] == 10_178_000_000  # 101.78亿条
    assert values["总预约挂号量"] == 24033728
    assert values["图像量"] == 7309816
    assert values["联通城市"] == 4  # 心电: 南京、马鞍山、镇江、扬州
    assert "24,033,728 次" in coverage.metro_sentence(facts)

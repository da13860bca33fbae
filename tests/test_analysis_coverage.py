"""Regional coverage, with expected values computed by hand from data/raw/2021-04/bulletin.txt
(远程医疗系统数据统计 lines 384-394, 数据采集情况（区）lines 395-547 and（医院）lines 550-774, the
累计 footnotes at lines 341 and 777), and small hand-made frames for the edge cases."""

from pathlib import Path

import pandas as pd
import pytest

from metroanalysis import load_month
from metroanalysis.analysis import coverage

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def month(tmp_path_factory):
    # Cleaned into a scratch folder: tests never write into the repository.
    return load_month("2021-04", root=ROOT, processed=tmp_path_factory.mktemp("processed"))


def test_days_in_month():
    assert coverage.days_in_month("2021-04") == 30
    assert coverage.days_in_month("2024-02") == 29


# ---------------------------------------------------------------------------------------------
# Platforms × areas


def test_coverage_matrix_marks_each_area_named_as_not_connected(month):
    matrix = coverage.coverage_matrix(month.remote_coverage)
    assert matrix.shape == (12, 4)  # 远程病理 (line 394) gives no areas, so it has no column
    assert list(matrix.columns) == ["远程会诊", "远程心电", "远程临检", "远程影像"]
    assert not matrix.loc["秦淮区"].any()  # named as not connected by all four platforms
    assert matrix.loc["建邺区"].all()
    not_reached = {p: set(matrix.index[~matrix[p]]) for p in matrix.columns}
    assert not_reached == {
        "远程会诊": {"鼓楼区", "玄武区", "秦淮区"},  # line 386
        "远程心电": {"秦淮区"},  # line 388
        "远程临检": {"鼓楼区", "秦淮区", "雨花台区"},  # line 390
        "远程影像": {"秦淮区", "栖霞区"},  # line 392
    }


def test_coverage_matrix_names_platforms_from_the_vocabulary_in_english(month):
    matrix = coverage.coverage_matrix(month.remote_coverage, "en", month.entities)
    assert list(matrix.columns) == ["Consultation", "ECG", "Laboratory", "Imaging"]
    assert "Qinhuai District" in matrix.index


def test_area_gaps_count_platforms_not_connected(month):
    gaps = coverage.area_gaps(coverage.coverage_matrix(month.remote_coverage)).set_index("area")
    assert gaps.loc["秦淮区", "not_connected"] == 4
    assert gaps.loc["鼓楼区", "not_connected"] == 2  # 会诊 and 临检
    assert (gaps["platforms_known"] == 4).all()
    # 建邺、浦口、江宁、六合、溧水、高淳、江北新区 are named by no platform as not connected.
    assert int((gaps["not_connected"] == 0).sum()) == 7


def test_area_gaps_count_an_unknown_cell_as_neither():
    matrix = pd.DataFrame({"a": [True, False], "b": [pd.NA, False]}, index=["甲区", "乙区"]).astype("boolean")
    gaps = coverage.area_gaps(matrix).set_index("area")
    assert gaps.loc["甲区"].tolist() == [0, 1]
    assert gaps.loc["乙区"].tolist() == [2, 2]


def test_platform_gaps_quote_the_printed_counts_and_list_the_areas_left_out(month):
    gaps = coverage.platform_gaps(month.remote_coverage, month.remote_platforms).set_index("platform")
    assert gaps.loc["consultation", "areas_covered"] == 9  # 覆盖9个辖区, line 386
    assert gaps.loc["consultation", "areas_not_reached"] == ["玄武区", "秦淮区", "鼓楼区"]  # reference order
    assert gaps.loc["ecg", "areas_covered"] == 11  # line 388
    assert gaps.loc["ecg", "areas_not_reached"] == ["秦淮区"]
    assert gaps.loc["imaging", "institutions_connected"] == 151  # line 392
    assert gaps.loc["imaging", "platform_name"] == "远程影像"
    assert pd.isna(gaps.loc["pathology", "areas_covered"])
    assert gaps.loc["pathology", "areas_not_reached"] is pd.NA
    assert "计划近期接入江苏省人民医院" in gaps.loc["pathology", "status"]  # line 394


def test_a_platform_reaching_every_area_has_an_empty_list():
    coverage_rows = pd.DataFrame(
        {"platform": ["ecg", "ecg"], "area": ["玄武区", "秦淮区"], "connected": [True, True]}
    ).astype({"connected": "boolean"})
    platforms = pd.DataFrame(
        {"platform": ["ecg"], "institutions_connected": [3], "districts_covered": [2], "status": [pd.NA]}
    )
    gaps = coverage.platform_gaps(coverage_rows, platforms, "en")
    assert gaps.loc[0, "areas_not_reached"] == []
    assert gaps.loc[0, "platform_name"] == "ECG"


# ---------------------------------------------------------------------------------------------
# Uploads


def test_district_upload_ratios_say_what_is_divided_by_what(month):
    uploads = coverage.district_uploads(month.upload_by_district, "2021-04").set_index("area")
    jiangning = uploads.loc["江宁区"]  # lines 417-421: 63/129, 60 tables, 30 days
    assert jiangning["uploaded_of_declared"] == pytest.approx(60 / 63)
    assert jiangning["uploaded_of_required"] == pytest.approx(60 / 129)
    assert jiangning["declared_of_required"] == pytest.approx(63 / 129)
    assert uploads.loc["六合区", "upload_days_share"] == pytest.approx(19 / 30)  # line 465
    assert uploads.loc["雨花台区", "upload_days"] == 17  # line 509


def test_district_spread_names_the_most_and_least_complete_areas(month):
    uploads = coverage.district_uploads(month.upload_by_district, "2021-04")
    got = coverage.spread(uploads, "uploaded_of_required", "area")
    assert got.n == 12 and got.missing_units == ()
    assert got.highest_units == ("溧水区",) and got.highest == pytest.approx(63 / 129)  # lines 439-441
    assert got.lowest_units == ("秦淮区",) and got.lowest == pytest.approx(19 / 129)  # lines 483-485


def test_missed_upload_days_lists_the_areas_short_of_the_month(month):
    uploads = coverage.district_uploads(month.upload_by_district, "2021-04")
    short = coverage.missed_upload_days(uploads)
    # 雨花台区 17 days (line 509), 六合区 19 (465), 秦淮区 20 (487); every other area 30.
    assert list(zip(short["area"], short["upload_days"], strict=True)) == [
        ("雨花台区", 17),
        ("六合区", 19),
        ("秦淮区", 20),
    ]


def test_a_hospital_printed_not_reported_is_flagged_not_zero(month):
    uploads = coverage.hospital_uploads(month.upload_by_hospital, "2021-04").set_index("hospital")
    assert int((~uploads["reported"]).sum()) == 14  # 未反馈 printed 14 times, lines 561-769
    tcm = uploads.loc["江苏省中医院"]  # lines 560-562: 未反馈/83, 32 tables
    assert not tcm["reported"]
    assert pd.isna(tcm["declared_tables"]) and pd.isna(tcm["uploaded_of_declared"])
    assert pd.isna(tcm["declared_of_required"])
    assert tcm["uploaded_of_required"] == pytest.approx(32 / 83)
    assert uploads.loc["南京鼓楼医院", "uploaded_of_declared"] == pytest.approx(54 / 58)  # lines 568-570


def test_uploaded_of_required_is_computed_for_all_27_hospitals(month):
    uploads = coverage.hospital_uploads(month.upload_by_hospital, "2021-04")
    got = coverage.spread(uploads, "uploaded_of_required", "hospital")
    assert got.n == 27 and got.missing_units == ()
    # Uploaded tables of the 27 (required 83 each), sorted: 8 8 9 9 10 10 10 10 11 22 23 26 27
    # 28 30 30 32 32 34 36 39 40 49 51 54 63 66 — the 14th is 28 (江苏省级机关医院, line 714).
    assert got.median == pytest.approx(28 / 83)
    assert got.lowest_units == ("南京脑科医院", "南京市胸科医院") and got.lowest == pytest.approx(8 / 83)
    assert got.highest_units == ("南京市中医院",) and got.highest == pytest.approx(66 / 83)  # line 610


def test_uploaded_of_declared_uses_the_13_hospitals_that_declared(month):
    uploads = coverage.hospital_uploads(month.upload_by_hospital, "2021-04")
    got = coverage.spread(uploads, "uploaded_of_declared", "hospital")
    assert got.n == 13 and len(got.missing_units) == 14
    assert "江苏省人民医院" in got.missing_units  # line 577: 未反馈/83
    # Sorted: 9/39 28/49 40/66 49/72 28/37 39/46 51/56 54/58 63/67 34/35 36/36 22/22 66/66;
    # the 7th is 51/56 (南京市中西医结合医院, lines 672-674).
    assert got.median == pytest.approx(51 / 56)
    assert got.lowest_units == ("南京市江北人民医院",)  # 9/39, lines 704-706
    assert got.highest == 1 and got.highest_units == ("南京市第二医院", "东南大学附属中大医院", "南京市中医院")


def test_spread_keeps_ties_and_names_the_units_without_a_value():
    df = pd.DataFrame({"unit": ["a", "b", "c", "d"], "share": pd.array([0.5, pd.NA, 0.5, 0.2], dtype="Float64")})
    got = coverage.spread(df, "share", "unit")
    assert (got.n, got.median, got.lowest, got.lowest_units) == (3, 0.5, 0.2, ("d",))
    assert (got.highest, got.highest_units, got.missing_units) == (0.5, ("a", "c"), ("b",))


def test_spread_of_nothing_has_no_median():
    df = pd.DataFrame({"unit": ["a"], "share": pd.array([pd.NA], dtype="Float64")})
    got = coverage.spread(df, "share", "unit")
    assert (got.n, got.median, got.highest_units, got.missing_units) == (0, None, (), ("a",))
    assert coverage.spread(df.iloc[:0], "share", "unit").n == 0


def test_a_zero_denominator_gives_no_ratio():
    df = pd.DataFrame(
        {
            "area": ["甲区"],
            "declared_tables": pd.array([0], dtype="Int64"),
            "required_tables": pd.array([0], dtype="Int64"),
            "uploaded_tables": pd.array([5], dtype="Int64"),
            "upload_volume": pd.array([1], dtype="Int64"),
            "upload_days": pd.array([3], dtype="Int64"),
        }
    )
    row = coverage.district_uploads(df, "2021-02").iloc[0]
    assert pd.isna(row["uploaded_of_declared"]) and pd.isna(row["uploaded_of_required"])
    assert row["upload_days_share"] == pytest.approx(3 / 28)


# ---------------------------------------------------------------------------------------------
# Health records


def _records(basic, hypertension, diabetes) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area": [f"区{i}" for i in range(len(basic))],
            "health_records_basic": pd.array(basic, dtype="Int64"),
            "health_records_hypertension": pd.array(hypertension, dtype="Int64"),
            "health_records_diabetes": pd.array(diabetes, dtype="Int64"),
        }
    )


def test_a_zero_count_against_basic_records_is_not_reported():
    records = coverage.health_records(_records([1000, 2000, 0, 500], [100, 0, 0, pd.NA], [10, 40, 0, 5]))
    assert records["hypertension_reported"].tolist() == [True, False, True, False]
    assert records["hypertension_per_1000"].tolist()[0] == pytest.approx(100)
    assert records["hypertension_per_1000"].isna().tolist() == [False, True, True, True]  # 0/0 has no rate either
    assert records["diabetes_reported"].tolist() == [True, True, True, True]
    assert records.loc[1, "diabetes_per_1000"] == pytest.approx(20)  # one kind missing leaves the other


def test_city_rates_leave_the_unreported_areas_out_of_both_sums():
    records = coverage.health_records(_records([1000, 2000, 3000], [100, 0, 300], [10, 40, 0]))
    rates = coverage.city_record_rates(records).set_index("kind")
    assert rates.loc["hypertension", "records"] == 400 and rates.loc["hypertension", "basic_records"] == 4000
    assert rates.loc["hypertension", "per_1000"] == pytest.approx(100)
    assert rates.loc["hypertension", "excluded"] == ("区1",) and rates.loc["hypertension", "areas"] == 2
    assert rates.loc["diabetes", "per_1000"] == pytest.approx(50 / 3000 * 1000)
    assert rates.loc["diabetes", "excluded"] == ("区2",)


def test_city_rates_with_no_reporting_area_are_missing():
    rates = coverage.city_record_rates(coverage.health_records(_records([1000], [0], [0]))).set_index("kind")
    assert pd.isna(rates.loc["hypertension", "per_1000"]) and rates.loc["hypertension", "areas"] == 0


def test_qinhuai_prints_no_special_records_and_is_left_out_of_the_city_rates(month):
    records = coverage.health_records(month.upload_by_district).set_index("area")
    assert records.loc["江宁区", "hypertension_per_1000"] == pytest.approx(85658 / 939229 * 1000)  # lines 424-426
    assert records.loc["江宁区", "diabetes_per_1000"] == pytest.approx(30577 / 939229 * 1000)
    # 秦淮区, lines 490-492: 436030 basic records, 0 hypertension, 0 diabetes.
    assert not records.loc["秦淮区", "hypertension_reported"] and not records.loc["秦淮区", "diabetes_reported"]
    assert pd.isna(records.loc["秦淮区", "hypertension_per_1000"])
    rates = coverage.city_record_rates(records.reset_index()).set_index("kind")
    basic = 939229 + 460124 + 435148 + 351826 + 687975 + 949672 + 882423 + 475987 + 572272 + 507117 + 528574
    hypertension = 85658 + 61657 + 48981 + 48810 + 76716 + 125926 + 36863 + 57230 + 68087 + 47786 + 78407
    diabetes = 30577 + 15727 + 13542 + 16325 + 27298 + 27892 + 5752 + 16149 + 23659 + 16567 + 30534
    assert rates.loc["hypertension", "basic_records"] == basic == 6790347
    assert rates.loc["hypertension", "records"] == hypertension == 736121
    assert rates.loc["hypertension", "per_1000"] == pytest.approx(hypertension / basic * 1000)  # 108.4
    assert rates.loc["diabetes", "per_1000"] == pytest.approx(diabetes / basic * 1000)  # 33.0
    assert rates.loc["diabetes", "excluded"] == ("秦淮区",) and rates.loc["diabetes", "areas"] == 11


# ---------------------------------------------------------------------------------------------
# Volumes and running totals


def test_metro_facts_keep_printed_measures_with_their_kind_and_line(month):
    facts = coverage.metro_facts(
        month.remote_volumes, month.cumulative_totals, month.remote_institutions, month.remote_platforms
    )
    by_measure = facts.dropna(subset=["measure_zh"]).set_index("measure_zh")
    assert by_measure.loc["区及医院累计校验入库数据", "value"] == 10_178_000_000  # 101.78亿条, line 777
    assert by_measure.loc["总预约挂号量", "value"] == 24033728  # line 341
    assert by_measure.loc["总预约挂号量", "kind"] == "running_total"
    assert pd.isna(by_measure.loc["总预约挂号量", "platform"]) and by_measure.loc["总预约挂号量", "as_of"] == "4月底"
    assert by_measure.loc["图像量", "value"] == 7309816 and by_measure.loc["图像量", "period"] == "month"  # line 392
    assert by_measure.loc["累计会诊", "period"] == "to_date"  # 累计通过平台开展各类会诊123次, line 386
    cities = facts[facts["kind"] == "cities"]
    assert cities["platform"].tolist() == ["ecg"] and cities["value"].tolist() == [4]  # 南京、马鞍山、镇江、扬州
    metro = facts[facts["kind"] == "institutions"]
    assert dict(zip(metro["platform"], metro["value"], strict=True)) == {"consultation": 1, "ecg": 7}


def test_metro_facts_without_the_optional_tables(month):
    facts = coverage.metro_facts(month.remote_volumes, month.cumulative_totals)
    assert set(facts["kind"]) == {"volume", "running_total"}


def test_metro_facts_of_a_month_without_the_tables_is_empty(month):
    facts = coverage.metro_facts(month.remote_volumes.iloc[:0], month.cumulative_totals.iloc[:0])
    assert facts.empty and facts["value"].dtype == "Int64"


def test_as_of_month_reads_the_printed_month_end():
    assert coverage.as_of_month("4月底", "2021-04") == "2021-04"
    assert coverage.as_of_month("12月底", "2021-01") == "2020-12"
    assert coverage.as_of_month("4月20日", "2021-04") is None
    assert coverage.as_of_month(pd.NA, "2021-04") is None

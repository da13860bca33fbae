"""upload_by_district (lines 395-548) and upload_by_hospital (lines 550-775), read off the raw text."""

from __future__ import annotations

import pandas as pd
import pytest

DISTRICT_COLUMNS = [
    "area",
    "declared_tables",
    "required_tables",
    "uploaded_tables",
    "upload_volume",
    "upload_days",
    "outpatient_records",
    "discharge_records",
    "health_records_basic",
    "health_records_hypertension",
    "health_records_diabetes",
    "source_line",
]
DISTRICTS = [
    ("江宁区", 63, 129, 60, 13859479, 30, 510296, 3235, 939229, 85658, 30577, 417),
    ("秦淮区", 58, 129, 19, 1998362, 20, 113162, 543, 436030, 0, 0, 483),
    ("栖霞区", 55, 129, 35, 1348345, 30, 19730, 141, 528574, 78407, 30534, 538),
]
AREAS_IN_ORDER = [
    "江宁区",
    "高淳区",
    "溧水区",
    "浦口区",
    "六合区",
    "江北新区",
    "秦淮区",
    "鼓楼区",
    "雨花台区",
    "建邺区",
    "玄武区",
    "栖霞区",
]

HOSPITAL_COLUMNS = [
    "hospital",
    "declared_tables",
    "declared_reported",
    "required_tables",
    "uploaded_tables",
    "upload_volume",
    "upload_days",
    "outpatient_records",
    "discharge_records",
    "source_line",
]
HOSPITALS = [
    ("江苏省中医院", None, False, 83, 32, 14801715, 30, 386987, 5349, 560),
    ("南京鼓楼医院", 58, True, 83, 54, 14323874, 30, 362920, 9118, 568),
    ("南京脑科医院", None, False, 83, 8, 1942362, 30, 82696, 0, 688),
    ("江苏省级机关医院", 37, True, 83, 28, 1353800, 30, 82299, 7, 712),
    ("南京市职业病防治院", None, False, 83, 30, 42537, 30, 1427, 10, 768),
]


def nullable(v):
    return None if pd.isna(v) else v


@pytest.mark.parametrize("expected", DISTRICTS, ids=lambda r: r[0])
def test_upload_by_district_rows(parsed, expected):
    df = parsed.tables["upload_by_district"]
    row = df[df["area"] == expected[0]]
    assert len(row) == 1
    assert tuple(row.iloc[0][c] for c in DISTRICT_COLUMNS) == expected
    assert bool(row.iloc[0]["declared_reported"]) is True


def test_upload_by_district_twelve_areas_in_printed_order(parsed):
    df = parsed.tables["upload_by_district"]
    assert list(df["area"]) == AREAS_IN_ORDER
    assert list(df["source_line"]) == list(range(417, 539, 11))
    assert (df["required_tables"] == 129).all()


def test_upload_by_district_dtypes(parsed):
    df = parsed.tables["upload_by_district"]
    for c in DISTRICT_COLUMNS[1:]:
        assert df[c].dtype == "Int64", c
    assert df["area"].dtype == "string"
    assert df["declared_reported"].dtype == "boolean"


@pytest.mark.parametrize("expected", HOSPITALS, ids=lambda r: r[0])
def test_upload_by_hospital_rows(parsed, expected):
    df = parsed.tables["upload_by_hospital"]
    row = df[df["hospital"] == expected[0]]
    assert len(row) == 1
    assert tuple(nullable(row.iloc[0][c]) for c in HOSPITAL_COLUMNS) == expected


def test_weifankui_is_missing_with_a_flag_never_zero(parsed, raw_lines):
    df = parsed.tables["upload_by_hospital"]
    assert len(df) == 27
    printed = [no for no in range(551, 776) if raw_lines[no - 1].strip().startswith("未反馈/")]
    assert len(printed) == 14
    not_reported = df[~df["declared_reported"]]
    assert list(not_reported["source_line"] + 1) == printed  # the ratio is the cell after the name
    assert not_reported["declared_tables"].isna().all()
    reported = df[df["declared_reported"]]
    assert reported["declared_tables"].notna().all() and (reported["declared_tables"] > 0).all()
    assert df["declared_tables"].dtype == "Int64"
    assert df["declared_reported"].dtype == "boolean"


def test_upload_by_hospital_dtypes(parsed):
    df = parsed.tables["upload_by_hospital"]
    for c in HOSPITAL_COLUMNS[1:]:
        if c != "declared_reported":
            assert df[c].dtype == "Int64", c
    assert df["hospital"].dtype == "string"


def test_upload_tables_print_no_totals(parsed):
    assert not parsed.printed_totals["table"].str.startswith("upload").any()

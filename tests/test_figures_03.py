"""Report 03 (regional coverage) states the bulletin's figures, read off
data/raw/2021-04/bulletin.txt by hand, in Chinese and in English."""

import pytest

pytestmark = pytest.mark.slow

NAME = "03-regional-coverage"


def test_the_coverage_finding_names_the_area_connected_to_no_platform(report_text):
    text = report_text(NAME)
    # Lines 386-392: 秦淮区 is named as not connected by all four platforms; 建邺、浦口、江宁、
    # 六合、溧水、高淳、江北新区 by none.
    assert "12 个区有 7 个区全部接入；秦淮区一个平台也没有接入" in text
    assert "远程会诊覆盖 9 个区，未对接的是玄武区、秦淮区、鼓楼区" in text  # 覆盖9个辖区, line 386


def test_city_health_record_rates_leave_qinhuai_out(report_text):
    text = report_text(NAME)
    # Lines 417-547 without 秦淮区 (lines 490-492: 436030 basic, 0, 0): hypertension 736,121 and
    # diabetes 224,022 over 6,790,347 basic records → 108.4 and 33.0 per 1,000.
    assert "高血压档案 108.4 份（11 个区的 736,121 份 ÷ 6,790,347 份基本档案 × 1000）" in text
    assert "糖尿病档案 33.0 份（11 个区的 224,022 份 ÷ 6,790,347 份基本档案 × 1000）" in text
    assert "秦淮区没有报告高血压和糖尿病档案" in text
    # With 秦淮区's 436,030 basic records kept the denominator would be 7,226,377 (101.9 per 1,000).
    assert "7,226,377" not in text and "101.9" not in text


def test_hospital_upload_completeness_uses_every_hospital_it_can(report_text):
    text = report_text(NAME)
    # Lines 560-774: uploaded ÷ 83 required for all 27 (median 28/83); 13 declared (median 51/56);
    # 14 printed 未反馈.
    assert "各医院上传比例中位数（已上传表数 ÷ 规定上传表数，27 家医院各算一个比例再取中位数）为 33.7%" in text
    assert "报告了申明数的 13 家医院，各院比例的中位数为 91.1%" in text
    assert "另有 14 家医院的申明上传表数为“未反馈”" in text
    assert "无法计算" not in text


def test_running_totals_quote_the_printed_figures(report_text):
    text = report_text(NAME)
    assert "总预约挂号量 24,033,728 次" in text  # 24033728次, line 341
    # 101.78亿条 (line 777) stays as printed; the whole number beside it is labelled as derived.
    assert "区及医院累计校验入库数据 101.78亿 条" in text
    assert "换算成整数（推算，非原文）" in text and "10,178,000,000" in text
    assert "区及医院累计校验入库数据原文印作 101.78亿，只精确到 1,000,000 条" in text
    assert "区及医院累计校验入库数据 10,178,000,000 条" not in text


def test_the_english_report_states_the_same_figures(report_text):
    text = report_text(NAME, lang="en")
    assert "7 of the 12 areas are connected to all; Qinhuai District is connected to none" in text
    assert "108.4 hypertension records (736,121 records in 11 areas ÷ 6,790,347 basic records × 1,000)" in text
    assert "Median hospital upload share (uploaded tables ÷ required tables, one share per hospital, then the" in text
    assert "median of the 27): 33.7%" in text
    assert "10.178 billion" in text and "101.78亿" not in text
    assert "cannot be computed" not in text


def test_the_median_area_upload_share_has_its_own_name(report_text):
    text = report_text(NAME)
    # Lines 417-547: uploaded ÷ 129 required per area; the median of the 12 shares is 37.6%
    # (溧水区 63, …); the pooled share 550 ÷ 1,548 = 35.5% is named differently (report 05).
    assert "各区上传比例中位数（已上传表数 ÷ 规定上传表数，12 个区各算一个比例再取中位数）为 37.6%" in text


def test_qinhuai_zero_special_records_are_noted_as_not_reported(report_text):
    text = report_text(NAME)
    # Line 483: 秦淮区 prints 0 hypertension (491) and 0 diabetes (492) records beside 436030 basic (490).
    assert "秦淮区的健康档案累计上传总量·高血压、健康档案累计上传总量·糖尿病原文印为 0（第 491–492 行）" in text

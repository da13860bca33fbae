"""The data-quality report as a reviewer reads it (zh and en): the payment 合计 whose rows add up
to one fen more, the hospitals that printed 未反馈, a rewritten number; figures read off
data/raw/2021-04/bulletin.txt by hand."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow

NAME = "04-data-quality"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_payment_total_is_quoted_with_its_rows_and_difference(report_text, lang):
    text = report_text(NAME, lang)
    # Line 1191: 合计 缴费金额 336807013.30; the 49 payment rows add up to 336807013.31
    # (the difference is printed minus computed).
    assert "336,807,013.30" in text and "336,807,013.31" in text and "-0.01" in text
    assert "1191" in text
    # The kiosk money headline is the printed 15,622,415.20 + 336,807,013.30 (lines 1189, 1191).
    assert "352,429,428.51" not in text


def test_missing_values_and_rewritten_numbers_in_chinese(report_text):
    text = report_text(NAME)
    # 14 of the 27 hospitals print 未反馈 for their declared tables (e.g. 江苏省中医院, line 561).
    assert "“申明上传表”（14/27 行）" in text
    # Line 777: 101.78亿条 written out as a whole number.
    assert "101.78亿条 → 10178000000" in text
    # Line 388: 南京市远程心电监测诊断平台 累计接入134家, of which 13 + 7 are listed: 134 − 20 = +114.
    assert "南京市远程心电监测诊断平台 累计接入医疗机构 134 20 +114 388" in text


def test_the_english_report_names_tables_and_statuses_in_english(report_text):
    text = report_text(NAME, "en")
    assert "Self-service kiosk use" in text and "partly listed" in text
    assert "Tables declared in Data uploads by hospital (14 of 27 rows)" in text


def test_the_printed_zeros_read_as_not_reported_are_listed(report_text):
    text = report_text(NAME)
    # 14 kiosk units with terminals and 0 registrations, 0 payments (4 values each, e.g. 东部战区总医院
    # lines 827-830), 秦淮区's 0 special records (491-492), 南京脑科医院's 0 discharges (694).
    assert "原文印为 0、按字段规则视为未报告的数共 59 个，涉及 16 个单位" in text
    assert "南京脑科医院 出院信息上传人次 694" in text
    assert "东部战区总医院 挂号（次）、挂号金额（元）、缴费（次）、缴费金额（元） 827–830" in text

"""The trends report and the months index as a reviewer reads them (zh and en), with the one
shipped month: headline figures quote the bulletin's printed 合计, read off
data/raw/2021-04/bulletin.txt by hand, and no total the bulletin prints differently appears."""

from __future__ import annotations

import pytest
from conftest import visible_text

pytestmark = pytest.mark.slow

NAME = "05-trends"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_headlines_quote_the_printed_totals(report_text, lang):
    text = report_text(NAME, lang)
    assert "427,194" in text  # 预约 合计 小计, line 338
    assert "106,398" in text  # 共受理咨询电话106398个, line 40
    # 挂号金额 合计 15,622,415.20 (line 1189) + 缴费金额 合计 336,807,013.30 (line 1191)
    assert "352,429,428.50" in text
    assert "352,429,428.51" not in text  # the rows' sum is one fen more: only the difference is noted
    assert "-0.01" in text  # printed minus rows, as quality.csv
    # ÷ the printed 1,598 terminals (line 1187): 352,429,428.50 / 1,598 = 220,544.07, to the yuan
    assert "220,544" in text and "220,544.07" not in text and "1,598" in text


def test_one_month_has_nothing_to_compare_yet(report_text):
    assert "数据中还没有2021年4月之前的月份" in report_text(NAME)
    assert "no month before April 2021" in report_text(NAME, "en")


def test_the_lowest_upload_share_names_its_set(report_text):
    # 秦淮区 uploaded 19 of 129 required tables (line 485): 14.7%, the lowest of the 12 areas.
    assert "12 个区中已上传比例最低的是秦淮区（14.7%）" in report_text(NAME)


def test_the_months_index_quotes_the_printed_kiosk_total(built_project):
    index = visible_text((built_project / "reports" / "index.html").read_text(encoding="utf-8"))
    assert "352,429,428.50" in index and "352,429,428.51" not in index
    assert "2021年4月" in index


def test_a_sum_of_printed_totals_is_never_labelled_as_printed(report_text):
    text = report_text(NAME)
    # 352,429,428.50 is 15,622,415.20 (line 1189) + 336,807,013.30 (line 1191): computed from prints.
    assert "自助机挂号与缴费金额合计 元 原文合计之和（计算） 352,429,428.50" in text
    assert "原文 352,429,428.50" not in text
    assert "是由原文合计相加得出的 352,429,428.50 元" in text
    # 550 of 1,548 required tables (lines 417-547) pooled over the areas: 35.5%, named as pooled.
    assert "全市合计已上传表占规定上传表比例（各区相加） % 计算 35.5" in text

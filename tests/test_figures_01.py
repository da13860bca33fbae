"""Report 01 (booking channels) as a reviewer reads it: its key figures, read off the bulletin by
hand, stated on the page in both languages; nothing the bulletin prints differently."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow
NAME = "01-channel-shares"


def test_the_headline_quotes_the_printed_total_and_the_channel_shares(report_text):
    text = report_text(NAME)
    assert "全部预约 427,194 次" in text  # 合计 小计, bulletin line 338
    assert "诊间预约占 44.6%" in text  # 190,355 / 427,194 (line 336)
    assert "电话预约占 10.4%" in text  # 44,461 / 427,194 (line 335)
    english = report_text(NAME, "en")
    assert "427,194 bookings in all" in english and "44.6%" in english


def test_the_superlative_names_its_set_and_the_others_row_its_count(report_text):
    text = report_text(NAME)
    # 26 hospitals have at least 100 bookings; 南京医科大学第二附属医院 booked all 466 by phone
    assert "在预约量不少于 100 次的 26 家医院中，单一渠道占比最高的是南京医科大学第二附属医院" in text
    assert "其他 27 家医院" in text  # 35 hospitals, 8 with at least 1 % of bookings
    assert "共 22,368 次" in text  # 427,194 − the 8 named hospitals' bookings


def test_the_correlation_states_n_exclusions_interval_and_p(report_text):
    text = report_text(NAME)
    assert "在 17 家医院中" in text and "9 家有终端但本月没有任何挂号或缴费" in text
    assert "秩相关系数为 +0.50，95% 区间 [+0.0" in text and "置换检验 p = 0.0" in text
    assert "几乎没有关系" not in text


def test_the_hotline_and_app_figures(report_text):
    text = report_text(NAME)
    assert "受理电话 106,398 个" in text  # line 40
    assert "共预约 116,458 次" in text  # 合计：116458, line 381

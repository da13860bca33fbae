"""Report 01 (booking channels) as a reviewer reads it: its key figures, read off the bulletin by
hand, stated on the page in both languages; nothing the bulletin prints differently."""

from __future__ import annotations

import re

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
    # (lines 214-219), and so did 南京市江宁医院（湖山路）, all 425 (lines 222-227): a tie, both named
    assert (
        "在预约量不少于 100 次的 26 家医院中，单一渠道占比最高的是南京医科大学第二附属医院（466 次，电话预约）、"
        "南京市江宁医院（425 次，电话预约）：100.0% 的预约来自同一渠道" in text
    )
    assert "其他 27 家医院" in text  # 35 hospitals, 8 with at least 1 % of bookings
    assert "共 22,368 次" in text  # 427,194 − the 8 named hospitals' bookings


def test_the_correlation_states_n_exclusions_interval_and_p(report_text):
    text = report_text(NAME)
    assert "n = 17，Spearman ρ = +0.50，95% 区间 [-0.01, +0.80]（Fisher z）" in text
    assert "9 家有终端但本月没有任何挂号或缴费" in text
    assert "预约量不足 100 次的医院不参与比较" in text  # the threshold is on the page
    # the verdict of stats' one rule (the same words as on page 02), and the sensitivity line:
    # without the 3 smallest (bookings 202, 271, 425) the result no longer stands
    assert "：有正相关的迹象，但两种区间未一致排除 0" in text
    assert (
        "不计预约量最少的 3 家（南京医科大学附属逸夫医院 202 次、南京同仁医院 271 次、南京市江宁医院 425 次）时，n = 14"
        in text
    )
    assert re.search(r"置换检验 p = 0\.0\d\d：", text), "p with two significant digits"
    assert "几乎没有关系" not in text and "中等正相关" not in text


def test_the_hotline_and_app_figures(report_text):
    text = report_text(NAME)
    assert "受理电话 106,398 个" in text  # line 40
    assert "共预约 116,458 次" in text  # 合计：116458, line 381

"""Report 02 (kiosks), built end to end: its key figures, read off data/raw/2021-04/bulletin.txt by
hand, appear on the zh and en pages, and no total appears that the bulletin prints differently."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.slow

REPORT = "02-kiosk-revenue"
# 挂号金额 合计 15622415.20 (line 1189) + 缴费金额 合计 336807013.30 (line 1191)
PRINTED_MONEY = "352,429,428.50"
# The 49 rows add to one fen more: 15622415.20 + 336807013.31. Never quoted as a total.
ROWS_MONEY = "352,429,428.51"


def test_the_kiosk_money_headline_quotes_the_printed_totals(report_text):
    text = report_text(REPORT)
    assert f"合计 {PRINTED_MONEY} 元" in text
    assert "挂号金额 15,622,415.20 元 + 缴费金额 336,807,013.30 元" in text
    assert ROWS_MONEY not in text
    # the footnote: the 49 payment rows (lines 798-1184) add to 336,807,013.31
    assert "49 行相加为 336,807,013.31 元，比原文合计 336,807,013.30 元（第 1191 行）多 0.01 元" in text


def test_money_per_installed_and_per_active_terminal(report_text):
    text = report_text(REPORT)
    # 352,429,428.50 ÷ 1,598 terminals (line 1187); ÷ (1,598 − 253) terminals in units with a
    # transaction, the 253 standing in the 14 units printed with terminals and 0 and 0.
    assert "按投放的 1,598 台计，每台 220,544 元" in text
    assert "按有交易单位的 1,345 台计（不计按未报告处理的 14 个单位的 253 台），每台 262,029 元" in text
    assert "共 253 台，占投放台数 1,598 台的 15.8%" in text


def test_money_per_patient_record_leaves_out_units_not_reported(report_text):
    text = report_text(REPORT)
    # Registration per outpatient, median over the 19 hospitals with transactions: 江苏省口腔医院
    # 297722.00 ÷ 60482 (lines 962, 733). Money per patient record leaves out 南京脑科医院 too, whose
    # discharges print 0 (line 694): median of 18, halfway between 南京鼓楼医院 (3613251.00 +
    # 31875442.98) ÷ (362920 + 9118) = 95.390 (lines 820, 822, 573, 574) and 南京市儿童医院
    # (701963.00 + 22106719.68) ÷ (230484 + 6235) = 96.353 (lines 812, 814, 589, 590): 95.87.
    assert "26 家医院中，19 家本月有交易" in text
    assert "中位数为 4.9 元" in text and "中位数为 96 元（18 家）" in text
    # 南京市中医院 891935.00 ÷ 72867 = 12.24 (lines 884, 613): to 0.1 yuan like the median, never "12" beside "4.9"
    assert "最高的是南京市中医院（12.2 元）" in text  # per outpatient to 0.1 yuan; per record to the yuan
    assert "南京脑科医院的出院信息上传人次原文印为 0（第 694 行），按该字段的缺失值规则视为未报告" in text
    assert "南京市中心医院没有终端（0 台），没有这两个比率" in text  # line 1081: 0 terminals


def test_online_share_against_kiosk_money_states_its_basis(report_text):
    text = report_text(REPORT)
    assert "排除 9 家有终端但本月没有任何挂号或缴费" in text and "其余 17 家参与比较" in text
    # one rule words both: the same finding (rho +0.50 and +0.52 over the same 17 hospitals) gets
    # the same words, where the old page called one 中等正相关 and the other 数据不足以判断
    pattern = (
        r"12320在线预约占比与(每台自助机金额|每台自助机交易次数)：n = 17，Spearman ρ = \+0\.5\d，"
        r"95% 区间 \[[-+]\d\.\d\d, [-+]\d\.\d\d\]（Fisher z）、\[[-+]\d\.\d\d, [-+]\d\.\d\d\]"
        r"（BCa bootstrap，40,000 次重抽样，靠近 0 的一端蒙特卡罗误差 ±0\.0\d\d），置换检验 p = 0\.0\d\d：(.+?)。"
    )
    found = re.findall(pattern, text)
    assert [m for m, _ in found] == ["每台自助机金额", "每台自助机交易次数"]
    assert {words for _, words in found} == {"有正相关的迹象，但两种区间未一致排除 0，证据不足以下结论"}
    assert "两项比较用的是同一批医院" in text  # not two independent pieces of evidence
    assert "预约量不足 100 次的医院不参与比较" in text and "按未报告处理的医院中有 3 家预约量也不足 100 次" in text
    assert (
        text.count(
            "不计预约量最少的 3 家（南京医科大学附属逸夫医院 202 次、南京同仁医院 271 次、南京市江宁医院 425 次）"
        )
        == 2
    )
    assert "几乎没有关系" not in text


def test_the_outlying_average_payment_is_named(report_text):
    text = report_text(REPORT)
    # lines 857-863: 59,229,270.21 yuan over 20,421 payments = 2,900 yuan; 2.8 times 江苏省肿瘤医院's
    assert "平均每笔缴费最高的是南京市妇幼保健院（2,900 元）" in text
    assert "平均每笔缴费远离其他单位：南京市妇幼保健院（2,900 元），值得与信息中心核对" in text


def test_the_english_page_carries_the_same_figures(report_text):
    text = report_text(REPORT, lang="en")
    assert f"{PRINTED_MONEY} yuan in registrations and payments" in text
    assert ROWS_MONEY not in text
    assert "the 49 rows add up to 336,807,013.31 yuan, 0.01 yuan more than the bulletin's total" in text
    assert "220,544 yuan over the 1,598 terminals installed" in text
    assert "262,029 yuan over the 1,345 terminals" in text
    assert "n = 17, Spearman's ρ = +0.50, 95% intervals [-0.01, +0.80] (Fisher z)" in text

"""What the channel and kiosk reports read off hospital_profile: made-up hospitals checked by
hand, and the shipped month's comparison pinned to hospitals read off the bulletin."""

from __future__ import annotations

import pandas as pd
import pytest
from scipy import stats as scipy_stats

from metroanalysis.analysis import profile


@pytest.fixture
def hospitals():
    return pd.DataFrame(
        {
            "entity_id": ["H1", "H2", "H3", "H4", "H5"],
            "name_zh": ["甲医院", "乙医院", "丙医院", "丁医院", "戊医院"],
            "name_en": ["A Hospital", pd.NA, "C Hospital", pd.NA, ""],
            "online_12320": pd.array([50, 10, 90, 5, 1], dtype="Int64"),
            "bookings": pd.array([100, 100, 100, 10, 2], dtype="Int64"),
            "kiosk_terminals": pd.array([10, 5, 2, pd.NA, 0], dtype="Int64"),
            "kiosk_registrations": pd.array([100, 0, 30, pd.NA, 0], dtype="Int64"),
            "kiosk_payments": pd.array([100, 0, 10, pd.NA, 0], dtype="Int64"),
            "kiosk_registration_yuan": pd.array([400.0, 0.0, 100.0, pd.NA, 0.0], dtype="Float64"),
            "kiosk_money_yuan": pd.array([1000.0, 0.0, 300.0, pd.NA, 0.0], dtype="Float64"),
            "outpatient_records": pd.array([200, 50, pd.NA, 40, 30], dtype="Int64"),
            "discharge_records": pd.array([50, 0, pd.NA, 1, pd.NA], dtype="Int64"),
        }
    )


def test_kiosk_money_per_record_is_missing_not_zero_where_nothing_was_reported(hospitals):
    out = profile.kiosk_per_record(hospitals, "en")
    # H3 uploads nothing, H4 has no kiosk, H5 has 0 terminals: none of them is a row.
    assert list(out["entity_id"]) == ["H1", "H2"]
    assert out["registration_per_outpatient_yuan"].to_list() == [2.0, pd.NA]  # 400/200; H2: no transaction
    assert out["money_per_record_yuan"].to_list() == [4.0, pd.NA]  # 1000 / (200 + 50)
    assert out["excluded"].to_list() == [pd.NA, profile.NOT_REPORTED]
    assert list(out["label"]) == ["A Hospital", "乙医院"]  # no English name: Chinese


def test_online_share_against_kiosk_use_marks_who_is_left_out_and_why(hospitals):
    out = profile.online_vs_kiosk(hospitals, "zh", min_bookings=50)
    # In both tables with a terminal: H1, H2, H3 (H4 has no kiosk row, H5 no terminal).
    assert list(out["entity_id"]) == ["H3", "H1", "H2"]  # by online share: 0.9, 0.5, 0.1
    assert out["online_share"].to_list() == [0.9, 0.5, 0.1]
    assert out["money_per_terminal_yuan"].to_list() == [150.0, 100.0, pd.NA]  # H2: no transaction
    assert out["transactions_per_terminal"].to_list() == [20.0, 20.0, pd.NA]
    assert out["excluded"].to_list() == [pd.NA, pd.NA, profile.NOT_REPORTED]
    few = profile.online_vs_kiosk(hospitals, "zh", min_bookings=101)
    assert few["excluded"].to_list() == [profile.FEW_BOOKINGS, profile.FEW_BOOKINGS, profile.NOT_REPORTED]
    # two hospitals compared: too few for a correlation
    assert not profile.online_kiosk_correlation(out).computable


# The kiosk table's hospitals whose terminals recorded no registration and no payment in April
# 2021 (0 registrations and 0 payments printed on their rows of 自助终端使用情况表), which also
# appear in the booking table.
NOT_REPORTING = {
    "南京梅山医院",
    "南京市职业病防治院",
    "南京市胸科医院",
    "江苏省中西医结合医院",
    "泰康仙林鼓楼医院",
    "江苏省第二中医院",
    "东部战区空军医院",
    "南京医科大学第二附属医院",
    "东部战区总医院",
}


def test_the_shipped_comparison_leaves_out_the_nine_hospitals_that_did_not_report(april):
    online = profile.online_vs_kiosk(april.hospital_profile, "zh")
    assert len(online) == 26
    assert set(online.loc[online["excluded"].notna(), "label"]) == NOT_REPORTING
    # every hospital with fewer than 100 bookings (梅山 13, 职业病防治院 8, 东部战区总医院 35)
    # is among the nine already: the rule of not reporting decides first
    assert (online["excluded"] == profile.FEW_BOOKINGS).sum() == 0
    rho = profile.online_kiosk_correlation(online)
    used = online[online["excluded"].isna()]
    assert rho.n == 17
    expected = scipy_stats.spearmanr(used["online_share"].astype(float), used["money_per_terminal_yuan"].astype(float))
    assert rho.rho == pytest.approx(expected[0]) and rho.rho == pytest.approx(0.5)
    assert 0 < rho.low < rho.rho < rho.high < 1 and rho.direction == 1  # the interval excludes 0
    assert 0.01 < rho.p_value < 0.1
    everyone = profile.online_kiosk_correlation(online.assign(excluded=pd.NA).astype({"excluded": "string"}))
    assert everyone.n == 17  # not-reported hospitals have no money per terminal: never counted as 0

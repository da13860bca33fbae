"""What the channel and kiosk reports read off hospital_profile, checked by hand on three
made-up hospitals."""

from __future__ import annotations

import pandas as pd
import pytest

from metroanalysis.analysis import profile


@pytest.fixture
def hospitals():
    return pd.DataFrame(
        {
            "entity_id": ["H1", "H2", "H3", "H4"],
            "name_zh": ["甲医院", "乙医院", "丙医院", "丁医院"],
            "name_en": ["A Hospital", pd.NA, "C Hospital", pd.NA],
            "online_12320": pd.array([50, 10, 90, 5], dtype="Int64"),
            "bookings": pd.array([100, 100, 100, 10], dtype="Int64"),
            "kiosk_terminals": pd.array([10, 5, 2, pd.NA], dtype="Int64"),
            "kiosk_registrations": pd.array([100, 0, 30, pd.NA], dtype="Int64"),
            "kiosk_payments": pd.array([100, 0, 10, pd.NA], dtype="Int64"),
            "kiosk_money_yuan": pd.array([1000.0, 0.0, 300.0, pd.NA], dtype="Float64"),
            "outpatient_records": pd.array([200, 50, pd.NA, 40], dtype="Int64"),
        }
    )


def test_kiosk_money_per_outpatient_record_only_for_hospitals_in_both(hospitals):
    out = profile.kiosk_per_outpatient(hospitals, "en")
    assert list(out["entity_id"]) == ["H1", "H2"]  # H3 uploads nothing, H4 has no kiosk
    assert out["money_per_outpatient_yuan"].tolist() == [5.0, 0.0]  # 1000/200, 0/50
    assert list(out["label"]) == ["A Hospital", "乙医院"]  # no English name: Chinese


def test_online_share_against_kiosk_use(hospitals):
    out = profile.online_vs_kiosk(hospitals, "zh")
    assert list(out["entity_id"]) == ["H3", "H1", "H2"]  # by online share: 0.9, 0.5, 0.1
    assert out["online_share"].tolist() == [0.9, 0.5, 0.1]
    assert out["money_per_terminal_yuan"].tolist() == [150.0, 100.0, 0.0]
    assert out["transactions_per_terminal"].tolist() == [20.0, 20.0, 0.0]
    # ranks of share (3, 2, 1) and of money (3, 2, 1): a perfect rank correlation
    assert profile.rank_correlation(out["online_share"], out["money_per_terminal_yuan"]) == pytest.approx(1.0)
    text = profile.online_kiosk_sentence(out, "money_per_terminal_yuan", "zh")
    assert text == (
        "同时有预约和自助终端的 3 家医院中，12320在线预约占比与每台自助机金额强正相关（秩相关系数 +1.00）："
        "在线预约占比高于中位数 50.0% 的 1 家医院，每台自助机金额中位数为 150.00 元；其余 2 家为 50.00 元。"
    )

"""Channel shares, with expected values computed by hand from data/raw/2021-04/bulletin.txt
(预约挂号服务统计表, 途径预约情况统计, the 12320 hotline paragraph)."""

import pytest

from metroanalysis.analysis import channels

# The printed 合计 row of 预约挂号服务统计表.
ONLINE, PHONE, IN_CLINIC, THIRD_PARTY, ALL = 103639, 44461, 190355, 88739, 427194


@pytest.fixture(scope="module")
def month(cleaned_month):
    return cleaned_month  # cleaned into a scratch folder, never into the repository


def test_channel_totals_and_shares(month):
    totals = channels.channel_totals(month.booking_by_hospital).set_index("channel")
    assert totals["bookings"].to_dict() == {
        "online_12320": ONLINE,
        "phone": PHONE,
        "in_clinic": IN_CLINIC,
        "third_party": THIRD_PARTY,
    }
    assert ONLINE + PHONE + IN_CLINIC + THIRD_PARTY == ALL
    assert totals.loc["in_clinic", "share"] == pytest.approx(190355 / 427194)
    assert str(totals["share"].dtype) == "Float64"


def test_overall_sentence_states_key_figures(month):
    text = channels.overall_sentence(channels.channel_totals(month.booking_by_hospital))
    # 190355 / 427194 = 0.44559… → 44.6 %; the channels follow in order of volume.
    assert text.startswith("全部预约 427,194 次，其中诊间预约占 44.6%")
    assert "12320在线预约占 24.3%" in text  # 103639 / 427194 = 0.24260…
    assert "第三方占 20.8%" in text  # 88739 / 427194 = 0.20772…
    assert "电话预约占 10.4%" in text  # 44461 / 427194 = 0.10407…


def test_hospitals_ordered_by_volume_and_small_ones_grouped(month):
    shares = channels.hospital_channel_shares(month.booking_by_hospital, min_share=0.01)
    # Hospitals with at least 1 % of 427194 (4271.94) bookings, by volume; the other 27 are 其他.
    assert list(shares["hospital"]) == [
        "南京鼓楼医院",
        "南京市儿童医院",
        "南京市中医院",
        "南京鼓楼医院江北国际医院",
        "中国医学科学院皮肤病医院东",
        "南京市妇幼保健院",
        "南京市第一医院",
        "南京市中西医结合医院",
        "其他",
    ]
    others = shares.iloc[-1]
    named = 196143 + 151182 + 19461 + 15109 + 6488 + 6369 + 5512 + 4562
    assert others["hospitals"] == 35 - 8
    assert others["bookings"] == 427194 - named == 22368
    children = shares.set_index("hospital").loc["南京市儿童医院"]
    assert children["in_clinic_share"] == pytest.approx(136636 / 151182)
    row_sums = shares[[f"{c}_share" for c in channels.CHANNELS]].sum(axis=1)
    assert row_sums.to_list() == pytest.approx([1.0] * len(shares))


def test_concentration(month):
    top = channels.concentration(month.booking_by_hospital, tops=(1, 3)).set_index("top_n")
    assert top.loc[1, "bookings"] == 196143
    assert top.loc[1, "share"] == pytest.approx(196143 / 427194)
    assert top.loc[3, "bookings"] == 196143 + 151182 + 19461
    assert top.loc[3, "share"] == pytest.approx((196143 + 151182 + 19461) / 427194)


def test_app_shares(month):
    apps = channels.app_shares(month.booking_by_channel)
    total = 76126 + 21294 + 9973 + 3265 + 3603 + 2013 + 184
    assert total == 116458  # the printed 合计：116458
    assert apps.iloc[0]["channel"] == "健康南京客户端"
    assert apps.iloc[0]["share"] == pytest.approx(76126 / 116458)
    assert apps.iloc[-1]["channel"] == "就医160"
    assert "健康南京客户端占 65.4%" in channels.app_sentence(apps)


def test_hotline_composition_and_phone_bookings(month):
    parts = channels.hotline_composition(month.hotline_calls)
    assert int(parts["calls"].sum()) == 16771 + 241 + 44461 + 43301 + 167 + 129 + 1328 == 106398
    assert parts.iloc[0]["label"] == "电话预约"
    phone = channels.hotline_phone_bookings(month.hotline_calls, month.booking_by_hospital)
    assert phone["phone_bookings"] == 44461
    assert phone["share_of_calls"] == pytest.approx(44461 / 106398)
    assert phone["share_of_bookings"] == pytest.approx(44461 / 427194)
    assert phone["matches_booking_table"] is True
    text = channels.hotline_sentence(parts, phone)
    assert "106,398" in text and "41.8%" in text and "10.4%" in text

"""Channel shares, with expected values computed by hand from data/raw/2021-04/bulletin.txt
(预约挂号服务统计表, 途径预约情况统计, the 12320 hotline paragraph)."""

import pandas as pd
import pytest

from metroanalysis.analysis import channels, top_units

# The printed 合计 row of 预约挂号服务统计表.
ONLINE, PHONE, IN_CLINIC, THIRD_PARTY, ALL = 103639, 44461, 190355, 88739, 427194


@pytest.fixture(scope="module")
def month(april):
    return april


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
    assert shares["is_others"].to_list() == [False] * 8 + [True]
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


def test_hotline_composition_and_phone_bookings(month):
    parts = channels.hotline_composition(month.hotline_calls)
    assert int(parts["calls"].sum()) == 16771 + 241 + 44461 + 43301 + 167 + 129 + 1328 == 106398
    assert parts.iloc[0]["label"] == "电话预约"
    phone = channels.hotline_phone_bookings(month.hotline_calls, month.booking_by_hospital)
    assert phone["phone_bookings"] == 44461
    assert phone["share_of_calls"] == pytest.approx(44461 / 106398)
    assert phone["share_of_bookings"] == pytest.approx(44461 / 427194)
    assert phone["matches_booking_table"] is True


def test_no_hospital_in_the_others_row_has_more_bookings_than_a_named_one(month):
    shares = channels.hospital_channel_shares(month.booking_by_hospital, min_share=0.01)
    volumes = channels.hospital_volumes(month.booking_by_hospital)
    smallest_named = shares.loc[~shares["is_others"], "bookings"].min()
    grouped = volumes[~volumes["hospital"].isin(shares["hospital"])]
    assert len(grouped) == 27 and grouped["bookings"].max() <= smallest_named == 4562


def test_the_others_row_follows_the_threshold_it_is_given(month):
    none_small = channels.hospital_channel_shares(month.booking_by_hospital, min_share=0.0)
    assert len(none_small) == 35 and not none_small["is_others"].any()  # every hospital named
    all_small = channels.hospital_channel_shares(month.booking_by_hospital, min_share=0.5)
    assert len(all_small) == 1 and all_small["hospitals"].iloc[0] == 35  # 鼓楼 has 45.9 %: < 50 %


def test_single_channel_leaders_range_over_the_hospitals_given():
    booking = pd.DataFrame(
        {
            "hospital": ["甲", "乙", "丙", "丁"],
            "online_12320": pd.array([90, 0, 5, 0], dtype="Int64"),
            "phone": pd.array([10, 3, 5, 0], dtype="Int64"),
            "in_clinic": pd.array([0, 0, 90, 0], dtype="Int64"),
            "third_party": pd.array([0, 0, 0, 0], dtype="Int64"),
        }
    )
    out = channels.single_channel_leaders(booking)
    # 乙 books 3 of 3 by phone (100 %); 甲 90 of 100 online; 丙 90 of 100 in clinic (tie with 甲
    # on share and bookings: printed order kept); 丁 has no bookings and is left out.
    assert out["hospital"].to_list() == ["乙", "甲", "丙"]
    assert out["channel"].to_list() == ["phone", "online_12320", "in_clinic"]
    assert out["share"].to_list() == [1.0, 0.9, 0.9]
    big = channels.single_channel_leaders(booking, min_bookings=10)
    assert big["hospital"].to_list() == ["甲", "丙"]


def test_single_channel_leaders_in_the_bulletin(month):
    # Among hospitals with at least 100 bookings, 南京医科大学第二附属医院 booked all 466 by phone
    # (bulletin lines 214-219: 0, 466, 0, 0, 466); six hospitals book all through one channel, four of
    # them with fewer than 100 bookings.
    leaders = channels.single_channel_leaders(month.booking_by_hospital)
    big = leaders[leaders["bookings"] >= 100]
    assert (big.iloc[0]["hospital"], big.iloc[0]["channel"], big.iloc[0]["bookings"]) == (
        "南京医科大学第二附属医院",
        "phone",
        466,
    )
    assert int((leaders["share"] == 1).sum()) == 6
    assert int(((leaders["share"] == 1) & (leaders["bookings"] < 100)).sum()) == 4


def test_the_most_one_sided_hospitals_include_every_tie(month):
    # lines 214-226: 南京医科大学第二附属医院 0 / 466 / 0 / 0 and 南京市江宁医院（湖山路） 0 / 425 / 0 / 0:
    # both 100 % phone; before, the sentence named only the first
    leaders = channels.single_channel_leaders(month.booking_by_hospital, min_bookings=100)
    named = top_units(leaders, "share")
    assert list(named["bookings"]) == [466, 425]
    assert set(named["channel"]) == {"phone"} and (named["share"] == 1).all()


def test_the_largest_hospital_and_biggest_call_kind_name_ties():
    booking = pd.DataFrame({"hospital": ["a", "b", "c"], **{c: [1, 1, 0] for c in channels.CHANNELS}})
    assert list(top_units(channels.hospital_volumes(booking), "bookings")["hospital"]) == ["a", "b"]


def test_the_biggest_kind_of_hotline_call_names_every_tie():
    calls = pd.DataFrame(
        {
            "category": ["total", "phone_bookings", "consultations", "complaints"],
            "label": ["咨询电话", "电话预约", "咨询", "投诉"],
            "calls": pd.array([100, 40, 40, 20], dtype="Int64"),
            "unit": ["个"] * 4,
            "in_total": pd.array([False, True, True, True], dtype="boolean"),
        }
    )
    named = top_units(channels.hotline_composition(calls), "calls")
    assert list(named["category"]) == ["phone_bookings", "consultations"]

"""Bookings by channel: 12320 online, phone, in-clinic and third-party, overall and per
hospital; how concentrated bookings are; each app's share; what the 12320 hotline carries.

Inputs are the clean tables `booking_by_hospital`, `booking_by_channel` and `hotline_calls`.
"""

from __future__ import annotations

import pandas as pd

from metroanalysis import labels
from metroanalysis.schema import fields

from . import fmt_count, fmt_pct, ratio

# The four channels of the booking table, in printed order, with their printed Chinese labels.
CHANNELS: dict[str, str] = {
    f.name: f.label
    for f in fields("booking_by_hospital")
    if f.name in ("online_12320", "phone", "in_clinic", "third_party")
}
OTHERS = "其他"


def channel_totals(booking_by_hospital: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """One row per channel: bookings summed over the hospitals, and the share of all bookings;
    `label` is the channel's name in `lang`.

    The total is the sum of the four channels over the hospital rows (not the printed 合计,
    which the quality report checks separately)."""
    bookings = [int(booking_by_hospital[c].sum()) for c in CHANNELS]
    out = pd.DataFrame(
        {
            "channel": pd.array(list(CHANNELS), dtype="string"),
            "channel_zh": pd.array(list(CHANNELS.values()), dtype="string"),
            "label": pd.array([labels.category(labels.CHANNELS, c, lang) for c in CHANNELS], dtype="string"),
            "bookings": pd.array(bookings, dtype="Int64"),
        }
    )
    out["share"] = ratio(out["bookings"], sum(bookings))
    return out


def hospital_channel_shares(
    booking_by_hospital: pd.DataFrame, min_share: float = 0.01, others: str = OTHERS
) -> pd.DataFrame:
    """Each hospital's bookings and channel mix, hospitals by volume (largest first).

    Hospitals with less than `min_share` of all bookings are summed into one 其他 row at the
    end (named `others`; their count in `hospitals`), so a 100 % bar per row stays readable."""
    df = booking_by_hospital.copy()
    df["bookings"] = df[list(CHANNELS)].sum(axis=1).astype("Int64")
    df = df.sort_values(["bookings", "row_number"], ascending=[False, True])
    small = ratio(df["bookings"], int(df["bookings"].sum())) < min_share
    rows = df.loc[~small, ["hospital", *CHANNELS, "bookings"]].assign(hospitals=1)
    if small.any():
        summed = df.loc[small, [*CHANNELS, "bookings"]].sum().to_frame().T
        rows = pd.concat([rows, summed.assign(hospital=others, hospitals=int(small.sum()))], ignore_index=True)
    rows = rows.astype({c: "Int64" for c in [*CHANNELS, "bookings", "hospitals"]}).astype({"hospital": "string"})
    for channel in CHANNELS:
        rows[f"{channel}_share"] = ratio(rows[channel], rows["bookings"])
    return rows.reset_index(drop=True)


def hospital_volumes(booking_by_hospital: pd.DataFrame) -> pd.DataFrame:
    """Each hospital's bookings (the four channels added) and share of all bookings, largest first."""
    df = booking_by_hospital[["hospital"]].copy()
    df["bookings"] = booking_by_hospital[list(CHANNELS)].sum(axis=1).astype("Int64")
    df["share"] = ratio(df["bookings"], int(df["bookings"].sum()))
    return df.sort_values("bookings", ascending=False, kind="stable").reset_index(drop=True)


def share_matrix(
    shares: pd.DataFrame, totals: pd.DataFrame, overall: str = "全部医院", lang: str = "zh"
) -> pd.DataFrame:
    """Rows: `overall` first, then the rows of `hospital_channel_shares`; columns: the channels'
    labels in `lang`; values: fractions of the row's bookings (what a 100 % stacked bar draws)."""
    names = [labels.category(labels.CHANNELS, c, lang) for c in CHANNELS]
    by_hospital = shares.set_index("hospital")[[f"{c}_share" for c in CHANNELS]]
    by_hospital.columns = names
    first = totals.set_index("channel")["share"].reindex(list(CHANNELS))
    first = first.set_axis(names).rename(overall).to_frame().T
    out = pd.concat([first, by_hospital]).astype("Float64")
    out.index.name = labels.t("h.hospital", lang)
    return out


def concentration(booking_by_hospital: pd.DataFrame, tops: tuple[int, ...] = (1, 3, 5, 10)) -> pd.DataFrame:
    """Share of all bookings taken by the n largest hospitals, for each n in `tops`."""
    volume = hospital_volumes(booking_by_hospital)["bookings"]
    total = int(volume.sum())
    top_bookings = [int(volume.head(n).sum()) for n in tops]
    out = pd.DataFrame(
        {
            "top_n": pd.array(list(tops), dtype="Int64"),
            "hospitals": pd.array([min(n, len(volume)) for n in tops], dtype="Int64"),
            "bookings": pd.array(top_bookings, dtype="Int64"),
        }
    )
    out["share"] = ratio(out["bookings"], total)
    return out


def app_shares(booking_by_channel: pd.DataFrame) -> pd.DataFrame:
    """Each app / WeChat / web channel's bookings and share of all such bookings, largest first.

    The table excludes 12320 phone, in-clinic and hospitals' own channels (as the bulletin
    notes), so the denominator is the sum of this table only."""
    df = booking_by_channel[["channel", "bookings"]].copy()
    df["share"] = ratio(df["bookings"], int(df["bookings"].sum()))
    return df.sort_values("bookings", ascending=False, kind="stable").reset_index(drop=True)


def hotline_composition(hotline_calls: pd.DataFrame) -> pd.DataFrame:
    """The categories that make up the hotline's total calls, with their share, largest first."""
    total = int(hotline_calls.loc[hotline_calls["category"] == "total", "calls"].iloc[0])
    parts = hotline_calls.loc[hotline_calls["in_total"].fillna(False), ["category", "label", "calls", "unit"]].copy()
    parts["share"] = ratio(parts["calls"], total)
    return parts.sort_values("calls", ascending=False, kind="stable").reset_index(drop=True)


def hotline_phone_bookings(hotline_calls: pd.DataFrame, booking_by_hospital: pd.DataFrame) -> dict:
    """The phone bookings the hotline carries: their count, share of the hotline's calls,
    share of all bookings, and whether they equal the booking table's phone channel."""
    calls = hotline_calls.set_index("category")["calls"]
    phone = int(calls["phone_bookings"])
    all_bookings = int(booking_by_hospital[list(CHANNELS)].sum().sum())
    booking_table_phone = int(booking_by_hospital["phone"].sum())
    return {
        "hotline_calls": int(calls["total"]),
        "phone_bookings": phone,
        "share_of_calls": phone / int(calls["total"]),
        "share_of_bookings": phone / all_bookings,
        "booking_table_phone": booking_table_phone,
        "matches_booking_table": phone == booking_table_phone,
    }


# Sentences shown under the charts, written from the tables above.


def overall_sentence(totals: pd.DataFrame, lang: str = "zh") -> str:
    """'全部预约 427,194 次，其中诊间预约占 44.6%，…' from `channel_totals`."""
    ranked = totals.sort_values("bookings", ascending=False, kind="stable")
    if lang == "en":
        names = [labels.category(labels.CHANNELS, c, lang) for c in ranked["channel"]]
        parts = ", ".join(
            f"{n.lower() if n != '12320 online' else n} {fmt_pct(s)}"
            for n, s in zip(names, ranked["share"], strict=True)
        )
        return f"{fmt_count(totals['bookings'].sum())} bookings in all, of which {parts}."
    parts = "，".join(f"{r.channel_zh}占 {fmt_pct(r.share)}" for r in ranked.itertuples())
    return f"全部预约 {fmt_count(totals['bookings'].sum())} 次，其中{parts}。"


def hospital_sentence(shares: pd.DataFrame, top: pd.DataFrame, lang: str = "zh", others: str = OTHERS) -> str:
    """Who leads, how concentrated, and the hospital leaning most on one channel."""
    total = int(shares["bookings"].sum())
    named = shares[shares["hospital"] != others]
    first = named.iloc[0]
    lean = max(((h, c) for h in named.itertuples() for c in CHANNELS), key=lambda hc: getattr(hc[0], f"{hc[1]}_share"))
    hospital, channel = lean
    share = fmt_pct(getattr(hospital, f"{channel}_share"))
    rest = shares[shares["hospital"] == others]
    if lang == "en":
        conc = ", ".join(f"the top {r.top_n} {fmt_pct(r.share)}" for r in top.itertuples() if r.top_n > 1)
        text = (
            f"{first.hospital} had the most bookings, {fmt_count(first.bookings)} or "
            f"{fmt_pct(first.bookings / total)} of all; {conc}. The hospital leaning most on one channel is "
            f"{hospital.hospital}: {share} of its bookings came {_EN_CHANNEL_PHRASE[channel]}."
        )
        if not rest.empty:
            row = rest.iloc[0]
            text += (
                f" The {row.hospitals} hospitals with less than 1% of all bookings each are added up as "
                f"“{others}”: {fmt_count(row.bookings)} bookings."
            )
        return text
    conc = "，".join(f"前 {r.top_n} 家合计占 {fmt_pct(r.share)}" for r in top.itertuples() if r.top_n > 1)
    text = (
        f"预约量最大的{first.hospital}有 {fmt_count(first.bookings)} 次，"
        f"占全部预约的 {fmt_pct(first.bookings / total)}；{conc}。"
    )
    text += f"单一渠道占比最高的是{hospital.hospital}：{share} 的预约来自{CHANNELS[channel]}。"
    if not rest.empty:
        row = rest.iloc[0]
        text += f"预约量不足全部 1% 的 {row.hospitals} 家医院合并为“{others}”，共 {fmt_count(row.bookings)} 次。"
    return text


_EN_CHANNEL_PHRASE = {
    "online_12320": "through 12320 online",
    "phone": "by phone",
    "in_clinic": "in the clinic",
    "third_party": "through third parties",
}


def app_sentence(apps: pd.DataFrame, lang: str = "zh") -> str:
    """'客户端、微信和网站共预约 116,458 次，健康南京客户端占 65.4%，…'"""
    if lang == "en":
        lead = ", ".join(f"{r.channel} {fmt_pct(r.share)}" for r in apps.head(2).itertuples())
        return f"Apps, WeChat and websites took {fmt_count(apps['bookings'].sum())} bookings: {lead}."
    lead = "，".join(f"{r.channel}占 {fmt_pct(r.share)}" for r in apps.head(2).itertuples())
    return f"客户端、微信和网站等途径共预约 {fmt_count(apps['bookings'].sum())} 次，{lead}。"


def hotline_sentence(composition: pd.DataFrame, phone: dict, lang: str = "zh") -> str:
    """What the hotline's calls were, and the phone bookings it carried."""
    lead = composition.iloc[0]
    if lang == "en":
        agree = (
            "the same as the phone bookings in the booking table"
            if phone["matches_booking_table"]
            else f"not the {fmt_count(phone['booking_table_phone'])} phone bookings of the booking table"
        )
        return (
            f"The 12320 health hotline took {fmt_count(phone['hotline_calls'])} calls this month; the largest "
            f"group was {labels.category(labels.HOTLINE, lead.category, lang).lower()} ({fmt_count(lead.calls)}, "
            f"{fmt_pct(lead.share)}). It carried {fmt_count(phone['phone_bookings'])} phone bookings, "
            f"{fmt_pct(phone['share_of_calls'])} of its calls and {fmt_pct(phone['share_of_bookings'])} of all "
            f"bookings: {agree}."
        )
    agree = (
        "与预约挂号表的电话预约合计一致"
        if phone["matches_booking_table"]
        else (f"与预约挂号表的电话预约合计 {fmt_count(phone['booking_table_phone'])} 次不一致")
    )
    return (
        f"12320 卫生热线本月受理电话 {fmt_count(phone['hotline_calls'])} 个，最多的一类是{lead.label}"
        f"（{fmt_count(lead.calls)} {lead.unit}，占 {fmt_pct(lead.share)}）。热线承担电话预约 "
        f"{fmt_count(phone['phone_bookings'])} 个，占热线电话的 {fmt_pct(phone['share_of_calls'])}、"
        f"全部预约的 {fmt_pct(phone['share_of_bookings'])}，{agree}。"
    )

"""Bookings by channel: 12320 online, phone, in-clinic and third-party, overall and per
hospital; how concentrated bookings are; each app's share; what the 12320 hotline carries.

Inputs are the clean tables `booking_by_hospital`, `booking_by_channel` and `hotline_calls`.
"""

from __future__ import annotations

import pandas as pd

from metroanalysis.analysis import labels, ratio
from metroanalysis.clean.schema import fields

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
    which the quality report checks separately). A channel column printed that no declaration
    knows yet (`new_channel`) is one more row, named as printed in every language."""
    channels, names = list(CHANNELS), list(CHANNELS.values())
    shown = [labels.category(labels.CHANNELS, c, lang) for c in CHANNELS]
    new = booking_by_hospital.get("new_channel_zh", pd.Series(dtype="string")).dropna().unique()
    if len(new):
        channels, names, shown = [*channels, "new_channel"], [*names, str(new[0])], [*shown, str(new[0])]
    bookings = [int(booking_by_hospital[c].sum()) for c in channels]
    out = pd.DataFrame(
        {
            "channel": pd.array(channels, dtype="string"),
            "channel_zh": pd.array(names, dtype="string"),
            "label": pd.array(shown, dtype="string"),
            "bookings": pd.array(bookings, dtype="Int64"),
        }
    )
    out["share"] = ratio(out["bookings"], sum(bookings))
    return out


def hospital_channel_shares(
    booking_by_hospital: pd.DataFrame, min_share: float = 0.01, others: str = OTHERS
) -> pd.DataFrame:
    """Each hospital's bookings and channel mix, hospitals by volume (largest first).

    Hospitals with less than `min_share` of all bookings are summed into one row at the end
    (named `others`, `is_others` true, their count in `hospitals`), so a 100 % bar per row stays
    readable. Being the smallest, no hospital in it has more bookings than a named one."""
    df = booking_by_hospital.copy()
    df["bookings"] = df[list(CHANNELS)].sum(axis=1).astype("Int64")
    df = df.sort_values(["bookings", "row_number"], ascending=[False, True])
    small = ratio(df["bookings"], int(df["bookings"].sum())) < min_share
    rows = df.loc[~small, ["hospital", *CHANNELS, "bookings"]].assign(hospitals=1)
    if small.any():
        summed = df.loc[small, [*CHANNELS, "bookings"]].sum().to_frame().T
        rows = pd.concat([rows, summed.assign(hospital=others, hospitals=int(small.sum()))], ignore_index=True)
    rows = rows.astype({c: "Int64" for c in [*CHANNELS, "bookings", "hospitals"]}).astype({"hospital": "string"})
    rows["is_others"] = pd.array([False] * int((~small).sum()) + [True] * int(small.any()), dtype="boolean")
    for channel in CHANNELS:
        rows[f"{channel}_share"] = ratio(rows[channel], rows["bookings"])
    return rows.reset_index(drop=True)


def hospital_volumes(booking_by_hospital: pd.DataFrame) -> pd.DataFrame:
    """Each hospital's bookings (the four channels added) and share of all bookings, largest first."""
    df = booking_by_hospital[["hospital"]].copy()
    df["bookings"] = booking_by_hospital[list(CHANNELS)].sum(axis=1).astype("Int64")
    df["share"] = ratio(df["bookings"], int(df["bookings"].sum()))
    return df.sort_values("bookings", ascending=False, kind="stable").reset_index(drop=True)


def share_matrix(shares: pd.DataFrame, totals: pd.DataFrame, overall: str, lang: str = "zh") -> pd.DataFrame:
    """Rows: `overall` first, then the rows of `hospital_channel_shares` (by their `hospital`
    name); columns: the channels' names in `lang`; values: fractions of the row's bookings
    (what a 100 % stacked bar draws)."""
    names = [labels.category(labels.CHANNELS, c, lang) for c in CHANNELS]
    by_hospital = shares.set_index("hospital")[[f"{c}_share" for c in CHANNELS]]
    by_hospital.columns = names
    first = totals.set_index("channel")["share"].reindex(list(CHANNELS))
    first = first.set_axis(names).rename(overall).to_frame().T
    return pd.concat([first, by_hospital]).astype("Float64")


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


def single_channel_leaders(booking_by_hospital: pd.DataFrame, min_bookings: int = 0) -> pd.DataFrame:
    """Each hospital with at least `min_bookings` bookings, its busiest channel and that channel's
    share of the hospital's bookings, most one-sided first (ties: more bookings first). The set
    a superlative ranges over is the caller's to state: `min_bookings` and how many hospitals
    it leaves (len of the result)."""
    df = booking_by_hospital[["hospital", *CHANNELS]].copy()
    df["bookings"] = df[list(CHANNELS)].sum(axis=1).astype("Int64")
    df = df[df["bookings"] >= max(min_bookings, 1)]
    counts = df[list(CHANNELS)].astype("int64")
    out = df[["hospital", "bookings"]].copy()
    out["channel"] = pd.array(counts.idxmax(axis=1), dtype="string")
    out["share"] = ratio(pd.Series(counts.max(axis=1), index=df.index), out["bookings"])
    out = out.sort_values(["share", "bookings"], ascending=[False, False], kind="stable")
    return out.reset_index(drop=True)

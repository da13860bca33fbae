"""hospital_profile: one row per hospital that appears anywhere in the month's bulletin, with
its bookings, kiosks and data uploads side by side, joined on the registry's entity_id."""

from __future__ import annotations

import pandas as pd

from metroanalysis import labels

from . import fmt_pct, fmt_yuan, ratio

HOSPITAL_KINDS = ("hospital", "hospital_campus")

# (table, columns summed per entity) — each table's figures for a hospital.
SOURCES = {
    "booking_by_hospital": ["online_12320", "phone", "in_clinic", "third_party", "subtotal"],
    "kiosk_usage": ["terminals", "registrations", "registration_amount_yuan", "payments", "payment_amount_yuan"],
    "upload_by_hospital": ["upload_volume", "outpatient_records", "discharge_records"],
}
RENAME = {
    "booking_by_hospital": {"subtotal": "bookings"},
    "kiosk_usage": {
        "terminals": "kiosk_terminals",
        "registrations": "kiosk_registrations",
        "registration_amount_yuan": "kiosk_registration_yuan",
        "payments": "kiosk_payments",
        "payment_amount_yuan": "kiosk_payment_yuan",
    },
}


def per_entity(df: pd.DataFrame, table: str, hospital_ids: set[str]) -> pd.DataFrame:
    """The table's figures by entity_id, for hospitals only (a campus stays its own row)."""
    rows = df[df["entity_id"].isin(hospital_ids)]
    out = rows.groupby("entity_id", dropna=True)[SOURCES[table]].sum(min_count=1)
    return out.rename(columns=RENAME.get(table, {}))


def hospital_profile(tables: dict[str, pd.DataFrame], entities: pd.DataFrame) -> pd.DataFrame:
    hospitals = entities[entities["kind"].isin(HOSPITAL_KINDS)].set_index("entity_id")
    ids = set(hospitals.index)
    parts = {t: per_entity(tables[t], t, ids) for t in SOURCES}
    present = sorted(set().union(*(p.index for p in parts.values())))
    profile = pd.DataFrame(index=pd.Index(present, name="entity_id"))
    for part in parts.values():
        profile = profile.join(part, how="left", validate="1:1")
    profile.insert(0, "name_zh", hospitals.loc[present, "name_zh"].astype("string"))
    profile.insert(1, "name_en", hospitals.loc[present, "name_en"].astype("string"))
    profile["kiosk_money_yuan"] = profile["kiosk_registration_yuan"] + profile["kiosk_payment_yuan"]
    profile["missing_from"] = [
        ",".join(t for t, p in parts.items() if eid not in p.index) or pd.NA for eid in profile.index
    ]
    profile["missing_from"] = profile["missing_from"].astype("string")
    return profile.reset_index()


# ---------------------------------------------------------------------------------------------
# What the reports read off the profile: kiosk money per outpatient record, and a hospital's
# online booking share against its kiosk use. Hospitals are named by the registry (`label`).


def with_label(profile: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The profile with `label`: name_zh, or in English name_en falling back to name_zh."""
    labels.check_lang(lang)
    shown = profile["name_zh"].astype("string")
    if lang == "en":
        shown = profile["name_en"].astype("string").fillna(shown)
    return profile.assign(label=shown)


def kiosk_per_outpatient(profile: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Hospitals in both the kiosk table and the upload table (with at least one outpatient
    record): kiosk money (registration + payment) per outpatient record uploaded, largest first."""
    df = with_label(profile, lang)
    both = df[df["kiosk_money_yuan"].notna() & (df["outpatient_records"].fillna(0) > 0)]
    out = both[["entity_id", "label", "kiosk_terminals", "kiosk_money_yuan", "outpatient_records"]].copy()
    out["money_per_outpatient_yuan"] = ratio(out["kiosk_money_yuan"], out["outpatient_records"])
    return out.sort_values(["money_per_outpatient_yuan", "entity_id"], ascending=[False, True]).reset_index(drop=True)


def online_vs_kiosk(profile: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Hospitals in both the booking table (with bookings) and the kiosk table (with at least one
    terminal): 12320 online share of the printed 小计, kiosk money and transactions per terminal."""
    df = with_label(profile, lang)
    both = df[(df["bookings"].fillna(0) > 0) & (df["kiosk_terminals"].fillna(0) > 0)]
    cols = ["entity_id", "label", "online_12320", "bookings", "kiosk_terminals", "kiosk_money_yuan"]
    out = both[cols].copy()
    out["online_share"] = ratio(out["online_12320"], out["bookings"])
    out["kiosk_transactions"] = (both["kiosk_registrations"] + both["kiosk_payments"]).astype("Int64")
    out["money_per_terminal_yuan"] = ratio(out["kiosk_money_yuan"], out["kiosk_terminals"])
    out["transactions_per_terminal"] = ratio(out["kiosk_transactions"], out["kiosk_terminals"])
    return out.sort_values(["online_share", "entity_id"], ascending=[False, True]).reset_index(drop=True)


def rank_correlation(x: pd.Series, y: pd.Series) -> float:
    """Spearman's rank correlation (average ranks for ties), over the pairs where both exist."""
    pairs = pd.DataFrame({"x": x.astype("Float64"), "y": y.astype("Float64")}).dropna().astype(float)
    if len(pairs) < 3:
        return float("nan")
    ranks = pairs.rank()
    return float(ranks["x"].corr(ranks["y"]))


def _strength(rho: float, lang: str) -> str:
    size = abs(rho)
    words = [(0.2, ("几乎没有关系", "almost no relation")), (0.4, ("弱", "weak")), (0.6, ("中等", "moderate"))]
    for limit, pair in words:
        if size < limit:
            word = labels.pick(pair, lang)
            break
    else:
        word = labels.pick(("强", "strong"), lang)
    if size < 0.2:
        return word
    sign = labels.pick(("正相关", "positive") if rho > 0 else ("负相关", "negative"), lang)
    return f"{word}{sign}" if lang == "zh" else f"a {word} {sign} relation"


def per_outpatient_sentence(per_outpatient: pd.DataFrame, lang: str = "zh") -> str:
    """How much kiosk money per outpatient record, the median, the highest and lowest."""
    n = len(per_outpatient)
    if n == 0:
        return labels.pick(
            ("没有医院同时出现在自助终端表和数据上传表中。", "No hospital is in both the kiosk and the upload table."),
            lang,
        )
    used = per_outpatient[per_outpatient["kiosk_money_yuan"] > 0]
    zero = n - len(used)
    median = per_outpatient["money_per_outpatient_yuan"].median()
    top, low = used.iloc[0], used.iloc[-1]
    y = lambda v: fmt_yuan(v, lang)  # noqa: E731
    if lang == "en":
        text = (
            f"For the {n} hospitals in both the kiosk and the upload table, kiosk money per outpatient record "
            f"has a median of {y(median)}: highest at {top.label} ({y(top.money_per_outpatient_yuan)}), lowest "
            f"(among kiosks that took any money) at {low.label} ({y(low.money_per_outpatient_yuan)})."
        )
        return text + (f" The kiosks of {zero} of them took no money at all." if zero else "")
    text = (
        f"自助终端表和数据上传表中都有的 {n} 家医院，每门急诊人次的自助机金额中位数为 {y(median)}；"
        f"最高的是{top.label}（{y(top.money_per_outpatient_yuan)}），"
        f"有交易的医院中最低的是{low.label}（{y(low.money_per_outpatient_yuan)}）。"
    )
    return text + (f"其中 {zero} 家医院的自助机本月没有任何金额。" if zero else "")


def online_kiosk_sentence(online: pd.DataFrame, measure: str = "money_per_terminal_yuan", lang: str = "zh") -> str:
    """How a hospital's 12320 online share relates to its kiosk use (`measure`: money or
    transactions per terminal): the rank correlation in words, and the median kiosk use of the
    hospitals above and of those at or below the median online share."""
    n = len(online)
    if n < 3:
        return labels.pick(
            (
                "同时有预约和自助终端数据的医院不足 3 家，无法比较。",
                "Fewer than 3 hospitals have both bookings and kiosks: nothing to compare.",
            ),
            lang,
        )
    rho = rank_correlation(online["online_share"], online[measure])
    cut = online["online_share"].median()
    high, low = online[online["online_share"] > cut], online[online["online_share"] <= cut]
    money = measure.endswith("_yuan")
    value = (lambda v: fmt_yuan(v, lang)) if money else (lambda v: f"{float(v):,.1f}")
    hi, lo = value(high[measure].median()), value(low[measure].median())
    if lang == "en":
        what = "kiosk money per terminal" if money else "kiosk transactions per terminal"
        return (
            f"Across the {n} hospitals with both bookings and kiosks, the 12320 online share of bookings and {what} "
            f"show {_strength(rho, lang)} (rank correlation {rho:+.2f}): the {len(high)} hospitals booking more than "
            f"the median {fmt_pct(cut)} online have a median of {hi}, the other {len(low)} {lo}."
        )
    what = "每台自助机金额" if money else "每台自助机交易笔数"
    unit = "" if money else " 次"
    return (
        f"同时有预约和自助终端的 {n} 家医院中，12320在线预约占比与{what}{_strength(rho, lang)}"
        f"（秩相关系数 {rho:+.2f}）：在线预约占比高于中位数 {fmt_pct(cut)} 的 {len(high)} 家医院，{what}中位数为 "
        f"{hi}{unit}；其余 {len(low)} 家为 {lo}{unit}。"
    )

"""What the channel and kiosk reports read off hospital_profile (the clean table that puts a
hospital's bookings, kiosks and uploads side by side; built by `metroanalysis.clean.hospitals`)."""

from __future__ import annotations

import pandas as pd

from metroanalysis import i18n
from metroanalysis.analysis import ratio, stats
from metroanalysis.clean import schema

# ---------------------------------------------------------------------------------------------
# What the reports read off the profile: kiosk money per patient record, and a hospital's online
# booking share against its kiosk use. Hospitals are named by the registry (`label`).
#
# Which printed zeros mean "did not report" is declared with the fields (schema.FIELD_METADATA's
# `zero_means_not_reported`) and every ratio here reads its fields through `schema.as_reported`:
# a hospital whose kiosks (one terminal or more) recorded no registration and no payment this
# month is treated as not reported (NOT_REPORTED), and so is a 0 printed for the discharges of a
# hospital that uploaded outpatient visits; the ratios they enter are missing (<NA>), never 0,
# and are left out of medians and correlations.
NOT_REPORTED = "no_transaction"  # terminals installed, no transaction recorded
FEW_BOOKINGS = "few_bookings"  # too few bookings for a share to mean much
MIN_BOOKINGS = 100


def with_label(profile: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The profile with `label`: name_zh, or in English name_en falling back to name_zh."""
    i18n.check_lang(lang)
    shown = profile["name_zh"].astype("string")
    if lang == "en":
        shown = profile["name_en"].astype("string").str.strip().replace("", pd.NA).fillna(shown)
    return profile.assign(label=shown)


def kiosk_transactions(profile: pd.DataFrame) -> pd.Series:
    return (profile["kiosk_registrations"].fillna(0) + profile["kiosk_payments"].fillna(0)).astype("Int64")


def kiosk_per_record(profile: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Hospitals with kiosks (at least one terminal) that are also in the upload table: kiosk
    registration money per outpatient record (only outpatients register, so the numerator holds
    no inpatient money), and all kiosk money (registrations and payments, which include inpatient
    payments) per patient record (outpatient records + discharge records). `excluded` names why a
    hospital's kiosk ratios are missing: NOT_REPORTED. Each field is read through
    `schema.as_reported`: where the discharges are missing or a 0 that means "not reported", the
    patient records, and so money per patient record, are missing too (`discharges_not_reported`
    says which hospitals' printed 0 that is). Largest registration money per record first."""
    df = with_label(profile, lang)
    both = df[(df["kiosk_terminals"].fillna(0) > 0) & df["outpatient_records"].notna()].copy()
    cols = ["entity_id", "label", "kiosk_terminals", "kiosk_registration_yuan", "kiosk_money_yuan"]
    out = both[[*cols, "outpatient_records", "discharge_records"]].copy()
    idle = schema.not_reported(both, "kiosk_registrations").astype(bool)
    out["excluded"] = pd.array([NOT_REPORTED if i else pd.NA for i in idle], dtype="string")
    out["discharges_not_reported"] = schema.not_reported(both, "discharge_records")
    discharges = schema.as_reported(both, "discharge_records").astype("Int64")
    records = both["outpatient_records"].astype("Int64") + discharges
    registration = schema.as_reported(both, "kiosk_registration_yuan")
    out["registration_per_outpatient_yuan"] = ratio(registration, both["outpatient_records"])
    out["money_per_record_yuan"] = ratio(schema.as_reported(both, "kiosk_money_yuan"), records)
    order = ["registration_per_outpatient_yuan", "entity_id"]
    return out.sort_values(order, ascending=[False, True], na_position="last").reset_index(drop=True)


def online_vs_kiosk(profile: pd.DataFrame, lang: str = "zh", min_bookings: int = MIN_BOOKINGS) -> pd.DataFrame:
    """Hospitals in both the booking table (with bookings) and the kiosk table (with at least one
    terminal): 12320 online share of the printed 小计, kiosk money and transactions per installed
    terminal. `excluded` says why a hospital is left out of a comparison: NOT_REPORTED (its
    per-terminal figures are then <NA>), or FEW_BOOKINGS (fewer than `min_bookings` bookings: a
    share of a handful of bookings is 0 or 1 by chance). Highest online share first."""
    df = with_label(profile, lang)
    both = df[(df["bookings"].fillna(0) > 0) & (df["kiosk_terminals"].fillna(0) > 0)]
    cols = ["entity_id", "label", "online_12320", "bookings", "kiosk_terminals", "kiosk_money_yuan"]
    out = both[cols].copy()
    out["online_share"] = ratio(out["online_12320"], out["bookings"])
    out["kiosk_transactions"] = kiosk_transactions(both)  # as printed, for the scatter
    reported = ~schema.not_reported(both, "kiosk_registrations").astype(bool)
    transactions = schema.as_reported(both, "kiosk_registrations") + schema.as_reported(both, "kiosk_payments")
    money = schema.as_reported(both, "kiosk_money_yuan")
    out["money_per_terminal_yuan"] = ratio(money, out["kiosk_terminals"])
    out["transactions_per_terminal"] = ratio(transactions, out["kiosk_terminals"])
    reasons = [NOT_REPORTED if not r else FEW_BOOKINGS if b < min_bookings else pd.NA
               for r, b in zip(reported, out["bookings"], strict=True)]  # fmt: skip
    out["excluded"] = pd.array(reasons, dtype="string")
    return out.sort_values(["online_share", "entity_id"], ascending=[False, True]).reset_index(drop=True)


def online_kiosk_correlation(online: pd.DataFrame, measure: str = "money_per_terminal_yuan") -> stats.Correlation:
    """Spearman's rho of the online share and `measure` over the hospitals not `excluded`."""
    used = online[online["excluded"].isna()]
    return stats.spearman(used["online_share"], used[measure])


def online_kiosk_sensitivity(online: pd.DataFrame, measure: str = "money_per_terminal_yuan") -> stats.Sensitivity:
    """`online_kiosk_correlation` again without the hospitals with the fewest bookings (the
    smallest `stats.SENSITIVITY_SHARE` of those it uses): how far the result rests on them."""
    used = online[online["excluded"].isna()]
    return stats.sensitivity(used, "online_share", measure, "bookings")


def few_bookings_among(online: pd.DataFrame, min_bookings: int = MIN_BOOKINGS) -> pd.DataFrame:
    """The hospitals left out for another reason that also have fewer than `min_bookings`
    bookings (a hospital meeting both rules is counted under the first)."""
    return online[online["excluded"].notna() & (online["bookings"] < min_bookings)].reset_index(drop=True)

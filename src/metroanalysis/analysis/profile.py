"""What the channel and kiosk reports read off hospital_profile (the clean table that puts a
hospital's bookings, kiosks and uploads side by side; built by `metroanalysis.hospitals`)."""

from __future__ import annotations

import pandas as pd

from metroanalysis import i18n

from . import ratio, stats

# ---------------------------------------------------------------------------------------------
# What the reports read off the profile: kiosk money per patient record, and a hospital's online
# booking share against its kiosk use. Hospitals are named by the registry (`label`).
#
# One rule for units that did not report, stated once: a hospital whose kiosks (one terminal or
# more) recorded no registration and no payment this month is treated as not reported; its
# ratios are missing (<NA>), never 0, and it is left out of medians and correlations.
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
    hospital's ratios are missing: NOT_REPORTED. Largest registration money per record first."""
    df = with_label(profile, lang)
    both = df[(df["kiosk_terminals"].fillna(0) > 0) & df["outpatient_records"].notna()].copy()
    cols = ["entity_id", "label", "kiosk_terminals", "kiosk_registration_yuan", "kiosk_money_yuan"]
    out = both[[*cols, "outpatient_records", "discharge_records"]].copy()
    reported = kiosk_transactions(both) > 0
    out["excluded"] = pd.array([pd.NA if r else NOT_REPORTED for r in reported], dtype="string")
    records = out["outpatient_records"].astype("Int64") + out["discharge_records"].astype("Int64").fillna(0)
    out["registration_per_outpatient_yuan"] = ratio(out["kiosk_registration_yuan"], out["outpatient_records"])
    out["money_per_record_yuan"] = ratio(out["kiosk_money_yuan"], records)
    for column in ("registration_per_outpatient_yuan", "money_per_record_yuan"):
        out[column] = out[column].where(reported)
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
    out["kiosk_transactions"] = kiosk_transactions(both)
    reported = out["kiosk_transactions"] > 0
    out["money_per_terminal_yuan"] = ratio(out["kiosk_money_yuan"], out["kiosk_terminals"]).where(reported)
    out["transactions_per_terminal"] = ratio(out["kiosk_transactions"], out["kiosk_terminals"]).where(reported)
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

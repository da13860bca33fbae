"""hospital_profile: one row per hospital that appears anywhere in the month's bulletin, with
its bookings, kiosks and data uploads side by side, joined on the registry's entity_id.

A clean-step table (written with the others by `pipeline.clean_month`); what the reports read
off it lives in `analysis.profile`.
"""

from __future__ import annotations

import pandas as pd

HOSPITAL_KINDS = ("hospital", "hospital_campus")

# (table, columns summed per entity) — each table's figures for a hospital.
SOURCES = {
    "booking_by_hospital": ["online_12320", "phone", "in_clinic", "third_party", "subtotal"],
    "kiosk_usage": ["terminals", "registrations", "registration_amount_yuan", "payments", "payment_amount_yuan"],
    "upload_by_hospital": ["upload_volume", "outpatient_records", "discharge_records"],
}
KIOSK_MONEY = ("kiosk_registration_yuan", "kiosk_payment_yuan")
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
    # added in whole fen: two amounts printed to the fen add up to an amount exact to the fen
    fen = sum((profile[c].astype("Float64") * 100).round().astype("Int64") for c in KIOSK_MONEY)
    profile["kiosk_money_yuan"] = (fen / 100).astype("Float64")
    profile["missing_from"] = [
        ",".join(t for t, p in parts.items() if eid not in p.index) or pd.NA for eid in profile.index
    ]
    profile["missing_from"] = profile["missing_from"].astype("string")
    return profile.reset_index()

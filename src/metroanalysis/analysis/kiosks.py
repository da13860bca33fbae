"""Self-service kiosks (自助智能医疗服务终端): money taken (registration + payment) and
transactions per unit, per section (hospitals, districts) and for all units; per terminal,
counted over installed terminals and over active ones; the units that did not report; and the
figures the report sets beside them (money per patient record, online booking vs kiosk use).

Input is the clean `kiosk_usage` table (one row per unit: a hospital or a district). Money is
added in whole fen (Int64) so every total is exact to the fen; the all-units figures quote the
bulletin's printed 合计 where it prints one (`totals.column_total`), never the sum of the rows.

One rule for units that did not report, declared with the fields (`schema.KIOSK_IDLE`, the
`zero_means_not_reported` of registrations, payments and their money; the same as
`profile.NOT_REPORTED`): the table is per unit, so a unit whose kiosks (one terminal or more)
recorded no registration and no payment this month is treated as not reported. Its terminals
are installed but not active, and its per-terminal figures are missing (<NA>), never 0: every
ratio reads its fields through `schema.as_reported`. The printed columns (transactions, money)
keep the printed zeros, as the bulletin's sums do. A unit with no terminal has no per-terminal
figure at all. Pure functions, no wording: the notebook writes the sentences.
"""

from __future__ import annotations

import pandas as pd

from metroanalysis.analysis import profile, ratio, to_fen, to_yuan
from metroanalysis.analysis.totals import Total, column_total
from metroanalysis.clean import schema

TABLE = "kiosk_usage"
SECTIONS = ("hospital", "district")
ALL = "合计"  # the all-units row (labels.SECTIONS names it in both languages)
MONEY = ("registration_amount_yuan", "payment_amount_yuan")


def unit_revenue(kiosk_usage: pd.DataFrame) -> pd.DataFrame:
    """One row per unit, in printed order: terminals, transactions (registrations + payments),
    money in fen and yuan, `not_reported`, and money and transactions per terminal and the
    average payment (payment money ÷ payments), <NA> where the unit did not report or has no
    terminal (or, for the average payment, no payment)."""
    cols = ["section", "unit", "entity_id", "terminals", "registrations", "payments"]
    df = kiosk_usage[cols].copy()
    df["transactions"] = (df["registrations"] + df["payments"]).astype("Int64")
    df["registration_fen"] = to_fen(kiosk_usage["registration_amount_yuan"])
    df["payment_fen"] = to_fen(kiosk_usage["payment_amount_yuan"])
    df["money_fen"] = (df["registration_fen"] + df["payment_fen"]).astype("Int64")
    df["money_yuan"] = to_yuan(df["money_fen"])
    df["not_reported"] = schema.not_reported(kiosk_usage, "registrations").astype("boolean")
    # The ratios read the fields as reported: a printed 0 that means "not reported" is <NA>.
    reported = {c: schema.as_reported(kiosk_usage, c) for c in ("registrations", "payments")}
    reported_fen = {c: to_fen(schema.as_reported(kiosk_usage, c)) for c in MONEY}
    reported_money = to_yuan(reported_fen["registration_amount_yuan"] + reported_fen["payment_amount_yuan"])
    reported_transactions = (reported["registrations"] + reported["payments"]).astype("Int64")
    df["money_per_terminal_yuan"] = ratio(reported_money, df["terminals"])
    df["transactions_per_terminal"] = ratio(reported_transactions, df["terminals"])
    df["average_payment_yuan"] = ratio(to_yuan(reported_fen["payment_amount_yuan"]), reported["payments"])
    return df.reset_index(drop=True)


def _summary(units: pd.DataFrame) -> dict:
    """The sums of a group of units (computed from its rows)."""
    not_reported = units["not_reported"].fillna(False).astype(bool)
    terminals = int(units["terminals"].sum())
    idle = int(units.loc[not_reported, "terminals"].sum())
    return {
        "units": len(units),
        "reporting_units": int(((units["terminals"] > 0) & ~not_reported).sum()),
        "not_reported_units": int(not_reported.sum()),
        "terminals": terminals,
        "active_terminals": terminals - idle,
        "not_reported_terminals": idle,
        "transactions": int(units["transactions"].sum()),
        "payments": int(units["payments"].sum()),
        "money_fen": int(units["money_fen"].sum()),
        "payment_fen": int(units["payment_fen"].sum()),
        "printed": False,
    }


def _with_printed(row: dict, printed_totals: pd.DataFrame, kiosk_usage: pd.DataFrame) -> dict:
    """The all-units row with the bulletin's printed 合计 in place of the row sums, where it
    prints them (terminals, transactions, money, payments)."""

    def total(column: str) -> Total:
        return column_total(printed_totals, kiosk_usage, TABLE, column)

    money = total("registration_amount_yuan") + total("payment_amount_yuan")
    terminals = total("terminals").value
    return row | {
        "terminals": terminals,
        "active_terminals": terminals - row["not_reported_terminals"],
        "transactions": total("registrations").value + total("payments").value,
        "payments": total("payments").value,
        "money_fen": money.value,
        "payment_fen": total("payment_amount_yuan").value,
        "printed": money.is_printed,
    }


def section_revenue(kiosk_usage: pd.DataFrame, printed_totals: pd.DataFrame | None = None) -> pd.DataFrame:
    """Hospitals, districts and all units (`section`: 'hospital', 'district', ALL): units (all,
    reporting, not reported), terminals (installed, active, in units not reported), transactions
    and money, per installed and per active terminal, the average payment, and the share of
    installed terminals standing in units that did not report.

    The section rows are sums of their rows (the bulletin prints no section total). The ALL row
    quotes the bulletin's printed 合计 when `printed_totals` (the month's table of them) is
    given — `printed` says whether its money is the printed figure — and the row sums otherwise.
    """
    units = unit_revenue(kiosk_usage)
    rows = [{"section": s, **_summary(units[units["section"] == s])} for s in SECTIONS]
    whole = {"section": ALL, **_summary(units)}
    rows.append(_with_printed(whole, printed_totals, kiosk_usage) if printed_totals is not None else whole)
    out = pd.DataFrame(rows)
    counts = [c for c in out.columns if c not in ("section", "printed")]
    out = out.astype({"section": "string", "printed": "boolean", **{c: "Int64" for c in counts}})
    out["money_yuan"] = to_yuan(out["money_fen"])
    out["money_per_terminal_yuan"] = ratio(out["money_yuan"], out["terminals"])
    out["money_per_active_terminal_yuan"] = ratio(out["money_yuan"], out["active_terminals"])
    out["transactions_per_terminal"] = ratio(out["transactions"], out["terminals"])
    out["transactions_per_active_terminal"] = ratio(out["transactions"], out["active_terminals"])
    out["average_payment_yuan"] = ratio(to_yuan(out["payment_fen"]), out["payments"])
    out["not_reported_share"] = ratio(out["not_reported_terminals"], out["terminals"])
    return out


def not_reported_units(kiosk_usage: pd.DataFrame) -> pd.DataFrame:
    """The units with kiosks that recorded no transaction this month, most terminals first
    (printed order among equals)."""
    units = unit_revenue(kiosk_usage)
    idle = units.loc[units["not_reported"], ["section", "unit", "entity_id", "terminals"]]
    return idle.sort_values("terminals", ascending=False, kind="stable").reset_index(drop=True)


def ranked_by(units: pd.DataFrame, column: str, top: int | None = None) -> pd.DataFrame:
    """The units with a value in `column` (the set a superlative ranges over), largest first,
    printed order among equals; optionally only the first `top`."""
    ranked = units.dropna(subset=[column]).sort_values(column, ascending=False, kind="stable")
    return (ranked.head(top) if top else ranked).reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# The hospital profile's kiosk figures (`profile.kiosk_per_record`, `profile.online_vs_kiosk`),
# summarised for the report.


def reported_median(per_hospital: pd.DataFrame, column: str) -> tuple[float | None, int]:
    """The median of `column` over the hospitals not `excluded` (those that did not report are
    left out, never counted as 0), and how many hospitals it is taken over; None when none."""
    values = per_hospital.loc[per_hospital["excluded"].isna(), column].dropna().astype(float)
    return (float(values.median()) if len(values) else None), len(values)


def without_terminals(hospital_profile: pd.DataFrame) -> pd.DataFrame:
    """Hospitals in the upload table (they have patient records) whose kiosk row, if any,
    prints 0 terminals: they have no kiosk money per record at all (not 0)."""
    records = hospital_profile["outpatient_records"].notna()
    return hospital_profile[records & (hospital_profile["kiosk_terminals"].fillna(0) == 0)].reset_index(drop=True)


def online_scatter(online: pd.DataFrame) -> pd.DataFrame:
    """`profile.online_vs_kiosk` ready for a scatter that shows every hospital, the excluded ones
    too, at their printed figures: `online_pct` (the online share in per cent), and kiosk money
    and transactions ÷ installed terminals as printed (`printed_money_per_terminal_yuan`,
    `printed_transactions_per_terminal`: 0 for a hospital whose kiosks recorded nothing, where
    the comparison's own columns are <NA>). `excluded` (<NA> for the hospitals the correlation
    uses) tells the two kinds of point apart."""
    out = online.copy()
    out["online_pct"] = (out["online_share"] * 100).astype("Float64")
    money = to_yuan(to_fen(out["kiosk_money_yuan"].fillna(0)))
    out["printed_money_per_terminal_yuan"] = ratio(money, out["kiosk_terminals"])
    out["printed_transactions_per_terminal"] = ratio(out["kiosk_transactions"], out["kiosk_terminals"])
    return out


def excluded_by_reason(online: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The hospitals a comparison leaves out, by reason (`profile.NOT_REPORTED`,
    `profile.FEW_BOOKINGS`), each in the order of `online`; a reason with none is absent."""
    reasons = online["excluded"]
    return {
        reason: online[reasons == reason].reset_index(drop=True)
        for reason in (profile.NOT_REPORTED, profile.FEW_BOOKINGS)
        if (reasons == reason).any()
    }

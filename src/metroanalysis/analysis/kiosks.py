"""Self-service kiosks: money taken (registration + payment), per unit and per section
(hospitals vs districts), per terminal; transactions per terminal; the average payment; and
the terminals standing in units that recorded no transaction at all.

Input is the clean `kiosk_usage` table. Money is added in whole fen so that every total is
exact to the fen; ratios (per terminal, average payment) are Float64 and <NA> where the
denominator is zero.
"""

from __future__ import annotations

import pandas as pd

from metroanalysis import labels

from . import fmt_count, fmt_pct, fmt_yuan, ratio, to_fen, to_yuan

SECTIONS = {"hospital": "医疗单位", "district": "各区"}
ALL = "合计"


def _money_fen(kiosk_usage: pd.DataFrame) -> pd.Series:
    return to_fen(kiosk_usage["registration_amount_yuan"]) + to_fen(kiosk_usage["payment_amount_yuan"])


def unit_revenue(kiosk_usage: pd.DataFrame) -> pd.DataFrame:
    """One row per unit (hospital or area), in printed order, with money and per-terminal figures."""
    df = kiosk_usage[["section", "unit", "terminals", "registrations", "payments"]].copy()
    df["transactions"] = (df["registrations"] + df["payments"]).astype("Int64")
    df["money_yuan"] = to_yuan(_money_fen(kiosk_usage))
    df["money_per_terminal_yuan"] = ratio(df["money_yuan"], df["terminals"])
    df["transactions_per_terminal"] = ratio(df["transactions"], df["terminals"])
    df["average_payment_yuan"] = ratio(kiosk_usage["payment_amount_yuan"], kiosk_usage["payments"])
    # A unit "with no transaction" has kiosks but recorded neither a registration nor a payment.
    df["idle"] = ((df["terminals"] > 0) & (df["transactions"] == 0)).astype("boolean")
    return df.reset_index(drop=True)


def _summarise(group: pd.DataFrame, payments_fen: int) -> dict:
    terminals, transactions = int(group["terminals"].sum()), int(group["transactions"].sum())
    money_fen = int(to_fen(group["money_yuan"]).sum())
    payments = int(group["payments"].sum())
    idle = int(group.loc[group["idle"], "terminals"].sum())
    return {
        "units": len(group),
        "terminals": terminals,
        "transactions": transactions,
        "money_yuan": money_fen / 100,
        "money_per_terminal_yuan": money_fen / 100 / terminals if terminals else None,
        "transactions_per_terminal": transactions / terminals if terminals else None,
        "average_payment_yuan": payments_fen / 100 / payments if payments else None,
        "idle_units": int(group["idle"].sum()),
        "idle_terminals": idle,
        "idle_share": idle / terminals if terminals else None,
    }


def section_revenue(kiosk_usage: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Hospitals, districts and all units: terminals, money, per-terminal figures and the
    terminals standing in units with no transaction (count and share of that fleet);
    `label` names the section in `lang`."""
    units = unit_revenue(kiosk_usage)
    payments_fen = to_fen(kiosk_usage["payment_amount_yuan"])
    rows = []
    for section, section_zh in [*SECTIONS.items(), (ALL, ALL)]:
        mask = units["section"] == section if section != ALL else pd.Series(True, index=units.index)
        rows.append(
            {"section": section, "section_zh": section_zh, **_summarise(units[mask], int(payments_fen[mask].sum()))}
        )
    out = pd.DataFrame(rows)
    out.insert(2, "label", [labels.category(labels.SECTIONS, s, lang) for s in out["section"]])
    types = {"section": "string", "section_zh": "string", "label": "string"}
    types |= {c: "Int64" for c in ("units", "terminals", "transactions", "idle_units", "idle_terminals")}
    types |= {c: "Float64" for c in out.columns if c.endswith(("_yuan", "_terminal", "_share"))}
    return out.astype(types)


def idle_units(kiosk_usage: pd.DataFrame) -> pd.DataFrame:
    """The units with kiosks that recorded no transaction this month, most terminals first."""
    units = unit_revenue(kiosk_usage)
    idle = units.loc[units["idle"], ["section", "unit", "terminals"]]
    return idle.sort_values("terminals", ascending=False, kind="stable").reset_index(drop=True)


def ranked_by(units: pd.DataFrame, column: str, top: int | None = None) -> pd.DataFrame:
    """Units with a value in `column`, largest first (optionally the first `top`)."""
    ranked = units.dropna(subset=[column]).sort_values(column, ascending=False, kind="stable")
    return (ranked.head(top) if top else ranked).reset_index(drop=True)


# Sentences shown under the charts, written from the tables above.


def overview_sentence(sections: pd.DataFrame, lang: str = "zh") -> str:
    """Fleet size, money, per-terminal money, and the idle part of the fleet."""
    s = sections.set_index("section")
    total, hosp, dist = s.loc[ALL], s.loc["hospital"], s.loc["district"]
    if lang == "en":
        return (
            f"{fmt_count(total.terminals)} self-service terminals ({fmt_count(hosp.terminals)} in hospitals, "
            f"{fmt_count(dist.terminals)} in districts) took {fmt_yuan(total.money_yuan, lang)} in registrations "
            f"and payments this month, {fmt_yuan(total.money_per_terminal_yuan, lang)} per terminal: "
            f"{fmt_yuan(hosp.money_per_terminal_yuan, lang)} in hospitals and "
            f"{fmt_yuan(dist.money_per_terminal_yuan, lang)} in districts."
        )
    return (
        f"自助终端共 {fmt_count(total.terminals)} 台（医疗单位 {fmt_count(hosp.terminals)} 台，各区 "
        f"{fmt_count(dist.terminals)} 台），本月挂号与缴费金额合计 {fmt_yuan(total.money_yuan)}，平均每台 "
        f"{fmt_yuan(total.money_per_terminal_yuan)}：医疗单位每台 {fmt_yuan(hosp.money_per_terminal_yuan)}，"
        f"各区每台 {fmt_yuan(dist.money_per_terminal_yuan)}。"
    )


def idle_sentence(sections: pd.DataFrame, idle: pd.DataFrame, lang: str = "zh") -> str:
    total = sections.set_index("section").loc[ALL]
    if lang == "en":
        names = ", ".join(f"{r.unit} ({r.terminals})" for r in idle.head(3).itertuples())
        return (
            f"In {fmt_count(total.idle_units)} units the terminals recorded no registration or payment this "
            f"month: {fmt_count(total.idle_terminals)} terminals, {fmt_pct(total.idle_share)} of all; the units "
            f"with most such terminals are {names or 'none'}."
        )
    names = "、".join(f"{r.unit}（{r.terminals} 台）" for r in idle.head(3).itertuples())
    return (
        f"有 {fmt_count(total.idle_units)} 个单位的终端本月没有任何挂号或缴费，"
        f"涉及 {fmt_count(total.idle_terminals)} 台，"
        f"占全部终端的 {fmt_pct(total.idle_share)}；台数最多的是{names}。"
    )


def ranking_sentence(units: pd.DataFrame, lang: str = "zh") -> str:
    """Who takes the most per terminal, and who the most in total."""
    per_terminal = ranked_by(units, "money_per_terminal_yuan").iloc[0]
    money = ranked_by(units, "money_yuan").iloc[0]
    payment = ranked_by(units, "average_payment_yuan").iloc[0]
    if lang == "en":
        return (
            f"{money.unit} took the most money ({fmt_yuan(money.money_yuan, lang)}); {per_terminal.unit} took "
            f"the most per terminal ({per_terminal.terminals} terminals, "
            f"{fmt_yuan(per_terminal.money_per_terminal_yuan, lang)} each); {payment.unit} had the highest "
            f"average payment ({fmt_yuan(payment.average_payment_yuan, lang)})."
        )
    return (
        f"金额最多的是{money.unit}（{fmt_yuan(money.money_yuan)}）；每台金额最高的是{per_terminal.unit}"
        f"（{per_terminal.terminals} 台，每台 {fmt_yuan(per_terminal.money_per_terminal_yuan)}）；"
        f"平均每笔缴费最高的是{payment.unit}（{fmt_yuan(payment.average_payment_yuan)}）。"
    )

"""The bulletin's own arithmetic, checked: printed subtotals and 合计 against sums, and the
identities that hold across tables. Pure functions over the tidy tables.

Status: `ok` (equal), `rounding` (money off by at most one fen, the printed precision),
`mismatch` (anything larger), `partial` (a printed breakdown that covers only part of its
total), `missing` (a table absent from this month's bulletin), `unmatched` (a name the registry
does not know), `repaired` (damage in the raw file read back without guessing: the rule names
the repair, e.g. line_rewrapped, cells_split, decoded_gb18030).
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from . import schema
from .reference import AREAS
from .tables.booking import CHANNELS

COLUMNS = [f.name for f in schema.fields("quality")]
# Each status's name in both languages, worst first: what a reviewer must look at before
# trusting a figure comes first.
STATUSES = {
    "mismatch": ("不一致", "mismatch"),
    "missing": ("缺失", "missing"),
    "unmatched": ("未匹配", "unmatched name"),
    "repaired": ("已修复", "repaired on reading"),
    "rounding": ("舍入差", "rounding"),
    "partial": ("部分列出", "partly listed"),
    "ok": ("一致", "agree"),
}
STATUS_ORDER = list(STATUSES)


def fen(value) -> int:
    """Whole fen of a yuan amount (exact: each amount was parsed from two-decimal text)."""
    return int((Decimal(str(value)) * 100).to_integral_value())


def compare(rule, table, entity, column, printed, computed, line, message, money=False) -> dict:
    if money:
        computed_fen = sum(fen(v) for v in computed)  # `computed` is the list of amounts summed
        diff_fen = computed_fen - fen(printed)
        computed_text = f"{Decimal(computed_fen) / 100:.2f}"
        printed_text = f"{Decimal(fen(printed)) / 100:.2f}"
        difference = f"{Decimal(diff_fen) / 100:.2f}"
        status = "ok" if diff_fen == 0 else "rounding" if abs(diff_fen) <= 1 else "mismatch"
    else:
        diff = int(computed) - int(printed)
        computed_text, printed_text, difference = str(int(computed)), str(int(printed)), str(diff)
        status = "ok" if diff == 0 else "mismatch"
    return {
        "rule": rule,
        "table": table,
        "entity": entity,
        "column": column,
        "printed": printed_text,
        "computed": computed_text,
        "difference": difference,
        "status": status,
        "source_line": line,
        "message": message,
    }


def totals_of(printed_totals: pd.DataFrame, table: str) -> pd.DataFrame:
    return printed_totals[printed_totals["table"] == table]


def printed_totals_match_sums(tables: dict[str, pd.DataFrame], printed_totals: pd.DataFrame) -> list[dict]:
    """Every printed 合计 (and the province total) equals the sum of its column."""
    out = []
    for row in printed_totals.itertuples(index=False):
        df = tables[row.table]
        money = schema.dtypes(row.table).get(row.column) == "Float64"
        values = [v for v in df[row.column].dropna()]
        computed = values if money else sum(int(v) for v in values)
        out.append(
            compare(
                "printed_total_equals_sum",
                row.table,
                "合计",
                row.column,
                row.value,
                computed,
                row.source_line,
                f"printed total of {row.column} against the sum of {len(values)} rows",
                money=money,
            )
        )
    return out


def booking_subtotals(booking: pd.DataFrame) -> list[dict]:
    """Each hospital's printed 小计 equals its four channels."""
    return [
        compare(
            "subtotal_equals_channels",
            "booking_by_hospital",
            r.hospital,
            "subtotal",
            r.subtotal,
            sum(int(getattr(r, c)) for c in CHANNELS),
            r.source_line,
            "小计 against 12320在线 + 电话 + 诊间 + 第三方",
        )
        for r in booking.itertuples(index=False)
    ]


def hotline_identities(tables: dict[str, pd.DataFrame], printed_totals: pd.DataFrame) -> list[dict]:
    """The categories listed after 其中 compose the hotline total; the hotline's phone
    bookings are the booking table's phone column; Nanjing's line in the province paragraph
    is the hotline total."""
    calls, out = tables["hotline_calls"], []
    if calls.empty:
        return out
    total = calls[calls["category"] == "total"].iloc[0]
    parts = calls[calls["in_total"].fillna(False)]
    out.append(
        compare(
            "categories_compose_total",
            "hotline_calls",
            "total",
            "calls",
            total["calls"],
            int(parts["calls"].sum()),
            total["source_line"],
            f"共受理 total against the {len(parts)} categories listed after 其中",
        )
    )
    phone = calls[calls["category"] == "phone_bookings"]
    booked = totals_of(printed_totals, "booking_by_hospital")
    booked = booked[booked["column"] == "phone"]
    if not phone.empty and not booked.empty:
        out.append(
            compare(
                "hotline_phone_bookings_equal_booking_table",
                "hotline_calls",
                "phone_bookings",
                "calls",
                phone.iloc[0]["calls"],
                int(booked.iloc[0]["value"]),
                phone.iloc[0]["source_line"],
                "电话预约 in the hotline paragraph against the booking table's printed 电话预约 合计",
            )
        )
    cities = tables["hotline_province"]
    nanjing = cities[cities["city"].isin(["南京", "南京市"])]
    if not nanjing.empty:
        out.append(
            compare(
                "province_nanjing_equals_hotline_total",
                "hotline_province",
                "南京",
                "calls",
                nanjing.iloc[0]["calls"],
                int(total["calls"]),
                nanjing.iloc[0]["source_line"],
                "Nanjing's calls in the province paragraph against the hotline total",
            )
        )
    return out


def remote_identities(tables: dict[str, pd.DataFrame]) -> list[dict]:
    """Covered plus not-connected areas make the 12 areas; a breakdown after 其中 does not
    exceed its total (and equals it where it lists every kind of institution)."""
    out = []
    platforms = tables["remote_platforms"]
    for r in platforms.itertuples(index=False):
        if pd.notna(r.districts_covered):
            named = "" if pd.isna(r.districts_not_connected) else str(r.districts_not_connected)
            uncovered = len(named.split("、")) if named else 0
            out.append(
                compare(
                    "covered_plus_not_connected_is_all_areas",
                    "remote_platforms",
                    r.platform_zh,
                    "districts_covered",
                    len(AREAS),
                    int(r.districts_covered) + uncovered,
                    r.source_line,
                    f"{r.districts_covered} covered + {uncovered} not connected against the {len(AREAS)} areas",
                )
            )
    breakdown = tables["remote_institutions"]
    for r in platforms.itertuples(index=False):
        parts = breakdown[breakdown["platform"] == r.platform]
        if parts.empty or pd.isna(r.institutions_connected):
            continue
        row = compare(
            "breakdown_within_institutions",
            "remote_platforms",
            r.platform_zh,
            "institutions_connected",
            r.institutions_connected,
            int(parts["institutions"].sum()),
            r.source_line,
            "sum of the institutions listed after 其中 against 累计接入",
        )
        if int(row["difference"]) < 0:
            row["status"] = "partial"  # the paragraph names only some kinds of institution
        out.append(row)
    return out


def missing_tables(missing: list[str]) -> list[dict]:
    # Empty fields are <NA>, as they read back from quality.csv.
    return [
        {
            "rule": "table_present",
            "table": name,
            "entity": None,
            "column": None,
            "printed": None,
            "computed": None,
            "difference": None,
            "status": "missing",
            "source_line": None,
            "message": f"{name} is not printed in this month's bulletin",
        }
        for name in missing
    ]


def run_checks(
    tables: dict[str, pd.DataFrame], printed_totals: pd.DataFrame, missing: list[str], extra: list[dict] = ()
) -> pd.DataFrame:
    """Every rule, one row per comparison, the rows that need a reviewer's eye first."""
    rows = [
        *missing_tables(missing),
        *extra,
        *printed_totals_match_sums(tables, printed_totals),
        *booking_subtotals(tables["booking_by_hospital"]),
        *hotline_identities(tables, printed_totals),
        *remote_identities(tables),
    ]
    df = pd.DataFrame(rows, columns=COLUMNS)
    order = {status: rank for rank, status in enumerate(STATUS_ORDER)}
    df = df.sort_values("status", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)
    return schema.typed(df, "quality")

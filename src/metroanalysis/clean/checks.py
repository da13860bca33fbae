"""The bulletin's own arithmetic, checked: printed subtotals and 合计 against sums, and the
identities that hold across tables. Pure functions over the tidy tables.

Status: `ok` (equal), `mismatch` (an exact figure, a count or an amount of money in whole fen,
that differs from what its parts add to, by any amount), `rounding` (a total of figures that
are themselves rounded by print, such as shares to 0.1%, within the rounding those figures
allow), `partial` (a printed breakdown that covers only part of its total), `missing` (a table
absent from this month's bulletin, or a column of a table printed without its 合计), `unmatched`
(a name the registry does not know), `repaired`
(damage in the raw file read back without guessing: the rule names the repair, e.g.
line_rewrapped, cells_split, decoded_gb18030).

`difference` is always printed minus computed: positive where the printed figure is larger than
its parts add to. Money is compared in whole fen, so the difference is exact.

Every check of the bulletin's tables compares exact figures: counts, and money printed to the
fen (the 49 payment amounts of the kiosk table are whole fen; none is rounded). No table of the
bulletin prints a rounded figure (a share or a rate) with a total yet; one that does checks it
with `compare_rounded`.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from metroanalysis.clean import schema
from metroanalysis.i18n.messages import said
from metroanalysis.parse.tables import TABLES as DECLARED
from metroanalysis.parse.tables.booking import CHANNELS
from metroanalysis.reference import AREAS

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


def yuan_text(amount_fen: int) -> str:
    return f"{Decimal(amount_fen) / 100:.2f}"


def check_row(rule, table, entity, column, printed, computed, difference, status, line, message) -> dict:
    return {
        "rule": rule,
        "table": table,
        "entity": entity,
        "column": column,
        "printed": printed,
        "computed": computed,
        "difference": difference,
        "status": status,
        "source_line": line,
        # message and message_zh, from `said` (text given as it is: a caller's own rule, no Chinese)
        **(message if isinstance(message, dict) else {"message": message, "message_zh": None}),
    }


def compare(rule, table, entity, column, printed, computed, line, message, money=False) -> dict:
    """An exact printed figure against what its parts add to: a count, or (money=True, with
    `computed` the list of amounts) money in whole fen. Nothing exact is rounded, so any
    difference, however small, is a mismatch."""
    if money:
        p, c = fen(printed), sum(fen(v) for v in computed)
        texts = yuan_text(p), yuan_text(c), yuan_text(p - c)
    else:
        p, c = int(printed), int(computed)
        texts = str(p), str(c), str(p - c)
    return check_row(rule, table, entity, column, *texts, "ok" if p == c else "mismatch", line, message)


def half_unit(printed: Decimal) -> Decimal:
    """Half a unit in the last printed place: how far a rounded figure can be from its value."""
    return Decimal(5).scaleb(printed.as_tuple().exponent - 1)


def compare_rounded(
    rule, table, entity, column, printed: str, terms: list[str], line, message, total_is_exact: bool = True
) -> dict:
    """A printed total of figures that are themselves rounded by print (shares to 0.1%, …),
    as printed text. Each rounded figure can be off by half a unit in its last printed place,
    so n of them may add to within n such halves of the total (the total counts as one more
    unless it is exact by definition, as 100% is): within that, `rounding`; beyond, `mismatch`."""
    total, parts = Decimal(printed), [Decimal(t) for t in terms]
    tolerance = sum((half_unit(p) for p in parts), Decimal(0)) + (0 if total_is_exact else half_unit(total))
    computed = sum(parts, Decimal(0))
    diff = total - computed
    status = "ok" if diff == 0 else "rounding" if abs(diff) <= tolerance else "mismatch"
    return check_row(rule, table, entity, column, printed, str(computed), str(diff), status, line, message)


def totals_of(printed_totals: pd.DataFrame, table: str) -> pd.DataFrame:
    return printed_totals[printed_totals["table"] == table]


def printed_totals_match_sums(tables: dict[str, pd.DataFrame], printed_totals: pd.DataFrame) -> list[dict]:
    """Every printed 合计 (and the province total) equals the sum of its column."""
    out = []
    for row in printed_totals.itertuples(index=False):
        if not summed(row.table, row.column):
            continue  # a rate's 合计 is no sum: declared_rates checks it
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
                said("printed_total_equals_sum", column=row.column, n=len(values)),
                money=money,
            )
        )
    return out


def new_channel(row) -> int:
    """A hospital's bookings through a channel column no declaration knows yet (0 if none)."""
    value = getattr(row, "new_channel", None)
    return 0 if value is None or pd.isna(value) else int(value)


def declared_column(table: str, column: str):
    """The printed column `column` of `table` as its module declares it (None if undeclared)."""
    declared = DECLARED.get(table)
    return next((c for c in declared.columns if c.name == column), None) if declared else None


def summed(table: str, column: str) -> bool:
    """Whether a printed 合计 of the column is the sum of its rows (the declaration says)."""
    col = declared_column(table, column)
    return col is None or col.summed


def declared_rates(tables: dict[str, pd.DataFrame], printed_totals: pd.DataFrame) -> list[dict]:
    """Every printed rate declared as numerator ÷ denominator (× per) of its row, and of the
    合计 row, within its printing precision (half a unit in its last printed place)."""
    out = []
    for name, table in DECLARED.items():
        for col in (c for c in table.columns if c.rate_of):
            num, den = col.rate_of
            df = tables.get(name)
            rows = (
                []
                if df is None
                else [
                    (
                        getattr(r, table.entity_column),
                        getattr(r, col.name),
                        getattr(r, num),
                        getattr(r, den),
                        r.source_line,
                    )
                    for r in df.itertuples(index=False)
                ]
            )
            printed = totals_of(printed_totals, name).set_index("column")
            if {col.name, num, den} <= set(printed.index):
                p = printed.loc
                rows.append(
                    ("合计", p[col.name, "printed"], p[num, "value"], p[den, "value"], p[col.name, "source_line"])
                )
            out.extend(rate_row(name, col, *row) for row in rows if not pd.isna(row[1]))
    return out


def rate_row(table: str, col, entity, printed: str, num, den, line) -> dict:
    rate = Decimal(str(printed))
    computed = Decimal(int(num)) * col.per / Decimal(int(den)) if int(den) else None
    message = said("rate_equals_ratio", column=col.name, num=col.rate_of[0], den=col.rate_of[1])
    if computed is None:
        return check_row("rate_equals_ratio", table, entity, col.name, printed, None, None, "mismatch", line, message)
    exact = computed.quantize(Decimal(1).scaleb(rate.as_tuple().exponent))
    diff = rate - computed
    status = "ok" if abs(diff) <= half_unit(rate) else "mismatch"
    return check_row(
        "rate_equals_ratio", table, entity, col.name, printed, str(exact), str(rate - exact), status, line, message
    )


def booking_subtotals(booking: pd.DataFrame) -> list[dict]:
    """Each hospital's printed 小计 equals its four channels (and a new channel, if printed)."""
    return [
        compare(
            "subtotal_equals_channels",
            "booking_by_hospital",
            r.hospital,
            "subtotal",
            r.subtotal,
            sum(int(getattr(r, c)) for c in CHANNELS) + new_channel(r),
            r.source_line,
            said("subtotal_equals_channels"),
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
            total["label"],  # as printed (咨询电话), as every check names its entity
            "calls",
            total["calls"],
            int(parts["calls"].sum()),
            total["source_line"],
            said("categories_compose_total", n=len(parts)),
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
                phone.iloc[0]["label"],
                "calls",
                phone.iloc[0]["calls"],
                int(booked.iloc[0]["value"]),
                phone.iloc[0]["source_line"],
                said("hotline_phone_bookings_equal_booking_table"),
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
                said("province_nanjing_equals_hotline_total"),
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
                    int(r.districts_covered),  # the printed figure; 12 is no figure of the bulletin's
                    len(AREAS) - uncovered,
                    r.source_line,
                    said("covered_plus_not_connected_is_all_areas", areas=len(AREAS), uncovered=uncovered),
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
            said("breakdown_within_institutions"),
        )
        if int(row["difference"]) > 0:
            row["status"] = "partial"  # the paragraph names only some kinds of institution
        out.append(row)
    return out


# The tables printed with a 合计 row, and the columns it totals: as each table declares them.
def total_rows() -> dict[str, tuple[str, ...]]:
    return {
        t.name: tuple(c.name for c in t.columns if c.numeric and c.summed) for t in DECLARED.values() if t.total_row
    }


def missing_printed_totals(tables: dict[str, pd.DataFrame], printed_totals: pd.DataFrame) -> list[dict]:
    """A table printed with its rows but without (part of) its 合计 row: each column left
    without a printed total to check it against is `missing`, not silently unchecked."""
    out = []
    for table, columns in total_rows().items():
        if table not in tables or tables[table].empty:
            continue  # a table missing whole is noted by missing_tables
        printed = set(totals_of(printed_totals, table)["column"])
        for column in columns:
            if column not in printed:
                row = missing_tables([table])[0]
                row.update(
                    rule="printed_total_present",
                    entity="合计",
                    column=column,
                    message=f"{table} is printed without its 合计 for {column}: the column is not checked",
                )
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
            **said("table_present", table=name),
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
        *missing_printed_totals(tables, printed_totals),
        *printed_totals_match_sums(tables, printed_totals),
        *booking_subtotals(tables["booking_by_hospital"]),
        *declared_rates(tables, printed_totals),
        *hotline_identities(tables, printed_totals),
        *remote_identities(tables),
    ]
    df = pd.DataFrame(rows, columns=COLUMNS)
    order = {status: rank for rank, status in enumerate(STATUS_ORDER)}
    df = df.sort_values("status", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)
    return schema.typed(df, "quality")

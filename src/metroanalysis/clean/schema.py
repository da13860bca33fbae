"""The shape of every clean table: field names, dtypes, units, titles, descriptions.

One source for the parsers' dtypes, for reading the CSVs back (`load_month`) and for the
Frictionless `datapackage.json`. Modelled on PUDL: each field is described once, in
`FIELD_METADATA`; each table lists its fields by name, with an override only where the field
holds something else in that table (or, in a few places, is described in that table's words).
The tables parsed from the bulletin are declared in their parser modules (`tables/*.py`); the
tables made from those (and from the registry) are declared here.

A field's dtype is a pandas nullable dtype: counts are `Int64`, names `string`, flags
`boolean`; money is `Float64` yuan whose value is the printed amount exactly to the fen
(written back as two-decimal text, summed in whole fen).
"""

from __future__ import annotations

import pandas as pd

from metroanalysis.parse import tables as parsed
from metroanalysis.parse.fields import (
    DISCHARGES_NOT_REPORTED,
    FIELD_METADATA,
    KIOSK_IDLE,
    Field,
    ZeroNotReported,
    dtypes_of,
    field,
    fields_of,
    typed_as,
)
from metroanalysis.parse.tables.base import FACTS, PRINTED_TOTALS
from metroanalysis.parse.tables.spec import Table

# The fields are described in `fields` and looked up here by name, with the tables.
__all__ = [
    "BULLETIN_TABLES",
    "DERIVED",
    "DERIVED_NAMES",
    "DISCHARGES_NOT_REPORTED",
    "FIELD_METADATA",
    "KIOSK_IDLE",
    "TABLES",
    "Field",
    "ZeroNotReported",
    "as_reported",
    "description",
    "dtypes",
    "empty",
    "field",
    "fields",
    "not_reported",
    "not_reported_rule",
    "not_reported_values",
    "typed",
]

_FROM_BOOKING = {"description": "from booking_by_hospital"}
_FROM_UPLOAD = {"description": "from upload_by_hospital"}

# Tables made from the parsed ones, from the registry, and from the checks.
DERIVED = (
    Table(
        "hospital_profile",
        None,
        None,
        "One row per hospital in the month's bulletin: bookings, kiosks and uploads side by side, joined on entity_id.",
        (
            ("entity_id", {"description": "id in data/reference/entities.csv"}),
            ("name_zh", {"title_zh": "医院", "description": "canonical Chinese name from the registry"}),
            ("name_en", {"description": "English name where a well-known one exists"}),
            ("online_12320", _FROM_BOOKING),
            ("phone", _FROM_BOOKING),
            ("in_clinic", _FROM_BOOKING),
            ("third_party", _FROM_BOOKING),
            ("bookings", {"title_zh": "预约小计", "description": "printed 小计 from booking_by_hospital"}),
            "kiosk_terminals",
            "kiosk_registrations",
            "kiosk_registration_yuan",
            "kiosk_payments",
            "kiosk_payment_yuan",
            ("upload_volume", _FROM_UPLOAD),
            ("outpatient_records", _FROM_UPLOAD),
            ("discharge_records", _FROM_UPLOAD),
            "kiosk_money_yuan",
            "missing_from",
        ),
    ),
    Table(
        "entities",
        None,
        None,
        "The reviewed registry used for this month (copy of data/reference/entities.csv).",
        (
            ("entity_id", {"description": "stable id"}),
            "name_zh",
            "name_en",
            "kind",
            "district",
            "parent_id",
            "note",
        ),
    ),
    Table(
        "aliases",
        None,
        None,
        "Every printed variant of a name that is not the canonical one (copy of data/reference/aliases.csv).",
        ("alias", ("entity_id", {"description": "the entity it names"}), "confidence", "not_to_confuse_with", "note"),
    ),
    PRINTED_TOTALS,
    FACTS,
    Table(
        "quality",
        None,
        None,
        "The bulletin's own arithmetic checked: printed totals against sums, cross-table identities;"
        " and the damage in the raw file that was repaired on reading.",
        (
            "rule",
            ("table", {"description": "table checked"}),
            ("entity", {"description": "entity or 合计"}),
            "column",
            ("printed", {"title_zh": "原文数值", "title_en": "Printed figure", "description": "the printed figure"}),
            "computed",
            "difference",
            (
                "status",
                {
                    "description": "ok, rounding, mismatch, partial, missing, unmatched, or repaired (damage in the raw"
                    " file read back without guessing; printed is the text as found, computed as read)"
                },
            ),
            ("source_line", {"description": "line of the printed figure"}),
            "message",
            "message_zh",
        ),
    ),
)

TABLES: dict[str, Table] = {**parsed.TABLES, **{t.name: t for t in DERIVED}}
DERIVED_NAMES = tuple(t.name for t in DERIVED)
# Tables parsed from the bulletin, in printed order.
BULLETIN_TABLES = list(parsed.TABLES)


def fields(table: str) -> list[Field]:
    return fields_of(TABLES[table])


def description(table: str) -> str:
    return TABLES[table].description


def dtypes(table: str) -> dict[str, str]:
    return dtypes_of(TABLES[table])


def empty(table: str) -> pd.DataFrame:
    """A table with no rows but every column typed: what a missing table looks like."""
    return typed(pd.DataFrame(columns=list(dtypes(table))), table)


def typed(df: pd.DataFrame, table: str) -> pd.DataFrame:
    """df with the schema's columns, in order, in the schema's nullable dtypes."""
    return typed_as(df, TABLES[table])


# ---------------------------------------------------------------------------------------------
# Printed zeros that mean "did not report" (`ZeroNotReported`, declared in FIELD_METADATA)


def not_reported_rule(name: str) -> ZeroNotReported | None:
    """The field's rule for a printed 0 that means "not reported"; None where a 0 is a count."""
    return FIELD_METADATA.get(name, {}).get("zero_means_not_reported")


def not_reported(df: pd.DataFrame, name: str) -> pd.Series:
    """True on the rows of `df` whose printed `name` is a 0 that means "did not report" (the
    field's declared rule); False elsewhere, also where the rule's fields are not in `df`."""
    rule = not_reported_rule(name)
    if rule is None or not {*rule.zeros, rule.present, name} <= set(df.columns):
        return pd.Series(False, index=df.index, dtype="boolean")
    zeros = pd.concat([df[z].astype("Float64").eq(0) for z in rule.zeros], axis=1).all(axis=1)
    present = df[rule.present].astype("Float64").gt(0).fillna(False)
    return (zeros & present & df[name].astype("Float64").eq(0).fillna(False)).fillna(False).astype("boolean")


def as_reported(df: pd.DataFrame, name: str) -> pd.Series:
    """`df[name]` with every printed 0 that means "did not report" as <NA>: the one function
    every ratio and average reads a field through, so such a 0 is left out, never counted."""
    return df[name].mask(not_reported(df, name).astype(bool))


def not_reported_values(df: pd.DataFrame, table: str, entity: str) -> pd.DataFrame:
    """Every value of `df` (a table of `table`'s fields) that its field's rule reads as "not
    reported": one row per value, in table order: entity (the row's `entity` column as printed),
    entity_id, field, row_line (the row's source_line) and the rule's reason in both languages."""
    rows = []
    for f in fields(table):
        if f.zero_means_not_reported is None or f.name not in df:
            continue
        hit = df[not_reported(df, f.name).astype(bool)]
        for r in hit.to_dict("records"):
            rule = f.zero_means_not_reported
            line = r.get("source_line")
            rows.append([r.get(entity), r.get("entity_id"), f.name, line, rule.reason_zh, rule.reason_en])
    columns = ["entity", "entity_id", "field", "row_line", "reason_zh", "reason_en"]
    out = pd.DataFrame(rows, columns=columns)
    out = out.astype({c: "string" for c in columns if c != "row_line"} | {"row_line": "Int64"})
    return out.sort_values("row_line", kind="stable").reset_index(drop=True)


def _follow_registry() -> None:
    """A table module registered or unregistered (`tables.register`): the lists here follow."""
    BULLETIN_TABLES[:] = list(parsed.TABLES)
    for name in [n for n in TABLES if n not in parsed.TABLES and n not in DERIVED_NAMES]:
        del TABLES[name]
    TABLES.update(parsed.TABLES)


parsed.follow(_follow_registry)

"""How far to trust the other reports: every check in `quality` (worst first), the missing
values in every table (and the printed zeros their fields declare "not reported"), and what the
cleaning changed between the printed text and the value.

Inputs are the clean `quality` and `facts` tables and the month's tables as a dict. Statuses
are ordered and named as `checks.STATUS_ORDER` and `labels.STATUSES` say (a status this module
has never heard of is still shown, right after the worst); what each status means is written
in the data-quality notebook. Tables are named from `labels.TABLES`. No sentences here.
"""

from __future__ import annotations

import re

import pandas as pd

from metroanalysis.analysis import labels
from metroanalysis.clean.checks import STATUS_ORDER
from metroanalysis.clean.schema import BULLETIN_TABLES, fields, not_reported_values


def _rank(status: pd.Series) -> pd.Series:
    # A status the list does not know yet is shown right after the worst, not hidden at the end.
    return status.map({s: i for i, s in enumerate(STATUS_ORDER)}).fillna(0.5).astype(float)


def status_label(status: str, lang: str = "zh") -> str:
    return labels.category(labels.STATUSES, status, lang)


def table_label(table, lang: str = "zh") -> str:
    """The table's title in `lang`; empty for a check that concerns no table (a repair)."""
    return "" if pd.isna(table) else labels.category(labels.TABLES, table, lang)


def field_label(field, lang: str = "zh") -> str:
    """A field's title in `lang` from the schema (its name where it has no English title)."""
    return field.label if lang == "zh" else (field.label_en or field.name)


def column_label(table, column, lang: str = "zh") -> str:
    """A column as a reader knows it: its title in `lang` from the schema."""
    if pd.isna(column):
        return ""
    for field in fields(table) if table in BULLETIN_TABLES else []:
        if field.name == column:
            return field_label(field, lang)
    return str(column)


def checks_worst_first(quality: pd.DataFrame, lang: str = "zh", names: dict[str, str] | None = None) -> pd.DataFrame:
    """Every check, in the order of `checks.STATUS_ORDER` (worst first), then by table and
    printed line; with `status_label`, `table_label` and `column_label` in `lang`, and
    `entity_label`: the entity as printed, in `lang` where `names` (`labels.printed_names`) knows it."""
    out = quality.assign(_rank=_rank(quality["status"]))
    out = out.sort_values(["_rank", "table", "source_line"], kind="stable").drop(columns="_rank")
    out["status_label"] = out["status"].map(lambda s: status_label(s, lang)).astype("string")
    out["table_label"] = out["table"].map(lambda t: table_label(t, lang)).astype("string")
    names = names or {}
    out["entity_label"] = pd.array([names.get(e, e) if pd.notna(e) else e for e in out["entity"]], dtype="string")
    out["column_label"] = pd.array(
        [column_label(t, c, lang) for t, c in zip(out["table"], out["column"], strict=True)], dtype="string"
    )
    return out.reset_index(drop=True)


def status_counts(quality: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """How many checks ended in each status, worst first (statuses with no check left out, a
    status `STATUS_ORDER` does not list first); `label` names the status in `lang`."""
    counts = quality["status"].value_counts()
    known = [s for s in STATUS_ORDER if s in counts.index]
    order = [s for s in counts.index if s not in STATUS_ORDER] + known
    return pd.DataFrame(
        {
            "status": pd.array(order, dtype="string"),
            "label": pd.array([status_label(s, lang) for s in order], dtype="string"),
            "checks": pd.array([int(counts[s]) for s in order], dtype="Int64"),
        }
    )


def unmatched_names(quality: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The names the registry does not know (status `unmatched`): the name as printed, its
    table (named in `lang`), column and bulletin line, in table and line order."""
    rows = quality[quality["status"] == "unmatched"]
    out = rows[["entity", "table", "column", "source_line"]].copy()
    out["table_label"] = out["table"].map(lambda t: table_label(t, lang)).astype("string")
    return out.sort_values(["table", "source_line"], kind="stable").reset_index(drop=True)


def missing_values(tables: dict[str, pd.DataFrame], lang: str = "zh") -> pd.DataFrame:
    """Every column of every bulletin table that has missing values: how many of how many rows,
    with the column's title in `lang` and the schema's description
    (which says why it may be empty); `table_label` names the table in `lang`."""
    rows = []
    for table, df in tables.items():
        if table not in BULLETIN_TABLES:  # derived tables repeat the bulletin's gaps
            continue
        for field in fields(table):
            n = int(df[field.name].isna().sum()) if field.name in df else len(df)
            if n:
                label = field_label(field, lang)
                rows.append((table, field.name, label, n, len(df), field.description))
    out = pd.DataFrame(rows, columns=["table", "column", "label", "missing", "rows", "description"])
    out["table_label"] = [table_label(t, lang) for t in out["table"]]
    return out.astype(
        {
            "table_label": "string",
            "table": "string",
            "column": "string",
            "label": "string",
            "missing": "Int64",
            "rows": "Int64",
            "description": "string",
        }
    )


def entity_column(df: pd.DataFrame) -> str | None:
    """The column naming a row's entity as printed: the one just before `entity_id`."""
    names = list(df.columns)
    return names[names.index("entity_id") - 1] if "entity_id" in names and names.index("entity_id") else None


def _value_line(facts: pd.DataFrame | None, table: str, entity, field: str, row_line) -> object:
    """The bulletin line of one printed value (facts.csv), the first at or after its row's line;
    the row's line where facts do not say."""
    if facts is None or facts.empty or pd.isna(row_line):
        return row_line
    same = facts[(facts["table"] == table) & (facts["entity"] == entity) & (facts["measure"] == field)]
    lines = same["source_line"].dropna()
    lines = lines[lines >= row_line]
    return int(lines.min()) if len(lines) else row_line


def not_reported_zeros(
    tables: dict[str, pd.DataFrame],
    facts: pd.DataFrame | None = None,
    lang: str = "zh",
    entities: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every printed 0 of a bulletin table that its field declares "did not report"
    (`schema.FIELD_METADATA`'s `zero_means_not_reported`, applied by `schema.as_reported` in
    every ratio and average): table, table_label, entity (as printed), entity_id, field, label
    (the field's title in `lang`), source_line (the value's own line, from `facts` where given,
    else its row's), reason (the rule's, in `lang`) and name (the registry's name in `lang`
    with `entities`, else as printed); in table and line order."""
    frames = []
    for table in BULLETIN_TABLES:
        df = tables.get(table)
        name = entity_column(df) if df is not None else None
        if df is None or df.empty or name is None:
            continue
        found = not_reported_values(df, table, name)
        if found.empty:
            continue
        titles = {f.name: field_label(f, lang) for f in fields(table)}
        found["source_line"] = pd.array(
            [_value_line(facts, table, e, f, line) for e, f, line in found[["entity", "field", "row_line"]].values],
            dtype="Int64",
        )
        found.insert(0, "table", table)
        found.insert(1, "table_label", table_label(table, lang))
        found["label"] = found["field"].map(titles)
        found["reason"] = found["reason_zh" if lang == "zh" else "reason_en"]
        frames.append(found.sort_values("source_line", kind="stable"))
    columns = ["table", "table_label", "entity", "entity_id", "field", "label", "source_line", "reason", "name"]
    if not frames:
        return pd.DataFrame({c: pd.array([], dtype="Int64" if c == "source_line" else "string") for c in columns})
    out = pd.concat(frames, ignore_index=True)
    names = labels.entity_names(entities, lang) if entities is not None else {}
    out["name"] = [labels.entity_label(e, p, names) for e, p in zip(out["entity_id"], out["entity"], strict=True)]
    return out[columns].astype({c: "string" for c in columns if c != "source_line"})


def not_reported_by_entity(zeros: pd.DataFrame, sep: str = "、") -> pd.DataFrame:
    """`not_reported_zeros` with one row per table, entity and reason: `labels` (the fields'
    titles joined with `sep`) and `lines` ('827–830' for consecutive lines, else joined with
    `sep`), for a table a reader scans; in the order of `zeros`."""
    rows = []
    keys = ["table", "table_label", "entity", "entity_id", "name", "reason"]
    for key, group in zeros.groupby(keys, sort=False, dropna=False):
        lines = [int(x) for x in group["source_line"].dropna()]
        consecutive = len(lines) > 1 and lines == list(range(lines[0], lines[0] + len(lines)))
        shown = f"{lines[0]}–{lines[-1]}" if consecutive else sep.join(str(x) for x in lines)
        rows.append([*key, sep.join(group["label"]), shown, len(group)])
    out = pd.DataFrame(rows, columns=[*keys, "labels", "lines", "values"])
    return out.astype({**{c: "string" for c in [*keys, "labels", "lines"]}, "values": "Int64"})


# What turned printed text into a clean value: the kind of change, told by a marker in the
# printed text, tested in this order. The notebook says what each kind means.
CHANGE_MARKERS = [
    ("not_reported", "未反馈"),  # "未反馈/129": declared is missing, not 0
    ("split", "/"),  # "43/129": declared and required
    ("hundred_million", "亿"),  # "101.78亿条" → 10178000000
    ("prefix", "："),  # "合计：116458"
]
CHANGE_KINDS = [kind for kind, _ in CHANGE_MARKERS] + ["unit", "other"]


def change_kind(printed: str) -> str:
    """The kind of change from the printed text to its value: a key of `CHANGE_KINDS`."""
    for kind, marker in CHANGE_MARKERS:
        if marker in printed:
            return kind
    return "unit" if printed[-1:] and not printed[-1].isdigit() else "other"


def cleaning_changes(facts: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The facts whose clean value differs from the printed text (after trimming spaces),
    grouped by `change` (a key of `CHANGE_KINDS`, in order of first appearance): how many
    `numbers`, the first one as `example_printed` → `example_value` (<NA> when the value is
    missing) at `example_line`, and `tables` (a list of the tables concerned, named in `lang`)."""
    printed = facts["printed"].fillna("").str.strip()
    changed = facts[printed != facts["value"].fillna("")].assign(printed=printed)
    changed["change"] = changed["printed"].map(change_kind)
    rows = []
    for change, group in changed.groupby("change", sort=False):
        first = group.iloc[0]
        tables = list(dict.fromkeys(table_label(t, lang) for t in group["table"]))
        rows.append([change, len(group), first.printed, first.value, first.source_line, tables])
    columns = ["change", "numbers", "example_printed", "example_value", "example_line", "tables"]
    out = pd.DataFrame(rows, columns=columns)
    return out.astype(
        {
            "change": "string",
            "numbers": "Int64",
            "example_printed": "string",
            "example_value": "string",
            "example_line": "Int64",
        }
    )


def fmt_figure(text, signed: bool = False) -> str:
    """A number as quality.csv writes it ('336807013.30', '-114') with thousands separators and
    its decimals kept ('336,807,013.30'); `signed` puts + before a positive difference; '—'
    when there is none (a missing table has no figures); text that is not a number (the line a
    repair concerns) as it is."""
    if pd.isna(text) or str(text).strip() == "":
        return "—"
    text = str(text).strip()
    if not re.fullmatch(r"[+-]?\d+(\.\d+)?", text):
        return text
    whole, _, fraction = text.lstrip("+-").partition(".")
    sign = "-" if text.startswith("-") else ("+" if signed and text.strip("0.+-") else "")
    return f"{sign}{int(whole):,}" + (f".{fraction}" if fraction else "")

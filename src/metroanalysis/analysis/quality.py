"""How far to trust the other reports: every check in `quality` (mismatches first), the missing
values in every table, and what the cleaning changed between the printed text and the value.

Inputs are the clean `quality` and `facts` tables and the month's tables as a dict.
"""

from __future__ import annotations

import pandas as pd

from metroanalysis import labels
from metroanalysis.checks import STATUS_ORDER
from metroanalysis.schema import BULLETIN_TABLES, fields

from . import fmt_count

# Worst first: a reviewer reads the problems before the confirmations.
# The bulletin tables under the names reviewers know from the bulletin.
TABLE_ZH = {
    "hotline_calls": "12320热线受理情况",
    "hotline_province": "全省12320电话量",
    "booking_by_hospital": "预约挂号服务统计表",
    "booking_by_channel": "途径预约情况统计",
    "remote_platforms": "远程医疗平台",
    "remote_volumes": "远程医疗业务量",
    "remote_institutions": "远程医疗接入机构",
    "remote_top_uploaders": "远程医疗上传前三名",
    "remote_coverage": "远程医疗覆盖区",
    "upload_by_district": "数据采集情况（区）",
    "upload_by_hospital": "数据采集情况（医院）",
    "kiosk_usage": "自助终端使用情况表",
    "cumulative_totals": "累计数",
    "printed_totals": "原文合计",
}
STATUS_ZH = {status: names[0] for status, names in labels.STATUSES.items()}


def _rank(status: pd.Series) -> pd.Series:
    # A status the list does not know yet is shown right after mismatches, not hidden at the end.
    return status.map({s: i for i, s in enumerate(STATUS_ORDER)}).fillna(0.5).astype(float)


def checks_worst_first(quality: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Every check, mismatches first, then by table and printed line; with the status in Chinese
    (`status_zh`) and, as `status_label` and `table_label`, status and table named in `lang`."""
    out = quality.assign(_rank=_rank(quality["status"]))
    out = out.sort_values(["_rank", "table", "source_line"], kind="stable").drop(columns="_rank")
    out.insert(out.columns.get_loc("status") + 1, "status_zh", out["status"].map(STATUS_ZH).astype("string"))
    out["status_label"] = out["status"].map(lambda s: labels.category(labels.STATUSES, s, lang)).astype("string")
    out["table_label"] = out["table"].map(lambda t: labels.category(labels.TABLES, t, lang)).astype("string")
    return out.reset_index(drop=True)


def unmatched_names(quality: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The names the registry does not know (status `unmatched`): the name as printed, its
    table (named in `lang`), column and bulletin line, in table and line order."""
    rows = quality[quality["status"] == "unmatched"]
    out = rows[["entity", "table", "column", "source_line"]].copy()
    out["table_label"] = out["table"].map(lambda t: labels.category(labels.TABLES, t, lang)).astype("string")
    return out.sort_values(["table", "source_line"], kind="stable").reset_index(drop=True)


def unmatched_sentence(unmatched: pd.DataFrame, lang: str = "zh") -> str:
    """How many printed names have no registry entry, and which; or that every name matched."""
    if unmatched.empty:
        if lang == "en":
            return "Every hospital, area, channel and city name in the bulletin is in the registry."
        return "月报中的医院、区、渠道和城市名称都已在登记表中找到对应。"
    names = list(dict.fromkeys(unmatched["entity"]))
    tables = list(dict.fromkeys(unmatched["table_label"]))
    if lang == "en":
        return (
            f"{len(names)} printed names ({len(unmatched)} rows) are not in the registry: {', '.join(names)} "
            f"(in {', '.join(tables)}). Their rows are kept, without an entity id, and are left out of the "
            "hospital profile until the registry knows them."
        )
    return (
        f"有 {len(names)} 个名称（{len(unmatched)} 行）不在登记表中：{'、'.join(names)}（见{'、'.join(tables)}）。"
        "这些行仍保留在表中，但没有实体编号，在登记表补充之前不计入医院概况。"
    )


def status_counts(quality: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """How many checks ended in each status, worst first (statuses with no check left out);
    `label` names the status in `lang`."""
    counts = quality["status"].value_counts()
    known = [s for s in STATUS_ORDER if s in counts.index]
    order = [s for s in counts.index if s not in STATUS_ORDER] + known
    return pd.DataFrame(
        {
            "status": pd.array(order, dtype="string"),
            "status_zh": pd.array([STATUS_ZH.get(s, s) for s in order], dtype="string"),
            "label": pd.array([labels.category(labels.STATUSES, s, lang) for s in order], dtype="string"),
            "checks": pd.array([int(counts[s]) for s in order], dtype="Int64"),
        }
    )


def missing_values(tables: dict[str, pd.DataFrame], lang: str = "zh") -> pd.DataFrame:
    """Every column of every bulletin table that has missing values: how many of how many rows,
    with the column's Chinese label (in English: the column's name) and the schema's description
    (which says why it may be empty); `table_label` names the table in `lang`."""
    rows = []
    for table, df in tables.items():
        if table not in BULLETIN_TABLES:  # derived tables repeat the bulletin's gaps
            continue
        for field in fields(table):
            n = int(df[field.name].isna().sum()) if field.name in df else len(df)
            if n:
                label = field.label if lang == "zh" else field.name
                rows.append((table, field.name, label, n, len(df), field.description))
    out = pd.DataFrame(rows, columns=["table", "column", "label", "missing", "rows", "description"])
    out["table_label"] = [labels.category(labels.TABLES, t, lang) for t in out["table"]]
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


# What turned printed text into a clean value, tested in this order on the printed text.
_CHANGES = [
    ("未反馈", "“未反馈/规定数”：申明数记为缺失（不是 0），只取规定数"),
    ("/", "“申明/规定”单元格拆成两个数"),
    ("亿", "以“亿”为单位的数换算成整数"),
    ("：", "去掉数字前的文字（如“合计：”）"),
]
_CHANGES_EN = {
    "未反馈": "“未反馈/required” (not reported): the declared number is missing (not 0), only the required kept",
    "/": "a “declared/required” cell split into two numbers",
    "亿": "a number in 亿 (hundred millions) written out as a whole number",
    "：": "words before the number dropped (e.g. “合计：”)",
    "unit": "a unit after the number dropped",
    "other": "other rewriting",
}


def _change_kind(printed: str) -> str:
    for marker, kind in _CHANGES:
        if marker in printed:
            return kind
    return "去掉数字后的单位" if printed[-1:] and not printed[-1].isdigit() else "其他改写"


def _change_en(kind: str) -> str:
    for marker, zh in _CHANGES:
        if kind == zh:
            return _CHANGES_EN[marker]
    return _CHANGES_EN["unit"] if kind == "去掉数字后的单位" else _CHANGES_EN["other"]


def cleaning_changes(facts: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The facts whose clean value differs from the printed text, grouped by what the cleaning
    did: how many numbers, one example (printed → value, line), and the tables concerned
    (change and tables described in `lang`)."""
    printed = facts["printed"].fillna("").str.strip()
    changed = facts[printed != facts["value"].fillna("")].copy()
    changed["change"] = changed["printed"].fillna("").str.strip().map(_change_kind)
    rows = []
    missing, sep = ("（缺失）", "、") if lang == "zh" else ("(missing)", ", ")
    for change, group in changed.groupby("change", sort=False):
        first = group.iloc[0]
        rows.append(
            {
                "change": change if lang == "zh" else _change_en(change),
                "numbers": len(group),
                "example": f"{first.printed.strip()} → {first.value if pd.notna(first.value) else missing}",
                "example_line": first.source_line,
                "tables": sep.join(dict.fromkeys(labels.category(labels.TABLES, t, lang) for t in group["table"])),
            }
        )
    out = pd.DataFrame(rows, columns=["change", "numbers", "example", "example_line", "tables"])
    return out.astype(
        {"change": "string", "numbers": "Int64", "example": "string", "example_line": "Int64", "tables": "string"}
    )


def quality_sentence(counts: pd.DataFrame, lang: str = "zh") -> str:
    """'共核对 58 项：一致 54 项，舍入差 1 项，部分列出 3 项，没有发现不一致。'"""
    total = int(counts["checks"].sum())
    mismatches = int(counts.loc[counts["status"] == "mismatch", "checks"].sum())
    if lang == "en":
        parts = ", ".join(
            f"{fmt_count(r.checks)} {labels.category(labels.STATUSES, r.status, lang)}" for r in counts.itertuples()
        )
        verdict = f"{mismatches} do not agree: read the first rows below" if mismatches else "none disagrees"
        what = "checks of the printed totals, subtotals and relations between tables"
        return f"{fmt_count(total)} {what}: {parts}; {verdict}."
    parts = "，".join(f"{r.status_zh} {fmt_count(r.checks)} 项" for r in counts.itertuples())
    verdict = f"其中 {mismatches} 项不一致，请先看下表前几行" if mismatches else "没有发现不一致"
    return f"对原文的合计、小计和表间关系共核对 {fmt_count(total)} 项：{parts}；{verdict}。"


def missing_sentence(missing: pd.DataFrame, lang: str = "zh") -> str:
    if missing.empty:
        return "各表没有缺失值。" if lang == "zh" else "No table has a missing value."
    top = missing.sort_values("missing", ascending=False, kind="stable").head(3)
    if lang == "en":
        parts = ", ".join(
            f"{r.label} in {labels.category(labels.TABLES, r.table, lang)} ({r.missing} of {r.rows} rows)"
            for r in top.itertuples()
        )
        return (
            f"{len(missing)} columns in {missing['table'].nunique()} tables have missing values; most are missing "
            f"from {parts}. Missing means the bulletin printed no number (or printed 未反馈, not reported); the "
            "analysis never counts it as 0."
        )
    parts = "，".join(f"{TABLE_ZH.get(r.table, r.table)}的“{r.label}”{r.missing}/{r.rows} 行" for r in top.itertuples())
    return (
        f"{missing['table'].nunique()} 个表的 {len(missing)} 列有缺失值，缺得最多的是{parts}。"
        "缺失表示原文没有印这个数（或印的是“未反馈”），分析中不当作 0。"
    )

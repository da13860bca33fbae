"""How far to trust the other reports: every check in `quality` (mismatches first), the missing
values in every table, and what the cleaning changed between the printed text and the value.

Inputs are the clean `quality` and `facts` tables and the month's tables as a dict.
"""

from __future__ import annotations

import pandas as pd

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
STATUS_ORDER = ["mismatch", "missing", "unmatched", "partial", "rounding", "ok"]
STATUS_ZH = {
    "mismatch": "不一致",
    "missing": "缺失",
    "unmatched": "未匹配",
    "partial": "部分列出",
    "rounding": "舍入差",
    "ok": "一致",
}


def _rank(status: pd.Series) -> pd.Series:
    # A status the list does not know yet is shown right after mismatches, not hidden at the end.
    return status.map({s: i for i, s in enumerate(STATUS_ORDER)}).fillna(0.5).astype(float)


def checks_worst_first(quality: pd.DataFrame) -> pd.DataFrame:
    """Every check, mismatches first, then by table and printed line; with the status in Chinese."""
    out = quality.assign(_rank=_rank(quality["status"]))
    out = out.sort_values(["_rank", "table", "source_line"], kind="stable").drop(columns="_rank")
    out.insert(out.columns.get_loc("status") + 1, "status_zh", out["status"].map(STATUS_ZH).astype("string"))
    return out.reset_index(drop=True)


def status_counts(quality: pd.DataFrame) -> pd.DataFrame:
    """How many checks ended in each status, worst first (statuses with no check left out)."""
    counts = quality["status"].value_counts()
    known = [s for s in STATUS_ORDER if s in counts.index]
    order = [s for s in counts.index if s not in STATUS_ORDER] + known
    return pd.DataFrame(
        {
            "status": pd.array(order, dtype="string"),
            "status_zh": pd.array([STATUS_ZH.get(s, s) for s in order], dtype="string"),
            "checks": pd.array([int(counts[s]) for s in order], dtype="Int64"),
        }
    )


def missing_values(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Every column of every bulletin table that has missing values: how many of how many rows,
    with the column's Chinese label and the schema's description (which says why it may be empty)."""
    rows = []
    for table, df in tables.items():
        if table not in BULLETIN_TABLES:  # derived tables repeat the bulletin's gaps
            continue
        for field in fields(table):
            n = int(df[field.name].isna().sum()) if field.name in df else len(df)
            if n:
                rows.append((table, field.name, field.label, n, len(df), field.description))
    out = pd.DataFrame(rows, columns=["table", "column", "label", "missing", "rows", "description"])
    return out.astype(
        {
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


def _change_kind(printed: str) -> str:
    for marker, kind in _CHANGES:
        if marker in printed:
            return kind
    return "去掉数字后的单位" if printed[-1:] and not printed[-1].isdigit() else "其他改写"


def cleaning_changes(facts: pd.DataFrame) -> pd.DataFrame:
    """The facts whose clean value differs from the printed text, grouped by what the cleaning
    did: how many numbers, one example (printed → value, line), and the tables concerned."""
    printed = facts["printed"].fillna("").str.strip()
    changed = facts[printed != facts["value"].fillna("")].copy()
    changed["change"] = changed["printed"].fillna("").str.strip().map(_change_kind)
    rows = []
    for change, group in changed.groupby("change", sort=False):
        first = group.iloc[0]
        rows.append(
            {
                "change": change,
                "numbers": len(group),
                "example": f"{first.printed.strip()} → {first.value if pd.notna(first.value) else '（缺失）'}",
                "example_line": first.source_line,
                "tables": "、".join(dict.fromkeys(TABLE_ZH.get(t, t) for t in group["table"])),
            }
        )
    out = pd.DataFrame(rows, columns=["change", "numbers", "example", "example_line", "tables"])
    return out.astype(
        {"change": "string", "numbers": "Int64", "example": "string", "example_line": "Int64", "tables": "string"}
    )


def quality_sentence(counts: pd.DataFrame) -> str:
    """'共核对 58 项：一致 54 项，舍入差 1 项，部分列出 3 项，没有发现不一致。'"""
    total = int(counts["checks"].sum())
    parts = "，".join(f"{r.status_zh} {fmt_count(r.checks)} 项" for r in counts.itertuples())
    mismatches = int(counts.loc[counts["status"] == "mismatch", "checks"].sum())
    verdict = f"其中 {mismatches} 项不一致，请先看下表前几行" if mismatches else "没有发现不一致"
    return f"对原文的合计、小计和表间关系共核对 {fmt_count(total)} 项：{parts}；{verdict}。"


def missing_sentence(missing: pd.DataFrame) -> str:
    if missing.empty:
        return "各表没有缺失值。"
    top = missing.sort_values("missing", ascending=False, kind="stable").head(3)
    parts = "，".join(f"{TABLE_ZH.get(r.table, r.table)}的“{r.label}”{r.missing}/{r.rows} 行" for r in top.itertuples())
    return (
        f"{missing['table'].nunique()} 个表的 {len(missing)} 列有缺失值，缺得最多的是{parts}。"
        "缺失表示原文没有印这个数（或印的是“未反馈”），分析中不当作 0。"
    )

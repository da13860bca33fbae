"""Regional coverage: which of the 12 areas each remote-medicine platform reaches; how
completely areas and hospitals upload to the city platform; hypertension and diabetes records
per 1,000 basic health records; the metropolitan-area facts the bulletin prints.

Inputs are the clean tables `remote_coverage`, `remote_platforms`, `upload_by_district`,
`upload_by_hospital`, `remote_volumes` and `cumulative_totals`.
"""

from __future__ import annotations

import calendar

import pandas as pd

from metroanalysis.reference import AREAS

from . import fmt_count, fmt_number, fmt_pct, ratio

# Short Chinese names for the platforms, for chart axes (the printed names are long).
PLATFORM_SHORT = {
    "consultation": "远程会诊",
    "ecg": "远程心电",
    "lab": "远程临检",
    "imaging": "远程影像",
    "pathology": "远程病理",
}
NOT_REPORTED = "未反馈"
PERIODS = {"month": "本月", "to_date": "累计"}


def days_in_month(month: str) -> int:
    """'2021-04' → 30."""
    year, number = (int(part) for part in month.split("-"))
    return calendar.monthrange(year, number)[1]


def coverage_matrix(remote_coverage: pd.DataFrame) -> pd.DataFrame:
    """Areas (rows, in the reference order of the 12 areas) × platforms (columns, short
    Chinese names, in printed order): True where connected. An area the bulletin does not
    mention for a platform stays <NA>."""
    platforms = list(dict.fromkeys(remote_coverage["platform"]))
    wide = remote_coverage.pivot(index="area", columns="platform", values="connected")
    areas = [a for a in AREAS if a in wide.index] + [a for a in wide.index if a not in AREAS]
    wide = wide.reindex(index=areas, columns=platforms).astype("boolean")
    wide.columns = [PLATFORM_SHORT.get(p, p) for p in platforms]
    wide.index.name, wide.columns.name = "区", "平台"
    return wide


def platform_gaps(remote_coverage: pd.DataFrame, remote_platforms: pd.DataFrame) -> pd.DataFrame:
    """One row per platform: institutions connected, areas covered, the areas not reached
    (from the coverage table, joined with 、) and the printed status of a platform with no figures."""
    missing = (
        remote_coverage[~remote_coverage["connected"].fillna(True)]
        .groupby("platform", sort=False)["area"]
        .agg("、".join)
    )
    reached = remote_coverage[remote_coverage["connected"].fillna(False)].groupby("platform", sort=False).size()
    out = remote_platforms[["platform", "platform_zh", "institutions_connected", "status"]].copy()
    out["platform_short"] = out["platform"].map(PLATFORM_SHORT).astype("string")
    out["areas_covered"] = out["platform"].map(reached).astype("Int64")
    out["areas_not_reached"] = out["platform"].map(missing).astype("string")
    has_areas = out["platform"].isin(remote_coverage["platform"])
    out.loc[has_areas & out["areas_not_reached"].isna(), "areas_not_reached"] = "无"
    return out[
        [
            "platform",
            "platform_short",
            "platform_zh",
            "institutions_connected",
            "areas_covered",
            "areas_not_reached",
            "status",
        ]
    ]


def _completeness(df: pd.DataFrame, month: str) -> pd.DataFrame:
    out = df.copy()
    out["uploaded_of_declared"] = ratio(out["uploaded_tables"], out["declared_tables"])
    out["uploaded_of_required"] = ratio(out["uploaded_tables"], out["required_tables"])
    out["declared_of_required"] = ratio(out["declared_tables"], out["required_tables"])
    out["days_in_month"] = pd.array([days_in_month(month)] * len(out), dtype="Int64")
    out["upload_days_share"] = ratio(out["upload_days"], out["days_in_month"])
    return out


def district_uploads(upload_by_district: pd.DataFrame, month: str) -> pd.DataFrame:
    """Upload completeness by area: uploaded over declared and over required tables, declared
    over required, upload days over the days in the month; areas in printed order."""
    cols = ["area", "declared_tables", "required_tables", "uploaded_tables", "upload_volume", "upload_days"]
    return _completeness(upload_by_district[cols], month).reset_index(drop=True)


def hospital_uploads(upload_by_hospital: pd.DataFrame, month: str) -> pd.DataFrame:
    """Upload completeness by hospital. A hospital printed 未反馈 did not report what it declared:
    `reported` is False, `declared_tables` and the ratios built on it stay <NA> (not zero) and
    `declared_text` reads 未反馈."""
    cols = ["hospital", "declared_tables", "required_tables", "uploaded_tables", "upload_volume", "upload_days"]
    out = _completeness(upload_by_hospital[cols], month)
    out.insert(1, "reported", upload_by_hospital["declared_reported"].astype("boolean"))
    declared = out["declared_tables"].astype("string")
    out.insert(2, "declared_text", declared.where(out["reported"].fillna(False), NOT_REPORTED).astype("string"))
    return out.reset_index(drop=True)


def health_records(upload_by_district: pd.DataFrame) -> pd.DataFrame:
    """Hypertension and diabetes records per 1,000 basic health records, by area, plus a 合计 row."""
    cols = ["area", "health_records_basic", "health_records_hypertension", "health_records_diabetes"]
    df = upload_by_district[cols].copy()
    total = pd.DataFrame([{"area": "合计", **{c: int(df[c].sum()) for c in cols[1:]}}])
    df = pd.concat([df, total], ignore_index=True).astype({"area": "string", **{c: "Int64" for c in cols[1:]}})
    df["hypertension_per_1000"] = ratio(df["health_records_hypertension"], df["health_records_basic"]) * 1000
    df["diabetes_per_1000"] = ratio(df["health_records_diabetes"], df["health_records_basic"]) * 1000
    return df


def metro_facts(
    remote_volumes: pd.DataFrame,
    cumulative_totals: pd.DataFrame,
    remote_institutions: pd.DataFrame | None = None,
    remote_platforms: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The facts the bulletin prints about the platforms' reach and volume, as one list to read:
    volumes (this month or to date), running totals, and, where given, the metropolitan-area
    institutions (categories naming 都市圈) and the cities each platform connects."""
    frames = [
        _facts(
            remote_volumes["platform"].map(PLATFORM_SHORT),
            remote_volumes["measure_zh"],
            remote_volumes["value"],
            remote_volumes["unit"],
            remote_volumes["period"].map(PERIODS),
            remote_volumes["source_line"],
        ),
        _facts(
            "全市",
            cumulative_totals["measure_zh"],
            cumulative_totals["value"],
            cumulative_totals["unit"],
            "累计至" + cumulative_totals["as_of"],
            cumulative_totals["source_line"],
        ),
    ]
    if remote_institutions is not None:
        metro = remote_institutions[remote_institutions["category_zh"].str.contains("都市圈", na=False)]
        frames.append(
            _facts(
                metro["platform"].map(PLATFORM_SHORT),
                "接入" + metro["category_zh"],
                metro["institutions"],
                "家",
                "累计",
                metro["source_line"],
            )
        )
    if remote_platforms is not None:
        cities = remote_platforms.dropna(subset=["cities_connected"])
        frames.append(
            _facts(
                cities["platform"].map(PLATFORM_SHORT),
                "联通城市",
                cities["cities_connected"],
                "个",
                "累计",
                cities["source_line"],
            )
        )
    out = pd.concat(frames, ignore_index=True)
    return out.astype(
        {
            "subject": "string",
            "measure_zh": "string",
            "value": "Int64",
            "unit": "string",
            "period": "string",
            "source_line": "Int64",
        }
    )


def _facts(subject, measure_zh, value, unit, period, source_line) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "subject": subject,
            "measure_zh": measure_zh,
            "value": value,
            "unit": unit,
            "period": period,
            "source_line": source_line,
        }
    )


# Sentences shown under the charts, written from the tables above.


def coverage_sentence(gaps: pd.DataFrame) -> str:
    with_areas = gaps.dropna(subset=["areas_covered"])
    n_areas = len(AREAS)
    parts = "；".join(
        f"{r.platform_short}覆盖 {r.areas_covered} 个区，未覆盖{r.areas_not_reached}" for r in with_areas.itertuples()
    )
    text = f"{n_areas} 个区（11 个行政区和江北新区）中，{parts}。"
    for r in gaps[gaps["areas_covered"].isna() & gaps["status"].notna()].itertuples():
        text += f"{r.platform_zh}尚无覆盖数据：{r.status}。"
    return text


def never_reached_sentence(matrix: pd.DataFrame) -> str:
    """How many areas every platform reaches, and the areas left out by the most platforms."""
    gaps = (~matrix.fillna(True)).sum(axis=1)
    n_platforms = matrix.shape[1]
    complete = int((gaps == 0).sum())
    text = f"{len(matrix)} 个区中有 {complete} 个区接入了全部 {n_platforms} 个远程医疗平台"
    if gaps.max() == 0:
        return text + "。"
    worst = "、".join(gaps[gaps == gaps.max()].index)
    if gaps.max() == n_platforms:
        return text + f"；{worst}未接入任何一个平台。"
    return text + f"；未接入平台最多的是{worst}（{int(gaps.max())} 个平台未对接）。"


def district_upload_sentence(uploads: pd.DataFrame) -> str:
    total_required = int(uploads["required_tables"].iloc[0])
    best = uploads.sort_values("uploaded_tables", ascending=False).iloc[0]
    worst = uploads.sort_values("uploaded_tables").iloc[0]
    short_days = uploads[uploads["upload_days"] < uploads["days_in_month"]]
    days = "、".join(f"{r.area}（{r.upload_days} 天）" for r in short_days.itertuples())
    return (
        f"按规定各区应上传 {total_required} 张表：上传最多的是{best.area}（{best.uploaded_tables} 张，"
        f"占规定的 {fmt_pct(best.uploaded_of_required)}），最少的是{worst.area}（{worst.uploaded_tables} 张，"
        f"{fmt_pct(worst.uploaded_of_required)}）。本月 {int(uploads['days_in_month'].iloc[0])} 天中未能每天上传的有："
        f"{days or '无'}。"
    )


def hospital_upload_sentence(uploads: pd.DataFrame) -> str:
    not_reported = uploads[~uploads["reported"].fillna(False)]
    reported = uploads[uploads["reported"].fillna(False)]
    median = reported["uploaded_of_declared"].median()
    return (
        f"{len(uploads)} 家医院中有 {len(not_reported)} 家未反馈申明上传表数（表中记为“{NOT_REPORTED}”，不是 0），"
        f"无法计算其上传完成率；已反馈的 {len(reported)} 家，已上传表占申明表的中位数为 {fmt_pct(median)}。"
    )


def health_records_sentence(records: pd.DataFrame) -> str:
    areas = records[records["area"] != "合计"]
    total = records[records["area"] == "合计"].iloc[0]
    top = areas.sort_values("hypertension_per_1000", ascending=False).iloc[0]
    zero = areas[(areas["health_records_hypertension"] == 0) & (areas["health_records_diabetes"] == 0)]
    text = (
        f"全市每千份基本健康档案中有高血压档案 {fmt_number(total.hypertension_per_1000)} 份、糖尿病档案 "
        f"{fmt_number(total.diabetes_per_1000)} 份；高血压档案比例最高的是{top.area}"
        f"（{fmt_number(top.hypertension_per_1000)} 份/千份）。"
    )
    if not zero.empty:
        text += f"{'、'.join(zero['area'])}的高血压和糖尿病档案均为 0，可能尚未上传专项档案。"
    return text


def metro_sentence(facts: pd.DataFrame) -> str:
    running = facts[facts["subject"] == "全市"]
    parts = "，".join(f"{r.measure_zh} {fmt_count(r.value)} {r.unit}" for r in running.itertuples())
    return f"截至{running['period'].iloc[0].removeprefix('累计至')}，{parts}。" if len(running) else ""

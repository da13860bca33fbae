"""Regional coverage: which of the 12 areas each remote-medicine platform reaches; how
completely areas and hospitals upload to the city platform; hypertension and diabetes records
per 1,000 basic health records; the metropolitan-area facts the bulletin prints.

Inputs are the clean tables `remote_coverage`, `remote_platforms`, `upload_by_district`,
`upload_by_hospital`, `remote_volumes` and `cumulative_totals`.
"""

from __future__ import annotations

import calendar

import pandas as pd

from metroanalysis import labels
from metroanalysis.reference import AREAS

from . import fmt_count, fmt_number, fmt_pct, ratio, registry_names

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


def _area_names(remote_coverage: pd.DataFrame, entities: pd.DataFrame | None, lang: str) -> dict[str, str]:
    """Printed area name → the name shown (the registry's, in `lang`)."""
    if entities is None or "entity_id" not in remote_coverage:
        return {}
    shown = registry_names(remote_coverage, entities, lang, column="area")["area"]
    return dict(zip(remote_coverage["area"], shown, strict=True))


def coverage_matrix(
    remote_coverage: pd.DataFrame, lang: str = "zh", entities: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Areas (rows, in the reference order of the 12 areas) × platforms (columns, short
    names in `lang`, in printed order): True where connected. An area the bulletin does not
    mention for a platform stays <NA>. With `entities`, areas show under their registry names
    in `lang`."""
    platforms = list(dict.fromkeys(remote_coverage["platform"]))
    wide = remote_coverage.pivot(index="area", columns="platform", values="connected")
    areas = [a for a in AREAS if a in wide.index] + [a for a in wide.index if a not in AREAS]
    wide = wide.reindex(index=areas, columns=platforms).astype("boolean")
    wide.columns = [labels.category(labels.PLATFORMS, p, lang) for p in platforms]
    names = _area_names(remote_coverage, entities, lang)
    wide.index = [names.get(a, a) for a in wide.index]
    wide.index.name, wide.columns.name = labels.t("h.area", lang), labels.t("h.platform", lang)
    return wide


def platform_gaps(
    remote_coverage: pd.DataFrame,
    remote_platforms: pd.DataFrame,
    lang: str = "zh",
    entities: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per platform: institutions connected, areas covered, the areas not reached
    (from the coverage table, joined with 、 or a comma) and the printed status of a platform
    with no figures. `platform_short` and the areas are named in `lang` (areas by the registry
    when `entities` is given)."""
    names = _area_names(remote_coverage, entities, lang)
    sep = "、" if lang == "zh" else ", "
    missing = (
        remote_coverage[~remote_coverage["connected"].fillna(True)]
        .assign(area=lambda d: d["area"].map(lambda a: names.get(a, a)))
        .groupby("platform", sort=False)["area"]
        .agg(sep.join)
    )
    reached = remote_coverage[remote_coverage["connected"].fillna(False)].groupby("platform", sort=False).size()
    out = remote_platforms[["platform", "platform_zh", "institutions_connected", "status"]].copy()
    out["platform_short"] = out["platform"].map(lambda p: labels.category(labels.PLATFORMS, p, lang)).astype("string")
    out["areas_covered"] = out["platform"].map(reached).astype("Int64")
    out["areas_not_reached"] = out["platform"].map(missing).astype("string")
    has_areas = out["platform"].isin(remote_coverage["platform"])
    out.loc[has_areas & out["areas_not_reached"].isna(), "areas_not_reached"] = labels.t("p.none", lang)
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


def health_records(upload_by_district: pd.DataFrame, total_label: str = "合计") -> pd.DataFrame:
    """Hypertension and diabetes records per 1,000 basic health records, by area, plus a total
    row named `total_label`."""
    cols = ["area", "health_records_basic", "health_records_hypertension", "health_records_diabetes"]
    df = upload_by_district[cols].copy()
    total = pd.DataFrame([{"area": total_label, **{c: int(df[c].sum()) for c in cols[1:]}}])
    df = pd.concat([df, total], ignore_index=True).astype({"area": "string", **{c: "Int64" for c in cols[1:]}})
    df["hypertension_per_1000"] = ratio(df["health_records_hypertension"], df["health_records_basic"]) * 1000
    df["diabetes_per_1000"] = ratio(df["health_records_diabetes"], df["health_records_basic"]) * 1000
    return df


def metro_facts(
    remote_volumes: pd.DataFrame,
    cumulative_totals: pd.DataFrame,
    remote_institutions: pd.DataFrame | None = None,
    remote_platforms: pd.DataFrame | None = None,
    lang: str = "zh",
) -> pd.DataFrame:
    """The facts the bulletin prints about the platforms' reach and volume, as one list to read:
    volumes (this month or to date), running totals, and, where given, the metropolitan-area
    institutions (categories naming 都市圈) and the cities each platform connects. In English,
    subjects, measures, units and periods are translated (`measure_zh` keeps its name)."""
    out = _metro_facts_zh(remote_volumes, cumulative_totals, remote_institutions, remote_platforms)
    if lang == "zh":
        return out
    out["subject"] = out["subject"].map(_EN_SUBJECTS).fillna(out["subject"]).astype("string")
    out["measure_zh"] = out["measure_zh"].map(_measure_en).astype("string")
    out["unit"] = out["unit"].map(lambda u: labels.unit(u, "en")).astype("string")
    out["period"] = out["period"].map(_period_en).astype("string")
    return out


_EN_SUBJECTS = {pick_zh: pick_en for pick_zh, pick_en in [*labels.PLATFORMS.values(), labels.TEXT["p.city"]]}


def _measure_en(measure: str) -> str:
    for prefix, english in (("接入", "connected: "), ("联通城市", "cities connected")):
        if measure.startswith(prefix):
            rest = measure.removeprefix(prefix)
            return english + labels.printed_text(rest, "en") if rest else english
    return labels.printed_text(measure, "en")


def _period_en(period: str) -> str:
    if period.startswith("累计至"):
        as_of = period.removeprefix("累计至")
        month = as_of.removesuffix("月底")
        as_of = f"end of month {month}" if month.isdigit() else as_of
        return labels.t("p.as_of", "en", as_of=as_of)
    return {"本月": "this month", "累计": "to date"}.get(period, period)


def _metro_facts_zh(remote_volumes, cumulative_totals, remote_institutions, remote_platforms) -> pd.DataFrame:
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


def coverage_sentence(gaps: pd.DataFrame, lang: str = "zh") -> str:
    with_areas = gaps.dropna(subset=["areas_covered"])
    n_areas = len(AREAS)
    if lang == "en":
        parts = "; ".join(
            f"{r.platform_short} covers {r.areas_covered}, not {r.areas_not_reached}" for r in with_areas.itertuples()
        )
        text = f"Of the {n_areas} areas (11 districts and the Jiangbei New Area): {parts}."
        for r in gaps[gaps["areas_covered"].isna() & gaps["status"].notna()].itertuples():
            text += (
                f" The {r.platform_short.lower()} platform has no coverage figures yet (status as printed: {r.status})."
            )
        return text
    parts = "；".join(
        f"{r.platform_short}覆盖 {r.areas_covered} 个区，未覆盖{r.areas_not_reached}" for r in with_areas.itertuples()
    )
    text = f"{n_areas} 个区（11 个行政区和江北新区）中，{parts}。"
    for r in gaps[gaps["areas_covered"].isna() & gaps["status"].notna()].itertuples():
        text += f"{r.platform_zh}尚无覆盖数据：{r.status}。"
    return text


def never_reached_sentence(matrix: pd.DataFrame, lang: str = "zh") -> str:
    """How many areas every platform reaches, and the areas left out by the most platforms."""
    gaps = (~matrix.fillna(True)).sum(axis=1)
    n_platforms = matrix.shape[1]
    complete = int((gaps == 0).sum())
    if lang == "en":
        text = f"{complete} of the {len(matrix)} areas are connected to all {n_platforms} remote-medicine platforms"
        if gaps.max() == 0:
            return text + "."
        worst = ", ".join(gaps[gaps == gaps.max()].index)
        if gaps.max() == n_platforms:
            return text + f"; {worst} is connected to none of them."
        return text + f"; {worst} misses the most ({int(gaps.max())} platforms not connected)."
    text = f"{len(matrix)} 个区中有 {complete} 个区接入了全部 {n_platforms} 个远程医疗平台"
    if gaps.max() == 0:
        return text + "。"
    worst = "、".join(gaps[gaps == gaps.max()].index)
    if gaps.max() == n_platforms:
        return text + f"；{worst}未接入任何一个平台。"
    return text + f"；未接入平台最多的是{worst}（{int(gaps.max())} 个平台未对接）。"


def district_upload_sentence(uploads: pd.DataFrame, lang: str = "zh") -> str:
    total_required = int(uploads["required_tables"].iloc[0])
    best = uploads.sort_values("uploaded_tables", ascending=False).iloc[0]
    worst = uploads.sort_values("uploaded_tables").iloc[0]
    short_days = uploads[uploads["upload_days"] < uploads["days_in_month"]]
    n_days = int(uploads["days_in_month"].iloc[0])
    if lang == "en":
        days = ", ".join(f"{r.area} ({r.upload_days} days)" for r in short_days.itertuples())
        return (
            f"Each area should upload {total_required} tables: {best.area} uploaded the most "
            f"({best.uploaded_tables}, {fmt_pct(best.uploaded_of_required)} of those required), {worst.area} the "
            f"fewest ({worst.uploaded_tables}, {fmt_pct(worst.uploaded_of_required)}). Areas that did not upload "
            f"on every one of the month's {n_days} days: {days or 'none'}."
        )
    days = "、".join(f"{r.area}（{r.upload_days} 天）" for r in short_days.itertuples())
    return (
        f"按规定各区应上传 {total_required} 张表：上传最多的是{best.area}（{best.uploaded_tables} 张，"
        f"占规定的 {fmt_pct(best.uploaded_of_required)}），最少的是{worst.area}（{worst.uploaded_tables} 张，"
        f"{fmt_pct(worst.uploaded_of_required)}）。本月 {n_days} 天中未能每天上传的有："
        f"{days or '无'}。"
    )


def hospital_upload_sentence(uploads: pd.DataFrame, lang: str = "zh") -> str:
    not_reported = uploads[~uploads["reported"].fillna(False)]
    reported = uploads[uploads["reported"].fillna(False)]
    median = reported["uploaded_of_declared"].median()
    if lang == "en":
        return (
            f"{len(not_reported)} of {len(uploads)} hospitals did not report how many tables they declared "
            f"(printed “{NOT_REPORTED}”, not 0), so their completeness cannot be computed; for the "
            f"{len(reported)} that did, the median of uploaded over declared tables is {fmt_pct(median)}."
        )
    return (
        f"{len(uploads)} 家医院中有 {len(not_reported)} 家未反馈申明上传表数（表中记为“{NOT_REPORTED}”，不是 0），"
        f"无法计算其上传完成率；已反馈的 {len(reported)} 家，已上传表占申明表的中位数为 {fmt_pct(median)}。"
    )


def health_records_sentence(records: pd.DataFrame, lang: str = "zh", total_label: str = "合计") -> str:
    areas = records[records["area"] != total_label]
    total = records[records["area"] == total_label].iloc[0]
    top = areas.sort_values("hypertension_per_1000", ascending=False).iloc[0]
    zero = areas[(areas["health_records_hypertension"] == 0) & (areas["health_records_diabetes"] == 0)]
    if lang == "en":
        text = (
            f"Per 1,000 basic health records the city has {fmt_number(total.hypertension_per_1000)} hypertension "
            f"and {fmt_number(total.diabetes_per_1000)} diabetes records; {top.area} has the highest share of "
            f"hypertension records ({fmt_number(top.hypertension_per_1000)} per 1,000)."
        )
        if not zero.empty:
            text += (
                f" {', '.join(zero['area'])} has no hypertension or diabetes records at all: those records may not "
                "have been uploaded yet."
            )
        return text
    text = (
        f"全市每千份基本健康档案中有高血压档案 {fmt_number(total.hypertension_per_1000)} 份、糖尿病档案 "
        f"{fmt_number(total.diabetes_per_1000)} 份；高血压档案比例最高的是{top.area}"
        f"（{fmt_number(top.hypertension_per_1000)} 份/千份）。"
    )
    if not zero.empty:
        text += f"{'、'.join(zero['area'])}的高血压和糖尿病档案均为 0，可能尚未上传专项档案。"
    return text


def metro_sentence(facts: pd.DataFrame, lang: str = "zh") -> str:
    city = labels.t("p.city", lang)
    running = facts[facts["subject"] == city]
    if not len(running):
        return ""
    if lang == "en":
        parts = ", ".join(f"{r.measure_zh}: {fmt_count(r.value)} {r.unit}" for r in running.itertuples())
        return f"Running totals, {running['period'].iloc[0]}: {parts}."
    parts = "，".join(f"{r.measure_zh} {fmt_count(r.value)} {r.unit}" for r in running.itertuples())
    return f"截至{running['period'].iloc[0].removeprefix('累计至')}，{parts}。"

"""The remote-medicine paragraphs, lines 386-394 of the raw bulletin, read by eye."""

from __future__ import annotations

import pandas as pd

from metroanalysis.reference import AREAS

# (platform, printed name, 累计接入, 覆盖区数, 未对接, 联通城市数, line)
PLATFORMS = [
    ("consultation", "南京市远程医学会诊平台", 50, 9, "鼓楼区、玄武区、秦淮区", None, 386),
    ("ecg", "南京市远程心电监测诊断平台", 134, 11, "秦淮区", 4, 388),
    ("lab", "南京市远程临检诊断平台", 144, 9, "鼓楼区、秦淮区、雨花台区", None, 390),
    ("imaging", "南京市远程影像诊断平台", 151, 10, "秦淮区、栖霞区", None, 392),
]
# (platform, measure, value, unit, period, line)
VOLUMES = [
    ("consultation", "consultations", 123, "次", "to_date", 386),  # 累计通过平台开展各类会诊123次
    ("ecg", "ecg_cases", 98752, "份", "month", 388),  # 4月份采集心电病例98752份
    ("ecg", "consultations", 190, "例", "month", 388),  # 会诊量190例
    ("lab", "lab_reports", 924677, "份", "month", 390),  # 4月份共采集检验报告924677份
    ("lab", "specimens_routed", 13241, "份", "month", 390),  # 通过平台流转标本13241份
    ("imaging", "imaging_reports", 68153, "份", "month", 392),  # 4月份共采集影像报告68153份
    ("imaging", "images", 7309816, "份", "month", 392),  # 图像量7309816份
    ("imaging", "consultations", 338, "例", "month", 392),  # 会诊338例
]
# (platform, rank, uploader, records, line)
UPLOADERS = [
    ("ecg", 1, "江宁区", 29287, 388),
    ("ecg", 2, "江苏省人民医院", 17957, 388),
    ("ecg", 3, "南京医科大学第二附属医院", 8335, 388),
    ("lab", 1, "南京市第一医院", 178982, 390),
    ("lab", 2, "南京市妇幼保健院", 143728, 390),
    ("lab", 3, "南京市高淳人民医院", 103226, 390),
    ("imaging", 1, "南京市儿童医院", 16238, 392),
    ("imaging", 2, "南京鼓楼医院", 13755, 392),
    ("imaging", 3, "六合区中医院", 9965, 392),
]
# (platform, a phrase of the printed category, institutions)
INSTITUTIONS = [
    ("consultation", "二级以上医疗机构", 24),
    ("consultation", "社区卫生服务中心", 13),
    ("consultation", "南京都市圈城市", 1),
    ("consultation", "对外帮扶医疗机构", 8),
    ("consultation", "其他机构", 4),
    ("ecg", "三级医院", 13),
    ("ecg", "南京都市圈城市", 7),
    ("lab", "二级以上医疗机构", 19),
    ("imaging", "二级以上医疗机构", 10),
]


def nullable(v):
    return None if pd.isna(v) else v


def test_remote_platforms(parsed):
    df = parsed.tables["remote_platforms"]
    cols = [
        "platform",
        "platform_zh",
        "institutions_connected",
        "districts_covered",
        "districts_not_connected",
        "cities_connected",
        "source_line",
    ]
    got = [tuple(nullable(v) for v in r) for r in df[cols].itertuples(index=False, name=None)]
    assert got[:4] == PLATFORMS
    assert len(df) == 5


def test_pathology_system_is_a_status_without_figures(parsed):
    df = parsed.tables["remote_platforms"]
    row = df[df["platform"] == "pathology"].iloc[0]
    assert row["platform_zh"] == "南京市远程病理诊断系统"
    assert row["source_line"] == 394
    assert pd.isna(row["institutions_connected"]) and pd.isna(row["districts_covered"])
    assert "已验收完成" in row["status"] and "正常运行" in row["status"]


def test_remote_platform_dtypes(parsed):
    df = parsed.tables["remote_platforms"]
    for c in ["institutions_connected", "districts_covered", "cities_connected", "source_line"]:
        assert df[c].dtype == "Int64", c
    for c in ["platform", "platform_zh", "districts_not_connected", "status"]:
        assert df[c].dtype == "string", c


def test_remote_volumes(parsed):
    df = parsed.tables["remote_volumes"]
    got = list(df[["platform", "measure", "value", "unit", "period", "source_line"]].itertuples(index=False, name=None))
    assert got == VOLUMES
    assert df["value"].dtype == "Int64"


def test_remote_top_uploaders(parsed):
    df = parsed.tables["remote_top_uploaders"]
    got = list(df[["platform", "rank", "uploader", "records", "source_line"]].itertuples(index=False, name=None))
    assert got == UPLOADERS
    assert (df["unit"] == "份").all()
    assert df["records"].dtype == "Int64" and df["rank"].dtype == "Int64"


def test_remote_institutions(parsed):
    df = parsed.tables["remote_institutions"]
    assert len(df) == len(INSTITUTIONS)
    for (platform, phrase, n), row in zip(INSTITUTIONS, df.itertuples(index=False), strict=True):
        assert row.platform == platform
        assert phrase in row.category_zh
        assert row.institutions == n
    consult = df[df["platform"] == "consultation"]
    assert consult["institutions"].sum() == 50  # the consultation breakdown is complete
    assert df["institutions"].dtype == "Int64"


def test_remote_coverage_is_every_platform_by_the_12_areas(parsed):
    df = parsed.tables["remote_coverage"]
    assert len(AREAS) == 12 and "江北新区" in AREAS
    assert len(df) == 4 * 12
    assert df["connected"].dtype == "boolean"
    for platform, _, _, covered, not_connected, _, line in PLATFORMS:
        rows = df[df["platform"] == platform]
        assert set(rows["area"]) == set(AREAS)
        assert set(rows.loc[~rows["connected"], "area"]) == set(not_connected.split("、"))
        assert rows["connected"].sum() == covered  # covered + not connected = the 12 areas
        assert (rows["source_line"] == line).all()

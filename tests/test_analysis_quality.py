"""The data-quality report's tables: checks in the order of `checks.STATUS_ORDER`, counts per
status, missing values and what the cleaning changed, checked on small hand-made tables and
against data/raw/2021-04/bulletin.txt (line numbers quoted)."""

import pandas as pd

from metroanalysis.analysis import quality
from metroanalysis.clean.checks import STATUS_ORDER


def checks(*statuses: str) -> pd.DataFrame:
    n = len(statuses)
    return pd.DataFrame(
        {
            "rule": ["r"] * n,
            "table": ["kiosk_usage"] * n,
            "entity": ["合计"] * n,
            "column": ["payment_amount_yuan"] * n,
            "printed": ["1"] * n,
            "computed": ["1"] * n,
            "difference": ["0"] * n,
            "status": list(statuses),
            "source_line": pd.array(range(n, 0, -1), dtype="Int64"),
            "message": [""] * n,
        }
    ).astype({"status": "string"})


def test_checks_come_in_the_order_of_the_status_list():
    ordered = quality.checks_worst_first(checks(*reversed(STATUS_ORDER)))
    assert list(ordered["status"]) == STATUS_ORDER


def test_a_status_the_list_does_not_know_comes_right_after_the_worst():
    ordered = quality.checks_worst_first(checks("ok", "brand_new", STATUS_ORDER[0]))
    assert list(ordered["status"]) == [STATUS_ORDER[0], "brand_new", "ok"]
    assert ordered.loc[1, "status_label"] == "brand_new"  # no name yet: the status itself


def test_equal_statuses_are_ordered_by_printed_line():
    ordered = quality.checks_worst_first(checks("ok", "ok", "ok"))
    assert list(ordered["source_line"]) == [1, 2, 3]


def test_checks_carry_status_table_and_column_names_in_each_language():
    zh = quality.checks_worst_first(checks("ok"))
    assert (zh.loc[0, "status_label"], zh.loc[0, "table_label"]) == ("一致", "自助终端使用情况表")
    assert zh.loc[0, "column_label"] == "缴费金额（元）"  # the schema's label
    en = quality.checks_worst_first(checks("ok"), "en")
    assert (en.loc[0, "table_label"], en.loc[0, "column_label"]) == ("Self-service kiosk use", "Payment money (yuan)")


def test_status_counts_worst_first_without_empty_statuses():
    counts = quality.status_counts(checks("ok", "ok", "mismatch"))
    assert list(counts["status"]) == ["mismatch", "ok"]
    assert list(counts["checks"]) == [1, 2]
    assert list(counts["label"]) == ["不一致", "一致"]
    assert quality.status_counts(checks()).empty


def test_unmatched_names_in_table_and_line_order():
    q = checks("unmatched", "ok", "unmatched").assign(entity=["乙", "甲", "丙"])
    out = quality.unmatched_names(q)
    assert list(out["entity"]) == ["丙", "乙"]  # lines 1 and 3
    assert quality.unmatched_names(checks("ok")).empty


def test_the_payment_total_that_differs_from_its_rows_is_read_first(april):
    ordered = quality.checks_worst_first(april.quality)
    first = ordered.iloc[0]
    # Line 1191: 合计 缴费金额 336807013.30; the 49 printed payments add up to 336807013.31, so
    # printed minus computed is -0.01.
    assert (first["table"], first["column"], first["source_line"]) == ("kiosk_usage", "payment_amount_yuan", 1191)
    assert (first["printed"], first["computed"], first["difference"]) == ("336807013.30", "336807013.31", "-0.01")
    assert first["status"] != "ok"
    # The registration 合计, 15622415.20 on line 1189, agrees with its rows.
    registration = ordered[(ordered["table"] == "kiosk_usage") & (ordered["column"] == "registration_amount_yuan")]
    assert registration["status"].tolist() == ["ok"]


def test_shipped_month_status_counts_add_up_to_every_check(april):
    counts = quality.status_counts(april.quality).set_index("status")["checks"]
    assert counts.sum() == len(april.quality)
    # Lines 388, 390, 392: three platforms list only some of their institutions after 其中.
    assert counts["partial"] == 3


def test_missing_values_counts_not_reported_hospitals(april):
    missing = quality.missing_values(april.tables).set_index(["table", "column"])
    # 未反馈 is printed for 14 of the 27 hospitals (e.g. 江苏省中医院, line 561).
    assert missing.loc[("upload_by_hospital", "declared_tables"), "missing"] == 14
    assert missing.loc[("upload_by_hospital", "declared_tables"), "rows"] == 27
    assert ("facts", "section") not in missing.index
    assert quality.missing_values({}).empty


def test_change_kind_by_the_printed_text():
    assert quality.change_kind("未反馈/83") == "not_reported"
    assert quality.change_kind("63/129") == "split"
    assert quality.change_kind("101.78亿条") == "hundred_million"
    assert quality.change_kind("合计：116458") == "prefix"
    assert quality.change_kind("24033728次") == "unit"
    assert quality.change_kind("1,000") == "other"


def test_cleaning_changes_by_hand():
    facts = pd.DataFrame(
        {
            "table": ["kiosk_usage", "upload_by_hospital", "upload_by_hospital", "kiosk_usage"],
            "printed": [" 671629.00 ", "未反馈/83", "未反馈/90", "5次"],
            "value": ["671629.00", pd.NA, "90", "5"],
            "source_line": pd.array([10, 20, 21, 30], dtype="Int64"),
        }
    ).astype({"printed": "string", "value": "string"})
    out = quality.cleaning_changes(facts).set_index("change")
    assert list(out.index) == ["not_reported", "unit"]  # trailing spaces alone are no change
    assert out.loc["not_reported", "numbers"] == 2
    assert out.loc["not_reported", "example_printed"] == "未反馈/83"
    assert pd.isna(out.loc["not_reported", "example_value"])
    assert out.loc["unit", "tables"] == ["自助终端使用情况表"]
    assert quality.cleaning_changes(facts.iloc[:0]).empty


def test_cleaning_changes_in_the_shipped_month(april):
    out = quality.cleaning_changes(april.facts).set_index("change")
    # Line 777: （截止4月底，区及医院累计校验入库数据101.78亿条）
    assert (out.loc["hundred_million", "example_printed"], out.loc["hundred_million", "example_value"]) == (
        "101.78亿条",
        "10178000000",
    )
    assert out.loc["hundred_million", "example_line"] == 777
    assert out.loc["not_reported", "numbers"] == 14  # 未反馈/N for 14 hospitals
    assert out.loc["split", "numbers"] == 12 * 2 + 13 * 2  # 12 areas and 13 reporting hospitals print a/b twice
    assert out.loc["prefix", "example_line"] == 381  # 合计：116458


def test_figures_of_a_check_are_shown_with_their_decimals_and_sign():
    assert quality.fmt_figure("336807013.30") == "336,807,013.30"  # line 1191
    assert quality.fmt_figure("0.01", signed=True) == "+0.01"
    assert quality.fmt_figure("-114", signed=True) == "-114"
    assert quality.fmt_figure("0", signed=True) == "0"
    assert quality.fmt_figure("0.00", signed=True) == "0.00"
    assert quality.fmt_figure(pd.NA) == "—"
    assert (
        quality.fmt_figure("本文件为 metroanalysis synth 生成") == "本文件为 metroanalysis synth 生成"
    )  # a repaired line


def test_a_check_on_no_table_has_an_empty_table_name():
    repaired = checks("repaired").assign(table=pd.array([pd.NA], dtype="string"), column=pd.NA)
    out = quality.checks_worst_first(repaired)
    assert (out.loc[0, "table_label"], out.loc[0, "column_label"]) == ("", "")


# --- printed zeros that mean "not reported" ------------------------------------------------------


def test_every_printed_zero_its_field_declares_not_reported_is_listed_with_its_line(april):
    zeros = quality.not_reported_zeros(april.tables, april.facts)
    where = {(r.entity, r.field): r.source_line for r in zeros.itertuples()}
    # 秦淮区 (upload table by area, line 483): 436030 basic records (490), 0 hypertension (491),
    # 0 diabetes (492).
    assert where[("秦淮区", "health_records_hypertension")] == 491
    assert where[("秦淮区", "health_records_diabetes")] == 492
    # 南京脑科医院 (upload table by hospital, line 688): 82696 outpatient visits (693), 0 discharges (694).
    assert where[("南京脑科医院", "discharge_records")] == 694
    # 东部战区总医院 (kiosk table, line 825): 82 terminals (826), 0 registrations, 0.00, 0 payments,
    # 0.00 (827-830); 14 units in all print terminals and no transaction, 4 values each.
    assert [where[("东部战区总医院", f)] for f in ("registrations", "registration_amount_yuan")] == [827, 828]
    assert [where[("东部战区总医院", f)] for f in ("payments", "payment_amount_yuan")] == [829, 830]
    kiosk = zeros[zeros["table"] == "kiosk_usage"]
    assert kiosk["entity"].nunique() == 14 and len(kiosk) == 56
    assert len(zeros) == 56 + 2 + 1
    # A unit with no terminal prints zeros that are no gap (南京市中心医院 line 1081, 秦淮区 1179),
    # nor is a channel a hospital does not use (东部战区总医院's 0 online bookings, line 295).
    assert not zeros["entity"].eq("南京市中心医院").any()
    assert not ((zeros["table"] == "kiosk_usage") & zeros["entity"].eq("秦淮区")).any()
    assert set(zeros["table"]) == {"kiosk_usage", "upload_by_district", "upload_by_hospital"}
    brain = zeros[zeros["field"] == "discharge_records"].iloc[0]
    assert "脑科医院" in brain["reason"] and brain["label"] == "出院信息上传人次"


def test_not_reported_zeros_in_english_give_the_rule_in_english(april):
    zeros = quality.not_reported_zeros(april.tables, april.facts, "en")
    brain = zeros[zeros["field"] == "discharge_records"].iloc[0]
    assert brain["label"] == "Discharges uploaded" and "Brain Hospital" in brain["reason"]


def test_not_reported_zeros_of_no_tables_is_empty():
    assert quality.not_reported_zeros({}).empty


def test_not_reported_values_grouped_by_unit_give_their_lines(april):
    zeros = quality.not_reported_zeros(april.tables, april.facts)
    grouped = quality.not_reported_by_entity(zeros).set_index("entity")
    assert grouped.loc["东部战区总医院", "lines"] == "827–830"
    assert grouped.loc["东部战区总医院", "values"] == 4
    assert grouped.loc["南京脑科医院", "lines"] == "694"
    assert len(grouped) == 16


def test_not_reported_zeros_name_units_from_the_registry(april):
    zeros = quality.not_reported_zeros(april.tables, april.facts, "en", april.entities)
    brain = zeros[zeros["entity_id"] == "H037"].iloc[0]  # printed 南京脑科医院, line 688
    assert brain["entity"] == "南京脑科医院" and brain["name"] != brain["entity"]
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in brain["reason"])  # the rule's English

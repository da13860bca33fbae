"""The shape of every clean table: field names, dtypes, units, Chinese labels, descriptions.

One source for the parsers' dtypes, for reading the CSVs back (`load_month`) and for the
Frictionless `datapackage.json`. A field's dtype is a pandas nullable dtype: counts are
`Int64`, names `string`, flags `boolean`; money is `Float64` yuan whose value is the printed
amount exactly to the fen (written back as two-decimal text, summed in whole fen).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Field:
    name: str
    dtype: str
    unit: str
    label: str  # Chinese label as the bulletin prints it (or the nearest printed wording)
    description: str


def F(name, dtype, unit, label, description):  # noqa: N802 - reads as a table row
    return Field(name, dtype, unit, label, description)


ENTITY = F(
    "entity_id",
    "string",
    "",
    "实体编号",
    "id in data/reference/entities.csv; <NA> where the name is not in the registry (see quality.csv)",
)
LINE = F("source_line", "Int64", "", "原文行号", "1-based line of the raw bulletin where this row is printed")

# Where a number stands in a web page or a Word file (metroanalysis.formats); <NA> for a text
# bulletin (its source_line says it all) and where a part does not apply.
LOCATION = [
    F(
        "source_table",
        "Int64",
        "",
        "原文表序",
        "web page: the nth <table> of the saved page, counting every table in order; Word: the nth table"
        " of the document; <NA> for a number printed in prose",
    ),
    F("source_row", "Int64", "", "原文表行", "1-based row of that table"),
    F(
        "source_col",
        "Int64",
        "",
        "原文表列",
        "1-based column of that table (a merged cell counts as every column it covers; its first is given)",
    ),
    F("source_paragraph", "Int64", "", "原文段序", "Word: the nth paragraph of the document body, for prose"),
]

TABLES: dict[str, tuple[str, list[Field]]] = {
    "hotline_calls": (
        "南京12320卫生热线 calls this month: the total, each category, and the 12345 work orders.",
        [
            F(
                "category",
                "string",
                "",
                "类别",
                "tidy category id (total, consultations, complaints, …); <NA> for a label not yet known",
            ),
            F("label", "string", "", "类别名称", "category as printed"),
            F("calls", "Int64", "calls", "数量", "calls (个/通) or work orders (件) as printed"),
            F("unit", "string", "", "单位", "unit as printed: 个, 通 or 件"),
            F("in_total", "boolean", "", "计入总量", "listed after 其中: part of the total calls"),
            LINE,
        ],
    ),
    "hotline_province": (
        "Calls to 12320 across Jiangsu this month, by city; the province total is in printed_totals.",
        [
            F("city", "string", "", "城市", "city as printed"),
            ENTITY,
            F("calls", "Int64", "calls", "电话量", "calls answered (人次)"),
            F("unit", "string", "", "单位", "unit as printed"),
            LINE,
        ],
    ),
    "booking_by_hospital": (
        "Bookings on the unified appointment platform by hospital and channel (预约挂号服务统计表).",
        [
            F("row_number", "Int64", "", "序号", "printed serial number"),
            F("hospital", "string", "", "单位", "hospital as printed"),
            ENTITY,
            F("online_12320", "Int64", "bookings", "12320在线预约", "bookings made online through 12320"),
            F("phone", "Int64", "bookings", "电话预约", "bookings made by phone"),
            F("in_clinic", "Int64", "bookings", "诊间预约", "bookings made in the clinic"),
            F("third_party", "Int64", "bookings", "第三方", "bookings made through third parties"),
            F("subtotal", "Int64", "bookings", "小计", "printed subtotal of the four channels"),
            LINE,
        ],
    ),
    "booking_by_channel": (
        "Bookings by app, WeChat and web channel (途径预约情况统计), in printed serial order.",
        [
            F("row_number", "Int64", "", "序号", "printed serial number"),
            F("channel", "string", "", "名称", "channel as printed"),
            ENTITY,
            F("bookings", "Int64", "bookings", "预约数量", "bookings through this channel"),
            LINE,
        ],
    ),
    "remote_platforms": (
        "Remote-medicine platforms: institutions, districts covered and not connected, status.",
        [
            F("platform", "string", "", "平台", "platform id: consultation, ecg, lab, imaging, pathology"),
            F("platform_zh", "string", "", "平台名称", "platform as printed"),
            ENTITY,
            F(
                "institutions_connected",
                "Int64",
                "institutions",
                "累计接入医疗机构",
                "institutions connected to date (家)",
            ),
            F("districts_covered", "Int64", "areas", "覆盖区数", "areas of Nanjing covered (个区)"),
            F("districts_not_connected", "string", "", "未对接区", "areas printed as not connected, joined with 、"),
            F("cities_connected", "Int64", "cities", "联通城市数", "cities connected (个城市)"),
            F("status", "string", "", "状态", "the printed status, for a platform that reports no figures"),
            LINE,
        ],
    ),
    "remote_volumes": (
        "Remote-medicine platform volumes (this month, or to date where printed as 累计).",
        [
            F("platform", "string", "", "平台", "platform id"),
            F(
                "measure",
                "string",
                "",
                "指标",
                "consultations, ecg_cases, lab_reports, specimens_routed, imaging_reports, images",
            ),
            F("measure_zh", "string", "", "指标名称", "the printed phrase"),
            F("value", "Int64", "", "数量", "printed count"),
            F("unit", "string", "", "单位", "unit as printed (份, 例, 次)"),
            F("period", "string", "", "期间", "month (this month) or to_date (累计)"),
            LINE,
        ],
    ),
    "remote_institutions": (
        "Breakdown of each platform's connected institutions, as printed after 其中.",
        [
            F("platform", "string", "", "平台", "platform id"),
            F("category_zh", "string", "", "机构类别", "category as printed"),
            F("institutions", "Int64", "institutions", "机构数", "institutions (家)"),
            LINE,
        ],
    ),
    "remote_top_uploaders": (
        "The top three uploaders of each platform this month.",
        [
            F("platform", "string", "", "平台", "platform id"),
            F("rank", "Int64", "", "排名", "1, 2, 3 in printed order"),
            F("uploader", "string", "", "单位", "area or hospital as printed"),
            ENTITY,
            F("records", "Int64", "records", "上传量", "records uploaded this month"),
            F("unit", "string", "", "单位", "unit as printed"),
            LINE,
        ],
    ),
    "remote_coverage": (
        "Each platform × each of the 12 areas (11 districts and 江北新区): connected or not.",
        [
            F("platform", "string", "", "平台", "platform id"),
            F("area", "string", "", "区", "area of Nanjing"),
            ENTITY,
            F("connected", "boolean", "", "已对接", "False where the bulletin names the area as not connected"),
            LINE,
        ],
    ),
    "upload_by_district": (
        "Uploads to the city health-information platform by area (数据采集情况（区）).",
        [
            F("area", "string", "", "接入单位", "area as printed"),
            ENTITY,
            F("declared_tables", "Int64", "tables", "申明上传表", "tables the area declared it uploads"),
            F("declared_reported", "boolean", "", "已反馈", "False where printed 未反馈 (not reported)"),
            F("required_tables", "Int64", "tables", "规定上传表", "tables the platform requires"),
            F("uploaded_tables", "Int64", "tables", "已上传表（CDA文档）", "tables (CDA documents) uploaded"),
            F("upload_volume", "Int64", "records", "数据上传量", "records uploaded this month"),
            F("upload_days", "Int64", "days", "数据上传天数", "days with an upload this month"),
            F(
                "outpatient_records",
                "Int64",
                "visits",
                "门急诊信息上传人次",
                "outpatient and emergency visits uploaded",
            ),
            F("discharge_records", "Int64", "discharges", "出院信息上传人次", "discharges uploaded"),
            F(
                "health_records_basic",
                "Int64",
                "records",
                "健康档案累计上传总量·基本信息",
                "health records to date: basic",
            ),
            F(
                "health_records_hypertension",
                "Int64",
                "records",
                "健康档案累计上传总量·高血压",
                "health records to date: hypertension",
            ),
            F(
                "health_records_diabetes",
                "Int64",
                "records",
                "健康档案累计上传总量·糖尿病",
                "health records to date: diabetes",
            ),
            LINE,
        ],
    ),
    "upload_by_hospital": (
        "Uploads to the city health-information platform by hospital (数据采集情况（医院）).",
        [
            F("hospital", "string", "", "接入单位", "hospital as printed"),
            ENTITY,
            F("declared_tables", "Int64", "tables", "申明上传表", "tables declared; <NA> where printed 未反馈"),
            F("declared_reported", "boolean", "", "已反馈", "False where printed 未反馈 (not reported): not a zero"),
            F("required_tables", "Int64", "tables", "规定上传", "tables the platform requires"),
            F("uploaded_tables", "Int64", "tables", "已上传表/CDA文档（份）", "tables (CDA documents) uploaded"),
            F("upload_volume", "Int64", "records", "数据上传量", "records uploaded this month"),
            F("upload_days", "Int64", "days", "数据上传天数", "days with an upload this month"),
            F(
                "outpatient_records",
                "Int64",
                "visits",
                "门急诊信息上传人次",
                "outpatient and emergency visits uploaded",
            ),
            F("discharge_records", "Int64", "discharges", "出院信息上传人次", "discharges uploaded"),
            LINE,
        ],
    ),
    "kiosk_usage": (
        "Self-service kiosks: terminals, registrations, payments and money, by unit (医疗单位 and 各区).",
        [
            F("section", "string", "", "类别", "hospital (医疗单位) or district (各区)"),
            F("section_zh", "string", "", "类别名称", "section label as printed, read down the column"),
            F("unit", "string", "", "单位", "hospital or area as printed"),
            ENTITY,
            F("terminals", "Int64", "terminals", "投放台数", "kiosks installed"),
            F("registrations", "Int64", "transactions", "挂号（次）", "registrations made at kiosks"),
            F("registration_amount_yuan", "Float64", "yuan", "挂号金额（元）", "registration money, exact to the fen"),
            F("payments", "Int64", "transactions", "缴费（次）", "payments made at kiosks"),
            F("payment_amount_yuan", "Float64", "yuan", "缴费金额（元）", "payment money, exact to the fen"),
            LINE,
        ],
    ),
    "cumulative_totals": (
        "Running totals printed as footnotes (bookings to date; records verified into the platform).",
        [
            F("measure", "string", "", "指标", "bookings_to_date or records_verified_to_date"),
            F("measure_zh", "string", "", "指标名称", "the printed phrase"),
            F("printed", "string", "", "原文", "the figure as printed, e.g. 101.78亿条"),
            F("value", "Int64", "", "数值", "the figure in bookings or records (亿 = 10^8, exact)"),
            F("unit", "string", "", "单位", "unit as printed"),
            F("as_of", "string", "", "截止", "as printed, e.g. 4月底"),
            LINE,
        ],
    ),
    "hospital_profile": (
        "One row per hospital in the month's bulletin: bookings, kiosks and uploads side by side, joined on entity_id.",
        [
            F("entity_id", "string", "", "实体编号", "id in data/reference/entities.csv"),
            F("name_zh", "string", "", "医院", "canonical Chinese name from the registry"),
            F("name_en", "string", "", "英文名", "English name where a well-known one exists"),
            F("online_12320", "Int64", "bookings", "12320在线预约", "from booking_by_hospital"),
            F("phone", "Int64", "bookings", "电话预约", "from booking_by_hospital"),
            F("in_clinic", "Int64", "bookings", "诊间预约", "from booking_by_hospital"),
            F("third_party", "Int64", "bookings", "第三方", "from booking_by_hospital"),
            F("bookings", "Int64", "bookings", "预约小计", "printed 小计 from booking_by_hospital"),
            F("kiosk_terminals", "Int64", "terminals", "投放台数", "from kiosk_usage"),
            F("kiosk_registrations", "Int64", "transactions", "挂号（次）", "from kiosk_usage"),
            F("kiosk_registration_yuan", "Float64", "yuan", "挂号金额（元）", "from kiosk_usage"),
            F("kiosk_payments", "Int64", "transactions", "缴费（次）", "from kiosk_usage"),
            F("kiosk_payment_yuan", "Float64", "yuan", "缴费金额（元）", "from kiosk_usage"),
            F("upload_volume", "Int64", "records", "数据上传量", "from upload_by_hospital"),
            F("outpatient_records", "Int64", "visits", "门急诊信息上传人次", "from upload_by_hospital"),
            F("discharge_records", "Int64", "discharges", "出院信息上传人次", "from upload_by_hospital"),
            F("kiosk_money_yuan", "Float64", "yuan", "自助机金额合计（元）", "registration plus payment money"),
            F("missing_from", "string", "", "未出现的表", "tables this hospital does not appear in, comma-separated"),
        ],
    ),
    "entities": (
        "The reviewed registry used for this month (copy of data/reference/entities.csv).",
        [
            F("entity_id", "string", "", "实体编号", "stable id"),
            F("name_zh", "string", "", "中文名", "canonical Chinese name"),
            F(
                "name_en",
                "string",
                "",
                "英文名",
                "English name where a well-known one exists; empty rather than guessed",
            ),
            F("kind", "string", "", "类别", "hospital, hospital_campus, district, new_area, channel, city, platform"),
            F("district", "string", "", "所在区", "area it lies in, where the bulletin (or its name) says so"),
            F("parent_id", "string", "", "上级实体", "for a campus: the hospital it belongs to"),
            F("note", "string", "", "说明", "why, for a reviewer"),
        ],
    ),
    "aliases": (
        "Every printed variant of a name that is not the canonical one (copy of data/reference/aliases.csv).",
        [
            F("alias", "string", "", "原文名称", "the name as printed"),
            F("entity_id", "string", "", "实体编号", "the entity it names"),
            F("confidence", "string", "", "可信度", "certain or likely"),
            F("not_to_confuse_with", "string", "", "勿混同", "an entity that looks alike but is not the same"),
            F("note", "string", "", "说明", "why, for a reviewer"),
        ],
    ),
    "printed_totals": (
        "Every printed 合计 (and the province total), kept apart from the entity rows.",
        [
            F("table", "string", "", "表", "table the total belongs to"),
            F("column", "string", "", "列", "column it totals"),
            F("printed", "string", "", "原文", "as printed"),
            F("value", "Float64", "", "数值", "printed value (money in yuan, exact to the fen)"),
            F("unit", "string", "", "单位", "unit"),
            LINE,
        ],
    ),
    "facts": (
        "Every number printed in the statistics part, one row each, with its source line.",
        [
            F("table", "string", "", "表", "table"),
            F("section", "string", "", "分组", "section within the table, if any"),
            F("entity", "string", "", "对象", "hospital, area, channel, city or category"),
            F("measure", "string", "", "指标", "column or measure"),
            F("value", "string", "", "数值", "exact decimal text (亿 expanded to the value)"),
            F("unit", "string", "", "单位", "unit"),
            F(
                "source_line",
                "Int64",
                "",
                "原文行号",
                "1-based line of the raw bulletin (a web page: of the saved file, where the cell or paragraph"
                " starts; <NA> in a Word file)",
            ),
            F("printed", "string", "", "原文", "the text as printed"),
            *LOCATION,
        ],
    ),
    "quality": (
        "The bulletin's own arithmetic checked: printed totals against sums, cross-table identities;"
        " and the damage in the raw file that was repaired on reading.",
        [
            F("rule", "string", "", "规则", "check name"),
            F("table", "string", "", "表", "table checked"),
            F("entity", "string", "", "对象", "entity or 合计"),
            F("column", "string", "", "列", "column checked"),
            F("printed", "string", "", "原文数值", "the printed figure"),
            F("computed", "string", "", "计算值", "the figure computed from the other printed numbers"),
            F("difference", "string", "", "差值", "computed minus printed"),
            F(
                "status",
                "string",
                "",
                "状态",
                "ok, rounding, mismatch, partial, missing, unmatched, or repaired (damage in the raw file read"
                " back without guessing; printed is the text as found, computed as read)",
            ),
            F("source_line", "Int64", "", "原文行号", "line of the printed figure"),
            F("message", "string", "", "说明", "what was compared"),
        ],
    ),
}

# Tables parsed from the bulletin, in printed order, and what each is computed from.
BULLETIN_TABLES = [
    "hotline_calls",
    "hotline_province",
    "booking_by_hospital",
    "booking_by_channel",
    "remote_platforms",
    "remote_volumes",
    "remote_institutions",
    "remote_top_uploaders",
    "remote_coverage",
    "upload_by_district",
    "upload_by_hospital",
    "kiosk_usage",
    "cumulative_totals",
]


def fields(table: str) -> list[Field]:
    return TABLES[table][1]


def dtypes(table: str) -> dict[str, str]:
    return {f.name: f.dtype for f in fields(table)}


def empty(table: str) -> pd.DataFrame:
    """A table with no rows but every column typed: what a missing table looks like."""
    return typed(pd.DataFrame(columns=list(dtypes(table))), table)


def typed(df: pd.DataFrame, table: str) -> pd.DataFrame:
    """df with the schema's columns, in order, in the schema's nullable dtypes."""
    out = df[list(dtypes(table))].copy()
    for col, dtype in dtypes(table).items():
        if dtype == "Float64":
            out[col] = pd.array([None if pd.isna(v) else float(v) for v in out[col]], dtype="Float64")
        else:
            out[col] = out[col].astype(dtype)
    return out

"""Every field of every clean table, described once (`FIELD_METADATA`, PUDL's habit): its dtype,
unit, titles in both languages, description, and for a few counts the printed 0 that means "not
reported". A table lists its fields by name (`spec.Table.fields`), with an override only where
the field holds something else in that table; `typed_as` gives parsed rows the table's columns
in order and its nullable dtypes.

Below the table modules (they type their rows with it) and below `schema`, which adds the
tables made from the parsed ones and looks tables up by name.

A field's dtype is a pandas nullable dtype: counts are `Int64`, names `string`, flags
`boolean`; money is `Float64` yuan whose value is the printed amount exactly to the fen
(written back as two-decimal text, summed in whole fen).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:  # annotations only: importing the tables package would parse-register every table
    from metroanalysis.parse.tables.spec import FieldRef, Table


@dataclass(frozen=True)
class Field:
    name: str
    dtype: str
    unit: str
    label: str  # Chinese title as the bulletin prints it (or the nearest printed wording)
    description: str
    label_en: str = ""
    zero_means_not_reported: ZeroNotReported | None = None


def _f(dtype: str, unit: str, title_zh: str, title_en: str, description: str) -> dict[str, str]:
    return {"dtype": dtype, "unit": unit, "title_zh": title_zh, "title_en": title_en, "description": description}


def _name(title_zh: str, title_en: str, description: str) -> dict[str, str]:
    return _f("string", "", title_zh, title_en, description)


def _count(unit: str, title_zh: str, title_en: str, description: str) -> dict[str, str]:
    return _f("Int64", unit, title_zh, title_en, description)


def _yuan(title_zh: str, title_en: str, description: str) -> dict[str, str]:
    return _f("Float64", "yuan", title_zh, title_en, description)


@dataclass(frozen=True)
class ZeroNotReported:
    """When a printed 0 in a field means the unit did not report it, not a count of none.

    The field's 0 is read as "not reported" on a row where every field of `zeros` prints 0
    (the field itself is one of them) while `present` prints more than 0 (the unit has the
    terminals, the records or the patients that would make the field non-zero). The reason is
    written for a reviewer, in both languages, and shown wherever the rule leaves a value out.
    """

    zeros: tuple[str, ...]
    present: str
    reason_zh: str
    reason_en: str


# The printed zeros that mean "did not report", declared once per field (FIELD_METADATA's
# `zero_means_not_reported`) and applied by every ratio and average through `as_reported`.
_KIOSK_REASON = (
    "投放了自助机（台数大于 0），本月挂号和缴费却都印为 0：在用的自助机每月都有交易，整行为 0，"
    "分不清是无人使用还是没有报数，按未报告处理",
    "kiosks installed (more than 0 terminals) yet registrations and payments both printed 0: kiosks in"
    " use record transactions every month, and a row of zeros cannot tell unused kiosks from a unit"
    " that sent no figures, so it is treated as not reported",
)
KIOSK_IDLE = ZeroNotReported(("registrations", "payments"), "terminals", *_KIOSK_REASON)
PROFILE_KIOSK_IDLE = ZeroNotReported(("kiosk_registrations", "kiosk_payments"), "kiosk_terminals", *_KIOSK_REASON)
_SPECIAL_RECORDS_REASON = (
    "基本信息档案大于 0，该类专项档案却印为 0：约十分之一的成年人患高血压、糖尿病也常见，"
    "数十万份基本档案中一份也没有不是可信的计数，是未报告",
    "basic health records above 0 yet this kind printed 0: about a tenth of adults have hypertension"
    " and diabetes is common, so none among hundreds of thousands of basic records is not a count but"
    " a kind not reported",
)
DISCHARGES_NOT_REPORTED = ZeroNotReported(
    ("discharge_records",),
    "outpatient_records",
    "门急诊信息上传人次大于 0，出院信息上传人次却印为 0：上传表中的医院都设有病房，每月都有病人出院；"
    "例如南京脑科医院是收治住院病人的专科医院，一个月没有一人出院不可信；它的申明上传表也印为“未反馈”。"
    "所以这个 0 是出院信息没有上传，按未报告处理",
    "outpatient visits uploaded above 0 yet discharges printed 0: the hospitals of the upload table all"
    " have wards and discharge patients every month; Nanjing Brain Hospital, for"
    " one, is a specialist hospital that admits inpatients, and a month without a single discharge is"
    " not credible (its declared tables are printed as not reported too). The 0 means discharges were not"
    " uploaded, so it is treated as not reported",
)


FIELD_METADATA: dict[str, dict] = {
    "month": _name("月份", "Month", "the bulletin's month, YYYY-MM"),  # in the tables stacked over months
    # Shared by every table parsed from the bulletin
    "source_line": _count("", "原文行号", "Source line", "1-based line of the raw bulletin where this row is printed"),
    # Where a number stands in a web page or a Word file (metroanalysis.read.source); <NA> for a text
    # bulletin (its source_line says it all) and where a part does not apply.
    "source_table": _count(
        "",
        "原文表序",
        "Table no.",
        "web page: the nth <table> of the saved page, counting every table in order; Word: the nth table"
        " of the document; <NA> for a number printed in prose",
    ),
    "source_row": _count("", "原文表行", "Row", "1-based row of that table"),
    "source_col": _count(
        "",
        "原文表列",
        "Column",
        "1-based column of that table (a merged cell counts as every column it covers; its first is given)",
    ),
    "source_paragraph": _count(
        "", "原文段序", "Paragraph no.", "Word: the nth paragraph of the document body, for prose"
    ),
    "entity_id": _name(
        "实体编号",
        "Entity id",
        "id in data/reference/entities.csv; <NA> where the name is not in the registry (see quality.csv)",
    ),
    "unit": _name("单位", "Unit", "unit as printed"),
    "row_number": _count("", "序号", "No.", "printed serial number"),
    "hospital": _name("单位", "Hospital", "hospital as printed"),
    "area": _name("区", "Area", "area of Nanjing"),
    # Hotline
    "category": _name(
        "类别", "Category", "tidy category id (total, consultations, complaints, …); <NA> for a label not yet known"
    ),
    "label": _name("类别名称", "Category as printed", "category as printed"),
    "calls": _count("calls", "数量", "Calls", "calls (个/通) or work orders (件) as printed"),
    "in_total": _f("boolean", "", "计入总量", "Part of the total", "listed after 其中: part of the total calls"),
    "city": _name("城市", "City", "city as printed"),
    # Bookings
    "online_12320": _count("bookings", "12320在线预约", "12320 online", "bookings made online through 12320"),
    "phone": _count("bookings", "电话预约", "Phone", "bookings made by phone"),
    "in_clinic": _count("bookings", "诊间预约", "In-clinic", "bookings made in the clinic"),
    "third_party": _count("bookings", "第三方", "Third party", "bookings made through third parties"),
    "subtotal": _count("bookings", "小计", "Subtotal", "printed subtotal of the four channels"),
    "new_channel_zh": _name(
        "新增渠道",
        "New channel as printed",
        "a channel column printed between the known channels and 小计 that no declaration knows yet, by its"
        " printed name (read because 小计 adds up with it); <NA> when only the known channels are printed",
    ),
    "new_channel": _count(
        "bookings",
        "新增渠道预约",
        "New channel",
        "bookings through the channel named in new_channel_zh; <NA> when only the known channels are printed",
    ),
    "channel": _name("名称", "Channel", "channel as printed"),
    "bookings": _count("bookings", "预约数量", "Bookings", "bookings through this channel"),
    # Remote medicine
    "platform": _name("平台", "Platform", "platform id: consultation, ecg, lab, imaging, pathology"),
    "platform_zh": _name("平台名称", "Platform as printed", "platform as printed"),
    "institutions_connected": _count(
        "institutions", "累计接入医疗机构", "Institutions connected", "institutions connected to date (家)"
    ),
    "districts_covered": _count("areas", "覆盖区数", "Areas covered", "areas of Nanjing covered (个区)"),
    "districts_not_connected": _name(
        "未对接区", "Areas not connected", "areas printed as not connected, joined with 、"
    ),
    "cities_connected": _count("cities", "联通城市数", "Cities connected", "cities connected (个城市)"),
    "status": _name("状态", "Status", "the printed status, for a platform that reports no figures"),
    "measure": _name("指标", "Measure", "column or measure"),
    "measure_zh": _name("指标名称", "Measure as printed", "the printed phrase"),
    "value": _name("数值", "Value", "exact decimal text (亿 expanded to the value)"),
    "period": _name("期间", "Period", "month (this month) or to_date (累计)"),
    "category_zh": _name("机构类别", "Kind of institution", "category as printed"),
    "institutions": _count("institutions", "机构数", "Institutions", "institutions (家)"),
    "rank": _count("", "排名", "Rank", "1, 2, 3 in printed order"),
    "uploader": _name("单位", "Uploader", "area or hospital as printed"),
    "records": _count("records", "上传量", "Records uploaded", "records uploaded this month"),
    "connected": _f("boolean", "", "已对接", "Connected", "False where the bulletin names the area as not connected"),
    # Uploads to the city platform
    "declared_tables": _count("tables", "申明上传表", "Tables declared", "tables the area declared it uploads"),
    "declared_reported": _f(
        "boolean", "", "已反馈", "Declaration reported", "False where printed 未反馈 (not reported)"
    ),
    "required_tables": _count("tables", "规定上传表", "Tables required", "tables the platform requires"),
    "uploaded_tables": _count(
        "tables", "已上传表（CDA文档）", "Tables uploaded (CDA documents)", "tables (CDA documents) uploaded"
    ),
    "upload_volume": _count("records", "数据上传量", "Records uploaded", "records uploaded this month"),
    "upload_days": _count("days", "数据上传天数", "Days with an upload", "days with an upload this month"),
    "outpatient_records": _count(
        "visits", "门急诊信息上传人次", "Outpatient visits uploaded", "outpatient and emergency visits uploaded"
    ),
    "discharge_records": _count("discharges", "出院信息上传人次", "Discharges uploaded", "discharges uploaded"),
    "health_records_basic": _count(
        "records", "健康档案累计上传总量·基本信息", "Health records to date: basic", "health records to date: basic"
    ),
    "health_records_hypertension": _count(
        "records",
        "健康档案累计上传总量·高血压",
        "Health records to date: hypertension",
        "health records to date: hypertension",
    ),
    "health_records_diabetes": _count(
        "records", "健康档案累计上传总量·糖尿病", "Health records to date: diabetes", "health records to date: diabetes"
    ),
    # Kiosks
    "section": _name("类别", "Section", "hospital (医疗单位) or district (各区)"),
    "section_zh": _name("类别名称", "Section as printed", "section label as printed, read down the column"),
    "terminals": _count("terminals", "投放台数", "Terminals installed", "kiosks installed"),
    "registrations": _count("transactions", "挂号（次）", "Registrations", "registrations made at kiosks"),
    "registration_amount_yuan": _yuan(
        "挂号金额（元）", "Registration money (yuan)", "registration money, exact to the fen"
    ),
    "payments": _count("transactions", "缴费（次）", "Payments", "payments made at kiosks"),
    "payment_amount_yuan": _yuan("缴费金额（元）", "Payment money (yuan)", "payment money, exact to the fen"),
    # Running totals
    "printed": _name("原文", "As printed", "the text as printed"),
    "as_of": _name("截止", "As of", "as printed, e.g. 4月底"),
    # The hospital profile
    "name_zh": _name("中文名", "Chinese name", "canonical Chinese name"),
    "name_en": _name("英文名", "English name", "English name where a well-known one exists; empty rather than guessed"),
    "kiosk_terminals": _count("terminals", "投放台数", "Kiosk terminals", "from kiosk_usage"),
    "kiosk_registrations": _count("transactions", "挂号（次）", "Kiosk registrations", "from kiosk_usage"),
    "kiosk_registration_yuan": _yuan("挂号金额（元）", "Kiosk registration money (yuan)", "from kiosk_usage"),
    "kiosk_payments": _count("transactions", "缴费（次）", "Kiosk payments", "from kiosk_usage"),
    "kiosk_payment_yuan": _yuan("缴费金额（元）", "Kiosk payment money (yuan)", "from kiosk_usage"),
    "kiosk_money_yuan": _yuan("自助机金额合计（元）", "Kiosk money in all (yuan)", "registration plus payment money"),
    "missing_from": _name(
        "未出现的表", "Tables it is missing from", "tables this hospital does not appear in, comma-separated"
    ),
    # The registry
    "kind": _name("类别", "Kind", "hospital, hospital_campus, district, new_area, channel, city, platform"),
    "district": _name("所在区", "District", "area it lies in, where the bulletin (or its name) says so"),
    "parent_id": _name("上级实体", "Parent entity", "for a campus: the hospital it belongs to"),
    "note": _name("说明", "Note", "why, for a reviewer"),
    "alias": _name("原文名称", "Name as printed", "the name as printed"),
    "confidence": _name("可信度", "Confidence", "certain or likely"),
    "not_to_confuse_with": _name("勿混同", "Not to be confused with", "an entity that looks alike but is not the same"),
    # Printed totals, facts and checks
    "table": _name("表", "Table", "table"),
    "column": _name("列", "Column", "column checked"),
    "entity": _name("对象", "Entity", "hospital, area, channel, city or category"),
    "rule": _name("规则", "Rule", "check name"),
    "computed": _name("计算值", "Computed", "the figure computed from the other printed numbers"),
    "difference": _name(
        "差值",
        "Difference",
        "printed minus computed (money in yuan, computed in whole fen): how far the printed figure stands"
        " from what its parts add to",
    ),
    "message": _name(
        "说明", "What was compared", "what was compared, in English (the same words for the same figures)"
    ),
    "message_zh": _name(
        "说明（中文）",
        "What was compared, in Chinese",
        "what was compared, in Chinese: the words the Chinese pages show",
    ),
}

# The field attribute `zero_means_not_reported`: which printed zeros mean "did not report".
for _name_, _rule in {
    "registrations": KIOSK_IDLE,
    "registration_amount_yuan": KIOSK_IDLE,
    "payments": KIOSK_IDLE,
    "payment_amount_yuan": KIOSK_IDLE,
    "kiosk_registrations": PROFILE_KIOSK_IDLE,
    "kiosk_registration_yuan": PROFILE_KIOSK_IDLE,
    "kiosk_payments": PROFILE_KIOSK_IDLE,
    "kiosk_payment_yuan": PROFILE_KIOSK_IDLE,
    "kiosk_money_yuan": PROFILE_KIOSK_IDLE,
    "health_records_hypertension": ZeroNotReported(
        ("health_records_hypertension",), "health_records_basic", *_SPECIAL_RECORDS_REASON
    ),
    "health_records_diabetes": ZeroNotReported(
        ("health_records_diabetes",), "health_records_basic", *_SPECIAL_RECORDS_REASON
    ),
    "discharge_records": DISCHARGES_NOT_REPORTED,
}.items():
    FIELD_METADATA[_name_] = {**FIELD_METADATA[_name_], "zero_means_not_reported": _rule}


def field(ref: FieldRef) -> Field:
    """A table's field: FIELD_METADATA's entry with what the table says differs."""
    name, changes = (ref, {}) if isinstance(ref, str) else ref
    if name not in FIELD_METADATA and not isinstance(ref, str):
        meta = dict.fromkeys(("dtype", "unit", "title_zh", "title_en", "description"), "")  # declared whole
        if set(changes) - set(meta) or "dtype" not in changes:
            raise KeyError(f"field {name}: a new field declares dtype, unit, title_zh, title_en, description")
    else:
        meta = FIELD_METADATA[name]
    unknown = set(changes) - set(meta)
    if unknown:
        raise KeyError(f"field {name}: unknown override {sorted(unknown)}")
    meta = {**meta, **changes}
    return Field(
        name,
        meta["dtype"],
        meta["unit"],
        meta["title_zh"],
        meta["description"],
        meta["title_en"],
        meta.get("zero_means_not_reported"),
    )


def fields_of(table: Table) -> list[Field]:
    return [field(ref) for ref in table.fields]


def dtypes_of(table: Table) -> dict[str, str]:
    return {f.name: f.dtype for f in fields_of(table)}


def typed_as(df: pd.DataFrame, table: Table) -> pd.DataFrame:
    """df with the table's columns, in order, in its nullable dtypes."""
    dtypes = dtypes_of(table)
    out = df[list(dtypes)].copy()
    for col, dtype in dtypes.items():
        if dtype == "Float64":
            out[col] = pd.array([None if pd.isna(v) else float(v) for v in out[col]], dtype="Float64")
        else:
            out[col] = out[col].astype(dtype)
    return out

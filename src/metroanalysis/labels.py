"""The reports' words in both languages: chart titles, axis labels, table headers, section
headings and fixed phrases (`TEXT`), the names of the fixed categories the analysis uses
(channels, kiosk sections, platforms, statuses, tables…), and entity names from the registry.

`lang` is "zh" (the default: reviewers read Chinese) or "en". English entity names are the
registry's `name_en`; where the registry leaves it empty (no well-known English name) the
Chinese name is shown rather than a guessed translation.

    >>> t("h.bookings", "en")
    'Bookings'
    >>> month_title("2021-04", "en")
    'April 2021'
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping

import pandas as pd

from . import checks, reference, schema
from .tables import booking, hotline, kiosk, remote

LANGS = ("zh", "en")


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"lang={lang!r}: the reports are written in {' or '.join(LANGS)}")
    return lang


def pick(pair: tuple[str, str] | Mapping[str, str], lang: str) -> str:
    """The `lang` member of a (zh, en) pair."""
    check_lang(lang)
    return pair[LANGS.index(lang)] if isinstance(pair, tuple) else pair[lang]


# ---------------------------------------------------------------------------------------------
# Entity names from the registry


def entity_names(entities: pd.DataFrame, lang: str = "zh") -> dict[str, str]:
    """entity_id → the name shown in `lang`: name_zh, or name_en falling back to name_zh."""
    check_lang(lang)
    zh = entities["name_zh"].astype("string")
    english = entities["name_en"].astype("string").str.strip().replace("", pd.NA).fillna(zh)
    shown = english if lang == "en" else zh
    return dict(zip(entities["entity_id"], shown, strict=True))


def entity_label(entity_id, printed, names: Mapping[str, str]) -> str:
    """The registry name of `entity_id`; the printed name when the registry does not know it
    (an unmatched name is shown as printed, never guessed)."""
    if pd.notna(entity_id) and entity_id in names:
        return str(names[entity_id])
    return str(printed)


# ---------------------------------------------------------------------------------------------
# Dates and numbers


def month_title(month: str, lang: str = "zh") -> str:
    """'2021-04' → '2021年4月' / 'April 2021'."""
    year, number = month.split("-")
    if check_lang(lang) == "en":
        return f"{calendar.month_name[int(number)]} {year}"
    return f"{year}年{int(number)}月"


def fmt_yuan(amount, lang: str = "zh") -> str:
    """352429428.51 → '352,429,428.51 元' / '352,429,428.51 yuan'; missing → '—'."""
    if pd.isna(amount):
        return "—"
    return f"{float(amount):,.2f} {pick(('元', 'yuan'), lang)}"


def fmt_signed(x, digits: int = 0) -> str:
    """+1,000 / -12.5 / 0: a change with its sign."""
    if pd.isna(x):
        return "—"
    return f"{float(x):+,.{digits}f}" if float(x) != 0 else f"{0:.{digits}f}"


def fmt_signed_pct(x, digits: int = 1) -> str:
    """A change already in per cent: 2.34 → '+2.3%'."""
    return "—" if pd.isna(x) else f"{float(x):+.{digits}f}%"


# ---------------------------------------------------------------------------------------------
# Fixed categories


# Each defined once where the data is made; re-exported here for the analysis and the notebooks.
TABLES = {name: (t.title_zh, t.title_en) for name, t in schema.TABLES.items() if t.title_zh}
CHANNELS = booking.CHANNEL_NAMES
HOTLINE = hotline.CATEGORY_NAMES
PLATFORMS = remote.PLATFORM_NAMES
SECTIONS = kiosk.SECTION_NAMES
STATUSES = checks.STATUSES
UNITS = reference.UNITS_EN  # units as printed → English
PRINTED_EN = reference.PRINTED_EN  # measures, running totals, kinds of institution as printed → English


def category(mapping: Mapping[str, tuple[str, str]], key, lang: str = "zh") -> str:
    """The `lang` name of a fixed category (`key` itself when the mapping does not know it)."""
    return pick(mapping[key], lang) if key in mapping else str(key)


def unit(printed: str, lang: str = "zh") -> str:
    return printed if check_lang(lang) == "zh" else UNITS.get(printed, printed)


def printed_text(printed: str, lang: str = "zh") -> str:
    """A measure or category as printed in the bulletin, in English where we know it."""
    return printed if check_lang(lang) == "zh" else PRINTED_EN.get(printed, printed)


# ---------------------------------------------------------------------------------------------
# Words of the reports: headings, chart titles and axis labels, table headers, fixed phrases.
# Keys: "s." section heading / intro, "c." chart title ({month} filled in), "x."/"y." axis
# label, "h." table header, "p." phrase.

TEXT: dict[str, tuple[str, str]] = {
    # shared
    "p.data_month": (
        "数据月份：**{month}**（南京卫生信息月报统计数据）。",
        "Month: **{month}** (Nanjing health-information monthly bulletin).",
    ),
    "p.synthetic": (
        "**注意：本月数据是 metroanalysis synth 生成的测试数据，不是真实公报。**",
        "**Note: this month's data was generated by metroanalysis synth for testing; it is not a real bulletin.**",
    ),
    "p.all_hospitals": ("全部医院", "All hospitals"),
    "p.others": ("其他", "Others"),
    "p.yes": ("是", "yes"),
    "p.no": ("否", "no"),
    "p.none": ("无", "none"),
    "p.total": ("合计", "Total"),
    "p.connected": ("已对接", "connected"),
    "p.not_connected": ("未对接", "not connected"),
    "p.unknown": ("未知", "unknown"),
    "p.idle": ("本月无交易", "No transaction this month"),
    "p.not_reported": ("未反馈申明上传表数", "Declared tables not reported"),
    "s.changes": ("## 与上月相比", "## Change from the previous month"),
    "h.measure": ("指标", "Measure"),
    "h.previous": ("上月", "Previous month"),
    "h.current": ("本月", "This month"),
    "h.change": ("变化", "Change"),
    "h.change_pct": ("变化（%）", "Change (%)"),
    "h.unit": ("单位", "Unit"),
    "h.hospital": ("医院", "Hospital"),
    "h.area": ("区", "Area"),
    "h.unit_name": ("单位", "Unit"),
    "h.bookings": ("预约量（次）", "Bookings"),
    "h.share_all": ("占全部预约（%）", "Share of all bookings (%)"),
    "h.terminals": ("投放台数（台）", "Terminals"),
    "h.money": ("挂号+缴费金额（元）", "Registration + payment money (yuan)"),
    "h.money_per_terminal": ("每台金额（元）", "Money per terminal (yuan)"),
    "h.transactions": ("挂号+缴费（次）", "Registrations + payments"),
    "h.transactions_per_terminal": ("每台交易（次）", "Transactions per terminal"),
    "h.average_payment": ("平均每笔缴费（元）", "Average payment (yuan)"),
    "h.outpatient_records": ("门急诊信息上传人次", "Outpatient records uploaded"),
    "h.money_per_outpatient": ("每门急诊人次的自助机金额（元）", "Kiosk money per outpatient record (yuan)"),
    "h.online_share": ("12320在线预约占比（%）", "12320 online share of bookings (%)"),
    # 01 channel shares
    "s.channels.title": ("# 预约挂号渠道构成", "# Bookings by channel"),
    "s.channels.intro": (
        "统一预约挂号平台的预约量按渠道（12320在线预约、电话预约、诊间预约、第三方）分解：全部医院合计、"
        "各医院的渠道构成、预约向大医院集中的程度、各客户端和网站的份额、12320卫生热线承担的电话预约，"
        "以及医院的在线预约比例与自助机使用的关系。医院按登记表中的标准名称显示。",
        "The city booking platform's bookings by channel (12320 online, phone, in-clinic, third party): all "
        "hospitals, each hospital's mix, how concentrated bookings are, the apps' and websites' shares, the "
        "phone bookings the 12320 hotline carries, and how a hospital's online share relates to its kiosk use. "
        "Hospitals are shown under their names in the reviewed registry.",
    ),
    "s.channels.overall": ("## 全部预约的渠道构成", "## All bookings by channel"),
    "s.channels.hospitals": (
        "## 各医院的渠道构成\n\n医院按预约量从多到少排列；预约量不足全部 1% 的医院合并为“其他”。",
        "## Channel mix by hospital\n\nHospitals by bookings, largest first; hospitals with less than 1% of "
        "all bookings are added up as “Others”.",
    ),
    "s.channels.concentration": ("## 预约集中度", "## Concentration of bookings"),
    "s.channels.apps": (
        "## 客户端、微信和网站预约\n\n此表不含12320电话预约、医院诊间预约和医院自有途径预约。",
        "## Bookings through apps, WeChat and websites\n\nThis table leaves out 12320 phone bookings, "
        "in-clinic bookings and hospitals' own channels.",
    ),
    "s.channels.hotline": ("## 12320卫生热线", "## The 12320 health hotline"),
    "s.channels.online_kiosk": (
        "## 在线预约与自助机使用\n\n只列出预约表和自助终端表中都有、且有自助终端的医院（按登记表编号对应）。",
        "## Online booking and kiosk use\n\nOnly hospitals in both the booking and the kiosk table (matched by "
        "registry id) and with at least one kiosk.",
    ),
    "c.channel_totals": ("{month} 各渠道预约量", "Bookings by channel, {month}"),
    "c.channel_mix": ("{month} 各医院预约渠道构成", "Booking channels by hospital, {month}"),
    "c.top10": ("{month} 预约量前 10 家医院占全部预约的比例", "Top 10 hospitals' share of all bookings, {month}"),
    "c.apps": ("{month} 各途径预约量", "Bookings by app or website, {month}"),
    "c.hotline": ("{month} 12320卫生热线受理电话构成", "Calls to the 12320 health hotline, {month}"),
    "c.online_vs_kiosk": (
        "{month} 各医院12320在线预约占比与每台自助机金额（标注金额最高的 15 家）",
        "12320 online share of bookings against kiosk money per terminal, {month} (the 15 highest named)",
    ),
    "x.bookings": ("预约量（次）", "Bookings"),
    "y.channel": ("预约渠道", "Channel"),
    "x.share_of_hospital": ("占该医院预约量的比例（%）", "Share of the hospital's bookings (%)"),
    "y.hospital_ranked": ("医院（按预约量排序）", "Hospital (by bookings)"),
    "x.share_all": ("占全部预约的比例（%）", "Share of all bookings (%)"),
    "y.hospital": ("医院", "Hospital"),
    "y.app": ("预约途径", "App or website"),
    "x.calls": ("电话量（个）", "Calls"),
    "y.category": ("类别", "Category"),
    "x.online_share": ("12320在线预约占该医院预约量的比例（%）", "12320 online share of the hospital's bookings (%)"),
    "y.money_per_terminal": ("每台自助机挂号+缴费金额（元/台）", "Kiosk money per terminal (yuan per terminal)"),
    "y.transactions_per_terminal": (
        "每台自助机挂号+缴费（次/台）",
        "Kiosk transactions per terminal (per terminal)",
    ),
    "h.channel": ("预约渠道", "Channel"),
    "h.hospitals": ("医院数", "Hospitals"),
    "h.top_n": ("预约量最大的前 N 家", "Largest N hospitals"),
    "h.app": ("预约途径", "App or website"),
    "h.app_share": ("占这些途径预约（%）", "Share of these bookings (%)"),
    "h.category": ("类别", "Category"),
    "h.count": ("数量", "Count"),
    "h.call_share": ("占受理电话（%）", "Share of calls (%)"),
    # 02 kiosks
    "s.kiosks.title": ("# 自助智能医疗服务终端：每台终端的金额", "# Self-service kiosks: money per terminal"),
    "s.kiosks.intro": (
        "各医院和各区自助终端的挂号与缴费：金额（挂号金额 + 缴费金额）、每台终端的金额和交易笔数、平均每笔缴费、"
        "本月没有任何交易的终端，以及每门急诊人次对应的自助机金额。金额精确到分；医院按登记表中的标准名称显示。",
        "Registrations and payments at the kiosks of each hospital and area: money (registration plus "
        "payment), money and transactions per terminal, the average payment, the terminals with no "
        "transaction this month, and kiosk money per outpatient record. Money is exact to the fen; hospitals "
        "are shown under their names in the reviewed registry.",
    ),
    "s.kiosks.sections": ("## 医疗单位与各区", "## Hospitals and districts"),
    "s.kiosks.idle": ("## 本月没有任何交易的终端", "## Terminals with no transaction this month"),
    "s.kiosks.per_terminal": (
        "## 每台终端的金额\n\n没有投放终端的单位不列出。",
        "## Money per terminal\n\nUnits with no terminal are left out.",
    ),
    "s.kiosks.scatter": ("## 终端台数与金额", "## Terminals and money"),
    "s.kiosks.per_outpatient": (
        "## 每门急诊人次的自助机金额\n\n只列出自助终端表和数据上传表中都有的医院（按登记表编号对应）。",
        "## Kiosk money per outpatient record\n\nOnly hospitals in both the kiosk and the data-upload table "
        "(matched by registry id).",
    ),
    "s.kiosks.online": (
        "## 在线预约与自助机使用",
        "## Online booking and kiosk use",
    ),
    "s.kiosks.detail": ("## 各单位明细", "## Every unit"),
    "c.money_per_terminal": (
        "{month} 每台自助终端的挂号与缴费金额",
        "Registration and payment money per kiosk terminal, {month}",
    ),
    "c.transactions_per_terminal": ("{month} 每台自助终端的交易笔数", "Transactions per kiosk terminal, {month}"),
    "c.terminals_money": (
        "{month} 终端台数与挂号缴费金额（标注金额最多的 12 个单位）",
        "Terminals and money taken, {month} (the 12 units taking most are named)",
    ),
    "c.money_per_outpatient": (
        "{month} 各医院每门急诊人次的自助机金额",
        "Kiosk money per outpatient record by hospital, {month}",
    ),
    "c.online_vs_transactions": (
        "{month} 各医院12320在线预约占比与每台自助机交易笔数（标注笔数最多的 15 家）",
        "12320 online share of bookings against kiosk transactions per terminal, {month} (the 15 highest named)",
    ),
    "x.money_per_terminal": ("每台金额（元）", "Money per terminal (yuan)"),
    "y.unit": ("医院或区", "Hospital or area"),
    "x.transactions_per_terminal": ("每台挂号+缴费（次）", "Registrations + payments per terminal"),
    "x.terminals": ("投放台数（台）", "Terminals"),
    "y.money": ("挂号+缴费金额（元）", "Registration + payment money (yuan)"),
    "x.money_per_outpatient": ("每门急诊人次的自助机金额（元）", "Kiosk money per outpatient record (yuan)"),
    "p.section": ("类别", "Section"),
    "h.section": ("类别", "Section"),
    "h.units": ("单位数", "Units"),
    "h.idle_terminals": ("无交易单位的台数（台）", "Terminals in units with no transaction"),
    "h.idle_share": ("无交易台数占比（%）", "Share of terminals idle (%)"),
    "h.idle": ("本月无交易", "No transaction this month"),
    # 03 coverage
    "s.coverage.title": (
        "# 区域覆盖：远程医疗、数据上传与健康档案",
        "# Regional coverage: remote medicine, data uploads and health records",
    ),
    "s.coverage.intro": (
        "12 个区（11 个行政区和江北新区）与各远程医疗平台的对接情况；各区、各医院向市卫生信息平台上传数据的完整程度；"
        "各区每千份基本健康档案中的高血压、糖尿病档案数；以及月报给出的都市圈和累计数据。",
        "Which of the 12 areas (11 districts and the Jiangbei New Area) each remote-medicine platform "
        "reaches; how completely areas and hospitals upload data to the city platform; hypertension and "
        "diabetes records per 1,000 basic health records by area; and the metropolitan-area and running "
        "totals the bulletin prints.",
    ),
    "s.coverage.platforms": ("## 远程医疗平台覆盖", "## Remote-medicine platform coverage"),
    "s.coverage.districts": ("## 各区数据上传完整度", "## Data-upload completeness by area"),
    "s.coverage.hospitals": (
        "## 各医院数据上传完整度\n\n“未反馈”表示医院没有报告申明上传表数，不是 0，其完成率无法计算（显示为“—”）。",
        "## Data-upload completeness by hospital\n\n“Not reported” means the hospital did not report how "
        "many tables it declared; it is not 0, and its completeness cannot be computed (shown as “—”).",
    ),
    "s.coverage.records": (
        "## 健康档案：每千份基本档案中的高血压、糖尿病档案",
        "## Health records: hypertension and diabetes records per 1,000 basic records",
    ),
    "s.coverage.facts": ("## 远程医疗业务量与累计数据", "## Remote-medicine volumes and running totals"),
    "c.coverage": ("{month} 各区与远程医疗平台的对接情况", "Areas connected to each remote-medicine platform, {month}"),
    "c.district_uploads": ("{month} 各区数据上传完整度", "Data-upload completeness by area, {month}"),
    "c.hospital_uploads": (
        "{month} 各医院已上传表占规定上传表的比例",
        "Uploaded tables as a share of required tables by hospital, {month}",
    ),
    "c.records": (
        "{month} 各区每千份基本健康档案中的高血压与糖尿病档案",
        "Hypertension and diabetes records per 1,000 basic health records by area, {month}",
    ),
    "x.platform": ("远程医疗平台", "Remote-medicine platform"),
    "y.area": ("区", "Area"),
    "x.upload_measure": ("指标（%）", "Measure (%)"),
    "p.completeness": ("完成比例（%）", "Completeness (%)"),
    "m.declared_of_required": ("申明/规定", "Declared / required"),
    "m.uploaded_of_required": ("已上传/规定", "Uploaded / required"),
    "m.uploaded_of_declared": ("已上传/申明", "Uploaded / declared"),
    "m.upload_days_share": ("上传天数/当月天数", "Upload days / days in month"),
    "x.uploaded_of_required": ("已上传/规定上传（%）", "Uploaded / required tables (%)"),
    "x.hypertension": ("高血压档案（份/千份基本档案）", "Hypertension records (per 1,000 basic records)"),
    "y.diabetes": ("糖尿病档案（份/千份基本档案）", "Diabetes records (per 1,000 basic records)"),
    "h.platform": ("平台", "Platform"),
    "h.institutions_connected": ("累计接入医疗机构（家）", "Institutions connected to date"),
    "h.areas_covered": ("覆盖区数（个）", "Areas covered"),
    "h.areas_not_reached": ("未对接的区", "Areas not connected"),
    "h.status": ("状态", "Status"),
    "h.declared_tables": ("申明上传表（张）", "Declared tables"),
    "h.required_tables": ("规定上传表（张）", "Required tables"),
    "h.uploaded_tables": ("已上传表（张）", "Uploaded tables"),
    "h.uploaded_of_declared": ("已上传/申明（%）", "Uploaded / declared (%)"),
    "h.uploaded_of_required": ("已上传/规定（%）", "Uploaded / required (%)"),
    "h.upload_days": ("上传天数（天）", "Upload days"),
    "h.upload_days_share": ("上传天数/当月天数（%）", "Upload days / days in month (%)"),
    "h.records_basic": ("基本信息（份）", "Basic records"),
    "h.records_hypertension": ("高血压（份）", "Hypertension records"),
    "h.records_diabetes": ("糖尿病（份）", "Diabetes records"),
    "h.hypertension_per_1000": ("高血压（份/千份）", "Hypertension (per 1,000)"),
    "h.diabetes_per_1000": ("糖尿病（份/千份）", "Diabetes (per 1,000)"),
    "h.subject": ("平台或范围", "Platform or scope"),
    "h.value": ("数量", "Value"),
    "h.period": ("期间", "Period"),
    "h.source_line": ("原文行号", "Bulletin line"),
    "p.month": ("本月", "this month"),
    "p.to_date": ("累计", "to date"),
    "p.city": ("全市", "City"),
    "p.as_of": ("累计至{as_of}", "to date ({as_of})"),
    "p.connects_cities": ("联通城市", "cities connected"),
    "p.joined": ("接入", "connected: "),
    # 04 data quality
    "s.quality.title": ("# 数据质量", "# Data quality"),
    "s.quality.intro": (
        "清洗时对月报原文的每个合计、小计和表间关系都做了核对，并把每个医院、区和渠道的名称对应到登记表。"
        "本报告列出全部核对结果（不一致的排在最前）、登记表中没有的名称、各表的缺失值，以及清洗时对原文数字做了哪些改写，"
        "供判断其他报告可信到什么程度。",
        "Cleaning checks every total, subtotal and relation between tables printed in the bulletin, and "
        "matches every hospital, area and channel name to the registry. This report lists every check "
        "(mismatches first), the names the registry does not know, the missing values in each table, and "
        "what the cleaning changed in the printed numbers, so that a reader can judge how far to trust the "
        "other reports.",
    ),
    "s.quality.summary": ("## 核对结果汇总", "## Checks at a glance"),
    "s.quality.unmatched": (
        "## 登记表中没有的名称\n\n这些行保留在表中，但没有实体编号；请在 data/reference 中补充登记或别名。",
        "## Names the registry does not know\n\nThese rows are kept in their tables without an entity id; add "
        "the entity or an alias to data/reference.",
    ),
    "s.quality.checks": (
        "## 全部核对项（不一致的在前）\n\n“部分列出”表示原文“其中”之后只列出了部分机构，不是错误；"
        "“舍入差”表示相差不超过几分钱。",
        "## Every check (mismatches first)\n\n“Partly listed” means the bulletin lists only some institutions "
        "after “of which”, not an error; “rounding” means a difference of a few fen at most.",
    ),
    "s.quality.missing": ("## 缺失值", "## Missing values"),
    "s.quality.changes": (
        "## 清洗对原文数字的改写\n\n下表以外的数字，清洗后的数值与原文（去掉首尾空格后）完全相同。",
        "## What cleaning changed in the printed numbers\n\nEvery number not in this table is exactly as "
        "printed (after trimming spaces).",
    ),
    "c.checks": ("{month} 核对结果（按状态）", "Checks by result, {month}"),
    "x.checks": ("核对项数（项）", "Checks"),
    "y.status": ("状态", "Result"),
    "h.checks": ("核对项数", "Checks"),
    "h.table": ("表", "Table"),
    "h.entity": ("对象", "Subject"),
    "h.column": ("列", "Column"),
    "h.printed": ("原文数值", "Printed"),
    "h.computed": ("计算值", "Computed"),
    "h.difference": ("差值", "Difference"),
    "h.name": ("名称（原文）", "Name as printed"),
    "h.missing": ("缺失行数", "Rows missing"),
    "h.rows": ("总行数", "Rows"),
    "h.change_kind": ("改写方式", "Change"),
    "h.numbers": ("涉及数字个数", "Numbers"),
    "h.example": ("示例（原文 → 清洗后）", "Example (printed → clean)"),
    "h.example_line": ("示例原文行号", "Example's bulletin line"),
    "h.tables": ("涉及的表", "Tables"),
    # 05 trends
    "s.trends.title": ("# 逐月变化", "# Month by month"),
    "s.trends.intro": (
        "各月的主要指标：各渠道预约量、各客户端和网站的份额、每台自助机金额、远程医疗平台覆盖的区（以及新接入的区）"
        "和各区数据上传完整度。只比较截至本报告月份的各月。",
        "Each month's headline figures: bookings by channel, the apps' and websites' shares, kiosk money per "
        "terminal, the areas each remote-medicine platform reaches (and the areas that joined) and the areas' "
        "upload completeness. Only months up to this report's month are compared.",
    ),
    "s.trends.bookings": ("## 各渠道预约量", "## Bookings by channel"),
    "s.trends.apps": ("## 客户端、微信和网站的份额", "## Shares of the apps, WeChat and websites"),
    "s.trends.kiosks": ("## 每台自助机金额", "## Kiosk money per terminal"),
    "s.trends.coverage": ("## 远程医疗平台覆盖的区", "## Areas reached by the remote-medicine platforms"),
    "s.trends.uploads": ("## 数据上传完整度", "## Upload completeness"),
    "s.trends.table": ("## 主要指标逐月一览", "## Headline figures, every month"),
    "c.trend_bookings": ("各渠道预约量（{first}—{last}）", "Bookings by channel ({first} to {last})"),
    "c.trend_apps": (
        "各途径占客户端、微信和网站预约的份额（{first}—{last}）",
        "Share of app and web bookings ({first} to {last})",
    ),
    "c.trend_kiosk": ("每台自助机挂号与缴费金额（{first}—{last}）", "Kiosk money per terminal ({first} to {last})"),
    "c.trend_coverage": (
        "各远程医疗平台对接的区数（{first}—{last}）",
        "Areas connected per platform ({first} to {last})",
    ),
    "c.trend_uploads": (
        "各区已上传表占规定上传表的比例（{first}—{last}）",
        "Uploaded tables as a share of required, by area ({first} to {last})",
    ),
    "x.month": ("月份", "Month"),
    "y.bookings": ("预约量（次）", "Bookings"),
    "y.app_share": ("占这些途径预约的比例（%）", "Share of app and web bookings (%)"),
    "y.kiosk_money_per_terminal": ("每台金额（元/台）", "Money per terminal (yuan per terminal)"),
    "y.areas_connected": ("对接的区数（个）", "Areas connected"),
    "p.uploaded_of_required_pct": ("已上传/规定（%）", "Uploaded / required (%)"),
    "h.month": ("月份", "Month"),
    "h.joined": ("新接入的区", "Areas that joined"),
    "h.left": ("不再对接的区", "Areas no longer connected"),
}


def t(key: str, lang: str = "zh", **values) -> str:
    """The words for `key` in `lang`, with `{placeholders}` filled from `values`."""
    text = pick(TEXT[key], lang)
    return text.format(**values) if values else text


def translator(lang: str = "zh"):
    """`T = translator(lang)`; `T("c.apps", month=...)` — what a notebook calls."""
    check_lang(lang)

    def T(key: str, **values) -> str:  # noqa: N802 - short on purpose: notebooks call it a lot
        return t(key, lang, **values)

    return T


def headers(columns: Mapping[str, tuple[str, str]], lang: str = "zh") -> dict[str, tuple[str, str]]:
    """{column: (header key, kind)} → {column: (header in `lang`, kind)} for `display_table`."""
    return {col: (t(key, lang), kind) for col, (key, kind) in columns.items()}

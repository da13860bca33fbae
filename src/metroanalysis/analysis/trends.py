"""Month after month: each month's headline figures and how they changed from the month
before. Pure functions over the stacked tables (`load_all_months()`), which carry a `month`
column."""

from __future__ import annotations

import pandas as pd

# measure → (Chinese label, unit, group shown together in the trends report)
HEADLINES = {
    "bookings_total": ("预约挂号总量", "次", "预约"),
    "bookings_online_12320": ("12320在线预约", "次", "预约"),
    "bookings_phone": ("电话预约", "次", "预约"),
    "bookings_in_clinic": ("诊间预约", "次", "预约"),
    "bookings_third_party": ("第三方预约", "次", "预约"),
    "app_bookings_total": ("各途径（客户端、微信、网站）预约合计", "次", "途径"),
    "hotline_calls": ("12320热线受理咨询电话", "个", "热线"),
    "kiosk_money_yuan": ("自助机挂号与缴费金额合计", "元", "自助机"),
    "kiosk_money_per_terminal_yuan": ("每台自助机金额", "元/台", "自助机"),
    "kiosk_terminals": ("自助机投放台数", "台", "自助机"),
    "areas_connected_mean": ("远程平台平均对接区数", "个区", "远程医疗"),
    "upload_tables_share": ("各区已上传表占规定上传表比例", "%", "数据上传"),
    "upload_days_mean": ("各区平均数据上传天数", "天", "数据上传"),
}


def _by_month(df: pd.DataFrame, column: str) -> pd.Series:
    return df.groupby("month")[column].sum(min_count=1)


def headline_figures(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per month × headline measure: month, measure, label_zh, unit, group, value."""
    booking, kiosk = tables["booking_by_hospital"], tables["kiosk_usage"]
    money = _by_month(kiosk, "registration_amount_yuan") + _by_month(kiosk, "payment_amount_yuan")
    coverage = tables["remote_coverage"]
    per_platform = coverage.groupby(["month", "platform"])["connected"].sum()
    district = tables["upload_by_district"]
    series = {
        "bookings_total": _by_month(booking, "subtotal"),
        "bookings_online_12320": _by_month(booking, "online_12320"),
        "bookings_phone": _by_month(booking, "phone"),
        "bookings_in_clinic": _by_month(booking, "in_clinic"),
        "bookings_third_party": _by_month(booking, "third_party"),
        "app_bookings_total": _by_month(tables["booking_by_channel"], "bookings"),
        "hotline_calls": tables["hotline_calls"].query("category == 'total'").groupby("month")["calls"].sum(),
        "kiosk_money_yuan": money,
        "kiosk_terminals": _by_month(kiosk, "terminals"),
        "kiosk_money_per_terminal_yuan": money / _by_month(kiosk, "terminals"),
        "areas_connected_mean": per_platform.groupby("month").mean(),
        "upload_tables_share": 100 * _by_month(district, "uploaded_tables") / _by_month(district, "required_tables"),
        "upload_days_mean": district.groupby("month")["upload_days"].mean(),
    }
    rows = []
    for measure, values in series.items():
        label, unit, group = HEADLINES[measure]
        for month, value in values.items():
            if pd.notna(value):
                rows.append([month, measure, label, unit, group, float(value)])
    out = pd.DataFrame(rows, columns=["month", "measure", "label_zh", "unit", "group", "value"])
    return out.astype({"month": "string", "measure": "string", "label_zh": "string", "unit": "string"})


def month_over_month(headlines: pd.DataFrame) -> pd.DataFrame:
    """Each month's figure beside the previous month's (the month before it in the data):
    change in absolute terms and in per cent; <NA> for the first month."""
    df = headlines.sort_values(["measure", "month"]).copy()
    df["previous_month"] = df.groupby("measure")["month"].shift(1)
    df["previous"] = df.groupby("measure")["value"].shift(1)
    df["change"] = df["value"] - df["previous"]
    df["change_pct"] = 100 * df["change"] / df["previous"]
    for col in ("previous", "change", "change_pct"):
        df[col] = df[col].astype("Float64")
    return df.reset_index(drop=True)


def latest_changes(headlines: pd.DataFrame, month: str) -> pd.DataFrame:
    """The month-over-month rows for `month` (empty when no earlier month exists)."""
    mom = month_over_month(headlines)
    return mom[(mom["month"] == month) & mom["previous"].notna()].reset_index(drop=True)

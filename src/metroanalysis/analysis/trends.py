"""Month after month: each month's headline figures and how they changed from the month
before. Pure functions over the stacked tables (`load_all_months()`), which carry a `month`
column."""

from __future__ import annotations

from itertools import pairwise

import pandas as pd

from metroanalysis import labels

from . import fmt_pct, ratio

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
    "checks_mismatch": ("核对不一致项数", "项", "数据质量"),
    "names_unmatched": ("登记表中没有的名称数", "个", "数据质量"),
}
# measure → (English label, unit)
HEADLINES_EN = {
    "bookings_total": ("All bookings", "bookings"),
    "bookings_online_12320": ("12320 online bookings", "bookings"),
    "bookings_phone": ("Phone bookings", "bookings"),
    "bookings_in_clinic": ("In-clinic bookings", "bookings"),
    "bookings_third_party": ("Third-party bookings", "bookings"),
    "app_bookings_total": ("Bookings through apps, WeChat and websites", "bookings"),
    "hotline_calls": ("Calls taken by the 12320 hotline", "calls"),
    "kiosk_money_yuan": ("Kiosk registration and payment money", "yuan"),
    "kiosk_money_per_terminal_yuan": ("Kiosk money per terminal", "yuan per terminal"),
    "kiosk_terminals": ("Kiosk terminals", "terminals"),
    "areas_connected_mean": ("Areas connected per remote platform (mean)", "areas"),
    "upload_tables_share": ("Uploaded tables as a share of required (areas)", "%"),
    "upload_days_mean": ("Upload days per area (mean)", "days"),
    "checks_mismatch": ("Checks that disagree", "checks"),
    "names_unmatched": ("Names not in the registry", "names"),
}
# The headline figures each report compares with the month before.
REPORT_MEASURES = {
    "channels": [
        "bookings_total",
        "bookings_online_12320",
        "bookings_phone",
        "bookings_in_clinic",
        "bookings_third_party",
        "app_bookings_total",
        "hotline_calls",
    ],
    "kiosks": ["kiosk_money_yuan", "kiosk_terminals", "kiosk_money_per_terminal_yuan"],
    "coverage": ["areas_connected_mean", "upload_tables_share", "upload_days_mean"],
    "quality": ["checks_mismatch", "names_unmatched"],
    "trends": [
        "bookings_total",
        "bookings_online_12320",
        "app_bookings_total",
        "kiosk_money_per_terminal_yuan",
        "areas_connected_mean",
        "upload_tables_share",
    ],
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
    if "quality" in tables:  # counted for every month, so a month with none reads 0
        months = sorted(booking["month"].unique())
        status = tables["quality"].groupby("month")["status"]
        for measure, value in (("checks_mismatch", "mismatch"), ("names_unmatched", "unmatched")):
            counts = status.apply(lambda s, v=value: int((s == v).sum()))
            series[measure] = counts.reindex(months, fill_value=0)
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


# ---------------------------------------------------------------------------------------------
# Month-over-month change in a report, in either language


def measure_label(measure: str, lang: str = "zh") -> str:
    return HEADLINES[measure][0] if labels.check_lang(lang) == "zh" else HEADLINES_EN[measure][0]


def measure_unit(measure: str, lang: str = "zh") -> str:
    return HEADLINES[measure][1] if labels.check_lang(lang) == "zh" else HEADLINES_EN[measure][1]


def change_table(headlines: pd.DataFrame, month: str, measures: list[str]) -> pd.DataFrame:
    """The report's headline `measures` for `month` beside the latest earlier month in the
    data: previous, value, change and change_pct (per cent; <NA> when the previous figure is
    0), in the order of `measures`. Empty when no earlier month exists."""
    rows = latest_changes(headlines, month)
    rows = rows[rows["measure"].isin(measures)].set_index("measure")
    order = [m for m in measures if m in rows.index]
    out = rows.loc[order].reset_index()
    out["change_pct"] = out["change_pct"].where(out["previous"] != 0)  # 0 → 1 has no per cent
    return out


def _value(measure: str, value, lang: str) -> str:
    """A headline figure as text: money to the fen, means and per cent to one or two decimals."""
    if pd.isna(value):
        return "—"
    unit = HEADLINES[measure][1]
    if unit in ("元", "元/台"):
        return f"{float(value):,.2f}"
    if unit == "%":
        return f"{float(value):.1f}"
    if unit in ("个区", "天"):
        return f"{float(value):,.2f}"
    return f"{float(value):,.0f}"


def _change(measure: str, change, lang: str) -> str:
    if pd.isna(change):
        return "—"
    unit = HEADLINES[measure][1]
    digits = 2 if unit in ("元", "元/台", "个区", "天") else (1 if unit == "%" else 0)
    text = labels.fmt_signed(change, digits)
    return text + (" pp" if unit == "%" and lang == "en" else (" 个百分点" if unit == "%" else ""))


def change_display(changes: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """`change_table` as text for reviewers: measure, unit, previous month, this month, change
    and change in per cent, headers in `lang`."""
    t = labels.translator(lang)
    previous = labels.month_title(changes["previous_month"].iloc[0], lang) if len(changes) else ""
    current = labels.month_title(changes["month"].iloc[0], lang) if len(changes) else ""
    out = pd.DataFrame(
        {
            t("h.measure"): [measure_label(m, lang) for m in changes["measure"]],
            t("h.unit"): [measure_unit(m, lang) for m in changes["measure"]],
            f"{previous}": [_value(m, v, lang) for m, v in zip(changes["measure"], changes["previous"], strict=True)],
            f"{current}": [_value(m, v, lang) for m, v in zip(changes["measure"], changes["value"], strict=True)],
            t("h.change"): [_change(m, v, lang) for m, v in zip(changes["measure"], changes["change"], strict=True)],
            t("h.change_pct"): [labels.fmt_signed_pct(v) for v in changes["change_pct"]],
        }
    )
    return out.set_index(t("h.measure"))


def change_sentence(changes: pd.DataFrame, month: str, lang: str = "zh", first: int = 3) -> str:
    """'与2021年4月相比，预约挂号总量增加 1,000 次（+0.2%），…；变化幅度最大的是…。' — the first
    `first` measures and the one that moved most in per cent; or, with no earlier month, that
    there is nothing to compare yet."""
    if changes.empty:
        return nothing_to_compare(month, lang)
    previous = labels.month_title(changes["previous_month"].iloc[0], lang)
    parts = [_change_phrase(r, lang) for r in changes.head(first).itertuples()]
    moved = changes.dropna(subset=["change_pct"])
    text = (
        f"与{previous}相比，" + "，".join(parts) if lang == "zh" else f"Compared with {previous}: " + "; ".join(parts)
    )
    if not moved.empty:
        top = moved.loc[moved["change_pct"].abs().idxmax()]
        if lang == "zh":
            text += f"；变化幅度最大的是{measure_label(top.measure, lang)}（{labels.fmt_signed_pct(top.change_pct)}）"
        else:
            label = measure_label(top.measure, lang)
            pct = labels.fmt_signed_pct(top.change_pct)
            text += f". The largest relative change is in {label[0].lower() + label[1:]} ({pct})"
    return text + ("。" if lang == "zh" else ".")


def _change_phrase(row, lang: str) -> str:
    label, unit = measure_label(row.measure, lang), measure_unit(row.measure, lang)
    amount = _change(row.measure, abs(row.change), lang).lstrip("+")
    pct = labels.fmt_signed_pct(row.change_pct)
    if lang == "zh":
        unit = "" if unit == "%" else f" {unit}"
        if row.change == 0:
            return f"{label}持平（{_value(row.measure, row.value, lang)}{unit}）"
        verb = "增加" if row.change > 0 else "减少"
        return f"{label}{verb} {amount}{unit}（{pct}）"
    unit = "" if unit == "%" else f" {unit}"
    if row.change == 0:
        return f"{label[0].lower() + label[1:]} unchanged at {_value(row.measure, row.value, lang)}{unit}"
    verb = "up" if row.change > 0 else "down"
    return f"{label[0].lower() + label[1:]} {verb} {amount}{unit} ({pct})"


def nothing_to_compare(month: str, lang: str = "zh") -> str:
    name = labels.month_title(month, lang)
    if lang == "en":
        return f"There is no month before {name} in the data yet, so there is nothing to compare yet."
    return f"数据中还没有{name}之前的月份，暂时没有可以比较的上月数据。"


# ---------------------------------------------------------------------------------------------
# Series over all months for the trends report


def series(headlines: pd.DataFrame, measures: list[str], lang: str = "zh") -> pd.DataFrame:
    """Months (rows) × the `measures` (columns, labelled in `lang`), for a line chart."""
    wide = headlines[headlines["measure"].isin(measures)].pivot(index="month", columns="measure", values="value")
    wide = wide.reindex(columns=[m for m in measures if m in wide.columns])
    wide.columns = [measure_label(m, lang) for m in wide.columns]
    wide.index = [labels.month_title(m, lang) for m in wide.index]
    return wide.astype(float)


def app_shares_by_month(booking_by_channel: pd.DataFrame) -> pd.DataFrame:
    """Months × apps/websites: each one's share of the month's bookings through the table (the
    table's own total, as in `channels.app_shares`); a channel absent from a month is <NA>.
    Columns in order of total bookings over all months, largest first."""
    totals = booking_by_channel.groupby("month")["bookings"].sum()
    df = booking_by_channel.assign(share=ratio(booking_by_channel["bookings"], booking_by_channel["month"].map(totals)))
    wide = df.pivot_table(index="month", columns="channel", values="share", aggfunc="sum")
    order = booking_by_channel.groupby("channel")["bookings"].sum().sort_values(ascending=False, kind="stable").index
    return wide.reindex(columns=list(order)).astype("Float64")


def areas_connected_by_platform(remote_coverage: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Months × platforms (short names in `lang`, printed order): how many areas are connected."""
    platforms = list(dict.fromkeys(remote_coverage["platform"]))
    connected = remote_coverage[remote_coverage["connected"].fillna(False).astype(bool)]
    wide = connected.groupby(["month", "platform"]).size().unstack(fill_value=0)
    months = sorted(remote_coverage["month"].unique())
    wide = wide.reindex(index=months, columns=platforms, fill_value=0).astype("Int64")
    wide.columns = [labels.category(labels.PLATFORMS, p, lang) for p in platforms]
    return wide


def coverage_changes(
    remote_coverage: pd.DataFrame, lang: str = "zh", entities: pd.DataFrame | None = None
) -> pd.DataFrame:
    """For each month after the first, each platform's areas that joined (connected now, not
    connected or not listed the month before) and that left (the reverse): month,
    previous_month, platform, platform_label, joined, left (names joined with 、 or a comma,
    areas by their registry names in `lang` when `entities` is given; empty text when none)."""
    names = {}
    if entities is not None and "entity_id" in remote_coverage:
        lookup = labels.entity_names(entities, lang)
        names = {
            a: labels.entity_label(e, a, lookup)
            for a, e in zip(remote_coverage["area"], remote_coverage["entity_id"], strict=True)
        }
    sep = "、" if lang == "zh" else ", "
    on = remote_coverage[remote_coverage["connected"].fillna(False).astype(bool)]
    sets = on.groupby(["month", "platform"])["area"].agg(set)
    months = sorted(remote_coverage["month"].unique())
    platforms = list(dict.fromkeys(remote_coverage["platform"]))
    rows = []
    for previous, month in pairwise(months):
        for p in platforms:
            before, now = sets.get((previous, p), set()), sets.get((month, p), set())
            joined = sep.join(names.get(a, a) for a in sorted(now - before))
            left = sep.join(names.get(a, a) for a in sorted(before - now))
            rows.append([month, previous, p, labels.category(labels.PLATFORMS, p, lang), joined, left])
    columns = ["month", "previous_month", "platform", "platform_label", "joined", "left"]
    return pd.DataFrame(rows, columns=columns).astype("string")


def upload_share_by_area(
    upload_by_district: pd.DataFrame, lang: str = "zh", entities: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Areas (rows, printed order of the first month) × months: uploaded tables as a share of
    required tables, in per cent; areas by their registry names in `lang` with `entities`."""
    df = upload_by_district.copy()
    df["share"] = ratio(df["uploaded_tables"], df["required_tables"]) * 100
    if entities is not None and "entity_id" in df:
        lookup = labels.entity_names(entities, lang)
        df["area"] = [labels.entity_label(e, a, lookup) for e, a in zip(df["entity_id"], df["area"], strict=True)]
    wide = df.pivot_table(index="area", columns="month", values="share", aggfunc="sum", sort=False)
    wide.columns = [labels.month_title(m, lang) for m in wide.columns]
    return wide.astype(float)


def trend_sentence(headlines: pd.DataFrame, lang: str = "zh") -> str:
    """From the first month to the last: how the main headline figures moved."""
    months = sorted(headlines["month"].unique())
    if len(months) < 2:
        return nothing_to_compare(months[0] if months else "", lang) if months else ""
    first, last = months[0], months[-1]
    wide = headlines.pivot(index="measure", columns="month", values="value")
    parts = []
    for m in REPORT_MEASURES["trends"]:
        if m not in wide.index or pd.isna(wide.loc[m, first]) or pd.isna(wide.loc[m, last]):
            continue
        a, b = wide.loc[m, first], wide.loc[m, last]
        pct = labels.fmt_signed_pct(100 * (b - a) / a) if a else "—"
        unit = measure_unit(m, lang)
        unit = "%" if unit == "%" else f" {unit}"
        if lang == "zh":
            parts.append(f"{measure_label(m, lang)}从 {_value(m, a, lang)} 到 {_value(m, b, lang)}{unit}（{pct}）")
        else:
            label = measure_label(m, lang)
            parts.append(
                f"{label[0].lower() + label[1:]} from {_value(m, a, lang)} to {_value(m, b, lang)}{unit} ({pct})"
            )
    a, b = labels.month_title(first, lang), labels.month_title(last, lang)
    if lang == "zh":
        return f"{a}至{b}（{len(months)} 个月），" + "；".join(parts) + "。"
    return f"From {a} to {b} ({len(months)} months): " + "; ".join(parts) + "."


def joined_sentence(changes: pd.DataFrame, lang: str = "zh") -> str:
    """Which areas joined (or left) which platform in which month; or that none did."""
    moved = changes[(changes["joined"] != "") | (changes["left"] != "")]
    if moved.empty:
        return labels.pick(
            (
                "各月之间没有区新接入或退出远程医疗平台。",
                "No area joined or left a remote-medicine platform from one month to the next.",
            ),
            lang,
        )
    parts = []
    for r in moved.itertuples():
        month = labels.month_title(r.month, lang)
        if lang == "zh":
            bits = ([f"{r.joined}新接入"] if r.joined else []) + ([f"{r.left}不再对接"] if r.left else [])
            parts.append(f"{month}{r.platform_label}：{'，'.join(bits)}")
        else:
            bits = ([f"{r.joined} joined"] if r.joined else []) + ([f"{r.left} left"] if r.left else [])
            parts.append(f"{month}, {r.platform_label}: {' and '.join(bits)}")
    return ("；".join(parts) + "。") if lang == "zh" else ("; ".join(parts) + ".")


def app_share_sentence(shares: pd.DataFrame, lang: str = "zh") -> str:
    """The largest app's share in the first and the last month."""
    lead = shares.columns[0]
    first, last = shares.index[0], shares.index[-1]
    a, b = shares.loc[first, lead], shares.loc[last, lead]
    fa, fb = labels.month_title(first, lang), labels.month_title(last, lang)
    if lang == "zh":
        return f"预约最多的{lead}占客户端、微信和网站预约的比例从{fa}的 {fmt_pct(a)} 变为{fb}的 {fmt_pct(b)}。"
    return f"{lead}, the largest, took {fmt_pct(a)} of app and web bookings in {fa} and {fmt_pct(b)} in {fb}."

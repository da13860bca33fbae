"""Month after month: each month's headline figures and how they changed from the month
before. Pure functions over the stacked tables (`load_all_months()` or `notebook.history`),
which carry a `month` column. No wording: names and units of the measures are vocabulary
(`MEASURES`), sentences are written in the notebooks.

A headline quotes the bulletin: where it prints a 合计, the figure is that printed total (and
`difference`, printed minus the rows' sum as in quality.csv, says by how much the rows add up
to something else); a headline made of two printed totals is their sum, computed, and says so
(`sum_of_printed`); where nothing is printed, the figure is computed from the rows (`basis`
says which). Money is added in whole fen.

Month-over-month, in a report notebook (`nb.changes` is `change_table` over `nb.history(m)`
worked out from the last two months, `recent_changes`):

    changes = nb.changes(m, trends.REPORT_MEASURES["kiosks"])
    if changes.empty:                                  # no earlier month in the data
        nb.say(_("数据中还没有{month}之前的月份，暂时没有可以比较的上月数据。", month=when))
    else:
        before = nb.month_label(changes["previous_month"].iloc[0], lang)
        shown = trends.change_rows(changes, lang)      # every figure as text, no headers
        nb.table(shown, {"label": _("指标"), "unit": _("单位"), "previous": before, "value": when,
                         "change": _("变化"), "change_pct": _("变化（%）")})
        top = trends.largest_change(changes)           # a measure key, or None
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from itertools import pairwise

import pandas as pd

from metroanalysis import i18n
from metroanalysis.analysis import labels, ratio, to_fen
from metroanalysis.analysis.totals import Total, in_units, is_money, printed_value


@dataclass(frozen=True)
class Measure:
    """A headline measure, defined once: its name and unit in each language and the decimals
    it is shown with. A share's change is in percentage points, not in its own unit."""

    zh: str
    en: str
    unit_zh: str
    unit_en: str
    digits: int = 0
    change_unit_zh: str | None = None
    change_unit_en: str | None = None

    def label(self, lang: str = "zh") -> str:
        return self.zh if labels.check_lang(lang) == "zh" else self.en

    def unit(self, lang: str = "zh") -> str:
        return self.unit_zh if labels.check_lang(lang) == "zh" else self.unit_en

    def change_unit(self, lang: str = "zh") -> str:
        zh, en = self.change_unit_zh or self.unit_zh, self.change_unit_en or self.unit_en
        return zh if labels.check_lang(lang) == "zh" else en

    @property
    def money(self) -> bool:
        """A sum of money (exact to the fen), as opposed to a ratio or a count."""
        return self.unit_en == "yuan"


def _share(zh: str, en: str) -> Measure:
    return Measure(zh, en, "%", "%", 1, "个百分点", "percentage points")


MEASURES: dict[str, Measure] = {
    "bookings_total": Measure("预约挂号总量", "All bookings", "次", "bookings"),
    "bookings_online_12320": Measure("12320在线预约", "12320 online bookings", "次", "bookings"),
    "bookings_phone": Measure("电话预约", "Phone bookings", "次", "bookings"),
    "bookings_in_clinic": Measure("诊间预约", "In-clinic bookings", "次", "bookings"),
    "bookings_third_party": Measure("第三方预约", "Third-party bookings", "次", "bookings"),
    "app_bookings_total": Measure(
        "各途径（客户端、微信、网站）预约合计", "Bookings through apps, WeChat and websites", "次", "bookings"
    ),
    "hotline_calls": Measure("12320热线受理咨询电话", "Calls taken by the 12320 hotline", "个", "calls"),
    "kiosk_money_yuan": Measure("自助机挂号与缴费金额合计", "Kiosk registration and payment money", "元", "yuan", 2),
    "kiosk_money_per_terminal_yuan": Measure(
        "每台自助机金额（按投放台数）", "Kiosk money per installed terminal", "元/台", "yuan per terminal", 0
    ),  # money per unit to the yuan, as `fmt_yuan_per` writes it: the fen of a ratio is noise
    "kiosk_terminals": Measure("自助机投放台数", "Kiosk terminals installed", "台", "terminals"),
    "areas_connected_mean": Measure(
        "远程平台平均对接区数", "Areas connected per remote platform (mean)", "个区", "areas", 2
    ),
    # Pooled: all areas' uploaded tables ÷ all areas' required tables; not the areas' median
    # (report 03 words that one as 各区…中位数), so the two never share a name.
    "upload_tables_share": _share(
        "全市合计已上传表占规定上传表比例（各区相加）", "Uploaded tables as a share of required, all areas pooled"
    ),
    "upload_days_mean": Measure("各区平均数据上传天数", "Upload days per area (mean)", "天", "days", 2),
    "checks_mismatch": Measure("核对不一致项数", "Checks that disagree", "项", "checks"),
    "names_unmatched": Measure("登记表中没有的名称数", "Names not in the registry", "个", "names"),
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
# Where a headline total is printed: measure → (table, columns added up).
PRINTED = {
    "bookings_total": ("booking_by_hospital", ["subtotal"]),
    "bookings_online_12320": ("booking_by_hospital", ["online_12320"]),
    "bookings_phone": ("booking_by_hospital", ["phone"]),
    "bookings_in_clinic": ("booking_by_hospital", ["in_clinic"]),
    "bookings_third_party": ("booking_by_hospital", ["third_party"]),
    "app_bookings_total": ("booking_by_channel", ["bookings"]),
    "kiosk_money_yuan": ("kiosk_usage", ["registration_amount_yuan", "payment_amount_yuan"]),
    "kiosk_terminals": ("kiosk_usage", ["terminals"]),
}
# Printed as a figure of its own (the hotline paragraph's 共受理), not as a 合计 of rows.
QUOTED = {"hotline_calls"}
COLUMNS = ["month", "measure", "value", "basis", "difference"]
# `basis` of a headline: the bulletin's own figure, a sum of its printed totals, or from the rows.
BASES = ("printed", "sum_of_printed", "computed")
SUM_OF_PRINTED = "sum_of_printed"


def measure_label(measure: str, lang: str = "zh") -> str:
    return MEASURES[measure].label(lang)


def measure_unit(measure: str, lang: str = "zh") -> str:
    return MEASURES[measure].unit(lang)


def _months(tables: dict[str, pd.DataFrame]) -> list[str]:
    return sorted(set().union(*(set(df["month"]) for df in tables.values() if "month" in df)))


def _printed_rows(tables, months) -> list[list]:
    """The PRINTED measures, month by month, as `column_total` gives each column's total (printed
    where the bulletin prints it, else the rows' sum) and added together; a month with neither
    rows nor a print of the table has no figure. Each table is summed by month once: filtering
    it per month and measure was half of a notebook's own time over a year of months."""
    prints, printed_tables = _first_prints(tables.get("printed_totals"))
    sums: dict[tuple[str, str], dict] = {}
    rows = []
    for measure, (table, columns) in PRINTED.items():
        if table not in tables:
            continue
        for column in columns:
            if (table, column) not in sums:
                sums[(table, column)] = _sum_by_month(tables[table], column)
        with_rows = set(tables[table]["month"].dropna())
        for month in months:
            if month not in with_rows and (month, table) not in printed_tables:
                continue
            parts = [_total(prints, sums, month, table, column) for column in columns]
            total = parts[0]
            for part in parts[1:]:
                total = total + part
            # The sum of two printed totals (kiosk money) is computed from prints, not printed.
            basis = ("printed" if len(columns) == 1 else SUM_OF_PRINTED) if total.is_printed else "computed"
            difference = total.shown(total.difference) if total.is_printed else pd.NA
            rows.append([month, measure, total.shown(), basis, difference])
    return rows


def _first_prints(printed: pd.DataFrame | None) -> tuple[dict, set]:
    """(month, table, column) → the first printed 合计's value, and the (month, table) pairs with any."""
    prints: dict[tuple, object] = {}
    if printed is None or printed.empty:
        return prints, set()
    for key in zip(printed["month"], printed["table"], printed["column"], printed["value"], strict=True):
        prints.setdefault(key[:3], key[3])
    return prints, {key[:2] for key in prints}


def _sum_by_month(df: pd.DataFrame, column: str) -> dict:
    """month → the column's sum over the month's rows, as `column_total` adds them (money in fen)."""
    values = in_units(df[column], is_money(column))
    return {month: int(v) for month, v in values.groupby(df["month"]).sum().items()}


def _total(prints: dict, sums: dict, month: str, table: str, column: str) -> Total:
    money = is_money(column)
    value = prints.get((month, table, column))
    printed = None if value is None else printed_value(value, money)
    return Total(printed, sums[(table, column)].get(month, 0), money)


def _computed(tables: dict[str, pd.DataFrame], months: list[str], printed: pd.DataFrame) -> dict[str, pd.Series]:
    """The measures that are not a printed 合计: the hotline's own figure (`QUOTED`), ratios,
    means and counts; month → value."""
    out: dict[str, pd.Series] = {}
    hotline = tables["hotline_calls"]
    out["hotline_calls"] = hotline[hotline["category"] == "total"].groupby("month")["calls"].sum(min_count=1)
    value = printed.pivot(index="month", columns="measure", values="value")
    if {"kiosk_money_yuan", "kiosk_terminals"} <= set(value.columns):  # money (in fen) ÷ installed terminals
        fen = to_fen(value["kiosk_money_yuan"])
        out["kiosk_money_per_terminal_yuan"] = ratio(fen, value["kiosk_terminals"]) / 100
    coverage = tables["remote_coverage"]
    connected = coverage.assign(on=coverage["connected"].fillna(False).astype(int))
    out["areas_connected_mean"] = connected.groupby(["month", "platform"])["on"].sum().groupby("month").mean()
    district = tables["upload_by_district"].groupby("month")
    uploaded, required = district["uploaded_tables"].sum(min_count=1), district["required_tables"].sum(min_count=1)
    out["upload_tables_share"] = 100 * ratio(uploaded, required)
    out["upload_days_mean"] = district["upload_days"].mean()
    if "quality" in tables:  # counted for every month, so a month with none reads 0
        status = tables["quality"].groupby("month")["status"]
        for measure, kind in (("checks_mismatch", "mismatch"), ("names_unmatched", "unmatched")):
            counts = status.apply(lambda s, k=kind: int((s == k).sum()))
            out[measure] = counts.reindex(months, fill_value=0)
    return out


def headline_figures(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per month × headline measure: month, measure, value (in the measure's unit:
    yuan for money), basis (`printed`: the bulletin's own total; `sum_of_printed`: printed
    totals added together, such as registration plus payment money, a figure the bulletin does
    not print; `computed`: from the rows, as a sum where nothing is printed, a ratio, a mean or
    a count) and difference (the printed 合计 minus the rows' sum, as in quality.csv; <NA> where
    no 合计 of rows is printed)."""
    # the months of the bulletin's tables (the registry's are not months of data); facts.csv
    # repeats every number of those tables, and is left unread (`notebook.history` reads lazily)
    months = _months({k: tables[k] for k in tables if k not in ("entities", "aliases", "facts")})
    printed = pd.DataFrame(_printed_rows(tables, months), columns=COLUMNS)
    rows = printed.values.tolist()
    for measure, values in _computed(tables, months, printed).items():
        basis = "printed" if measure in QUOTED else "computed"
        rows += [[month, measure, v, basis, pd.NA] for month, v in values.items() if pd.notna(v)]
    out = pd.DataFrame(rows, columns=COLUMNS)
    order = {m: i for i, m in enumerate(MEASURES)}
    out = out.sort_values(["month", "measure"], key=lambda s: s.map(order) if s.name == "measure" else s)
    return out.reset_index(drop=True).astype(
        {"month": "string", "measure": "string", "value": "Float64", "basis": "string", "difference": "Float64"}
    )


def month_over_month(headlines: pd.DataFrame) -> pd.DataFrame:
    """Each month's figure beside the previous month's (the month before it in the data):
    `change` in the measure's unit (money in whole fen, then yuan) and `change_pct` in per
    cent (<NA> for the first month, and where the previous figure is 0: 0 → 2 has no per cent)."""
    df = headlines.sort_values(["measure", "month"]).copy()
    df["previous_month"] = df.groupby("measure")["month"].shift(1)
    df["previous"] = df.groupby("measure")["value"].shift(1).astype("Float64")
    money = df["measure"].map(lambda m: MEASURES[m].money if m in MEASURES else False).astype(bool)
    change = df["value"] - df["previous"]
    in_fen = (to_fen(df["value"]) - to_fen(df["previous"])).astype("Float64") / 100
    df["change"] = in_fen.where(money, change).astype("Float64")
    df["change_pct"] = (100 * ratio(df["change"], df["previous"])).astype("Float64")
    return df.reset_index(drop=True)


def latest_changes(headlines: pd.DataFrame, month: str) -> pd.DataFrame:
    """The month-over-month rows for `month` (empty when no earlier month exists)."""
    mom = month_over_month(headlines)
    return mom[(mom["month"] == month) & mom["previous"].notna()].reset_index(drop=True)


def change_table(headlines: pd.DataFrame, month: str, measures: list[str]) -> pd.DataFrame:
    """The report's headline `measures` for `month` beside the latest earlier month in the
    data: measure, month, previous_month, previous, value, change, change_pct, basis,
    difference, in the order of `measures`. Empty when no earlier month exists."""
    rows = latest_changes(headlines, month)
    rows = rows[rows["measure"].isin(measures)].set_index("measure")
    order = [m for m in measures if m in rows.index]
    out = rows.loc[order].reset_index()
    columns = ["measure", "month", "previous_month", "previous", "value", "change", "change_pct", "basis"]
    return out[[*columns, "difference"]]


def recent_changes(
    tables_of: Callable[[list[str]], Mapping[str, pd.DataFrame]], months: list[str], month: str, measures: list[str]
) -> pd.DataFrame:
    """`change_table(headline_figures(tables_of(months)), month, measures)`, worked out from the
    fewest months: `months` are every month up to `month`, oldest first; `tables_of(window)` gives
    the tables of the months in `window`, stacked. A month's headline figures come from its own
    rows and prints alone, and a measure's previous figure is its latest in an earlier month,
    however far back: so the window starts with the last two months and doubles while a measure
    of `month` has no figure before it in the window (a table the month before did not print),
    up to every month. Over ten years of months a report reads two months' tables, not 120."""
    size = 2
    while True:
        window = months[-size:]
        headlines = headline_figures(tables_of(window))
        asked = headlines[headlines["measure"].isin(measures)]
        now = set(asked.loc[asked["month"] == month, "measure"])
        before = set(asked.loc[asked["month"] < month, "measure"])
        if now <= before or size >= len(months):
            return change_table(headlines, month, measures)
        size *= 2


def fmt_value(measure: str, value) -> str:
    """A headline figure as text with the measure's decimals: 352,429,428.50; '—' if missing."""
    return "—" if pd.isna(value) else f"{float(value):,.{MEASURES[measure].digits}f}"


def fmt_change(measure: str, change) -> str:
    """A change with its sign and the measure's decimals: +1,000 / -0.25 / 0; '—' if missing."""
    if pd.isna(change):
        return "—"
    digits = MEASURES[measure].digits
    return f"{float(change):+,.{digits}f}" if round(float(change), digits) != 0 else f"{0:.{digits}f}"


def fmt_change_pct(pct, sign_only: bool = False) -> str:
    """A change in per cent: 2.34 → '+2.3%' ('+2.3' with `sign_only`, for a column headed
    "(%)"); '—' when there is none (no earlier month, or the previous figure was 0)."""
    if pd.isna(pct):
        return "—"
    return f"{float(pct):+.1f}" + ("" if sign_only else "%")


def change_rows(changes: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """`change_table` as text, for a table whose headers the notebook writes: measure, label
    and unit (vocabulary in `lang`), previous, value, change, change_unit (a share's change is
    in percentage points), change_pct (signed, one decimal, without %: the header says "(%)"),
    basis (printed / computed) and direction (1 up, 0 unchanged, -1 down; the only column
    that is not text)."""
    m = list(changes["measure"])
    out = pd.DataFrame(
        {
            "measure": m,
            "label": [MEASURES[x].label(lang) for x in m],
            "unit": [MEASURES[x].unit(lang) for x in m],
            "previous": [fmt_value(x, v) for x, v in zip(m, changes["previous"], strict=True)],
            "value": [fmt_value(x, v) for x, v in zip(m, changes["value"], strict=True)],
            "change": [fmt_change(x, v) for x, v in zip(m, changes["change"], strict=True)],
            "change_unit": [MEASURES[x].change_unit(lang) for x in m],
            "change_pct": [fmt_change_pct(p, sign_only=True) for p in changes["change_pct"]],
            "basis": list(changes["basis"]),
        }
    ).astype("string")
    out["direction"] = pd.array(
        [0 if pd.isna(c) else int(c > 0) - int(c < 0) for c in changes["change"]], dtype="Int64"
    )
    return out


def largest_change(changes: pd.DataFrame) -> str | None:
    """The measure that moved most in per cent (the first in report order on a tie); None
    when no change has a per cent (no earlier month, or every previous figure was 0)."""
    moved = changes.dropna(subset=["change_pct"])
    if moved.empty:
        return None
    return str(moved.loc[moved["change_pct"].abs().idxmax(), "measure"])


def first_to_last(headlines: pd.DataFrame, measures: list[str]) -> pd.DataFrame:
    """Each of `measures` in the first and the last month of `headlines`: measure,
    first_month, last_month, first, last, change and change_pct (as in `month_over_month`),
    in the order of `measures`; a measure missing from either month is left out."""
    months = sorted(headlines["month"].unique())
    if len(months) < 2:
        return pd.DataFrame(columns=["measure", "first_month", "last_month", "first", "last", "change", "change_pct"])
    ends = headlines[headlines["month"].isin([months[0], months[-1]])]
    pair = month_over_month(ends)
    pair = pair[(pair["month"] == months[-1]) & pair["previous"].notna() & pair["measure"].isin(measures)]
    pair = pair.set_index("measure").reindex([m for m in measures if m in set(pair["measure"])]).reset_index()
    out = pair.rename(columns={"previous_month": "first_month", "month": "last_month", "previous": "first"})
    out = out.rename(columns={"value": "last"})
    return out[["measure", "first_month", "last_month", "first", "last", "change", "change_pct"]].reset_index(drop=True)


def headline_rows(headlines: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Every headline measure (rows, in the order of `MEASURES`) × month, as text for a table
    whose headers the notebook writes: measure, label and unit (in `lang`), basis (of the
    latest month: printed / computed), then one column per month ('2021-04', …) holding the
    figure with the measure's decimals ('—' where the month has none)."""
    months = sorted(headlines["month"].unique())
    wide = headlines.pivot(index="measure", columns="month", values="value")
    basis = headlines.sort_values("month").groupby("measure")["basis"].last()
    measures = [m for m in MEASURES if m in wide.index]
    out = pd.DataFrame(
        {
            "measure": measures,
            "label": [MEASURES[m].label(lang) for m in measures],
            "unit": [MEASURES[m].unit(lang) for m in measures],
            "basis": [basis[m] for m in measures],
        }
    )
    for month in months:
        out[month] = [fmt_value(m, wide.loc[m, month]) for m in measures]
    return out.astype("string")


def printed_differences(headlines: pd.DataFrame, months: list[str] | None = None) -> pd.DataFrame:
    """The headline figures that quote a printed 合计 from which the rows differ: month,
    measure, value (the printed total, or the sum of printed totals: `basis`) and difference
    (print minus rows, as quality.csv), in month order; of `months` only, when given."""
    differs = headlines[headlines["difference"].fillna(0) != 0]  # no difference worked out: none to note
    if months is not None:
        differs = differs[differs["month"].isin(months)]
    return (
        differs[["month", "measure", "value", "basis", "difference"]]
        .sort_values(["month"], kind="stable")
        .reset_index(drop=True)
    )


# ---------------------------------------------------------------------------------------------
# Series over all months for the trends report


def series(headlines: pd.DataFrame, measures: list[str], lang: str = "zh") -> pd.DataFrame:
    """Months (rows, labelled in `lang`) × the `measures` (columns, named in `lang`), for a
    line chart."""
    wide = headlines[headlines["measure"].isin(measures)].pivot(index="month", columns="measure", values="value")
    wide = wide.reindex(columns=[m for m in measures if m in wide.columns])
    wide.columns = [measure_label(m, lang) for m in wide.columns]
    wide.index = [i18n.month_label(m, lang) for m in wide.index]
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
    """Months × platforms (named in `lang`, printed order): how many areas are connected."""
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
    """For each month after the first and each platform, the areas that joined (connected now,
    not connected or not listed the month before) and that left (the reverse): month,
    previous_month, platform, platform_label (in `lang`), joined, left (lists of area names,
    registry names in `lang` when `entities` is given; empty lists when none)."""
    names = {}
    if entities is not None and "entity_id" in remote_coverage:
        lookup = labels.entity_names(entities, lang)
        names = {
            a: labels.entity_label(e, a, lookup)
            for a, e in zip(remote_coverage["area"], remote_coverage["entity_id"], strict=True)
        }
    on = remote_coverage[remote_coverage["connected"].fillna(False).astype(bool)]
    sets = on.groupby(["month", "platform"])["area"].agg(set)
    months = sorted(remote_coverage["month"].unique())
    platforms = list(dict.fromkeys(remote_coverage["platform"]))
    rows = []
    for previous, month in pairwise(months):
        for p in platforms:
            before, now = sets.get((previous, p), set()), sets.get((month, p), set())
            joined = [names.get(a, a) for a in sorted(now - before)]
            left = [names.get(a, a) for a in sorted(before - now)]
            rows.append([month, previous, p, labels.category(labels.PLATFORMS, p, lang), joined, left])
    columns = ["month", "previous_month", "platform", "platform_label", "joined", "left"]
    out = pd.DataFrame(rows, columns=columns)
    return out.astype({c: "string" for c in columns[:4]})


# A heatmap or table with a cell per month shows the latest year of months: over years of months
# a cell per month would be too narrow to read, and a table too wide. (A line chart shows every month.)
LATEST_MONTHS = 12


def latest_columns(wide: pd.DataFrame, months: int = LATEST_MONTHS) -> pd.DataFrame:
    """The last `months` columns (months, in order) of an areas × months table; all when fewer."""
    return wide.iloc[:, -months:]


def latest_months(months: list[str], count: int = LATEST_MONTHS) -> list[str]:
    """The last `count` of `months` (in order); all when fewer."""
    return list(months[-count:])


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
    wide.columns = [i18n.month_label(m, lang) for m in wide.columns]
    return wide.astype(float)

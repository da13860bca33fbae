"""What a page per hospital and per area shows, across every month: the rows of each of its
tables (printed cells with their lines), its sections and rankings, and the index of them all."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from metroanalysis import i18n
from metroanalysis.publish.data import DATA
from metroanalysis.publish.entity_charts import Chart, ChartCache

if TYPE_CHECKING:  # pandas is imported where the pages are built: deciding that nothing changed stays fast
    import pandas as pd

KINDS = {"hospital": "hospital", "hospital_campus": "hospital", "district": "area", "new_area": "area"}
SAFE_ID = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass(frozen=True)
class Spec:
    """What an entity's page shows of one table: its name column, the columns, the charts (each
    a group of columns in one unit), and a column that splits a month's rows (platform)."""

    table: str
    name: str
    columns: tuple[str, ...]
    charts: tuple[tuple[str, ...], ...] = ()
    key: str | None = None


UPLOAD = ("declared_tables", "required_tables", "uploaded_tables", "upload_volume", "upload_days")
RECORDS = ("outpatient_records", "discharge_records")
HEALTH_RECORDS = ("health_records_basic", "health_records_hypertension", "health_records_diabetes")
CHANNELS = ("online_12320", "phone", "in_clinic", "third_party", "subtotal")
KIOSK = ("terminals", "registrations", "registration_amount_yuan", "payments", "payment_amount_yuan")
KIOSK_CHARTS = (("registrations", "payments"), ("registration_amount_yuan", "payment_amount_yuan"))
SECTIONS = (
    Spec("booking_by_hospital", "hospital", CHANNELS, (CHANNELS,)),
    Spec("kiosk_usage", "unit", KIOSK, KIOSK_CHARTS),
    Spec("upload_by_hospital", "hospital", (*UPLOAD, *RECORDS), (("upload_volume",), RECORDS)),
    Spec(
        "upload_by_district",
        "area",
        (*UPLOAD, *RECORDS, *HEALTH_RECORDS),
        (("upload_volume",), RECORDS, HEALTH_RECORDS),
    ),
    Spec("remote_top_uploaders", "uploader", ("platform", "rank", "records"), key="platform"),
    Spec("remote_coverage", "area", ("platform", "connected"), key="platform"),
)
# The orders of the index: (anchor, kind, table, column) — the latest month's value, largest first.
RANKINGS = (
    ("bookings", "hospital", "booking_by_hospital", "subtotal"),
    ("kiosk", "hospital", "kiosk_usage", "payment_amount_yuan"),
    ("uploads", "hospital", "upload_by_hospital", "upload_volume"),
    ("area-uploads", "area", "upload_by_district", "upload_volume"),
)


# ---------------------------------------------------------------------------------------------
# What a page holds


@dataclass
class Cell:
    text: str
    number: bool = False
    not_reported: bool = False  # printed 未反馈: missing, not zero
    connected: bool | None = None  # a coverage flag


@dataclass
class Row:
    month: str
    label: str  # the month as the page's language writes it
    href: str | None  # the month's reports
    data: str  # the CSV of that month
    cells: list[Cell]
    line: int | None  # the bulletin's line


@dataclass
class Section:
    table: str
    title: str
    file: str
    headers: list[str]
    columns: list[str]
    rows: list[Row]
    charts: list[Chart] = field(default_factory=list)


@dataclass
class Entity:
    entity_id: str
    name: str
    name_zh: str
    group: str  # hospital | area
    kind: str
    district: str
    district_name: str = ""  # the district in the page's language (the registry's name of that area)
    printed: list[tuple[str, list[str], list[str]]] = field(default_factory=list)  # name, tables, months
    aliases: list[dict] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    months: list[str] = field(default_factory=list)
    shown_months: list[str] = field(default_factory=list)  # the months whose rows this page shows
    years: list[str] = field(default_factory=list)  # the year pages it links to (when it shows only recent months)


def collect(
    tables: dict[str, pd.DataFrame], out_root: Path, lang: str, charts: ChartCache, shown: set[str] | None = None
) -> list[Entity]:
    """Every hospital and area that some table names, with its sections: the rows of the months
    in `shown` (None: every month), the charts and the list of months over every month."""
    import pandas as pd

    registry = latest(tables["entities"])
    aliases = latest(tables["aliases"])
    months = sorted(set(tables["quality"]["month"].dropna()))  # every cleaned month has its checks
    found = []
    area_names = {
        str(a.name_zh): str(a.name_en)
        if lang == "en" and pd.notna(a.name_en) and str(a.name_en).strip()
        else str(a.name_zh)
        for a in registry.itertuples(index=False)
        if KINDS.get(a.kind) == "area"
    }
    for r in registry.itertuples(index=False):
        group = KINDS.get(r.kind)
        if group is None or not SAFE_ID.match(str(r.entity_id)):
            continue
        sections = [
            s for spec in SECTIONS if (s := section(spec, tables, r.entity_id, months, out_root, lang, charts, shown))
        ]
        if not sections:
            continue
        name = r.name_en if lang == "en" and pd.notna(r.name_en) and str(r.name_en).strip() else r.name_zh
        e = Entity(str(r.entity_id), str(name), str(r.name_zh), group, str(r.kind), text(r.district))
        e.district_name = area_names.get(e.district, e.district)
        e.sections = sections
        e.months = sorted({r2["month"] for spec in SECTIONS for r2 in records_of(tables[spec.table], r.entity_id)})
        e.shown_months = [m for m in e.months if shown is None or m in shown]
        e.printed = printed_names(tables, r.entity_id, lang)
        e.aliases = [
            {k: text(v) for k, v in a._asdict().items()}
            for a in aliases[aliases["entity_id"] == r.entity_id].itertuples(index=False)
        ]
        found.append(e)
    return found


def latest(df: pd.DataFrame) -> pd.DataFrame:
    """The registry as the newest month used it."""
    if df.empty:
        return df
    return df[df["month"] == df["month"].max()].reset_index(drop=True)


def text(value) -> str:
    import pandas as pd

    return "" if pd.isna(value) else str(value)


def section(
    spec: Spec, tables, entity_id, months, out_root: Path, lang: str, charts: ChartCache, shown: set[str] | None = None
) -> Section | None:
    """The entity's rows of one table in the months `shown` (None: all), charts over every month."""
    every = records_of(tables[spec.table], entity_id)  # in order: month, platform (if any), line
    rows = every if shown is None else [r for r in every if r["month"] in shown]
    if not every:
        return None
    from metroanalysis.clean import schema
    from metroanalysis.publish.data import table_title

    fields = {f.name: f for f in schema.fields(spec.table)}
    title_zh, title_en = table_title(spec.table)
    if spec.table == "remote_coverage":
        return coverage_section(rows, title_zh if lang == "zh" else title_en, out_root, lang)
    headers = [field_title(fields[c], lang) for c in spec.columns]
    shown = []
    for r in rows:
        cells = [cell(spec.table, c, r, fields[c].dtype, lang) for c in spec.columns]
        shown.append(row(r["month"], cells, r.get("source_line"), spec.table, out_root, lang))
    out = Section(
        spec.table, title_zh if lang == "zh" else title_en, f"{spec.table}.csv", headers, list(spec.columns), shown
    )
    if len({r["month"] for r in every}) >= 2:
        for group in spec.charts:
            series = {c: monthly_sums(every, c, months) for c in group}  # a month without a row: None, never 0
            if sum(1 for m in range(len(months)) if any(v[m] is not None for v in series.values())) >= 2:
                out.charts.append(charts.chart(months, series, [field_title(fields[c], lang) for c in group], lang))
    return out


def monthly_sums(rows: list[dict], column: str, months: list[str]) -> list[float | None]:
    """The column summed within each month (None for a month with no value: missing, not 0)."""
    import pandas as pd

    sums: dict[str, float] = {}
    for r in rows:
        value = r[column]
        if not pd.isna(value):
            sums[r["month"]] = sums.get(r["month"], 0) + value
    return [float(sums[m]) if m in sums else None for m in months]


def coverage_section(rows: list[dict], title: str, out_root: Path, lang: str) -> Section:
    """An area × the platforms, month by month: ✓ connected, ✗ not."""
    import pandas as pd

    from metroanalysis.analysis.labels import PLATFORMS, category

    platforms = list(dict.fromkeys(r["platform"] for r in rows))
    by_month: dict[str, list[dict]] = {}
    for r in rows:
        by_month.setdefault(r["month"], []).append(r)
    shown = []
    for month in sorted(by_month):
        part = by_month[month]
        by = {r["platform"]: r["connected"] for r in part}
        cells = [
            Cell(
                "—" if pd.isna(by.get(p)) else ("✓" if by[p] else "✗"),
                connected=None if pd.isna(by.get(p)) else bool(by[p]),
            )
            for p in platforms
        ]
        # a Word bulletin has no lines: the row then names no line
        lines = [r["source_line"] for r in part if not pd.isna(r["source_line"])]
        shown.append(row(month, cells, min(lines) if lines else None, "remote_coverage", out_root, lang))
    headers = [category(PLATFORMS, p, lang) for p in platforms]
    return Section("remote_coverage", title, "remote_coverage.csv", headers, ["platform", "connected"], shown)


def field_title(f, lang: str) -> str:
    return (f.label_en or f.label) if lang == "en" else f.label


def row(month: str, cells: list[Cell], line, table: str, out_root: Path, lang: str) -> Row:
    import pandas as pd

    up = "../" if lang == i18n.SOURCE else "../../"
    href = (
        f"{up}{month}/{'' if lang == i18n.SOURCE else lang + '/'}index.html"
        if has_reports(out_root, month, lang)
        else None
    )
    line = None if line is None or pd.isna(line) else int(line)
    return Row(month, i18n.month_label(month, lang), href, f"{up}{month}/{DATA}/{table}.csv", cells, line)


@functools.lru_cache(maxsize=4096)
def has_reports(out_root: Path, month: str, lang: str) -> bool:
    """The month has an index page in `lang` to link back to (asked once per month, not per row;
    `write_entity_pages` forgets the answers at the start of each build)."""
    return (out_root / month / ("" if lang == i18n.SOURCE else lang) / "index.html").is_file()


def cell(table: str, column: str, r: dict, dtype: str, lang: str) -> Cell:
    import pandas as pd

    from metroanalysis.analysis.labels import PLATFORMS, category

    value = r[column]
    if column == "platform":
        return Cell(category(PLATFORMS, value, lang))
    if pd.isna(value):
        flag = r.get("declared_reported") if column == "declared_tables" else None
        return Cell("—", not_reported=flag is not None and pd.notna(flag) and not bool(flag))
    if dtype == "Int64":
        return Cell(f"{int(value):,}", number=True)
    if dtype == "Float64":
        return Cell(f"{float(value):,.2f}", number=True)
    if dtype == "boolean":
        return Cell("✓" if value else "✗")
    return Cell(str(value))


def printed_names(tables, entity_id, lang: str) -> list[tuple[str, list[str], list[str]]]:
    """Every name the bulletins printed for the entity: the tables and months it was printed in."""
    from metroanalysis.publish.data import table_title

    seen: dict[str, tuple[set, set]] = {}
    for spec in SECTIONS:
        for name, month in ((r[spec.name], r["month"]) for r in records_of(tables[spec.table], entity_id)):
            tabs, months = seen.setdefault(str(name), (set(), set()))
            tabs.add(table_title(spec.table)[0 if lang == "zh" else 1])
            months.add(i18n.month_label(month, lang))
    return [(n, sorted(t), sorted(m)) for n, (t, m) in sorted(seen.items())]


# ---------------------------------------------------------------------------------------------
# The index


class ByEntity:
    """A table and its rows by entity_id as plain records, grouped and put in page order (month,
    platform, line) once for every entity and language: per-entity filtering and sorting in pandas
    cost milliseconds a section, and the sections grow with the months."""

    def __init__(self, df: pd.DataFrame, key: str | None = None):
        self.df = df
        self.parts: dict[str, list[dict]] = {}
        if len(df):
            ordered = df.sort_values(["month", *([key] if key else []), "source_line"], kind="stable")
            for r in ordered.to_dict("records"):
                self.parts.setdefault(r["entity_id"], []).append(r)

    def rows(self, entity_id) -> list[dict]:
        return self.parts.get(entity_id, [])


def records_of(table, entity_id) -> list[dict]:
    """The rows of `table` (a DataFrame or `ByEntity`) about `entity_id`, in page order."""
    if not isinstance(table, ByEntity):
        table = ByEntity(table[table["entity_id"] == entity_id])
    return table.rows(entity_id)


def frame(table) -> pd.DataFrame:
    return table.df if isinstance(table, ByEntity) else table


def index_values(entities: list[Entity], tables, lang: str) -> dict:
    """The lists of the index: each ranking by the latest month's value, then by id, areas apart."""
    import pandas as pd

    from metroanalysis.clean import schema
    from metroanalysis.publish.data import table_title

    by_id = {e.entity_id: e for e in entities}
    lists = []
    for anchor, group, table, column in RANKINGS:
        df = frame(tables[table])
        if df.empty:
            continue
        month = df["month"].max()
        now = df[(df["month"] == month) & df["entity_id"].isin(by_id)]
        values = now.groupby("entity_id")[column].sum(min_count=1)
        members = [e for e in entities if e.group == group]
        members.sort(key=lambda e: (pd.isna(values.get(e.entity_id)), -(values.get(e.entity_id) or 0), e.entity_id))
        f = next(f for f in schema.fields(table) if f.name == column)
        shown = [(e, number_text(values.get(e.entity_id), f.dtype)) for e in members]
        title = table_title(table)[0 if lang == "zh" else 1]
        lists.append(
            {
                "anchor": anchor,
                "group": group,
                "table": title,
                "column": field_title(f, lang),
                "month": i18n.month_label(month, lang),
                "entries": shown,
            }
        )
    return {
        "lists": lists,
        "hospitals": [e for e in entities if e.group == "hospital"],
        "areas": [e for e in entities if e.group == "area"],
        "months": sorted({m for e in entities for m in e.months}),
    }


def number_text(value, dtype: str) -> str:
    import pandas as pd

    if value is None or pd.isna(value):
        return "—"
    return f"{float(value):,.2f}" if dtype == "Float64" else f"{int(value):,}"

"""A page per hospital and per area across every month: reports/entities/.

`reports/entities/<entity_id>.html` shows one entity's figures from every table that names it,
month by month (bookings by channel, kiosk use, uploads; for an area also the remote-medicine
platforms that cover it), a small chart per series once there are two months, the names the
bulletins printed for it and the registry's aliases, and links back to each month's reports and
to the CSV each row comes from. `reports/entities/index.html` lists them in several orders
(by latest bookings, kiosk money, upload volume, by id; areas apart), so sorting needs no script.
English pages are in reports/entities/en/.

Built from data/processed/all/ (every month stacked), and only when that, this code or its
templates changed (`.build.json` in the folder holds the digest). Charts carry no words (their
titles and legends are HTML around them), so one drawing serves both languages.

Where to change what:
- which tables, columns and charts an entity's page shows: `SECTIONS`;
- which registry kinds get a page: `KINDS`; the orders of the index: `RANKINGS`;
- the pages: `templates/entity.html.j2`, `templates/entities.html.j2` (words in Chinese there,
  English in `templates/en.yml`), their look: `templates/site.css`.
"""

from __future__ import annotations

import base64
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import build, i18n, site
from .publish import DATA

if TYPE_CHECKING:  # pandas is imported where the pages are built: deciding that nothing changed stays fast
    import pandas as pd

FOLDER = "entities"
RECORD = ".build.json"
KINDS = {"hospital": "hospital", "hospital_campus": "hospital", "district": "area", "new_area": "area"}
SAFE_ID = re.compile(r"^[A-Za-z0-9_-]+$")
TEMPLATES = ("entity.html.j2", "entities.html.j2", "page.html.j2", "csp.html.j2", "base.css", "site.css", "en.yml")
CHART_SIZE = (3.4, 1.5)  # inches, shown at 96 px per inch
CHART_DPI = 150  # drawn denser, sharp on a high-DPI screen
PALETTE = ("#0b57d0", "#e8710a", "#188038", "#a142f4", "#d93025", "#12b5cb", "#5f6368")


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
class Chart:
    caption: str
    png: str  # base64
    width: int
    lines: list[tuple[str, str]]  # (series, colour)


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


# ---------------------------------------------------------------------------------------------
# Building


def write_entity_pages(
    processed_all: Path, out_root: Path, langs=(i18n.SOURCE,), force: bool = False, root: Path | None = None
) -> bool:
    """reports/entities/ from data/processed/all/, unless it was built from the same data, code
    and report months already; True if (re)built."""
    processed_all, out_root = Path(processed_all), Path(out_root)
    if not (processed_all / "datapackage.json").is_file():
        return False
    folder = out_root / FOLDER
    langs = built_languages(folder, langs)
    key = page_key(processed_all, out_root, langs)
    if not force and build.read_json(folder / RECORD).get("key") == key:
        return False
    from .pipeline import read_month_folder

    tables = read_month_folder("all", processed_all, stacked=True).tables
    # each table's rows of each entity, found once for every entity and language (a filter per
    # entity and table grows with entities × months)
    tables = {**tables, **{spec.table: ByEntity(tables[spec.table]) for spec in SECTIONS}}
    charts = ChartCache(out_root / ".state" / "entity-charts.json")
    made_from = made_from_all(root, tables)
    for lang in langs:
        out = folder if lang == i18n.SOURCE else folder / lang
        entities = collect(tables, out_root, lang, charts)
        names = {e.entity_id for e in entities}
        for e in entities:
            page = site.render(
                "entity.html.j2",
                lang,
                e=e,
                **links(lang, langs, e.entity_id),
                generated=build.now(),
                provenance=made_from,
            )
            build.write_atomic(out / f"{e.entity_id}.html", page)
        for stale in out.glob("*.html"):  # an entity no longer in any table
            if stale.stem not in names and stale.name != "index.html":
                stale.unlink()
        values = index_values(entities, tables, lang)
        index = site.render(
            "entities.html.j2", lang, **values, **links(lang, langs), generated=build.now(), provenance=made_from
        )
        build.write_atomic(out / "index.html", index)
    charts.save()
    build.write_atomic(folder / RECORD, f'{{"key": "{key}"}}\n')
    return True


def made_from_all(root: Path | None, tables) -> object | None:
    """What a page across months was made from (the bulletins of every month, the code; for
    the footer, templates/provenance.html.j2), without the month pages' own links; None when
    the project is not known."""
    if root is None:
        return None
    import dataclasses

    from . import provenance

    months = sorted(set(tables["quality"]["month"].dropna()))
    return dataclasses.replace(provenance.for_index(Path(root), months, {"root": str(root)}), links=())


def built_languages(folder: Path, langs) -> tuple[str, ...]:
    """The languages asked for and those already on disk: a run in Chinese alone keeps the
    English pages of an earlier run in step rather than leaving them stale."""
    there = {lang for lang in i18n.LANGS if lang != i18n.SOURCE and (folder / lang / "index.html").is_file()}
    return tuple(lang for lang in i18n.LANGS if lang in set(langs) | there | {i18n.SOURCE})


def page_key(processed_all: Path, out_root: Path, langs) -> str:
    code = [
        *build.module_files("metroanalysis.entity_pages", "metroanalysis.publish"),
        *(site.TEMPLATES / t for t in TEMPLATES),
    ]
    return build.digest(
        {
            "all": build.processed_digest(processed_all),
            "code": build.files_digest(code, build.PACKAGE_DIR),
            "reports": month_pages(out_root),  # which month pages exist to link back to
            "langs": list(langs),
        }
    )


def month_pages(out_root: Path) -> list[str]:
    """The month indexes in reports/ (Chinese and other languages) a page may link back to."""
    pages = [*out_root.glob("*/index.html"), *out_root.glob("*/*/index.html")]
    return sorted(
        p.relative_to(out_root).as_posix() for p in pages if site.MONTH_FOLDER.match(p.relative_to(out_root).parts[0])
    )


def links(lang: str, langs, entity_id: str | None = None) -> dict[str, str | None]:
    """Where a page in reports/entities/ (or reports/entities/LANG/) finds the rest; the same
    page in the other language only when that is built too."""
    up = "../" if lang == i18n.SOURCE else "../../"
    page = f"{entity_id}.html" if entity_id else "index.html"
    other = (f"en/{page}" if "en" in langs else None) if lang == i18n.SOURCE else f"../{page}"
    return {"root": f"{up}index.html", "up": up, "other_lang": other, "quality": f"{up}quality/index.html"}


def collect(tables: dict[str, pd.DataFrame], out_root: Path, lang: str, charts: ChartCache) -> list[Entity]:
    """Every hospital and area that some table names, with its sections."""
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
        sections = [s for spec in SECTIONS if (s := section(spec, tables, r.entity_id, months, out_root, lang, charts))]
        if not sections:
            continue
        name = r.name_en if lang == "en" and pd.notna(r.name_en) and str(r.name_en).strip() else r.name_zh
        e = Entity(str(r.entity_id), str(name), str(r.name_zh), group, str(r.kind), text(r.district))
        e.district_name = area_names.get(e.district, e.district)
        e.sections = sections
        e.months = sorted({row.month for s in sections for row in s.rows})
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


def section(spec: Spec, tables, entity_id, months, out_root: Path, lang: str, charts: ChartCache) -> Section | None:
    import pandas as pd

    rows = rows_of(tables[spec.table], entity_id)
    rows = rows.sort_values(["month", *([spec.key] if spec.key else []), "source_line"])
    if rows.empty:
        return None
    from . import schema
    from .publish import table_title

    fields = {f.name: f for f in schema.fields(spec.table)}
    title_zh, title_en = table_title(spec.table)
    if spec.table == "remote_coverage":
        return coverage_section(rows, fields, title_zh if lang == "zh" else title_en, out_root, lang)
    headers = [field_title(fields[c], lang) for c in spec.columns]
    shown = []
    for r in rows.to_dict("records"):
        cells = [cell(spec.table, c, r, fields[c].dtype, lang) for c in spec.columns]
        shown.append(row(r["month"], cells, r.get("source_line"), spec.table, out_root, lang))
    out = Section(
        spec.table, title_zh if lang == "zh" else title_en, f"{spec.table}.csv", headers, list(spec.columns), shown
    )
    if len(set(rows["month"])) >= 2:
        sums = rows.groupby("month")[[c for g in spec.charts for c in g]].sum(min_count=1)
        for group in spec.charts:
            every = sums.reindex(months)  # a month without a row: missing (NA), never 0
            series = {c: [None if pd.isna(v) else float(v) for v in every[c].tolist()] for c in group}
            if sum(1 for m in range(len(months)) if any(pd.notna(v[m]) for v in series.values())) >= 2:
                out.charts.append(charts.chart(months, series, [field_title(fields[c], lang) for c in group], lang))
    return out


def coverage_section(rows: pd.DataFrame, fields, title: str, out_root: Path, lang: str) -> Section:
    """An area × the platforms, month by month: ✓ connected, ✗ not."""
    import pandas as pd

    from .labels import PLATFORMS, category

    platforms = list(dict.fromkeys(rows["platform"]))
    shown = []
    for month, part in rows.groupby("month", sort=True):
        by = dict(zip(part["platform"], part["connected"], strict=True))
        cells = [
            Cell(
                "—" if pd.isna(by.get(p)) else ("✓" if by[p] else "✗"),
                connected=None if pd.isna(by.get(p)) else bool(by[p]),
            )
            for p in platforms
        ]
        # a Word bulletin has no lines: the row then names no line (row() takes <NA>)
        shown.append(row(month, cells, part["source_line"].min(), "remote_coverage", out_root, lang))
    headers = [category(PLATFORMS, p, lang) for p in platforms]
    return Section("remote_coverage", title, "remote_coverage.csv", headers, ["platform", "connected"], shown)


def field_title(f, lang: str) -> str:
    return (f.label_en or f.label) if lang == "en" else f.label


def row(month: str, cells: list[Cell], line, table: str, out_root: Path, lang: str) -> Row:
    import pandas as pd

    up = "../" if lang == i18n.SOURCE else "../../"
    reports = out_root / month / ("" if lang == i18n.SOURCE else lang) / "index.html"
    href = f"{up}{month}/{'' if lang == i18n.SOURCE else lang + '/'}index.html" if reports.is_file() else None
    line = None if line is None or pd.isna(line) else int(line)
    return Row(month, i18n.month_label(month, lang), href, f"{up}{month}/{DATA}/{table}.csv", cells, line)


def cell(table: str, column: str, r: dict, dtype: str, lang: str) -> Cell:
    import pandas as pd

    from .labels import PLATFORMS, category

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
    from .publish import table_title

    seen: dict[str, tuple[set, set]] = {}
    for spec in SECTIONS:
        for name, month in rows_of(tables[spec.table], entity_id)[[spec.name, "month"]].itertuples(index=False):
            tabs, months = seen.setdefault(str(name), (set(), set()))
            tabs.add(table_title(spec.table)[0 if lang == "zh" else 1])
            months.add(i18n.month_label(month, lang))
    return [(n, sorted(t), sorted(m)) for n, (t, m) in sorted(seen.items())]


# ---------------------------------------------------------------------------------------------
# The index


class ByEntity:
    """A table and its rows by entity_id, grouped once."""

    def __init__(self, df: pd.DataFrame):
        self.df = df
        self.parts = {key: part for key, part in df.groupby("entity_id", sort=False)} if len(df) else {}

    def rows(self, entity_id) -> pd.DataFrame:
        return self.parts.get(entity_id, self.df.iloc[:0])


def rows_of(table, entity_id) -> pd.DataFrame:
    """The rows of `table` (a DataFrame or `ByEntity`) about `entity_id`."""
    if isinstance(table, ByEntity):
        return table.rows(entity_id)
    return table[table["entity_id"] == entity_id]


def frame(table) -> pd.DataFrame:
    return table.df if isinstance(table, ByEntity) else table


def index_values(entities: list[Entity], tables, lang: str) -> dict:
    """The lists of the index: each ranking by the latest month's value, then by id, areas apart."""
    import pandas as pd

    from . import schema
    from .publish import table_title

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


# ---------------------------------------------------------------------------------------------
# Charts: words-free small line charts, drawn once for every language


class ChartCache:
    """Each chart drawn once for every language, and kept between runs by what it shows (the
    months and the values) and what draws it (this module, matplotlib's version), in
    OUT_ROOT/.state/ when `path` is given: pages redone for another reason than their figures
    (a month index appearing to link to, a template edited, a language added) draw nothing.
    Run state: deleting it costs drawing time, never a different picture."""

    def __init__(self, path: Path | None = None):
        self.drawn: dict = {}
        self.path = path
        self.kept = build.read_json(path) if path else {}
        self.used: dict[str, list] = {}
        self.code = ""
        if path:
            import matplotlib

            self.code = build.digest([build.file_digest(Path(__file__)), matplotlib.__version__])

    def chart(self, months: list[str], series: dict[str, list], titles: list[str], lang: str) -> Chart:
        values = tuple(tuple(v) for v in series.values())
        key = (tuple(months), values)
        if key not in self.drawn:
            content = build.digest([self.code, list(months), [list(v) for v in values]])
            kept = self.kept.get(content)
            self.drawn[key] = tuple(kept) if isinstance(kept, list) else draw(months, list(values))
            self.used[content] = list(self.drawn[key])
        png, width = self.drawn[key]
        colours = [PALETTE[i % len(PALETTE)] for i in range(len(titles))]
        return Chart(i18n.LIST_SEPARATORS[lang].join(titles), png, width, list(zip(titles, colours, strict=True)))

    def save(self) -> None:
        """Keep the charts this build showed (and only those: the file does not grow with runs)."""
        if self.path and self.used != self.kept:
            build.write_atomic(self.path, json.dumps(self.used, sort_keys=True) + "\n")


_AXES = None


def draw(months: list[str], series: list[tuple]) -> tuple[str, int]:
    """One line per series over the months (a gap where a month has no value), as base64 PNG.
    The only text is numbers and months, so the picture is the same in every language. One
    figure is reused (its lines replaced): a few hundred small charts in seconds, not minutes."""
    global _AXES
    if _AXES is None:
        # matplotlib's own font: the charts hold digits and months only (plotting.setup's CJK
        # font and seaborn theme would add seconds to every build for no glyph drawn)

        # IPython first, whole: these pages are drawn in a thread, and matplotlib's first canvas
        # looks at sys.modules["IPython"], which would be half-made if the main thread were
        # importing it that moment (a run executing its one report in-process does, to export).
        import IPython  # noqa: F401
        from matplotlib.figure import Figure
        from matplotlib.ticker import FuncFormatter, MaxNLocator

        fig = Figure(figsize=CHART_SIZE)
        _AXES = fig.add_axes((0.17, 0.17, 0.8, 0.77))
        _AXES.yaxis.set_major_locator(MaxNLocator(4))
        _AXES.yaxis.set_major_formatter(FuncFormatter(compact))
        _AXES.tick_params(labelsize=7)
        _AXES.grid(True, linewidth=0.4)
    ax = _AXES
    for line in list(ax.lines):
        line.remove()
    x = list(range(len(months)))
    top = 0.0
    for i, values in enumerate(series):
        y = [float("nan") if v is None else v for v in values]
        ax.plot(x, y, marker="o", markersize=3, linewidth=1.5, color=PALETTE[i % len(PALETTE)])
        top = max([top, *(v for v in values if v is not None)])
    step = max(1, (len(months) + 5) // 6)
    ticks = x[::step]
    ax.set_xticks(ticks, [months[i] for i in ticks])
    ax.set_xlim(-0.3, len(months) - 0.7)
    ax.set_ylim(0, top * 1.08 if top > 0 else 1)
    raw = io.BytesIO()
    ax.figure.savefig(raw, format="png", dpi=CHART_DPI, metadata={"Software": None})
    return base64.b64encode(raw.getvalue()).decode("ascii"), round(CHART_SIZE[0] * 96)


def compact(x, _pos=None) -> str:
    """Axis numbers without words: 12,000,000 → 12M, 45,000 → 45k."""
    for size, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= size:
            return f"{x / size:.3g}{suffix}"
    return f"{x:.3g}"

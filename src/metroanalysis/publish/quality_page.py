"""One quality page for every month: reports/quality/index.html (English: reports/quality/en/).

Every check of quality.csv that was not `ok` (mismatches, missing tables, unmatched names,
repaired input, partly listed breakdowns, rounding), newest month first and, within a month,
in the order of `checks.STATUSES`; then every missing value of a table parsed from the bulletin
(a printed 未反馈, a figure the bulletin does not give, or a printed 0 its field declares "not
reported", `schema.FIELD_METADATA`'s `zero_means_not_reported`). Each row says where it came from: the
raw bulletin's file and line, and a link to that month's quality.csv (or table CSV) published in
reports/MONTH/data/.

Built from data/processed/all/, again only when that or this code changed (`.build.json`).

Where to change what: the page: `templates/quality.html.j2` (words Chinese there, English in
`templates/en.yml`); which values count as missing: `missing_values` (and, for printed zeros,
the fields' `zero_means_not_reported` in `schema.FIELD_METADATA`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING

from metroanalysis import i18n
from metroanalysis.build import keys as build
from metroanalysis.publish import site
from metroanalysis.publish.data import DATA, table_title

if TYPE_CHECKING:  # pandas is imported where the pages are built: deciding that nothing changed stays fast
    import pandas as pd

    from metroanalysis.clean.pipeline import MonthData

FOLDER = "quality"
RECORD = ".build.json"
TEMPLATES = ("quality.html.j2", "page.html.j2", "csp.html.j2", "base.css", "site.css", "en.yml")


@dataclass
class Finding:
    month: str
    label: str  # the month in the page's language
    status: str
    status_text: str
    table: str  # the table's title ("" for a whole-bulletin finding such as a repaired line)
    entity: str
    column: str
    printed: str
    computed: str
    difference: str
    message: str
    bulletin: str  # data/raw/MONTH/bulletin.txt
    line: int | None
    csv: str  # the published CSV this row is in, relative to the page
    month_href: str | None


def write_quality_page(
    processed_all: Path,
    out_root: Path,
    langs=(i18n.SOURCE,),
    force: bool = False,
    root: Path | None = None,
    read: Callable[[], MonthData] | None = None,
) -> bool:
    """reports/quality/ from data/processed/all/, unless built from the same already; True if
    built. `read`: gives the stacked tables (`entity_pages.stacked_reader`, one read shared)."""
    processed_all, out_root = Path(processed_all), Path(out_root)
    if not (processed_all / "datapackage.json").is_file():
        return False
    folder = out_root / FOLDER
    from metroanalysis.publish.entity_data import has_reports
    from metroanalysis.publish.entity_pages import built_languages, month_pages

    has_reports.cache_clear()  # month pages may have appeared since the last page in this process
    langs = built_languages(folder, langs)
    # The zeros read as not reported come from the fields' rules and report 04's listing of them.
    rules = ("metroanalysis.parse.fields", "metroanalysis.clean.schema", "metroanalysis.analysis.quality")
    pages = ("metroanalysis.publish.quality_page", "metroanalysis.publish.data", "metroanalysis.analysis.labels")
    code = [*build.module_files(*pages, *rules), *(site.TEMPLATES / t for t in TEMPLATES)]
    code_digest = build.files_digest(code, build.PACKAGE_DIR)
    key = build.digest(
        {
            "all": build.processed_digest(processed_all),
            "code": code_digest,
            "reports": month_pages(out_root),  # which month pages exist to link back to
            "langs": list(langs),
        }
    )
    if not force and build.read_json(folder / RECORD).get("key") == key:
        return False
    from metroanalysis.publish.entity_pages import made_from_all, stacked_reader

    data = (read or stacked_reader(processed_all))()

    made_from = made_from_all(root, data.tables)
    bulletins = bulletin_paths(data.package)
    cache = MonthCache(
        out_root / ".state" / "quality-zeros.json",
        processed_all.parent,
        build.files_digest(build.module_files(*rules), build.PACKAGE_DIR),
    )
    from metroanalysis.publish import entity_pages

    months = sorted(data.tables["quality"]["month"].dropna().unique())
    recent = months[-entity_pages.RECENT_MONTHS :]
    split = len(months) > entity_pages.RECENT_MONTHS
    kept = {} if force else build.read_json(folder / RECORD).get("years", {})
    years: dict[str, str] = {}
    for lang in langs:
        out = folder if lang == i18n.SOURCE else folder / lang
        shown = sorted({m[:4] for m in months}) if split else []
        page = render_page(data.tables, recent, months, bulletins, out_root, lang, langs, cache, made_from, None, shown)
        build.write_atomic(out / "index.html", page)
        for year in shown:  # every month listed on its year's page, written when the year changed
            in_year = [m for m in months if m[:4] == year]
            where = f"{lang}/{year}"
            years[where] = entity_pages.year_key(
                code_digest, data.tables, in_year, processed_all, out_root, lang, langs
            )
            if kept.get(where) == years[where] and (out / f"{year}.html").is_file():
                continue
            of_year = entity_pages.made_from_months(root, in_year)
            page = render_page(
                data.tables, in_year, in_year, bulletins, out_root, lang, langs, cache, of_year, year, []
            )
            build.write_atomic(out / f"{year}.html", page)
        for stale in out.glob("[0-9][0-9][0-9][0-9].html"):
            if stale.stem not in shown:
                stale.unlink()
    cache.save(months)
    build.write_atomic(folder / RECORD, json.dumps({"key": key, "years": years}, sort_keys=True) + "\n")
    return True


def render_page(tables, listed, months, bulletins, out_root, lang, langs, cache, made_from, year, years) -> str:
    """The quality page listing the checks and missing values of the months `listed`; `months`
    (newest first on the page) each with its count of checks and a link to where they are listed
    (this page, or its year's page when `years` names the year pages)."""
    import pandas as pd

    of = {name: df[df["month"].isin(listed)] if "month" in df else df for name, df in tables.items()}
    up = "../" if lang == i18n.SOURCE else "../../"
    names = shown_names(tables, lang)
    checks = not_ok(of["quality"], bulletins, out_root, lang, names)
    missing = missing_values(of, bulletins, out_root, lang, names, cache)
    quality = tables["quality"]
    flagged = quality[(quality["status"] != "ok") & quality["month"].isin(months)]
    per_month = flagged.groupby("month").size() if len(flagged) else pd.Series(dtype=int)
    here = set(listed)
    return site.render(
        "quality.html.j2",
        lang,
        checks=checks,
        missing=missing,
        months=[
            (m, i18n.month_label(m, lang), int(per_month.get(m, 0)), f"#m{m}" if m in here else f"{m[:4]}.html#m{m}")
            for m in sorted(months, reverse=True)
        ],
        counts=status_counts(flagged["status"].tolist(), lang),
        year=year,
        years=years,
        listed=len(listed),
        root=f"{up}index.html",
        entities=f"{up}entities/{'' if lang == i18n.SOURCE else lang + '/'}index.html",
        other_lang=other_language_page(lang, langs, f"{year}.html" if year else "index.html"),
        generated=build.now(),
        provenance=made_from,
    )


def other_language_page(lang: str, langs, page: str) -> str | None:
    return (f"en/{page}" if "en" in langs else None) if lang == i18n.SOURCE else f"../{page}"


class MonthCache:
    """A month's part of the page (its zeros read as not reported: a scan of every value against
    its line in facts.csv), kept by the month's clean tables and the rules' code, so a page over
    ten years redone for one new month works out only that month's. Run state, in
    OUT_ROOT/.state/: deleting it costs time, never a wrong row."""

    def __init__(self, path: Path, processed: Path, rules: str):
        self.path, self.processed, self.rules = path, processed, rules
        self.kept = build.read_json(path)
        self.used: dict[str, list] = {}

    def get(self, month: str, lang: str, compute) -> list[dict]:
        key = build.digest([build.processed_digest(self.processed / month), self.rules, lang])
        entry = self.kept.get(f"{month} {lang}")
        rows = entry["rows"] if isinstance(entry, dict) and entry.get("key") == key else compute()
        self.used[f"{month} {lang}"] = {"key": key, "rows": rows}
        return rows

    def save(self, months: list[str]) -> None:
        """Keep what this build worked out, and what it did not need of the `months` still in the
        data (a page that lists only some months leaves the others' scans for their year pages);
        a month gone from the data is dropped, so the file does not grow with runs."""
        present = set(months)
        keep = {k: v for k, v in self.kept.items() if k.split(" ")[0] in present} | self.used
        if keep != self.kept:
            build.write_atomic(self.path, json.dumps(keep, ensure_ascii=False, sort_keys=True) + "\n")


def bulletin_paths(package: dict) -> dict[str, str]:
    """month → the raw bulletin's path in the project, from the stacked data package's sources."""
    paths = {}
    for source in package.get("sources", []):
        path = Path(source.get("path", ""))
        if path.parent.name:
            paths[path.parent.name] = path.as_posix()
    return paths


def month_href(out_root: Path, month: str, lang: str) -> str | None:
    """The month's index page from the quality page, if there is one (asked once per month)."""
    from metroanalysis.publish.entity_data import has_reports

    up = "../" if lang == i18n.SOURCE else "../../"
    sub = "" if lang == i18n.SOURCE else f"{lang}/"
    return f"{up}{month}/{sub}index.html" if has_reports(out_root, month, lang) else None


def shown_names(tables: dict[str, pd.DataFrame], lang: str) -> dict[str, str]:
    """Each name as printed → as shown in `lang`, from the latest registry (`labels.printed_names`)."""
    from metroanalysis.analysis import labels
    from metroanalysis.publish.entity_data import latest

    return labels.printed_names(latest(tables["entities"]), latest(tables["aliases"]), lang)


def message_in(row: dict, lang: str) -> str:
    """A check's message in `lang`: quality.csv's message_zh on a Chinese page, its message (in
    English) on another; a row with no Chinese (a rule written in English alone) in English."""
    chinese = text(row.get("message_zh"))
    return chinese if lang == i18n.SOURCE and chinese else text(row["message"])


def not_ok(
    quality: pd.DataFrame, bulletins: dict, out_root: Path, lang: str, names: dict[str, str] | None = None
) -> list[Finding]:
    """Every check that was not `ok`: newest month first, then by status, table and line; each
    entity as `names` shows it in `lang` (as printed where it is not there)."""
    import pandas as pd

    from metroanalysis.clean.checks import STATUS_ORDER, STATUSES

    rows = quality[quality["status"] != "ok"].copy()
    rows["_status"] = [STATUS_ORDER.index(s) if s in STATUS_ORDER else len(STATUS_ORDER) for s in rows["status"]]
    rows["_line"] = rows["source_line"].fillna(0)
    rows = rows.sort_values(["month", "_status", "table", "_line"], ascending=[False, True, True, True])
    up = "../" if lang == i18n.SOURCE else "../../"
    found = []
    for r in rows.to_dict("records"):
        status = r["status"]
        table = text(r["table"])
        found.append(
            Finding(
                month=r["month"],
                label=i18n.month_label(r["month"], lang),
                status=status,
                status_text=STATUSES[status][0 if lang == "zh" else 1] if status in STATUSES else status,
                table=table_title(table)[0 if lang == "zh" else 1] if table else "",
                entity=(names or {}).get(text(r["entity"]), text(r["entity"])),
                column=field_label(table, text(r["column"]), lang),
                printed=text(r["printed"]),
                computed=text(r["computed"]),
                difference=text(r["difference"]),
                message=message_in(r, lang),
                bulletin=bulletins.get(r["month"], f"data/raw/{r['month']}/bulletin.txt"),
                line=None if pd.isna(r["source_line"]) else int(r["source_line"]),
                csv=f"{up}{r['month']}/{DATA}/quality.csv",
                month_href=month_href(out_root, r["month"], lang),
            )
        )
    return found


def missing_values(
    tables: dict[str, pd.DataFrame],
    bulletins: dict,
    out_root: Path,
    lang: str,
    shown: dict[str, str] | None = None,
    cache: MonthCache | None = None,
) -> list[Finding]:
    """Every empty count or amount in a table parsed from the bulletin: printed 未反馈 (with its
    flag false beside it) or not given at all; and every printed 0 read as not reported by its
    field's rule (`zeros_not_reported`); newest month first, then table and line; each entity as
    `shown` names it in `lang`."""
    import pandas as pd

    from metroanalysis.clean import schema

    up = "../" if lang == i18n.SOURCE else "../../"
    found = []
    for table in schema.BULLETIN_TABLES:
        df = tables[table]
        fields = [f for f in schema.fields(table) if f.dtype in ("Int64", "Float64")]
        names = list(df.columns)
        name_column = names[names.index("entity_id") - 1] if "entity_id" in names else None  # as printed
        # the rows with any value missing, made records once (not once per field: a table's
        # dozens of fields each filtered and converted took a second at ten years of months)
        gaps = df[df[[f.name for f in fields]].isna().any(axis=1)].to_dict("records") if fields else []
        for f in fields:
            for r in (r for r in gaps if pd.isna(r[f.name])):
                flag = r.get("declared_reported") if f.name == "declared_tables" else None
                printed = "未反馈" if flag is not None and pd.notna(flag) and not bool(flag) else ""
                entity = text(r.get(name_column)) if name_column else ""
                entity = (shown or {}).get(entity, entity)
                found.append(
                    Finding(
                        month=r["month"],
                        label=i18n.month_label(r["month"], lang),
                        status="not_reported" if printed else "not_given",
                        status_text="",
                        table=table_title(table)[0 if lang == "zh" else 1],
                        entity=entity,
                        column=(f.label_en or f.label) if lang == "en" else f.label,
                        printed=printed,
                        computed="",
                        difference="",
                        message=f.name,
                        bulletin=bulletins.get(r["month"], f"data/raw/{r['month']}/bulletin.txt"),
                        line=None if pd.isna(r.get("source_line")) else int(r["source_line"]),
                        csv=f"{up}{r['month']}/{DATA}/{table}.csv",
                        month_href=month_href(out_root, r["month"], lang),
                    )
                )
    found += zeros_not_reported(tables, bulletins, out_root, lang, shown, cache)
    found.sort(key=lambda x: (x.table, x.line or 0))
    found.sort(key=lambda x: x.month, reverse=True)  # stable: newest month first, then table and line
    return found


def zeros_not_reported(
    tables: dict[str, pd.DataFrame],
    bulletins: dict,
    out_root: Path,
    lang: str,
    shown: dict[str, str] | None = None,
    cache: MonthCache | None = None,
) -> list[Finding]:
    """Every printed 0 that its field declares "did not report" (`schema.FIELD_METADATA`'s
    `zero_means_not_reported`, as `analysis.quality.not_reported_zeros` lists it for report 04):
    status `zero_not_reported`, printed "0", the value's own line, the rule's reason as message."""
    from metroanalysis.analysis.quality import not_reported_zeros

    up = "../" if lang == i18n.SOURCE else "../../"
    found = []
    months = sorted(set().union(*(set(df["month"].dropna()) for df in tables.values() if "month" in df)))
    for month in months:

        def zeros_of(month=month) -> list[dict]:
            of_month = {name: df[df["month"] == month] for name, df in tables.items() if "month" in df}
            zeros = not_reported_zeros(of_month, of_month.get("facts"), lang)
            rows = zeros[["table", "entity", "label", "field", "reason", "source_line"]].astype(object)
            return rows.where(rows.notna(), None).to_dict("records")

        for r in cache.get(month, lang, zeros_of) if cache else zeros_of():
            r = SimpleNamespace(**r)
            found.append(
                Finding(
                    month=month,
                    label=i18n.month_label(month, lang),
                    status="zero_not_reported",
                    status_text="",
                    table=table_title(r.table)[0 if lang == "zh" else 1],
                    entity=(shown or {}).get(text(r.entity), text(r.entity)),
                    column=r.label,
                    printed="0",
                    computed="",
                    difference="",
                    message=f"{r.field} · {r.reason}",
                    bulletin=bulletins.get(month, f"data/raw/{month}/bulletin.txt"),
                    line=None if r.source_line is None else int(r.source_line),
                    csv=f"{up}{month}/{DATA}/{r.table}.csv",
                    month_href=month_href(out_root, month, lang),
                )
            )
    return found


def status_counts(statuses: list[str], lang: str) -> list[tuple[str, str, int]]:
    """How many checks of each status other than ok, in the order of `checks.STATUS_ORDER`."""
    import pandas as pd

    from metroanalysis.clean.checks import STATUS_ORDER, STATUSES

    counts = pd.Series(statuses).value_counts() if statuses else pd.Series(dtype=int)
    return [(s, STATUSES[s][0 if lang == "zh" else 1], int(counts[s])) for s in STATUS_ORDER if s in counts.index]


def field_label(table: str, column: str, lang: str) -> str:
    """A checked column as its table's schema titles it, with the field name: 缴费金额（元） payment_amount_yuan."""
    from metroanalysis.clean import schema

    if not column or table not in schema.TABLES:
        return column
    f = next((f for f in schema.fields(table) if f.name == column), None)
    if f is None:
        return column
    return f"{(f.label_en or f.label) if lang == 'en' else f.label} ({column})"


def text(value) -> str:
    import pandas as pd

    return "" if value is None or pd.isna(value) else str(value)

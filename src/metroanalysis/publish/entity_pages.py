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

import dataclasses
import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from metroanalysis import i18n
from metroanalysis.build import keys as build
from metroanalysis.publish import site
from metroanalysis.publish.entity_charts import ChartCache
from metroanalysis.publish.entity_data import SECTIONS, ByEntity, collect, has_reports, index_values, latest

if TYPE_CHECKING:
    from metroanalysis.clean.pipeline import MonthData

FOLDER = "entities"
RECORD = ".build.json"
# The modules that make the pages (all three parts of the old entity_pages, and data's titles):
# a change to any of them is a change to the pages.
CODE = ("entity_pages", "entity_data", "entity_charts", "data")
TEMPLATES = ("entity.html.j2", "entities.html.j2", "page.html.j2", "csp.html.j2", "base.css", "site.css", "en.yml")


# ---------------------------------------------------------------------------------------------
# Building


def write_entity_pages(
    processed_all: Path,
    out_root: Path,
    langs=(i18n.SOURCE,),
    force: bool = False,
    root: Path | None = None,
    read: Callable[[], MonthData] | None = None,
) -> bool:
    """reports/entities/ from data/processed/all/, unless it was built from the same data, code
    and report months already; True if (re)built. `read`: gives the stacked tables, when the
    caller shares one read of them between pages (`stacked_reader`)."""
    processed_all, out_root = Path(processed_all), Path(out_root)
    if not (processed_all / "datapackage.json").is_file():
        return False
    folder = out_root / FOLDER
    langs = built_languages(folder, langs)
    code = code_key()
    key = page_key(processed_all, out_root, langs, code)
    if not force and build.read_json(folder / RECORD).get("key") == key:
        return False
    tables = (read or stacked_reader(processed_all))().tables
    # each table's rows of each entity, found once for every entity and language (a filter per
    # entity and table grows with entities × months)
    tables = {**tables, **{spec.table: ByEntity(tables[spec.table], spec.key) for spec in SECTIONS}}
    has_reports.cache_clear()  # month pages may have appeared since the last build in this process
    charts = ChartCache()
    made_from = made_from_all(root, tables)
    months = sorted(set(tables["quality"]["month"].dropna()))  # every cleaned month has its checks
    recent = set(months[-RECENT_MONTHS:])
    kept = {} if force else build.read_json(folder / RECORD).get("years", {})
    years: dict[str, dict] = {}
    for lang in langs:
        out = folder if lang == i18n.SOURCE else folder / lang
        entities = collect(tables, out_root, lang, charts, recent)
        for e in entities:
            e.years = sorted({m[:4] for m in e.months}) if len(months) > RECENT_MONTHS else []
            write_page(out, e.entity_id, e, None, lang, langs, made_from)
        if len(months) > RECENT_MONTHS:
            years.update(
                write_year_pages(tables, months, processed_all, out_root, lang, langs, root, charts, kept, code)
            )
        names = {e.entity_id for e in entities} | {n for y in years.values() for n in y["pages"]}
        for stale in out.glob("*.html"):  # an entity (or one of its years) no longer in any table
            if stale.stem not in names and stale.name != "index.html":
                stale.unlink()
        values = index_values(entities, tables, lang)
        index = site.render(
            "entities.html.j2", lang, **values, **links(lang, langs), generated=build.now(), provenance=made_from
        )
        build.write_atomic(out / "index.html", index)
    build.write_atomic(folder / RECORD, json.dumps({"key": key, "years": years}, sort_keys=True) + "\n")
    return True


def stacked_reader(processed_all: Path) -> Callable[[], MonthData]:
    """data/processed/all's tables, read on the first call and kept for the next (the entity
    pages and the quality page, built one after the other, read them once)."""
    from metroanalysis.clean.pipeline import read_month_folder

    return functools.cache(lambda: read_month_folder("all", Path(processed_all), stacked=True))


# An entity's page shows the rows of the latest RECENT_MONTHS months (its charts: every month);
# with a longer history, every month's rows are on the page of its year, ENTITY-YYYY.html beside
# it. A month added to ten years then rewrites each entity's page and the pages of the new month's
# year, not ten years of rows: the pages of a year are worked out and written again only when that
# year's clean tables, month pages, registry or this code changed (`year_key`, in .build.json).
RECENT_MONTHS = 12


def write_year_pages(tables, months, processed_all, out_root, lang, langs, root, charts, kept, code) -> dict[str, dict]:
    """The year pages of one language, each year redone only when its key changed; returns
    {"LANG/YYYY": {"key": …, "pages": [page names]}} for the record."""
    out = out_root / FOLDER if lang == i18n.SOURCE else out_root / FOLDER / lang
    found: dict[str, dict] = {}
    for year in sorted({m[:4] for m in months}):
        in_year = [m for m in months if m[:4] == year]
        where, key = f"{lang}/{year}", year_key(code, tables, in_year, processed_all, out_root, lang, langs)
        before = kept.get(where, {})
        if before.get("key") == key and all((out / f"{n}.html").is_file() for n in before.get("pages", [])):
            found[where] = before
            continue
        made_from = made_from_months(root, in_year)
        pages = []
        for e in collect(tables, out_root, lang, charts, set(in_year)):
            e.sections = [dataclasses.replace(s, charts=[]) for s in e.sections if s.rows]
            if not e.sections:
                continue
            e.months, e.printed, e.aliases = e.shown_months, [], []  # the entity page's, not the year's
            name = f"{e.entity_id}-{year}"
            write_page(out, name, e, year, lang, langs, made_from)
            pages.append(name)
        found[where] = {"key": key, "pages": pages}
    return found


def write_page(out: Path, name: str, e, year: str | None, lang: str, langs, made_from) -> None:
    """One entity page (`year` None) or one of its year pages, as out/NAME.html."""
    page = site.render(
        "entity.html.j2", lang, e=e, year=year, **links(lang, langs, name), generated=build.now(), provenance=made_from
    )
    build.write_atomic(out / f"{name}.html", page)


def year_key(code: str, tables, in_year: list[str], processed_all: Path, out_root: Path, lang: str, langs) -> str:
    """What a year's pages across months show (the entity pages' and the quality page's): its
    months' clean tables, which of them have reports to link to, the registry's names and
    aliases (the newest month's), the languages and the code."""
    return build.digest(
        [
            code,
            [build.processed_digest(processed_all.parent / m) for m in in_year],
            [has_reports(out_root, m, lang) for m in in_year],
            registry_text(tables["entities"]),
            registry_text(tables["aliases"]),
            lang,
            list(langs),
        ]
    )


def registry_text(df) -> str:
    """The registry's rows as the newest month used them, without that month: a new month with
    the same names and aliases changes no year before it."""
    return latest(df).drop(columns="month", errors="ignore").to_csv(index=False)


def made_from_all(root: Path | None, tables) -> object | None:
    """What a page across months was made from (the bulletins of every month, the code; for
    the footer, templates/provenance.html.j2), without the month pages' own links; None when
    the project is not known."""
    return made_from_months(root, sorted(set(tables["quality"]["month"].dropna())))


def made_from_months(root: Path | None, months: list[str]) -> object | None:
    """The same for a page of some months (a year page: that year's bulletins)."""
    if root is None:
        return None
    from metroanalysis.publish import provenance

    return dataclasses.replace(provenance.for_index(Path(root), months, {"root": str(root)}), links=())


def built_languages(folder: Path, langs) -> tuple[str, ...]:
    """The languages asked for and those already on disk: a run in Chinese alone keeps the
    English pages of an earlier run in step rather than leaving them stale."""
    there = {lang for lang in i18n.LANGS if lang != i18n.SOURCE and (folder / lang / "index.html").is_file()}
    return tuple(lang for lang in i18n.LANGS if lang in set(langs) | there | {i18n.SOURCE})


def page_key(processed_all: Path, out_root: Path, langs, code: str | None = None) -> str:
    return build.digest(
        {
            "all": build.processed_digest(processed_all),
            "code": code or code_key(),
            "reports": month_pages(out_root),  # which month pages exist to link back to
            "langs": list(langs),
        }
    )


def code_key() -> str:
    """The modules and templates that make the pages."""
    code = [
        *build.module_files(*(f"metroanalysis.publish.{m}" for m in CODE)),
        *(site.TEMPLATES / t for t in TEMPLATES),
    ]
    return build.files_digest(code, build.PACKAGE_DIR)


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

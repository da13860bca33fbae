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

from pathlib import Path

from metroanalysis import i18n
from metroanalysis.build import keys as build
from metroanalysis.publish import site
from metroanalysis.publish.entity_charts import ChartCache
from metroanalysis.publish.entity_data import SECTIONS, ByEntity, collect, has_reports, index_values

FOLDER = "entities"
RECORD = ".build.json"
# The modules that make the pages (all three parts of the old entity_pages, and data's titles):
# a change to any of them is a change to the pages.
CODE = ("entity_pages", "entity_data", "entity_charts", "data")
TEMPLATES = ("entity.html.j2", "entities.html.j2", "page.html.j2", "csp.html.j2", "base.css", "site.css", "en.yml")


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
    from metroanalysis.clean.pipeline import read_month_folder

    tables = read_month_folder("all", processed_all, stacked=True).tables
    # each table's rows of each entity, found once for every entity and language (a filter per
    # entity and table grows with entities × months)
    tables = {**tables, **{spec.table: ByEntity(tables[spec.table], spec.key) for spec in SECTIONS}}
    has_reports.cache_clear()  # month pages may have appeared since the last build in this process
    charts = ChartCache()
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
    build.write_atomic(folder / RECORD, f'{{"key": "{key}"}}\n')
    return True


def made_from_all(root: Path | None, tables) -> object | None:
    """What a page across months was made from (the bulletins of every month, the code; for
    the footer, templates/provenance.html.j2), without the month pages' own links; None when
    the project is not known."""
    if root is None:
        return None
    import dataclasses

    from metroanalysis.publish import provenance

    months = sorted(set(tables["quality"]["month"].dropna()))
    return dataclasses.replace(provenance.for_index(Path(root), months, {"root": str(root)}), links=())


def built_languages(folder: Path, langs) -> tuple[str, ...]:
    """The languages asked for and those already on disk: a run in Chinese alone keeps the
    English pages of an earlier run in step rather than leaving them stale."""
    there = {lang for lang in i18n.LANGS if lang != i18n.SOURCE and (folder / lang / "index.html").is_file()}
    return tuple(lang for lang in i18n.LANGS if lang in set(langs) | there | {i18n.SOURCE})


def page_key(processed_all: Path, out_root: Path, langs) -> str:
    code = [
        *build.module_files(*(f"metroanalysis.publish.{m}" for m in CODE)),
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

"""Chinese is the source text; English is a translation looked up in a catalog (gettext's habit).

Every word a reader sees is written in Chinese where it is used: in a notebook (Markdown cells,
chart titles, sentence templates) or in a page template. An English catalog beside it maps the
Chinese text, exactly as written, to its English translation:

    notebooks/01-channel-shares.ipynb     the Chinese source
    notebooks/01-channel-shares.en.yml    "{month} 各渠道预约量": "Bookings by channel, {month}"

A text the catalog does not know is shown in Chinese, never as a key, and `untranslated`
lists such texts so a test can name them. Placeholders ({month}, {share}) are the same in
both languages and filled after the lookup.

Markdown cells follow the same rule at cell level: a Chinese cell may be followed by its English
translation, a Markdown cell tagged `en` (see `EN_TAG`); an English report shows the `en` cell
instead of the Chinese one, a Chinese report drops every `en` cell, and a Chinese cell with no
`en` cell after it is shown in both.

This module is light on purpose (no pandas, no Jupyter): the runner and the pages use it too.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path

LANGS = ("zh", "en")  # the source language first
SOURCE = LANGS[0]
LIST_SEPARATORS = {"zh": "、", "en": ", "}
# Between two sentences: Chinese runs them on after 。, English puts a space after the full stop.
SENTENCE_SEPARATORS = {"zh": "", "en": " "}
EN_TAG = "en"  # the tag on a Markdown cell that translates the Chinese cell before it
CATALOG_SUFFIX = ".{lang}.yml"


def check_lang(lang: str) -> str:
    """`lang` if the reports are written in it; a ValueError naming the choices otherwise."""
    if lang not in LANGS:
        raise ValueError(f"lang={lang!r}: the reports are written in {' or '.join(LANGS)}")
    return lang


def month_label(month: str, lang: str = SOURCE) -> str:
    """'2021-04' → '2021年4月' (zh) or 'April 2021' (en): how every page and report names a month."""
    import calendar

    year, number = month.split("-")
    if check_lang(lang) == "en":
        return f"{calendar.month_name[int(number)]} {year}"
    return f"{year}年{int(number)}月"


def catalog_path(source: Path, lang: str) -> Path:
    """notebooks/01-x.ipynb → notebooks/01-x.en.yml; templates/ → templates/en.yml."""
    source = Path(source)
    if source.is_dir():
        return source / f"{lang}.yml"
    return source.with_name(source.stem + CATALOG_SUFFIX.format(lang=lang))


@cache
def _read_catalog(path: Path, mtime_ns: int) -> dict[str, str]:
    import yaml  # here, not at import: `metroanalysis.build.keys` must stay light

    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise ValueError(f"{path}: a catalog is a YAML mapping of Chinese text to its translation, both strings")
    return {_key(k): v for k, v in data.items()}


def read_catalog(path: Path) -> dict[str, str]:
    """The catalog at `path` (empty if there is none), re-read when the file changes."""
    path = Path(path)
    if not path.is_file():
        return {}
    return _read_catalog(path.resolve(), path.stat().st_mtime_ns)


def _key(text: str) -> str:
    # Line breaks and runs of spaces do not change a text's meaning; a catalog written with
    # YAML's folded strings still matches.
    return " ".join(text.split())


def fields(text: str) -> set[str]:
    """The placeholder names in `text`: '{month} 的 {n:,}' → {'month', 'n'}."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


class Translator:
    """`_ = Translator(lang, catalog)`; `_("{month} 各渠道预约量", month=when)`.

    In Chinese, the text itself; in another language, the catalog's translation or, where the
    catalog has none, the Chinese text (the miss is remembered in `missing`)."""

    def __init__(self, lang: str = SOURCE, catalog: Mapping[str, str] | None = None):
        self.lang = check_lang(lang)
        self.catalog = dict(catalog or {})
        self.missing: list[str] = []

    def text(self, source: str) -> str:
        if self.lang == SOURCE:
            return source
        found = self.catalog.get(_key(source))
        if found is None:
            if source not in self.missing:
                self.missing.append(source)
            return source
        return found

    def __call__(self, source: str, /, **values) -> str:
        text = self.text(source)
        return text.format(**values) if values else text

    def join(self, parts: Iterable[str]) -> str:
        """Items of a list in the reader's language: 甲、乙、丙 / A, B, C."""
        return LIST_SEPARATORS[self.lang].join(parts)

    def sentences(self, *parts: str | None) -> str:
        """Sentences one after another in the reader's language: 甲。乙。 / First. Second.
        Each is trimmed and empty ones dropped, so a translation needs no leading space to be
        joined (`summary = _.sentences(summary, _("…"))`, never `summary + _("…")`)."""
        kept = [p.strip() for p in parts if p and p.strip()]
        return SENTENCE_SEPARATORS[self.lang].join(kept)


def translator(source: Path | None, lang: str = SOURCE) -> Translator:
    """The translator for a notebook or a template folder: its catalog for `lang` beside it."""
    check_lang(lang)
    if lang == SOURCE or source is None:
        return Translator(lang)
    return Translator(lang, read_catalog(catalog_path(Path(source), lang)))


# ---------------------------------------------------------------------------------------------
# What a notebook asks to be translated, for the test that lists what is missing


_TEMPLATE_CALL = re.compile(r"""\b_\(\s*(?P<q>"|')(?P<text>(?:\\.|(?!(?P=q)).)*)(?P=q)""")


def translatable(code: str) -> list[str]:
    """The literal texts passed to `_(...)` in a notebook's code (first argument; adjacent
    literals joined as Python joins them) or, for text that is not Python (a Jinja template),
    in each `_("…")` call, in order."""
    import ast

    try:
        tree = ast.parse(code)
    except SyntaxError:  # a Jinja template, or a cell with IPython magics
        return [ast.literal_eval(m["q"] + m["text"] + m["q"]) for m in _TEMPLATE_CALL.finditer(code)]
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)]
    found = [
        (c.lineno, c.col_offset, c.args[0].value)
        for c in calls
        if c.func.id == "_" and c.args and isinstance(c.args[0], ast.Constant) and isinstance(c.args[0].value, str)
    ]
    return [text for _, _, text in sorted(found)]


def translation_of(cell) -> str | None:
    """The language a Markdown cell translates into (its tag, e.g. `en`), None for a source cell."""
    if cell.get("cell_type") != "markdown":
        return None
    return next((tag for tag in cell.get("metadata", {}).get("tags", []) if tag in LANGS[1:]), None)


def is_english_cell(cell) -> bool:
    return translation_of(cell) == EN_TAG


def _translations(cells: list, i: int) -> set[str]:
    """The languages the Markdown cells right after cell `i` translate it into."""
    found = set()
    for cell in cells[i + 1 :]:
        lang = translation_of(cell)
        if lang is None:
            break
        found.add(lang)
    return found


def cells_for(cells: list, lang: str) -> list:
    """The cells a report in `lang` shows: every cell that is not a translation, except that a
    Chinese Markdown cell followed by its translation into `lang` gives way to that translation;
    translations into other languages are dropped."""
    check_lang(lang)
    kept = []
    for i, cell in enumerate(cells):
        into = translation_of(cell)
        if into is not None:
            if into == lang:
                kept.append(cell)
        elif not (cell.get("cell_type") == "markdown" and lang in _translations(cells, i)):
            kept.append(cell)
    return kept


def untranslated_cells(cells: list, lang: str = EN_TAG) -> list[str]:
    """The Chinese Markdown cells with no `lang` cell after them (first line of each)."""
    out = []
    for i, cell in enumerate(cells):
        if cell.get("cell_type") != "markdown" or translation_of(cell) or not _has_chinese(cell.get("source", "")):
            continue
        if lang not in _translations(cells, i):
            out.append(_source(cell).strip().splitlines()[0])
    return out


def _source(cell) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _has_chinese(text) -> bool:
    text = "".join(text) if isinstance(text, list) else text
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)

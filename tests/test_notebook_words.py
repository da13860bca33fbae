"""A notebook's words are its own: Chinese in its cells, English in the catalog beside it.

These tests read the stored notebooks (no execution): every text a code cell passes to `_()` has
an English translation in `NN-name.en.yml`, every Chinese Markdown cell has an `en` cell after it,
no catalog entry is left over from text that is gone, and no notebook looks words up by key.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from metroanalysis import i18n

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]-*.ipynb"))


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def code(path: Path) -> str:
    return "\n".join("".join(c["source"]) for c in cells(path) if c["cell_type"] == "code")


def catalog(path: Path) -> dict[str, str]:
    return i18n.read_catalog(i18n.catalog_path(path, "en"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_text_a_notebook_translates_has_an_english_entry(path):
    known = catalog(path)
    missing = [t for t in i18n.translatable(code(path)) if " ".join(t.split()) not in known]
    assert not missing, f"{path.name}: no English for {missing}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_chinese_markdown_cell_is_followed_by_its_english(path):
    assert not i18n.untranslated_cells(cells(path)), f"{path.name}: Markdown cells without an `en` cell after them"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_english_entries_and_placeholders_match_the_chinese(path):
    used = {" ".join(t.split()) for t in i18n.translatable(code(path))}
    entries = catalog(path)
    stale = sorted(set(entries) - used)
    assert not stale, f"{path.name}: catalog entries no code uses (edited or removed Chinese?): {stale}"
    wrong = {k: v for k, v in entries.items() if i18n.fields(k) != i18n.fields(v)}
    assert not wrong, f"{path.name}: placeholders differ between Chinese and English: {wrong}"
    assert not [v for v in entries.values() if re.search(r"[\u4e00-\u9fff]", v)], "Chinese left in English"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_notebook_looks_its_words_up_by_key(path):
    source = code(path)
    assert "labels.t(" not in source and "translator(lang)" not in source
    assert not re.search(r"""\bT\(\s*["'][a-z]\.""", source), "a translation key such as T('c.apps')"
    assert f'translator("{path.stem}"' in source, "the notebook reads its own catalog"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_notebook_has_its_narrative_in_markdown(path):
    markdown = [c for c in cells(path) if c["cell_type"] == "markdown" and not i18n.is_english_cell(c)]
    headings = [c for c in markdown if "".join(c["source"]).lstrip().startswith("#")]
    assert len(markdown) >= 4 and headings, f"{path.name}: the narrative belongs in Markdown cells"
    assert "".join(markdown[0]["source"]).lstrip().startswith("# "), "the first cell is the report's title"


def test_a_missing_translation_shows_the_chinese_never_a_key():
    _ = i18n.Translator("en", {"各渠道预约量": "Bookings by channel"})
    assert _("各渠道预约量") == "Bookings by channel"
    assert _("{month} 没有翻译的句子", month="April 2021") == "April 2021 没有翻译的句子"
    assert _.missing == ["{month} 没有翻译的句子"]
    assert i18n.Translator("zh", {"各渠道预约量": "x"})("各渠道预约量") == "各渠道预约量"


def test_the_english_cell_replaces_the_chinese_one_only_in_english():
    zh = {"cell_type": "markdown", "metadata": {}, "source": "## 渠道"}
    en = {"cell_type": "markdown", "metadata": {"tags": ["en"]}, "source": "## Channels"}
    lone = {"cell_type": "markdown", "metadata": {}, "source": "没有翻译"}
    code_cell = {"cell_type": "code", "metadata": {}, "source": "x = 1"}
    assert i18n.cells_for([zh, en, code_cell, lone], "zh") == [zh, code_cell, lone]
    assert i18n.cells_for([zh, en, code_cell, lone], "en") == [en, code_cell, lone]
    assert i18n.untranslated_cells([zh, en, code_cell, lone]) == ["没有翻译"]


def test_translatable_reads_the_literal_texts_passed_to_the_translator():
    source = '_("{month} 各渠道预约量", month=when)\nx = f(_(\'医院\'))\n_(name)\nfoo_("不是")'
    assert i18n.translatable(source) == ["{month} 各渠道预约量", "医院"]

"""English says what Chinese says: an English page shows no Chinese, a Chinese page's quality
tables show no English sentence.

The English pages are every report of the month (`reports/MONTH/en/*.html`), the month's
index, and the pages across months (`reports/entities/en/`, `reports/quality/en/`), as
`metroanalysis run --lang zh,en` builds them (the suite's `built_project`). Chinese may stay
on an English page in two places only, both visible in the markup:

- a name the registry gives no English (`name_en` empty in data/reference/entities.csv), or a
  printed name the registry does not know (an `unmatched` row of quality.csv): there is no
  English to show, and a name is never guessed;
- a deliberate quote of the bulletin or the other language, marked `lang="zh"` on its element
  (HTML's own way of saying a passage is in another language): a printed word such as 合计 or
  未反馈 the reader can find in the bulletin, a name as printed, the link to the Chinese page.
  Quotes are short: a marked passage of more than `QUOTE_MAX` characters is a sentence left
  untranslated, not a quote.

A failure names the page and shows each offending text with the words around it, and says
where its English belongs.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from metroanalysis.i18n import Translator

MONTH = "2021-04"
CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]+")
QUOTE_MAX = 40  # characters: 02's printed status of a platform is the longest quote a page may keep
# Two sentences run together ("54 agree.First to read"): a sentence's end directly followed by
# the next one's capital. Joined by `Translator.sentences`, they get the language's space.
RUN_TOGETHER = re.compile(r"[a-z0-9)”][.;:!?][A-Z][a-z]")
WHERE_ENGLISH_GOES = (
    "translate it (a notebook's text: notebooks/NN-name.en.yml or its `en` Markdown cell; a page"
    " template's: src/metroanalysis/publish/templates/en.yml), show the registry's name_en for a name, or,"
    ' for a deliberate quote of the bulletin, mark its element lang="zh"'
)
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Reader(HTMLParser):
    """What a reader sees of a page (text, and the alt text of images), split into the text in
    the page's language and the passages marked `lang="zh…"`."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, inside a zh passage)
        self.text: list[str] = []
        self.quotes: list[str] = []
        self.skip = 0  # inside <style> or <script>

    def _zh(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        (self.quotes if self._zh() else self.text).append(" ")  # a tag parts words, as a browser's boxes do
        if tag in ("style", "script"):
            self.skip += 1
        if tag == "img" and attrs.get("alt"):
            (self.quotes if self._zh() else self.text).append(" " + attrs["alt"] + " ")
        if tag in _VOID:
            return
        lang = attrs.get("lang")
        zh = self._zh() if lang is None else lang.lower().startswith("zh")
        if zh and not self._zh():
            self.quotes.append("\0")  # a new quote starts
        self.stack.append((tag, zh))

    def handle_endtag(self, tag):
        (self.quotes if self._zh() else self.text).append(" ")
        if tag in ("style", "script"):
            self.skip = max(0, self.skip - 1)
        for i in range(len(self.stack) - 1, -1, -1):  # tolerate unclosed elements
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if self.skip:
            return
        if self._zh():
            self.quotes.append(data)
        else:
            self.text.append(data)


def read_page(path: Path) -> tuple[str, list[str]]:
    """(the visible text outside marked quotes, spaces folded; each marked quote)."""
    reader = _Reader()
    reader.feed(path.read_text(encoding="utf-8"))
    text = re.sub(r"\s+", " ", "".join(reader.text))
    quotes = [" ".join(q.split()) for q in "".join(reader.quotes).split("\0")]
    return text, [q for q in quotes if q]


def names_without_english(root: Path) -> set[str]:
    """Names that may stay Chinese: the registry's names with no name_en, and the names each
    month's quality.csv lists as not in the registry."""
    entities = pd.read_csv(root / "data" / "reference" / "entities.csv", dtype=str, keep_default_na=False)
    names = set(entities.loc[entities["name_en"].str.strip() == "", "name_zh"])
    for quality in (root / "data" / "processed").glob("*/quality.csv"):
        q = pd.read_csv(quality, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        names |= set(q.loc[q["status"] == "unmatched", "entity"])
    return {n for n in names if n}


def chinese_left(text: str, allowed: set[str]) -> list[str]:
    """Each run of Chinese in `text` that is not an allowed name, with 30 characters around it."""
    for name in sorted(allowed, key=len, reverse=True):
        text = text.replace(name, " " * len(name))
    return [f"…{text[max(0, m.start() - 30) : m.end() + 30].strip()}…" for m in CHINESE.finditer(text)]


def english_pages(root: Path) -> list[Path]:
    reports = root / "reports"
    pages = [
        *sorted((reports / MONTH / "en").glob("*.html")),
        *sorted((reports / "entities" / "en").glob("*.html")),
        *sorted((reports / "quality" / "en").glob("*.html")),
        *sorted((reports / "en").glob("*.html")),  # a site index in English, once there is one
    ]
    return pages


def faults(root: Path, pages: list[Path]) -> list[str]:
    allowed = names_without_english(root)
    found = []
    for page in pages:
        text, quotes = read_page(page)
        name = page.relative_to(root).as_posix()
        found += [f"{name}: Chinese {s}" for s in chinese_left(text, allowed)]
        found += [
            f"{name}: a marked quote longer than {QUOTE_MAX} characters: {q!r}" for q in quotes if len(q) > QUOTE_MAX
        ]
        found += [
            f"{name}: two sentences run together: …{text[max(0, m.start() - 30) : m.end() + 20]}…"
            for m in RUN_TOGETHER.finditer(text)
        ]
    return found


@pytest.mark.slow
def test_every_english_page_is_english(built_project):
    pages = english_pages(built_project)
    names = {p.relative_to(built_project / "reports").as_posix() for p in pages}
    # every report, the month's index and both pages across months are there to be read
    assert {f"{MONTH}/en/{n}.html" for n in ("index", "01-channel-shares", "04-data-quality", "05-trends")} <= names
    assert {"entities/en/index.html", "quality/en/index.html"} <= names
    found = faults(built_project, pages)
    assert not found, f"{len(found)} untranslated texts on English pages ({WHERE_ENGLISH_GOES}):\n" + "\n".join(found)


def test_the_check_names_chinese_a_quote_too_long_and_sentences_run_together(tmp_path):
    """The check above can fail: each fault it looks for, on a page made to have it."""
    (tmp_path / "data" / "reference").mkdir(parents=True)
    (tmp_path / "data" / "reference" / "entities.csv").write_text(
        "entity_id,name_zh,name_en\nH001,南京鼓楼医院,Nanjing Drum Tower Hospital\nH999,某医院,\n", encoding="utf-8"
    )
    page = tmp_path / "reports" / "p.html"
    page.parent.mkdir(parents=True)
    page.write_text(
        "<html><head><style>.x{content:'中'}</style></head><body><p>Bookings at 南京鼓楼医院 and 某医院.</p>"
        '<p>The total (<span lang="zh">合计</span>) is printed. 54 agree.First to read.</p>'
        f'<p lang="zh-CN">{"很长的未翻译句子" * 6}</p><img alt="图表 bookings" src="x.png"></body></html>',
        encoding="utf-8",
    )
    found = faults(tmp_path, [page])
    assert any("Chinese …Bookings at 南京鼓楼医院" in f for f in found), found  # a name that has English
    assert not any("某医院" in f for f in found), found  # a registry name with no English
    assert not any("合计" in f for f in found), found  # a marked quote
    assert not any("中" in f for f in found), found  # style is not text
    assert any("quote longer" in f for f in found), found
    assert any("run together: …" in f and "agree.First" in f for f in found), found
    assert any("图表" in f for f in found), found  # alt text is read too


def test_sentences_join_in_the_readers_language():
    zh, en = Translator("zh"), Translator("en", {"甲。": "First.", "乙。": " Second."})
    assert zh.sentences(zh("甲。"), zh("乙。")) == "甲。乙。"
    assert en.sentences(en("甲。"), en("乙。")) == "First. Second."
    assert en.sentences("First.", "", None, "Second.") == "First. Second."


# ---------------------------------------------------------------------------------------------
# The quality pages: check messages and column titles in the reader's language

# Latin words a Chinese page may show: ids (field, table and rule names, entity ids), file
# names and paths, and names of formats, programs and keys (a repair's message names them).
LATIN = re.compile(r"[A-Za-z][A-Za-z0-9_./-]*")
LATIN_ALLOWED = {"CSV", "Excel", "git", "metroanalysis", "GB18030", "DOS", "BOM", "Word", "Shift", "Enter", "U", "TAB"}


def english_words(text: str) -> list[str]:
    """The Latin words of `text` that are words of English, not ids or file names."""
    from metroanalysis.clean import schema

    ids = set(schema.FIELD_METADATA) | set(schema.TABLES)
    return [w for w in LATIN.findall(text) if not re.search(r"[._/-]\w", w) and w not in ids | LATIN_ALLOWED]


def table_text(path: Path) -> list[str]:
    """The text of each table on a page (the quality page's and a report's), without the
    passages marked lang="zh" (quotes)."""
    import lxml.html

    page = lxml.html.fromstring(path.read_text(encoding="utf-8"))
    for quote in page.xpath("//table//*[starts-with(@lang, 'zh')]"):
        quote.drop_tree()
    return [" ".join(t.text_content().split()) for t in page.xpath("//table")]


def test_every_message_of_quality_csv_is_written_in_chinese_with_its_english_in_the_catalog():
    from metroanalysis import i18n
    from metroanalysis.i18n import messages

    catalog = i18n.read_catalog(messages.CATALOG)
    for rule, template in messages.MESSAGES.items():
        english = catalog.get(" ".join(template.split()))
        assert english, f"messages.MESSAGES[{rule!r}] has no English in messages.en.yml: {template!r}"
        assert i18n.fields(english) == i18n.fields(template), f"{rule}: placeholders differ: {english!r}"
        assert not CHINESE.search(english), f"{rule}: Chinese left in its English: {english!r}"
        words = english_words(re.sub(r"\{\w+\}", "", template))
        assert not words, f"{rule}: English words in its Chinese: {words}"


def test_quality_csv_keeps_english_messages_and_adds_the_chinese(built_project):
    quality = pd.read_csv(built_project / "data" / "processed" / MONTH / "quality.csv", encoding="utf-8-sig")
    total = quality[quality["rule"] == "printed_total_equals_sum"].iloc[0]
    # the machine-stable column: the same English words as before the Chinese was added
    assert total["message"] == f"printed total of {total['column']} against the sum of 49 rows"
    assert total["message_zh"] == f"原文合计（{total['column']}）与 49 行之和比较"
    assert quality["message_zh"].notna().all()  # every check of the shipped month says it in Chinese


@pytest.mark.slow
def test_the_quality_pages_show_each_check_in_the_readers_language(built_project):
    reports = built_project / "reports"
    found = []
    for page in (reports / "quality" / "index.html", reports / MONTH / "04-data-quality.html"):
        for table in table_text(page):
            if words := english_words(table):
                found.append(f"{page.relative_to(reports)}: English on a Chinese page: {sorted(set(words))}")
    for page in (reports / "quality" / "en" / "index.html", reports / MONTH / "en" / "04-data-quality.html"):
        for table in table_text(page):
            found += [f"{page.relative_to(reports)}: Chinese {s}" for s in chinese_left(table, set())]
    assert not found, "\n".join(found)
    zh = " ".join(table_text(reports / "quality" / "index.html"))
    en = " ".join(table_text(reports / "quality" / "en" / "index.html"))
    assert "原文合计（payment_amount_yuan）与 49 行之和比较" in zh  # line 1191's check, in Chinese
    assert "printed total of payment_amount_yuan against the sum of 49 rows" in en


def test_did_not_report_is_never_translated_as_reported_none():
    """没有报告/未报告 says a figure was not reported (missing), not that none were reported (0):
    en 03 once read "Qinhuai District reported no hypertension or diabetes records"."""
    from metroanalysis import i18n

    notebooks = Path(__file__).resolve().parents[1] / "notebooks"
    wrong = []
    for catalog in sorted(notebooks.glob("*.en.yml")):
        for chinese, english in i18n.read_catalog(catalog).items():
            if re.search("没有报告|未报告", chinese) and re.search(r"\breported no\b", english):
                wrong.append(f"{catalog.name}: {chinese!r} → {english!r}")
    assert not wrong, "\n".join(wrong)


def test_a_repair_and_a_check_are_told_in_the_readers_language_on_the_quality_page(tmp_path):
    """Damage read back (a pasted BOM, cells on one line, a line-end mark) and a failed check
    reach the quality page in Chinese on the Chinese page and in English on the English one."""
    from metroanalysis.clean.checks import compare
    from metroanalysis.i18n.messages import said
    from metroanalysis.parse.bulletin import repair_rows
    from metroanalysis.publish import quality_page
    from metroanalysis.read.text import split_lines

    repairs = []
    lines = split_lines("标题\n\ufeff南京鼓楼医院\t196143\t1\n合计 2\x1a", repairs)
    check = said("printed_total_equals_sum", column="payments", n=2)
    rows = [
        *repair_rows(repairs, lines),
        compare("printed_total_equals_sum", "kiosk_usage", "合计", "payments", 3, 2, 9, check),
    ]
    assert {r["rule"] for r in rows} >= {"bom_removed", "cells_split", "eof_mark_removed"}
    quality = pd.DataFrame(rows).assign(month=MONTH)
    for lang in ("zh", "en"):
        messages = [f.message for f in quality_page.not_ok(quality, {}, tmp_path, lang)]
        assert len(messages) == len(rows)
        if lang == "zh":
            assert not [m for m in messages if english_words(m)], messages
        else:
            assert not [m for m in messages if CHINESE.search(m)], messages


def test_printed_names_are_shown_by_the_registrys_english_and_as_printed_in_chinese():
    from metroanalysis.analysis import labels

    reference = Path(__file__).resolve().parents[1] / "data" / "reference"
    entities = pd.read_csv(reference / "entities.csv", dtype="string")
    aliases = pd.read_csv(reference / "aliases.csv", dtype="string")
    english = labels.printed_names(entities, aliases, "en")
    assert english["南大学附属中大医院"] == "Zhongda Hospital, Southeast University"  # an alias (booking table)
    assert english["南京鼓楼医院"] == "Nanjing Drum Tower Hospital"
    assert english["合计"] == "Total" and english["电话预约"] == "Phone bookings"
    assert labels.printed_names(entities, aliases, "zh") == {}  # a Chinese page keeps the printed name

"""The HTML export of an executed notebook, per language: the language's Markdown cells, the
title from its first level-1 heading, chart alt text, the notice on generated months, and the
page's words from templates/en.yml. Exports notebooks built here with outputs already in them
(no kernel), so the export is tested alone."""

from __future__ import annotations

import base64
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from metroanalysis import i18n
from metroanalysis.publish import export

MONTH = "2021-04"
TEMPLATES = Path(export.__file__).parent / "templates"
# A 1×1 PNG: what a chart output carries, as base64.
PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cf"
        "c0f01f0005000201d2b4a3a70000000049454e44ae426082"
    )
).decode()


def chart(alt: str | None) -> dict:
    meta = {"metroanalysis": {"alt": alt}} if alt is not None else {}
    return new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"}, metadata=meta)


def executed() -> object:
    english = new_markdown_cell("# Booking channels\n\nEach channel's share of all bookings.")
    english.metadata["tags"] = ["en"]
    hidden = new_markdown_cell("# 不显示的标题")
    hidden.metadata["tags"] = ["remove-cell"]
    code = new_code_cell("plot()")
    code.outputs = [chart("2021年4月 各渠道预约占比 — 诊间预约最多 <b>&</b>"), chart(None)]
    finding = new_code_cell("finding()")
    finding.outputs = [
        new_output(
            "display_data",
            data={"text/markdown": "诊间预约占比最高"},
            metadata={"metroanalysis": {"finding": "诊间预约占比最高"}},
        )
    ]
    nb = new_notebook(
        cells=[hidden, new_markdown_cell("# 预约渠道占比\n\n各渠道预约量的占比。"), english, code, finding]
    )
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def export_page(tmp_path, lang: str, synthetic: bool = False) -> tuple[str, str, str | None]:
    path = tmp_path / lang / "01-channels.html"
    task = SimpleNamespace(month=MONTH, lang=lang, synthetic=synthetic)
    title, finding = export.write_report(executed(), path, task)
    return path.read_text(encoding="utf-8"), title, finding


def test_the_chinese_page_shows_the_chinese_cells_and_their_title(tmp_path):
    page, title, finding = export_page(tmp_path, "zh")
    assert title == "预约渠道占比" and finding == "诊间预约占比最高"
    assert '<html lang="zh"' in page and "<title>预约渠道占比</title>" in page
    assert "各渠道预约量的占比" in page and "Each channel's share" not in page
    assert "不显示的标题" not in page
    assert "2021年4月 全部报告" in page and "南京卫生信息月报" in page


def test_the_english_page_shows_the_english_cells_and_their_title(tmp_path):
    page, title, _ = export_page(tmp_path, "en")
    assert title == "Booking channels"
    assert '<html lang="en"' in page and "<title>Booking channels</title>" in page
    assert "Each channel's share of all bookings" in page and "各渠道预约量的占比" not in page
    assert "All reports for April 2021" in page and "Nanjing health-information bulletin" in page


def test_a_chart_carries_its_alt_text_escaped_and_one_without_keeps_nbconverts(tmp_path):
    page, *_ = export_page(tmp_path, "zh")
    alts = re.findall(r'<img [^>]*alt="([^"]*)"', page)
    assert alts == [
        "2021年4月 各渠道预约占比 — 诊间预约最多 &lt;b&gt;&amp;&lt;/b&gt;",
        "No description has been provided for this image",
    ]


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_a_generated_month_says_so_at_the_top_of_every_page(tmp_path, lang):
    page, *_ = export_page(tmp_path, lang, synthetic=True)
    notice = i18n.translator(TEMPLATES, lang)("注意：本月数据是 metroanalysis synth 生成的测试数据，不是真实公报。")
    assert notice in page
    assert page.index("<body") < page.index(notice) < page.index("<img ")  # at the top, before any chart
    real, *_ = export_page(tmp_path, lang, synthetic=False)
    assert notice not in real


def test_a_notebook_without_a_heading_keeps_the_old_titles():
    shown = new_code_cell("nb.title(...)")
    shown.outputs = [
        new_output(
            "display_data", data={"text/markdown": "# 标题"}, metadata={"metroanalysis": {"title": "显示的标题"}}
        )
    ]
    nb = new_notebook(cells=[shown])
    assert export.notebook_title(nb, export.shown_cells(nb.cells, "zh"), "01-x") == "显示的标题"
    nb = new_notebook(cells=[new_code_cell("1")], metadata={"title": "元数据标题"})
    assert export.notebook_title(nb, nb.cells, "01-x") == "元数据标题"
    assert export.notebook_title(new_notebook(cells=[]), [], "01-x") == "01-x"


def test_every_word_of_the_page_templates_has_an_english_translation():
    catalog = i18n.read_catalog(TEMPLATES / "en.yml")
    words = {text for t in sorted(TEMPLATES.glob("*.j2")) for text in i18n.translatable(t.read_text(encoding="utf-8"))}
    assert len(words) > 15  # the templates' words were found
    missing = sorted(w for w in words if " ".join(w.split()) not in catalog)
    assert missing == []
    for text in words:  # the same placeholders in both languages
        assert i18n.fields(text) == i18n.fields(catalog[" ".join(text.split())]), text

"""Web-page and Word versions of a text bulletin, in the styles people really receive, and the
broken ones: for the format tests.

The writing itself is the library's (`metroanalysis.synth.formats`, which `synth` uses too):
merges are marked as a site and Word mark them. Here: which styles to build, and how to break a
document (a cell that is not a number, a row cut short, a page cut off, a login page).
"""

from __future__ import annotations

from dataclasses import replace

from metroanalysis.read.document import Document, Table, TableCell
from metroanalysis.synth.formats import CHROME_NUMBERS, PageStyle, WordStyle, document_from_text, to_docx, to_html

__all__ = ["CHROME_NUMBERS", "LOGIN_PAGE", "PAGES", "WORDS", "broken_cell", "document_from_text", "short_row"]

# name → (style, file suffix); the first of each kind runs in the quick suite.
PAGES: dict[str, PageStyle] = {
    # a modern site saved with "网页，仅 HTML": UTF-8, declared, chrome all round
    "utf8": PageStyle(),
    # an old site: GB18030 bytes declared gb2312 the old way, the page laid out in a table, every
    # cell wrapped in <p><span>, &nbsp; and full-width spaces round numbers, titles inside the
    # tables, headers broken with <br>, paragraphs indented and wrapped in the source, CRLF
    "gb18030": PageStyle(
        encoding="gb18030",
        declared="gb2312",
        http_equiv=True,
        wrap="p",
        padding=True,
        header_breaks=True,
        tbody=True,
        layout_table=True,
        indent=True,
        wrap_source=True,
        crlf=True,
        captions_in_tables=True,
    ),
    # GB18030 bytes declared the HTML5 way
    "gb18030-meta-charset": PageStyle(encoding="gb18030", declared="gb18030"),
    # GB18030 bytes that say they are UTF-8 (a page re-saved without its declaration changed)
    "gb18030-declared-utf8": PageStyle(encoding="gb18030", declared="utf-8", wrap="font"),
    # GB18030 bytes with no declaration at all
    "gb18030-undeclared": PageStyle(encoding="gb18030", declared=None, wrap="span", padding=True),
    # UTF-8 bytes that say they are gbk; the vertical labels without <br>
    "utf8-declared-gbk": PageStyle(declared="gbk", http_equiv=True, label_breaks=False),
    # no chrome, nothing but the article
    "bare": PageStyle(chrome=False),
}
WORDS: dict[str, WordStyle] = {
    "docx": WordStyle(),
    # the label one paragraph in a vertical cell, headers broken with Shift+Enter, padded numbers
    "docx-vertical": WordStyle(label_paragraphs=False, label_vertical=True, header_breaks=True, padding=True),
}


def page(text: str, name: str) -> bytes:
    return to_html(document_from_text(text), PAGES[name])


def word(text: str, name: str) -> bytes:
    return to_docx(document_from_text(text), WORDS[name])


def cells_of(document: Document):
    """(block index, row index, cell index, cell) of every table cell."""
    for b, block in enumerate(document.blocks):
        if isinstance(block, Table):
            for r, row in enumerate(block.rows):
                for c, cell in enumerate(row):
                    yield b, r, c, cell


def with_rows(document: Document, b: int, rows: list[list[TableCell]]) -> Document:
    blocks = list(document.blocks)
    blocks[b] = Table(rows, blocks[b].place)
    return replace(document, blocks=blocks)


def broken_cell(document: Document, row_text: str, column: int, text: str) -> Document:
    """The document with cell `column` (0-based, as marked up) of the first row holding a cell
    `row_text` set to `text`."""
    b, r = next((b, r) for b, r, _, cell in cells_of(document) if cell.text == row_text)
    rows = [list(row) for row in document.blocks[b].rows]
    rows[r][column] = replace(rows[r][column], text=text)
    return with_rows(document, b, rows)


def short_row(document: Document, row_text: str) -> Document:
    """The document with the row holding a cell `row_text` one cell short (its last one lost)."""
    b, r = next((b, r) for b, r, _, cell in cells_of(document) if cell.text == row_text)
    rows = [list(row) for row in document.blocks[b].rows]
    rows[r] = rows[r][:-1]
    return with_rows(document, b, rows)


# A saved login page: the site's chrome and a form, numbers everywhere, no bulletin.
LOGIN_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>用户登录 - 南京卫生信息</title></head>
<body>
<ul class="menu"><li><a href="/">首页</a></li><li><a href="/tjsj/">统计数据</a></li></ul>
<form action="/login" method="post">
<p>用户名：<input name="u"></p><p>密码：<input type="password" name="p"></p>
<p>验证码：<input name="c"> 3861</p><button>登录</button>
</form>
<div id="footer">电话：025-83626620　邮编：210003　苏ICP备05004930号-1　浏览次数：7350918</div>
</body></html>
""".encode()

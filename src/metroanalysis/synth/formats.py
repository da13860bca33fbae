"""A text bulletin written as the web page and the Word file it came from: for synth and tests.

`document_from_text` reads the text layout (TAB-prefixed cells, a blank line ending a row, a
vertical label one character per line) into a `Document`, marking merges as a site and Word
mark them: the section label (医疗单位, 各区) one cell spanning its rows, the 合计 label spanning
the serial and name columns, a two-row header's first cells spanning both rows and its group
spanning its sub-columns. `to_html` and `to_docx` write that document; their styles make the
awkward pages and files people really save (site chrome with numbers, cells wrapped in <p>,
<span> and <font>, &nbsp; and full-width spaces, charsets declared, wrongly or not at all).
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from dataclasses import dataclass

from metroanalysis.read.document import Document, Paragraph, Place, Table, TableCell

_CJK_CHAR = re.compile("[\u3400-\u9fff]")
_NUMBER = re.compile(r"^[\d.,/]+$|^未反馈/\d+$")


def document_from_text(text: str) -> Document:
    """The text bulletin's paragraphs and tables, merges marked as a site or Word marks them."""
    blocks: list[Paragraph | Table] = []
    rows: list[tuple[str, list[str]]] | None = None
    row: list[str] | None = None
    label = pending = ""

    def end_row() -> None:
        nonlocal row, pending, label
        if row is not None and len(row) == 1 and len(row[0]) == 1 and _CJK_CHAR.match(row[0]):
            label = pending + row[0]  # the label's first character, printed in a cell of its own
        elif row is not None:
            rows.append((pending, row))
        row, pending = None, ""

    def end_table() -> None:
        nonlocal rows
        end_row()
        if rows:
            blocks.append(table_from_rows(rows))
        rows = None

    for line in re.split(r"\r\n|\r|\n", text):
        if line.startswith("\t"):
            if rows is None:
                rows = []
            if row is None:
                row, pending, label = [], label, ""
            row.append(line.strip(" \t\u3000\u00a0"))
        elif not line.strip():
            end_row()
        elif rows is not None and len(line.strip()) == 1 and _CJK_CHAR.match(line.strip()):
            label += line.strip()  # a character of a vertical label
        else:
            end_table()
            blocks.append(Paragraph(line.strip(" \u3000\u00a0"), Place()))
    end_table()
    return Document(blocks)


def is_total(text: str) -> bool:
    return re.sub(r"\s", "", text).startswith(("合计", "总计"))


def table_from_rows(rows: list[tuple[str, list[str]]]) -> Table:
    """Rows of (vertical label starting here, printed cells) as marked-up cells with spans."""
    specs: list[list[list]] = [[[t, 1, 1] for t in cells] for _, cells in rows]
    for i, (label, _) in enumerate(rows):
        if not label:
            continue
        n = 1
        while i + n < len(rows) and not rows[i + n][0] and specs[i + n] and specs[i + n][0][0] == "":
            del specs[i + n][0]  # the empty cell the label reaches down into
            n += 1
        specs[i].insert(0, [label, n, 1])
    width = max(sum(c[2] for c in s) for s in specs)
    for i, spec in enumerate(specs):
        covered = sum(1 for j in range(i) for c in specs[j] if c[1] > i - j) if i else 0
        k = len(spec) + covered
        if k >= width or not spec:
            continue
        below = specs[i + 1] if i + 1 < len(specs) else []
        m = next((n for n, c in enumerate(below) if c[0] != ""), len(below))
        if 0 < m < len(spec) and len(below) == width:  # a two-row header: the first cells span both rows
            for c in spec[:m]:
                c[1] = 2
            del below[:m]
            spec[-1][2] = width - len(spec) + 1
        else:  # 合计 across the serial and name columns, a label across the label column …
            spec[0][2] = width - k + 1
    cells = [[TableCell(t, Place(), rs, cs) for t, rs, cs in spec] for spec in specs]
    return Table(cells, Place())


@dataclass(frozen=True)
class PageStyle:
    """How a site marks up the page and how it was saved."""

    encoding: str = "utf-8"  # the bytes written
    declared: str | None = "utf-8"  # the charset the page declares; None: no declaration
    http_equiv: bool = False  # declared the old way: <meta http-equiv="Content-Type" content="…">
    chrome: bool = True  # menus, a sidebar, the publish date and visit counter, the footer
    wrap: str = ""  # what each cell's text is wrapped in: "", "p", "span" or "font"
    padding: bool = False  # &nbsp; and full-width spaces around numbers and in empty cells
    label_breaks: bool = True  # the vertical label with <br> between its characters
    header_breaks: bool = False  # header cells broken with <br> (挂号<br>（次）)
    tbody: bool = False
    layout_table: bool = False  # the whole page laid out in a table (the bulletin's tables inside it)
    indent: bool = False  # paragraphs indented with two full-width spaces
    wrap_source: bool = False  # long paragraphs broken across lines of the saved file
    crlf: bool = False  # Windows line ends
    captions_in_tables: bool = False  # each table's title set in its first row, across the table


# The site's chrome: every figure here is the site's, none is the bulletin's (tests look for them).
CHROME_NUMBERS = ("7350918", "88061", "025-83626620", "210003", "32010202000579", "05004930", "2021-05-25")


def chrome_parts() -> tuple[str, str, str, str]:
    """(top of the page, sidebar, the article's head, footer)."""
    top = (
        '<div class="top"><div class="login"><a href="/login">登录</a> | <a href="/reg">注册</a></div>\n'
        '<ul class="menu"><li><a href="/">首页</a></li><li><a href="/zxgk/">中心概况</a></li>'
        '<li><a href="/tjsj/">统计数据</a></li><li><a href="/wsxx/2021/">南京卫生信息 2021年第4期</a></li></ul></div>\n'
    )
    side = (
        '<div class="side"><h3>统计数据</h3><ul>'
        '<li><a href="/a/1.html">2021年3月预约挂号服务统计表</a></li>'
        '<li><a href="/a/2.html">2021年3月途径预约情况统计</a></li></ul>'
        "<p>累计访问 <span>88061</span> 人次</p></div>\n"
    )
    head = (
        '<h1>南京卫生信息</h1>\n<div class="info">发布时间：2021-05-25 09:31:07　来源：南京市卫生信息中心　'
        '浏览次数：<span id="hits">7350918</span><script>document.write("7350918")</script></div>\n'
    )
    foot = (
        '<div id="footer"><p>地址：南京市紫竹林3号　邮编：210003　电话：025-83626620</p>\n'
        '<p><a href="https://beian.miit.gov.cn/">苏ICP备05004930号-1</a>　苏公网安备 32010202000579号</p>\n'
        "<p>您是本站第 <font color=red>7350918</font> 位访客　浏览次数：88061</p></div>\n"
    )
    return top, side, head, foot


def to_html(document: Document, style: PageStyle = PageStyle()) -> bytes:
    """The document as a saved web page, in `style`."""
    from metroanalysis.parse.bulletin import is_heading

    body: list[str] = []
    for n, block in enumerate(document.blocks):
        if isinstance(block, Table):
            title = document.blocks[n - 1] if n else None
            if style.captions_in_tables and isinstance(title, Paragraph) and is_heading(title.text):
                body.pop()  # the title goes into the table's first row
                block = Table([[TableCell(title.text, Place(), 1, table_width(block))], *block.rows], block.place)
            body.append(html_table(block, style))
            continue
        text = html.escape(block.text)
        if is_heading(block.text):
            body.append(f'<p align="center"><strong><span style="font-size:16px">{text}</span></strong></p>')
        else:
            if style.wrap_source:
                text = re.sub(r"(，)(?=.{20})", "\\1\n    ", text)
            body.append(f"<p>{'　　' if style.indent else ''}{text}</p>")
    content = '<div class="content" id="zoom">\n' + "\n".join(body) + "\n</div>\n"
    top, side, head, foot = chrome_parts() if style.chrome else ("", "", "", "")
    if style.layout_table:
        page = (
            f'<table width="1000" align="center"><tr><td colspan="2">{top}</td></tr>\n'
            f'<tr><td width="200" valign="top">{side}</td><td valign="top">{head}{content}</td></tr>\n'
            f'<tr><td colspan="2">{foot}</td></tr></table>\n'
        )
    else:
        page = f'{top}<div class="main">{side}<div class="article">{head}{content}</div></div>\n{foot}'
    meta = ""
    if style.declared and style.http_equiv:
        meta = f'<meta http-equiv="Content-Type" content="text/html; charset={style.declared}">\n'
    elif style.declared:
        meta = f'<meta charset="{style.declared}">\n'
    text = (
        "<!DOCTYPE html>\n<html>\n<head>\n"
        f"{meta}<title>南京卫生信息</title>\n<style>td {{ border: 1px solid #000 }}</style>\n"
        f"</head>\n<body>\n{page}</body>\n</html>\n"
    )
    if style.crlf:
        text = text.replace("\n", "\r\n")
    return text.encode(style.encoding)


def table_width(table: Table) -> int:
    return max(c for _, c, _ in _ends(table))


def _ends(table: Table):
    for r, c, cell in placed(table):
        yield r, c + cell.colspan, cell


def html_table(table: Table, style: PageStyle) -> str:
    rows = []
    for r, row in enumerate(table.rows):
        cells = []
        for c, cell in enumerate(row):
            spans = (f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else "") + (
                f' colspan="{cell.colspan}"' if cell.colspan > 1 else ""
            )
            cells.append(f'<td{spans} align="center">{html_cell(cell, style, r == 0, c == 0)}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    inner = "\n".join(rows)
    if style.tbody:
        inner = f"<tbody>\n{inner}\n</tbody>"
    return f'<table border="1" cellspacing="0" cellpadding="0" style="border-collapse:collapse">\n{inner}\n</table>'


def html_cell(cell: TableCell, style: PageStyle, header: bool, first: bool) -> str:
    text = cell.text
    if first and cell.rowspan > 1 and len(text) <= 6 and all(_CJK_CHAR.match(ch) for ch in text) and not header:
        inner = ("<br>" if style.label_breaks else "").join(html.escape(ch) for ch in text)
    elif header and style.header_breaks and "（" in text:
        inner = "<br>".join(html.escape(p) for p in text.replace("（", "\n（").split("\n"))
    else:
        inner = html.escape(text)
    if style.padding:
        if not text:
            inner = "&nbsp;"
        elif _NUMBER.match(text):
            inner = f"&nbsp;{inner}\u3000"
    if style.wrap == "p":
        inner = f'<p align="center" style="margin:0"><span style="font-size:12px">{inner}</span></p>'
    elif style.wrap == "span":
        inner = f'<span style="font-family:宋体">{inner}</span>'
    elif style.wrap == "font":
        inner = f'<font face="宋体" size="2">{inner}</font>'
    return inner


@dataclass(frozen=True)
class WordStyle:
    """How the bulletin's Word file is laid out."""

    label_paragraphs: bool = True  # the vertical label one character per paragraph (else one paragraph)
    label_vertical: bool = False  # the label cell's text direction set to vertical
    header_breaks: bool = False  # header cells broken with Shift+Enter (挂号⏎（次）)
    padding: bool = False  # full-width spaces around numbers


def to_docx(document: Document, style: WordStyle = WordStyle()) -> bytes:
    """The document as a Word file, merged cells marked as Word marks them; the same document
    and style write the same bytes."""
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.table import _Cell

    out = docx.Document()
    out.core_properties.author = "metroanalysis"
    for block in document.blocks:
        if isinstance(block, Paragraph):
            out.add_paragraph(block.text)
            continue
        width = max(sum(c.colspan for c in row) for row in block.rows)
        grid = out.add_table(rows=len(block.rows), cols=width)
        grid.style = "Table Grid"
        # Each grid position's cell, taken once while the grid is whole: `grid.cell(r, c)` lays out
        # the whole table on every call (a 300-row table took seconds). Merging removes only cells
        # inside the merged area, which is never a target or a corner again.
        at = [[_Cell(tc, grid) for tc in tr.tc_lst] for tr in grid._tbl.tr_lst]
        for r, c, cell in placed(block):
            target = at[r][c]
            if cell.rowspan > 1 or cell.colspan > 1:
                target = target.merge(at[r + cell.rowspan - 1][c + cell.colspan - 1])
            word_cell(target, cell, style, r, c, OxmlElement, qn)
    buffer = io.BytesIO()
    out.save(buffer)
    return fixed_zip(buffer.getvalue())


def placed(table: Table):
    """(row, column, cell) of every marked-up cell, columns counted over the merged cells."""
    taken: set[tuple[int, int]] = set()
    for r, row in enumerate(table.rows):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            taken.update((r + dr, c + dc) for dr in range(cell.rowspan) for dc in range(cell.colspan))
            yield r, c, cell
            c += cell.colspan


def word_cell(target, cell: TableCell, style: WordStyle, r: int, c: int, element, qn) -> None:
    text = cell.text
    label = c == 0 and cell.rowspan > 1 and r > 0 and len(text) <= 6 and all(_CJK_CHAR.match(ch) for ch in text)
    if label and style.label_vertical:
        direction = element("w:textDirection")
        direction.set(qn("w:val"), "tbRlV")
        target._tc.get_or_add_tcPr().append(direction)
    if label and style.label_paragraphs:
        target.text = text[0]
        for ch in text[1:]:
            target.add_paragraph(ch)
        return
    if style.padding and _NUMBER.match(text):
        text = f"\u3000{text}\u3000"
    if r == 0 and style.header_breaks and "（" in text:
        head, _, rest = text.partition("（")
        target.text = ""
        run = target.paragraphs[0].add_run(head)
        run.add_break()
        target.paragraphs[0].add_run("（" + rest)
        return
    target.text = text


def fixed_zip(data: bytes) -> bytes:
    """The same archive with every member dated 1980-01-01, so equal inputs give equal bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(replace_date(info), src.read(info.filename))
    return out.getvalue()


def replace_date(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
    fixed.compress_type = zipfile.ZIP_DEFLATED
    return fixed

"""A saved web page (Ctrl-S, "网页，仅 HTML" or "网页，全部") read into a `Document`.

The page is parsed with lxml's HTML parser, never with patterns. Only the article is read: the
smallest element holding the first table title and the last table, so the site's chrome (menus,
the visit counter, the publish date, the footer's phone numbers and record numbers) never
reaches the parsers.
Tables are read with their merges (rowspan/colspan); a table that holds other tables is the
site's layout, and its cells are read as page content.
"""

from __future__ import annotations

import codecs
import re

import lxml.html
from lxml import etree

from metroanalysis.errors import BulletinError
from metroanalysis.read.document import Document, Headings, Paragraph, Place, Table, TableCell, join_pieces
from metroanalysis.read.text import decode_repaired, plausible

# Elements that are never the article's text: scripts, styles, navigation, page chrome, controls.
_CHROME = ("script", "style", "noscript", "template", "nav", "header", "footer", "aside", "iframe", "object")
_CONTROLS = ("select", "option", "button", "input", "textarea", "label")
_BLOCKS = {
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "blockquote", "pre",
    "section", "article", "main", "center", "address", "figure", "figcaption", "hr", "caption", "form", "body",
}  # fmt: skip
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_BREAK = "\x1e"  # a hard line break (<br>, a block's edge) while a paragraph's text is gathered
_STATS_OR_NEWS = re.compile(r"\s*(统计数据|简\s*讯)\s*")
_CJK = re.compile("[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares in <meta charset> or <meta http-equiv content="…charset=…">,
    looked for in its first 4 KiB as browsers do; None when absent or unknown."""
    m = _META_CHARSET.search(data[:4096])
    if not m:
        return None
    try:
        return codecs.lookup(m[1].decode("ascii")).name
    except LookupError:
        return None


def decode_page(data: bytes, path: str) -> tuple[str, str]:
    """The page's text. Valid UTF-8 is UTF-8 whatever the page says (a page saved by a browser
    is often re-encoded without its declaration being changed); otherwise the declared charset
    (gb2312 and gbk read as their superset GB18030) if the bytes are valid in it and read as a
    Chinese page; otherwise the same detection as a text bulletin."""
    body = data.removeprefix(b"\xef\xbb\xbf")
    try:
        text = body.decode("utf-8")
        if plausible(text):
            return text, "utf-8"
    except UnicodeDecodeError:
        pass
    declared = declared_charset(data)
    if declared in ("gb2312", "gbk", "euc_cn", "hz"):
        declared = "gb18030"
    if declared and declared != "utf-8":
        try:
            text = data.decode(declared)
            if plausible(text) and _CJK.search(text):
                return text, declared
        except UnicodeDecodeError:
            pass
    text, encoding, _ = decode_repaired(data, path)
    return text, encoding


def read_page(data: bytes, path: str, is_heading: Headings) -> Document:
    """The article's paragraphs and tables, each with its line in the saved file (the article is
    found by its table titles, told apart by `is_heading`)."""
    text, encoding = decode_page(data, path)
    # One line end for all (CR alone ends a line too), so the parser's line numbers are the file's.
    text = re.sub(r"\r\n?", "\n", _XML_DECLARATION.sub(lambda m: "\n" * m.group().count("\n"), text, count=1))
    if not text.strip():
        raise BulletinError("the page is empty", path=path)
    try:
        root = lxml.html.document_fromstring(text, parser=lxml.html.HTMLParser(remove_comments=True, remove_pis=True))
    except (etree.ParserError, ValueError) as err:
        raise BulletinError(f"cannot read the page as HTML ({err})", path=path) from None
    ordinals = {t: n for n, t in enumerate(root.iter("table"), start=1)}
    drop_chrome(root)
    container = article(root, is_heading)
    if container is None:
        raise BulletinError(
            "the page holds no bulletin: no table title such as 2021年4月预约挂号服务统计表"
            " (a login or error page saved instead of the article?)",
            path=path,
        )
    reader = _Reader(ordinals)
    reader.walk(container)
    reader.flush()
    return Document(reader.blocks, encoding)


def drop_chrome(root) -> None:
    """Remove what a reader of the article never sees as its text."""
    doomed = [
        el
        for el in root.iter(etree.Element)
        if el.tag in _CHROME
        or el.tag in _CONTROLS
        or el.get("hidden") is not None
        or _HIDDEN.search(el.get("style", ""))
    ]
    for el in doomed:
        if el.getparent() is not None:
            el.drop_tree()  # keeps the tail text, which belongs to the parent


def collapsed(text: str) -> str:
    """HTML's white space rule: a run of spaces and line ends is one space, and a line end
    between Chinese characters is nothing (Chinese sets no space between words). The
    no-break space (&nbsp;) and the full-width space are text, not white space, in HTML."""

    def one(m: re.Match) -> str:
        s, a, b = m.string, m.start(), m.end()
        before, after = s[a - 1 : a], s[b : b + 1]
        if "\n" in m.group() and (_CJK.match(before or " ") or _CJK.match(after or " ")):
            return ""
        return " "

    return re.sub(r"[ \t\n\f]+", one, text)


def article(root, is_heading: Headings):
    """The smallest element holding the first table title and the last table, or None when the
    page has no table title. Titles decide, not 统计数据 or 简讯, which a site may also use as
    the names of its menus; a title inside a link is the site's navigation, not the article."""
    titles = [el for el in root.iter(etree.Element) if is_title_element(el, is_heading)]
    if not titles:
        return None
    after = titles[-1].xpath("following::table[1]")  # the closing table (kiosks), after its title
    return common_ancestor(titles[0], after[0] if after else titles[-1])


def is_title_element(el, is_heading: Headings) -> bool:
    """The innermost element whose whole text is a table title, outside any link."""
    if el.tag in ("a", "html", "body", "table", "tr", "tbody", "thead") or any(
        a.tag == "a" for a in el.iterancestors()
    ):
        return False
    words = collapsed(el.text_content()).strip(" \u00a0\u3000")
    if len(words) > 60 or not is_heading(words) or _STATS_OR_NEWS.fullmatch(words):
        return False
    return not any(is_heading(collapsed(c.text_content()).strip(" \u00a0\u3000")) for c in el)


def common_ancestor(a, b):
    chain_a = [a, *a.iterancestors()][::-1]
    chain_b = [b, *b.iterancestors()][::-1]
    common = None
    for x, y in zip(chain_a, chain_b, strict=False):
        if x is not y:
            break
        common = x
    if common is a or common is b:
        return common.getparent() if common.getparent() is not None else common
    return common


class _Reader:
    """Walks the article in document order, gathering paragraphs and tables."""

    def __init__(self, ordinals: dict):
        self.ordinals = ordinals
        self.blocks: list[Paragraph | Table] = []
        self.buffer: list[str] = []
        self.line: int | None = None

    def add(self, text: str | None, line: int | None) -> None:
        if text:
            if self.line is None and text.strip(" \t\n\f"):
                self.line = line
            self.buffer.append(text)

    def flush(self) -> None:
        lines = [collapsed(x) for x in "".join(self.buffer).split(_BREAK)]
        text = "\n".join(x.strip(" ") for x in lines).strip("\n")
        if text.strip(" \n\u00a0\u3000"):
            self.blocks.append(Paragraph(text, Place(line=self.line)))
        self.buffer, self.line = [], None

    def walk(self, el) -> None:
        self.add(el.text, el.sourceline)
        for child in el:
            if not isinstance(child.tag, str):  # an entity or other node lxml keeps in the tree
                self.add(child.tail, child.sourceline)
                continue
            if child.tag == "table":
                self.flush()
                if is_layout(child):
                    for cell in own_cells(child):
                        self.walk(cell)
                        self.flush()
                else:
                    self.blocks.append(read_table(child, self.ordinals.get(child)))
            elif child.tag == "br":
                self.buffer.append(_BREAK)
            elif child.tag in _BLOCKS or child.tag in ("tr", "td", "th"):
                self.flush()
                self.walk(child)
                self.flush()
            else:
                self.walk(child)  # inline: <span>, <font>, <strong>, <a> …
            self.add(child.tail, child.sourceline)


def own_rows(table) -> list:
    return table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")


def own_cells(table) -> list:
    return [cell for row in own_rows(table) for cell in row if cell.tag in ("td", "th")]


def is_layout(table) -> bool:
    """A table the site lays its page out with: it holds other tables, or it is one cell."""
    cells = own_cells(table)
    return len(cells) <= 1 or any(cell.find(".//table") is not None for cell in cells)


def span(cell, name: str) -> int:
    """rowspan/colspan as browsers read them: a number from 1 up, anything else 1."""
    m = re.match(r"\s*(\d+)", cell.get(name, ""))
    return min(max(int(m[1]), 1), 1000) if m else 1


def read_table(table, ordinal: int | None) -> Table:
    rows, taken = [], set()
    for r, tr in enumerate(own_rows(table)):
        cells, c = [], 0
        for td in tr:
            if td.tag not in ("td", "th"):
                continue
            while (r, c) in taken:
                c += 1
            rowspan, colspan = span(td, "rowspan"), span(td, "colspan")
            taken.update((r + dr, c + dc) for dr in range(rowspan) for dc in range(colspan))
            place = Place(line=td.sourceline, table=ordinal, row=r + 1, col=c + 1)
            cells.append(TableCell(cell_text(td), place, rowspan, colspan))
            c += colspan
        rows.append(cells)
    return Table(rows, Place(line=table.sourceline, table=ordinal))


def cell_text(td) -> str:
    """A cell's text, its lines (<br>, <p>) joined as they read."""
    reader = _Reader({})
    reader.walk(td)
    reader.flush()
    pieces = [line for block in reader.blocks if isinstance(block, Paragraph) for line in block.text.split("\n")]
    return join_pieces(pieces)

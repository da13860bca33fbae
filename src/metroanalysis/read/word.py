"""A Word file (.docx) read into a `Document` with python-docx.

The body's paragraphs and tables in document order (content controls opened); merged cells as
Word marks them: a horizontal merge is one cell with a grid span (w:gridSpan), a vertical merge
is a first cell (w:vMerge restart) and cells below it that continue it (w:vMerge without a
value). Text boxes, deleted text of tracked changes and field codes are not the text read.
"""

from __future__ import annotations

import io
import zipfile

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from lxml import etree

from metroanalysis.errors import BulletinError
from metroanalysis.read.document import Document, Paragraph, Place, Table, TableCell, join_pieces

_P, _TBL, _SDT, _SDT_CONTENT = qn("w:p"), qn("w:tbl"), qn("w:sdt"), qn("w:sdtContent")
_TR, _TC, _TC_PR = qn("w:tr"), qn("w:tc"), qn("w:tcPr")
# Parts of a paragraph whose text is not the paragraph's: deleted text, text boxes (their own
# paragraphs), the fallback copy of a drawing, field instructions.
_SKIP = {qn("w:del"), qn("w:txbxContent"), qn("w:instrText"), qn("w:delText")}
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


def read_word(data: bytes, path: str) -> Document:
    try:
        doc = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile, etree.XMLSyntaxError) as err:
        raise BulletinError(f"cannot open it as a Word .docx file ({err})", path=path) from None
    blocks: list[Paragraph | Table] = []
    paragraphs = tables = 0
    for el in body_items(doc.element.body):
        if el.tag == _P:
            paragraphs += 1
            blocks.append(Paragraph(paragraph_text(el), Place(paragraph=paragraphs)))
        else:
            tables += 1
            blocks.append(read_table(el, tables))
    return Document(blocks, "docx")


def body_items(parent):
    """Paragraphs and tables of the body in order, including those inside content controls."""
    for el in parent:
        if el.tag in (_P, _TBL):
            yield el
        elif el.tag == _SDT:
            content = el.find(_SDT_CONTENT)
            if content is not None:
                yield from body_items(content)


def paragraph_text(p) -> str:
    """The text Word shows for a paragraph; a line break (Shift+Enter) is "\\n"."""
    out: list[str] = []

    def visit(el) -> None:
        if el.tag in _SKIP or el.tag == _FALLBACK:
            return
        if el.tag == qn("w:t"):
            out.append(el.text or "")
        elif el.tag in (qn("w:br"), qn("w:cr")):
            out.append("\n")
        elif el.tag == qn("w:tab"):
            out.append(" ")
        elif el.tag == qn("w:noBreakHyphen"):
            out.append("-")
        for child in el:
            visit(child)

    visit(p)
    return "".join(out)


def cell_props(tc) -> tuple[int, str | None]:
    """(grid span, vertical merge: "restart", "continue" or None) of a w:tc."""
    pr = tc.find(_TC_PR)
    if pr is None:
        return 1, None
    span_el = pr.find(qn("w:gridSpan"))
    span = int(span_el.get(qn("w:val"), "1")) if span_el is not None else 1
    vm = pr.find(qn("w:vMerge"))
    merge = None if vm is None else vm.get(qn("w:val"), "continue")
    return max(span, 1), merge


def read_table(tbl, ordinal: int) -> Table:
    """Rows of marked cells with their spans; a vertical merge becomes the first cell's rowspan."""
    grid: list[list[tuple[int, int, str | None, object]]] = []
    for tr in tbl.findall(_TR):
        before = tr.find(qn("w:trPr") + "/" + qn("w:gridBefore"))
        c = int(before.get(qn("w:val"), "0")) if before is not None else 0
        row = []
        for tc in tr.findall(_TC):
            span, merge = cell_props(tc)
            row.append((c, span, merge, tc))
            c += span
        grid.append(row)
    rows = []
    for r, row in enumerate(grid):
        cells = []
        for c, span, merge, tc in row:
            if merge == "continue":
                continue  # covered by the cell above it
            rowspan = 1
            if merge == "restart":
                while r + rowspan < len(grid) and any(cc == c and m == "continue" for cc, _, m, _ in grid[r + rowspan]):
                    rowspan += 1
            pieces = [line for p in tc.findall(_P) for line in paragraph_text(p).split("\n")]
            place = Place(table=ordinal, row=r + 1, col=c + 1)
            cells.append(TableCell(join_pieces(pieces), place, rowspan, span))
        rows.append(cells)
    return Table(rows, Place(table=ordinal))

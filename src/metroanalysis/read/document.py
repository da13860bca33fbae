"""The format-neutral bulletin: paragraphs and tables in printed order, each piece with its place.

A web page and a Word file are read into a `Document`; `render` turns it into the numbered
cell lines every parser reads (the layout of a browser's copy of the page, which is what a
text bulletin is: prose as bare lines, one TAB-prefixed line per cell, a blank line ending a
row, a merged cell printed once and the rows it reaches down into given an empty cell), and a
map from each rendered line to its `Place` in the file as received. So the parsers, checks,
entity matching and synth are shared by all three formats, and every number can be traced back.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

# Whether a line of text is a heading or a table title: what a table is called is the parsers'
# knowledge (`bulletin.is_heading`); the readers are given it, and never import the parsers.
Headings = Callable[[str], bool]


@dataclass(frozen=True)
class Place:
    """Where a piece of the bulletin stands in the file as received (None: does not apply).

    Text: `line`. Web page: `line` where the element starts in the saved file, and for a cell
    `table` (the nth <table> of the page), `row` and `col`. Word: `table`, `row`, `col` for a
    cell, `paragraph` (the nth paragraph of the document body) for prose."""

    line: int | None = None
    table: int | None = None
    row: int | None = None  # 1-based row of the table
    col: int | None = None  # 1-based grid column: a merged cell counts as every column it covers
    paragraph: int | None = None

    def describe(self) -> str | None:
        """The place in words, for an error message (the line is said by the message itself)."""
        if self.table is not None:
            return f"table {self.table}, row {self.row}, column {self.col}"
        if self.paragraph is not None:
            return f"paragraph {self.paragraph}"
        return None


@dataclass(frozen=True)
class Paragraph:
    text: str  # a line break inside the paragraph is "\n"
    place: Place


@dataclass(frozen=True)
class TableCell:
    text: str
    place: Place
    rowspan: int = 1
    colspan: int = 1


@dataclass(frozen=True)
class Table:
    rows: list[list[TableCell]]  # cells as marked up: a merged cell once, with its spans
    place: Place


@dataclass
class Document:
    blocks: list[Paragraph | Table] = field(default_factory=list)
    encoding: str = ""  # how the file's text was decoded (a web page), or its kind ("docx")


# Ideographs, CJK and full-width punctuation: Chinese text sets no space between words.
_CJK = re.compile("[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")
# What marks up layout, never content: indentation and padding at either end of a cell or line.
_PADDING = " \t\u00a0\u3000\u200b\ufeff"


def join_pieces(pieces: list[str]) -> str:
    """The lines of one cell (split by <br>, by paragraphs, by a vertical label's characters) as
    one text: Chinese is joined as it reads (医/疗/单/位 → 医疗单位, 挂号/（次） → 挂号（次）);
    between two digits or Latin words a space is kept, so that 12/34 is never read as 1234 (the
    parser refuses a space between two digits)."""
    out = ""
    for piece in (p.strip(_PADDING) for p in pieces):
        if not piece:
            continue
        if out and not (_CJK.match(out[-1]) or _CJK.match(piece[0])):
            out += " "
        out += piece
    return out


def clean_text(text: str) -> str:
    """A cell's or paragraph line's text: a TAB inside is a space (a TAB starts a cell in the
    rendered layout); padding at the ends is layout, not text."""
    return text.replace("\t", " ").strip(_PADDING)


def grid(table: Table) -> list[list[tuple[TableCell, bool] | None]]:
    """Each row's grid slots: (cell, True) where a cell is marked up, (cell, False) where a
    cell merged from the row above reaches down, None where a cell merged from the left
    reaches across or no cell stands."""
    taken: dict[tuple[int, int], TableCell] = {}
    rows: list[list[tuple[TableCell, bool] | None]] = []
    for r, row in enumerate(table.rows):
        slots: dict[int, tuple[TableCell, bool] | None] = {}
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken[(r + dr, c + dc)] = cell
            slots[c] = (cell, True)
            c += cell.colspan
        for (tr, tc), cell in taken.items():
            if tr == r and tc not in slots and is_first_column_of(cell, taken, tr, tc):
                slots[tc] = (cell, False)
        width = max(slots, default=-1) + 1
        rows.append([slots.get(i) for i in range(width)])
    return rows


def is_first_column_of(cell: TableCell, taken: dict, r: int, c: int) -> bool:
    """True for the leftmost slot a merged cell takes in row r (its other slots print nothing)."""
    return taken.get((r, c - 1)) is not cell


def is_caption(printed: list[tuple[TableCell, bool]], width: int, is_heading: Headings) -> bool:
    """A row of one cell across the whole table holding a table title or a parenthesised note:
    sites set them inside the table; the bulletin prints them as lines of their own. (A 合计
    across the table, 合计：116458, is a row of the table and stays one.)"""
    if len(printed) != 1 or not printed[0][1] or width < 2 or printed[0][0].colspan < width:
        return False
    text = clean_text(printed[0][0].text)
    return is_heading(text) or bool(re.fullmatch(r"[（(].*[）)]", text))


def render(document: Document, is_heading: Headings) -> tuple[str, dict[int, Place]]:
    """The document as the numbered lines the parsers read, and each line's place (1-based).
    `is_heading` tells a table title (the parsers' knowledge, passed down) from other text."""
    lines: list[str] = []
    places: dict[int, Place] = {}

    def emit(text: str, place: Place) -> None:
        lines.append(text)
        places[len(lines)] = place

    for block in document.blocks:
        if isinstance(block, Paragraph):
            # A line break inside a paragraph stays a line end (no blank line): the parsers
            # re-join a wrapped paragraph as they do in a text bulletin, and record it.
            pieces = [p for p in (clean_text(p) for p in block.text.split("\n")) if p]
            for piece in pieces:
                emit(piece, block.place)
            if pieces:
                emit("", block.place)
            continue
        slots_by_row = grid(block)
        width = max((len(slots) for slots in slots_by_row), default=0)
        for slots in slots_by_row:
            printed = [s for s in slots if s is not None]
            if not any(marked and cell.text for cell, marked in printed):
                continue  # a spacer row: nothing printed in it
            if is_caption(printed, width, is_heading):
                cell = printed[0][0]
                emit(clean_text(cell.text), cell.place)  # a title or note set in the table's first or last row
                emit("", cell.place)
                continue
            for cell, marked in printed:
                emit("\t" + (clean_text(cell.text) if marked else ""), cell.place)
            emit("", block.place)
    return "\n".join(lines) + "\n", places

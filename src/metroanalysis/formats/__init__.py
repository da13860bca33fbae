"""Bulletins as received: a text file, a saved web page or a Word file, one core.

A month folder holds one bulletin named `bulletin.txt`, `bulletin.html` (`.htm`) or
`bulletin.docx`. Each becomes the same intermediate before any table parser runs: a
`RawBulletin`, the numbered lines the parsers read (prose as bare lines, one TAB-prefixed line
per cell, a blank line ending a row). A text bulletin *is* those lines; a web page or Word file
is read into a `Document` (paragraphs and tables with their merges, each piece with its
`Place`), rendered into those lines, and every line keeps its place. After parsing, the places
replace the rendered lines' numbers: `source_line` is the line in the file as received (text
and web page; none in a Word file), and facts.csv gains `source_table`, `source_row`,
`source_col` and `source_paragraph`, so each number of every format can be found again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..bulletin import ParsedBulletin, parse_bulletin
from ..errors import BulletinError
from ..reading import RawBulletin, read_bulletin, read_bytes, split_lines
from .document import Document, Place, render

# Files people receive that cannot be read without guessing at their layout (paths.EXPLAINED_KINDS):
# say what to do instead.
REFUSED = {
    ".doc": "an old binary Word file (.doc) cannot be read: open it in Word or WPS, save it as .docx"
    " (Word 文档) and put bulletin.docx in its place",
    ".pdf": "a PDF cannot be read (it keeps no tables, only text placed on a page): save the bulletin's web"
    " page as bulletin.html (网页，仅 HTML) or use the Word file (.docx) it was made from",
    ".mht": "a single-file web archive (.mht) cannot be read: save the page again as 网页，仅 HTML (bulletin.html)",
    ".mhtml": "a single-file web archive (.mhtml) cannot be read: save the page again as 网页，仅 HTML (bulletin.html)",
    ".wps": "a WPS document (.wps) cannot be read: save it as .docx (Word 文档) and put bulletin.docx in its place",
}
LOCATION_COLUMNS = ("source_table", "source_row", "source_col", "source_paragraph")

_PDF = b"%PDF"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old binary Office files (.doc, .xls, .wps)
_ZIP = b"PK\x03\x04"


@dataclass
class SourceBulletin(RawBulletin):
    """A web page or Word file as the parsers' lines, with each line's place in the file."""

    kind: str = "html"
    places: dict[int, Place] = field(default_factory=dict)


def kind_of(path: Path, data: bytes) -> str:
    """text, html or docx — by the file's bytes where they say more than its name (a PDF or an
    old .doc renamed, a page saved as .txt); refused kinds raise a one-line error saying what to do."""
    suffix = path.suffix.lower()
    if data.startswith(_PDF):
        suffix = ".pdf"
    elif data.startswith(_OLE):
        suffix = ".doc" if suffix != ".wps" else suffix
    if suffix in REFUSED:
        raise BulletinError(REFUSED[suffix], path=str(path))
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if suffix == ".docx" or (data.startswith(_ZIP) and suffix == ".txt"):
        if not data.startswith(_ZIP):
            raise BulletinError(
                "not a Word .docx file (a .docx is a zip archive): save it again as .docx", path=str(path)
            )
        return "docx"
    if suffix in (".html", ".htm") or head.startswith((b"<!doctype html", b"<html")):
        return "html"
    return "text"


def read_source(path: str | Path) -> RawBulletin:
    """The bulletin as the numbered lines every parser reads, whatever its format."""
    path = Path(path)
    data = read_bytes(path)
    kind = kind_of(path, data)
    if kind == "text":
        return read_bulletin(path)
    document = read_document(data, str(path), kind)
    text, places = render(document)
    repairs: list = []
    return SourceBulletin(
        path=str(path),
        encoding=document.encoding or kind,
        sha256=hashlib.sha256(data).hexdigest(),
        lines=split_lines(text, repairs),
        repairs=repairs,
        kind=kind,
        places=places,
    )


def read_document(data: bytes, path: str, kind: str) -> Document:
    if kind == "docx":
        from .word import read_word

        return read_word(data, path)
    from .webpage import read_page

    return read_page(data, path)


def parse_source(raw: RawBulletin, month: str) -> ParsedBulletin:
    """`parse_bulletin`, with every line number turned into the place in the file as received:
    in the tables, facts, printed totals, repairs, and in the error a bad bulletin raises."""
    try:
        parsed = parse_bulletin(raw, month)
    except BulletinError as err:
        raise place_error(err, raw) from None
    if isinstance(raw, SourceBulletin):
        relocate(parsed, raw.places)
    return parsed


def place_error(err: BulletinError, raw: RawBulletin) -> BulletinError:
    if not isinstance(raw, SourceBulletin) or err.line is None:
        return err
    place = raw.places.get(err.line, Place())
    where = place.describe()
    err.line = place.line
    if where:
        err.place = f"{'page' if raw.kind == 'html' else 'Word'} {where}"
    return err.located(raw.path, refresh=True)


def relocate(parsed: ParsedBulletin, places: dict[int, Place]) -> None:
    """Rendered line numbers → places, in place (the numbers never leave the library)."""

    def lines(values) -> pd.Series:
        return pd.array([None if pd.isna(v) else places.get(int(v), Place()).line for v in values], dtype="Int64")

    for df in (*parsed.tables.values(), parsed.printed_totals):
        if "source_line" in df.columns:
            df["source_line"] = lines(df["source_line"])
    facts = parsed.facts
    where = [Place() if pd.isna(v) else places.get(int(v), Place()) for v in facts["source_line"]]
    for column in LOCATION_COLUMNS:
        facts[column] = pd.array([getattr(p, column.removeprefix("source_")) for p in where], dtype="Int64")
    facts["source_line"] = pd.array([p.line for p in where], dtype="Int64")
    for row in parsed.repairs:
        row["source_line"] = places.get(row["source_line"], Place()).line if row["source_line"] else None
    first, last = parsed.stats_lines
    parsed.stats_lines = (places.get(first, Place()).line, places.get(last, Place()).line)

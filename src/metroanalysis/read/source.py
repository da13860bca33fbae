"""Bulletins as received: a text file, a saved web page or a Word file, one core.

A month folder holds one bulletin named `bulletin.txt`, `bulletin.html` (`.htm`) or
`bulletin.docx`. Each becomes the same intermediate before any table parser runs: a
`RawBulletin`, the numbered lines the parsers read (prose as bare lines, one TAB-prefixed line
per cell, a blank line ending a row). A text bulletin *is* those lines; a web page or Word file
is read into a `Document` (paragraphs and tables with their merges, each piece with its
`Place`), rendered into those lines, and every line keeps its place (`SourceBulletin.places`).
Reading ends there: the parsers start from these lines (`located` puts their line numbers back
to the places in the file as received).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from metroanalysis.errors import BulletinError
from metroanalysis.read.document import Document, Headings, Place, render
from metroanalysis.read.text import RawBulletin, read_bulletin, read_bytes, split_lines

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


def read_lines(path: str | Path, is_heading: Headings) -> RawBulletin:
    """The bulletin as the numbered lines every parser reads, whatever its format (`is_heading`:
    what a table title looks like, to find a page's article and the titles set inside tables)."""
    path = Path(path)
    data = read_bytes(path)
    kind = kind_of(path, data)
    if kind == "text":
        return read_bulletin(path)
    document = read_document(data, str(path), kind, is_heading)
    text, places = render(document, is_heading)
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


def read_document(data: bytes, path: str, kind: str, is_heading: Headings) -> Document:
    if kind == "docx":
        from metroanalysis.read.word import read_word

        return read_word(data, path)
    from metroanalysis.read.webpage import read_page

    return read_page(data, path, is_heading)

"""Reading the raw bulletin: bytes to numbered lines, and numbered lines to cell rows.

This module knows encodings, line ends and the printed cell layout (TAB-prefixed cells,
rows ending at a blank line). It knows nothing of what any table means.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from .errors import BulletinError

# Full-width digits come from Chinese input methods; they are the same numbers.
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
# Digits grouped by thousands (1,234 or 1，234), in cells and in prose alike.
_GROUPED = re.compile(r"(?<![\d.,，])\d{1,3}(?:[,，]\d{3})+(?!\d)")
# Spaces that Word and PDF exports scatter around cells; never part of a name or number.
_STRAY_SPACE = " \u3000\u00a0\u200b\ufeff"


@dataclass(frozen=True)
class Line:
    no: int  # 1-based line number in the raw file
    text: str


@dataclass(frozen=True)
class Cell:
    line: int
    text: str
    tabbed: bool  # printed as a TAB-prefixed table cell (False: a bare character or note)


@dataclass
class RawBulletin:
    path: str
    encoding: str
    sha256: str
    lines: list[Line]


def decode(data: bytes, path: str = "<bytes>") -> tuple[str, str]:
    """Text and encoding name: UTF-8 (with or without BOM) first, then GB18030, which is a
    superset of GBK and GB2312; anything else is left to charset-normalizer's judgement.
    UTF-8 cut inside its last character (a truncated file) is read up to the cut, so that the
    truncation, not the encoding, is reported."""
    body = data.removeprefix(b"\xef\xbb\xbf")
    try:
        return body.decode("utf-8"), "utf-8-sig"
    except UnicodeDecodeError as cut:
        if cut.reason == "unexpected end of data" and cut.end == len(body):
            return body[: cut.start].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise BulletinError("cannot tell the file's text encoding", path=path)
    return str(best), best.encoding


def read_bulletin(path: str | Path) -> RawBulletin:
    """Numbered lines of a raw bulletin, opened read-only and never changed."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BulletinError(f"cannot read file ({exc.strerror})", path=str(path)) from None
    text, encoding = decode(data, str(path))
    return RawBulletin(
        path=str(path),
        encoding=encoding,
        sha256=hashlib.sha256(data).hexdigest(),
        lines=split_lines(text),
    )


def split_lines(text: str) -> list[Line]:
    """LF, CRLF and CR all end a line; a BOM pasted mid-file is dropped; digits go half-width
    and lose their thousands separators."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    text = re.sub(r"(?<=\d)．(?=\d)", ".", text.translate(_FULLWIDTH_DIGITS))
    text = _GROUPED.sub(lambda m: m.group().replace(",", "").replace("，", ""), text)
    return [Line(i, t) for i, t in enumerate(text.split("\n"), start=1)]


def clean_cell(text: str) -> str:
    return text.strip(_STRAY_SPACE + "\t")


def cell_rows(lines: list[Line]) -> list[list[Cell]]:
    """Group a table body into rows: a blank line ends a row, each non-blank line is a cell.

    A line that begins with a TAB is a printed cell (an empty one is kept: it holds a place).
    A bare line is kept as an untabbed cell: one character of a label printed vertically
    (医/疗/单/位) or a note; the table's own parser decides which.
    """
    rows: list[list[Cell]] = []
    current: list[Cell] = []
    for line in lines:
        if line.text.strip(_STRAY_SPACE + "\t") == "" and not line.text.startswith("\t"):
            if current:
                rows.append(current)
                current = []
            continue
        tabbed = line.text.startswith("\t")
        current.append(Cell(line.no, clean_cell(line.text), tabbed))
    if current:
        rows.append(current)
    return rows


_THOUSANDS = re.compile(r"^\d{1,3}([,，]\d{3})+(\.\d+)?$")
_NUMBER = re.compile(r"^\d+(\.\d+)?$")


def number_text(text: str) -> str | None:
    """The canonical digits of a printed number ("1,234" → "1234"), or None if not a number."""
    t = clean_cell(text).replace("．", ".")
    if _THOUSANDS.match(t):
        t = t.replace(",", "").replace("，", "")
    return t if _NUMBER.match(t) else None


def parse_count(cell: Cell, table: str, what: str) -> int:
    """A printed whole number; anything else stops with the cell's line and text."""
    t = number_text(cell.text)
    if t is None or "." in t:
        raise BulletinError(f"{what} is not a whole number", line=cell.line, table=table, text=cell.text)
    return int(t)


def parse_money(cell: Cell, table: str, what: str) -> Decimal:
    """A printed amount in yuan, exact to the fen (at most two decimals)."""
    t = number_text(cell.text)
    if t is None:
        raise BulletinError(f"{what} is not an amount", line=cell.line, table=table, text=cell.text)
    try:
        value = Decimal(t)
    except InvalidOperation:  # pragma: no cover - the pattern above admits only decimals
        raise BulletinError(f"{what} is not an amount", line=cell.line, table=table, text=cell.text) from None
    if value.as_tuple().exponent < -2:
        raise BulletinError(f"{what} has more than two decimals", line=cell.line, table=table, text=cell.text)
    return value.quantize(Decimal("0.01"))

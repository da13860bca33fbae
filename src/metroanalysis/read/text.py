"""Reading the raw bulletin: bytes to numbered lines, and numbered lines to cell rows.

This module knows encodings, line ends and the printed cell layout (TAB-prefixed cells,
rows ending at a blank line). It knows nothing of what any table means.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from metroanalysis.errors import BulletinError
from metroanalysis.i18n.messages import said

# Full-width digits come from Chinese input methods; they are the same numbers.
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
# Digits grouped by thousands (1,234 or 1，234), in cells and in prose alike.
_GROUPED = re.compile(r"(?<![\d.,，])\d{1,3}(?:[,，]\d{3})+(?!\d)")
# Spaces that Word and PDF exports scatter around cells; never part of a name or number.
_STRAY_SPACE = " \u3000\u00a0\u200b\ufeff"

# Damage that files pasted from Word, PDF and web pages on Windows carry, and that is read
# back without guessing (each repair is recorded, see `Repair`):
# visible spaces other than the ASCII one: no-break, full-width (U+3000), thin, narrow…
_SPACES = "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
_S = f"[{_SPACES}]"
_CJK = "[\u3001-\u303f\u3400-\u9fff\uff01-\uffef]"  # ideographs, CJK and full-width punctuation
# characters that print as nothing: a byte-order mark pasted mid-file, zero-width spaces and
# joiners, the soft hyphen. Removing them changes nothing a reader of the file sees.
_INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060\u00ad"
# Word's soft line break (Shift+Enter: U+000B), form feed, NEL and the Unicode line and
# paragraph separators: editors do not count them as line ends, so they end a *segment* of
# the line, which keeps the line's number.
_SOFT_BREAK = re.compile("[\u000b\u000c\u0085\u2028\u2029]")
_EOF = "\x1a"  # DOS end-of-file mark (Ctrl-Z) left at the end by old Windows tools
_LINE_END = re.compile(r"\r\n|\r|\n")
_LINE_END_BYTES = re.compile(rb"(\r\n|\r|\n)")
_BOM_BYTES = b"\xef\xbb\xbf"
# The first line of a bulletin made by `metroanalysis synth`: never to pass for a real one.
SYNTHETIC_MARK = "本文件为 metroanalysis synth 生成的测试数据，非真实公报"


@dataclass(frozen=True)
class Line:
    """One logical line: a line of the file, a segment of one (cells merged on one line, a soft
    line break), or lines of the file re-joined (a wrapped paragraph or cell). `no` is the file
    line where it begins; `parts` says where later file lines begin inside `text`."""

    no: int  # 1-based line number in the raw file
    text: str
    parts: tuple[tuple[int, int], ...] = ()  # (offset in text, file line) of each later line

    def no_at(self, offset: int) -> int:
        """The file line on which the character at `offset` of `text` is printed."""
        no = self.no
        for start, line in self.parts:
            if offset >= start:
                no = line
        return no


@dataclass(frozen=True)
class Repair:
    """Damage read back without guessing: which rule, on which line of the file, what was there
    and what was read."""

    rule: str
    line: int
    found: str
    read: str
    message: str  # in English; its Chinese in message_zh (both from messages.said)
    message_zh: str | None = None


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
    repairs: list[Repair] = field(default_factory=list)


def decode(data: bytes, path: str = "<bytes>") -> tuple[str, str]:
    """Text and encoding name (see `decode_repaired`)."""
    text, encoding, _ = decode_repaired(data, path)
    return text, encoding


def decode_repaired(data: bytes, path: str = "<bytes>") -> tuple[str, str, list[Repair]]:
    """Text, encoding name and the lines read in another encoding than the rest.

    UTF-16 with its BOM (Notepad's "Unicode"); UTF-8 (with or without BOM); then line by
    line: a file some of whose lines are UTF-8 and some GB18030 (pasted from two sources) has
    each line read in the one it is valid in, recorded; then GB18030 (a superset of GBK and
    GB2312); anything else is left to charset-normalizer's judgement. UTF-8 cut inside its last
    character (a truncated file) is read up to the cut, so that the truncation, not the
    encoding, is reported."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16", []
        except UnicodeDecodeError:
            pass
    body = data.removeprefix(_BOM_BYTES)
    try:
        text = body.decode("utf-8")
        if plausible(text):
            return text, "utf-8-sig", []
        # valid UTF-8 throughout, but some line reads as no bulletin does: GB18030 lines whose
        # bytes happen to be valid UTF-8 (医 is D2 BD, U+04BD in UTF-8); read line by line
    except UnicodeDecodeError as cut:
        if cut.reason == "unexpected end of data" and cut.end == len(body):
            return body[: cut.start].decode("utf-8"), "utf-8-sig", []
    mixed = decode_mixed(body, path)
    if mixed is not None:
        return mixed
    try:
        return data.decode("gb18030"), "gb18030", []
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise BulletinError("cannot tell the file's text encoding", path=path)
    return str(best), best.encoding, []


def plausible(text: str) -> bool:
    """Text a Chinese bulletin can hold. GB18030 bytes read as UTF-8 come out as C1 controls,
    IPA, Greek, Cyrillic, Hebrew or Arabic letters (U+0080–U+07FF beyond Latin) or private use:
    none of which a bulletin prints."""
    for ch in text:
        o = ord(ch)
        if (0x80 <= o <= 0x9F and o != 0x85) or 0x250 <= o <= 0x7FF or 0xE000 <= o <= 0xF8FF:
            return False
    return True


def _utf8(line: bytes) -> str | None:
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text if plausible(text) else None


def _gb18030(line: bytes) -> str | None:
    bom = line.startswith(_BOM_BYTES)
    try:
        text = line.removeprefix(_BOM_BYTES).decode("gb18030")
    except UnicodeDecodeError:
        return None
    if not plausible(text):
        return None
    # A UTF-8 line with a byte lost or changed is not GB18030: most of it still reads as UTF-8.
    broken = line.decode("utf-8", errors="replace")
    good = sum(1 for ch in broken if ord(ch) > 127 and ch != "\ufffd" and plausible(ch))
    if good > 2 * broken.count("\ufffd"):
        return None
    return ("\ufeff" if bom else "") + text


def decode_mixed(body: bytes, path: str) -> tuple[str, str, list[Repair]] | None:
    """A file that is not UTF-8 throughout but has UTF-8 lines: each line in the encoding it
    is valid in (UTF-8 first: other text almost never validates as UTF-8). None when no line
    holds UTF-8 beyond ASCII (the file is in one other encoding)."""
    pieces = _LINE_END_BYTES.split(body)
    lines, ends = pieces[0::2], pieces[1::2]
    texts, kinds = [], []
    for no, line in enumerate(lines, start=1):
        if line.isascii():
            texts.append(line.decode("ascii"))
            kinds.append("ascii")
        elif (text := _utf8(line)) is not None:
            texts.append(text)
            kinds.append("utf-8")
        elif (text := _gb18030(line)) is not None:
            texts.append(text)
            kinds.append("gb18030")
        else:
            texts.append("")
            kinds.append(f"bad:{no}")
    if "utf-8" not in kinds:
        return None
    for no, kind in enumerate(kinds, start=1):
        if kind.startswith("bad:"):
            # Neither: read with U+FFFD where bytes are lost; the parse refuses it (naming the
            # table) if the line is in the statistics part.
            texts[no - 1] = lines[no - 1].decode("utf-8", errors="replace")
    repairs, first = [], None
    for no, kind in enumerate([*kinds, "utf-8"], start=1):
        if kind == "gb18030" and first is None:
            first = no
        elif kind == "utf-8" and first is not None:
            last = max(n for n in range(first, no) if kinds[n - 1] == "gb18030")
            where = (
                said("decoded_gb18030", first=first)
                if first == last
                else said("decoded_gb18030_lines", first=first, last=last)
            )
            repairs.append(
                Repair(
                    "decoded_gb18030",
                    first,
                    lines[first - 1].decode("utf-8", errors="backslashreplace")[:40],
                    texts[first - 1][:40],
                    **where,
                )
            )
            first = None
    text = "".join(t + e.decode("ascii") for t, e in zip(texts, [*ends, b""], strict=True))
    return text, "utf-8+gb18030", repairs


def read_bytes(path: Path) -> bytes:
    """The raw file's bytes, read-only; a file that cannot be read is one BulletinError line."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise BulletinError(f"cannot read file ({exc.strerror})", path=str(path)) from None


def read_bulletin(path: str | Path) -> RawBulletin:
    """Numbered lines of a raw bulletin, opened read-only and never changed."""
    path = Path(path)
    data = read_bytes(path)
    text, encoding, repairs = decode_repaired(data, str(path))
    lines = split_lines(text, repairs)
    return RawBulletin(
        path=str(path),
        encoding=encoding,
        sha256=hashlib.sha256(data).hexdigest(),
        lines=lines,
        repairs=repairs,
    )


def short(text: str, width: int = 40) -> str:
    text = text.strip()
    return text if len(text) <= width else text[:width] + "…"


def split_lines(text: str, repairs: list[Repair] | None = None) -> list[Line]:
    """LF, CRLF and CR all end a line; digits go half-width and lose their thousands
    separators. Damage is read back and appended to `repairs`: a trailing Ctrl-Z, characters
    that print as nothing (a BOM pasted mid-file), soft line breaks, cells merged onto one line,
    stray spaces around cells and numbers (see `read_line`)."""
    repairs = [] if repairs is None else repairs
    text = re.sub(r"(?<=\d)．(?=\d)", ".", text.translate(_FULLWIDTH_DIGITS))
    text = _GROUPED.sub(lambda m: m.group().replace(",", "").replace("，", ""), text)
    if text.endswith(_EOF):
        body = text.rstrip(_EOF)
        no = len(_LINE_END.split(text))
        repairs.append(Repair("eof_mark_removed", no, "\\x1a", "", **said("eof_mark_removed")))
        text = body
    lines: list[Line] = []
    for no, line in enumerate(_LINE_END.split(text), start=1):
        lines.extend(read_line(no, line, repairs))
    return lines


def read_line(no: int, text: str, repairs: list[Repair]) -> list[Line]:
    """One line of the file as one or more logical lines, its damage repaired and recorded."""
    found = text
    if any(ch in _INVISIBLE for ch in text):
        rule = "bom_removed" if "\ufeff" in text else "invisible_char_removed"
        text = "".join(ch for ch in text if ch not in _INVISIBLE)
        repairs.append(Repair(rule, no, short(found), short(text), **said(rule)))
    segments = _SOFT_BREAK.split(text)
    if len(segments) > 1:
        repairs.append(
            Repair(
                "soft_line_break",
                no,
                short(text),
                short(" ⏎ ".join(segments)),
                **said("soft_line_break", n=len(segments) - 1, line=no),
            )
        )
    out: list[Line] = []
    for segment in segments:
        tidy, rule = tidy_spaces(segment)
        if rule:
            message = said("space_in_number" if rule == "space_in_number" else "stray_spaces")
            repairs.append(Repair(rule, no, short(segment), short(tidy), **message))
        cells = [c for c in re.split(r"(?=\t)", tidy) if c != ""] or [""]
        if len(cells) > 1:
            repairs.append(
                Repair(
                    "cells_split",
                    no,
                    short(tidy),
                    short(" | ".join(c.strip() for c in cells)),
                    **said("cells_split", n=len(cells)),
                )
            )
        out.extend(Line(no, c) for c in cells)
    return out


def tidy_spaces(text: str) -> tuple[str, str | None]:
    """Remove non-ASCII spaces at the ends of a line, around its TABs and next to a digit, any
    space between a figure and Chinese text, and the spaces that group a number's thousands
    (64 543). A space *between* two digits otherwise is
    left as found: one number or two cannot be told, and the parse refuses it. Spaces between
    letters of a name are kept as printed. Returns the text and the rule applied, if any."""
    t = re.sub(rf"^[ ]*{_S}[ {_SPACES}]*", "", text)
    t = re.sub(rf"[ {_SPACES}]*{_S}[ ]*$", "", t)
    t = re.sub(rf"^[ {_SPACES}]+(?=\t)", "", t)
    t = re.sub(rf"[ {_SPACES}]*{_S}[ {_SPACES}]*(?=\t)|(?<=\t)[ {_SPACES}]*{_S}[ {_SPACES}]*", "", t)
    grouped = re.sub(rf"(?<![\d.,，])\d{{1,3}}(?:{_S}\d{{3}})+(?!\d)", lambda m: re.sub(_S, "", m.group()), t)
    rule = "space_in_number" if grouped != t else None
    t = re.sub(rf"(?<=\d){_S}+(?=[^\d{_SPACES}])|(?<=[^\d{_SPACES}]){_S}+(?=\d)", "", grouped)
    # ASCII spaces between a figure and Chinese text (web typography sets them apart: 共 106398 个)
    t = re.sub(rf"(?<=\d)[ {_SPACES}]+(?={_CJK})|(?<={_CJK})[ {_SPACES}]+(?=\d)", "", t)
    if rule is None and t != text:
        rule = "stray_space"
    return t, rule


def rejoin_wrapped(
    lines: list[Line], repairs: list[Repair], keep_apart: Callable[[str, str], bool] = lambda a, b: False
) -> list[Line]:
    """Lines the paste wrapped, joined back: a bare line right after a cell (no blank line
    between) is the rest of that cell's text; a bare line right after a line of prose that does
    not end a sentence (。！？) and is not a whole parenthesised note is the rest of that
    paragraph. `keep_apart(a, b)` (the caller knows headings and titles) can forbid a join.
    A break between two digits is refused: one number or two cannot be told."""
    out: list[Line] = []
    for line in lines:
        prev = out[-1] if out else None
        if prev is not None and continues(prev, line, keep_apart):
            out[-1] = join(prev, line, repairs)
        else:
            out.append(line)
    return out


def is_blank(text: str) -> bool:
    return text.strip(_STRAY_SPACE + "\t") == "" and not text.startswith("\t")


def continues(a: Line, b: Line, keep_apart: Callable[[str, str], bool]) -> bool:
    if is_blank(a.text) or is_blank(b.text) or b.text.startswith(("\t", " ")):
        return False
    if a.text.startswith("\t"):
        return True  # a cell's text wrapped onto the next line
    first = a.text.strip()
    if first.endswith(("。", "！", "？", "!", "?")) or (first.startswith(("（", "(")) and first.endswith(("）", ")"))):
        return False
    return not keep_apart(first, b.text.strip())


def join(a: Line, b: Line, repairs: list[Repair]) -> Line:
    left, right = a.text.rstrip(" " + _SPACES), b.text.strip(" " + _SPACES)
    if left[-1:].isdigit() and right[:1].isdigit():
        raise BulletinError(
            "a line break between two digits: one number or two cannot be told",
            line=b.no,
            text=short(left[-12:].strip() + "⏎" + right[:12]),
        )
    parts = (*a.parts, (len(left), b.no), *((len(left) + o, n) for o, n in b.parts))
    kept: list[tuple[int, int]] = []
    for offset, no in parts:  # a segment of the same file line adds no part
        if no != (kept[-1][1] if kept else a.no):
            kept.append((offset, no))
    joined = Line(a.no, left + right, tuple(kept))
    if b.no != (a.parts[-1][1] if a.parts else a.no):  # a soft line break is recorded already
        rule = "cell_rewrapped" if a.text.startswith("\t") else "line_rewrapped"
        repairs.append(Repair(rule, b.no, short(b.text), short(joined.text), **said(rule, line=b.no, previous=a.no)))
    return joined


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
        if line.text.startswith(" "):
            # A TAB turned into spaces: the cell might be kept, but an empty cell turned into
            # spaces cannot be told from a blank line between rows, so no row can be trusted.
            raise BulletinError(
                "a table line begins with spaces where a cell begins with a TAB (tabs turned into spaces?)",
                line=line.no,
                text=short(line.text),
            )
        tabbed = line.text.startswith("\t")
        # credited to the file line its text is printed on: a cell rewrapped (its TAB on one
        # line, its figure on the next, as a stray CR leaves it) is not the line of its TAB
        begins = len(line.text) - len(line.text.lstrip(_STRAY_SPACE + "\t"))
        current.append(Cell(line.no_at(begins), clean_cell(line.text), tabbed))
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

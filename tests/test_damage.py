"""A corpus of real-world damage, built from the real bulletin's bytes (issue 7).

Bulletins are pasted from Word, PDF and web pages by people on Windows. Each kind of damage is
either repaired without guessing (the tables and facts are exactly the undamaged bulletin's,
every source_line points to where the number is printed in the *damaged* file, and quality.csv
records the repair with status `repaired`) or refused with the one-line error naming file,
line, table and text.

A damaged file is built as a list of lines, each knowing which lines of the real bulletin it
holds, so the expected line of every fact in the damaged file is known exactly.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd
import pytest
from conftest import MONTH, RAW_BULLETIN
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metroanalysis.clean import store
from metroanalysis.clean.schema import BULLETIN_TABLES
from metroanalysis.cli import main
from metroanalysis.errors import BulletinError
from metroanalysis.parse.bulletin import ParsedBulletin, parse_bulletin
from metroanalysis.read.text import read_bulletin

ORIGINAL = RAW_BULLETIN.read_bytes().decode("utf-8").split("\n")
PROSE = [40, 42, 341, 386, 388, 390, 392, 394, 777]  # paragraphs and footnotes of the statistics part
# (first, last) line of each table block, title to the line before the next title
BLOCKS = {
    "hotline": (38, 43),
    "booking": (44, 341),
    "channel": (342, 383),
    "remote": (384, 394),
    "upload_district": (395, 549),
    "upload_hospital": (550, 777),
    "kiosk": (778, 1193),
}
BOOKING_ROWS = [(53 + 8 * k, 59 + 8 * k) for k in range(35)]
KIOSK_ROWS = [(793, 798), *[(n, n + 6) for n in range(800, 1087, 8)]]
SPACES = ["\u3000", "\u00a0", "\u202f", "\u3000\u3000"]

TRIED: Counter = Counter()  # damaged inputs tried, by kind


@dataclass
class L:
    text: str
    origin: tuple[int, ...]  # lines of the real bulletin this line holds
    encoding: str = "utf-8"


@dataclass
class Doc:
    lines: list[L] = field(default_factory=lambda: [L(t, (i,)) for i, t in enumerate(ORIGINAL, start=1)])
    end: str = "\n"
    tail: bytes = b""

    def at(self, no: int) -> int:
        """Index of the line that holds line `no` of the real bulletin."""
        return next(i for i, ln in enumerate(self.lines) if no in ln.origin)

    def bytes(self) -> bytes:
        out = self.end.encode().join(ln.text.encode(ln.encoding) for ln in self.lines)
        return out + self.tail

    def where(self) -> dict[int, set[int]]:
        """Line of the real bulletin → the lines of the damaged file that hold (parts of) it."""
        out: dict[int, set[int]] = {}
        for new, ln in enumerate(self.lines, start=1):
            for old in ln.origin:
                out.setdefault(old, set()).add(new)
        return out

    def physical(self) -> list[str]:
        """The damaged file's lines as an editor shows them, spaces and invisibles taken out."""
        gone = re.compile("[ \t\u00a0\u2000-\u200d\u202f\u205f\u2060\u3000\ufeff\u00ad\u2028\u2029\x0b\x0c\x1a]")
        return [gone.sub("", ln.text) for ln in self.lines]


# ---------------------------------------------------------------- damage, one function per kind


def rewrap(doc: Doc, no: int, *cuts: int) -> Doc:
    """Line `no` broken before each character offset in `cuts` (a paragraph, title or cell
    wrapped by the paste)."""
    i = doc.at(no)
    ln = doc.lines[i]
    bounds = [0, *cuts, len(ln.text)]
    pieces = [L(ln.text[a:b], ln.origin, ln.encoding) for a, b in itertools.pairwise(bounds)]
    doc.lines[i : i + 1] = pieces
    return doc


def merge(doc: Doc, first: int, last: int, sep: str = "") -> Doc:
    """Lines first..last of the real bulletin printed on one line (cells merged at their TABs,
    or with `sep` in place of the line ends)."""
    i, j = doc.at(first), doc.at(last)
    merged = L(
        sep.join(ln.text for ln in doc.lines[i : j + 1]), tuple(o for ln in doc.lines[i : j + 1] for o in ln.origin)
    )
    doc.lines[i : j + 1] = [merged]
    return doc


def edit(doc: Doc, no: int, change) -> Doc:
    ln = doc.lines[doc.at(no)]
    ln.text = change(ln.text)
    return doc


def delete(doc: Doc, no: int) -> Doc:
    del doc.lines[doc.at(no)]
    return doc


def reorder(doc: Doc, order: list[str]) -> Doc:
    blocks = {k: doc.lines[doc.at(a) : doc.at(b) + 1] for k, (a, b) in BLOCKS.items()}
    i0 = min(doc.at(a) for a, _ in BLOCKS.values())
    end = max(doc.at(b) for _, b in BLOCKS.values()) + 1
    doc.lines[i0:end] = [ln for k in order for ln in blocks[k]]
    return doc


def encode(doc: Doc, first: int, last: int, encoding: str = "gb18030") -> Doc:
    for ln in doc.lines[doc.at(first) : doc.at(last) + 1]:
        ln.encoding = encoding
    return doc


def cut_between(text: str, left: str, right: str = "") -> int:
    """Offset of the end of `left` (which must be followed by `right`) in text."""
    return text.index(left + right) + len(left)


# ---------------------------------------------------------------- checks


def parse(doc: Doc, tmp_path) -> ParsedBulletin:
    path = tmp_path / "bulletin.txt"
    path.write_bytes(doc.bytes())
    return parse_bulletin(read_bulletin(path), MONTH)


@pytest.fixture(scope="module")
def undamaged() -> ParsedBulletin:
    return parse_bulletin(read_bulletin(RAW_BULLETIN), MONTH)


def same_but_lines(got: pd.DataFrame, want: pd.DataFrame, where: dict[int, set[int]], obj: str) -> None:
    """Equal in every column; source_line is where the real bulletin's line now stands."""
    assert len(got) == len(want), obj
    if "source_line" in want.columns:
        for g, w in zip(got["source_line"], want["source_line"], strict=True):
            assert int(g) in where[int(w)], (obj, g, w, where[int(w)])
        got, want = got.drop(columns="source_line"), want.drop(columns="source_line")
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want.reset_index(drop=True), check_exact=True, obj=obj)


def assert_repaired(doc: Doc, tmp_path, undamaged: ParsedBulletin, expect: list[tuple] = ()) -> ParsedBulletin:
    """The damaged file cleans to the undamaged tables, facts and totals; every fact's line in
    the damaged file prints its number; each expected (rule, line, table) repair is recorded."""
    got = parse(doc, tmp_path)
    where = doc.where()
    for table in BULLETIN_TABLES:
        same_but_lines(got.tables[table], undamaged.tables[table], where, table)
    same_but_lines(got.facts, undamaged.facts, where, "facts")
    same_but_lines(got.printed_totals, undamaged.printed_totals, where, "printed_totals")
    lines = doc.physical()
    for fact in got.facts.itertuples(index=False):
        no = int(fact.source_line)
        printed = re.sub(r"\s", "", fact.printed)
        assert printed in lines[no - 1] or printed in lines[no - 1] + lines[no], fact
    assert got.missing == undamaged.missing
    recorded = {(r["rule"], r["source_line"], r["table"]) for r in got.repairs}
    assert all(r["status"] == "repaired" for r in got.repairs)
    for rule, line, table in expect:
        assert (rule, line, table) in recorded, (rule, line, table, recorded)
    return got


def assert_refused(doc: Doc, tmp_path, line: int, table: str | None, text: str, why: str = "") -> str:
    path = tmp_path / "bulletin.txt"
    path.write_bytes(doc.bytes())
    with pytest.raises(BulletinError) as caught:
        parse_bulletin(read_bulletin(path), MONTH)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}:{line},"), message
    if table:
        assert f"table {table}" in message, message
    assert text in message, message
    assert why in message, message
    return message


def run(kind: str, cases, tmp_path, undamaged) -> None:
    """Each case is (damage, None, expected repairs) or (damage, (line, table, text, why), None)."""
    for n, (damage, refused, repairs) in enumerate(cases):
        folder = tmp_path / f"{kind}-{n}"
        folder.mkdir()
        doc = damage(Doc())
        if refused is None:
            assert_repaired(doc, folder, undamaged, repairs or [])
        else:
            assert_refused(doc, folder, *refused)
        TRIED[kind] += 1


# ---------------------------------------------------------------- the corpus


def rewrapped_prose_cases():
    """A paragraph broken over several lines is joined back: repaired, each figure's
    source_line the line it now stands on. A break after a full stop is a paragraph break
    (refused: the second half names no platform); a break between two digits is refused."""
    hot = ORIGINAL[39]
    cases = []
    for cut in [10, 33, cut_between(hot, "其中咨询类（不含专家咨询）"), cut_between(hot, "16771个、"), len(hot) - 2]:
        cases.append((lambda d, c=cut: rewrap(d, 40, c), None, [("line_rewrapped", 41, "hotline_calls")]))
    # three lines, wrapped every 40 characters, avoiding a break between two digits
    cuts = [c for c in range(40, len(hot), 40) if not (hot[c - 1].isdigit() and hot[c].isdigit())]
    cases.append(
        (lambda d: rewrap(d, 40, *cuts), None, [("line_rewrapped", 41 + k, "hotline_calls") for k in range(len(cuts))])
    )
    prov = ORIGINAL[41]
    cases.append(
        (lambda d: rewrap(d, 42, cut_between(prov, "苏州13976人次、")), None, [("line_rewrapped", 43, "hotline_calls")])
    )
    for no in [386, 388, 390, 392]:
        text = ORIGINAL[no - 1]
        cut = cut_between(text, "医疗机构，")
        cases.append((lambda d, n=no, c=cut: rewrap(d, n, c), None, [("line_rewrapped", no + 1, "remote_platforms")]))
    cases.append((lambda d: rewrap(d, 394, 12), None, [("line_rewrapped", 395, "remote_platforms")]))
    cases.append(
        (
            lambda d: rewrap(d, 341, cut_between(ORIGINAL[340], "为")),
            None,
            [("line_rewrapped", 342, "booking_by_hospital")],
        )
    )
    cases.append((lambda d: rewrap(d, 777, 6), None, [("line_rewrapped", 778, "upload_by_hospital")]))
    # titles wrapped: …数据采集情况 / （医院）, …使用情况 / 表, 2021年4月预约挂号 / 服务统计表
    cases.append(
        (lambda d: rewrap(d, 550, len(ORIGINAL[549]) - 4), None, [("line_rewrapped", 551, "upload_by_hospital")])
    )
    cases.append((lambda d: rewrap(d, 778, len(ORIGINAL[777]) - 1), None, [("line_rewrapped", 779, "kiosk_usage")]))
    cases.append((lambda d: rewrap(d, 44, 11), None, [("line_rewrapped", 45, "booking_by_hospital")]))
    # refused
    remote = ORIGINAL[385]
    cases.append(
        (
            lambda d: rewrap(d, 386, cut_between(remote, "秦淮区。")),
            (387, "remote_platforms", "其中南京市内二级以上医疗机构24家", "names no remote platform"),
            None,
        )
    )
    cases.append(
        (lambda d: rewrap(d, 40, cut_between(hot, "106", "398")), (41, "hotline_calls", "106⏎398", "two digits"), None)
    )
    cases.append(
        (
            lambda d: rewrap(d, 392, cut_between(ORIGINAL[391], "图像量7309", "816")),
            (393, "remote_platforms", "7309⏎816", "two digits"),
            None,
        )
    )
    return cases


def test_rewrapped_prose(tmp_path, undamaged):
    run("re-wrapped paragraph or title", rewrapped_prose_cases(), tmp_path, undamaged)


def rewrapped_cell_cases():
    """A cell's text wrapped onto the next line (a bare line right after the cell) is the rest
    of that cell; wrapped between two digits it is refused (a lost TAB looks the same)."""
    cases = []
    for no, left in [
        (310, "\t南京医科大学友谊整形"),
        (54, "\t南京鼓"),
        (793, "\t江苏省人民"),
        (417, "\t江宁"),
        (47, "\t12320在线"),
    ]:
        cases.append(
            (
                lambda d, n=no, c=left: rewrap(d, n, len(c)),
                None,
                [
                    (
                        "cell_rewrapped",
                        no + 1,
                        "booking_by_hospital" if no < 342 else "upload_by_district" if no < 778 else "kiosk_usage",
                    )
                ],
            )
        )
    cases.append((lambda d: rewrap(d, 796, len("\t671629.")), None, [("cell_rewrapped", 797, "kiosk_usage")]))
    cases.append((lambda d: rewrap(d, 418, len("\t63/")), None, [("cell_rewrapped", 419, "upload_by_district")]))
    cases.append((lambda d: rewrap(d, 55, 4), (56, "booking_by_hospital", "645⏎43", "two digits"), None))
    cases.append((lambda d: rewrap(d, 1188, 4), (1189, "kiosk_usage", "784⏎874", "two digits"), None))
    return cases


def test_rewrapped_cell(tmp_path, undamaged):
    run("cell text wrapped", rewrapped_cell_cases(), tmp_path, undamaged)


def merged_cells_cases():
    """Cells printed on one line (TAB-separated) are split at their TABs: each cell keeps the
    line it is printed on. Two rows on one line (no row end) are refused."""
    cases = []
    for first, last in [
        BOOKING_ROWS[0],
        BOOKING_ROWS[34],
        (45, 51),
        (333, 338),
        (353, 358),
        (374, 379),
        (406, 415),
        (417, 426),
        (793, 798),
        (792, 798),
        (800, 806),
        (1186, 1191),
        (779, 784),
    ]:
        table = {
            45: "booking_by_hospital",
            333: "booking_by_hospital",
            353: "booking_by_channel",
            374: "booking_by_channel",
            406: "upload_by_district",
            417: "upload_by_district",
        }.get(first, "booking_by_hospital" if first < 342 else "kiosk_usage")
        cases.append((lambda d, a=first, b=last: merge(d, a, b), None, [("cells_split", first, table)]))
    # every row of the booking table merged onto its own line
    cases.append(
        (
            lambda d: [merge(d, a, b) for a, b in reversed(BOOKING_ROWS)][-1],
            None,
            [("cells_split", 53, "booking_by_hospital")],
        )
    )

    def two_rows(d: Doc) -> Doc:
        delete(d, 60)
        return merge(d, 53, 66)

    cases.append((two_rows, (53, "booking_by_hospital", "南京鼓楼医院", "row has 14 cells, expected 7"), None))
    return cases


def test_merged_cells(tmp_path, undamaged):
    run("cells merged onto one line", merged_cells_cases(), tmp_path, undamaged)


def missing_cell_cases():
    """A row short of a cell: which one is missing cannot be told. Refused."""
    return [
        (lambda d: delete(d, 56), (53, "booking_by_hospital", "南京鼓楼医院", "row has 6 cells, expected 7"), None),
        (lambda d: delete(d, 331), (325, "booking_by_hospital", "南京市职业病防治院", "row has 6 cells"), None),
        (lambda d: delete(d, 355), (353, "booking_by_channel", "健康南京客户端", "row has 5 cells"), None),
        (lambda d: delete(d, 420), (417, "upload_by_district", "江宁区", "row has 9 cells, expected 10"), None),
        (lambda d: delete(d, 804), (800, "kiosk_usage", "江苏省中医院", "5 cells, expected 6"), None),
        (lambda d: delete(d, 1189), (1186, "kiosk_usage", "合计", "合计 row has 4 numbers, expected 5"), None),
        # merged onto one line and short of a cell: refused the same
        (lambda d: merge(delete(d, 56), 53, 59), (53, "booking_by_hospital", "南京鼓楼医院", "row has 6 cells"), None),
    ]


def test_row_missing_a_cell(tmp_path, undamaged):
    run("row missing a cell", missing_cell_cases(), tmp_path, undamaged)


def reorder_cases():
    """Tables in another order are each read under their own title: repaired, recorded."""
    keys = list(BLOCKS)
    orders = [
        list(reversed(keys)),
        ["kiosk", *keys[:-1]],
        ["booking", "hotline", *keys[2:]],
        ["remote", "upload_hospital", "hotline", "kiosk", "channel", "upload_district", "booking"],
    ]
    cases = []
    for order in orders:
        moved = next(k for k, u in zip(order, keys, strict=True) if k != u)
        line = 37 + 1 + sum(BLOCKS[k][1] - BLOCKS[k][0] + 1 for k in order[: order.index(moved)])
        table = {
            "hotline": "hotline_calls",
            "booking": "booking_by_hospital",
            "kiosk": "kiosk_usage",
            "remote": "remote_platforms",
        }[moved]
        cases.append((lambda d, o=order: reorder(d, o), None, [("tables_reordered", line, table)]))
    return cases


def test_tables_in_another_order(tmp_path, undamaged):
    run("tables in another order", reorder_cases(), tmp_path, undamaged)
    doc = reorder(Doc(), list(reversed(BLOCKS)))
    got = parse(doc, tmp_path)
    assert [r["rule"] for r in got.repairs] == ["tables_reordered"]
    assert got.repairs[0]["table"] == "kiosk_usage" and "kiosk_usage, upload_by_hospital" in got.repairs[0]["message"]


def stray_space_cases():
    """Full-width, no-break and narrow spaces around cells, around figures in prose, grouping
    a number's thousands, and as a paragraph's indent are removed; between other digits they
    are refused (one number or two?); inside a name they are kept as printed."""
    cases = []
    for sp in SPACES:
        cases.append(
            (
                lambda d, s=sp: edit(d, 55, lambda t: f"\t{s}64543{s}"),
                None,
                [("stray_space", 55, "booking_by_hospital")],
            )
        )
        cases.append(
            (lambda d, s=sp: edit(d, 54, lambda t: f"{s}{t}{s}"), None, [("stray_space", 54, "booking_by_hospital")])
        )
        cases.append(
            (
                lambda d, s=sp: edit(d, 40, lambda t: s + t.replace("106398个", f"{s}106398{s}个")),
                None,
                [("stray_space", 40, "hotline_calls")],
            )
        )
    for sp in ["\u00a0", "\u202f", "\u3000", "\u2009"]:
        cases.append(
            (
                lambda d, s=sp: edit(d, 59, lambda t: f"\t196{s}143"),
                None,
                [("space_in_number", 59, "booking_by_hospital")],
            )
        )
        cases.append(
            (
                lambda d, s=sp: edit(d, 806, lambda t: f"\t68{s}152{s}013.32 "),
                None,
                [("space_in_number", 806, "kiosk_usage")],
            )
        )
        cases.append(
            (
                lambda d, s=sp: edit(d, 392, lambda t: t.replace("7309816", f"7{s}309{s}816")),
                None,
                [("space_in_number", 392, "remote_platforms")],
            )
        )
    cases.append(
        (lambda d: edit(d, 418, lambda t: "\t63\u3000/\u3000129"), None, [("stray_space", 418, "upload_by_district")])
    )
    cases.append(
        (
            lambda d: edit(d, 40, lambda t: t.replace("106398个", " 106398 个")),
            None,
            [("stray_space", 40, "hotline_calls")],
        )
    )
    cases.append((lambda d: edit(d, 42, lambda t: "\u3000\u3000" + t), None, [("stray_space", 42, "hotline_calls")]))
    cases.append((lambda d: edit(d, 333, lambda t: "\t合\u3000计"), None, []))  # 合　计 is still 合计
    # refused
    cases.append(
        (
            lambda d: edit(d, 55, lambda t: "\t645\u300043"),
            (55, "booking_by_hospital", "645", "space between two digits"),
            None,
        )
    )
    cases.append(
        (
            lambda d: edit(d, 55, lambda t: "\t64 543"),
            (55, "booking_by_hospital", "64 543", "space between two digits"),
            None,
        )
    )
    cases.append(
        (
            lambda d: edit(d, 40, lambda t: t.replace("16771", "167\u00a071")),
            (40, "hotline_calls", "167", "space between two digits"),
            None,
        )
    )
    return cases


def test_stray_spaces(tmp_path, undamaged):
    run("stray full-width and no-break spaces", stray_space_cases(), tmp_path, undamaged)


def test_space_inside_a_name_is_kept_as_printed(tmp_path):
    doc = edit(Doc(), 54, lambda t: "\t南京\u3000鼓楼医院")
    got = parse(doc, tmp_path)
    assert got.tables["booking_by_hospital"].loc[0, "hospital"] == "南京\u3000鼓楼医院"
    TRIED["stray full-width and no-break spaces"] += 1


def bom_cases():
    """A byte-order mark pasted mid-file (at a line's start, in a cell, in prose) prints as
    nothing: removed, recorded."""
    return [
        (lambda d: edit(d, 44, lambda t: "\ufeff" + t), None, [("bom_removed", 44, "booking_by_hospital")]),
        (lambda d: edit(d, 55, lambda t: "\ufeff" + t), None, [("bom_removed", 55, "booking_by_hospital")]),
        (lambda d: edit(d, 55, lambda t: "\t645\ufeff43"), None, [("bom_removed", 55, "booking_by_hospital")]),
        (
            lambda d: edit(d, 40, lambda t: t.replace("其中", "其中\ufeff")),
            None,
            [("bom_removed", 40, "hotline_calls")],
        ),
        (lambda d: edit(d, 778, lambda t: "\ufeff" + t), None, [("bom_removed", 778, "kiosk_usage")]),
        (lambda d: edit(d, 37, lambda t: "\ufeff" + t), None, [("bom_removed", 37, None)]),
        # other characters that print as nothing: zero-width space and joiner, word joiner, soft hyphen
        (
            lambda d: edit(d, 54, lambda t: "\t南京\u200b鼓楼\u2060医院"),
            None,
            [("invisible_char_removed", 54, "booking_by_hospital")],
        ),
        (
            lambda d: edit(d, 59, lambda t: "\t196\u200b143"),
            None,
            [("invisible_char_removed", 59, "booking_by_hospital")],
        ),
        (
            lambda d: edit(d, 388, lambda t: t.replace("98752", "98\u00ad752")),
            None,
            [("invisible_char_removed", 388, "remote_platforms")],
        ),
    ]


def test_byte_order_mark_mid_file(tmp_path, undamaged):
    run("byte-order mark and invisible characters mid-file", bom_cases(), tmp_path, undamaged)


def mixed_encoding_cases():
    """Some lines UTF-8 and some GB18030 (pasted from two sources): each line read in the one
    it is valid in, each run of GB18030 lines recorded. A line valid in neither is refused."""
    cases = [
        (lambda d: encode(d, 44, 341), None, [("decoded_gb18030", 44, "booking_by_hospital")]),
        (lambda d: encode(d, 40, 40), None, [("decoded_gb18030", 40, "hotline_calls")]),
        (lambda d: encode(d, 54, 54), None, [("decoded_gb18030", 54, "booking_by_hospital")]),
        # 医 in GB18030 (D2 BD) is also valid UTF-8 for U+04BD: no Chinese bulletin prints that
        (lambda d: encode(d, 786, 786), None, [("decoded_gb18030", 786, "kiosk_usage")]),
        (
            lambda d: encode(encode(d, 386, 394), 778, 1193),
            None,
            [("decoded_gb18030", 386, "remote_platforms"), ("decoded_gb18030", 778, "kiosk_usage")],
        ),
        (lambda d: encode(d, 1, 36), None, [("decoded_gb18030", 1, None)]),
        # everything but the news section in GB18030, with a BOM pasted at a GB18030 line's start
        (lambda d: encode(edit(d, 44, lambda t: "\ufeff" + t), 37, 1193), None, [("decoded_gb18030", 37, None)]),
        # mixed and CRLF
        (
            lambda d: setattr(d, "end", "\r\n") or encode(d, 550, 777),
            None,
            [("decoded_gb18030", 550, "upload_by_hospital")],
        ),
    ]

    def latin1(d: Doc) -> Doc:
        d.lines[d.at(54)].text, d.lines[d.at(54)].encoding = "\tCafé Hôpital", "latin-1"
        return d

    cases.append((latin1, (54, "booking_by_hospital", "Caf", "lost in an earlier conversion"), None))
    return cases


def test_mixed_encodings(tmp_path, undamaged):
    run("mixed encodings", mixed_encoding_cases(), tmp_path, undamaged)


def test_whole_gbk_file_is_not_mixed(tmp_path, undamaged):
    doc = encode(Doc(), 1, len(ORIGINAL), "gbk")
    got = assert_repaired(doc, tmp_path, undamaged)
    assert got.raw.encoding == "gb18030" and got.repairs == []
    TRIED["mixed encodings"] += 1


def soft_break_cases():
    """Word's soft line break (U+000B), U+2028/U+2029 and form feed are not line ends to an
    editor: they end a segment of the line, which keeps the line's number. A table whose rows
    are all on one line this way reads the same; a break between two digits is refused."""
    cases = []
    for sep in ["\u2028", "\x0b", "\u2029", "\x0c"]:
        cases.append((lambda d, s=sep: merge(d, 44, 340, s), None, [("soft_line_break", 44, "booking_by_hospital")]))
        cases.append((lambda d, s=sep: merge(d, 793, 806, s), None, [("soft_line_break", 793, "kiosk_usage")]))
        hot = ORIGINAL[39]
        cases.append(
            (
                lambda d, s=sep: edit(d, 40, lambda t: t.replace("，其中", "，" + s + "其中")),
                None,
                [("soft_line_break", 40, "hotline_calls")],
            )
        )
        cases.append(
            (
                lambda d, s=sep: edit(d, 54, lambda t: "\t南京鼓楼" + s + "医院"),
                None,
                [("soft_line_break", 54, "booking_by_hospital")],
            )
        )
        del hot
    cases.append(
        (lambda d: edit(d, 55, lambda t: "\t645\u202843"), (55, "booking_by_hospital", "645⏎43", "two digits"), None)
    )
    return cases


def test_soft_line_breaks(tmp_path, undamaged):
    run("Word soft line breaks", soft_break_cases(), tmp_path, undamaged)


def control_cases():
    """A DOS end-of-file mark (Ctrl-Z) at the end is removed; any control character inside the
    statistics part is refused."""

    def eof(d: Doc, tail: bytes) -> Doc:
        d.tail = tail
        return d

    last = len(ORIGINAL)
    return [
        (lambda d: eof(d, b"\x1a"), None, [("eof_mark_removed", last, None)]),
        (lambda d: eof(d, b"\r\n\x1a"), None, [("eof_mark_removed", last + 1, None)]),
        (lambda d: setattr(d, "end", "\r\n") or eof(d, b"\x1a\x1a"), None, [("eof_mark_removed", last, None)]),
        (
            lambda d: edit(d, 55, lambda t: "\t645\x1a43"),
            (55, "booking_by_hospital", "645", "control character U+001A"),
            None,
        ),
        (
            lambda d: edit(d, 40, lambda t: t.replace("个", "\x07个", 1)),
            (40, "hotline_calls", "2021年4月", "control character U+0007"),
            None,
        ),
    ]


def test_control_characters(tmp_path, undamaged):
    run("Ctrl-Z and control characters", control_cases(), tmp_path, undamaged)


def tabs_to_spaces_cases():
    """TABs turned into runs of spaces: an empty cell turned into spaces cannot be told from
    the blank line between rows, so the table is refused, naming the first such line."""

    def spaces(d: Doc, first: int, last: int, width: int) -> Doc:
        for ln in d.lines[d.at(first) : d.at(last) + 1]:
            ln.text = re.sub(r"^\t", " " * width, ln.text)
        return d

    return [
        (lambda d: spaces(d, 44, 341, 4), (45, "booking_by_hospital", "序号", "tabs turned into spaces"), None),
        (lambda d: spaces(d, 778, 1193, 8), (779, "kiosk_usage", "单位", "tabs turned into spaces"), None),
        (lambda d: spaces(d, 395, 549, 1), (397, "upload_by_district", "接入单位", "tabs turned into spaces"), None),
        (lambda d: spaces(d, 55, 55, 4), (55, "booking_by_hospital", "64543", "tabs turned into spaces"), None),
    ]


def test_tabs_turned_into_spaces(tmp_path, undamaged):
    run("tabs turned into spaces", tabs_to_spaces_cases(), tmp_path, undamaged)


# ---------------------------------------------------------------- through the command


def test_damaged_bulletin_through_the_command(make_project, capsys, undamaged):
    """Repairs reach quality.csv (status repaired, rule, line, table) and the command warns;
    the facts are the undamaged ones, at their lines in the damaged file."""
    doc = Doc()
    rewrap(doc, 40, 20)  # +1 line from here on
    merge(doc, 53, 59)  # −6
    edit(doc, 355, lambda t: "\t76126\u3000")
    encode(doc, 778, 1193)
    root = make_project(doc.bytes())
    assert main(["clean", "--month", MONTH, "--root", str(root)]) == 0
    _out, err = capsys.readouterr()
    assert "4 damaged line(s) of the bulletin repaired" in err, err
    folder = root / "data" / "processed" / MONTH
    quality = store.read_table(folder, "quality")
    repaired = quality[quality["status"] == "repaired"]
    assert set(zip(repaired["rule"], repaired["source_line"], repaired["table"], strict=True)) == {
        ("line_rewrapped", 41, "hotline_calls"),
        ("cells_split", 54, "booking_by_hospital"),
        ("stray_space", 350, "booking_by_channel"),
        ("decoded_gb18030", 773, "kiosk_usage"),
    }
    assert list(quality["status"]).index("repaired") < list(quality["status"]).index("ok")
    facts = store.read_table(folder, "facts")
    where = doc.where()
    same_but_lines(facts, undamaged.facts, where, "facts")
    total = facts[(facts["table"] == "hotline_calls") & (facts["entity"] == "total")]
    assert list(total["source_line"]) == [41]  # 106398 now stands on the wrapped line's second half
    TRIED["through the command"] += 1


def test_refused_damage_through_the_command(make_project, capsys):
    doc = rewrap(Doc(), 55, 4)
    root = make_project(doc.bytes())
    assert main(["clean", "--month", MONTH, "--root", str(root)]) == 2
    _out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err
    assert "bulletin.txt:56" in lines[0] and "table booking_by_hospital" in lines[0] and "645⏎43" in lines[0]
    assert not (root / "data" / "processed" / MONTH).exists()
    TRIED["through the command"] += 1


# ---------------------------------------------------------------- combined at random

PROSE_CUTS = {
    no: [
        c
        for c in range(1, len(ORIGINAL[no - 1]))
        if not (ORIGINAL[no - 1][c - 1].isdigit() and ORIGINAL[no - 1][c].isdigit())
        and ORIGINAL[no - 1][c - 1] not in "。"
    ]
    for no in PROSE
}
CELL_LINES = [n for n in range(45, 1192) if ORIGINAL[n - 1].startswith("\t") and ORIGINAL[n - 1].strip()]


@st.composite
def repairable(draw):
    ops = []
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["rewrap", "merge", "space", "bom", "gb18030", "soft", "order", "zw"]))
        if kind == "rewrap":
            no = draw(st.sampled_from(PROSE))
            ops.append((kind, no, draw(st.sampled_from(PROSE_CUTS[no]))))
        elif kind in ("merge", "soft"):
            ops.append((kind, *draw(st.sampled_from(BOOKING_ROWS + KIOSK_ROWS))))
        elif kind == "gb18030":
            a = draw(st.integers(1, len(ORIGINAL)))
            ops.append((kind, a, min(len(ORIGINAL), a + draw(st.integers(0, 300)))))
        elif kind == "order":
            ops.append((kind, draw(st.permutations(list(BLOCKS)))))
        else:
            ops.append((kind, draw(st.sampled_from(CELL_LINES)), draw(st.sampled_from(SPACES))))
    return ops, draw(st.sampled_from(["\n", "\r\n"])), draw(st.booleans())


def apply(ops, end, ctrl_z) -> Doc:
    doc = Doc()
    doc.end = end
    for op in ops:  # text first, then lines, then encodings
        if op[0] == "space":
            edit(doc, op[1], lambda t, s=op[2]: re.sub(r"^\t(.*?) *$", lambda m: f"\t{s}{m[1]}{s}", t))
        elif op[0] == "bom":
            edit(doc, op[1], lambda t: "\ufeff" + t)
        elif op[0] == "zw":
            edit(doc, op[1], lambda t: t[:2] + "\u200b" + t[2:])
    for op in ops:
        if op[0] == "order":
            reorder(doc, list(op[1]))
    for op in ops:
        if op[0] == "rewrap" and len(doc.lines[doc.at(op[1])].origin) == 1:
            ln = doc.lines[doc.at(op[1])]
            if (
                ln.text == ORIGINAL[op[1] - 1]
                and doc.lines.count(ln) == 1
                and sum(op[1] in x.origin for x in doc.lines) == 1
            ):
                rewrap(doc, op[1], op[2])
        elif op[0] in ("merge", "soft") and all(sum(n in x.origin for x in doc.lines) == 1 for n in (op[1], op[2])):
            i, j = doc.at(op[1]), doc.at(op[2])
            if all(len(x.origin) == 1 for x in doc.lines[i : j + 1]) and j - i == op[2] - op[1]:
                merge(doc, op[1], op[2], "\u2028" if op[0] == "soft" else "")
    for op in ops:
        if op[0] == "gb18030":
            encode(doc, op[1], op[2])
    if ctrl_z:
        doc.tail = b"\x1a"
    return doc


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(repairable())
def test_combined_repairable_damage_cleans_to_the_same_tables(tmp_path_factory, undamaged, damage):
    doc = apply(*damage)
    got = assert_repaired(doc, tmp_path_factory.mktemp("combined"), undamaged)
    # No repair recorded only where nothing was damaged: the same bytes, perhaps with CRLF line
    # ends (any line end is read as it is, never "repaired") and the tables in their own order.
    assert got.repairs or doc.bytes().replace(b"\r\n", b"\n") == RAW_BULLETIN.read_bytes()
    TRIED["combined at random"] += 1


# ---------------------------------------------------------------- the count


def test_the_suite_counts_what_it_tried(tmp_path, undamaged, capsys):
    """Runs any kind not run yet (this file run in part), then says how many held."""
    kinds = {
        "re-wrapped paragraph or title": rewrapped_prose_cases,
        "cell text wrapped": rewrapped_cell_cases,
        "cells merged onto one line": merged_cells_cases,
        "row missing a cell": missing_cell_cases,
        "tables in another order": reorder_cases,
        "stray full-width and no-break spaces": stray_space_cases,
        "byte-order mark and invisible characters mid-file": bom_cases,
        "mixed encodings": mixed_encoding_cases,
        "Word soft line breaks": soft_break_cases,
        "Ctrl-Z and control characters": control_cases,
        "tabs turned into spaces": tabs_to_spaces_cases,
    }
    for kind, cases in kinds.items():
        if not TRIED[kind]:
            folder = tmp_path / re.sub(r"\W+", "-", kind)
            folder.mkdir()
            run(kind, cases(), folder, undamaged)
    total = sum(TRIED.values())
    with capsys.disabled():
        print(f"\ndamaged bulletins: {total} tried, all held (repaired to the same tables, or refused in one line)")
        for kind, n in sorted(TRIED.items()):
            print(f"  {n:4d}  {kind}")
    assert total >= 100

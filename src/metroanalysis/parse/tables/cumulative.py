"""The footnotes with running totals: （截止4月底，总预约挂号量为24033728次） and
（截止4月底，区及医院累计校验入库数据101.78亿条）.

The second is printed in 亿 (10^8): the printed text is kept, and the value in records is
computed exactly with decimals (101.78亿 = 10,178,000,000), never through a float.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from metroanalysis.parse.tables.base import Extract
from metroanalysis.parse.tables.spec import Table
from metroanalysis.read.text import Line

TABLE = "cumulative_totals"

TABLES = (
    Table(
        TABLE,
        "累计数",
        "Running totals",
        "Running totals printed as footnotes (bookings to date; records verified into the platform).",
        (
            ("measure", {"description": "bookings_to_date or records_verified_to_date"}),
            "measure_zh",
            ("printed", {"description": "the figure as printed, e.g. 101.78亿条"}),
            ("value", {"dtype": "Int64", "description": "the figure in bookings or records (亿 = 10^8, exact)"}),
            "unit",
            "as_of",
            "source_line",
        ),
    ),
)

_SCALE = {"": 1, "万": 10_000, "亿": 100_000_000}
_FIGURE = r"(?P<n>[\d.]+)(?P<scale>万|亿)?(?P<unit>{unit})"
_AS_OF = re.compile(r"截[止至](?P<asof>[^，,]*?)(?:[，,]|$)")
# A footnote as printed: a parenthesised line with a figure.
_FOOTNOTE = re.compile(r"^\s*[（(].*\d.*[）)]\s*$")


@dataclass(frozen=True)
class Footnote:
    """A running total printed as a footnote, found by its meaning: the wording printed so
    far (`pattern`, read silently), else a line holding every one of `words` and a figure in
    `unit` (read, with a warning quoting it)."""

    measure: str
    label: str
    pattern: re.Pattern
    words: tuple[str, ...]
    unit: str

    def reworded(self, text: str) -> re.Match | None:
        if not all(re.search(w, text) for w in self.words):
            return None
        figures = list(re.finditer(_FIGURE.format(unit=self.unit), text))
        return figures[0] if len(figures) == 1 else None


FOOTNOTES = [
    Footnote(
        "bookings_to_date",
        "总预约挂号量",
        re.compile(r"截[止至](?P<asof>[^，,]*?)，?总预约挂号量为(?P<n>[\d.]+)(?P<scale>万|亿)?(?P<unit>次)"),
        ("预约", "总|累计"),
        "次",
    ),
    Footnote(
        "records_verified_to_date",
        "区及医院累计校验入库数据",
        re.compile(r"截[止至](?P<asof>[^，,]*?)，?区及医院累计校验入库数据(?P<n>[\d.]+)(?P<scale>万|亿)?(?P<unit>条)"),
        ("入库|校验", "累计|总"),
        "条",
    ),
]


@dataclass
class FootnoteReading:
    """What the footnotes gave: measures not printed at all, measures read from a reworded
    footnote (line, text), and footnote lines with a figure that no measure recognised."""

    missing: list[str] = field(default_factory=list)
    reworded: list[tuple[str, int, str]] = field(default_factory=list)
    unrecognised: list[tuple[str, int, str]] = field(default_factory=list)


def find_footnote(lines: list[Line], note: Footnote) -> tuple[Line, re.Match, bool] | None:
    found = next(((ln, m, True) for ln in lines if (m := note.pattern.search(ln.text))), None)
    if found is None:
        found = next(
            (((ln, m, False) for ln in lines if _FOOTNOTE.match(ln.text) and (m := note.reworded(ln.text)))), None
        )
    return found


def cumulative_totals(lines: list[Line], ex: Extract) -> FootnoteReading:
    """Reads the footnotes wherever they stand, by meaning; says what it could not read."""
    records, reading, used = [], FootnoteReading(), set()
    for note in FOOTNOTES:
        found = find_footnote(lines, note)
        if found is None:
            reading.missing.append(note.measure)
            continue
        line, m, exact = found
        used.add(id(line))
        asof = m["asof"] if exact else ((a := _AS_OF.search(line.text)) and a["asof"]) or None
        value = Decimal(m["n"]) * _SCALE[m["scale"] or ""]
        # 亿 with more decimals than whole records can carry: keep the text, invent no digits.
        value_int = int(value) if value == value.to_integral_value() else None
        printed = f"{m['n']}{m['scale'] or ''}{m['unit']}"
        no = line.no_at(m.start("n"))
        records.append(
            {
                "measure": note.measure,
                "measure_zh": note.label,
                "printed": printed,
                "value": value_int,
                "unit": m["unit"],
                "as_of": asof,
                "source_line": no,
            }
        )
        if not exact:
            reading.reworded.append((note.measure, no, line.text.strip()))
        ex.fact(
            TABLE, "", note.label, note.measure, value_int if value_int is not None else value, m["unit"], no, printed
        )
    # A measure not read while a footnote with a figure stands unclaimed: printed, not recognised.
    unclaimed = [
        ln for ln in lines if id(ln) not in used and _FOOTNOTE.match(ln.text) and re.search(r"截[止至]|累计", ln.text)
    ]
    for measure in list(reading.missing):
        note = next(n for n in FOOTNOTES if n.measure == measure)
        line = next((ln for ln in unclaimed if re.search(r"\d[万亿]?" + note.unit, ln.text)), None)
        line = line or next(iter(unclaimed), None)
        if line is not None:
            reading.missing.remove(measure)
            reading.unrecognised.append((measure, line.no, line.text.strip()))
    ex.put(TABLE, records)
    return reading

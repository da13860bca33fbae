"""The footnotes with running totals: （截止4月底，总预约挂号量为24033728次） and
（截止4月底，区及医院累计校验入库数据101.78亿条）.

The second is printed in 亿 (10^8): the printed text is kept, and the value in records is
computed exactly with decimals (101.78亿 = 10,178,000,000), never through a float.
"""

from __future__ import annotations

import re
from decimal import Decimal

from ..reading import Line
from .base import Extract, frame
from .spec import Table

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
FOOTNOTES = [
    (
        "bookings_to_date",
        "总预约挂号量",
        re.compile(r"截[止至](?P<asof>[^，,]*?)，?总预约挂号量为(?P<n>[\d.]+)(?P<scale>万|亿)?(?P<unit>次)"),
    ),
    (
        "records_verified_to_date",
        "区及医院累计校验入库数据",
        re.compile(r"截[止至](?P<asof>[^，,]*?)，?区及医院累计校验入库数据(?P<n>[\d.]+)(?P<scale>万|亿)?(?P<unit>条)"),
    ),
]


def cumulative_totals(lines: list[Line], ex: Extract) -> list[str]:
    """Reads the footnotes wherever they stand; returns the measures that were not found."""
    records, missing = [], []
    for measure, label, pattern in FOOTNOTES:
        found = next(((ln, m) for ln in lines if (m := pattern.search(ln.text))), None)
        if found is None:
            missing.append(measure)
            continue
        line, m = found
        value = Decimal(m["n"]) * _SCALE[m["scale"] or ""]
        # 亿 with more decimals than whole records can carry: keep the text, invent no digits.
        value_int = int(value) if value == value.to_integral_value() else None
        printed = f"{m['n']}{m['scale'] or ''}{m['unit']}"
        records.append(
            {
                "measure": measure,
                "measure_zh": label,
                "printed": printed,
                "value": value_int,
                "unit": m["unit"],
                "as_of": m["asof"],
                "source_line": line.no_at(m.start("n")),
            }
        )
        no = line.no_at(m.start("n"))
        ex.fact(TABLE, "", label, measure, value_int if value_int is not None else value, m["unit"], no, printed)
    ex.frames[TABLE] = frame(records, TABLE)
    return missing

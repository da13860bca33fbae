"""医院满意度调查统计表: a table added the way the README says, in one module (for the tests:
registered with `metroanalysis.parse.tables.register`; under src/metroanalysis/parse/tables/ it would be
found by itself).

    2021年4月医院满意度调查统计表
        单位  调查人数  满意人数  满意率（%）
        …
        合计  …       …        …      (the rate's 合计 is a rate of the totals, not a sum)
"""

from __future__ import annotations

import re

from metroanalysis.parse.tables.base import Column, grid_parser
from metroanalysis.parse.tables.spec import YM, Printed, Table

TABLE = "satisfaction_survey"

COLUMNS = (
    Column("hospital", r"单位|医院|医院名称", "name"),
    Column("surveyed", r"调查人数|调查人次", "count", "人"),
    Column("satisfied", r"满意人数|满意人次", "count", "人"),
    Column(
        "satisfaction_rate",
        r"满意率[（(]%[）)]|满意率",
        "rate",
        "%",
        summed=False,
        rate_of=("satisfied", "surveyed"),
    ),
)

TABLES = (
    Table(
        TABLE,
        "医院满意度调查",
        "Hospital satisfaction survey",
        "Patients surveyed and satisfied by hospital, and the satisfaction rate as printed (满意度调查).",
        (
            "hospital",
            "entity_id",
            (
                "surveyed",
                {
                    "dtype": "Int64",
                    "unit": "people",
                    "title_zh": "调查人数",
                    "title_en": "Surveyed",
                    "description": "patients surveyed",
                },
            ),
            (
                "satisfied",
                {
                    "dtype": "Int64",
                    "unit": "people",
                    "title_zh": "满意人数",
                    "title_en": "Satisfied",
                    "description": "patients satisfied",
                },
            ),
            (
                "satisfaction_rate",
                {
                    "dtype": "string",
                    "unit": "%",
                    "title_zh": "满意率（%）",
                    "title_en": "Satisfaction rate (%)",
                    "description": "satisfied ÷ surveyed, in per cent, as printed (94.5 stays 94.5)",
                },
            ),
            "source_line",
        ),
        entity_column="hospital",
        columns=COLUMNS,
        total_row=True,
    ),
)

PRINTED = (
    Printed(
        "satisfaction",
        re.compile(YM + r"医院满意度调查统计表"),
        (grid_parser(TABLE, list(COLUMNS), "hospital"),),
        (TABLE,),
        words=("满意度",),
        since="2021-04",
        continues=True,
    ),
)

"""cumulative_totals: the footnotes on lines 341 and 777."""

from __future__ import annotations


def test_cumulative_totals(parsed):
    df = parsed.tables["cumulative_totals"]
    got = list(
        df[["measure", "measure_zh", "printed", "value", "unit", "as_of", "source_line"]].itertuples(
            index=False, name=None
        )
    )
    assert got == [
        ("bookings_to_date", "总预约挂号量", "24033728次", 24033728, "次", "4月底", 341),
        ("records_verified_to_date", "区及医院累计校验入库数据", "101.78亿条", 10_178_000_000, "条", "4月底", 777),
    ]
    assert df["value"].dtype == "Int64"
    assert df["printed"].dtype == "string"


def test_yi_is_expanded_exactly_in_facts(parsed):
    f = parsed.facts
    row = f[f["measure"] == "records_verified_to_date"].iloc[0]
    assert row["value"] == "10178000000"
    assert row["printed"] == "101.78亿条"
    assert row["source_line"] == 777

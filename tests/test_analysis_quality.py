"""The data-quality report: ordering, counts, missing values and what the cleaning changed,
checked against data/raw/2021-04/bulletin.txt and small hand-made tables."""

from pathlib import Path

import pandas as pd

from metroanalysis import load_month
from metroanalysis.analysis import quality

ROOT = Path(__file__).resolve().parents[1]


def checks(*statuses: str) -> pd.DataFrame:
    n = len(statuses)
    return pd.DataFrame(
        {
            "rule": ["r"] * n,
            "table": ["kiosk_usage"] * n,
            "entity": ["合计"] * n,
            "column": ["payments"] * n,
            "printed": ["1"] * n,
            "computed": ["1"] * n,
            "difference": ["0"] * n,
            "status": list(statuses),
            "source_line": pd.array(range(n, 0, -1), dtype="Int64"),
            "message": [""] * n,
        }
    ).astype({"status": "string"})


def test_mismatches_come_first():
    ordered = quality.checks_worst_first(checks("ok", "rounding", "mismatch", "partial", "ok"))
    # The order of checks.STATUS_ORDER: a rounding difference before a partly listed breakdown.
    assert list(ordered["status"]) == ["mismatch", "rounding", "partial", "ok", "ok"]
    assert list(ordered["status_zh"]) == ["不一致", "舍入差", "部分列出", "一致", "一致"]


def test_status_counts_and_sentence():
    counts = quality.status_counts(checks("ok", "ok", "mismatch"))
    assert list(counts["status"]) == ["mismatch", "ok"]
    assert list(counts["checks"]) == [1, 2]
    assert quality.quality_sentence(counts).startswith(
        "对原文的合计、小计和表间关系共核对 3 项：不一致 1 项，一致 2 项"
    )


def test_shipped_month_payment_total_is_a_rounding_difference():
    month = load_month("2021-04", root=ROOT)
    ordered = quality.checks_worst_first(month.quality)
    assert "mismatch" not in set(ordered["status"])
    rounding = ordered[ordered["status"] == "rounding"].iloc[0]
    # Printed 合计 336807013.30; the 49 printed payments add up to 336807013.31.
    assert (rounding["printed"], rounding["computed"]) == ("336807013.30", "336807013.31")


def test_missing_values_counts_not_reported_hospitals():
    month = load_month("2021-04", root=ROOT)
    missing = quality.missing_values(month.tables).set_index(["table", "column"])
    # 未反馈 is printed for 14 of the 27 hospitals.
    assert missing.loc[("upload_by_hospital", "declared_tables"), "missing"] == 14
    assert missing.loc[("upload_by_hospital", "declared_tables"), "rows"] == 27
    assert ("facts", "section") not in missing.index


def test_cleaning_changes():
    month = load_month("2021-04", root=ROOT)
    changes = quality.cleaning_changes(month.facts).set_index("change")
    by_marker = {kind: changes.loc[kind] for kind in changes.index}
    yi = next(row for kind, row in by_marker.items() if "亿" in kind)
    assert yi["example"] == "101.78亿条 → 10178000000"
    not_reported = next(row for kind, row in by_marker.items() if "未反馈" in kind)
    assert not_reported["numbers"] == 14
    split = next(row for kind, row in by_marker.items() if "拆成" in kind)
    assert split["numbers"] == 12 * 2 + 13 * 2  # areas and reporting hospitals print "declared/required"

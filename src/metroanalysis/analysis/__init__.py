"""Analysis of a month's clean tables: pure functions, tables in → tables and numbers out. No
wording: sentences, titles and labels are written in the notebooks (see `metroanalysis.i18n`).

One module per report: `channels` (bookings by channel), `kiosks` (self-service terminals),
`coverage` (remote platforms, data uploads, health records), `quality` (how far to trust the
tables), `trends` (month after month); shared by them: `profile` (what the reports read off
hospital_profile), `totals` (the bulletin's printed 合计 first, the rows' sum beside it) and
`stats` (a statistic with its n, interval and p-value). Nothing here reads or writes files.

To add an analysis: a function in the report's module, its test in tests/test_analysis_*.py
with hand-computed expectations, then a cell in the notebook that calls it.

Conventions shared by every module:
- a share is a fraction in [0, 1] as Float64; sentences and display tables show it as a
  percentage with one decimal;
- money is summed in whole fen (integers), so a total is exact to the fen, then turned back
  into Float64 yuan;
- a ratio whose denominator is zero or missing is <NA>, never 0 or inf.
- sentences write figures with one formatter each: counts `fmt_count`, shares `fmt_pct` (one
  decimal), printed money `fmt_yuan` (to the fen, as printed), money per unit (per terminal, per
  record, per payment) `fmt_yuan_per` (to the yuan), correlations `fmt_rho`, p-values `fmt_p`
  (two significant digits);
- a superlative ("最高", "最多" …) names every unit tied for it: `top_units`.

This module holds the small helpers the others share: ratios, fen arithmetic, number
formatting for sentences, and `display_table` (a table as text under the headers given).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from metroanalysis.analysis import labels

__all__ = [
    "display_table",
    "fmt_count",
    "fmt_p",
    "fmt_pct",
    "fmt_rho",
    "fmt_yuan",
    "fmt_yuan_per",
    "ratio",
    "registry_names",
    "to_fen",
    "to_yuan",
    "top_units",
]


def ratio(numerator: pd.Series, denominator) -> pd.Series:
    """numerator / denominator (a Series or a number) as Float64; <NA> where the denominator is
    zero or missing, because "no terminals" has no money per terminal, not zero or infinity."""
    num = numerator.astype("Float64")
    if isinstance(denominator, pd.Series):
        den = denominator.astype("Float64")
    else:
        den = pd.Series(denominator, index=num.index, dtype="Float64")
    return (num / den.where(den != 0)).astype("Float64")


def to_fen(yuan: pd.Series) -> pd.Series:
    """Float64 yuan → Int64 fen. Rounding is safe: every amount was printed to the fen."""
    return yuan.astype("Float64").mul(100).round().astype("Int64")


def to_yuan(fen) -> pd.Series | float:
    """Int64 fen → Float64 yuan (a scalar stays a scalar)."""
    if isinstance(fen, pd.Series):
        return (fen.astype("Int64") / 100).astype("Float64")
    return int(fen) / 100


def fmt_count(n) -> str:
    """427194 → '427,194'."""
    return f"{int(n):,}"


def fmt_pct(share, digits: int = 1) -> str:
    """0.4456 → '44.6%'; a missing share → '—'."""
    return "—" if pd.isna(share) else f"{float(share) * 100:.{digits}f}%"


def fmt_yuan(amount) -> str:
    """352429428.5 → '352,429,428.50' (the unit is the sentence's: "{amount} 元"); missing → '—'."""
    return "—" if pd.isna(amount) else f"{float(amount):,.2f}"


def fmt_number(x, digits: int = 1) -> str:
    return "—" if pd.isna(x) else f"{float(x):,.{digits}f}"


def fmt_yuan_per(amount) -> str:
    """Money per unit (per terminal, per record, per payment): 1490306.21 → '1,490,306' — to the
    yuan, since the fen of a ratio is noise; every figure of a column to the same place, so a
    column never mixes '12' with '10.0'. A ratio of a few yuan, where a tenth matters (registration
    money per outpatient record), is shown with `fmt_number` (one decimal) instead. Missing → '—'."""
    if pd.isna(amount):
        return "—"
    return f"{float(amount):,.0f}"


def fmt_rho(rho) -> str:
    """A correlation coefficient or an interval bound, signed, two decimals: 0.5 → '+0.50'."""
    return "—" if pd.isna(rho) else f"{float(rho):+.2f}"


def fmt_p(p) -> str:
    """A p-value with two significant digits, as 'p = 0.048' / 'p = 0.15' ('p < 0.001' below that:
    a permutation p-value of 9,999 resamples says no more); missing → 'p = —'."""
    if pd.isna(p):
        return "p = —"
    if float(p) < 0.001:
        return "p < 0.001"
    rounded = float(f"{float(p):.2g}")
    decimals = max(1 - math.floor(math.log10(rounded)), 1)
    return f"p = {rounded:.{decimals}f}"


def top_units(frame: pd.DataFrame, column: str, largest: bool = True, k: int = 1) -> pd.DataFrame:
    """The rows a superlative names: the `k` rows with the largest (or smallest) `column`, and
    every row tied with the last of them, in the frame's order among equals. A unit tied for
    first is as much "the highest" as the one a sort happens to put first. Rows with no value are
    never named; an empty frame gives an empty result."""
    valued = frame.dropna(subset=[column])
    if valued.empty:
        return valued.reset_index(drop=True)
    ranked = valued.sort_values(column, ascending=not largest, kind="stable")
    cut = ranked[column].iloc[min(k, len(ranked)) - 1]
    beyond = ranked[column] >= cut if largest else ranked[column] <= cut
    return ranked[beyond].reset_index(drop=True)


# How each kind of column is written in a display table.
_FORMATS = {
    "text": lambda v: "—" if pd.isna(v) else str(v),
    "count": lambda v: "—" if pd.isna(v) else fmt_count(v),
    "pct": lambda v: "—" if pd.isna(v) else f"{float(v) * 100:.1f}",
    "yuan": lambda v: "—" if pd.isna(v) else f"{float(v):,.2f}",
    "yuan_per": fmt_yuan_per,
    "num": lambda v: fmt_number(v, 1),
    "num2": lambda v: fmt_number(v, 2),
    "flag": lambda v: "—" if pd.isna(v) else ("✓" if v else "✗"),
}


def registry_names(
    df: pd.DataFrame, entities: pd.DataFrame, lang: str = "zh", column: str | None = None
) -> pd.DataFrame:
    """`df` with its name column (the one just before `entity_id`, or `column`) replaced by the
    registry's name for each row's entity_id: name_zh, or in English name_en falling back to
    name_zh. A row with no entity_id (a name the registry does not know) keeps its printed
    name. E.g. the booking table's 南大学附属中大医院 (H009) is shown as 东南大学附属中大医院."""
    if column is None:
        column = df.columns[df.columns.get_loc("entity_id") - 1]
    names = labels.entity_names(entities, lang)
    out = df.copy()
    shown = [labels.entity_label(e, p, names) for e, p in zip(df["entity_id"], df[column], strict=True)]
    out[column] = pd.array(shown, dtype="string")
    return out


def display_table(df: pd.DataFrame, columns: Mapping[str, tuple[str, str]], lang: str = "zh") -> pd.DataFrame:
    """The columns of `df` a reviewer reads, as text under the headers given.

    `columns` maps a column to (header, kind); kind is one of text, count, pct (a share shown as
    a percentage: say "（%）" in the header), yuan, yuan_per (money per unit: `fmt_yuan_per`),
    num, num2, flag (✓ / ✗, the same in every language). The first column becomes the index, so
    the printed table starts with the entity name. Text output keeps reports stable from run to
    run (no styler ids, no float noise).
    `lang` is unused and kept for callers that still pass it.
    """
    out = pd.DataFrame({header: [_FORMATS[kind](v) for v in df[col]] for col, (header, kind) in columns.items()})
    first = next(iter(columns.values()))[0]
    return out.set_index(first)

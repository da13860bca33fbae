"""Statistics with their basis: every figure carries its n, its method and its uncertainty.

A rank correlation over a few dozen hospitals is a fragile thing: ties at zero (units that did
not report) and shares computed from a handful of bookings move it a lot. So a correlation
here is always reported with the units it used, the units it left out and why, a bootstrap
interval and a permutation p-value (both seeded: the same data give the same page), and the
words that describe it follow from the interval, not from the point value alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

SEED = 20210401  # fixed: the same data give the same interval, page after page
RESAMPLES = 4999
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Correlation:
    """Spearman's rank correlation of two columns over `n` units."""

    rho: float  # NaN when n < 3 or a column is constant
    n: int
    low: float  # bootstrap percentile interval at CONFIDENCE
    high: float
    p_value: float  # two-sided permutation test of rho = 0

    @property
    def computable(self) -> bool:
        return self.n >= 3 and not np.isnan(self.rho)

    @property
    def direction(self) -> int:
        """+1 or −1 when the interval lies wholly above or below 0; 0 when it holds 0 (the data
        cannot tell the sign) or nothing could be computed."""
        if not self.computable or np.isnan(self.low) or np.isnan(self.high):
            return 0
        return 1 if self.low > 0 else -1 if self.high < 0 else 0

    @property
    def strength(self) -> str:
        """'weak', 'moderate' or 'strong' by |rho| (< 0.4, < 0.6, else): words for a relation
        whose sign the interval has shown; meaningless when `direction` is 0."""
        size = abs(self.rho)
        return "weak" if size < 0.4 else "moderate" if size < 0.6 else "strong"


def spearman(x: pd.Series, y: pd.Series) -> Correlation:
    """Spearman's rho of x and y over the pairs where both exist (average ranks for ties), with a
    seeded bootstrap percentile interval and a two-sided permutation p-value (scipy.stats)."""
    from scipy import stats

    pairs = pd.DataFrame({"x": x.astype("Float64"), "y": y.astype("Float64")}).dropna().astype(float)
    n = len(pairs)
    nan = float("nan")
    if n < 3 or pairs["x"].nunique() < 2 or pairs["y"].nunique() < 2:
        return Correlation(nan, n, nan, nan, nan)
    a, b = pairs["x"].to_numpy(), pairs["y"].to_numpy()
    low, high = _bootstrap_interval(a, b)
    perm = stats.permutation_test(
        (a, b), _rho, permutation_type="pairings", vectorized=True, n_resamples=RESAMPLES,
        alternative="two-sided", random_state=np.random.default_rng(SEED),
    )  # fmt: skip
    return Correlation(float(_rho(a, b)), n, low, high, float(perm.pvalue))


def _rho(u: np.ndarray, v: np.ndarray, axis: int = -1) -> np.ndarray:
    """Spearman's rho along `axis` (many samples at once): Pearson's r of average ranks; NaN
    where a sample is constant."""
    from scipy.stats import rankdata

    ru, rv = rankdata(u, axis=axis), rankdata(v, axis=axis)
    ru = ru - ru.mean(axis=axis, keepdims=True)
    rv = rv - rv.mean(axis=axis, keepdims=True)
    spread = np.sqrt((ru * ru).sum(axis=axis) * (rv * rv).sum(axis=axis))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(spread > 0, (ru * rv).sum(axis=axis) / spread, np.nan)


def _bootstrap_interval(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Percentile interval of rho over units resampled with replacement. A resample in which a
    column is constant has no rho; it is skipped (scipy's `bootstrap` would make the whole
    interval NaN), which is how the percentile bootstrap treats undefined replicates."""
    picks = np.random.default_rng(SEED).integers(0, len(a), size=(RESAMPLES, len(a)))
    values = _rho(a[picks], b[picks])
    values = values[~np.isnan(values)]
    if len(values) < RESAMPLES // 2:
        return float("nan"), float("nan")
    tail = (1 - CONFIDENCE) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    return float(low), float(high)

"""Statistics with their basis: every figure carries its n, its method and its uncertainty.

A rank correlation over a few dozen hospitals is a fragile thing: ties at zero (units that did
not report) and shares computed from a handful of bookings move it a lot. So a correlation
here is always reported with the units it used, the units it left out and why, two intervals
and a permutation p-value, and the words that describe it follow from one rule, `verdict`,
written here once and used by every page.

The verdict rule, and why:
- Two 95 % intervals for Spearman's rho: an analytic Fisher-z interval (Bonett & Wright's
  variance for Spearman's rho, 1 + rho²/2 over n − 3), which has no simulation noise, and a BCa
  bootstrap interval (scipy.stats.bootstrap, RESAMPLES resamples of the units), which makes no
  normality assumption. Near 0 the two can disagree; a verdict needing both is not an artefact
  of either method's assumption.
- A bootstrap bound carries Monte Carlo error (another seed gives another bound). It is
  measured (`mc_error`, one standard error of the bound, by batch means: `bound_mc_error`) and
  reported, and a bootstrap bound within MC_MARGIN of those errors of 0 counts as neither side
  of 0: nothing a seed could flip decides a verdict.
- CLEAR (a relation, worded by its strength): both intervals exclude 0 on the same side.
  NONE (the data cannot tell): both hold 0, the bootstrap's clearly. WEAK (a sign of a relation,
  not enough to call it one): anything between, i.e. the methods disagree, or the bootstrap
  bound is within MC_MARGIN MC errors of 0. Where the bootstrap is undefined (a resample with a
  constant column, likely only for a handful of units) it shows nothing: Fisher's interval alone
  gives at most WEAK. Fisher's interval has no noise, so a seed can never move a verdict between
  CLEAR and NONE; it can move one to the neighbouring tier only when a bound sits about
  MC_MARGIN MC errors from 0 (about 0.015 for 17 units) — a verdict changes when the evidence does.
- The units are put in a canonical order (by their values) before resampling, so the row order
  of the table changes nothing at all; tests check the verdict for many seeds.

`sensitivity` recomputes a correlation without the smallest units (by a size column), and
`outliers` flags a unit far outside the others by a stated robust rule (OUTLIER_IQR).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

SEED = 20210401  # fixed: the same data give the same page
RESAMPLES = 40_000  # bootstrap resamples: a 95 % bound's MC error is then about 0.005 for ~17 units
PERMUTATIONS = 9999  # permutation resamples: p = 0.05 then has an MC error of about 0.002
BATCHES = 20  # batches of resamples whose spread measures the bootstrap bound's MC error
CONFIDENCE = 0.95
MC_MARGIN = 3  # a bootstrap bound within 3 MC standard errors of 0 decides nothing
CLEAR, WEAK, NONE = "clear", "weak", "none"  # the verdict tiers, strongest first
SENSITIVITY_SHARE = 0.2  # the sensitivity line leaves out the smallest fifth of the units (at least 1)
OUTLIER_IQR = 3  # an outlier lies beyond Q3 + 3·IQR (or below Q1 − 3·IQR) on the log scale


@dataclass(frozen=True)
class Correlation:
    """Spearman's rank correlation of two columns over `n` units."""

    rho: float  # NaN when n < 3 or a column is constant
    n: int
    low: float  # BCa bootstrap interval at CONFIDENCE (NaN when the bootstrap is degenerate)
    high: float
    p_value: float  # two-sided permutation test of rho = 0
    fisher_low: float = float("nan")  # analytic Fisher-z interval at CONFIDENCE
    fisher_high: float = float("nan")
    mc_error: float = float("nan")  # MC standard error of the bootstrap bound nearest 0
    resamples: int = RESAMPLES

    @property
    def computable(self) -> bool:
        return self.n >= 3 and not np.isnan(self.rho)

    @property
    def verdict(self) -> str:
        """CLEAR, WEAK or NONE by the rule in the module's docstring."""
        if not self.computable:
            return NONE
        fisher = _side(self.fisher_low, self.fisher_high, 0.0)
        boot = _side(self.low, self.high, MC_MARGIN * self.mc_error)
        if fisher and boot == fisher:
            return CLEAR
        return NONE if fisher == 0 and boot == 0 else WEAK

    @property
    def direction(self) -> int:
        """+1 or −1: the sign of the relation the verdict speaks of; 0 when the verdict is NONE."""
        return 0 if self.verdict == NONE else int(np.sign(self.rho))

    @property
    def strength(self) -> str:
        """'weak', 'moderate' or 'strong' by |rho| (< 0.4, < 0.6, else): words for a relation
        whose sign the verdict has shown; meaningless when `direction` is 0."""
        size = abs(self.rho)
        return "weak" if size < 0.4 else "moderate" if size < 0.6 else "strong"


def _side(low: float, high: float, margin: float) -> int | None:
    """+1 / −1 when [low, high] lies beyond `margin` above / below 0, 0 when it holds 0 with
    `margin` to spare on both sides (or is missing: an undefined bootstrap shows nothing), None
    when a bound is within `margin` of 0."""
    if np.isnan(low) or np.isnan(high):
        return 0
    if low > margin:
        return 1
    if high < -margin:
        return -1
    return 0 if low < -margin and high > margin else None


def spearman(x: pd.Series, y: pd.Series, seed: int = SEED) -> Correlation:
    """Spearman's rho of x and y over the pairs where both exist (average ranks for ties), with a
    Fisher-z interval, a BCa bootstrap interval and its MC error, and a two-sided permutation
    p-value (scipy.stats; seeded: the same data give the same page, in any row order)."""
    from scipy import stats

    pairs = pd.DataFrame({"x": x.astype("Float64"), "y": y.astype("Float64")}).dropna().astype(float)
    n = len(pairs)
    nan = float("nan")
    if n < 3 or pairs["x"].nunique() < 2 or pairs["y"].nunique() < 2:
        return Correlation(nan, n, nan, nan, nan)
    pairs = pairs.sort_values(["x", "y"])  # canonical order: the row order of the input is irrelevant
    # rho depends on the values only through their order: each is replaced by its dense rank
    # (0, 1, … with ties equal), which `_rho` turns into average ranks by counting, not sorting
    a, b = dense_ranks(pairs["x"].to_numpy()), dense_ranks(pairs["y"].to_numpy())
    rho = float(_rho(a, b))
    low, high, mc_error = _bootstrap_interval(a, b, seed)
    perm = stats.permutation_test(
        (a, b), _rho, permutation_type="pairings", vectorized=True, n_resamples=PERMUTATIONS,
        alternative="two-sided", random_state=np.random.default_rng(seed),
    )  # fmt: skip
    f_low, f_high = fisher_interval(rho, n)
    return Correlation(rho, n, low, high, float(perm.pvalue), f_low, f_high, mc_error)


def fisher_interval(rho: float, n: int) -> tuple[float, float]:
    """The analytic interval: tanh(atanh(rho) ± z·se), se² = (1 + rho²/2) / (n − 3) (Bonett &
    Wright 2000, for Spearman's rho); [−1, 1] when n ≤ 3 (nothing to go on)."""
    from scipy.stats import norm

    if n <= 3:
        return -1.0, 1.0
    z = np.arctanh(np.clip(rho, -0.999999, 0.999999))
    half = norm.ppf(0.5 + CONFIDENCE / 2) * np.sqrt((1 + rho * rho / 2) / (n - 3))
    return float(np.tanh(z - half)), float(np.tanh(z + half))


def dense_ranks(values: np.ndarray) -> np.ndarray:
    """0 for the smallest value, 1 for the next, …; equal values get the same number."""
    return np.unique(values, return_inverse=True)[1].reshape(values.shape)


def average_ranks(codes: np.ndarray, axis: int = -1) -> np.ndarray:
    """The average ranks (1 for the smallest, ties share the mean of their places) of dense ranks
    along `axis`: what scipy.stats.rankdata gives, to the last bit (each rank is a whole or a
    half number), by counting each sample's values below and equal, not sorting the sample. The
    bootstrap and the permutation test rank tens of thousands of samples: a third of the time."""
    rows = np.moveaxis(np.asarray(codes), axis, -1)
    shape, flat = rows.shape, rows.reshape(-1, rows.shape[-1])
    k = int(flat.max()) + 1 if flat.size else 1
    cells = flat + (np.arange(len(flat)) * k)[:, None]  # row r's value c counted in cell r·k + c
    equal = np.bincount(cells.ravel(), minlength=len(flat) * k).reshape(len(flat), k)
    below = np.cumsum(equal, axis=1) - equal
    ranks = np.take_along_axis(below + (equal + 1) / 2, flat, axis=1)
    return np.moveaxis(ranks.reshape(shape), -1, axis)


def _rho(u: np.ndarray, v: np.ndarray, axis: int = -1) -> np.ndarray:
    """Spearman's rho along `axis` (many samples at once) of dense ranks (`dense_ranks`): Pearson's
    r of average ranks; NaN where a sample is constant."""
    ru, rv = average_ranks(u, axis=axis), average_ranks(v, axis=axis)
    ru = ru - ru.mean(axis=axis, keepdims=True)
    rv = rv - rv.mean(axis=axis, keepdims=True)
    spread = np.sqrt((ru * ru).sum(axis=axis) * (rv * rv).sum(axis=axis))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(spread > 0, (ru * rv).sum(axis=axis) / spread, np.nan)


def _bootstrap_interval(a: np.ndarray, b: np.ndarray, seed: int) -> tuple[float, float, float]:
    """BCa interval of rho over units resampled with replacement (scipy.stats.bootstrap), and the
    MC standard error of the bound nearest 0. A resample in which a column is constant has no rho;
    if any occur, BCa is undefined and the interval is NaN (the verdict then rests on Fisher's)."""
    import warnings

    from scipy import stats

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a degenerate bootstrap is reported as NaN, not warned about
        result = stats.bootstrap(
            (a, b), _rho, paired=True, vectorized=True, n_resamples=RESAMPLES, method="BCa",
            confidence_level=CONFIDENCE, random_state=np.random.default_rng(seed),
        )  # fmt: skip
    low, high = float(result.confidence_interval.low), float(result.confidence_interval.high)
    values = result.bootstrap_distribution
    if np.isnan(low) or np.isnan(high) or np.isnan(values).any():
        return float("nan"), float("nan"), float("nan")
    lower = abs(low) <= abs(high)
    return low, high, bound_mc_error(values, float(_rho(a, b)), _acceleration(a, b), lower)


def _acceleration(a: np.ndarray, b: np.ndarray) -> float:
    """BCa's acceleration from the jackknife (leave one unit out), as scipy computes it."""
    keep = ~np.eye(len(a), dtype=bool)
    jack = _rho(np.broadcast_to(a, keep.shape)[keep].reshape(len(a), -1),
                np.broadcast_to(b, keep.shape)[keep].reshape(len(a), -1))  # fmt: skip
    d = np.nanmean(jack) - jack
    spread = np.nansum(d * d)
    return float(np.nansum(d**3) / (6 * spread**1.5)) if spread > 0 else 0.0


def bound_mc_error(values: np.ndarray, estimate: float, acceleration: float, lower: bool) -> float:
    """One MC standard error of a BCa bound, by batch means: the resamples are cut into BATCHES
    batches, the bound is computed in each (its own bias correction, the common acceleration),
    and the spread of the batch bounds ÷ √BATCHES is the error of the bound from all of them.
    (The bias correction is itself estimated from the resamples, so an error from the order
    statistics alone would understate it.)"""
    from scipy.stats import norm

    z_alpha = norm.ppf((1 - CONFIDENCE) / 2) * (1 if lower else -1)
    bounds = []
    for batch in np.array_split(values, BATCHES):
        z0 = norm.ppf(np.clip(np.mean(batch < estimate), 1 / len(batch), 1 - 1 / len(batch)))
        level = norm.cdf(z0 + (z0 + z_alpha) / (1 - acceleration * (z0 + z_alpha)))
        bounds.append(np.percentile(batch, level * 100))
    return float(np.std(bounds, ddof=1) / np.sqrt(BATCHES))


@dataclass(frozen=True)
class Sensitivity:
    """A correlation recomputed without the smallest units."""

    correlation: Correlation
    dropped: pd.DataFrame  # the rows left out, smallest first
    size: str  # the column that says which units are smallest


def sensitivity(frame: pd.DataFrame, x: str, y: str, size: str, seed: int = SEED) -> Sensitivity:
    """Spearman's rho of x and y over `frame` without its smallest units by `size`: the smallest
    SENSITIVITY_SHARE of the rows with both values (at least one), and any tied with the last of
    them (a cut never falls between equals). Shows how far a result rests on small units."""
    rows = frame.dropna(subset=[x, y])
    k = max(1, int(len(rows) * SENSITIVITY_SHARE))
    ordered = rows.sort_values(size, kind="stable")
    cut = ordered[size].iloc[min(k, len(rows)) - 1]
    dropped = ordered[ordered[size] <= cut]
    kept = rows.drop(index=dropped.index)
    return Sensitivity(spearman(kept[x], kept[y], seed), dropped.reset_index(drop=True), size)


def outliers(values: pd.Series) -> pd.Series:
    """True where a value lies far outside the others: beyond Q3 + OUTLIER_IQR·IQR or below
    Q1 − OUTLIER_IQR·IQR of the log values (money and counts per unit are skewed: on the log
    scale "far" means a multiple, not a difference). Needs 4 or more positive values; a missing
    or non-positive value is never flagged."""
    v = values.astype("Float64")
    positive = v[v > 0].astype(float)
    flags = pd.Series(False, index=values.index)
    if len(positive) < 4:
        return flags
    logs = np.log(positive)
    q1, q3 = logs.quantile([0.25, 0.75])
    spread = OUTLIER_IQR * (q3 - q1)
    flags.loc[logs.index] = (logs > q3 + spread) | (logs < q1 - spread)
    return flags

"""The statistics qpwbench's commands and this report share, number for number.

ratio_of_medians() is ubench/core/hist.c's stats_ratio_of_medians(): the
same fixed-seed xorshift64* bootstrap, so a command's line and the report's
cell agree. crossover() is DESIGN.md's one crossover method, which ubench
drain-all prints from ubench/core/hist.c's stats_crossover().
"""

import math
from dataclasses import dataclass

BOOTSTRAP = 2000          # STATS_BOOTSTRAP
SEED = 0x9E3779B97F4A7C15
MASK = (1 << 64) - 1


def _rank(q, n):
    """stats_rank(): the 1-based nearest rank of quantile q among n."""
    return min(n, max(1, math.ceil(q * n)))


def _median(v):
    v = sorted(v)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


class _Rng:
    def __init__(self):
        self.x = SEED

    def next(self):
        x = self.x
        x ^= x >> 12
        x ^= (x << 25) & MASK
        x ^= x >> 27
        self.x = x
        return (x * 0x2545F4914F6CDD1D) & MASK


@dataclass
class Ratio:
    ratio: float
    lo: float
    hi: float

    @property
    def differs(self):
        return self.lo > 1 or self.hi < 1

    def describe(self):
        text = f"{self.ratio:.3g} (95% {self.lo:.3g}..{self.hi:.3g})"
        return text if self.differs else text + ": no difference"


def ratio_of_medians(a, b):
    """median(b) / median(a) with its 95% percentile-bootstrap interval, or
    None when a group is empty or a's median is 0."""
    a, b = sorted(x for x in a if x is not None), sorted(x for x in b if x is not None)
    if not a or not b or _median(a) == 0:
        return None
    rng = _Rng()
    ratios = []
    for _ in range(BOOTSTRAP):
        ma = _median([a[rng.next() % len(a)] for _ in a])
        mb = _median([b[rng.next() % len(b)] for _ in b])
        if ma > 0:
            ratios.append(mb / ma)
    ratios.sort()
    return Ratio(_median(b) / _median(a), ratios[_rank(0.025, len(ratios)) - 1],
                 ratios[_rank(0.975, len(ratios)) - 1])


def _fit(points):
    """Least squares latency = a + b * n over (n, latency) points: (a, b, residual variance, sxx, mean n)."""
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    if sxx == 0:
        return None
    b = sum((x - mx) * (y - my) for x, y in points) / sxx
    a = my - b * mx
    var = sum((y - a - b * x) ** 2 for x, y in points) / (n - 2) if n > 2 else 0.0
    return a, b, var, sxx, mx


MIN_SIZES = 3            # STATS_CROSSOVER_MIN_SIZES
Z975 = 1.959963984540054  # the standard normal's 0.975 quantile


def t975(df):
    """stats_t975(): Student's t 0.975 quantile for df > 0 (Hill 1970, ACM 396)."""
    p, half_pi = 0.05, math.pi / 2
    if df == 1:
        return math.cos(p * half_pi) / math.sin(p * half_pi)
    if df == 2:
        return math.sqrt(2 / (p * (2 - p)) - 2)
    a = 1 / (df - 0.5)
    b = 48 / (a * a)
    c = ((20700 * a / b - 98) * a - 16) * a + 96.36
    d = ((94.5 / (b + c) - 3) / b + 1) * math.sqrt(a * half_pi) * df
    y = (d * p) ** (2 / df)
    if y > 0.05 + a:
        x = -Z975
        y = x * x
        if df < 5:
            c += 0.3 * (df - 4.5) * (x + 0.6)
        c = (((0.05 * d * x - 5) * x - 7) * x - 2) * x + b + c
        y = (((((0.4 * y + 6.3) * y + 36) * y + 94.5) / c - y - 3) / b + 1) * x
        y = math.expm1(a * y * y)
    else:
        y = (((1 / (((df + 6) / (df * y) - 0.089 * d - 0.822) * (df + 2) * 3) + 0.5 / (df + 4)) * y - 1)
             * (df + 1) / (df + 2) + 1 / y)
    return math.sqrt(df * y)


@dataclass
class Crossover:
    n: float            # N* where the fits meet, or None (not measurable, or they do not meet)
    lo: float           # 95% interval of N* (None without N*)
    hi: float
    measured: bool      # N* inside the measured N range
    min_n: int
    max_n: int
    serial_first: bool  # the serial fit is lower at the smallest N
    measurable: bool = True     # MIN_SIZES distinct N or more on both sides
    below_serial: bool = False  # with N*: the serial variant is the faster below it
    names: tuple = ("serial", "parallel")

    def describe(self):
        if not self.measurable:
            return f"not measurable here (N={self.min_n:.0f}..{self.max_n:.0f})"
        if self.n is None:
            first = self.names[0] if self.serial_first else self.names[1]
            return (f"none: the fits do not cross ({first} faster throughout "
                    f"N={self.min_n:.0f}..{self.max_n:.0f})")
        kind = "measured within" if self.measured else "extrapolated outside"
        below, above = self.names if self.below_serial else self.names[::-1]
        return (f"N*={self.n:.1f} (95% {self.lo:.1f}..{self.hi:.1f}, {kind} "
                f"N={self.min_n:.0f}..{self.max_n:.0f}): {below} faster below N*, {above} above")


def crossover(serial, parallel):
    """DESIGN.md's crossover: fit latency = a + b*N to each variant's (N,
    latency) points over the ramp (least squares, every repeat a point; N
    the CPUs drained besides the caller), N* = where the two lines meet,
    its 95% interval from the fits' standard errors (delta method, Student's
    t for both fits' residual degrees of freedom together), measured when
    N* lies within the measured N, extrapolated past it. Not measurable
    (no N*) with fewer than MIN_SIZES distinct N on either side; None
    without a point on either side."""
    if not serial or not parallel:
        return None
    lo_n, max_n = min(n for n, _ in serial), max(n for n, _ in serial)
    if len({n for n, _ in serial}) < MIN_SIZES or len({n for n, _ in parallel}) < MIN_SIZES:
        return Crossover(None, None, None, False, lo_n, max_n, False, measurable=False)
    (a1, b1, v1, s1, m1), (a2, b2, v2, s2, m2) = _fit(serial), _fit(parallel)
    serial_first = a1 + b1 * lo_n < a2 + b2 * lo_n
    db = b1 - b2
    if db == 0 or (a2 - a1) / db <= 0:
        return Crossover(None, None, None, False, lo_n, max_n, serial_first)
    x = (a2 - a1) / db
    # var(a + b*x) of each fit at x, and the slope difference's variance.
    var_diff = v1 * (1 / len(serial) + (x - m1) ** 2 / s1) + v2 * (1 / len(parallel) + (x - m2) ** 2 / s2)
    se = math.sqrt(var_diff) / abs(db)
    t = t975(len(serial) - 2 + len(parallel) - 2)
    lo, hi = x - t * se, x + t * se
    return Crossover(x, max(lo, 0.0), hi, lo_n <= x <= max_n, lo_n, max_n, serial_first,
                     below_serial=b1 > b2)

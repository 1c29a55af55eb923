"""Reference values for RecoupInsights' statistics tests, from SciPy. Run once; commit the output.

    benchmarks/.venv/bin/python benchmarks/make_insights_fixtures.py   # writes Tests/RecoupInsightsTests/Fixtures/statistics.json

Everything is deterministic: fixed hand-picked inputs plus one seeded numpy Generator. The JSON file holds:
- binomial_upper_tail: P(X >= k) for X ~ Binomial(n, p), i.e. scipy.stats.binom.sf(k - 1, n, p), for small, medium
  and large n; k at 0, 1, below/near the mean, far in the tail (down to ~1e-300) and k == n. All values are normal
  float64 numbers (no underflow to 0 or subnormals).
- normal_upper_tail: scipy.stats.norm.sf(z) for z from -8 to 37 (~5.7e-300; scipy's norm.sf(38) underflows to 0).
- wilson_lower: the lower bound of the Wilson score interval with critical value z (one-sided 95%: norm.ppf(0.95),
  two-sided 95%: norm.ppf(0.975)),
      (p̂ + z²/(2n) − z·sqrt(p̂(1−p̂)/n + z²/(4n²))) / (1 + z²/n),   p̂ = k/n,
  evaluated in 50-digit decimal arithmetic from the float64 inputs and rounded once (so k = 0 gives exactly 0);
  checked against the same formula in float64 and, when statsmodels is importable, against
  statsmodels.stats.proportion.proportion_confint(k, n, alpha=2*norm.sf(z), method="wilson")[0].
- benjamini_hochberg: scipy.stats.false_discovery_control(p, method="bh") adjusted p-values (q) for 5 lists.
- hypergeometric_upper_tail: P(X >= k) for X ~ Hypergeometric(population N, K successes in it, n drawn), i.e.
  scipy.stats.hypergeom.sf(k - 1, N, K, n): Fisher's exact one-sided test of a group against the rest.

Floats are written with Python's shortest round-trip repr, i.e. full float64 precision. Prints a one-line summary.
"""

import decimal
import json
import math
import os
import sys

import numpy as np
import scipy
from scipy import stats

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.join(HERE, "..", "Tests", "RecoupInsightsTests", "Fixtures")
OUT = os.path.join(OUT_DIR, "statistics.json")

Z95_ONE_SIDED = 1.6448536269514722  # norm.ppf(0.95)
Z95_TWO_SIDED = 1.959963984540054  # norm.ppf(0.975)


def finite(x):
    x = float(x)
    assert math.isfinite(x), x
    return x


def binomial_upper_tail():
    # (k, n, p); comments give the mean n*p
    cases = [
        # small n
        (0, 1, 0.5), (1, 1, 0.5), (1, 1, 1e-4), (1, 1, 0.9),
        (0, 10, 0.2), (1, 10, 0.2), (5, 10, 0.2), (10, 10, 0.2), (5, 10, 0.5), (10, 10, 0.9),
        (3, 20, 0.05), (20, 20, 0.05),  # 0.05^20 ~ 1e-26
        (5, 30, 0.01), (30, 30, 0.01),  # 1e-60
        (25, 30, 0.5), (30, 30, 1e-4),  # 1e-120
        # medium n
        (1, 100, 0.01), (10, 100, 0.01), (100, 100, 0.01),  # 1e-200
        (50, 100, 0.5), (90, 100, 0.5),
        (0, 1000, 0.05), (40, 1000, 0.05), (51, 1000, 0.05), (120, 1000, 0.05),  # mean 50
        (5, 1000, 1e-4), (950, 1000, 0.9),
        (1000, 5000, 0.2), (1300, 5000, 0.2), (2000, 5000, 0.2), (2150, 5000, 0.2),  # mean 1000; down to ~1e-297
        (250, 5000, 0.01),
        # large n
        (1, 100_000, 1e-4), (12, 100_000, 1e-4), (40, 100_000, 1e-4), (70, 100_000, 1e-4),  # mean 10
        (5600, 100_000, 0.05),
        (100, 1_000_000, 1e-4), (300, 1_000_000, 1e-4), (660, 1_000_000, 1e-4),  # mean 100; down to ~3e-300
        (502_000, 1_000_000, 0.5),
    ]
    out = []
    for k, n, p in cases:
        v = float(stats.binom.sf(k - 1, n, p))
        assert math.isfinite(v) and 0.0 <= v <= 1.0, (k, n, p, v)
        assert v >= sys.float_info.min, (k, n, p, v)  # no underflowed or subnormal references
        out.append({"k": k, "n": n, "p": p, "value": v})
    return out


def normal_upper_tail():
    # stops at 37: scipy's norm.sf(38) underflows to 0 (the true value, ~3e-316, is subnormal)
    zs = [-8.0, -3.0, -1.0, 0.0, 0.5, 1.0, Z95_ONE_SIDED, Z95_TWO_SIDED, 3.0, 5.0, 8.0, 10.0, 15.0, 20.0, 30.0, 37.0]
    return [{"z": z, "value": finite(stats.norm.sf(z))} for z in zs]


def wilson_lower_decimal(k, n, z):
    D = decimal.Decimal
    with decimal.localcontext() as ctx:
        ctx.prec = 50
        k, n, z = D(k), D(n), D(z)
        ph = k / n
        z2 = z * z
        num = ph + z2 / (2 * n) - z * (ph * (1 - ph) / n + z2 / (4 * n * n)).sqrt()
        return float(num / (1 + z2 / n))


def wilson_lower_float(k, n, z):
    ph = k / n
    return (ph + z * z / (2 * n) - z * math.sqrt(ph * (1 - ph) / n + z * z / (4 * n * n))) / (1 + z * z / n)


def wilson_lower():
    assert abs(stats.norm.ppf(0.95) - Z95_ONE_SIDED) < 1e-15
    assert abs(stats.norm.ppf(0.975) - Z95_TWO_SIDED) < 1e-15
    try:
        from statsmodels.stats.proportion import proportion_confint
    except ImportError:
        proportion_confint = None
    cases = [(0, 1), (1, 1), (0, 10), (1, 10), (10, 10), (3, 7), (50, 100), (1, 1000), (999, 1000),
             (12345, 100_000), (0, 1_000_000)]
    out = []
    for z in (Z95_ONE_SIDED, Z95_TWO_SIDED):
        for k, n in cases:
            v = wilson_lower_decimal(k, n, z)
            assert 0.0 <= v <= k / n
            assert abs(v - wilson_lower_float(k, n, z)) <= 1e-12
            if proportion_confint is not None:
                alpha = 2 * stats.norm.sf(z)
                ref = proportion_confint(k, n, alpha=alpha, method="wilson")[0]
                assert abs(v - ref) <= 1e-12, (k, n, z, v, ref)
            out.append({"k": k, "n": n, "z": z, "value": v})
    return out


def benjamini_hochberg():
    rng = np.random.default_rng(20240607)
    mixed = np.concatenate([rng.uniform(0.0, 1.0, 40), 10.0 ** rng.uniform(-12.0, -3.0, 10)])
    rng.shuffle(mixed)
    lists = [
        [0.03],
        [0.01, 0.04, 0.04, 0.2, 0.001, 0.04, 0.5, 0.9, 0.2, 0.0005],  # ties at 0.04 and 0.2, unsorted
        [float(x) for x in mixed],
        [1.0] * 6,
        [0.0, 0.0, 0.02, 0.3, 0.0, 0.7],
    ]
    out = []
    for p in lists:
        q = stats.false_discovery_control(np.array(p), method="bh")
        out.append({"p": [finite(x) for x in p], "q": [finite(x) for x in q]})
    return out


def hypergeometric_upper_tail():
    cases = [
        # (k, N, K, n)
        (0, 10, 3, 4), (1, 10, 3, 4), (3, 10, 3, 4), (4, 20, 5, 4), (2, 50, 10, 5), (5, 50, 10, 5),
        (3, 1000, 30, 10), (6, 1000, 30, 10), (10, 1000, 30, 10), (12, 3000, 450, 40), (25, 3000, 450, 40),
        (40, 3000, 450, 40), (1, 3000, 450, 40), (30, 100_000, 5_000, 200), (60, 100_000, 5_000, 200),
        (120, 100_000, 5_000, 200), (2_300, 1_000_000, 150_000, 15_000), (2_600, 1_000_000, 150_000, 15_000),
        (7_000, 1_000_000, 150_000, 15_000), (300, 1_000_000, 20_000, 1_000), (1_000, 1_000_000, 20_000, 1_000),
    ]
    out = []
    for k, N, K, n in cases:
        v = float(stats.hypergeom.sf(k - 1, N, K, n))
        assert math.isfinite(v) and 0.0 <= v <= 1.0 and (v == 0.0 or v >= 2.2250738585072014e-308), (k, N, K, n, v)
        if v == 0.0:
            continue
        out.append({"k": k, "population": N, "successes": K, "draws": n, "value": v})
    return out


def main():
    data = {
        "source": f"benchmarks/make_insights_fixtures.py, scipy {scipy.__version__}",
        "binomial_upper_tail": binomial_upper_tail(),
        "normal_upper_tail": normal_upper_tail(),
        "wilson_lower": wilson_lower(),
        "benjamini_hochberg": benjamini_hochberg(),
        "hypergeometric_upper_tail": hypergeometric_upper_tail(),
    }
    os.makedirs(OUT_DIR, exist_ok=True)
    with open(OUT, "w") as fh:
        json.dump(data, fh, indent=1, allow_nan=False)
        fh.write("\n")
    counts = ", ".join(f"{len(data[key])} {key}" for key in list(data)[1:])
    print(f"wrote {os.path.relpath(OUT)} ({os.path.getsize(OUT)} bytes; {counts}; scipy {scipy.__version__})")


if __name__ == "__main__":
    main()

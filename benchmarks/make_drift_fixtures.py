"""Reference values of the population stability index for the drift tests (Tests/RecoupScoringTests/DriftTests.swift).

PSI = sum((a - e) * ln(a / e)) over the buckets, each share smoothed by half a count per bucket:
share = (count + 0.5) / (total + 0.5 * buckets). Computed here with NumPy; the Swift tests hold the printed values.
Run: . benchmarks/python-env.sh && $PYTHON benchmarks/make_drift_fixtures.py
"""

import numpy as np

CASES = {
    "reversed": ([10, 20, 30, 40], [40, 30, 20, 10]),
    "empty_bucket": ([50, 50, 0, 100], [0, 60, 40, 100]),
    "scaled_same": ([100, 200, 300], [10, 20, 30]),
    "one_moved": ([250] * 10, [250] * 9 + [500]),
}


def psi(reference, live):
    e = np.asarray(reference, float)
    a = np.asarray(live, float)
    k = len(e)
    e = (e + 0.5) / (e.sum() + 0.5 * k)
    a = (a + 0.5) / (a.sum() + 0.5 * k)
    return float(np.sum((a - e) * np.log(a / e)))


for name, (reference, live) in CASES.items():
    print(f"{name}: {psi(reference, live)!r}")

"""Checks and refits the cost model of `recoup train --budget` (TreeSearch.estimatedSeconds) from the fits it timed.

Reads the bundles `recoup train --budget` wrote (every head's `selection.search.trials`: hyper-parameters as fitted,
rounds trained, seconds) and prints, per head and overall, actual over estimated seconds under the model in the code
(0.02 s + rounds × outputs × (A × (training + validation rows) + B × leaves × features × feature fraction)), then
refits A and B by non-negative least squares on relative error.

    python benchmarks/calibrate_search_cost.py --train-rows 139780 --validation-rows 40174 --features 116 \
        benchmarks/out/search/models/shipped-seed*/bundle.json
"""

import argparse
import json

import numpy as np
from scipy.optimize import nnls

A, B, FIXED = 8.5e-8, 1.5e-6, 0.02  # TreeSearch.estimatedSeconds
HEADS = {"disposition": 8, "fraud": 1, "recovery": 1}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--train-rows", type=int, required=True)
    ap.add_argument("--validation-rows", type=int, required=True)
    ap.add_argument("--features", type=int, required=True, help="binned columns")
    ap.add_argument("bundles", nargs="+")
    a = ap.parse_args()
    heads, terms, seconds = [], [], []
    for path in a.bundles:
        with open(path) as fh:
            bundle = json.load(fh)
        for head, outputs in HEADS.items():
            search = bundle[head]["selection"].get("search")
            for trial in (search or {}).get("trials", []):
                c = trial["hyper_parameters"]
                units = trial["rounds_trained"] * outputs
                heads.append(head)
                terms.append([units * (a.train_rows + a.validation_rows),
                              units * max(2, c["maxLeaves"]) * a.features * c["featureSubsample"]])
                seconds.append(trial["seconds"])
    x, y, heads = np.array(terms), np.array(seconds), np.array(heads)
    estimate = FIXED + x @ np.array([A, B])
    print(f"{len(y)} fits, {y.sum():.0f} s measured, {estimate.sum():.0f} s estimated by the model in the code")
    for name in list(HEADS) + ["all"]:
        m = np.ones(len(y), bool) if name == "all" else heads == name
        if m.any():
            ratio = y[m] / estimate[m]
            p10, p50, p90 = np.percentile(ratio, [10, 50, 90])
            print(f"  {name}: {m.sum()} fits, actual / estimated: median {p50:.2f}, 10th–90th percentile {p10:.2f}–{p90:.2f}, "
                  f"total {y[m].sum():.1f} s against {estimate[m].sum():.1f} s")
    w = 1 / np.maximum(y - FIXED, 0.2)
    coef, _ = nnls(x * w[:, None], (y - FIXED) * w)
    print(f"refitted: A = {coef[0]:.3g}, B = {coef[1]:.3g}")


if __name__ == "__main__":
    main()

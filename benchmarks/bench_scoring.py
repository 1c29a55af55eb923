"""Reference side of the scoring benchmark (issue 5): LightGBM and XGBoost predicting the same three heads as the
shipped bundle (same number of trees and leaves per head), in batches of 1,000 rows on 2 threads, from the feature
matrices `recoup-bench export-matrices` writes. They start from ready matrices; Recoup's figure starts from parsed
records and includes feature extraction, calibration, interval, flags, lane and priority.

    python benchmarks/bench_scoring.py --data benchmarks/out/returns-matrices --bundle models/default-200k/bundle.json
"""

import argparse
import json
import time

import numpy as np

from bench_learners import load


def tree_shape(bundle, head):
    """(rounds, leaves) of a head's trees in the bundle."""
    learner = bundle[head]["learner"] if head != "recovery" else {"trees": bundle["recovery"]["model"]}
    trees = learner.get("trees")
    if trees is None:
        return None
    k = 8 if head == "disposition" else 1
    rounds = len(trees["trees"]) // k
    leaves = max(len(t["leafValue"]) for t in trees["trees"])
    return rounds, leaves


def batches(x, size=1000):
    for start in range(0, len(x), size):
        yield x[start:start + size]


def best_of(fn, repeat=3):
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--bundle", required=True)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    bundle = json.load(open(args.bundle))
    _, d = load(args.data)
    train, hold = d["train"], d["holdout"]
    x, xh = train["trees_x"], hold["trees_x"]
    shapes = {h: tree_shape(bundle, h) for h in ("disposition", "fraud", "recovery")}

    import lightgbm as lgb
    import xgboost as xgb

    results = []
    for library in ("lightgbm", "xgboost"):
        models = {}
        for head, (rounds, leaves) in shapes.items():
            y = train[head]
            if library == "lightgbm":
                params = {"num_leaves": leaves, "learning_rate": 0.1, "num_threads": args.threads, "verbose": -1,
                          "min_data_in_leaf": 40, "lambda_l2": 1.0, "max_bin": 255}
                params.update({"disposition": {"objective": "multiclass", "num_class": 8},
                               "fraud": {"objective": "binary"},
                               "recovery": {"objective": "tweedie", "tweedie_variance_power": 1.5}}[head])
                models[head] = lgb.train(params, lgb.Dataset(x, y), num_boost_round=rounds)
            else:
                params = {"tree_method": "hist", "max_leaves": leaves, "grow_policy": "lossguide", "max_depth": 0,
                          "learning_rate": 0.1, "nthread": args.threads, "min_child_weight": 1e-3, "lambda": 1.0}
                params.update({"disposition": {"objective": "multi:softprob", "num_class": 8},
                               "fraud": {"objective": "binary:logistic"},
                               "recovery": {"objective": "reg:tweedie", "tweedie_variance_power": 1.5}}[head])
                models[head] = xgb.train(params, xgb.DMatrix(x, y, missing=np.nan), num_boost_round=rounds)

        def predict_all():
            for b in batches(xh):
                for head in shapes:
                    if library == "lightgbm":
                        models[head].predict(b, num_threads=args.threads)
                    else:
                        models[head].inplace_predict(b, missing=np.nan)

        seconds = best_of(predict_all)
        per_head = {}
        for head in shapes:
            def one():
                for b in batches(xh):
                    if library == "lightgbm":
                        models[head].predict(b, num_threads=args.threads)
                    else:
                        models[head].inplace_predict(b, missing=np.nan)
            per_head[head] = round(len(xh) / best_of(one, repeat=2))
        results.append({"library": library, "rows": len(xh), "batch": 1000, "threads": args.threads,
                        "three_heads_rows_per_s": round(len(xh) / seconds), "per_head_rows_per_s": per_head,
                        "trees": {h: {"rounds": r, "leaves": l} for h, (r, l) in shapes.items()}})
    print(json.dumps(results))


if __name__ == "__main__":
    main()

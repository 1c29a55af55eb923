"""Reference fixtures for RecoupLearning's tests, from scikit-learn and LightGBM (PyPI). Run once; commit the output.

    benchmarks/.venv/bin/python benchmarks/make_learning_fixtures.py   # writes Tests/RecoupLearningTests/Fixtures/

Fixtures are small JSON files (tens to hundreds of rows) so that the Swift tests stay fast in debug builds and
never need Python:
- logistic_*.json: data, the regularization C, sample and class weights, and scikit-learn's
  LogisticRegression(solver="lbfgs") coefficients fitted to a tight tolerance.
- trees_*.json: integer-valued features (so that LightGBM's bins and RecoupLearning's BinMapper agree: one bin per
  value), LightGBM's parameters, its holdout predictions and holdout metrics.
"""

import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "Tests", "RecoupLearningTests", "Fixtures")


def dump(name, obj):
    path = os.path.join(OUT, name)
    with open(path, "w") as fh:
        json.dump(obj, fh, separators=(",", ":"))
    print(f"wrote {os.path.relpath(path)} ({os.path.getsize(path)} bytes)")


def logistic_fixtures():
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(42)
    cases = []
    # binary: 80 x 4, correlated features with different scales and offsets
    x = rng.standard_normal((80, 4)) * np.array([1.0, 3.0, 0.5, 10.0]) + np.array([0.0, 5.0, -1.0, 20.0])
    z = 0.8 * x[:, 0] - 0.3 * x[:, 1] + 1.5 * x[:, 2] + 0.05 * x[:, 3] - 0.2
    y = (rng.random(80) < 1 / (1 + np.exp(-z))).astype(int)
    w = rng.uniform(0.2, 3.0, 80)
    cases.append(("logistic_binary.json", x, y, [
        {"name": "C=1", "C": 1.0, "weights": None, "class_weight": None},
        {"name": "C=0.1 weighted", "C": 0.1, "weights": w, "class_weight": None},
        {"name": "C=10 balanced", "C": 10.0, "weights": None, "class_weight": "balanced"},
    ]))
    # multinomial: 120 x 5, 3 classes
    x = rng.standard_normal((120, 5)) * np.array([1.0, 2.0, 0.5, 1.0, 4.0]) + np.array([1.0, 0.0, 2.0, -3.0, 0.0])
    scores = x @ rng.standard_normal((5, 3)) * 0.7
    y = np.array([rng.choice(3, p=np.exp(s - s.max()) / np.exp(s - s.max()).sum()) for s in scores])
    w = rng.uniform(0.2, 3.0, 120)
    cases.append(("logistic_multinomial.json", x, y, [
        {"name": "C=1", "C": 1.0, "weights": None, "class_weight": None},
        {"name": "C=0.3 weighted", "C": 0.3, "weights": w, "class_weight": None},
        {"name": "C=5 balanced weighted", "C": 5.0, "weights": w, "class_weight": "balanced"},
    ]))
    for name, x, y, fits in cases:
        out = {"rows": x.shape[0], "columns": x.shape[1], "x": x.ravel().tolist(), "y": y.tolist(), "fits": []}
        for f in fits:
            model = LogisticRegression(C=f["C"], class_weight=f["class_weight"], tol=1e-12, max_iter=100000)
            model.fit(x, y, sample_weight=f["weights"])
            out["fits"].append({
                "name": f["name"], "C": f["C"], "balanced": f["class_weight"] == "balanced",
                "weights": None if f["weights"] is None else f["weights"].tolist(),
                "coef": model.coef_.tolist(), "intercept": model.intercept_.tolist(),
                "probabilities": model.predict_proba(x[:5]).tolist(),
            })
        dump(name, out)


def tree_fixtures():
    import lightgbm as lgb
    from sklearn.metrics import average_precision_score, log_loss, r2_score

    rng = np.random.default_rng(7)
    n, f = 600, 5
    levels = [12, 8, 5, 30, 3]
    x = np.column_stack([rng.integers(0, k, n) for k in levels]).astype(np.float64)
    x[rng.random(n) < 0.1, 1] = np.nan  # missing values in one feature
    s = 0.3 * x[:, 0] - 0.5 * np.nan_to_num(x[:, 1], nan=9.0) + 1.2 * (x[:, 2] == 3) + 0.05 * x[:, 3] * (x[:, 4] > 0)
    s = s - s.mean()
    train, test = slice(0, 450), slice(450, n)
    heads = {
        "binary": ((rng.random(n) < 1 / (1 + np.exp(-s))).astype(float), "binary"),
        "regression": (s + rng.standard_normal(n) * 0.5, "regression"),
        "tweedie": (np.where(rng.random(n) < 0.3, 0.0, rng.gamma(2.0, np.exp(1 + 0.4 * s) / 2)), "tweedie"),
        "multiclass": (np.digitize(s + rng.standard_normal(n) * 0.7, [-1.0, 0.5]).astype(float), "multiclass"),
    }
    for head, (y, objective) in heads.items():
        params = {"objective": objective, "learning_rate": 0.1, "num_leaves": 8, "min_data_in_leaf": 10,
                  "min_sum_hessian_in_leaf": 1e-3, "lambda_l2": 1.0, "max_bin": 255, "min_data_in_bin": 1,
                  "verbose": -1, "num_threads": 1, "deterministic": True, "seed": 0}
        if objective == "multiclass":
            params["num_class"] = 3
        if objective == "tweedie":
            params["tweedie_variance_power"] = 1.5
        rounds = 30
        booster = lgb.train(params, lgb.Dataset(x[train], label=y[train]), num_boost_round=rounds)
        p = booster.predict(x[test])
        yt = y[test]
        if head == "binary":
            metrics = {"log_loss": log_loss(yt, p), "pr_auc": average_precision_score(yt, p)}
        elif head == "multiclass":
            metrics = {"log_loss": log_loss(yt, p, labels=[0, 1, 2])}
        else:
            metrics = {"r2": r2_score(yt, p)}
        dump(f"trees_{head}.json", {
            "rows": n, "columns": f, "train_rows": 450,
            "x": [None if np.isnan(v) else v for v in x.ravel().tolist()], "y": y.tolist(),
            "lightgbm": {"version": lgb.__version__, "params": params, "rounds": rounds,
                         "holdout_predictions": np.asarray(p).ravel().tolist(), "metrics": metrics},
        })


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    which = sys.argv[1:] or ["logistic", "trees"]
    if "logistic" in which:
        logistic_fixtures()
    if "trees" in which:
        tree_fixtures()

"""Reference side of the learner benchmark: scikit-learn, LightGBM, XGBoost on the matrices Recoup exports.

Reads DIR/meta.json and the raw row-major files `{split}.dense.f32`, optional `{split}.binned.u8`, `{split}.disposition.i32`,
`{split}.fraud.i32`, `{split}.recovery.f32` (see `make_synthetic_matrices.py` and `recoup-bench export-matrices`)
and prints one JSON object per line: {"library", "model", "head", "threads", "fit_s", "predict_rows_per_s", ...metrics}.
The hyper-parameters are the ones `recoup-bench learners` uses (`benchmarks/bench_learners.sh` passes the same
values to both sides).

    python benchmarks/bench_learners.py --data benchmarks/out/synthetic --rounds 200 --leaves 31
"""

import argparse
import json
import os
import time

import numpy as np
from threadpoolctl import threadpool_limits, threadpool_info

EPS = 1e-15


def load(data):
    with open(os.path.join(data, "meta.json")) as fh:
        meta = json.load(fh)
    cols = meta["columns"]
    out = {}
    for split in ("train", "holdout"):
        rows = meta["splits"][split]["rows"]
        x = np.fromfile(os.path.join(data, f"{split}.dense.f32"), dtype="<f4").reshape(rows, cols)
        # The trees get the binned matrix when there is one (as floats, bin 255 = missing → NaN): the libraries then
        # see exactly the bins RecoupLearning trains on (one bin per value).
        binned_path = os.path.join(data, f"{split}.binned.u8")
        if os.path.exists(binned_path):
            b = np.fromfile(binned_path, dtype=np.uint8).reshape(rows, len(meta["bin_counts"])).astype(np.float32)
            b[b == 255] = np.nan
        else:
            b = x
        out[split] = {
            "x": x,
            "trees_x": b,
            "disposition": np.fromfile(os.path.join(data, f"{split}.disposition.i32"), dtype="<i4"),
            "fraud": np.fromfile(os.path.join(data, f"{split}.fraud.i32"), dtype="<i4"),
            "recovery": np.fromfile(os.path.join(data, f"{split}.recovery.f32"), dtype="<f4").astype(np.float64),
        }
    return meta, out


# ---- metrics (the same definitions as RecoupLearning's Metrics) ----------------------------------------------------

def log_loss_multi(y, p):
    p = np.clip(np.asarray(p, dtype=np.float64), EPS, 1 - EPS)
    return float(-np.mean(np.log(p[np.arange(len(y)), y])))


def log_loss_binary(y, p):
    p = np.clip(np.asarray(p, dtype=np.float64), EPS, 1 - EPS)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def classification(y, p):
    from sklearn.metrics import accuracy_score, f1_score
    pred = p.argmax(1)
    return {"log_loss": log_loss_multi(y, p), "accuracy": float(accuracy_score(y, pred)),
            "macro_f1": float(f1_score(y, pred, average="macro"))}


def binary(y, p):
    from sklearn.metrics import average_precision_score, roc_auc_score
    return {"log_loss": log_loss_binary(y, p), "pr_auc": float(average_precision_score(y, p)),
            "roc_auc": float(roc_auc_score(y, p))}


def regression(y, p):
    err = p - y
    return {"rmse": float(np.sqrt(np.mean(err ** 2))), "mae": float(np.mean(np.abs(err))),
            "r2": float(1 - np.sum(err ** 2) / np.sum((y - y.mean()) ** 2))}


def timed(fn, repeat=1):
    best, result = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t)
    return best, result


def emit(**kw):
    kw["load1"] = os.getloadavg()[0]  # the machine may be shared: record its load beside every figure
    print(json.dumps(kw), flush=True)


# ---- logistic regression ---------------------------------------------------------------------------------------------

def bench_logistic(d, c, max_iter, heads):
    from sklearn.linear_model import LogisticRegression
    xt, xh = d["train"]["x"], d["holdout"]["x"]
    for head, metric in (("fraud", binary), ("disposition", classification)):
        if head not in heads:
            continue
        y, yh = d["train"][head], d["holdout"][head]
        for threads in (1, 2):
            with threadpool_limits(limits=threads):
                model = LogisticRegression(C=c, max_iter=max_iter, tol=1e-4)
                fit_s, _ = timed(lambda: model.fit(xt, y))
                pred_s, proba = timed(lambda: model.predict_proba(xh), repeat=3)
            p = proba[:, 1] if head == "fraud" else proba
            emit(library="scikit-learn", model="LogisticRegression(lbfgs)", head=head, threads=threads,
                 fit_s=fit_s, iterations=int(np.max(model.n_iter_)), predict_rows_per_s=len(yh) / pred_s,
                 **metric(yh, p))


# ---- boosted trees ---------------------------------------------------------------------------------------------------

HEADS = (("disposition", classification), ("fraud", binary), ("recovery", regression))


def lgb_params(head, a, classes):
    base = {"learning_rate": a.learning_rate, "num_leaves": a.leaves, "max_depth": -1, "min_data_in_leaf": 20,
            "min_sum_hessian_in_leaf": 1e-3, "lambda_l2": a.l2, "max_bin": 255, "num_threads": 2, "verbose": -1,
            "force_row_wise": True, "seed": 0, "deterministic": True}
    if head == "disposition":
        base.update(objective="multiclass", num_class=classes)
    elif head == "fraud":
        base.update(objective="binary")
    else:
        base.update(objective=a.recovery_objective, tweedie_variance_power=a.tweedie_power)
    return base


def bench_trees(d, a, classes, heads):
    import lightgbm as lgb
    import xgboost as xgb
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

    xt, xh = d["train"]["trees_x"], d["holdout"]["trees_x"]
    for head, metric in HEADS:
        if head not in heads:
            continue
        y, yh = d["train"][head], d["holdout"][head]

        # LightGBM (binning inside the timed fit, as our fit time includes BinMapper.fit + transform)
        params = lgb_params(head, a, classes)

        def fit_lgb():
            return lgb.train(params, lgb.Dataset(xt, label=y, params={"max_bin": 255}), num_boost_round=a.rounds)
        fit_s, booster = timed(fit_lgb)
        pred_s, p = timed(lambda: booster.predict(xh, num_threads=2), repeat=3)
        emit(library="LightGBM", model="lgb.train", head=head, threads=2, fit_s=fit_s,
             predict_rows_per_s=len(yh) / pred_s, trees=booster.num_trees(), objective=params["objective"],
             **metric(yh, p))
        # single-row latency (predict on one row, many times)
        one = xh[:1]
        n = 2000
        t = time.perf_counter()
        for i in range(n):
            booster.predict(xh[i:i + 1], num_threads=1)
        single_us = (time.perf_counter() - t) / n * 1e6
        emit(library="LightGBM", model="lgb.train single-row", head=head, threads=1, predict_single_us=single_us)
        del one

        # XGBoost (hist, leaf-wise to match)
        xparams = {"tree_method": "hist", "grow_policy": "lossguide", "max_leaves": a.leaves, "max_depth": 0,
                   "eta": a.learning_rate, "lambda": a.l2, "min_child_weight": 1e-3, "max_bin": 255, "nthread": 2,
                   "seed": 0}
        if head == "disposition":
            xparams.update(objective="multi:softprob", num_class=classes)
        elif head == "fraud":
            xparams.update(objective="binary:logistic")
        else:
            xparams.update(objective="reg:tweedie" if a.recovery_objective == "tweedie" else "reg:squarederror",
                           tweedie_variance_power=a.tweedie_power)

        def fit_xgb():
            return xgb.train(xparams, xgb.DMatrix(xt, label=y, nthread=2), num_boost_round=a.rounds)
        fit_s, bst = timed(fit_xgb)
        # inplace_predict: no DMatrix construction and no cached predictions between the timed repeats
        pred_s, p = timed(lambda: bst.inplace_predict(xh), repeat=3)
        emit(library="XGBoost", model="hist lossguide", head=head, threads=2, fit_s=fit_s,
             predict_rows_per_s=len(yh) / pred_s, objective=xparams["objective"], **metric(yh, p))

        # scikit-learn HistGradientBoosting (OpenMP threads limited to 2)
        common = {"learning_rate": a.learning_rate, "max_iter": a.rounds, "max_leaf_nodes": a.leaves,
                  "min_samples_leaf": 20, "l2_regularization": a.l2, "max_bins": 255, "early_stopping": False,
                  "random_state": 0}
        if head == "recovery":
            model = HistGradientBoostingRegressor(
                loss="poisson" if a.recovery_objective in ("poisson", "tweedie") else "squared_error", **common)
        else:
            model = HistGradientBoostingClassifier(**common)
        with threadpool_limits(limits=2):
            fit_s, _ = timed(lambda: model.fit(xt, y))
            if head == "recovery":
                pred_s, p = timed(lambda: model.predict(xh), repeat=3)
            else:
                pred_s, p = timed(lambda: model.predict_proba(xh), repeat=3)
        if head == "fraud":
            p = p[:, 1]
        emit(library="scikit-learn", model="HistGradientBoosting", head=head, threads=2, fit_s=fit_s,
             predict_rows_per_s=len(yh) / pred_s, loss=model.loss, **metric(yh, p))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--only", choices=["logistic", "trees", "all"], default="all")
    ap.add_argument("--heads", default="disposition,fraud,recovery")
    ap.add_argument("--C", type=float, default=1.0)
    ap.add_argument("--max-iter", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=200)
    ap.add_argument("--leaves", type=int, default=31)
    ap.add_argument("--learning-rate", type=float, default=0.1)
    ap.add_argument("--l2", type=float, default=0.0)
    ap.add_argument("--recovery-objective", default="tweedie")
    ap.add_argument("--tweedie-power", type=float, default=1.5)
    a = ap.parse_args()
    meta, d = load(a.data)
    blas = [{"api": i.get("internal_api"), "threads": i.get("num_threads"), "arch": i.get("architecture")}
            for i in threadpool_info()]
    emit(library="python", model="environment", blas=blas, rows_train=meta["splits"]["train"]["rows"],
         rows_holdout=meta["splits"]["holdout"]["rows"], columns=meta["columns"])
    if a.only in ("logistic", "all"):
        bench_logistic(d, a.C, a.max_iter, a.heads.split(","))
    if a.only in ("trees", "all"):
        bench_trees(d, a, meta["classes"], a.heads.split(","))


if __name__ == "__main__":
    main()

"""Reference side of the tuning benchmark: a data scientist's tuned LightGBM against `recoup train --budget`.

For each head (disposition, fraud, recovery), N trials of LightGBM over the space `recoup train --budget` searches
(`Sources/RecoupTraining/Pipeline/TreeSearch.swift`), on exactly the rows and bins Recoup trains, validates and tests on
(`recoup-bench export-matrices --training-splits`): trial 0 is Recoup's fixed configuration, the others are drawn at
random (or by Optuna's TPE). Every trial stops early on the validation split's own loss under Recoup's rule and keeps
its best round; the trial with the best validation metric (the one Recoup's search compares) wins and is measured once on the
held-out test split, which nothing else has seen.

Reads DIR/meta.json and, per split (train, validation, test), `{split}.binned.u8` (rows x binned_columns, 255 = missing:
the trees get the bins as floats, 255 -> NaN, so that LightGBM makes one bin per Recoup bin), `{split}.disposition.i32`,
`{split}.fraud.i32` and `{split}.recovery.f64`. Prints one JSON line per trial to stderr and one JSON object to stdout
(and to --out).

    python benchmarks/bench_search.py --data benchmarks/out/search/shipped-matrices --trials 40 --seed 1 \
        [--sampler random|tpe|ensemble] [--threads 2] [--out benchmarks/out/search/lightgbm-shipped-random-seed1.json]

`--sampler ensemble` draws the random search's trials and then keeps what `recoup train --budget` keeps: an ensemble of
the trials by greedy selection with replacement on the validation split (Caruana et al. 2004; `TreeSearch
.selectEnsemble`): from the winner, add the trial whose raw scores, averaged in, give the best validation metric while
that is strictly better, at most ENSEMBLE_STEPS additions, only trials with the winner's link.

--trials is N for every head or `disposition=N,fraud=N,recovery=N`; the output's "trials" is then that object.
"""

import argparse
import json
import math
import os
import sys
import time

import numpy as np

EPS = 1e-15
SPLITS = ("train", "validation", "test")
CLASSES = 8
HEADS = ("disposition", "fraud", "recovery")
# Recoup's fixed configuration (TrainingConfiguration.defaultTrees): trial 0, and the pace of the stopping rule.
BASE_ROUNDS, BASE_PATIENCE, BASE_LEARNING_RATE = 400, 25, 0.1
ENSEMBLE_STEPS = 20  # TreeSearch.ensembleSteps
DEFAULT = {"num_leaves": 31, "learning_rate": 0.1, "min_data_in_leaf": 40, "feature_fraction": 0.8,
           "bagging_fraction": 1.0, "lambda_l2": 1.0}
DEFAULT_RECOVERY = {"objective": "tweedie", "tweedie_variance_power": 1.5}
# TreeSearch.space: (LightGBM name, low, high, log scale, integer), in Recoup's drawing order.
SPACE = (
    ("num_leaves", 8, 256, True, True),             # maxLeaves
    ("learning_rate", 0.02, 0.3, True, False),      # learningRate
    ("min_data_in_leaf", 5, 500, True, True),       # minSamplesLeaf
    ("feature_fraction", 0.3, 1.0, False, False),   # featureSubsample (per tree)
    ("bagging_fraction", 0.5, 1.0, False, False),   # rowSubsample
    ("lambda_l2", 1e-3, 100.0, True, False),        # l2
)
RECOVERY_OBJECTIVES = ("regression", "tweedie")     # Recoup: squared error, Tweedie
TWEEDIE_POWER = (1.1, 1.9)
# The metric trials are compared by on the validation split, as Recoup's search compares them (HeadTrainer.fitTrees: the
# loss the trees minimize, steadier than PR-AUC), and the early-stopping loss per objective.
SELECTION = {"disposition": ("log_loss", True), "fraud": ("log_loss", True), "recovery": ("rmse", True)}
STOPPING_METRIC = {"multiclass": "multi_logloss", "binary": "binary_logloss", "regression": "l2", "tweedie": "tweedie"}
# Binning: the Dataset is built once per head and shared by its trials (hence no pre-filter on min_data_in_leaf), one
# bin per distinct value however few rows it holds (Recoup's BinMapper has no minimum either).
DATASET_PARAMS = {"max_bin": 255, "min_data_in_bin": 1, "feature_pre_filter": False, "verbose": -1}


def load(data):
    with open(os.path.join(data, "meta.json")) as fh:
        meta = json.load(fh)
    cols = meta["binned_columns"]
    out = {}
    for split in SPLITS:
        rows = meta["splits"][split]["rows"]
        x = np.fromfile(os.path.join(data, f"{split}.binned.u8"), dtype=np.uint8).reshape(rows, cols).astype(np.float32)
        x[x == 255] = np.nan
        recovery = os.path.join(data, f"{split}.recovery.f64")
        out[split] = {
            "x": x,
            "disposition": np.fromfile(os.path.join(data, f"{split}.disposition.i32"), dtype="<i4"),
            "fraud": np.fromfile(os.path.join(data, f"{split}.fraud.i32"), dtype="<i4"),
            "recovery": np.fromfile(recovery, dtype="<f8") if os.path.exists(recovery)
            else np.fromfile(os.path.join(data, f"{split}.recovery.f32"), dtype="<f4").astype(np.float64),
        }
    return meta, out


# ---- metrics: RecoupLearning's Metrics (ClassificationMetrics, BinaryMetrics, RegressionMetrics) ------------------

def log_loss_multi(y, p):
    p = np.clip(np.asarray(p, dtype=np.float64), EPS, 1 - EPS)
    return float(-np.mean(np.log(p[np.arange(len(y)), y])))


def macro_f1(y, pred, classes=CLASSES):
    """Unweighted mean of F1 over all `classes` (a class neither present nor predicted counts 0, and so does one
    with P + R = 0), as ClassificationMetrics.macroF1 (scikit-learn's `average="macro"` drops absent classes)."""
    confusion = np.bincount(y * classes + pred, minlength=classes * classes).reshape(classes, classes)
    tp = np.diag(confusion).astype(np.float64)
    predicted, support = confusion.sum(0), confusion.sum(1)
    precision = np.divide(tp, predicted, out=np.zeros(classes), where=predicted > 0)
    recall = np.divide(tp, support, out=np.zeros(classes), where=support > 0)
    f1 = np.divide(2 * precision * recall, precision + recall, out=np.zeros(classes), where=precision + recall > 0)
    return float(f1.sum() / classes)


def classification(y, p):
    pred = np.asarray(p).argmax(1)  # the first of equal probabilities, as Recoup's strict `>` scan
    return {"log_loss": log_loss_multi(y, p), "macro_f1": macro_f1(y, pred), "accuracy": float(np.mean(pred == y))}


def log_loss_binary(y, p):
    c = np.clip(np.asarray(p, dtype=np.float64), EPS, 1 - EPS)
    return float(-np.mean(np.where(y != 0, np.log(c), np.log1p(-c))))


def ranking(y, p):
    """ROC-AUC and PR-AUC as BinaryMetrics: rows by decreasing score, one curve point per distinct score (ties form one
    step); PR-AUC is the average precision Σ (Rₙ − Rₙ₋₁) Pₙ, ROC-AUC the trapezoids. NaN without both classes."""
    p = np.asarray(p, dtype=np.float64)
    order = np.argsort(-p, kind="stable")
    s, positive = p[order], (np.asarray(y) != 0)[order]
    ends = np.append(np.nonzero(s[1:] != s[:-1])[0], len(s) - 1)  # last row of each distinct score
    tp = np.cumsum(positive)[ends].astype(np.float64)
    seen = (ends + 1).astype(np.float64)
    fp = seen - tp
    pos, neg = float(positive.sum()), float(len(p) - positive.sum())
    if pos == 0:
        return float("nan"), float("nan")
    recall = tp / pos
    pr_auc = float(np.sum(np.diff(recall, prepend=0.0) * (tp / seen)))
    if neg == 0:
        return float("nan"), pr_auc
    roc_auc = float(np.sum(np.diff(fp, prepend=0.0) * (tp + np.append(0.0, tp[:-1])) / 2) / (pos * neg))
    return roc_auc, pr_auc


def binary(y, p):
    roc_auc, pr_auc = ranking(y, p)
    return {"pr_auc": pr_auc, "roc_auc": roc_auc, "log_loss": log_loss_binary(y, p)}


def regression(y, p):
    """On predictions clipped at 0, as HeadTrainer measures the recovery value (`max(0, prediction)`)."""
    err = np.maximum(0.0, np.asarray(p, dtype=np.float64)) - y
    total = float(np.sum((y - y.mean()) ** 2))
    squared = float(np.sum(err ** 2))
    r2 = 1 - squared / total if total > 0 else (1.0 if squared == 0 else 0.0)
    return {"r2": r2, "rmse": math.sqrt(squared / len(y)), "mae": float(np.mean(np.abs(err)))}


METRICS = {"disposition": classification, "fraud": binary, "recovery": regression}


# ---- the search space ----------------------------------------------------------------------------------------------

def round_half_up(x):
    """Swift's `rounded()` on the positive values drawn here (Python's round() goes to even)."""
    return math.floor(x + 0.5)


def draw_random(head, seed, trial):
    """Trial `trial` (> 0) of the random search: depends on the seed and the trial only, as TreeSearch.configuration."""
    rng = np.random.default_rng([seed, trial])
    config = {}
    for name, low, high, log, integer in SPACE:
        u = rng.random()
        x = math.exp(math.log(low) + u * (math.log(high) - math.log(low))) if log else low + u * (high - low)
        config[name] = int(round_half_up(x)) if integer else x
    if head == "recovery":
        objective = RECOVERY_OBJECTIVES[min(len(RECOVERY_OBJECTIVES) - 1, int(rng.random() * len(RECOVERY_OBJECTIVES)))]
        config["objective"] = objective
        if objective == "tweedie":
            low, high = TWEEDIE_POWER
            config["tweedie_variance_power"] = round_half_up((low + rng.random() * (high - low)) * 100) / 100
    return config


def suggest_tpe(head, trial):
    """The same space through an Optuna trial (integers on a log scale as Optuna draws them)."""
    config = {}
    for name, low, high, log, integer in SPACE:
        config[name] = (trial.suggest_int(name, low, high, log=log) if integer
                        else trial.suggest_float(name, low, high, log=log))
    if head == "recovery":
        config["objective"] = trial.suggest_categorical("objective", list(RECOVERY_OBJECTIVES))
        if config["objective"] == "tweedie":
            power = trial.suggest_float("tweedie_variance_power", *TWEEDIE_POWER, step=0.01)
            config["tweedie_variance_power"] = round(power, 2)  # the step's float error (1.4200000000000002)
    return config


def default_config(head):
    return {**DEFAULT, **(DEFAULT_RECOVERY if head == "recovery" else {})}


def stopping(learning_rate):
    """Recoup's rule (TreeSearch.atRung at the last rung): rounds and patience scaled by 0.1 / learning rate."""
    pace = BASE_LEARNING_RATE / learning_rate
    return math.ceil(BASE_ROUNDS * pace), max(5, math.ceil(BASE_PATIENCE * pace))


def lgb_params(head, config, seed, trial, threads):
    if head == "disposition":
        objective = {"objective": "multiclass", "num_class": CLASSES}
    elif head == "fraud":
        objective = {"objective": "binary"}
    elif config["objective"] == "tweedie":
        objective = {"objective": "tweedie", "tweedie_variance_power": config["tweedie_variance_power"]}
    else:
        objective = {"objective": "regression"}
    trial_seed = (seed * 10007 + trial) % (2 ** 31 - 1)
    return {
        **DATASET_PARAMS, **objective,
        "metric": STOPPING_METRIC[objective["objective"]],
        "num_leaves": config["num_leaves"], "learning_rate": config["learning_rate"],
        "min_data_in_leaf": config["min_data_in_leaf"], "min_sum_hessian_in_leaf": 1e-3,
        "feature_fraction": config["feature_fraction"], "bagging_fraction": config["bagging_fraction"],
        "bagging_freq": 1, "lambda_l2": config["lambda_l2"], "max_depth": -1,
        "seed": trial_seed, "bagging_seed": trial_seed, "feature_fraction_seed": trial_seed,
        "num_threads": threads, "deterministic": True,
    }


# ---- one head ------------------------------------------------------------------------------------------------------

def better(metric, best, lower):
    """Strictly better (ties keep the earlier trial, as TreeSearch); NaN never wins."""
    if not math.isfinite(metric):
        return False
    return best is None or (metric < best if lower else metric > best)


def search_head(lgb, head, d, a, suggest_trial_runner):
    start = time.perf_counter()
    metric_name, lower = SELECTION[head]
    dataset_params = {**DATASET_PARAMS, "num_threads": a.threads}
    train = lgb.Dataset(d["train"]["x"], label=d["train"][head], params=dataset_params, free_raw_data=False).construct()
    valid = lgb.Dataset(d["validation"]["x"], label=d["validation"][head], reference=train,
                        params=dataset_params).construct()
    y_valid = d["validation"][head]
    trials, state = [], {"best": None, "booster": None, "trial": 0}
    raw = []  # per trial, with --sampler ensemble: (link, raw validation scores, raw test scores)

    def run(trial, config):
        t = time.perf_counter()
        rounds, patience = stopping(config["learning_rate"])
        trained = [0]

        def count(env):
            trained[0] = env.iteration + 1
        booster = lgb.train(lgb_params(head, config, a.seed, trial, a.threads), train, num_boost_round=rounds,
                            valid_sets=[valid], valid_names=["validation"],
                            callbacks=[count, lgb.early_stopping(patience, first_metric_only=True, verbose=False)])
        best_iteration = booster.best_iteration or trained[0]
        value = METRICS[head](y_valid, booster.predict(d["validation"]["x"], num_iteration=best_iteration))[metric_name]
        record = {"params": config, "max_rounds": rounds, "patience": patience, "best_iteration": best_iteration,
                  "rounds_trained": trained[0], "validation_metric": value,
                  "seconds": time.perf_counter() - t}
        trials.append(record)
        if a.sampler == "ensemble":
            raw.append((link_of(head, config), booster.predict(d["validation"]["x"], num_iteration=best_iteration, raw_score=True),
                        booster.predict(d["test"]["x"], num_iteration=best_iteration, raw_score=True)))
        if better(value, state["best"], lower) or state["booster"] is None:  # trial 0 stands if every metric is NaN
            state.update(best=value if math.isfinite(value) else None, booster=booster, trial=trial)
        print(json.dumps({"head": head, "trial": trial, "metric": metric_name, **record}), file=sys.stderr, flush=True)
        return value

    suggest_trial_runner(head, run, lower)
    winner = trials[state["trial"]]
    extra = {}
    if a.sampler == "ensemble":
        members, value, test_raw = select_ensemble(head, raw, state["trial"], y_valid, winner["validation_metric"], lower)
        test = METRICS[head](d["test"][head], predictions(head, raw[state["trial"]][0], test_raw))
        extra = {"ensemble": members, "ensemble_validation_metric": value}
    else:
        test = METRICS[head](d["test"][head], state["booster"].predict(d["test"]["x"], num_iteration=winner["best_iteration"]))
    return {"seconds": time.perf_counter() - start, "metric": metric_name, "lower_is_better": lower,
            "trials": trials, "winner": winner["params"], "winner_trial": state["trial"],
            "best_iteration": winner["best_iteration"], "validation_metric": winner["validation_metric"], "test": test,
            **extra}


def link_of(head, config):
    """The link of a trial's raw scores: trials average only within one."""
    if head != "recovery":
        return head
    return "log" if config["objective"] == "tweedie" else "identity"


def predictions(head, link, raw):
    """Raw scores to what METRICS measures: probabilities, or amounts."""
    raw = np.asarray(raw, dtype=np.float64)
    if head == "disposition":
        e = np.exp(raw - raw.max(1, keepdims=True))
        return e / e.sum(1, keepdims=True)
    if head == "fraud":
        return 1 / (1 + np.exp(-raw))
    return np.exp(raw) if link == "log" else raw


def select_ensemble(head, raw, winner, y_valid, winner_metric, lower):
    """TreeSearch.selectEnsemble on the trials' raw validation scores: returns [(trial, weight)], the ensemble's
    validation metric and its raw test scores."""
    metric_name = SELECTION[head][0]
    link = raw[winner][0]
    pool = [i for i, (l, _, _) in enumerate(raw) if l == link]
    counts, total, value = {winner: 1}, raw[winner][1].copy(), winner_metric
    for step in range(1, ENSEMBLE_STEPS + 1):
        chosen = None
        for i in pool:
            v = METRICS[head](y_valid, predictions(head, link, (total + raw[i][1]) / (step + 1)))[metric_name]
            if math.isfinite(v) and (chosen is None or (v < chosen[1] if lower else v > chosen[1])):
                chosen = (i, v)
        if chosen is None or not (chosen[1] < value if lower else chosen[1] > value):
            break
        total += raw[chosen[0]][1]
        counts[chosen[0]] = counts.get(chosen[0], 0) + 1
        value = chosen[1]
    n = sum(counts.values())
    members = [[i, counts[i] / n] for i in sorted(counts)]
    test_raw = sum(raw[i][2] * w for i, w in members)
    return members, value, test_raw


def parse_trials(text):
    """`N` for every head, or `disposition=N,fraud=N,recovery=N` (as many as Recoup drew per head)."""
    if "=" not in text:
        return dict.fromkeys(HEADS, int(text))
    trials = {head: int(n) for head, n in (part.split("=", 1) for part in text.split(","))}
    if set(trials) != set(HEADS):
        raise ValueError(f"expected {', '.join(f'{h}=N' for h in HEADS)}, got {text!r}")
    return trials


def random_runner(trials, seed):
    def runner(head, run, lower):
        for i in range(trials[head]):
            run(i, default_config(head) if i == 0 else draw_random(head, seed, i))
    return runner


def tpe_runner(optuna, trials, seed):
    def runner(head, run, lower):
        study = optuna.create_study(direction="minimize" if lower else "maximize",
                                    sampler=optuna.samplers.TPESampler(seed=seed))
        study.enqueue_trial(default_config(head))
        study.optimize(lambda t: run(t.number, suggest_tpe(head, t)), n_trials=trials[head])
    return runner


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", required=True, help="folder written by recoup-bench export-matrices --training-splits")
    ap.add_argument("--trials", required=True,
                    help="trials per head, N or disposition=N,fraud=N,recovery=N (the first is the default configuration)")
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--sampler", choices=["random", "tpe", "ensemble"], default="random",
                    help="ensemble: the random search's trials, kept as recoup train --budget keeps its fits")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", help="also write the result here")
    a = ap.parse_args()
    try:
        trials = parse_trials(a.trials)
    except ValueError as error:
        ap.error(f"--trials: {error}")
    if min(trials.values()) < 1:
        ap.error("--trials must be at least 1 per head")
    if a.sampler == "tpe":
        try:
            import optuna
        except ImportError as error:
            print(f"bench_search.py: --sampler tpe needs optuna ({error}); pip install optuna", file=sys.stderr)
            sys.exit(3)
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        runner = tpe_runner(optuna, trials, a.seed)
    else:
        runner = random_runner(trials, a.seed)  # random and ensemble
    import lightgbm as lgb

    start = time.perf_counter()
    meta, d = load(a.data)
    load_seconds = time.perf_counter() - start
    heads = {head: search_head(lgb, head, d, a, runner) for head in HEADS}
    result = {"library": "lightgbm", "version": lgb.__version__, "sampler": a.sampler, "seed": a.seed,
              "trials": trials[HEADS[0]] if len(set(trials.values())) == 1 else trials, "threads": a.threads, "data": a.data,
              "rows": {split: meta["splits"][split]["rows"] for split in SPLITS}, "load_seconds": load_seconds,
              "heads": heads, "seconds": time.perf_counter() - start}
    text = json.dumps(result)
    print(text, flush=True)
    if a.out:
        os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
        with open(a.out, "w") as fh:
            fh.write(text + "\n")


if __name__ == "__main__":
    main()

"""Renders the tuning benchmark (`recoup train --budget` against a tuned LightGBM) as the Markdown section of RESULTS.md.

Reads, from RESULT_DIR, `lightgbm-<dataset>-<sampler>-seed<k>.json` (`benchmarks/bench_search.py`) and
`recoup-<dataset>-seed<k>.json` (`recoup train --json` plus the driver's `wall_seconds` and `budget_seconds`); the data
sets, samplers and seeds come from the file names. Per data set: each acceptance metric on the held-out test split,
the mean and spread (max - min) over seeds of each side, Recoup - LightGBM signed so that positive means Recoup is
better, and whether that difference is larger than the spread; then the wall time and the size of each search. Files
that are missing or unreadable are noted, not fatal.

    python benchmarks/render_search.py benchmarks/out/search
"""

import argparse
import json
import os
import re

LIGHTGBM_FILE = re.compile(r"^lightgbm-(?P<dataset>.+)-(?P<sampler>[a-z0-9]+)-seed(?P<seed>\d+)\.json$")
RECOUP_FILE = re.compile(r"^recoup-(?P<dataset>.+)-seed(?P<seed>\d+)\.json$")
HEADS = ("disposition", "fraud", "recovery")
# (head, test metric, label, higher is better)
ROWS = (
    ("disposition", "log_loss", "disposition log-loss ↓", False),
    ("disposition", "macro_f1", "disposition macro-F1 ↑", True),
    ("fraud", "pr_auc", "fraud PR-AUC ↑", True),
    ("fraud", "roc_auc", "fraud ROC-AUC ↑", True),
    ("recovery", "r2", "recovery R² ↑", True),
)
BETTER, NOT = "better by more than the spread", "not"


def discover(folder, notes):
    """{dataset: {"recoup": {seed: result}, "lightgbm": {sampler: {seed: result}}}} from the file names."""
    found = {}
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".json"):
            continue
        m = RECOUP_FILE.match(name)
        lgb = LIGHTGBM_FILE.match(name) if name.startswith("lightgbm-") else None
        if not (m or lgb):
            if name.startswith(("recoup-", "lightgbm-")) and not name.endswith(".summary.json"):  # the driver's own
                notes.append(f"`{name}`: not a result file name, skipped")
            continue
        try:
            with open(os.path.join(folder, name)) as fh:
                result = json.load(fh)
        except (OSError, ValueError) as error:
            notes.append(f"`{name}`: unreadable ({error}), skipped")
            continue
        if lgb:
            entry = found.setdefault(lgb["dataset"], {"recoup": {}, "lightgbm": {}})
            entry["lightgbm"].setdefault(lgb["sampler"], {})[int(lgb["seed"])] = result
        else:
            entry = found.setdefault(m["dataset"], {"recoup": {}, "lightgbm": {}})
            entry["recoup"][int(m["seed"])] = result
    return found


def dig(obj, *keys):
    for key in keys:
        if not isinstance(obj, dict) or key not in obj:
            return None
        obj = obj[key]
    return obj


def summary(result):
    """`recoup train --json` as the driver wraps it (under "summary"), or bare."""
    return result.get("summary", result) if isinstance(result, dict) else None


def recoup_metric(result, head, metric):
    return dig(summary(result), "heads", head, "test", metric)


def lightgbm_metric(result, head, metric):
    return dig(result, "heads", head, "test", metric)


def stats(values):
    """(mean, spread = max - min, count) of the numbers among `values`, None when there are none."""
    values = [v for v in values if isinstance(v, (int, float)) and v == v]
    if not values:
        return None
    return sum(values) / len(values), max(values) - min(values), len(values)


def fmt(x, digits=4, sign=False):
    if x is None:
        return "–"
    return f"{x:+.{digits}f}" if sign else f"{x:.{digits}f}"


def verdict(ours, theirs, higher):
    """Recoup - LightGBM (positive = Recoup better) and whether it is larger than the larger side's spread."""
    if ours is None or theirs is None:
        return None, "–"
    difference = ours[0] - theirs[0] if higher else theirs[0] - ours[0]
    spread = max(ours[1], theirs[1])
    if difference > spread:
        return difference, BETTER
    if difference < -spread:
        return difference, f"{NOT} (LightGBM better by more than the spread)"
    return difference, NOT


def seeds_text(seeds):
    return ", ".join(str(s) for s in sorted(seeds)) or "none"


def mean(values):
    values = [v for v in values if isinstance(v, (int, float))]
    return sum(values) / len(values) if values else None


def table(entry):
    samplers = sorted(entry["lightgbm"])
    several = {s: len(entry["lightgbm"][s]) > 1 for s in samplers}
    header = ["metric", "Recoup mean", "Recoup spread"]
    for s in samplers:
        header += [f"LightGBM {s} mean"] + ([f"LightGBM {s} spread"] if several[s] else [])
        header += [f"Recoup − LightGBM {s}", "verdict"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for head, metric, label, higher in ROWS:
        ours = stats(recoup_metric(r, head, metric) for r in entry["recoup"].values())
        cells = [label, fmt(ours and ours[0]), fmt(ours and ours[1])]
        for s in samplers:
            theirs = stats(lightgbm_metric(r, head, metric) for r in entry["lightgbm"][s].values())
            difference, word = verdict(ours, theirs, higher)
            cells += [fmt(theirs and theirs[0])] + ([fmt(theirs and theirs[1])] if several[s] else [])
            cells += [fmt(difference, sign=True), word]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def timing(entry):
    recoup, lines = list(entry["recoup"].values()), []
    wall = mean(r.get("wall_seconds") for r in recoup)
    budgets = sorted({r.get("budget_seconds") for r in recoup if r.get("budget_seconds") is not None})
    text = f"Wall time per run: Recoup {fmt(wall, 1)} s (mean of {len(recoup)}"
    text += f"; budget {', '.join(f'{b:g}' for b in budgets)} s)" if budgets else ")"
    for s, runs in sorted(entry["lightgbm"].items()):
        text += f"; LightGBM {s} {fmt(mean(r.get('seconds') for r in runs.values()), 1)} s (mean of {len(runs)})"
    lines.append(text + ".")
    heads = []
    for head in HEADS:
        configurations = mean(dig(summary(r), "heads", head, "search", "configurations") for r in recoup)
        fits = mean(dig(summary(r), "heads", head, "search", "fits") for r in recoup)
        seconds = mean(dig(summary(r), "heads", head, "search", "seconds") for r in recoup)
        part = f"{head} {fmt(configurations, 1)} configurations / {fmt(fits, 1)} fits in {fmt(seconds, 1)} s"
        for s, runs in sorted(entry["lightgbm"].items()):
            trials = mean(len(dig(r, "heads", head, "trials") or []) for r in runs.values())
            seconds = mean(dig(r, "heads", head, "seconds") for r in runs.values())
            part += f", LightGBM {s} {fmt(trials, 1)} trials in {fmt(seconds, 1)} s"
        heads.append(part)
    lines.append("Searched per head (means over seeds): Recoup " + "; ".join(heads) + ".")
    return lines


def missing(entry):
    """Notes on the seeds one side has and the other has not."""
    every = set(entry["recoup"]).union(*(set(runs) for runs in entry["lightgbm"].values()))
    notes = [f"Recoup seed {k} missing" for k in sorted(every - set(entry["recoup"]))]
    if not entry["lightgbm"]:
        notes.append("no LightGBM results")
    for s, runs in sorted(entry["lightgbm"].items()):
        notes += [f"LightGBM {s} seed {k} missing" for k in sorted(every - set(runs))]
    sides = [("Recoup", entry["recoup"], recoup_metric)]
    sides += [(f"LightGBM {s}", runs, lightgbm_metric) for s, runs in sorted(entry["lightgbm"].items())]
    for side, runs, value in sides:
        for k, result in sorted(runs.items()):
            absent = [f"{head} {metric}" for head, metric, _, _ in ROWS if value(result, head, metric) is None]
            if absent:
                notes.append(f"{side} seed {k} has no test {', '.join(absent)} (left out of its mean)")
    return notes


def render(folder):
    out = ["## Tuning: `recoup train --budget` against a tuned LightGBM", ""]
    if not os.path.isdir(folder):
        return out + [f"_No results: `{folder}` is not a folder._", ""]
    notes = []
    found = discover(folder, notes)
    out += ["Both sides on the same train / validation / test rows and bins (`recoup-bench export-matrices "
            "--training-splits`), the same search space, early stopping on the validation split and the same selection "
            "metric; measured once on the held-out test split. LightGBM: `benchmarks/bench_search.py` (trial 0 is "
            "Recoup's fixed configuration). Spread: max − min over seeds; a difference counts when it is larger than "
            "the larger of the two sides' spreads. Recoup − LightGBM is signed so that positive means Recoup is better.",
            ""]
    if not found:
        out += [f"_No result files in `{folder}`._", ""]
    for dataset, entry in sorted(found.items()):
        lgb = "; ".join(f"LightGBM {s} {seeds_text(runs)}" for s, runs in sorted(entry["lightgbm"].items()))
        out += [f"### {dataset}", "", f"Seeds: Recoup {seeds_text(entry['recoup'])}" + (f"; {lgb}" if lgb else "") + ".",
                ""]
        if not entry["recoup"]:
            out += ["_No Recoup results for this data set._", ""]
        out += table(entry) + [""]
        single = len(entry["recoup"]) <= 1 and all(len(r) <= 1 for r in entry["lightgbm"].values())
        if single:
            out += ["One seed per side: the spread is 0 and the verdict is only the sign of the difference.", ""]
        out += timing(entry) + [""]
        gaps = missing(entry)
        if gaps:
            out += ["Missing: " + "; ".join(gaps) + ".", ""]
    if notes:
        out += ["Skipped files:", ""] + [f"- {n}" for n in notes] + [""]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("result_dir", help="folder of lightgbm-*.json and recoup-*.json results")
    a = ap.parse_args()
    print("\n".join(render(a.result_dir)))


if __name__ == "__main__":
    main()

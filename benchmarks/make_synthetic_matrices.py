"""Synthetic stand-in for `recoup-bench export-matrices`: the same files, made without the returns data.

Writes DIR/meta.json and, for each split (train, holdout), the raw little-endian row-major files
  {split}.dense.f32        rows x columns float32 (standardized numerics, 0/1 indicators; no NaN)
  {split}.disposition.i32  class index 0..7
  {split}.fraud.i32        0/1, rare (~4%)
  {split}.recovery.f32     money >= 0, skewed (a point mass at 0 and a long right tail)
The hidden process mixes linear effects with interactions and thresholds, so that trees have something to find
that a linear model cannot. Deterministic for a seed.

    python benchmarks/make_synthetic_matrices.py --rows 200000 --holdout 0.2 --out benchmarks/out/synthetic
"""

import argparse
import json
import os

import numpy as np


def make(rows: int, seed: int):
    rng = np.random.default_rng(seed)
    numeric = 24
    blocks = [10, 3, 4, 5, 9, 12, 8, 6]  # one-hot groups (category, tier, channel, payment, reason, hashed ...)
    flags = 100 - numeric - sum(blocks)
    cols = []
    raw = rng.standard_normal((rows, numeric)).astype(np.float64)
    raw[:, :6] = np.exp(raw[:, :6])  # skewed positives (prices, tenure, counts)
    missing = rng.random((rows, 4)) < np.array([0.1, 0.25, 0.4, 0.05])
    for j in range(4):
        raw[missing[:, j], 6 + j] = 0.0
    z = (raw - raw.mean(0)) / raw.std(0)
    cols.append(z)
    levels = []
    for b in blocks:
        p = rng.dirichlet(np.ones(b) * 2)
        lev = rng.choice(b, size=rows, p=p)
        levels.append(lev)
        oh = np.zeros((rows, b))
        oh[np.arange(rows), lev] = 1
        cols.append(oh)
    cols.append(missing.astype(np.float64))
    cols.append((rng.random((rows, flags - 4)) < 0.3).astype(np.float64))
    x = np.hstack(cols)
    assert x.shape[1] == 100, x.shape

    # Disposition: 8 classes from linear scores plus interactions and thresholds.
    k = 8
    w = rng.standard_normal((x.shape[1], k)) * 0.25
    logits = x @ w
    logits[:, 0] += 1.2 * (z[:, 0] > 0.5) * (levels[0] < 4)
    logits[:, 2] += 0.9 * z[:, 1] * z[:, 2]
    logits[:, 4] += 1.0 * (np.abs(z[:, 3]) > 1.2)
    logits[:, 6] += 0.8 * (levels[4] == 2) * (z[:, 7] > 0)
    logits[:, 7] += 0.7 * np.sin(2 * z[:, 8])
    logits += rng.gumbel(size=logits.shape) * 0.6
    disposition = logits.argmax(1).astype(np.int32)

    # Fraud: rare, through a score with a threshold interaction.
    f = (-4.1 + 0.9 * z[:, 10] + 0.6 * z[:, 11] * (z[:, 12] > 0) + 1.6 * (levels[3] == 1) * (z[:, 13] > 1.0)
         + 0.8 * missing[:, 1] + 0.5 * (levels[0] == 3) - 0.4 * z[:, 14] ** 2 + 0.5 * x[:, 90])
    fraud = (rng.random(rows) < 1 / (1 + np.exp(-f))).astype(np.int32)

    # Recovery value: zero for about a fifth, otherwise gamma around a log-linear mean with interactions.
    log_price = np.log(raw[:, 0])  # the first numeric column is a log-normal "price"
    mu = np.exp(2.5 + 0.8 * log_price + 0.3 * z[:, 15] - 0.4 * (disposition >= 5) + 0.3 * z[:, 16] * z[:, 17]
                + 0.2 * (levels[1] == 2))
    zero = rng.random(rows) < 1 / (1 + np.exp(-(-1.6 + 1.0 * (disposition == 7) + 0.5 * z[:, 18])))
    recovery = np.where(zero, 0.0, rng.gamma(2.0, mu / 2.0)).astype(np.float32)
    return x.astype(np.float32), disposition, fraud, recovery


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--holdout", type=float, default=0.2)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", default="benchmarks/out/synthetic")
    args = ap.parse_args()
    x, d, fr, rv = make(args.rows, args.seed)
    n_train = int(round(args.rows * (1 - args.holdout)))
    os.makedirs(args.out, exist_ok=True)
    splits = {"train": slice(0, n_train), "holdout": slice(n_train, args.rows)}
    for name, s in splits.items():
        x[s].tofile(os.path.join(args.out, f"{name}.dense.f32"))
        d[s].tofile(os.path.join(args.out, f"{name}.disposition.i32"))
        fr[s].tofile(os.path.join(args.out, f"{name}.fraud.i32"))
        rv[s].tofile(os.path.join(args.out, f"{name}.recovery.f32"))
    meta = {
        "format": "recoup-matrices",
        "version": 1,
        "source": f"synthetic seed={args.seed}",
        "columns": int(x.shape[1]),
        "classes": 8,
        "splits": {name: {"rows": s.stop - s.start} for name, s in splits.items()},
    }
    with open(os.path.join(args.out, "meta.json"), "w") as fh:
        json.dump(meta, fh, indent=2)
    print(json.dumps({"out": args.out, "train": n_train, "holdout": args.rows - n_train,
                      "fraud_rate": float(fr.mean()), "zero_recovery": float((rv == 0).mean()),
                      "class_shares": np.bincount(d, minlength=8).round(-2).tolist()}))


if __name__ == "__main__":
    main()

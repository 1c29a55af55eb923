#!/usr/bin/env bash
# Learner benchmark: RecoupLearning's logistic regression and boosted trees next to scikit-learn, LightGBM, XGBoost
# and scikit-learn's HistGradientBoosting, one run, same machine, same matrices. Prints a Markdown section for
# benchmarks/RESULTS.md on stdout (raw JSON lines are kept in benchmarks/out/).
#
#   bash benchmarks/bench_learners.sh                 # export-matrices of training-data/returns-200k.csv.gz
#   DATA=benchmarks/out/synthetic bash benchmarks/bench_learners.sh
#
# Environment: DATA (a folder with meta.json and raw matrices), HOLDOUT (a held-out CSV for export-matrices), PYTHON (default benchmarks/.venv/bin/python, created
# from benchmarks/requirements.txt when missing), ROUNDS (200), LEAVES (31).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=benchmarks/out
mkdir -p "$OUT"
ROUNDS=${ROUNDS:-200}
LEAVES=${LEAVES:-31}

. benchmarks/python-env.sh

swift build -c release --product recoup-bench >&2
BENCH="$(swift build -c release --show-bin-path)/recoup-bench"

if [ -z "${DATA:-}" ]; then
  if [ -f training-data/returns-200k.csv.gz ]; then
    # The features layer's export: the default spec fitted on the training part, the most recent 20% of requests
    # held out (or HOLDOUT, a separate labelled CSV).
    DATA="$OUT/returns-matrices"
    if [ -n "${HOLDOUT:-}" ]; then
      "$BENCH" export-matrices --train training-data/returns-200k.csv.gz --holdout "$HOLDOUT" --out "$DATA" >&2
    else
      "$BENCH" export-matrices --train training-data/returns-200k.csv.gz --out "$DATA" >&2
    fi
  else
    DATA="$OUT/synthetic"
    [ -f "$DATA/meta.json" ] || "$PYTHON" benchmarks/make_synthetic_matrices.py --out "$DATA" >&2
  fi
fi

# One after the other, never at the same time, and interleaved head by head so that both sides of each comparison
# run under the same conditions (the machine may be shared); both sides at raised priority when we may (root).
NICE=()
if [ "$(id -u)" = "0" ]; then NICE=(nice -n -15); fi
: > "$OUT/learners-recoup.jsonl"
: > "$OUT/learners-python.jsonl"
for part in logistic:fraud logistic:disposition trees:fraud trees:recovery trees:disposition; do
  only=${part%%:*}
  head=${part##*:}
  echo "measuring $only $head" >&2
  "${NICE[@]}" "$BENCH" learners --data "$DATA" --only "$only" --heads "$head" --rounds "$ROUNDS" --leaves "$LEAVES" \
    --recovery-objectives tweedie,poisson,squared >> "$OUT/learners-recoup.jsonl"
  "${NICE[@]}" "$PYTHON" benchmarks/bench_learners.py --data "$DATA" --only "$only" --heads "$head" --rounds "$ROUNDS" \
    --leaves "$LEAVES" >> "$OUT/learners-python.jsonl"
done
"$PYTHON" benchmarks/render_learners.py "$OUT/learners-recoup.jsonl" "$OUT/learners-python.jsonl" --data "$DATA"

#!/usr/bin/env bash
# Runs every benchmark of this folder, one after the other on this machine, and rewrites benchmarks/RESULTS.md (the
# README's summary table is copied from it by hand). `make bench` calls it.
#
# Sections: features (CSV to matrices, pandas), learners (scikit-learn, LightGBM, XGBoost, HistGradientBoosting),
# scoring (the whole pipeline, LightGBM and XGBoost predicting the same heads), training (recoup train on the 200k
# set), replay (queue policies on returns the model never saw) and flags, insights on 1M returns, HTTP load (wrk), and with BEFORE=<older
# checkout> (its release binaries built) the same loads against both versions, interleaved (bench_compare.py).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=benchmarks/out
mkdir -p "$OUT"
export OPENBLAS_NUM_THREADS=1

. benchmarks/python-env.sh
command -v wrk >/dev/null || { [ "$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null || sudo apt-get install -y -qq wrk >/dev/null; }

swift build -c release --product recoup >&2
swift build -c release --product recoup-bench >&2
BIN="$(swift build -c release --show-bin-path)"
DATA="$OUT/returns-200k.csv"
[ -s "$DATA" ] || gzip -dc training-data/returns-200k.csv.gz > "$DATA"
NICE=()
if [ "$(id -u)" = "0" ]; then NICE=(nice -n -15); fi

echo "== features" >&2
FEATURES=$(PYTHON=$PYTHON RUN="${NICE[*]}" bash benchmarks/bench_features.sh)
echo "== learners" >&2
LEARNERS=$(PYTHON=$PYTHON bash benchmarks/bench_learners.sh)

echo "== scoring" >&2
"${NICE[@]}" "$BIN/recoup-bench" scoring --model models/default-200k --data "$DATA" --rows 40000 > "$OUT/scoring-recoup.json"
PYTHONPATH=benchmarks "${NICE[@]}" "$PYTHON" benchmarks/bench_scoring.py --data "$OUT/returns-matrices" \
  --bundle models/default-200k/bundle.json > "$OUT/scoring-python.json"

echo "== training" >&2
/usr/bin/time -v -o "$OUT/training.time" "${NICE[@]}" "$BIN/recoup" train --data training-data/returns-200k.csv.gz \
  --out "$OUT/models" --name bench --json > "$OUT/training-summary.json"
"$PYTHON" - "$OUT" <<'PY'
import json, re, sys
out = sys.argv[1]
time_text = open(f"{out}/training.time").read()
wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (.+)", time_text).group(1).split(":")
seconds = sum(float(p) * 60 ** i for i, p in enumerate(reversed(wall)))
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", time_text).group(1)) / 1024
json.dump({"seconds": seconds, "peak_rss_mib": rss, "summary": json.load(open(f"{out}/training-summary.json"))}, open(f"{out}/training.json", "w"))
PY

echo "== replay and flags" >&2
# Returns the shipped bundle never saw (another generator seed): the queue policies at one light and two heavy
# capacities, how the ranking of policies moves when the world's decay and refund timing differ from the defaults
# (Recoup's own policy keeps the shipped ones), and the flags against the review rate.
REPLAY_SEED=99
REPLAY_ROWS=50000
"$BIN/recoup" generate --rows $REPLAY_ROWS --seed $REPLAY_SEED --out "$OUT/replay-holdout.csv" 2>/dev/null
replay() { "$BIN/recoup" replay --data "$OUT/replay-holdout.csv" --model models/default-200k --json "$@"; }
VALIDATION_FROM=$("$PYTHON" -c 'import json; print(json.load(open("models/default-200k/bundle.json"))["training_data"]["validation_from"])')
{
  echo "{\"rows\": $REPLAY_ROWS, \"seed\": $REPLAY_SEED, \"runs\": {"
  echo "\"30\": $(replay --capacity 30), \"12\": $(replay --capacity 12), \"8\": $(replay --capacity 8)},"
  echo "\"sensitivity_capacity\": 12, \"sensitivity\": {"
  echo "\"--refund-days 1\": $(replay --capacity 12 --refund-days 1), \"--refund-days 7\": $(replay --capacity 12 --refund-days 7),"
  echo "\"--season-decay 0.05\": $(replay --capacity 12 --season-decay 0.05), \"--base-decay 0.01\": $(replay --capacity 12 --base-decay 0.01),"
  echo "\"--demand-decay 0.03\": $(replay --capacity 12 --demand-decay 0.03),"
  echo "\"--base-decay 0.001 --season-decay 0.005 --demand-decay 0.002\": $(replay --capacity 12 --base-decay 0.001 --season-decay 0.005 --demand-decay 0.002)},"
  echo "\"flags\": {\"validation_from\": \"$VALIDATION_FROM\","
  echo "\"all\": $("$BIN/recoup" evaluate --model models/default-200k --data "$OUT/replay-holdout.csv" --json),"
  echo "\"since\": $("$BIN/recoup" evaluate --model models/default-200k --data "$OUT/replay-holdout.csv" --since "$VALIDATION_FROM" --json)}}"
} > "$OUT/replay.json"

echo "== insights" >&2
# A year of a large retailer offline: 1,000,000 returns with planted problems, every dimension, best of 3.
INSIGHTS_ROWS=1000000
"$BIN/recoup" generate --rows $INSIGHTS_ROWS --seed 7 --plant-problems --out "$OUT/insights-1m.csv" 2> "$OUT/insights-planted.txt"
for run in 1 2 3; do
  /usr/bin/time -v -o "$OUT/insights-$run.time" "${NICE[@]}" "$BIN/recoup" insights --data "$OUT/insights-1m.csv" --json > "$OUT/insights.json"
done
rm -f "$OUT/insights-1m.csv"
# The same questions over a store of 1,000,000 returns, through the served routes.
RECOUP_BIN="$BIN/recoup" "$PYTHON" benchmarks/bench_insights.py --rows $INSIGHTS_ROWS > "$OUT/insights-store.json"

echo "== http" >&2
RECOUP_BIN="$BIN/recoup" "$PYTHON" benchmarks/bench_server.py > /dev/null
echo "== monitoring" >&2
RECOUP_BIN="$BIN/recoup" "$PYTHON" benchmarks/bench_monitoring.py > /dev/null
echo "== pages" >&2
BEFORE="${BEFORE:-}" RECOUP_BIN="$BIN/recoup" "$PYTHON" benchmarks/bench_pages.py > /dev/null

if [ -n "${BEFORE:-}" ]; then
  echo "== before and after ($BEFORE)" >&2
  "$PYTHON" benchmarks/bench_compare.py --before "$BEFORE" > "$OUT/compare.md"
fi

CORE=$("$BIN/recoup-bench" blas --size 1000 --threads 1)
{
  echo "# Benchmark results"
  echo
  echo "Written by \`make bench\` (\`benchmarks/run.sh\`) on $(date -u '+%Y-%m-%d %H:%M UTC'): $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r)."
  echo "OpenBLAS: $CORE. Load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
  echo "$FEATURES"
  echo
  echo "$LEARNERS"
  echo
  "$PYTHON" benchmarks/render_pipeline.py scoring
  "$PYTHON" benchmarks/render_pipeline.py training
  "$PYTHON" benchmarks/render_pipeline.py replay
  "$PYTHON" benchmarks/render_pipeline.py flags
  "$PYTHON" benchmarks/render_pipeline.py insights
  "$PYTHON" benchmarks/render_pipeline.py server
  "$PYTHON" benchmarks/render_pipeline.py monitoring
  "$PYTHON" benchmarks/render_pipeline.py pages
  if [ -n "${BEFORE:-}" ]; then cat "$OUT/compare.md"; fi
} > benchmarks/RESULTS.md
echo "wrote benchmarks/RESULTS.md" >&2

#!/usr/bin/env bash
# Runs every benchmark of this folder, one after the other on this machine, and rewrites benchmarks/RESULTS.md (and
# the summary table of README.md between its bench markers). `make bench` calls it.
#
# Sections: features (CSV to matrices, pandas), learners (scikit-learn, LightGBM, XGBoost, HistGradientBoosting),
# scoring (the whole pipeline, LightGBM and XGBoost predicting the same heads), training (recoup train on the 200k
# set), replay (FIFO vs Recoup vs oracle on returns the model never saw), HTTP load (wrk).
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

echo "== replay" >&2
REPLAY_SEED=99
"$BIN/recoup" generate --rows 60000 --seed $REPLAY_SEED --out "$OUT/replay-holdout.csv" 2>/dev/null
{
  echo "{\"rows\": 60000, \"seed\": $REPLAY_SEED, \"runs\": {"
  first=1
  for capacity in 20 30; do
    [ $first = 1 ] || echo ","
    first=0
    echo "\"$capacity\": $("$BIN/recoup" replay --data "$OUT/replay-holdout.csv" --capacity $capacity --model models/default-200k --json)"
  done
  echo "}}"
} > "$OUT/replay.json"

echo "== http" >&2
RECOUP_BIN="$BIN/recoup" "$PYTHON" benchmarks/bench_server.py > /dev/null

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
  "$PYTHON" benchmarks/render_pipeline.py server
} > benchmarks/RESULTS.md
echo "wrote benchmarks/RESULTS.md" >&2

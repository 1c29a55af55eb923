#!/usr/bin/env bash
# Features benchmark (issue 3): CSV bytes to feature matrices with Recoup (`recoup-bench features`: parse, validate,
# dense standardized rows and binned tree rows, both cores) next to a pandas pipeline (read_csv, one-hot and
# standardize; benchmarks/features_pandas.py) on the same file, one after the other, in the same run. Then 1M rows
# (the shipped 200k file five times) under /usr/bin/time -v for peak memory. Prints a Markdown section for
# benchmarks/RESULTS.md on stdout; raw JSON and time(1) output are kept in benchmarks/out/.
#
#   bash benchmarks/bench_features.sh
#
# Environment: PYTHON (default benchmarks/.venv/bin/python, created from benchmarks/requirements.txt when missing),
# REPEAT (best of, default 5), BIG_COPIES (copies of the 200k rows for the memory run, default 5), RUN (a prefix for
# both sides' timed commands, e.g. RUN="nice -n -15" on a machine shared with other work).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=benchmarks/out
mkdir -p "$OUT"
REPEAT=${REPEAT:-5}
BIG_COPIES=${BIG_COPIES:-5}
RUN=${RUN:-}

. benchmarks/python-env.sh

swift build -c release --product recoup-bench >&2
BENCH="$(swift build -c release --show-bin-path)/recoup-bench"

DATA="$OUT/returns-200k.csv"
[ -s "$DATA" ] || gzip -dc training-data/returns-200k.csv.gz > "$DATA"
BIG="$OUT/returns-$((BIG_COPIES * 200))k.csv"
if [ ! -s "$BIG" ]; then
  { cat "$DATA"; for _ in $(seq 2 "$BIG_COPIES"); do tail -n +2 "$DATA"; done; } > "$BIG"
fi

# One after the other, never at the same time: each side gets the whole machine.
$RUN "$BENCH" features --fit "$DATA" --input "$DATA" --repeat "$REPEAT" > "$OUT/features-recoup.json"
$RUN "$BENCH" features --fit "$DATA" --input "$DATA" --repeat "$REPEAT" --serial > "$OUT/features-recoup-1core.json"
$RUN "$PYTHON" benchmarks/features_pandas.py --input "$DATA" --repeat "$REPEAT" > "$OUT/features-pandas.json"
$RUN /usr/bin/time -v "$BENCH" features --fit "$DATA" --input "$BIG" --repeat 3 \
  > "$OUT/features-recoup-big.json" 2> "$OUT/features-recoup-big.time"
$RUN /usr/bin/time -v "$PYTHON" benchmarks/features_pandas.py --input "$BIG" --repeat 1 --from-bytes-only \
  > "$OUT/features-pandas-big.json" 2> "$OUT/features-pandas-big.time"

"$PYTHON" benchmarks/render_features.py --out "$OUT" --run "$RUN" | tee "$OUT/features.md"

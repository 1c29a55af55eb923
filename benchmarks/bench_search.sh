#!/usr/bin/env bash
# Issue 20: `recoup train --budget` against a tuned LightGBM, one run, this machine, one after the other (never at the
# same time). Two data sets: the shipped 200k set and a second one from the generator with another seed. On each:
#   1. `recoup-bench export-matrices --training-splits`: recoup train's own train / validation / test rows and bins;
#   2. `recoup train --budget $BUDGET --json` for each seed of SEEDS (wall time measured around the command);
#   3. `benchmarks/bench_search.py`: LightGBM random search (and Optuna's TPE when it installs) over the same space,
#      with as many trials per head as Recoup's search drew configurations for that head (the most over the seeds),
#      the same stopping rule and the same validation split, for each seed of LGBM_SEEDS.
# Then `benchmarks/render_search.py` prints the Markdown section for benchmarks/RESULTS.md on stdout.
#
# Environment: BUDGET (90s, recoup train's default), SEEDS ("1 2 3"), LGBM_SEEDS ("1"), SAMPLERS ("random tpe ensemble";
# ensemble: the random trials kept as recoup keeps its fits; empty keeps the LightGBM results
# already in benchmarks/out/search), SECOND_SEED (2027), ROWS
# (200000, the second set's size), PYTHON (benchmarks/.venv/bin/python, created from benchmarks/requirements.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=benchmarks/out/search
mkdir -p "$OUT"
export OPENBLAS_NUM_THREADS=1
BUDGET=${BUDGET:-90s}
SEEDS=${SEEDS:-1 2 3}
LGBM_SEEDS=${LGBM_SEEDS:-1}
SAMPLERS=${SAMPLERS-random tpe ensemble}
SECOND_SEED=${SECOND_SEED:-2027}
ROWS=${ROWS:-200000}

. benchmarks/python-env.sh
swift build -c release --product recoup >&2
swift build -c release --product recoup-bench >&2
BIN="$(swift build -c release --show-bin-path)"

SHIPPED=benchmarks/out/returns-200k.csv
[ -s "$SHIPPED" ] || gzip -dc training-data/returns-200k.csv.gz > "$SHIPPED"
SECOND="$OUT/returns-seed$SECOND_SEED.csv"
[ -s "$SECOND" ] || "$BIN/recoup" generate --rows "$ROWS" --seed "$SECOND_SEED" --out "$SECOND" >&2

for pair in "shipped:$SHIPPED" "seed$SECOND_SEED:$SECOND"; do
  name=${pair%%:*}
  csv=${pair#*:}
  echo "== $name: recoup train's splits" >&2
  "$BIN/recoup-bench" export-matrices --training-splits --train "$csv" --out "$OUT/$name-matrices" >&2
  for seed in $SEEDS; do
    echo "== $name: recoup train --budget $BUDGET --seed $seed" >&2
    start=$(date +%s.%N)
    "$BIN/recoup" train --data "$csv" --out "$OUT/models" --name "$name-seed$seed" --seed "$seed" --budget "$BUDGET" --json \
      > "$OUT/recoup-$name-seed$seed.summary.json"
    end=$(date +%s.%N)
    "$PYTHON" - "$OUT/recoup-$name-seed$seed.summary.json" "$start" "$end" "$BUDGET" > "$OUT/recoup-$name-seed$seed.json" <<'EOF'
import json, sys
summary = json.load(open(sys.argv[1]))
budget = sys.argv[4]
seconds = float(budget[:-1]) * {"s": 1, "m": 60, "h": 3600}[budget[-1]] if budget[-1] in "smh" else float(budget)
print(json.dumps({"wall_seconds": float(sys.argv[3]) - float(sys.argv[2]), "budget_seconds": seconds, "summary": summary}))
EOF
  done
  # As many LightGBM trials per head as Recoup drew configurations for it (the most over the seeds).
  trials=$("$PYTHON" - "$OUT" "$name" $SEEDS <<'EOF'
import json, sys
out, name, seeds = sys.argv[1], sys.argv[2], sys.argv[3:]
most = {}
for seed in seeds:
    heads = json.load(open(f"{out}/recoup-{name}-seed{seed}.json"))["summary"]["heads"]
    for head, h in heads.items():
        most[head] = max(most.get(head, 0), h["search"]["configurations"])
print(",".join(f"{head}={n}" for head, n in sorted(most.items())))
EOF
)
  for sampler in $SAMPLERS; do
    for seed in $LGBM_SEEDS; do
      echo "== $name: LightGBM $sampler search, trials $trials, seed $seed" >&2
      status=0
      "$PYTHON" benchmarks/bench_search.py --data "$OUT/$name-matrices" --trials "$trials" --seed "$seed" --sampler "$sampler" \
        --threads 2 --out "$OUT/lightgbm-$name-$sampler-seed$seed.json" > /dev/null || status=$?
      if [ "$status" = 3 ]; then echo "   ($sampler is not available: skipped)" >&2; break; fi
      [ "$status" = 0 ] || exit "$status"
    done
  done
done

"$PYTHON" benchmarks/render_search.py "$OUT"

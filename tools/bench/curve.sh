#!/usr/bin/env bash
# The cost curve of `assign` on the realistic city: grids × points, GridKeeper alone (the peers'
# ratios are run.sh's), each cell the best of REPEAT whole-process runs, with peak memory.
# Usage: tools/bench/curve.sh   (SIZES="10000 60000 250000" grid counts, POINTS="1000000 10000000";
# REPEAT=3; GK=/path NO_BUILD=1 as in run.sh). Cities are generated once per (grids, points)
# under data/real-<grids>-curve-<points>/ and kept; a 250,000-grid city takes a while to make.
set -euo pipefail
CITY=real
source "$(dirname "$0")/lib.sh"
SIZES=${SIZES:-10000 60000 250000}
POINTS=${POINTS:-1000000 10000000}
REPEAT=${REPEAT:-3}

setup_tools
build_gridkeeper
printf '%-8s %-10s %9s %9s %9s %9s %8s %8s\n' grids points wall_s load_s index_s join_s rss_mb fallbk
for g in $SIZES; do
  for n in $POINTS; do
    GRIDS=$g
    dir=$BENCH/data/real-$g-curve-$n
    mkdir -p "$dir"
    make_city "$dir" "$n"
    [ -s "$dir/W.gpkg" ] || make_workspace "$dir"
    best=""
    for _ in $(seq "$REPEAT"); do
      run_assign "$dir" "$dir/points.csv" "$dir/answers.csv"
      wall=$(cat "$dir/wall.txt")
      if [ -z "$best" ] || awk -v a="$wall" -v b="$best" 'BEGIN { exit !(a < b) }'; then
        best=$wall
        cp "$dir/timing.json" "$dir/best.json"
        tail -1 "$dir/time.txt" | cut -d' ' -f2 >"$dir/best_rss.txt"
      fi
    done
    rm -f "$dir/answers.csv"   # ~0.8 GB at 10M, and nobody reads it here
    "$PY" - "$g" "$n" "$best" "$dir" <<'PY'
import json, sys
g, n, wall, d = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
t = json.load(open(f"{d}/best.json"))
rss = int(open(f"{d}/best_rss.txt").read()) / 1024
print(f"{g:<8} {n:<10} {wall:9.3f} {t['load_s']:9.3f} {t.get('index_s', 0):9.3f} {t['join_s']:9.3f} {rss:8.0f} {t['fallbacks']:8}")
PY
  done
done

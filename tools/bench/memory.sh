#!/usr/bin/env bash
# Does `assign` stream?  Peak RSS on 10M points over peak RSS on 1M points (target <= 1.2).
# Usage: tools/bench/memory.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"
TARGET=1.2

setup_tools
build_gridkeeper
declare -A rss
for n in 1000000 10000000; do
  dir=$BENCH/data/mem-$CITY-$n
  mkdir -p "$dir"
  make_city "$dir" "$n"
  make_workspace "$dir"
  run_assign "$dir" "$dir/points.csv" "$dir/answers.csv"
  rm -f "$dir/answers.csv"   # ~1 GB at 10M, and nobody reads it here
  read -r wall kib < <(tail -1 "$dir/time.txt")
  rss[$n]=$kib
  echo "$n points: peak RSS $((kib / 1024)) MiB, $wall s wall"
done
ratio=$(awk -v a="${rss[10000000]}" -v b="${rss[1000000]}" 'BEGIN { printf "%.3f", a / b }')
if awk -v r="$ratio" -v t="$TARGET" 'BEGIN { exit !(r <= t) }'; then
  echo "peak RSS 10M / 1M = $ratio (target <= $TARGET): ok"
else
  echo "peak RSS 10M / 1M = $ratio (target <= $TARGET): OVER TARGET"
  exit 1
fi

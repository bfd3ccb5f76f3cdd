#!/usr/bin/env bash
# How import scales with the size of its source: N points (default 1M, 5M, 20M; SIZES="…"),
# crowded along the realistic city's streets (its points.csv, each copy shifted by a few
# metres), imported as a component layer into a fresh workspace. Prints wall time, peak RSS and
# the file's size per N, and checks each result (count, rtreecheck, integrity_check).
# Not part of run.sh: 20M points take minutes and ~3 GB of disk in $DATA/scale.
# Usage: tools/bench/import_scale.sh   (GK=/path NO_BUILD=1 as in run.sh)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
SIZES=${SIZES:-"1000000 5000000 20000000"}
setup_tools
build_gridkeeper
make_city "$DATA" 1000000
OUT=$DATA/scale
mkdir -p "$OUT"
printf "%-10s %10s %12s %12s  %s\n" points wall_s peak_rss_mb gpkg_mb check
for n in $SIZES; do
  csv=$OUT/points-$n.csv
  if [ ! -s "$csv" ]; then
    # copies of the 1M points, each shifted by up to 5 m, until n rows
    "$PY" - "$DATA/points.csv" "$n" "$csv" <<'PY'
import sys
src, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rows = [line.rstrip("\n").split(",") for line in open(src).readlines()[1:]]
with open(out + ".tmp", "w") as f:
    f.write("id,x,y\n")
    k = 0
    while k < n:
        copy = k // len(rows)
        dx, dy = (copy * 1.7) % 5, (copy * 3.1) % 5
        for _, x, y in rows[: n - k]:
            k += 1
            f.write(f"{k},{float(x) + dx:.3f},{float(y) + dy:.3f}\n")
import os
os.replace(out + ".tmp", out)
PY
  fi
  rm -f "$OUT/W.gpkg"
  "$GK" init --crs EPSG:4549 --ws "$OUT/W.gpkg" >/dev/null
  /usr/bin/time -f "%e %M" -o "$OUT/time.txt" "$GK" import "$csv" --layer components --kind component --crs EPSG:4549 --ws "$OUT/W.gpkg" >/dev/null
  read -r wall rss <"$OUT/time.txt"
  count=$(sqlite3 "$OUT/W.gpkg" "SELECT count(*) FROM components")
  rtree=$(sqlite3 "$OUT/W.gpkg" "SELECT rtreecheck('rtree_components_geom')")
  integrity=$(sqlite3 "$OUT/W.gpkg" "PRAGMA integrity_check")
  check="count $count, rtreecheck $rtree, integrity $integrity"
  [ "$count" = "$n" ] && [ "$rtree" = ok ] && [ "$integrity" = ok ] || { echo "bench: $n points: $check" >&2; exit 1; }
  printf "%-10s %10s %12s %12s  %s\n" "$n" "$wall" "$((rss / 1024))" "$(( $(stat -c %s "$OUT/W.gpkg") / 1048576 ))" "$check"
done
rm -f "$OUT/W.gpkg"

#!/usr/bin/env bash
# GridKeeper `audit LAYER` against the shapely peer (peer_audit.py) on the bench city.
# Usage: tools/bench/audit.sh [duty|grids]   (default duty; REPEAT=n runs of each side, best kept, default 10;
# THREADS=n for the peer, default 2; CITY, GRIDS, GK=/path/to/gridkeeper NO_BUILD=1 as in run.sh)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
LAYER=${1:-duty}
OUT=$DATA/audit-$LAYER
REPEAT=${REPEAT:-10}   # both sides take well under 0.1 s: more runs steady the best

if [ "${IN_RUN:-0}" != 1 ]; then   # run.sh has done these
  setup_tools
  build_gridkeeper
fi
# the audit needs no points and the city does not depend on N: keep the city there is, else make
# one with 1000 points
N=$("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["points"])' "$DATA/params.json" 2>/dev/null || echo 1000)
make_city "$DATA" "$N"
# a workspace of its own, so run.sh's data/W.gpkg is left alone
mkdir -p "$OUT"
ln -sf ../grids.geojson ../duty.geojson "$OUT/"
make_workspace "$OUT"

echo "bench: gridkeeper audit $LAYER, best of $REPEAT" >&2
rm -f "$OUT/times.txt"
for i in $(seq "$REPEAT"); do
  # audit records its disputes in the workspace's register: every run starts from a fresh copy
  cp "$OUT/W.gpkg" "$OUT/run.gpkg"
  rc=0
  /usr/bin/time -f '%e' -o "$OUT/time.txt" "$GK" audit "$LAYER" --out "$OUT/report.json" --ws "$OUT/run.gpkg" \
    >"$OUT/audit.out" 2>"$OUT/audit.err" || rc=$?
  # exit 1 means defects were found, which this city has
  if [ "$rc" -gt 1 ]; then
    echo "bench: gridkeeper audit failed (exit $rc):" >&2
    cat "$OUT/audit.out" "$OUT/audit.err" >&2
    exit 1
  fi
  # time.txt may start with "Command exited with non-zero status 1"; the figure is the last line
  tail -1 "$OUT/time.txt" >>"$OUT/times.txt"
done
cat "$OUT/audit.out"

echo "bench: shapely peer" >&2
"$PY" "$BENCH/peer_audit.py" "$DATA" --layer "$LAYER" --json "$OUT/peer.json" --threads "${THREADS:-2}" --repeat "$REPEAT"
echo "bench: compare" >&2
agree=0
"$PY" "$BENCH/compare_audit.py" "$OUT/report.json" "$OUT/peer.json" "$DATA/defects.json" --layer "$LAYER" >"$OUT/compare.txt" || agree=$?
cat "$OUT/compare.txt"

"$PY" - "$OUT" "$agree" <<'PY'
import json, sys
out, agree = sys.argv[1], int(sys.argv[2])
runs = [float(x) for x in open(f"{out}/times.txt").read().split()]
gk, peer = min(runs), json.load(open(f"{out}/peer.json"))
sh = peer["seconds"]
rows = [("layer", peer["layer"]),
        ("gridkeeper audit", f"{gk:.2f} s wall, best of {len(runs)} "
                             "(whole process: start-up, opening the workspace, loading both layers, audit, "
                             "writing report and register; /usr/bin/time, 0.01 s steps)"),
        ("shapely audit", f"{sh:.4f} s, best of {len(peer['runs'])} (computation only, {peer['threads']} threads)"),
        ("shapely / gridkeeper", f"{sh / gk:.2f}x  (above 1 means GridKeeper is faster)"),
        ("agreement", "all defects agree" if agree == 0 else "DISAGREE (see compare output above)")]
print()
for k, v in rows:
    print(f"{k:<21} {v}")
json.dump({"gridkeeper_s": gk, "gridkeeper_runs_s": runs,
           "shapely_s": sh, "ratio": round(sh / gk, 3), "agree": agree == 0, "peer": {k: v for k, v in peer.items()
           if k != "defects"}}, open(f"{out}/summary.json", "w"), indent=1)
PY
exit "$agree"

# Shared by run.sh and memory.sh (sourced, not run).
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH/../.." && pwd)
PY=$BENCH/.venv/bin/python
GK=${GK:-$ROOT/.build/release/gridkeeper}   # GK=path NO_BUILD=1: bench another binary
CITY=${CITY:-real}     # real: gen_real.py (street-like shared edges); square: gen_city.py (4-vertex cells)
GRIDS=${GRIDS:-10000}
SEED=1
DATA=${DATA:-$BENCH/data/$CITY-$GRIDS}

apt_install() {
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

setup_tools() {
  [ -x /usr/bin/time ] || apt_install time
  if ! "$PY" -c 'import shapely, numpy' 2>/dev/null; then
    # Debian's own python3 needs python3-venv for `-m venv`
    python3 -m venv "$BENCH/.venv" 2>/dev/null || { apt_install python3-venv; python3 -m venv "$BENCH/.venv"; }
    "$PY" -m pip install -q shapely numpy
  fi
  # the SQL peers; DuckDB pinned to the version of the spatial extension's PyPI package, which
  # DuckDB loads from its file (INSTALL spatial would download it)
  if ! "$PY" -c 'import sedonadb, geoarrow.pyarrow, duckdb, duckdb_extension_spatial, pyarrow' 2>/dev/null; then
    "$PY" -m pip install -q sedonadb geoarrow-pyarrow pyarrow 'duckdb==1.5.5' 'duckdb-extension-spatial==1.5.5'
  fi
}

build_gridkeeper() {
  [ "${NO_BUILD:-0}" = 1 ] && return
  (cd "$ROOT" && tools/setup.sh && swift build -c release --static-swift-stdlib --product gridkeeper)
}

# make_city DIR N: the city ($CITY, $GRIDS grids) and N points, unless DIR already holds exactly
# that; the realistic city's self-check (gen_real.py --check) goes to DIR/check.txt
make_city() {
  local gen=gen_city.py want="{\"grids\": $GRIDS, \"points\": $2, \"seed\": $SEED}"
  if [ "$CITY" = real ]; then
    gen=gen_real.py want="{\"city\": \"real\", \"grids\": $GRIDS, \"points\": $2, \"seed\": $SEED}"
  fi
  if [ "$(cat "$1/params.json" 2>/dev/null)" != "$want" ]; then
    echo "bench: generating the $CITY city, $GRIDS grids and $2 points in $1" >&2
    rm -f "$1/params.json" "$1/check.txt"
    "$PY" "$BENCH/$gen" --grids "$GRIDS" --points "$2" --seed "$SEED" --out "$1"
  fi
  if [ "$CITY" = real ] && [ ! -s "$1/check.txt" ]; then
    echo "bench: checking the city" >&2
    "$PY" "$BENCH/gen_real.py" --check --out "$1" >"$1/check.txt.new" || true
    mv "$1/check.txt.new" "$1/check.txt"
  fi
}

# make_workspace DIR: a fresh DIR/W.gpkg with the grids and duty layers of DIR
make_workspace() {
  rm -f "$1/W.gpkg"
  "$GK" init --crs EPSG:4549 --ws "$1/W.gpkg" >/dev/null
  "$GK" import "$1/grids.geojson" --layer grids --kind grid --crs EPSG:4549 --ws "$1/W.gpkg" >/dev/null
  "$GK" import "$1/duty.geojson" --layer duty --kind duty --crs EPSG:4549 --ws "$1/W.gpkg" >/dev/null
}

# run_assign DIR POINTS OUT: assign under /usr/bin/time; leaves DIR/time.txt ("wall_s rss_kib",
# wall in 10 ms steps), DIR/wall.txt (wall seconds to the microsecond, the process and
# /usr/bin/time's fork) and DIR/timing.json (the JSON of assign's --timing line)
run_assign() {
  local rc=0 start end
  # The previous run's output goes before the clock starts: replacing it would make rename(2)
  # free its page cache (~30 ms for 1M rows), the file system's work, not assign's.
  rm -f "$3"
  start=$(date +%s%N)
  /usr/bin/time -f '%e %M' -o "$1/time.txt" "$GK" assign --points "$2" --crs EPSG:4549 --out "$3" \
    --layers grids,duty --threads "${THREADS:-2}" --timing --ws "$1/W.gpkg" >"$1/assign.out" 2>"$1/assign.err" || rc=$?
  end=$(date +%s%N)
  echo "$(( (end - start) / 1000 ))e-6" >"$1/wall.txt"
  # exit 1 is "nothing found" for some points, not a failure
  if [ "$rc" -gt 1 ] || ! grep -q 'timing: {' "$1/assign.err"; then
    echo "bench: gridkeeper assign failed (exit $rc):" >&2
    cat "$1/assign.out" "$1/assign.err" >&2
    exit 1
  fi
  # the line may carry a prefix ("gridkeeper: timing: {...}")
  grep -o 'timing: {.*}' "$1/assign.err" | tail -1 | sed 's/^timing: //' >"$1/timing.json"
}

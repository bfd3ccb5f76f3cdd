#!/usr/bin/env bash
# The HTTP service under load, beside its peers in the same run on the bench city (grids + a
# duty layer, tools/bench/lib.sh): wrk against GET /v1/lookup (the full answer, both layers)
# at 1, 16 and 64 connections; PostGIS answering ONE layer's bare question (ST_Covers over a
# GiST-indexed grid table, a prepared statement, pgbench with a custom script) at the same
# concurrency; the HTTP floor (tools/bench/http-floor: the same Hummingbird 2 set-up answering a
# fixed body, no work) at the same concurrency, the most any route can give here; the service's
# answers/s in POST /v1/lookup batches of 1,000 points; and the pipe (`lookup --input -`)
# answering the same points.
# Then the memory run: wrk at 16 connections for MEMORY_SECONDS (default 300), the service's RSS
# sampled every 30 s: it must stay flat.
# Usage: tools/bench/serve.sh [SECONDS per run, default 10]   (ROUNDS=n runs per side and
# concurrency, default 3, the best kept; POINTS=n points cycled, default 20000; the realistic
# city of lib.sh, CITY=square for the old one)
# Installs wrk, postgresql-15-postgis-3 and gdal-bin from Debian; starts its own PostgreSQL on
# loopback in a temporary directory and stops it, and the service, when it ends.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
SECONDS_PER_RUN=${1:-10}
POINTS=${POINTS:-20000}
PGPORT=${PGPORT:-54329}
setup_tools
for p in wrk postgresql-15-postgis-3 gdal-bin; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || apt_install "$p"; done
build_gridkeeper
FLOOR=$BENCH/http-floor/.build/release/http-floor
if [ "${NO_BUILD:-0}" != 1 ] || [ ! -x "$FLOOR" ]; then (cd "$BENCH/http-floor" && swift build -c release >&2); fi
make_city "$DATA" 1000000
make_workspace "$DATA"

work=$(mktemp -d)
chmod 755 "$work"
server= floor=
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  [ -n "$floor" ] && kill "$floor" 2>/dev/null && wait "$floor" 2>/dev/null
  [ -f "$work/pg/postmaster.pid" ] && su postgres -c "/usr/lib/postgresql/15/bin/pg_ctl -D $work/pg stop -m fast" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

# The points every side answers: the first POINTS of the bench city's (EPSG:4549 x,y).
head -n $((POINTS + 1)) "$DATA/points.csv" >"$work/points.csv"
tail -n +2 "$work/points.csv" | awk -F, '{ printf "%s,%s\n", $2, $3 }' >"$work/xy.txt"

echo "bench: starting gridkeeper serve" >&2
"$GK" serve --port 0 --ws "$DATA/W.gpkg" >"$work/address" 2>"$work/serve.log" &
server=$!
for _ in $(seq 600); do grep -q http "$work/address" 2>/dev/null && break; sleep 0.1; done
base=$(grep -o 'http://[0-9.]*:[0-9]*' "$work/address")
for _ in $(seq 1200); do curl -sf "$base/v1/health" >/dev/null && break; sleep 0.1; done
rss_before=$(awk '/VmRSS/ { print $2 }' /proc/$server/status)
"$FLOOR" >"$work/floor-address" 2>"$work/floor.log" &
floor=$!
for _ in $(seq 600); do grep -q http "$work/floor-address" 2>/dev/null && break; sleep 0.1; done
floor_url="$(grep -o 'http://[0-9.]*:[0-9]*' "$work/floor-address")/floor"
curl -sf "$floor_url" >/dev/null

# wrk cycles through the points; every path is a full answer for both layers.
cat >"$work/lookup.lua" <<LUA
local paths, n = {}, 0
for line in io.lines("$work/xy.txt") do
  local x, y = line:match("([^,]+),([^,]+)")
  n = n + 1
  paths[n] = "/v1/lookup?lon=" .. x .. "&lat=" .. y .. "&crs=EPSG:4549&layers=grids,duty"
end
local i = 0
request = function()
  i = i % n + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %.0f %.3f %.3f %d\n", summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout))
end
LUA

echo "bench: PostgreSQL + PostGIS on 127.0.0.1:$PGPORT" >&2
mkdir -p "$work/pg" && chown postgres "$work/pg"
su postgres -c "/usr/lib/postgresql/15/bin/initdb -D $work/pg -A trust -U postgres" >/dev/null
su postgres -c "/usr/lib/postgresql/15/bin/pg_ctl -D $work/pg -l $work/pg/log -o '-c listen_addresses=127.0.0.1 -p $PGPORT -k $work/pg -c max_connections=100 -c shared_buffers=512MB' -w start" >/dev/null
psql="psql -q -h 127.0.0.1 -p $PGPORT -U postgres -v ON_ERROR_STOP=1"
$psql -c "CREATE EXTENSION postgis"
ogr2ogr -f PostgreSQL "PG:host=127.0.0.1 port=$PGPORT user=postgres dbname=postgres" "$DATA/grids.geojson" \
  -nln grids -a_srs EPSG:4549 -lco GEOMETRY_NAME=geom -lco SPATIAL_INDEX=GIST -nlt PROMOTE_TO_MULTI
$psql -c "CREATE TABLE pts (id int PRIMARY KEY, p geometry(Point, 4549))"
awk -F, '{ printf "%d\t SRID=4549;POINT(%s %s)\n", NR, $1, $2 }' "$work/xy.txt" | $psql -c "COPY pts FROM STDIN"
$psql -c "VACUUM ANALYZE grids" -c "VACUUM ANALYZE pts"
# One layer's bare question: which grid covers the point (its code).
printf '\\set i random(1, %d)\nSELECT g.code FROM grids g, pts WHERE pts.id = :i AND ST_Covers(g.geom, pts.p);\n' "$POINTS" >"$work/covers.sql"

# Each side's best of ROUNDS runs per concurrency, the sides taking turns (the machine is shared:
# a run that meets a busy moment says little); errors are counted over every run.
ROUNDS=${ROUNDS:-3}
declare -A svc_best svc_lat svc_errors floor_best pg_best pg_lat pg_errors
for round in $(seq "$ROUNDS"); do
  for c in 1 16 64; do
    threads=$(( c < 2 ? 1 : 2 ))
    read -r _ _ rps p50 p99 errors < <(wrk -t "$threads" -c "$c" -d "${SECONDS_PER_RUN}s" -s "$work/lookup.lua" "$base" | grep '^RESULT')
    svc_errors[$c]=$(( ${svc_errors[$c]:-0} + errors ))
    if [ "$rps" -gt "${svc_best[$c]:-0}" ]; then svc_best[$c]=$rps; svc_lat[$c]="$p50 $p99"; fi
    floor_rps=$(wrk -t "$threads" -c "$c" -d "${SECONDS_PER_RUN}s" "$floor_url" | awk '/^Requests\/sec/ { printf "%.0f", $2 }')
    [ "$floor_rps" -gt "${floor_best[$c]:-0}" ] && floor_best[$c]=$floor_rps
    pg=$(pgbench -h 127.0.0.1 -p "$PGPORT" -U postgres -n -M prepared -f "$work/covers.sql" -c "$c" -j "$threads" -T "$SECONDS_PER_RUN" \
         --log --log-prefix "$work/pgb" postgres 2>/dev/null)
    tps=$(echo "$pg" | awk '/^tps/ { printf "%.0f", $3 }')
    failed=$(echo "$pg" | awk '/number of failed transactions/ { print $5 }')
    pg_errors[$c]=$(( ${pg_errors[$c]:-0} + ${failed:-0} ))
    if [ "$tps" -gt "${pg_best[$c]:-0}" ]; then
      cat "$work"/pgb.* | awk '{ print $3 / 1000 }' | sort -n >"$work/pglat.txt"
      n=$(wc -l <"$work/pglat.txt")
      pg_best[$c]=$tps
      pg_lat[$c]="$(sed -n "$(( (n + 1) / 2 ))p" "$work/pglat.txt") $(sed -n "$(( (n * 99 + 99) / 100 ))p" "$work/pglat.txt")"
    fi
    rm -f "$work"/pgb.*
    echo "bench: round $round, $c connection(s): service $rps req/s, floor $floor_rps, PostGIS $tps tps" >&2
  done
done
echo "best of $ROUNDS runs of ${SECONDS_PER_RUN} s each:"
printf '%-12s %12s %10s %10s %8s %10s %14s %10s %10s %8s\n' connections "service r/s" "p50 ms" "p99 ms" errors "floor r/s" "PostGIS tps" "p50 ms" "p99 ms" errors
for c in 1 16 64; do
  read -r p50 p99 <<<"${svc_lat[$c]}"
  read -r pg50 pg99 <<<"${pg_lat[$c]}"
  printf '%-12s %12s %10s %10s %8s %10s %14s %10s %10s %8s\n' "$c" "${svc_best[$c]}" "$p50" "$p99" "${svc_errors[$c]}" "${floor_best[$c]}" \
    "${pg_best[$c]}" "$pg50" "$pg99" "${pg_errors[$c]}"
done
kill "$floor" && wait "$floor" 2>/dev/null; floor=

# Answers in bulk over HTTP, as the pipe gives them: POST /v1/lookup, 1,000 points a request.
head -n 1000 "$work/xy.txt" | awk -F, 'BEGIN { printf "[" } { printf "%s{\"id\":\"%d\",\"lon\":%s,\"lat\":%s}", (NR > 1 ? "," : ""), NR, $1, $2 } END { printf "]" }' >"$work/batch.json"
cat >"$work/batch.lua" <<LUA
local f = io.open("$work/batch.json"); wrk.body = f:read("*a"); f:close()
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %.1f %d\n", summary.requests, summary.requests / (summary.duration / 1e6),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout))
end
LUA
batch=""
for c in 1 2; do
  read -r _ _ bps berrors < <(wrk -t "$c" -c "$c" -d "${SECONDS_PER_RUN}s" -s "$work/batch.lua" "$base/v1/lookup?crs=EPSG:4549&layers=grids,duty" | grep '^RESULT')
  batch="$batch $c connection(s): $(awk -v r="$bps" 'BEGIN { printf "%.0f", r * 1000 }') answers/s, $berrors errors;"
done
rss_after=$(awk '/VmRSS/ { print $2 }' /proc/$server/status)

MEMORY_SECONDS=${MEMORY_SECONDS:-300}
echo "bench: the memory run, wrk at 16 connections for $MEMORY_SECONDS s" >&2
wrk -t 2 -c 16 -d "${MEMORY_SECONDS}s" -s "$work/lookup.lua" "$base" >"$work/memory-run.txt" &
wrk_pid=$!
samples=""
for _ in $(seq $((MEMORY_SECONDS / 30))); do
  sleep 30
  samples="$samples $(awk '/VmRSS/ { print $2 }' /proc/$server/status)"
done
wait "$wrk_pid"
read -r _ _ mem_rps _ mem_p99 mem_errors < <(grep '^RESULT' "$work/memory-run.txt")

# The pipe: one process answering the points line by line (its answers/s, whole process), best
# of ROUNDS; and once loaded, from the time ten times the points take beyond the first time.
for _ in $(seq 10); do cat "$work/xy.txt"; done >"$work/xy10.txt"
pipe_ns() {
  local best=0 start end
  for _ in $(seq "$ROUNDS"); do
    start=$(date +%s%N)
    "$GK" lookup --input - --crs EPSG:4549 --layers grids,duty --ws "$DATA/W.gpkg" <"$1" >"$work/pipe.csv"
    end=$(date +%s%N)
    if [ "$best" -eq 0 ] || [ $((end - start)) -lt "$best" ]; then best=$((end - start)); fi
  done
  echo "$best"
}
once=$(pipe_ns "$work/xy.txt") tenfold=$(pipe_ns "$work/xy10.txt")
echo "pipe: $(awk -v n="$POINTS" -v ns="$once" 'BEGIN { printf "%.0f", n / (ns / 1e9) }') answers/s ($POINTS points, one process, start included);" \
  "$(awk -v n=$((9 * POINTS)) -v ns=$((tenfold - once)) 'BEGIN { printf "%.0f", n / (ns / 1e9) }') answers/s once loaded"
echo "service, POST /v1/lookup in batches of 1,000 points:$batch"
echo "service memory (RSS): ${rss_before} KiB after loading, ${rss_after} KiB after the runs"
echo "memory run: ${MEMORY_SECONDS} s at 16 connections, $mem_rps req/s, p99 $mem_p99 ms, $mem_errors errors; RSS every 30 s (KiB):$samples"
echo "machine: $(nproc) cores, shared with other work; figures vary from run to run"

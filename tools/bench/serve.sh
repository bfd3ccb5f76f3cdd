#!/usr/bin/env bash
# The HTTP service under load, beside its peers in the same run on the bench city (grids + a
# duty layer, tools/bench/lib.sh): wrk against GET /v1/lookup (the full answer, both layers)
# at 1, 16 and 64 connections; PostGIS answering ONE layer's bare question (ST_Covers over a
# GiST-indexed grid table, a prepared statement, pgbench with a custom script) at the same
# concurrency; and the pipe (`lookup --input -`) answering the same points.
# Then the memory run: wrk at 16 connections for MEMORY_SECONDS (default 300), the service's RSS
# sampled every 30 s: it must stay flat.
# Usage: tools/bench/serve.sh [SECONDS per run, default 20]   (POINTS=n points cycled, default 20000;
# the realistic city of lib.sh, CITY=square for the old one)
# Installs wrk, postgresql-15-postgis-3 and gdal-bin from Debian; starts its own PostgreSQL on
# loopback in a temporary directory and stops it, and the service, when it ends.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
SECONDS_PER_RUN=${1:-20}
POINTS=${POINTS:-20000}
PGPORT=${PGPORT:-54329}
setup_tools
for p in wrk postgresql-15-postgis-3 gdal-bin; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || apt_install "$p"; done
build_gridkeeper
make_city "$DATA" 1000000
make_workspace "$DATA"

work=$(mktemp -d)
chmod 755 "$work"
server= 
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
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

printf '%-12s %12s %10s %10s %8s %14s %10s %10s\n' connections "service r/s" "p50 ms" "p99 ms" errors "PostGIS tps" "p50 ms" "p99 ms"
for c in 1 16 64; do
  threads=$(( c < 2 ? 1 : 2 ))
  read -r _ _ rps p50 p99 errors < <(wrk -t "$threads" -c "$c" -d "${SECONDS_PER_RUN}s" -s "$work/lookup.lua" "$base" | grep '^RESULT')
  pg=$(pgbench -h 127.0.0.1 -p "$PGPORT" -U postgres -n -M prepared -f "$work/covers.sql" -c "$c" -j "$threads" -T "$SECONDS_PER_RUN" \
       -r --log --log-prefix "$work/pgb" postgres 2>/dev/null)
  tps=$(echo "$pg" | awk '/^tps/ { printf "%.0f", $3 }')
  cat "$work"/pgb.* | awk '{ print $3 / 1000 }' | sort -n >"$work/pglat.txt"
  n=$(wc -l <"$work/pglat.txt")
  pg50=$(sed -n "$(( (n + 1) / 2 ))p" "$work/pglat.txt"); pg99=$(sed -n "$(( (n * 99 + 99) / 100 ))p" "$work/pglat.txt")
  rm -f "$work"/pgb.*
  printf '%-12s %12s %10s %10s %8s %14s %10s %10s\n' "$c" "$rps" "$p50" "$p99" "$errors" "$tps" "$pg50" "$pg99"
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

# The pipe: one process answering the same points line by line (its answers/s, whole process).
start=$(date +%s%N)
"$GK" lookup --input - --crs EPSG:4549 --layers grids,duty --ws "$DATA/W.gpkg" <"$work/xy.txt" >"$work/pipe.csv"
end=$(date +%s%N)
echo "pipe: $(awk -v n="$POINTS" -v ns=$((end - start)) 'BEGIN { printf "%.0f", n / (ns / 1e9) }') answers/s ($POINTS points, one process, start included)"
echo "service memory (RSS): ${rss_before} KiB after loading, ${rss_after} KiB after the runs"
echo "memory run: ${MEMORY_SECONDS} s at 16 connections, $mem_rps req/s, p99 $mem_p99 ms, $mem_errors errors; RSS every 30 s (KiB):$samples"
echo "machine: $(nproc) cores, shared with other work; figures vary from run to run"

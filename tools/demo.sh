#!/usr/bin/env bash
# The main job on the demo city: build, create a workspace, import geodata/, look up the demo
# points (inside, boundary, disputed, gap, outside, GCJ-02, BD-09) and time a single lookup.
# Usage: tools/demo.sh [workspace.gpkg]   (default: demo.gpkg in the repository; recreated each run)
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
# The Swift runtime is linked in: the binary runs where no toolchain is installed, and starts
# ~10 ms sooner (no dynamic linking of Foundation and ICU).
swift build -c release --static-swift-stdlib --product gridkeeper >&2
gk="$(swift build -c release --show-bin-path)/gridkeeper"
ws="${1:-demo.gpkg}"
export GRIDKEEPER_WS="$ws"
rm -f "$ws"

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@" || true; }

step "$gk" init --crs EPSG:4549
step "$gk" import geodata/district.geojson --layer district --kind area --jurisdiction
step "$gk" import geodata/streets.geojson --layer streets --kind area
step "$gk" import geodata/communities.geojson --layer communities --kind area
# The grids and the road contract get a second version on 2026-07-01 (at the end): their first
# versions are backdated to the day they came into force.
step "$gk" import geodata/grids.geojson --layer grids --kind grid --effective 2025-01-01
step "$gk" import geodata/road_duty.geojson --layer road_duty --kind duty --service road --effective 2025-01-01
step "$gk" import geodata/greening_duty.geojson --layer greening --kind duty --service greening
step "$gk" import geodata/roads.geojson --layer roads --kind road
step "$gk" import geodata/road_stakes.csv --layer road_stakes --kind roadduty --road-layer roads --service road
step "$gk" import geodata/components.csv --layer components --kind component
step "$gk" layers
# Who to call (网格挂钩): one roster file (tools/gen_demo_roster.py) for the grids and both duty layers.
for target in grids road_duty greening; do
  step "$gk" import geodata/roster.csv --kind roster --target "$target"
done

# The demo points: id,lon,lat,crs,expect (see geodata/README.md).
tail -n +2 geodata/demo_points.csv | while IFS=, read -r id lon lat crs expect; do
  printf '\n# %s — expected: %s\n' "$id" "$expect"
  step "$gk" lookup "$lon,$lat" --crs "$crs" --layers communities,grids,road_duty,greening
done

p6=$(grep '^p6,' geodata/demo_points.csv | cut -d, -f2,3)
printf '\n# p6 with a 1 m tolerance: the grid edge 0.3 m away makes it a boundary\n'
step "$gk" lookup "$p6" --tolerance 1 --layers grids

printf '\n# along the roads: chainage, stake and the owner of the stretch (长江路 changes owner at K4+000)\n'
step "$gk" lookup 120.3720,31.54005 --layers road_stakes
step "$gk" lookup 120.3841,31.54003 --layers road_stakes

printf '\n# the staff on duty for the grid and the road owner (mobiles: the CLI only, never published)\n'
step "$gk" lookup "$(grep '^p1,' geodata/demo_points.csv | cut -d, -f2,3)" --layers grids,road_duty
step "$gk" lookup "$(grep '^p1,' geodata/demo_points.csv | cut -d, -f2,3)" --layers grids --at 2026-06-30

printf '\n# machine-readable answer\n'
step "$gk" lookup "$(grep '^p3,' geodata/demo_points.csv | cut -d, -f2,3)" --json --layers grids,road_duty

printf '\n# a batch: every component point against every layer\n'
step "$gk" lookup --input geodata/components.csv --output components_answers.csv
head -3 components_answers.csv

printf '\n# one lookup, wall-clock time of the whole process (start-up included), 20 runs\n'
p1=$(grep '^p1,' geodata/demo_points.csv | cut -d, -f2,3)
start=$(date +%s%N)
for _ in $(seq 20); do "$gk" lookup "$p1" --json >/dev/null; done
end=$(date +%s%N)
echo "mean $(( (end - start) / 20000000 )) ms per lookup process"

printf '\n# the audit: disputes, gaps, slivers, grid defects; report.html has a map\n'
step "$gk" audit --out audit.html --defects defects.geojson
step "$gk" disputes list
# The expert group rules the 新华路 overlap (demo point p3) for the street office; lookup follows.
id=$("$gk" disputes list | grep '交通运输局 ↔ 硕放街道办事处' | awk '{print $1}' | head -1)
if [ -n "$id" ]; then
  step "$gk" disputes rule "$id" --owner 硕放街道办事处 --by 专家确权小组 --note "demo ruling"
  step "$gk" lookup "$(grep '^p3,' geodata/demo_points.csv | cut -d, -f2,3)" --layers road_duty
fi
# Road duty is audited along the stakes: the 旺庄路 overlap (K0+800–K1+000) is a dispute of the
# road_stakes layer; ruled for the district office, lookup at the stretch answers 'ruled'.
rid=$("$gk" disputes list | awk '$2 == "road_stakes" && $3 == "open" {print $1}' | head -1)
if [ -n "$rid" ]; then
  shown=$("$gk" disputes show "$rid" --json)
  lon=$(printf '%s' "$shown" | grep -o '"lon":[0-9.]*' | cut -d: -f2)
  lat=$(printf '%s' "$shown" | grep -o '"lat":[0-9.]*' | cut -d: -f2)
  step "$gk" disputes rule "$rid" --owner 区城管局 --by 专家确权小组 --note "demo ruling on the stakes"
  step "$gk" lookup "$lon,$lat" --layers road_stakes
fi
step "$gk" ledger --out ledger.csv

printf '\n# reassignment of the components: recorded grid and maintainer against the layers\n'
step "$gk" assign --points components --out components_assign.csv --against BGID=grids,DeptName3=road_duty

printf '\n# 2026-07-01: 硕放社区 re-drawn (网格调整) and the road contract re-tendered (tools/gen_demo_versions.py)\n'
step "$gk" import geodata/grids_2026.geojson --layer grids --kind grid --replace --effective 2026-07-01
step "$gk" import geodata/road_duty_2026.geojson --layer road_duty --kind duty --service road --replace --effective 2026-07-01
step "$gk" layers --history
# A point in the re-drawn community: grid 320214002001008 until 2026-06-30, 320214002001028 from 2026-07-01 (inclusive).
probe=120.38263504,31.54759672
step "$gk" lookup "$probe" --layers grids --at 2026-06-30
step "$gk" lookup "$probe" --layers grids --at 2026-07-01
step "$gk" changes grids --from 2026-06-30 --to 2026-07-01 --out changes.html
step "$gk" changes road_duty --from 2026-06-30 --to 2026-07-01 --out road_duty_changes.csv

printf '\n# each case against the map of its own report day (the re-drawn grids from 2026-07-01 on)\n'
step "$gk" assign --points geodata/cases.csv --date-field 上报时间 --layers grids,road_duty --out cases_attributed.csv --skip-bad
head -3 cases_attributed.csv

printf '\n# cases and assessment: a year of generated cases (tools/gen_demo_cases.py) attributed by the map of their day\n'
step "$gk" stats --cases geodata/cases.csv --by grids,road_duty,greening,road_stakes --out stats.html --skip-bad

#!/usr/bin/env bash
# The independent check of `gridkeeper stats` on the demo cases (tools/check_stats.py):
# shapely (PyPI, in a git-ignored virtualenv under tools/) against the stats JSON given.
# Usage: tools/check_stats.sh STATS.json
set -euo pipefail
cd "$(dirname "$0")/.."
venv=tools/.venv-check
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import shapely' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet 'shapely>=2,<3'
fi
exec "$venv/bin/python" tools/check_stats.py --cases geodata/cases.csv --grids geodata/grids.geojson \
  --district geodata/district.geojson --stats "$1"

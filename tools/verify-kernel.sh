#!/usr/bin/env bash
# The long proof that the native point-in-polygon kernel equals GEOS: N generated points
# (default 1,000,000: random, on vertices, on edge midpoints, along edges, one ulp off
# vertices, on horizontal/vertical lines) against GEOS prepared contains/covers/distance.
# Usage: tools/verify-kernel.sh [points] [seed]
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
swift build -c release --static-swift-stdlib --product verify-kernel >&2
"$(swift build -c release --show-bin-path)/verify-kernel" "$@"

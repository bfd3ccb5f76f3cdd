#!/usr/bin/env bash
# Runs every test: installs missing system packages first, then `swift test` (debug build).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
swift build --build-tests
swift test --skip-build "$@"

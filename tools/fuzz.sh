#!/usr/bin/env bash
# Longer fuzzing of the parsers than `swift test` does (release build).
# Usage: tools/fuzz.sh [iterations per parser, default 200000] [seed]
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
FUZZ_ITERATIONS="${1:-200000}" FUZZ_SEED="${2:-$RANDOM}" swift test -c release --disable-swift-testing --filter FuzzTests

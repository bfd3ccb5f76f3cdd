#!/usr/bin/env bash
# Runs every test: installs missing system packages first, then `swift test` (debug build).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
# Headless Chromium lets a test render the audit's HTML report; without it that test skips.
tools/setup.sh chromium || echo "test: chromium could not be installed; the browser check of the report will be skipped" >&2
# The big files of the bad-input corpus (~330 MB, git-ignored) are made, not committed.
command -v python3 >/dev/null && python3 tools/make_bad_corpus.py >/dev/null || echo "test: python3 missing; the big bad-input cases will be skipped" >&2
swift build --build-tests
# XCTest only: no Swift Testing suites exist, and its empty "0 tests" summary would close the log.
swift test --skip-build --disable-swift-testing "$@"

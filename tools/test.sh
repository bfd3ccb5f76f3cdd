#!/usr/bin/env bash
# Runs every test: installs missing system packages first, then `swift test` (debug build).
set -euo pipefail
cd "$(dirname "$0")/.."
# What the tests drive besides the build's own packages: cs2cs (proj-bin) checks our transforms,
# headless Chromium renders the HTML pages, python3 runs the bad-input corpus. Under CI a test
# whose program is missing fails rather than skips (Tests/TestSupport/ExternalTool.swift).
# curl and python3-venv serve the contract check of the HTTP service (tools/schemathesis.sh).
tools/setup.sh proj-bin chromium python3 python3-venv curl
# The big files of the bad-input corpus (~330 MB, git-ignored) are made, not committed.
python3 tools/make_bad_corpus.py >/dev/null
swift build --build-tests
# The running service against openapi.yaml (schemathesis from PyPI, bounded examples). Before
# `swift test`, so that XCTest's summary of every test closes the log.
tools/schemathesis.sh
# XCTest only: no Swift Testing suites exist, and its empty "0 tests" summary would close the log.
swift test --skip-build --disable-swift-testing "$@"

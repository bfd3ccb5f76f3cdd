#!/usr/bin/env bash
# Installs the Debian packages GridKeeper needs, only those missing. Idempotent, non-interactive.
# Usage: tools/setup.sh [extra-package …]
set -euo pipefail
# libjs-leaflet: the map page's Leaflet (served by `serve`, copied by `publish`);
# fonts-noto-cjk: Chinese glyphs for the pages in a browser on Debian (and in the tests' Chromium).
packages=(libgeos-dev libproj-dev proj-data libsqlite3-dev pkg-config gdal-bin libjs-leaflet fonts-noto-cjk "$@")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "setup: the Swift toolchain (6.x) is not on PATH; install it from swift.org" >&2; exit 1; }

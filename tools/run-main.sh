#!/bin/sh
# The main job: install what is missing, build, draw the per-depth gradient-norm figure.
# Extra arguments go to `gradflow gradnorm` (see build/analysis/gradflow gradnorm --help).
set -eu
cd "$(dirname "$0")/.."
sh tools/install-deps.sh
sh tools/configure.sh build --buildtype=release -Db_sanitize=none -Dtests=enabled
meson compile -C build
./build/analysis/gradflow gradnorm --out runs/gradnorm "$@"
